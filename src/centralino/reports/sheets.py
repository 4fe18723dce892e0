"""The reports by name (IN-9 inbound, OUT-9 outbound and presence): each runs its query
and lays the rows out as a `Sheet`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from centralino.domain.access import Principal
from centralino.domain.reports import BucketRow, CallDetailRow, Figures, OperatorRow, SummaryRow
from centralino.reports import inbound, outbound_sheets
from centralino.reports.inbound import ReportQuery
from centralino.reports.xlsx import N_, Column, CsvChunks, Kind, Sheet
from centralino.services import service_levels
from centralino.services.context import ServiceContext

_FIGURES = [
    Column(N_("Received"), Kind.INT),
    Column(N_("Answered"), Kind.INT),
    Column(N_("Answered in target"), Kind.INT),
    Column(N_("Unanswered"), Kind.INT),
    Column(N_("Lost (abandoned)"), Kind.INT),
    Column(N_("Refused"), Kind.INT),
    Column(N_("Refused: closed"), Kind.INT),
    Column(N_("Refused: queue full"), Kind.INT),
    Column(N_("Ended in the IVR"), Kind.INT),
    Column(N_("Total talk"), Kind.LONG_DURATION),
    Column(N_("Average talk"), Kind.DURATION),
    Column(N_("Average wait"), Kind.DURATION),
    Column(N_("Service level"), Kind.PERCENT),
]


def _figures(f: Figures) -> list[object]:
    s = f.stats
    return [
        f.received, s.answered, s.answered_in_target, s.unanswered, s.abandoned, s.refused,
        f.refused_closed, f.refused_full, s.ivr, s.talk, f.average_talk, f.average_wait,
        f.service_level,
    ]  # fmt: skip


def summary_sheet(rows: Sequence[SummaryRow], what: str = "Service") -> Sheet:
    total = Figures.combined([r.figures for r in rows])
    return Sheet(
        f"{what} summary",
        [Column(what), *_FIGURES],
        [[r.name, *_figures(r.figures)] for r in rows],
        [N_("Total"), *_figures(total)],
    )


def detail_sheet(rows: Sequence[BucketRow]) -> Sheet:
    total = Figures.combined([r.figures for r in rows])
    return Sheet(
        N_("Detail per service"),
        [Column(N_("Service")), Column(N_("Period")), *_FIGURES],
        [[r.service, r.bucket.label, *_figures(r.figures)] for r in rows],
        ["Total", None, *_figures(total)],
    )


def operator_sheet(rows: Sequence[OperatorRow], by_operator: bool) -> Sheet:
    answered = sum(r.answered for r in rows)
    talk = sum(r.talk for r in rows)
    wait = sum((r.average_wait or 0.0) * r.answered for r in rows)
    first, second = ("Operator", "Service") if by_operator else ("Service", "Operator")
    body = [
        [
            r.operator if by_operator else r.service,
            r.service if by_operator else r.operator,
            r.answered,
            r.talk,
            r.average_talk,
            r.average_wait,
        ]
        for r in rows
    ]
    return Sheet(
        N_("Services per operator") if by_operator else "Operators per service",
        [
            Column(first),
            Column(second),
            Column(N_("Answered"), Kind.INT),
            Column(N_("Total talk"), Kind.LONG_DURATION),
            Column(N_("Average talk"), Kind.DURATION),
            Column(N_("Average wait"), Kind.DURATION),
        ],
        body,
        [
            "Total",
            None,
            answered,
            talk,
            *((talk / answered, wait / answered) if answered else (None, None)),
        ],
    )


CALLS_COLUMNS = [
    Column(N_("Arrived"), Kind.LOCAL_TIME),
    Column(N_("UTC offset")),
    Column(N_("Service")),
    Column(N_("Queue")),
    Column(N_("Number")),
    Column(N_("Result")),
    Column(N_("Refused because")),
    Column(N_("Wait"), Kind.DURATION),
    Column(N_("Talk"), Kind.DURATION),
    Column(N_("Operator")),
    Column(N_("Hang-up cause")),
    Column(N_("Outcome")),
]


def _call_row(r: CallDetailRow) -> list[object]:
    return [
        r.arrived, r.arrived.isoformat()[-6:], r.service, r.queue, r.number, r.result,
        r.refused_reason, r.wait, r.talk, r.operator, r.hangup_cause, r.outcome,
    ]  # fmt: skip


def _calls_totals(count: int, talk: float) -> list[object]:
    return [f"Total: {count} calls", *[None] * 7, talk, None, None, None]


def calls_sheet(rows: Sequence[CallDetailRow]) -> Sheet:
    return Sheet(
        N_("Received calls"),
        CALLS_COLUMNS,
        [_call_row(r) for r in rows],
        _calls_totals(len(rows), sum(r.talk for r in rows)),
    )


def calls_csv(rows: Iterable[CallDetailRow]) -> CsvChunks:
    """The received calls as CSV text in chunks, each row written as it is read: any
    number of calls in little memory (the same columns and totals as `calls_sheet`)."""
    talk = [0.0]

    def laid_out() -> Iterator[list[object]]:
        for r in rows:
            talk[0] += r.talk
            yield _call_row(r)

    chunks = CsvChunks(CALLS_COLUMNS, laid_out(), lambda: _calls_totals(chunks.rows, talk[0]))
    return chunks


_VERDICTS = {
    "met": "target met",
    "minimum": "minimum kept, target missed",
    "missed": "minimum missed",
    "no_calls": "no calls",
}


def service_level_sheet(rows: Sequence[service_levels.PeriodRow]) -> Sheet:
    """QA-1 period report: each service with a service level, bucket by bucket, then its
    whole period; every criterion beside its target and minimum, and the verdict."""
    body: list[list[object]] = []
    for r in rows:
        t, policy, verdict = r.tally, r.tally.policy, r.tally.verdict()
        assert policy is not None and verdict is not None  # only services with a level
        f = t.figures()
        lo, hi = policy.minimum, policy.target
        body.append([
            r.service, r.bucket or "Whole period", f["offered"], f["answered"], f["abandoned"],
            f["service_level"], f"{hi.answered_share:.0%} in {hi.answer_within} s",
            f["service_level_minimum"], f"{lo.answered_share:.0%} in {lo.answer_within} s",
            f["abandon_rate"], hi.max_abandon_rate, lo.max_abandon_rate,
            f["average_wait"], hi.max_average_wait, lo.max_average_wait,
            _VERDICTS[verdict.level.value],
            ", ".join(f"{c.criterion.value}: {c.level.value}" for c in verdict.missed()),
        ])  # fmt: skip
    return Sheet(
        N_("Service levels"),
        [
            Column(N_("Service")),
            Column(N_("Period")),
            Column(N_("Received"), Kind.INT),
            Column(N_("Answered"), Kind.INT),
            Column(N_("Lost (abandoned)"), Kind.INT),
            Column(N_("Answered in target time"), Kind.PERCENT),
            Column(N_("Target")),
            Column(N_("Answered in minimum time"), Kind.PERCENT),
            Column(N_("Minimum")),
            Column(N_("Abandon rate"), Kind.PERCENT),
            Column(N_("Abandon target"), Kind.PERCENT),
            Column(N_("Abandon minimum"), Kind.PERCENT),
            Column(N_("Average wait"), Kind.DURATION),
            Column(N_("Wait target"), Kind.DURATION),
            Column(N_("Wait minimum"), Kind.DURATION),
            Column(N_("Verdict")),
            Column(N_("Missed")),
        ],
        body,
    )


Builder = Callable[[ServiceContext, Principal, ReportQuery], Sheet]


@dataclass(slots=True, frozen=True)
class Report:
    name: str
    title: str
    build: Builder


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report("services", N_("service summary"),
               lambda c, a, q: summary_sheet(inbound.service_summary(c, a, q))),
        Report("queues", N_("queue summary"),
               lambda c, a, q: summary_sheet(inbound.queue_summary(c, a, q), "Queue")),
        Report("detail", N_("detail per service by hour, day or month"),
               lambda c, a, q: detail_sheet(inbound.service_detail(c, a, q))),
        Report("operators", N_("operators per service"),
               lambda c, a, q: operator_sheet(inbound.operators_per_service(c, a, q), False)),
        Report("operator-services", N_("services per operator"),
               lambda c, a, q: operator_sheet(inbound.services_per_operator(c, a, q), True)),
        Report("calls", N_("received calls, one row each"),
               lambda c, a, q: calls_sheet(inbound.received_calls(c, a, q))),
        Report("service-levels", N_("service levels met and missed, by day, hour or month"),
               lambda c, a, q: service_level_sheet(service_levels.period_rows(
                   c, a, q.company_id, q.first, q.last, q.by))),
        Report("campaigns", N_("outbound campaign summary"), outbound_sheets.campaigns),
        Report("campaign-lists", N_("outbound campaigns per list"), outbound_sheets.campaign_lists),
        Report("campaign-groups", N_("outbound campaigns per group of operators"),
               outbound_sheets.campaign_groups),
        Report("campaign-operators", N_("outbound campaigns per operator"),
               outbound_sheets.campaign_operators),
        Report("outcomes", N_("outcomes per campaign: count and share"), outbound_sheets.outcomes),
        Report("operator-outcomes", N_("outcomes per campaign and operator"),
               outbound_sheets.operator_outcomes),
        Report("presence", N_("operators' presence and pauses per day"), outbound_sheets.presence),
    )
}  # fmt: skip


def build(
    ctx: ServiceContext, actor: Principal, names: Sequence[str], q: ReportQuery
) -> list[Sheet]:
    """The named reports ("all" for every one) as sheets."""
    chosen = list(REPORTS) if list(names) == ["all"] else list(names)
    return [REPORTS[n].build(ctx, actor, q) for n in chosen]

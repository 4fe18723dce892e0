"""The reports by name (IN-9 inbound, OUT-9 outbound and presence): each runs its query
and lays the rows out as a `Sheet`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from centralino.domain.access import Principal
from centralino.domain.reports import BucketRow, CallDetailRow, Figures, OperatorRow, SummaryRow
from centralino.reports import inbound, outbound_sheets
from centralino.reports.inbound import ReportQuery
from centralino.reports.xlsx import Column, Kind, Sheet
from centralino.services import service_levels
from centralino.services.context import ServiceContext

_FIGURES = [
    Column("Received", Kind.INT),
    Column("Answered", Kind.INT),
    Column("Answered in target", Kind.INT),
    Column("Unanswered", Kind.INT),
    Column("Lost (abandoned)", Kind.INT),
    Column("Refused", Kind.INT),
    Column("Refused: closed", Kind.INT),
    Column("Refused: queue full", Kind.INT),
    Column("Total talk", Kind.LONG_DURATION),
    Column("Average talk", Kind.DURATION),
    Column("Average wait", Kind.DURATION),
    Column("Service level", Kind.PERCENT),
]


def _figures(f: Figures) -> list[object]:
    s = f.stats
    return [
        f.received, s.answered, s.answered_in_target, s.unanswered, s.abandoned, s.refused,
        f.refused_closed, f.refused_full, s.talk, f.average_talk, f.average_wait,
        f.service_level,
    ]  # fmt: skip


def summary_sheet(rows: Sequence[SummaryRow], what: str = "Service") -> Sheet:
    total = Figures.combined([r.figures for r in rows])
    return Sheet(
        f"{what} summary",
        [Column(what), *_FIGURES],
        [[r.name, *_figures(r.figures)] for r in rows],
        ["Total", *_figures(total)],
    )


def detail_sheet(rows: Sequence[BucketRow]) -> Sheet:
    total = Figures.combined([r.figures for r in rows])
    return Sheet(
        "Detail per service",
        [Column("Service"), Column("Period"), *_FIGURES],
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
        "Services per operator" if by_operator else "Operators per service",
        [
            Column(first),
            Column(second),
            Column("Answered", Kind.INT),
            Column("Total talk", Kind.LONG_DURATION),
            Column("Average talk", Kind.DURATION),
            Column("Average wait", Kind.DURATION),
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


def calls_sheet(rows: Sequence[CallDetailRow]) -> Sheet:
    return Sheet(
        "Received calls",
        [
            Column("Arrived", Kind.LOCAL_TIME),
            Column("UTC offset"),
            Column("Service"),
            Column("Queue"),
            Column("Number"),
            Column("Result"),
            Column("Refused because"),
            Column("Wait", Kind.DURATION),
            Column("Talk", Kind.DURATION),
            Column("Operator"),
            Column("Hang-up cause"),
            Column("Outcome"),
        ],
        [
            [
                r.arrived,
                r.arrived.isoformat()[-6:],
                r.service,
                r.queue,
                r.number,
                r.result,
                r.refused_reason,
                r.wait,
                r.talk,
                r.operator,
                r.hangup_cause,
                r.outcome,
            ]
            for r in rows
        ],
        [
            f"Total: {len(rows)} calls",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            sum(r.talk for r in rows),
            None,
            None,
            None,
        ],
    )


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
        "Service levels",
        [
            Column("Service"),
            Column("Period"),
            Column("Received", Kind.INT),
            Column("Answered", Kind.INT),
            Column("Lost (abandoned)", Kind.INT),
            Column("Answered in target time", Kind.PERCENT),
            Column("Target"),
            Column("Answered in minimum time", Kind.PERCENT),
            Column("Minimum"),
            Column("Abandon rate", Kind.PERCENT),
            Column("Abandon target", Kind.PERCENT),
            Column("Abandon minimum", Kind.PERCENT),
            Column("Average wait", Kind.DURATION),
            Column("Wait target", Kind.DURATION),
            Column("Wait minimum", Kind.DURATION),
            Column("Verdict"),
            Column("Missed"),
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
        Report("services", "service summary",
               lambda c, a, q: summary_sheet(inbound.service_summary(c, a, q))),
        Report("queues", "queue summary",
               lambda c, a, q: summary_sheet(inbound.queue_summary(c, a, q), "Queue")),
        Report("detail", "detail per service by hour, day or month",
               lambda c, a, q: detail_sheet(inbound.service_detail(c, a, q))),
        Report("operators", "operators per service",
               lambda c, a, q: operator_sheet(inbound.operators_per_service(c, a, q), False)),
        Report("operator-services", "services per operator",
               lambda c, a, q: operator_sheet(inbound.services_per_operator(c, a, q), True)),
        Report("calls", "received calls, one row each",
               lambda c, a, q: calls_sheet(inbound.received_calls(c, a, q))),
        Report("campaigns", "outbound campaign summary", outbound_sheets.campaigns),
        Report("campaign-lists", "outbound campaigns per list", outbound_sheets.campaign_lists),
        Report("campaign-groups", "outbound campaigns per group of operators",
               outbound_sheets.campaign_groups),
        Report("campaign-operators", "outbound campaigns per operator",
               outbound_sheets.campaign_operators),
        Report("outcomes", "outcomes per campaign: count and share", outbound_sheets.outcomes),
        Report("operator-outcomes", "outcomes per campaign and operator",
               outbound_sheets.operator_outcomes),
        Report("presence", "operators' presence and pauses per day", outbound_sheets.presence),
        Report("service-levels", "service levels met and missed, by day, hour or month",
               lambda c, a, q: service_level_sheet(service_levels.period_rows(
                   c, a, q.company_id, q.first, q.last, q.by))),
    )
}  # fmt: skip


def build(
    ctx: ServiceContext, actor: Principal, names: Sequence[str], q: ReportQuery
) -> list[Sheet]:
    """The named reports ("all" for every one) as sheets."""
    chosen = list(REPORTS) if list(names) == ["all"] else list(names)
    return [REPORTS[n].build(ctx, actor, q) for n in chosen]

"""The OUT-9 reports as sheets: campaigns (with their lists, groups and operators),
outcome control, and presence with pauses. Each is `(ctx, actor, ReportQuery) -> Sheet`,
registered by name in `sheets.REPORTS`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from centralino.domain.access import Principal
from centralino.domain.outbound.statistics import OutboundFigures
from centralino.domain.presence import DayPresence
from centralino.reports.inbound import ReportQuery
from centralino.reports.outbound import OutboundBy, OutboundReport, OutboundRow, outbound_report
from centralino.reports.presence import presence_report
from centralino.reports.xlsx import N_, Column, Kind, Sheet
from centralino.services.context import ServiceContext

_FIGURES = [
    Column(N_("Attempts"), Kind.INT),
    Column(N_("Answered"), Kind.INT),
    Column(N_("Contacts"), Kind.INT),
    Column(N_("Abandoned"), Kind.INT),
    Column(N_("Abandon rate"), Kind.PERCENT),
    Column(N_("Positive"), Kind.INT),
    Column(N_("Positive rate"), Kind.PERCENT),
    Column(N_("Positive target"), Kind.PERCENT),
    Column(N_("Target met")),
    Column(N_("Total talk"), Kind.LONG_DURATION),
    Column(N_("Average talk"), Kind.DURATION),
    Column(N_("Talk on negative outcomes"), Kind.LONG_DURATION),
    Column(N_("Operators"), Kind.INT),
    Column(N_("Logged in"), Kind.LONG_DURATION),
    Column(N_("Paused"), Kind.LONG_DURATION),
    Column(N_("Pauses"), Kind.INT),
]


def _yes_no(met: bool | None) -> str | None:
    return None if met is None else ("yes" if met else "no")


def _figures(
    f: OutboundFigures, target: float | None, operators: int, p: DayPresence
) -> list[object]:
    met = None if target is None else f.target_met(target)
    return [
        f.attempts, f.answered, f.contacts, f.abandoned, f.abandon_rate, f.positive,
        f.positive_rate, target, _yes_no(met), f.talk, f.average_talk, f.negative_talk,
        operators, p.logged_in, p.paused, p.pause_count,
    ]  # fmt: skip


def _row(r: OutboundRow) -> list[object]:
    return _figures(r.figures, r.target, len(r.operators), r.presence)


def _total(rep: OutboundReport, label_cells: int) -> list[object]:
    targets = {r.target for r in rep.rows}
    target = targets.pop() if len(targets) == 1 else None
    return [
        "Total", *([None] * (label_cells - 1)),
        *_figures(rep.total, target, len(rep.operators), rep.presence),
    ]  # fmt: skip


def campaigns(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> Sheet:
    rep = outbound_report(ctx, actor, q, OutboundBy.CAMPAIGN)
    return Sheet(
        N_("Campaign summary"),
        [Column(N_("Campaign")), *_FIGURES],
        [[r.campaign, *_row(r)] for r in rep.rows],
        _total(rep, 1),
    )


def _per(by: OutboundBy, title: str, header: str) -> Callable[..., Sheet]:
    def build(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> Sheet:
        rep = outbound_report(ctx, actor, q, by)
        extra = [Column(N_("Group"))] if by is OutboundBy.OPERATOR else []
        return Sheet(
            title,
            [Column(N_("Campaign")), Column(header), *extra, *_FIGURES],
            [[r.campaign, r.name, *([r.group] if extra else []), *_row(r)] for r in rep.rows],
            _total(rep, 2 + len(extra)),
        )

    return build


campaign_lists = _per(OutboundBy.LIST, "Campaigns per list", "List")
campaign_groups = _per(OutboundBy.GROUP, "Campaigns per group", "Group")
campaign_operators = _per(OutboundBy.OPERATOR, "Campaigns per operator", "Operator")

_OUTCOME_FIGURES = [
    Column(N_("Outcome")),
    Column(N_("Label")),
    Column(N_("Kind")),
    Column(N_("Count"), Kind.INT),
    Column(N_("Share"), Kind.PERCENT),
    Column(N_("Contacts"), Kind.INT),
    Column(N_("Total talk"), Kind.LONG_DURATION),
    Column(N_("Average talk"), Kind.DURATION),
]


def _outcome_rows(f: OutboundFigures, lead: list[object]) -> list[list[object]]:
    return [
        [*lead, code, t.label, t.kind, t.count, f.share(code), t.contacts, t.talk, t.average_talk]
        for code, t in f.ordered_outcomes()
    ]


def _outcome_total(f: OutboundFigures, lead: int) -> list[object]:
    return [
        "Total", *([None] * (lead + 2)), None, f.attempts, 1.0 if f.attempts else None,
        f.contacts, f.talk, f.average_talk,
    ]  # fmt: skip


def outcomes(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> Sheet:
    """Each campaign's outcomes: how many attempts ended so, their share and talk."""
    rep = outbound_report(ctx, actor, q, OutboundBy.CAMPAIGN, presence=False)
    body = [row for r in rep.rows for row in _outcome_rows(r.figures, [r.campaign])]
    return Sheet(
        N_("Outcomes per campaign"),
        [Column(N_("Campaign")), *_OUTCOME_FIGURES],
        body,
        _outcome_total(rep.total, 0),
    )


def operator_outcomes(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> Sheet:
    """Each operator's outcomes in each campaign, the share of that operator's attempts:
    who closes quickly on a no, who converts."""
    rep = outbound_report(ctx, actor, q, OutboundBy.OPERATOR, presence=False)
    body = [
        row for r in rep.rows for row in _outcome_rows(r.figures, [r.campaign, r.name, r.group])
    ]
    return Sheet(
        N_("Outcomes per operator"),
        [Column(N_("Campaign")), Column(N_("Operator")), Column(N_("Group")), *_OUTCOME_FIGURES],
        body,
        _outcome_total(rep.total, 2),
    )


def presence(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> Sheet:
    """Per operator and local day: login and logout, time per state, pauses per reason."""
    rep = presence_report(ctx, actor, q)
    tz = rep.period.tz
    columns = [
        Column(N_("Operator")), Column(N_("Group")), Column(N_("Day")),
        Column(N_("First login"), Kind.LOCAL_TIME), Column(N_("Last logout"), Kind.LOCAL_TIME),
        Column(N_("Logged in"), Kind.LONG_DURATION), Column(N_("Ready"), Kind.LONG_DURATION),
        Column(N_("Ringing or connecting"), Kind.LONG_DURATION),
        Column(N_("In call"), Kind.LONG_DURATION),
        Column(N_("After-call work"), Kind.LONG_DURATION),
        Column(N_("Paused"), Kind.LONG_DURATION), Column(N_("Pauses"), Kind.INT),
        Column(N_("Pauses over limit"), Kind.INT),
    ]  # fmt: skip
    for reason in rep.reasons:
        columns += [
            Column(reason.label, Kind.LONG_DURATION),
            Column(f"{reason.label}: pauses", Kind.INT),
        ]
        if reason.limit_seconds is not None:
            columns.append(Column(f"{reason.label}: over limit", Kind.INT))

    def cells(p: DayPresence) -> list[object]:
        out: list[object] = [
            p.logged_in, p.ready, p.connecting, p.talking, p.wrap_up, p.paused,
            p.pause_count, p.over_limit_count,
        ]  # fmt: skip
        for reason in rep.reasons:
            out += [p.pause_time.get(reason.code, 0.0), p.pauses.get(reason.code, 0)]
            if reason.limit_seconds is not None:
                out.append(p.over_limit.get(reason.code, 0))
        return out

    body: list[list[object]] = []
    total = DayPresence()
    for r in rep.rows:
        p = r.presence
        total.add(p)
        first = None if p.first_login is None else datetime.fromtimestamp(p.first_login, tz)
        last = None if p.last_logout is None else datetime.fromtimestamp(p.last_logout, tz)
        body.append([r.operator, r.group, r.day.isoformat(), first, last, *cells(p)])
    return Sheet(
        N_("Presence and pauses"), columns, body, ["Total", None, None, None, None, *cells(total)]
    )

"""Presence and pauses per operator and local day (IN-4, IN-8, OUT-9), from `operator_states`.

One query reads, for the operators the viewer may see (by the user's group, as
`services.calls.list_states`), their state changes inside the period, the last change
before it (the state they were in at its start) and the first one after it (where a
pause still open at its end really ended, to judge it against its limit); the intervals
are cut into days in Python (`domain.presence`). Pause limits are the company's pause
reasons (the defaults while it has stored none, as the engine uses them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, literal, select, union_all

from centralino.domain.access import Principal
from centralino.domain.inbound.pauses import DEFAULT_REASONS, reasons_by_code
from centralino.domain.operators import OperatorState
from centralino.domain.presence import (
    NO_REASON,
    DayPresence,
    StateChange,
    presence_by_day,
    segments,
)
from centralino.domain.reports import BucketBy, Period, hour_ranges
from centralino.domain.roles import Permission
from centralino.reports.inbound import ReportQuery, report_period
from centralino.services.context import ServiceContext
from centralino.store.durations import seconds_between
from centralino.store.repos.scope import visible
from centralino.store.tables import groups, operator_states, users
from centralino.store.types import UTCDateTime

NO_REASON_LABEL = "(no reason)"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_STATES = {s.value: s for s in OperatorState}


@dataclass(slots=True, frozen=True)
class PresenceRow:
    user_id: int
    operator: str
    group: str
    day: date
    presence: DayPresence


@dataclass(slots=True, frozen=True)
class Reason:
    """A pause reason met in the report ("" for pauses without one)."""

    code: str
    label: str
    limit_seconds: float | None = None


@dataclass(slots=True)
class PresenceReport:
    period: Period
    rows: list[PresenceRow]  # by operator, then day
    reasons: list[Reason]  # the pause reasons met, in the company's order, unknown ones last


def _days(period: Period) -> list[tuple[date, float, float]]:
    starts = [b.start for b in period.buckets(BucketBy.DAY)]
    ends = [*starts[1:], period.end]
    return [
        (s.astimezone(period.tz).date(), s.timestamp(), e.timestamp())
        for s, e in zip(starts, ends, strict=True)
    ]


def _states(
    actor: Principal, company_id: int, start: datetime, end: datetime,
    user_ids: Collection[int] | None,
) -> Any:  # fmt: skip
    """The statement: visible operators' changes in [start, end), with the one before
    each operator's first and the one after their last (ordered by user, time)."""
    vis = actor.visibility(Permission.STATS_READ)
    s = operator_states
    at = seconds_between(literal(EPOCH, UTCDateTime()), s.c.at).label("at")
    cols = [s.c.id, s.c.user_id, s.c.state, s.c.reason, at, users.c.username,
            groups.c.name.label("team")]  # fmt: skip
    seen = [
        users.c.company_id == company_id,
        visible(vis, users.c.company_id, groups.c.path),
    ]
    if user_ids is not None:
        seen.append(users.c.id.in_(sorted(user_ids)))
    people = users.join(groups, groups.c.id == users.c.group_id)
    inside = (
        select(*cols)
        .select_from(people.join(s, s.c.user_id == users.c.id))
        .where(s.c.company_id == company_id, s.c.at >= start, s.c.at < end, *seen)
    )
    edges = []
    for before in (True, False):
        e = s.alias("edge")
        one = (
            select(e.c.id)
            .where(e.c.user_id == users.c.id, e.c.at < start if before else e.c.at >= end)
            .order_by(*((e.c.at.desc(), e.c.id.desc()) if before else (e.c.at, e.c.id)))
            .limit(1)
            .correlate(users)
            .scalar_subquery()
        )
        edges.append(select(*cols).select_from(people.join(s, and_(s.c.id == one))).where(*seen))
    everything = union_all(inside, *edges).subquery()
    return select(everything).order_by(everything.c.user_id, everything.c.at, everything.c.id)


def presence_report(
    ctx: ServiceContext, actor: Principal, q: ReportQuery, user_ids: Collection[int] | None = None
) -> PresenceReport:
    """Each visible operator's days in the period with some time logged in (only those
    of `user_ids` if given), cut at local midnight and at the kept hours."""
    period = report_period(ctx, actor, q)
    now = ctx.now().timestamp()
    until = min(period.end.timestamp(), now)
    spans = [(a.timestamp(), b.timestamp()) for a, b in hour_ranges(period, q.filters)]
    cuts = segments(_days(period), spans)
    with ctx.uow() as uow:
        stored = [r.reason for r in uow.pause_reasons.of_company(q.company_id)]
        found = uow.conn.execute(_states(actor, q.company_id, period.start, period.end,
                                         user_ids)).all() if cuts else []  # fmt: skip
    reasons = reasons_by_code(stored or DEFAULT_REASONS)
    limits = {code: r.limit_seconds for code, r in reasons.items()}
    per_user: dict[int, list[Any]] = defaultdict(list)
    for r in found:
        per_user[r.user_id].append(r)
    rows = []
    met: set[str] = set()
    for uid, log in per_user.items():
        changes = [StateChange(r.at, _STATES[r.state], r.reason) for r in log]
        days = presence_by_day(changes, cuts, until, limits, now)
        for day in sorted(days):
            p = days[day]
            met.update(p.pause_time, p.pauses)
            rows.append(PresenceRow(uid, log[0].username, log[0].team or "", day, p))
    rows.sort(key=lambda r: (r.operator, r.day))
    used = [Reason(c, r.label, r.limit_seconds) for c, r in reasons.items() if c in met]
    used += [Reason(c, c) for c in sorted(met - set(reasons) - {NO_REASON})]
    if NO_REASON in met:
        used.append(Reason(NO_REASON, NO_REASON_LABEL))
    return PresenceReport(period, rows, used)


def presence_totals(
    ctx: ServiceContext, actor: Principal, q: ReportQuery, user_ids: Collection[int]
) -> dict[int, DayPresence]:
    """Each of these operators' presence over the whole period (those the actor sees)."""
    out: dict[int, DayPresence] = {}
    for r in presence_report(ctx, actor, q, user_ids).rows:
        out.setdefault(r.user_id, DayPresence()).add(r.presence)
    return out

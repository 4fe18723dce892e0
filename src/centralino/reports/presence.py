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

from sqlalchemy import Float, and_, case, func, literal, or_, select, union_all

from centralino.domain.access import Principal
from centralino.domain.inbound.pauses import DEFAULT_REASONS, reasons_by_code
from centralino.domain.operators import OperatorState
from centralino.domain.presence import (
    NO_REASON,
    DayPresence,
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
MAX_IDS = 500  # operators named in SQL at most (three times: SQLite binds each one)


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


def _seen(actor: Principal, company_id: int, user_ids: Collection[int] | None) -> list[Any]:
    """Conditions on `users` joined to their group: the operators the actor may see."""
    vis = actor.visibility(Permission.STATS_READ)
    seen = [users.c.company_id == company_id, visible(vis, users.c.company_id, groups.c.path)]
    if user_ids is not None and len(user_ids) <= MAX_IDS:
        seen.append(users.c.id.in_(sorted(user_ids)))
    return seen


def _log(start: datetime, end: datetime, company_id: int, seen: list[Any]) -> Any:
    """(user, clock seconds, state, reason, id) of the visible operators' changes in
    [start, end), with the one before each operator's first and the one after their last.
    Only numbers and short codes per row: a month is millions of rows."""
    s = operator_states
    at = seconds_between(literal(EPOCH, UTCDateTime()), s.c.at).label("at")
    cols = [s.c.user_id, at, s.c.state, s.c.reason, s.c.id]
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
    return union_all(inside, *edges).subquery()


def _states(start: datetime, end: datetime, company_id: int, seen: list[Any]) -> Any:
    log = _log(start, end, company_id, seen)
    return select(log).order_by(log.c.user_id, log.c.at, log.c.id)


def _sums(period: Period, until: float, company_id: int, seen: list[Any]) -> Any:
    """Per user, state and reason: the seconds in the period up to `until` and how many
    of those states began in it; each change lasts until the next (`LEAD`), as in
    `domain.presence`, without the cut into days."""
    log = _log(period.start, period.end, company_id, seen)
    after = func.lead(log.c.at).over(partition_by=log.c.user_id, order_by=(log.c.at, log.c.id))
    w = select(log.c.user_id, log.c.at, log.c.state, log.c.reason, after.label("nxt")).subquery()
    start, end = literal(period.start.timestamp(), Float()), literal(until, Float())
    stop = case((or_(w.c.nxt.is_(None), w.c.nxt > end), end), else_=w.c.nxt)
    begin = case((w.c.at < start, start), else_=w.c.at)
    seconds = func.sum(case((stop > begin, stop - begin), else_=0.0))
    began = func.sum(case((and_(w.c.at >= start, w.c.at < end), 1), else_=0))
    return (
        select(w.c.user_id, w.c.state, w.c.reason, seconds.label("seconds"), began.label("n"))
        .where(w.c.state != OperatorState.LOGGED_OUT.value)
        .group_by(w.c.user_id, w.c.state, w.c.reason)
    )


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
    seen = _seen(actor, q.company_id, user_ids)
    with ctx.uow() as uow:
        stored = [r.reason for r in uow.pause_reasons.of_company(q.company_id)]
        names = {
            r.id: (r.username, r.name)
            for r in uow.conn.execute(
                select(users.c.id, users.c.username, groups.c.name)
                .select_from(users.join(groups, groups.c.id == users.c.group_id))
                .where(*seen)
            )
        }
        found = uow.conn.execute(_states(period.start, period.end, q.company_id, seen)).all()
    reasons = reasons_by_code(stored or DEFAULT_REASONS)
    limits = {code: r.limit_seconds for code, r in reasons.items()}
    per_user: dict[int, list[tuple[float, OperatorState, str | None]]] = defaultdict(list)
    for uid, at, state, reason, _ in found:
        per_user[uid].append((at, _STATES[state], reason))
    rows = []
    met: set[str] = set()
    for uid, changes in per_user.items():
        if user_ids is not None and uid not in user_ids:
            continue  # more operators asked for than the SQL filter takes
        days = presence_by_day(changes, cuts, until, limits, now) if cuts else {}
        operator, team = names[uid]
        for day in sorted(days):
            p = days[day]
            met.update(p.pause_time, p.pauses)
            rows.append(PresenceRow(uid, operator, team, day, p))
    rows.sort(key=lambda r: (r.operator, r.day))
    used = [Reason(c, r.label, r.limit_seconds) for c, r in reasons.items() if c in met]
    used += [Reason(c, c) for c in sorted(met - set(reasons) - {NO_REASON})]
    if NO_REASON in met:
        used.append(Reason(NO_REASON, NO_REASON_LABEL))
    return PresenceReport(period, rows, used)


def presence_totals(
    ctx: ServiceContext, actor: Principal, q: ReportQuery, user_ids: Collection[int]
) -> dict[int, DayPresence]:
    """Each of these operators' presence over the whole period (those the actor sees):
    time per state and pause reason, pauses per reason. Without weekday or hour filters
    it is summed in SQL (first login, last logout and pauses over limit are left out);
    with them, the days of `presence_report` are added up."""
    out: dict[int, DayPresence] = {}
    if q.filters.weekdays is not None or q.filters.hours is not None:
        for r in presence_report(ctx, actor, q, user_ids).rows:
            out.setdefault(r.user_id, DayPresence()).add(r.presence)
        return out
    period = report_period(ctx, actor, q)
    until = min(period.end.timestamp(), ctx.now().timestamp())
    if until <= period.start.timestamp():
        return out
    seen = _seen(actor, q.company_id, user_ids)
    with ctx.uow() as uow:
        found = uow.conn.execute(_sums(period, until, q.company_id, seen)).all()
    for uid, state, reason, seconds, began in found:
        if uid not in user_ids or (not seconds and not began):
            continue
        p = out.setdefault(uid, DayPresence())
        st = _STATES[state]
        p.time[st] = p.time.get(st, 0.0) + float(seconds)
        if st is OperatorState.PAUSED:
            why = reason or NO_REASON
            p.pause_time[why] = p.pause_time.get(why, 0.0) + float(seconds)
            p.pauses[why] = p.pauses.get(why, 0) + int(began)
    return out

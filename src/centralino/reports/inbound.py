"""Inbound statistics (IN-8): figures by `kpis.InboundStats`, summed in SQL.

The summaries and the detail per bucket read the hourly roll-up `service_hours`, the
operator reports `call_hours` (the same with the operator in the key) and, for the whole
UTC days of the period, `operator_days` (that by day); all three are kept by
`services.calls.save_calls`, which adds every inbound leg as counted by `InboundStats`
(through `Figures.add`) against its queue's target: one SQL `SUM … GROUP BY` over at most
one row per hour, service, queue and group (and operator), so a month of ten million calls
is read in well under a second. A roll-up hour is a UTC hour, which is a
local hour in every zone whose offsets are whole hours; for a zone with a :30 or :45
offset the reports count the legs themselves, as the received-calls list always does
(each stored leg back into a `CallRecord`, added to the InboundStats of its queue). Rows
of several queues are `InboundStats.combined`. Every report needs stats.read and sees
only the calls of the groups the caller may read statistics of (a call belongs to its
queue's group, as in `services.calls.list_calls`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select, union_all

from centralino.domain.access import Place, Principal, Visibility
from centralino.domain.call_record import CallRecord
from centralino.domain.errors import Forbidden, InvalidInput, NotFound
from centralino.domain.inbound.queues import QueueConfig
from centralino.domain.kpis import InboundStats
from centralino.domain.reports import (
    TALLY,
    Bucket,
    BucketBy,
    BucketRow,
    CallDetailRow,
    Figures,
    Filters,
    OperatorRow,
    Period,
    SummaryRow,
    bucket_of,
    hour_ranges,
    whole_hours,
    whole_utc_days,
)
from centralino.domain.roles import Permission
from centralino.services.calls import LEG_COLUMNS, leg_record
from centralino.services.context import ServiceContext
from centralino.store.repos.scope import visible
from centralino.store.tables import (
    call_hours,
    calls,
    groups,
    operator_days,
    service_hours,
    users,
)

NO_SERVICE = "(no service)"
NO_OPERATOR = "(removed user)"
DEFAULT_TARGET = QueueConfig("default").target_seconds
K = TypeVar("K", bound=Hashable)


@dataclass(slots=True, frozen=True)
class ReportQuery:
    """A company's calls (inbound: by arrival; outbound: attempts by dial) and operator
    presence on the local days `first` … `last`, kept by `filters` (local weekday and hour),
    grouped in `by` buckets where a report has buckets."""

    company_id: int
    first: date
    last: date
    by: BucketBy = BucketBy.HOUR
    filters: Filters = field(default_factory=Filters)


@dataclass(slots=True, frozen=True)
class Leg:
    """A stored inbound leg as a record, with its arrival in the company's zone."""

    record: CallRecord
    local_arrival: datetime


@dataclass(slots=True)
class Calls:
    """What every report starts from: the visible, kept legs and the queues' targets."""

    period: Period
    targets: dict[str, float]
    legs: list[Leg]

    def stats(self, queue: str) -> InboundStats:
        return InboundStats(target_seconds=self.targets.get(queue, DEFAULT_TARGET))


def report_period(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> Period:
    """The period in the company's zone, once the actor may read its statistics (every
    report, inbound or outbound, starts here)."""
    if not actor.has_anywhere(Permission.STATS_READ):
        raise Forbidden("reports need the stats.read permission")
    vis = actor.visibility(Permission.STATS_READ)
    with ctx.uow() as uow:
        company = uow.companies.get(q.company_id)
    if company is None or (not vis.all_companies and vis.company_id != q.company_id):
        raise NotFound(f"company {q.company_id} not found", "company")
    return Period(q.first, q.last, ZoneInfo(company.timezone))


def _scope(
    ctx: ServiceContext, actor: Principal, q: ReportQuery
) -> tuple[Period, dict[str, float], list[str]]:
    """The period in the company's zone, its queues' targets, and for a client user the
    services that serve its client (their calls are the client's whichever queue took
    them), once the actor may read."""
    period = report_period(ctx, actor, q)
    with ctx.uow() as uow:
        targets = {
            row.name: row.config.target_seconds for row in uow.queues.of_company(q.company_id)
        }
        clients = []
        if actor.client_id is not None:
            clients = [
                s.name
                for s in uow.services.of_company(q.company_id)
                if s.client_id == actor.client_id
                and actor.can(Permission.STATS_READ, Place(s.company_id, s.group_path, s.client_id))
            ]
    return period, targets, clients


def _seen(vis: Visibility, table: Any, clients: list[str]) -> ColumnElement[bool]:
    """The rows of the groups the actor reads statistics of, and of its client's services."""
    cond = visible(vis, table.c.company_id, groups.c.path)
    return or_(cond, table.c.service.in_(clients)) if clients else cond


def _legs(
    ctx: ServiceContext, actor: Principal, q: ReportQuery
) -> tuple[Period, dict[str, float], Any]:
    """The period, the queues' targets and the query of the inbound legs of the period
    the actor may see, by arrival, once the actor may read (`_scope`)."""
    period, targets, clients = _scope(ctx, actor, q)
    vis = actor.visibility(Permission.STATS_READ)
    stmt = (
        select(*LEG_COLUMNS, users.c.username)
        .outerjoin(groups, groups.c.id == calls.c.group_id)
        .outerjoin(users, users.c.id == calls.c.user_id)
        .where(
            calls.c.company_id == q.company_id,
            _seen(vis, calls, clients),
            calls.c.direction == "inbound",
            calls.c.arrived_at >= period.start,
            calls.c.arrived_at < period.end,
        )
        .order_by(calls.c.arrived_at, calls.c.id)
    )
    return period, targets, stmt


def _kept(rows: Iterable[Any], period: Period, filters: Filters) -> Iterator[Leg]:
    for r in rows:
        local = r.arrived_at.astimezone(period.tz)
        if filters.keeps(local):
            yield Leg(_record(r), local)


def load_calls(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> Calls:
    """The inbound legs of the period the actor may see, oldest first."""
    period, targets, stmt = _legs(ctx, actor, q)
    with ctx.uow() as uow:
        legs = list(_kept(uow.conn.execute(stmt), period, q.filters))
    return Calls(period, targets, legs)


def legs_of_services(
    ctx: ServiceContext,
    company_id: int,
    start: datetime,
    end: datetime,
    names: Iterable[str],
    ids: tuple[int, int] | None = None,
) -> list[CallRecord]:
    """The company's inbound legs of the services `names` arrived in [start, end), oldest
    first: a trusted read (the caller has decided who may see those services). `ids`
    (after, up to): only the legs stored with an id in (after, up to]."""
    wanted = sorted(set(names))
    if not wanted:
        return []
    stmt = (
        select(*LEG_COLUMNS, users.c.username)
        .outerjoin(users, users.c.id == calls.c.user_id)
        .where(
            calls.c.company_id == company_id,
            calls.c.direction == "inbound",
            calls.c.arrived_at >= start,
            calls.c.arrived_at < end,
            calls.c.service.in_(wanted),
        )
        .order_by(calls.c.arrived_at, calls.c.id)
    )
    if ids is not None:
        stmt = stmt.where(calls.c.id > ids[0], calls.c.id <= ids[1])
    with ctx.uow() as uow:
        return [_record(r) for r in uow.conn.execute(stmt)]


_KEYS = ("service", "queue", "hour", "operator")


@dataclass(slots=True)
class Sums:
    """Roll-up figures summed per key (one row per queue at least): see `sums`."""

    period: Period
    targets: dict[str, float]
    rows: list[Any]

    def figures(self, key: Callable[[Any], K]) -> dict[K, Figures]:
        """Figures per key: each queue's sums with its target, then combined."""
        per: dict[K, list[Figures]] = defaultdict(list)
        n = len(self.rows[0]) - len(TALLY) if self.rows else 0
        for r in self.rows:
            target = self.targets.get(r.queue, DEFAULT_TARGET)
            per[key(r)].append(Figures.of_sums(target, r[n:]))
        return {k: Figures.combined(v) for k, v in per.items()}


def sums(
    ctx: ServiceContext, actor: Principal, q: ReportQuery, keys: list[str], answered: bool = False
) -> Sums | None:
    """The visible roll-up of the period summed per `keys` (among service, queue, hour,
    operator; queue is always one), local hours kept by the filters as UTC spans; only
    operators' rows with answered calls if `answered`. None where a local hour is not a
    UTC hour (a :30 or :45 offset): the roll-up cannot tell those hours apart."""
    period, targets, clients = _scope(ctx, actor, q)
    if not whole_hours(period):
        return None
    vis = actor.visibility(Permission.STATS_READ)
    spans = hour_ranges(period, q.filters)
    # Per operator: `call_hours`, or `operator_days` for the whole UTC days of the spans
    # when no hour is asked for (a month: ~30 rows per operator and service instead of
    # ~720); else the smaller `service_hours` (no operator in its key).
    by_operator = "operator" in keys
    parts: list[tuple[Any, Any, list[tuple[datetime, datetime]]]] = []
    if by_operator and "hour" not in keys:
        days, spans = whole_utc_days(spans)
        parts.append((operator_days, operator_days.c.day, days))
    table = call_hours if by_operator else service_hours
    parts.append((table, table.c.hour, spans))
    # Summed first by the roll-up's own columns (group and user ids), then the few rows
    # left are joined to their group (visibility) and user (name): the joins no longer run
    # once per roll-up row (a month's operator-hours are some 750,000).
    names = ["company_id", "service", "queue", "group_id"]
    names += [k for k in ("hour", "user_id") if k in keys or (k == "user_id" and by_operator)]
    selects = []
    for part, at, ranges in parts:
        if not ranges:
            continue
        inner_keys = [part.c[k] for k in names]
        selects.append(
            select(*inner_keys, *(func.sum(part.c[t]).label(t) for t in TALLY))
            .where(part.c.company_id == q.company_id,
                   or_(*(and_(at >= a, at < b) for a, b in ranges)))
            .group_by(*inner_keys)
        )  # fmt: skip
    if not selects:
        return Sums(period, targets, [])
    inner = (selects[0] if len(selects) == 1 else union_all(*selects)).subquery()
    cols: list[Any] = [
        users.c.username.label("operator") if k == "operator" else inner.c[k]
        for k in _KEYS
        if k in keys or k == "queue"
    ]
    source = inner.outerjoin(groups, groups.c.id == inner.c.group_id)
    if by_operator:
        source = source.outerjoin(users, users.c.id == inner.c.user_id)
    stmt = (
        select(*cols, *(func.sum(inner.c[t]).label(t) for t in TALLY))
        .select_from(source)
        .where(_seen(vis, inner, clients))
        .group_by(*cols)
    )
    if answered:
        stmt = stmt.having(func.sum(inner.c.answered) > 0)
    with ctx.uow() as uow:
        rows = list(uow.conn.execute(stmt))
    return Sums(period, targets, rows)


def _record(r: Any) -> CallRecord:
    operator = r.username
    if operator is None and r.picked_up_at is not None:
        operator = NO_OPERATOR
    return leg_record(r, operator)


def _figures(data: Calls, legs: Iterable[Leg], key: Callable[[Leg], K]) -> dict[K, Figures]:
    """Figures per key: each queue's calls judged against its own target, then combined."""
    per: dict[K, dict[str, Figures]] = defaultdict(dict)
    for leg in legs:
        rec = leg.record
        by_queue = per[key(leg)]
        f = by_queue.get(rec.queue)
        if f is None:
            f = by_queue[rec.queue] = Figures(data.stats(rec.queue))
        f.add(rec)
    return {k: Figures.combined(list(v.values())) for k, v in per.items()}


def _service(leg: Leg) -> str:
    return leg.record.service or NO_SERVICE


def _service_of(row: Any) -> str:
    return row.service or NO_SERVICE


def service_summary(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> list[SummaryRow]:
    """Per service over the period, by name."""
    rolled = sums(ctx, actor, q, ["service"])
    if rolled is not None:
        figs = rolled.figures(_service_of)
    else:
        data = load_calls(ctx, actor, q)
        figs = _figures(data, data.legs, _service)
    return [SummaryRow(k, figs[k]) for k in sorted(figs)]


def queue_summary(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> list[SummaryRow]:
    """Per queue over the period, by name (calls refused before a queue have none: "")."""
    rolled = sums(ctx, actor, q, ["queue"])
    if rolled is not None:
        figs = rolled.figures(lambda r: str(r.queue))
    else:
        data = load_calls(ctx, actor, q)
        figs = _figures(data, data.legs, lambda leg: leg.record.queue)
    return [SummaryRow(k, figs[k]) for k in sorted(figs)]


def service_detail(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> list[BucketRow]:
    """Per service and bucket: every bucket of the period that the filters keep, empty
    ones included, for each service that had calls."""
    rolled = sums(ctx, actor, q, ["service", "hour"])
    if rolled is not None:
        period = rolled.period
        tz = period.tz
        of_hour: dict[datetime, Bucket] = {}

        def bucket(hour: datetime) -> Bucket:
            b = of_hour.get(hour)
            if b is None:
                b = of_hour[hour] = bucket_of(hour, tz, q.by)
            return b

        figs = rolled.figures(lambda r: (_service_of(r), bucket(r.hour)))
    else:
        data = load_calls(ctx, actor, q)
        period = data.period
        tz = period.tz
        figs = _figures(
            data, data.legs, lambda leg: (_service(leg), bucket_of(leg.local_arrival, tz, q.by))
        )
    services = sorted({s for s, _ in figs})
    buckets = [b for b in period.buckets(q.by) if q.filters.keeps_bucket(b, tz, q.by)]
    rows = []
    for s in services:
        for b in buckets:
            f = figs.get((s, b)) or Figures(InboundStats())
            rows.append(BucketRow(s, b, f))
    return rows


def _operator_rows(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> list[OperatorRow]:
    rolled = sums(ctx, actor, q, ["service", "operator"], answered=True)
    if rolled is not None:
        figs = rolled.figures(lambda r: (_service_of(r), r.operator or NO_OPERATOR))
    else:
        data = load_calls(ctx, actor, q)
        answered = [leg for leg in data.legs if leg.record.picked_up_at is not None]
        figs = _figures(data, answered, lambda leg: (_service(leg), leg.record.operator or ""))
    rows = []
    for (service, operator), f in figs.items():
        rows.append(
            OperatorRow(service, operator, f.stats.answered, f.stats.talk, f.average_talk,
                        f.average_wait)
        )  # fmt: skip
    return rows


def operators_per_service(
    ctx: ServiceContext, actor: Principal, q: ReportQuery
) -> list[OperatorRow]:
    """Each service's operators with the calls they answered, by service then operator."""
    rows = _operator_rows(ctx, actor, q)
    return sorted(rows, key=lambda r: (r.service, r.operator))


def services_per_operator(
    ctx: ServiceContext, actor: Principal, q: ReportQuery
) -> list[OperatorRow]:
    """Each operator's services with the calls answered there, by operator then service."""
    rows = _operator_rows(ctx, actor, q)
    return sorted(rows, key=lambda r: (r.operator, r.service))


MAX_LISTED = 1_000_000  # calls in one received-calls list (a worksheet holds 1,048,576 rows)


def received_calls(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> list[CallDetailRow]:
    """Every inbound call of the period, by arrival: at most `MAX_LISTED` in the period
    (counted before the weekday and hour filters), else InvalidInput on "to" with their
    number. For any number, `received_calls_stream`."""
    period, _, stmt = _legs(ctx, actor, q)
    with ctx.uow() as uow:
        count = uow.conn.execute(
            stmt.with_only_columns(func.count(calls.c.id)).order_by(None)
        ).scalar_one()
    if count > MAX_LISTED:
        raise InvalidInput(
            f"the period holds {count:,} calls, more than the received-calls list holds "
            f"({MAX_LISTED:,}): download it as CSV, or choose a shorter period",
            "to",
        )
    return list(_detail_rows(ctx, stmt, period, q.filters))


def received_calls_stream(
    ctx: ServiceContext, actor: Principal, q: ReportQuery
) -> Iterator[CallDetailRow]:
    """`received_calls` without a limit, read in batches as they are consumed (a CSV
    download): the access is checked here, before the first row."""
    period, _, stmt = _legs(ctx, actor, q)
    return _detail_rows(ctx, stmt, period, q.filters)


def _detail_rows(
    ctx: ServiceContext, stmt: Any, period: Period, filters: Filters
) -> Iterator[CallDetailRow]:
    with ctx.uow() as uow:
        result = uow.conn.execution_options(yield_per=5000).execute(stmt)
        for leg in _kept(result, period, filters):
            r = leg.record
            yield CallDetailRow(
                leg.local_arrival, r.service or NO_SERVICE, r.queue, r.number, r.result.value,
                r.refused_reason, r.wait, r.talk, r.operator, r.hangup_cause, r.outcome,
            )  # fmt: skip

"""Inbound statistics from the stored call legs (IN-8): one Core query, figures by
`kpis.InboundStats`.

Each stored leg is turned back into a `CallRecord` and added to the InboundStats of its
queue (with the queue's stored service-level target), so a report counts exactly as the
simulator does; rows of several queues are `InboundStats.combined`. Every report needs
stats.read and sees only the calls of the groups the caller may read statistics of (a
call belongs to its queue's group, as in `services.calls.list_calls`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select

from centralino.domain.access import Principal
from centralino.domain.call_record import CallRecord, CallResult
from centralino.domain.errors import Forbidden, NotFound
from centralino.domain.inbound.queues import QueueConfig
from centralino.domain.kpis import InboundStats
from centralino.domain.reports import (
    BucketBy,
    BucketRow,
    CallDetailRow,
    Figures,
    Filters,
    OperatorRow,
    Period,
    Refusal,
    SummaryRow,
    bucket_of,
    refusal,
)
from centralino.domain.roles import Permission
from centralino.services.context import ServiceContext
from centralino.store.repos.scope import visible
from centralino.store.tables import calls, groups, users

NO_SERVICE = "(no service)"
NO_OPERATOR = "(removed user)"
DEFAULT_TARGET = QueueConfig("default").target_seconds
K = TypeVar("K", bound=Hashable)
_COLUMNS = [
    calls.c[name]
    for name in (
        "id", "call_id", "service", "queue", "number", "result", "refused_reason",
        "hangup_cause", "outcome", "positive", "user_id", "arrived_at", "queued_at",
        "picked_up_at", "ended_at",
    )
]  # fmt: skip


@dataclass(slots=True, frozen=True)
class ReportQuery:
    """A company's inbound calls arrived on the local days `first` … `last`, kept by
    `filters` (local weekday and hour of arrival), grouped in `by` buckets where a report
    has buckets."""

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


def load_calls(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> Calls:
    """The inbound legs of the period the actor may see, oldest first."""
    if not actor.has_anywhere(Permission.STATS_READ):
        raise Forbidden("reports need the stats.read permission")
    vis = actor.visibility(Permission.STATS_READ)
    with ctx.uow() as uow:
        company = uow.companies.get(q.company_id)
        if company is None or (not vis.all_companies and vis.company_id != q.company_id):
            raise NotFound(f"company {q.company_id} not found", "company")
        period = Period(q.first, q.last, ZoneInfo(company.timezone))
        targets = {
            row.name: row.config.target_seconds for row in uow.queues.of_company(q.company_id)
        }
        stmt = (
            select(*_COLUMNS, users.c.username)
            .outerjoin(groups, groups.c.id == calls.c.group_id)
            .outerjoin(users, users.c.id == calls.c.user_id)
            .where(
                calls.c.company_id == q.company_id,
                visible(vis, calls.c.company_id, groups.c.path),
                calls.c.direction == "inbound",
                calls.c.arrived_at >= period.start,
                calls.c.arrived_at < period.end,
            )
            .order_by(calls.c.arrived_at, calls.c.id)
        )
        legs = []
        for r in uow.conn.execute(stmt):
            local = r.arrived_at.astimezone(period.tz)
            if q.filters.keeps(local):
                legs.append(Leg(_record(r), local))
    return Calls(period, targets, legs)


def _seconds(at: datetime | None) -> float | None:
    return None if at is None else at.timestamp()


def _record(r: Any) -> CallRecord:
    operator = r.username
    if operator is None and r.picked_up_at is not None:
        operator = NO_OPERATOR
    return CallRecord(
        r.call_id, "inbound", r.queue, r.number, r.arrived_at.timestamp(),
        queued_at=_seconds(r.queued_at), picked_up_at=_seconds(r.picked_up_at),
        ended_at=_seconds(r.ended_at), hangup_cause=r.hangup_cause,
        result=CallResult(r.result), operator=operator, outcome=r.outcome,
        positive=r.positive, service=r.service, refused_reason=r.refused_reason,
    )  # fmt: skip


def _figures(data: Calls, legs: Iterable[Leg], key: Callable[[Leg], K]) -> dict[K, Figures]:
    """Figures per key: each queue's calls judged against its own target, then combined."""
    per: dict[K, dict[str, Figures]] = defaultdict(dict)
    for leg in legs:
        rec = leg.record
        by_queue = per[key(leg)]
        f = by_queue.get(rec.queue)
        if f is None:
            f = by_queue[rec.queue] = Figures(data.stats(rec.queue))
        f.stats.add(rec)
        if rec.result is CallResult.REFUSED:
            kind = refusal(rec.refused_reason)
            f.refused_closed += kind is Refusal.CLOSED
            f.refused_full += kind is Refusal.QUEUE_FULL
    return {k: Figures.combined(list(v.values())) for k, v in per.items()}


def _service(leg: Leg) -> str:
    return leg.record.service or NO_SERVICE


def service_summary(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> list[SummaryRow]:
    """Per service over the period, by name."""
    data = load_calls(ctx, actor, q)
    figs = _figures(data, data.legs, _service)
    return [SummaryRow(k, figs[k]) for k in sorted(figs)]


def queue_summary(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> list[SummaryRow]:
    """Per queue over the period, by name (calls refused before a queue have none: "")."""
    data = load_calls(ctx, actor, q)
    figs = _figures(data, data.legs, lambda leg: leg.record.queue)
    return [SummaryRow(k, figs[k]) for k in sorted(figs)]


def service_detail(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> list[BucketRow]:
    """Per service and bucket: every bucket of the period that the filters keep, empty
    ones included, for each service that had calls."""
    data = load_calls(ctx, actor, q)
    tz = data.period.tz
    figs = _figures(
        data, data.legs, lambda leg: (_service(leg), bucket_of(leg.local_arrival, tz, q.by))
    )
    services = sorted({s for s, _ in figs})
    buckets = [b for b in data.period.buckets(q.by) if q.filters.keeps_bucket(b, tz, q.by)]
    rows = []
    for s in services:
        for b in buckets:
            f = figs.get((s, b)) or Figures(InboundStats())
            rows.append(BucketRow(s, b, f))
    return rows


def _operator_rows(data: Calls) -> list[OperatorRow]:
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
    rows = _operator_rows(load_calls(ctx, actor, q))
    return sorted(rows, key=lambda r: (r.service, r.operator))


def services_per_operator(
    ctx: ServiceContext, actor: Principal, q: ReportQuery
) -> list[OperatorRow]:
    """Each operator's services with the calls answered there, by operator then service."""
    rows = _operator_rows(load_calls(ctx, actor, q))
    return sorted(rows, key=lambda r: (r.operator, r.service))


def received_calls(ctx: ServiceContext, actor: Principal, q: ReportQuery) -> list[CallDetailRow]:
    """Every inbound call of the period, by arrival."""
    data = load_calls(ctx, actor, q)
    rows = []
    for leg in data.legs:
        r = leg.record
        rows.append(
            CallDetailRow(
                leg.local_arrival, r.service or NO_SERVICE, r.queue, r.number, r.result.value,
                r.refused_reason, r.wait, r.talk, r.operator, r.hangup_cause, r.outcome,
            )
        )  # fmt: skip
    return rows

"""Call legs and operator states: written by the engine in batches, read as statistics.

Reading needs stats.read; a call is seen where its queue's (or campaign's) group is,
an operator state where the operator's group is. A call whose queue or campaign is not
stored belongs to the company's root group.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, MetaData, Table, delete, inspect, select

from centralino.domain.access import Principal
from centralino.domain.call_record import CallRecord, CallResult
from centralino.domain.errors import Forbidden, NotFound
from centralino.domain.inbound.queues import QueueConfig
from centralino.domain.kpis import InboundStats
from centralino.domain.reports import Figures, utc_hour
from centralino.domain.roles import Permission
from centralino.services.context import ServiceContext
from centralino.store.repos.calls import (
    ROLL_UPS,
    CallOwner,
    CallRepo,
    CallRow,
    HourKey,
    StateRow,
    utc,
)
from centralino.store.repos.page import Page
from centralino.store.tables import calls, campaigns, queues, users
from centralino.store.uow import UnitOfWork

P = Permission
DEFAULT_TARGET = QueueConfig("default").target_seconds


def _need_stats(actor: Principal) -> None:
    if not actor.has_anywhere(P.STATS_READ):
        raise Forbidden("reading calls and operator states needs the stats.read permission")


def list_calls(
    ctx: ServiceContext,
    actor: Principal,
    limit: int,
    offset: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    queue: str | None = None,
    service: str | None = None,
    result: str | None = None,
) -> Page[CallRow]:
    _need_stats(actor)
    with ctx.uow() as uow:
        return uow.calls.list(
            actor.visibility(P.STATS_READ), limit, offset, since=since, until=until, queue=queue,
            service=service, result=result,
        )  # fmt: skip


def list_states(
    ctx: ServiceContext,
    actor: Principal,
    limit: int,
    offset: int,
    *,
    user_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[StateRow]:
    _need_stats(actor)
    with ctx.uow() as uow:
        return uow.operator_states.list(
            actor.visibility(P.STATS_READ), limit, offset, user_id=user_id, since=since,
            until=until,
        )  # fmt: skip


def _user_ids(uow: UnitOfWork, company_id: int, names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    rows = uow.conn.execute(
        users.select()
        .with_only_columns(users.c.username, users.c.id)
        .where(users.c.company_id == company_id, users.c.username.in_(sorted(names)))
    )
    return {r.username: r.id for r in rows}


def _groups(
    uow: UnitOfWork, company_id: int, records: Sequence[CallRecord]
) -> tuple[dict[str, int], dict[str, float]]:
    """Owner group of each inbound queue and outbound campaign named by the records, and
    the service-level target of each stored inbound queue."""
    inbound = {r.queue for r in records if r.direction == "inbound"}
    outbound = sorted({r.queue for r in records if r.direction != "inbound"})
    found = uow.queues.by_names(company_id, sorted(inbound))
    targets = {q.name: q.config.target_seconds for q in found.values()}
    out: dict[str, int] = {f"inbound:{q.name}": q.group_id for q in found.values()}
    if outbound:
        rows = uow.conn.execute(
            campaigns.select()
            .with_only_columns(campaigns.c.name, campaigns.c.group_id)
            .where(campaigns.c.company_id == company_id, campaigns.c.name.in_(outbound))
        )
        out.update({f"outbound:{r.name}": r.group_id for r in rows})
    return out, targets


def hour_tallies(
    records: Sequence[tuple[CallRecord, CallOwner]], targets: dict[str, float]
) -> dict[HourKey, dict[str, float | int]]:
    """The inbound legs summed per roll-up key, each counted by `Figures.add` (that is,
    `kpis.InboundStats`) against its queue's target as it is now (20 s if not stored)."""
    per: dict[HourKey, Figures] = {}
    for r, owner in records:
        if r.direction != "inbound":
            continue
        key = (utc_hour(r.arrived_at), (r.service or "")[:120], r.queue[:120], owner.group_id or 0,
               owner.user_id or 0)  # fmt: skip
        f = per.get(key)
        if f is None:
            f = per[key] = Figures(InboundStats(targets.get(r.queue, DEFAULT_TARGET)))
        f.add(r)
    return {k: f.tally() for k, f in per.items()}


# The columns of a stored inbound leg that make it a `CallRecord` again (`leg_record`).
LEG_COLUMNS = [
    calls.c[name]
    for name in (
        "id", "call_id", "service", "queue", "number", "result", "refused_reason",
        "hangup_cause", "outcome", "positive", "user_id", "arrived_at", "queued_at",
        "picked_up_at", "ended_at",
    )
]  # fmt: skip


def leg_record(r: Any, operator: str | None = None) -> CallRecord:
    """A stored inbound leg (a row with `LEG_COLUMNS`) as the record it was stored from,
    with `operator` as its operator's name."""
    return CallRecord(
        r.call_id, "inbound", r.queue, r.number, r.arrived_at.timestamp(),
        queued_at=_seconds(r.queued_at), picked_up_at=_seconds(r.picked_up_at),
        ended_at=_seconds(r.ended_at), hangup_cause=r.hangup_cause,
        result=CallResult(r.result), operator=operator, outcome=r.outcome,
        positive=r.positive, service=r.service, refused_reason=r.refused_reason,
    )  # fmt: skip


def _seconds(at: datetime | None) -> float | None:
    return None if at is None else at.timestamp()


_REFILL_BATCH = 20_000


def refill_roll_ups(conn: Connection) -> None:
    """Count the roll-ups again from the stored inbound legs: those the database has, with
    the figures they have (a migration adding a roll-up or a figure runs this), each leg
    against its queue's current target."""
    have = inspect(conn)
    tables = {
        name: Table(name, MetaData(), autoload_with=conn)
        for name in ROLL_UPS
        if have.has_table(name)
    }
    for t in tables.values():
        conn.execute(delete(t))
    targets: dict[int, dict[str, float]] = {}
    for q in conn.execute(select(queues.c.company_id, queues.c.name, queues.c.settings)):
        target = (q.settings or {}).get("target_seconds", DEFAULT_TARGET)
        targets.setdefault(q.company_id, {})[q.name] = float(target)
    repo, last = CallRepo(conn), 0
    while True:
        rows = conn.execute(
            select(*LEG_COLUMNS, calls.c.company_id, calls.c.group_id)
            .where(calls.c.id > last, calls.c.direction == "inbound")
            .order_by(calls.c.id)
            .limit(_REFILL_BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        per: dict[int, list[tuple[CallRecord, CallOwner]]] = {}
        for r in rows:
            owner = CallOwner(r.group_id, r.user_id)
            per.setdefault(r.company_id, []).append((leg_record(r), owner))
        for company_id, legs in per.items():
            repo.add_hours(company_id, hour_tallies(legs, targets.get(company_id, {})), tables)


def save_calls(uow: UnitOfWork, company_id: int, records: Sequence[CallRecord]) -> int:
    """Store finished call legs of one company in one statement, and add the inbound ones
    to the hourly roll-up `call_hours` in the same transaction (the caller commits).

    The operator is the user of that username in the company (else none)."""
    if not records:
        return 0
    root = uow.groups.root_of(company_id)
    if root is None:
        raise NotFound(f"company {company_id} not found")
    owners, targets = _groups(uow, company_id, records)
    ids = _user_ids(uow, company_id, {r.operator for r in records if r.operator})
    rows = []
    for r in records:
        kind = "inbound" if r.direction == "inbound" else "outbound"
        group = owners.get(f"{kind}:{r.queue}", root.id)
        rows.append((r, CallOwner(group, ids.get(r.operator) if r.operator else None)))
    uow.calls.add_many(company_id, rows)
    uow.calls.add_hours(company_id, hour_tallies(rows, targets))
    return len(rows)


def log_states(
    uow: UnitOfWork,
    company_id: int,
    changes: Sequence[tuple[str, str, str | None, float]],
) -> int:
    """Append operator state changes (username, state, reason, clock seconds), as the
    engine's state listeners report them; operators unknown to the store are skipped."""
    ids = _user_ids(uow, company_id, {c[0] for c in changes})
    rows = []
    for name, state, reason, at in changes:
        if name in ids:
            when = utc(at)
            assert when is not None
            rows.append((ids[name], str(state), reason, when))
    uow.operator_states.append(company_id, rows)
    return len(rows)

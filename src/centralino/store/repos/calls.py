"""Finished call legs (TEL-2, IN-8) and the log of operator states (IN-4).

Both are written by the engine in batches and read by reports; both are append-only."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from centralino.domain.access import Visibility
from centralino.domain.call_record import CallRecord
from centralino.store.repos.page import Page, fetch_page
from centralino.store.repos.scope import visible
from centralino.store.tables import (
    call_hours,
    calls,
    groups,
    operator_days,
    operator_states,
    service_hours,
    users,
)

HourKey = tuple[datetime, str, str, int, int]  # hour UTC, service, queue, group id, user id

_TIMES = (
    "arrived_at", "welcome_at", "answered_at", "queued_at", "ringing_at", "picked_up_at",
    "transferred_at", "ended_at",
)  # fmt: skip


def utc(at: float | None) -> datetime | None:
    """Clock seconds (the engine's time) as a UTC datetime, to the microsecond."""
    return None if at is None else datetime.fromtimestamp(at, UTC)


def _cut(text: str | None, size: int) -> str | None:
    return None if text is None else text[:size]


@dataclass(slots=True, frozen=True)
class StateRow:
    id: int
    company_id: int
    user_id: int
    username: str
    group_id: int
    group_path: str
    state: str
    reason: str | None
    at: datetime


@dataclass(slots=True, frozen=True)
class CallRow:
    """A stored call leg: the record's fields, times as UTC datetimes."""

    id: int
    company_id: int
    group_id: int | None
    group_path: str | None
    call_id: int
    direction: str
    service: str | None
    queue: str
    number: str
    user_id: int | None
    username: str | None
    result: str
    hangup_cause: str | None
    refused_reason: str | None
    outcome: str | None
    positive: bool
    abandon_rule: str | None
    times: dict[str, datetime | None]
    phases: list[tuple[str, str, str]]  # (at ISO UTC, phase, detail)


@dataclass(slots=True, frozen=True)
class CallOwner:
    """Who a record belongs to: its queue's (or campaign's) group and its operator."""

    group_id: int | None
    user_id: int | None


class OperatorStateRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def append(
        self, company_id: int, rows: Sequence[tuple[int, str, str | None, datetime]]
    ) -> None:
        """Log state changes: (user_id, state, reason, at UTC) each."""
        if rows:
            self.conn.execute(
                insert(operator_states),
                [
                    {"company_id": company_id, "user_id": u, "state": s, "reason": r, "at": at}
                    for u, s, r, at in rows
                ],
            )

    def list(
        self,
        vis: Visibility,
        limit: int,
        offset: int,
        *,
        user_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Page[StateRow]:
        """States of users the visibility covers (by the user's group), oldest first."""
        q = (
            select(operator_states, users.c.username, users.c.group_id, groups.c.path)
            .join(users, users.c.id == operator_states.c.user_id)
            .join(groups, groups.c.id == users.c.group_id)
            .where(visible(vis, operator_states.c.company_id, groups.c.path))
        )
        if user_id is not None:
            q = q.where(operator_states.c.user_id == user_id)
        if since is not None:
            q = q.where(operator_states.c.at >= since)
        if until is not None:
            q = q.where(operator_states.c.at < until)
        q = q.order_by(operator_states.c.at, operator_states.c.id)
        rows, total = fetch_page(self.conn, q, limit, offset)
        items = [
            StateRow(
                id=r.id,
                company_id=r.company_id,
                user_id=r.user_id,
                username=r.username,
                group_id=r.group_id,
                group_path=r.path,
                state=r.state,
                reason=r.reason,
                at=r.at,
            )
            for r in rows
        ]
        return Page(items, total, limit, offset)


class CallRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add_many(self, company_id: int, records: Sequence[tuple[CallRecord, CallOwner]]) -> None:
        """Insert finished call legs in one statement."""
        if not records:
            return
        rows: list[dict[str, Any]] = []
        for rec, owner in records:
            row: dict[str, Any] = {t: utc(getattr(rec, t)) for t in _TIMES}
            row.update(
                company_id=company_id,
                group_id=owner.group_id,
                call_id=rec.call_id,
                direction=rec.direction,
                service=_cut(rec.service, 120),
                queue=rec.queue[:120],
                number=rec.number[:32],
                user_id=owner.user_id,
                result=rec.result.value,
                hangup_cause=_cut(rec.hangup_cause, 32),
                refused_reason=_cut(rec.refused_reason, 120),
                outcome=_cut(rec.outcome, 32),
                positive=rec.positive,
                abandon_rule=_cut(rec.abandon_rule, 200),
                phases=[[_iso(at), name, detail] for at, name, detail in rec.phases],
            )
            rows.append(row)
        self.conn.execute(insert(calls), rows)

    def add_hours(
        self,
        company_id: int,
        tallies: dict[HourKey, dict[str, float | int]],
        tables: dict[str, Table] | None = None,
    ) -> None:
        """Add tallies to the roll-ups: `call_hours` per operator, `service_hours` without,
        `operator_days` per operator and UTC day (a new row per key, else the figures
        summed in place). Keys go in sorted order, so two writers lock shared rows in one
        order. `tables`: only these roll-ups, as the database has them (a migration's
        tables, reflected: the figures they lack are left out)."""
        if not tallies:
            return
        per_operator = [
            {
                "company_id": company_id, "hour": k[0], "service": k[1], "queue": k[2],
                "group_id": k[3], "user_id": k[4], **tallies[k],
            }
            for k in sorted(tallies)
        ]  # fmt: skip
        for table, key, fold in _ROLL_UPS:
            if tables is None:
                self._upsert(table, key, fold(per_operator))
            elif table.name in tables:
                have = tables[table.name]
                rows = [{k: v for k, v in r.items() if k in have.c} for r in fold(per_operator)]
                self._upsert(have, key, rows)

    def _upsert(self, table: Table, key: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
        dialect = self.conn.dialect.name
        stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        figures = [c.name for c in table.c if c.name not in key]
        stmt = stmt.on_conflict_do_update(
            index_elements=list(key), set_={f: table.c[f] + stmt.excluded[f] for f in figures}
        )
        self.conn.execute(stmt, rows)

    def list(
        self,
        vis: Visibility,
        limit: int,
        offset: int,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        queue: str | None = None,
        service: str | None = None,
        result: str | None = None,
    ) -> Page[CallRow]:
        """Calls of the groups the visibility covers, by arrival."""
        q = (
            select(calls, groups.c.path, users.c.username)
            .outerjoin(groups, groups.c.id == calls.c.group_id)
            .outerjoin(users, users.c.id == calls.c.user_id)
            .where(visible(vis, calls.c.company_id, groups.c.path))
        )
        if since is not None:
            q = q.where(calls.c.arrived_at >= since)
        if until is not None:
            q = q.where(calls.c.arrived_at < until)
        if queue is not None:
            q = q.where(calls.c.queue == queue)
        if service is not None:
            q = q.where(calls.c.service == service)
        if result is not None:
            q = q.where(calls.c.result == result)
        q = q.order_by(calls.c.arrived_at, calls.c.id)
        rows, total = fetch_page(self.conn, q, limit, offset)
        return Page([_call(r) for r in rows], total, limit, offset)


_HOUR_KEY = ("company_id", "hour", "service", "queue", "group_id", "user_id")
_SERVICE_KEY = _HOUR_KEY[:-1]
_DAY_KEY = ("company_id", "day", *_HOUR_KEY[2:])
_FIGURES = tuple(c.name for c in call_hours.c if c.name not in _HOUR_KEY)


def without_operator(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of `call_hours` summed over their operators: the rows of `service_hours`."""
    return _folded(rows, lambda r: {k: r[k] for k in _SERVICE_KEY})


def by_day(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of `call_hours` (hours aware UTC datetimes) summed per UTC day: the rows of
    `operator_days`, in the order of their first hour."""
    return _folded(
        rows,
        lambda r: {
            "company_id": r["company_id"], "day": r["hour"].replace(hour=0),
            **{k: r[k] for k in _HOUR_KEY[2:]},
        },
    )  # fmt: skip


def _folded(
    rows: Sequence[dict[str, Any]], key_of: Callable[[dict[str, Any]], dict[str, Any]]
) -> list[dict[str, Any]]:
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = key_of(row)
        k = tuple(key.values())
        have = out.get(k)
        if have is None:
            out[k] = {**key, **{f: row[f] for f in _FIGURES}}
        else:
            for f in _FIGURES:
                have[f] += row[f]
    return list(out.values())


_ROLL_UPS: tuple[tuple[Table, tuple[str, ...], Callable[[list[dict[str, Any]]], Any]], ...] = (
    (call_hours, _HOUR_KEY, lambda rows: rows),
    (service_hours, _SERVICE_KEY, without_operator),
    (operator_days, _DAY_KEY, by_day),
)
ROLL_UPS = tuple(t.name for t, _, _ in _ROLL_UPS)


def _iso(at: float) -> str:
    d = utc(at)
    assert d is not None
    return d.isoformat(timespec="milliseconds")


def _call(r: Any) -> CallRow:
    return CallRow(
        id=r.id,
        company_id=r.company_id,
        group_id=r.group_id,
        group_path=r.path,
        call_id=r.call_id,
        direction=r.direction,
        service=r.service,
        queue=r.queue,
        number=r.number,
        user_id=r.user_id,
        username=r.username,
        result=r.result,
        hangup_cause=r.hangup_cause,
        refused_reason=r.refused_reason,
        outcome=r.outcome,
        positive=r.positive,
        abandon_rule=r.abandon_rule,
        times={t: getattr(r, t) for t in _TIMES},
        phases=[(str(p[0]), str(p[1]), str(p[2])) for p in r.phases],
    )

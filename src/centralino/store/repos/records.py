"""A campaign's records and attempts as people browse them: filtered, searched, paged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, literal, or_, select

from centralino.store.repos.page import Page, fetch_page
from centralino.store.tables import attempts, records


@dataclass(slots=True, frozen=True)
class RecordRow:
    id: int
    list_id: int
    phone: str
    name: str | None
    email: str | None
    timezone: str
    priority: int
    state: str
    attempts: int
    next_at: datetime | None
    last_outcome: str | None
    assigned_user_id: int | None
    data: dict[str, Any]


@dataclass(slots=True, frozen=True)
class AttemptRow:
    id: int
    record_id: int
    phone: str
    user_id: int | None
    dial_mode: str
    rule: dict[str, Any]
    started_at: datetime
    answered_at: datetime | None
    connected_at: datetime | None
    ended_at: datetime | None
    outcome: str | None
    abandoned: bool
    hangup_cause: str | None


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class RecordRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def page_records(
        self,
        campaign_id: int,
        limit: int,
        offset: int,
        *,
        states: list[str] | None = None,
        search: str | None = None,
        phone_digits: str | None = None,
    ) -> Page[RecordRow]:
        """Records in import order; `search` matches part of the name (case-insensitive),
        `phone_digits` a run of digits anywhere in the number; either is enough."""
        r = records
        q = select(
            r.c.id, r.c.list_id, r.c.phone, r.c.name, r.c.email, r.c.timezone, r.c.priority,
            r.c.state, r.c.attempts, r.c.next_at, r.c.last_outcome, r.c.assigned_user_id,
            r.c.data,
        ).where(r.c.campaign_id == campaign_id)  # fmt: skip
        if states:
            q = q.where(r.c.state.in_(states))
        found = []
        if search:
            pattern = f"%{_like_escape(search.casefold())}%"
            found.append(func.lower(r.c.name).like(pattern, escape="\\"))
        if phone_digits:
            found.append(r.c.phone.like(f"%{phone_digits}%"))
        if found:
            q = q.where(or_(*found))
        rows, total = fetch_page(self.conn, q.order_by(r.c.id), limit, offset)
        items = [
            RecordRow(
                id=x.id,
                list_id=x.list_id,
                phone=x.phone,
                name=x.name,
                email=x.email,
                timezone=x.timezone,
                priority=x.priority,
                state=x.state,
                attempts=x.attempts,
                next_at=x.next_at,
                last_outcome=x.last_outcome,
                assigned_user_id=x.assigned_user_id,
                data=dict(x.data or {}),
            )
            for x in rows
        ]
        return Page(items, total, limit, offset)

    def page_attempts(
        self,
        campaign_id: int,
        limit: int,
        offset: int,
        *,
        record_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Page[AttemptRow]:
        """Attempts newest first."""
        a = attempts
        q = select(a).where(a.c.campaign_id == campaign_id)
        if record_id is not None:
            q = q.where(a.c.record_id == record_id)
        if since is not None:
            q = q.where(a.c.started_at >= since)
        if until is not None:
            q = q.where(a.c.started_at < until)
        q = q.order_by(a.c.started_at.desc(), a.c.id.desc())
        rows, total = fetch_page(self.conn, q, limit, offset)
        items = [
            AttemptRow(
                id=x.id,
                record_id=x.record_id,
                phone=x.phone,
                user_id=x.user_id,
                dial_mode=x.dial_mode,
                rule=dict(x.rule or {}),
                started_at=x.started_at,
                answered_at=x.answered_at,
                connected_at=x.connected_at,
                ended_at=x.ended_at,
                outcome=x.outcome,
                abandoned=bool(x.abandoned),
                hangup_cause=x.hangup_cause,
            )
            for x in rows
        ]
        return Page(items, total, limit, offset)

    def state_counts(self, campaign_id: int) -> dict[str, int]:
        """How many records of the campaign are in each state (one grouped query)."""
        rows = self.conn.execute(
            select(records.c.state, func.count())
            .where(records.c.campaign_id == campaign_id)
            .group_by(records.c.state)
        ).all()
        return {str(state): int(n) for state, n in rows}

    def attempt_totals(
        self, campaign_id: int, since: datetime, positive: Sequence[str]
    ) -> dict[str, int]:
        """Attempts since a time: dialed, answered, abandoned, positive (one query)."""
        answered = func.coalesce(
            func.sum(case((attempts.c.answered_at.is_not(None), 1), else_=0)), 0
        )
        abandoned = func.coalesce(func.sum(case((attempts.c.abandoned.is_(True), 1), else_=0)), 0)
        pos = (
            func.coalesce(func.sum(case((attempts.c.outcome.in_(list(positive)), 1), else_=0)), 0)
            if positive
            else literal(0)
        )
        row = self.conn.execute(
            select(func.count(), answered, abandoned, pos).where(
                attempts.c.campaign_id == campaign_id, attempts.c.started_at >= since
            )
        ).one()
        return {
            "attempts": int(row[0]), "answered": int(row[1]), "abandoned": int(row[2]),
            "positives": int(row[3]),
        }  # fmt: skip

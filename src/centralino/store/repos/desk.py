"""What the operator panel reads about contacts and about the operator's own day: a
record with its list, its attempts and callbacks; the calls and records of a number; the
records an operator may pick by hand; one operator's calls, attempts and states."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, or_, select, update
from sqlalchemy.orm import aliased

from centralino.domain.access import Visibility
from centralino.store.repos.scope import visible
from centralino.store.tables import (
    attempts,
    callbacks,
    calls,
    contact_lists,
    groups,
    import_jobs,
    operator_states,
    outcomes,
    records,
    users,
)

HISTORY = 100  # attempts and callbacks shown per record, newest first


@dataclass(slots=True, frozen=True)
class Contact:
    id: int
    campaign_id: int
    list_id: int
    list_name: str
    columns: list[str]  # the file's columns in its order
    phone_columns: list[str]  # the columns read as phone numbers (not kept in `data`)
    phone: str
    phone_raw: str
    name: str | None
    email: str | None
    timezone: str
    state: str
    attempts: int
    next_at: datetime | None
    last_outcome: str | None
    data: dict[str, Any]


@dataclass(slots=True, frozen=True)
class Pick:
    """A record in the manual list: due callback first (with its time and notes)."""

    id: int
    phone: str
    name: str | None
    state: str
    attempts: int
    next_at: datetime | None
    callback_due_at: datetime | None
    callback_user_id: int | None
    callback_notes: str | None


def _contact(r: Any) -> Contact:
    return Contact(
        id=r.id, campaign_id=r.campaign_id, list_id=r.list_id, list_name=r.list_name,
        columns=[str(c) for c in (r.columns or [])], phone_columns=_phones(r.mapping),
        phone=r.phone, phone_raw=r.phone_raw, name=r.name,
        email=r.email, timezone=r.timezone, state=r.state, attempts=r.attempts,
        next_at=r.next_at, last_outcome=r.last_outcome, data=dict(r.data or {}),
    )  # fmt: skip


def _phones(mapping: Any) -> list[str]:
    """The phone columns of an import job's mapping (`{"columns": {"phone": [...]}}`)."""
    columns = mapping.get("columns") if isinstance(mapping, dict) else None
    phones = columns.get("phone") if isinstance(columns, dict) else None
    return [str(p) for p in phones] if isinstance(phones, list) else []


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class DeskRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _contacts(self) -> Any:
        r = records
        job = (
            select(import_jobs.c.mapping)
            .where(import_jobs.c.list_id == r.c.list_id)
            .order_by(import_jobs.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        return select(
            r.c.id, r.c.campaign_id, r.c.list_id, contact_lists.c.name.label("list_name"),
            contact_lists.c.columns, job.label("mapping"), r.c.phone, r.c.phone_raw, r.c.name,
            r.c.email, r.c.timezone, r.c.state, r.c.attempts, r.c.next_at, r.c.last_outcome,
            r.c.data,
        ).join(contact_lists, contact_lists.c.id == r.c.list_id)  # fmt: skip

    def contact(self, record_id: int) -> Contact | None:
        row = self.conn.execute(self._contacts().where(records.c.id == record_id)).first()
        return _contact(row) if row else None

    def contacts_by_phone(self, campaign_ids: Sequence[int], phone: str) -> list[Contact]:
        if not campaign_ids:
            return []
        q = self._contacts().where(
            records.c.campaign_id.in_(list(campaign_ids)), records.c.phone == phone
        )
        return [_contact(r) for r in self.conn.execute(q.order_by(records.c.id).limit(20))]

    def attempts_of(self, record_id: int) -> list[Any]:
        """Attempts newest first, with the operator's name and the outcome's label."""
        a = attempts
        q = (
            select(
                a.c.id,
                a.c.started_at,
                a.c.answered_at,
                a.c.connected_at,
                a.c.ended_at,
                a.c.outcome,
                a.c.notes,
                a.c.hangup_cause,
                a.c.abandoned,
                a.c.dial_mode,
                users.c.display_name,
                outcomes.c.label,
                outcomes.c.kind,
            )
            .outerjoin(users, users.c.id == a.c.user_id)
            .outerjoin(
                outcomes,
                and_(outcomes.c.campaign_id == a.c.campaign_id, outcomes.c.code == a.c.outcome),
            )
            .where(a.c.record_id == record_id)
            .order_by(a.c.started_at.desc(), a.c.id.desc())
            .limit(HISTORY)
        )
        return list(self.conn.execute(q))

    def callbacks_of(self, record_id: int) -> list[Any]:
        """Every callback of the record, newest first, with who it is for and who booked."""
        booker = aliased(users)
        q = (
            select(
                callbacks.c.id,
                callbacks.c.due_at,
                callbacks.c.scope,
                callbacks.c.user_id,
                callbacks.c.notes,
                callbacks.c.done_at,
                callbacks.c.created_at,
                users.c.display_name,
                booker.c.display_name.label("booked_by"),
            )
            .outerjoin(users, users.c.id == callbacks.c.user_id)
            .outerjoin(booker, booker.c.id == callbacks.c.created_by)
            .where(callbacks.c.record_id == record_id)
            .order_by(callbacks.c.created_at.desc(), callbacks.c.id.desc())
            .limit(HISTORY)
        )
        return list(self.conn.execute(q))

    def calls_of_number(self, vis: Visibility, number: str, since: datetime) -> list[Any]:
        """Stored calls with that number since a time, newest first, seen where their queue's
        or campaign's group is."""
        q = (
            select(
                calls.c.id,
                calls.c.direction,
                calls.c.service,
                calls.c.queue,
                calls.c.result,
                calls.c.outcome,
                calls.c.arrived_at,
                calls.c.picked_up_at,
                calls.c.ended_at,
                users.c.display_name,
            )
            .join(groups, groups.c.id == calls.c.group_id)
            .outerjoin(users, users.c.id == calls.c.user_id)
            .where(
                calls.c.number == number,
                calls.c.arrived_at >= since,
                visible(vis, calls.c.company_id, groups.c.path),
            )
            .order_by(calls.c.arrived_at.desc())
            .limit(HISTORY)
        )
        return list(self.conn.execute(q))

    def picks(
        self,
        campaign_id: int,
        user_id: int,
        now: datetime,
        limit: int,
        *,
        search: str | None = None,
        phone_digits: str | None = None,
    ) -> list[Pick]:
        """Records the operator may dial now: due callbacks for them or anyone first (the
        earliest first), then the dialable records due now, by priority."""
        cb = (
            select(
                callbacks.c.record_id,
                func.min(callbacks.c.due_at).label("due_at"),
                func.min(callbacks.c.user_id).label("user_id"),
                func.min(callbacks.c.notes).label("notes"),
            )
            .where(callbacks.c.campaign_id == campaign_id, callbacks.c.done_at.is_(None))
            .group_by(callbacks.c.record_id)
            .subquery()
        )
        r = records
        due_callback = and_(cb.c.due_at.is_not(None), cb.c.due_at <= now)
        q = (
            select(
                r.c.id,
                r.c.phone,
                r.c.name,
                r.c.state,
                r.c.attempts,
                r.c.next_at,
                cb.c.due_at,
                cb.c.user_id,
                cb.c.notes,
            )
            .join(contact_lists, contact_lists.c.id == r.c.list_id)
            .outerjoin(cb, cb.c.record_id == r.c.id)
            .where(
                r.c.campaign_id == campaign_id,
                contact_lists.c.is_active.is_(True),
                r.c.state.in_(["new", "scheduled", "callback"]),
                or_(r.c.next_at.is_(None), r.c.next_at <= now),
                or_(r.c.locked_until.is_(None), r.c.locked_until < now),
                or_(cb.c.user_id.is_(None), cb.c.user_id == user_id),
            )
            .order_by(
                ~due_callback,
                cb.c.due_at,
                contact_lists.c.priority.desc(),
                r.c.priority.desc(),
                r.c.next_at,
                r.c.id,
            )
            .limit(limit)
        )
        found = []
        if search:
            pattern = f"%{_like_escape(search.casefold())}%"
            found.append(func.lower(r.c.name).like(pattern, escape="\\"))
        if phone_digits:
            found.append(r.c.phone.like(f"%{phone_digits}%"))
        if found:
            q = q.where(or_(*found))
        return [
            Pick(
                x.id,
                x.phone,
                x.name,
                x.state,
                x.attempts,
                x.next_at,
                x.due_at if x.due_at is not None and x.due_at <= now else None,
                x.user_id,
                x.notes,
            )
            for x in self.conn.execute(q)
        ]

    def drop_attempt(self, attempt_id: int) -> None:
        """An attempt opened for a record that was never dialed (a skipped preview)."""
        self.conn.execute(
            delete(attempts).where(attempts.c.id == attempt_id, attempts.c.ended_at.is_(None))
        )

    def release(self, record_id: int, token: str, state: str, next_at: datetime) -> bool:
        """Give a leased record back undialed: no attempt counted."""
        done = self.conn.execute(
            update(records)
            .where(records.c.id == record_id, records.c.lock_token == token)
            .values(state=state, next_at=next_at, lock_token=None, locked_until=None)
        ).rowcount
        return bool(done)

    # --- my day ---

    def my_calls(self, user_id: int, since: datetime) -> list[Any]:
        q = select(
            calls.c.direction, calls.c.result, calls.c.outcome, calls.c.picked_up_at,
            calls.c.ended_at,
        ).where(calls.c.user_id == user_id, calls.c.arrived_at >= since)  # fmt: skip
        return list(self.conn.execute(q))

    def my_outcomes(self, user_id: int, since: datetime) -> list[Any]:
        """My attempts closed since a time, with their outcome's label (operators' outcomes
        only: the network's results are not mine)."""
        a = attempts
        q = (
            select(a.c.outcome, outcomes.c.label, outcomes.c.kind)
            .outerjoin(
                outcomes,
                and_(outcomes.c.campaign_id == a.c.campaign_id, outcomes.c.code == a.c.outcome),
            )
            .where(a.c.user_id == user_id, a.c.ended_at >= since, a.c.connected_at.is_not(None))
        )
        return list(self.conn.execute(q))

    def my_states(self, user_id: int, since: datetime) -> list[Any]:
        """My state changes since a time, and the last one before it (the day's first
        state began then)."""
        s = operator_states
        before = self.conn.execute(
            select(s.c.state, s.c.reason, s.c.at)
            .where(s.c.user_id == user_id, s.c.at < since)
            .order_by(s.c.at.desc(), s.c.id.desc())
            .limit(1)
        ).all()
        after = self.conn.execute(
            select(s.c.state, s.c.reason, s.c.at)
            .where(s.c.user_id == user_id, s.c.at >= since)
            .order_by(s.c.at, s.c.id)
        ).all()
        return [*before, *after]

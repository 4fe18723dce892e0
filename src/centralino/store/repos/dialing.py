"""Records as the dialer sees them: candidates, leases, attempts, outcomes.

A record being dialed carries a lease (`lock_token`, `locked_until`) written in the same
transaction that opens its attempt, so no two dialers, and no dialer after a restart,
can dial it again while the lease runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, true, update

from centralino.domain.outbound.outcomes import RecordState
from centralino.domain.outbound.selection import Candidate
from centralino.store.repos.dnc import DncRepo
from centralino.store.tables import attempts, callbacks, contact_lists, records

DIALABLE = [s.value for s in RecordState if s.dialable]


class DialingRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def candidates(
        self, campaign_id: int, now: datetime, limit: int, record_id: int | None = None
    ) -> list[Candidate]:
        """Dialable records due now, with their open callback and last abandon, best first
        (`record_id`: that record only, as an operator picks it by hand)."""
        cb = (
            select(
                callbacks.c.record_id,
                func.min(callbacks.c.due_at).label("due_at"),
                func.min(callbacks.c.user_id).label("user_id"),
            )
            .where(callbacks.c.campaign_id == campaign_id, callbacks.c.done_at.is_(None))
            .group_by(callbacks.c.record_id)
            .subquery()
        )
        ab = (
            select(attempts.c.record_id, func.max(attempts.c.started_at).label("at"))
            .where(attempts.c.campaign_id == campaign_id, attempts.c.abandoned.is_(True))
            .group_by(attempts.c.record_id)
            .subquery()
        )
        q = (
            select(
                records.c.id,
                records.c.phone,
                records.c.timezone,
                records.c.priority,
                records.c.next_at,
                records.c.attempts,
                contact_lists.c.priority.label("lp"),
                cb.c.due_at,
                cb.c.user_id,
                ab.c.at,
            )
            .join(contact_lists, contact_lists.c.id == records.c.list_id)
            .outerjoin(cb, cb.c.record_id == records.c.id)
            .outerjoin(ab, ab.c.record_id == records.c.id)
            .where(
                records.c.campaign_id == campaign_id,
                contact_lists.c.is_active.is_(True),
                records.c.state.in_(DIALABLE),
                or_(records.c.next_at.is_(None), records.c.next_at <= now),
                or_(records.c.locked_until.is_(None), records.c.locked_until < now),
                true() if record_id is None else records.c.id == record_id,
            )
            .order_by(
                cb.c.due_at.is_(None),
                contact_lists.c.priority.desc(),
                records.c.priority.desc(),
                records.c.next_at,
                records.c.id,
            )
            .limit(limit)
        )
        return [
            Candidate(
                record_id=r.id,
                phone=r.phone,
                timezone=r.timezone,
                priority=r.priority,
                list_priority=r.lp,
                next_at=r.next_at,
                attempts=r.attempts,
                callback_due_at=r.due_at,
                callback_user_id=r.user_id,
                last_abandoned_at=r.at,
            )
            for r in self.conn.execute(q).all()
        ]

    def blocked(self, company_id: int, campaign_id: int, phones: Iterable[str]) -> set[str]:
        return DncRepo(self.conn).blocked(company_id, campaign_id, phones)

    def reschedule(self, record_id: int, next_at: datetime | None, state: RecordState) -> None:
        self.conn.execute(
            update(records)
            .where(records.c.id == record_id)
            .values(next_at=next_at, state=state.value)
        )

    def lease(self, record_id: int, token: str, until: datetime, now: datetime) -> bool:
        """Take the record for dialing; False if someone else holds it (compare-and-set)."""
        done = self.conn.execute(
            update(records)
            .where(
                records.c.id == record_id,
                records.c.state.in_(DIALABLE),
                or_(records.c.locked_until.is_(None), records.c.locked_until < now),
            )
            .values(lock_token=token, locked_until=until, state=RecordState.DIALING.value)
        ).rowcount
        return bool(done)

    def open_attempt(
        self,
        campaign_id: int,
        record_id: int,
        phone: str,
        dial_mode: str,
        rule: dict[str, Any],
        now: datetime,
        user_id: int | None,
    ) -> int:
        return int(
            self.conn.execute(
                insert(attempts)
                .values(
                    campaign_id=campaign_id,
                    record_id=record_id,
                    user_id=user_id,
                    phone=phone,
                    dial_mode=dial_mode,
                    rule=rule,
                    started_at=now,
                    abandoned=False,
                )
                .returning(attempts.c.id)
            ).scalar_one()
        )

    def attempt(self, attempt_id: int) -> Any:
        return self.conn.execute(select(attempts).where(attempts.c.id == attempt_id)).first()

    def record(self, record_id: int) -> Any:
        return self.conn.execute(select(records).where(records.c.id == record_id)).first()

    def mark_answered(self, attempt_id: int, at: datetime) -> None:
        self.conn.execute(
            update(attempts).where(attempts.c.id == attempt_id).values(answered_at=at)
        )

    def mark_connected(self, attempt_id: int, at: datetime, user_id: int) -> None:
        self.conn.execute(
            update(attempts)
            .where(attempts.c.id == attempt_id)
            .values(connected_at=at, user_id=user_id)
        )

    def close_attempt(
        self,
        attempt_id: int,
        now: datetime,
        outcome: str,
        abandoned: bool,
        cause: str | None,
        notes: str | None,
        user_id: int | None,
    ) -> None:
        values: dict[str, Any] = {
            "ended_at": now,
            "outcome": outcome,
            "abandoned": abandoned,
            "hangup_cause": cause,
            "notes": notes,
        }
        if user_id is not None:
            values["user_id"] = user_id
        self.conn.execute(
            update(attempts)
            .where(attempts.c.id == attempt_id, attempts.c.ended_at.is_(None))
            .values(**values)
        )

    def settle_record(
        self,
        record_id: int,
        token: str | None,
        state: RecordState,
        next_at: datetime | None,
        outcome: str,
    ) -> None:
        conds = [records.c.id == record_id]
        if token is not None:
            conds.append(records.c.lock_token == token)
        self.conn.execute(
            update(records)
            .where(and_(*conds))
            .values(
                state=state.value,
                next_at=next_at,
                last_outcome=outcome,
                attempts=records.c.attempts + 1,
                lock_token=None,
                locked_until=None,
            )
        )

    def add_dnc(
        self, company_id: int, campaign_id: int | None, phone: str, source: str, now: datetime
    ) -> None:
        DncRepo(self.conn).add(company_id, campaign_id, phone, source, now)

    def interrupted(self, now: datetime, *, leased_too: bool = False) -> list[Any]:
        """Attempts still open whose record lease has run out (or all open attempts, when
        the caller knows it is the only dialer): the process died mid-call."""
        q = (
            select(attempts.c.id, attempts.c.record_id, records.c.lock_token)
            .join(records, records.c.id == attempts.c.record_id)
            .where(attempts.c.ended_at.is_(None))
        )
        if not leased_too:
            q = q.where(records.c.state == RecordState.DIALING.value, records.c.locked_until < now)
        return list(self.conn.execute(q).all())

    def abandon_counts(self, campaign_id: int, since: datetime | None) -> tuple[int, int]:
        """(answered, abandoned) attempts of a campaign since a time (None: ever)."""
        q = select(
            func.count(attempts.c.answered_at),
            func.count().filter(attempts.c.abandoned.is_(True)),
        ).where(attempts.c.campaign_id == campaign_id)
        if since is not None:
            q = q.where(attempts.c.started_at >= since)
        answered, abandoned = self.conn.execute(q).one()
        return int(answered), int(abandoned)

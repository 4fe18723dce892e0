"""Callbacks in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from centralino.domain.outbound.callbacks import Callback, CallbackScope
from centralino.store.tables import callbacks


def _callback(r: Any) -> Callback:
    return Callback(
        id=r.id,
        campaign_id=r.campaign_id,
        record_id=r.record_id,
        due_at=r.due_at,
        scope=CallbackScope(r.scope),
        user_id=r.user_id,
        notes=r.notes,
        created_by=r.created_by,
        created_at=r.created_at,
        done_at=r.done_at,
    )


class CallbackRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, cb: Callback) -> int:
        return int(
            self.conn.execute(
                insert(callbacks)
                .values(
                    campaign_id=cb.campaign_id,
                    record_id=cb.record_id,
                    due_at=cb.due_at,
                    scope=cb.scope.value,
                    user_id=cb.user_id,
                    notes=cb.notes,
                    created_by=cb.created_by,
                    created_at=cb.created_at,
                )
                .returning(callbacks.c.id)
            ).scalar_one()
        )

    def get(self, callback_id: int) -> Callback | None:
        r = self.conn.execute(select(callbacks).where(callbacks.c.id == callback_id)).first()
        return _callback(r) if r else None

    def open_for_record(self, record_id: int) -> list[Callback]:
        rows = self.conn.execute(
            select(callbacks).where(
                callbacks.c.record_id == record_id, callbacks.c.done_at.is_(None)
            )
        ).all()
        return [_callback(r) for r in rows]

    def pending(
        self,
        campaign_id: int,
        due_before: datetime | None = None,
        user_id: int | None = None,
        limit: int = 500,
    ) -> list[Callback]:
        q = select(callbacks).where(
            callbacks.c.campaign_id == campaign_id, callbacks.c.done_at.is_(None)
        )
        if due_before is not None:
            q = q.where(callbacks.c.due_at <= due_before)
        if user_id is not None:
            q = q.where(or_(callbacks.c.user_id == user_id, callbacks.c.user_id.is_(None)))
        rows = self.conn.execute(q.order_by(callbacks.c.due_at, callbacks.c.id).limit(limit)).all()
        return [_callback(r) for r in rows]

    def reassign(
        self, callback_id: int, user_id: int | None, scope: CallbackScope, due_at: datetime
    ) -> None:
        self.conn.execute(
            update(callbacks)
            .where(callbacks.c.id == callback_id)
            .values(user_id=user_id, scope=scope.value, due_at=due_at)
        )

    def close(self, callback_id: int, now: datetime) -> None:
        self.conn.execute(
            update(callbacks)
            .where(callbacks.c.id == callback_id, callbacks.c.done_at.is_(None))
            .values(done_at=now)
        )


def record_campaign(conn: Connection, record_id: int) -> int | None:
    """The campaign a record belongs to (records are owned by the import slice)."""
    from centralino.store.tables import records

    value = conn.execute(select(records.c.campaign_id).where(records.c.id == record_id)).scalar()
    return int(value) if value is not None else None

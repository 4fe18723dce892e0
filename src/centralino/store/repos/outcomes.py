"""Outcome definitions per campaign, with their retry rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from centralino.domain.outbound.outcomes import Outcome, OutcomeKind
from centralino.store.tables import outcomes


def _outcome(r: Any) -> Outcome:
    return Outcome(
        code=r.code,
        label=r.label,
        kind=OutcomeKind(r.kind),
        is_system=r.is_system,
        retry_delay=timedelta(seconds=r.retry_delay_seconds) if r.retry_delay_seconds else None,
        max_attempts=r.max_attempts,
        final=r.final,
        block_number=r.block_number,
        needs_date=r.kind == OutcomeKind.CALLBACK.value,
    )


def _values(o: Outcome) -> dict[str, Any]:
    return {
        "code": o.code,
        "label": o.label,
        "kind": o.kind.value,
        "is_system": o.is_system,
        "retry_delay_seconds": int(o.retry_delay.total_seconds()) if o.retry_delay else None,
        "max_attempts": o.max_attempts,
        "final": o.final,
        "block_number": o.block_number,
    }


class OutcomeRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def for_campaign(self, campaign_id: int) -> list[Outcome]:
        rows = self.conn.execute(
            select(outcomes)
            .where(outcomes.c.campaign_id == campaign_id)
            .order_by(outcomes.c.position, outcomes.c.id)
        ).all()
        return [_outcome(r) for r in rows]

    def get(self, campaign_id: int, code: str) -> Outcome | None:
        r = self.conn.execute(
            select(outcomes).where(outcomes.c.campaign_id == campaign_id, outcomes.c.code == code)
        ).first()
        return _outcome(r) if r else None

    def add(self, campaign_id: int, o: Outcome) -> None:
        pos = self.conn.execute(
            select(func.coalesce(func.max(outcomes.c.position), 0)).where(
                outcomes.c.campaign_id == campaign_id
            )
        ).scalar_one()
        self.conn.execute(
            insert(outcomes).values(campaign_id=campaign_id, position=int(pos) + 1, **_values(o))
        )

    def update(self, campaign_id: int, o: Outcome) -> None:
        self.conn.execute(
            update(outcomes)
            .where(outcomes.c.campaign_id == campaign_id, outcomes.c.code == o.code)
            .values(**_values(o))
        )

    def delete(self, campaign_id: int, code: str) -> None:
        self.conn.execute(
            delete(outcomes).where(outcomes.c.campaign_id == campaign_id, outcomes.c.code == code)
        )

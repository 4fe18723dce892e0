"""Pause reasons of a company (IN-4): code, label, time limit, 626 screen break."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from centralino.domain.inbound.pauses import PauseReason
from centralino.store.repos.page import Page, fetch_page
from centralino.store.tables import pause_reasons


@dataclass(slots=True, frozen=True)
class PauseReasonRow:
    id: int
    company_id: int
    reason: PauseReason


def _row(r: Any) -> PauseReasonRow:
    return PauseReasonRow(
        r.id, r.company_id, PauseReason(r.code, r.label, r.limit_seconds, r.screen_break)
    )


def _values(reason: PauseReason) -> dict[str, Any]:
    return {
        "code": reason.code,
        "label": reason.label,
        "limit_seconds": reason.limit_seconds,
        "screen_break": reason.screen_break,
    }


class PauseReasonRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def any(self, company_id: int) -> bool:
        return (
            self.conn.execute(
                select(pause_reasons.c.id).where(pause_reasons.c.company_id == company_id).limit(1)
            ).first()
            is not None
        )

    def add(self, company_id: int, reason: PauseReason) -> int:
        return int(
            self.conn.execute(
                insert(pause_reasons)
                .values(company_id=company_id, **_values(reason))
                .returning(pause_reasons.c.id)
            ).scalar_one()
        )

    def seed(self, company_id: int, reasons: Iterable[PauseReason]) -> None:
        """Add the reasons whose code the company lacks (two first readers at once are fine)."""
        rows = [{"company_id": company_id, **_values(r)} for r in reasons]
        if not rows:
            return
        ins = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        self.conn.execute(ins(pause_reasons).on_conflict_do_nothing(), rows)

    def get(self, reason_id: int) -> PauseReasonRow | None:
        r = self.conn.execute(select(pause_reasons).where(pause_reasons.c.id == reason_id)).first()
        return _row(r) if r else None

    def by_code(self, company_id: int, code: str) -> PauseReasonRow | None:
        r = self.conn.execute(
            select(pause_reasons).where(
                pause_reasons.c.company_id == company_id, pause_reasons.c.code == code
            )
        ).first()
        return _row(r) if r else None

    def of_company(self, company_id: int) -> list[PauseReasonRow]:
        rows = self.conn.execute(
            select(pause_reasons)
            .where(pause_reasons.c.company_id == company_id)
            .order_by(pause_reasons.c.id)
        ).all()
        return [_row(r) for r in rows]

    def list(self, company_id: int, limit: int, offset: int) -> Page[PauseReasonRow]:
        q = (
            select(pause_reasons)
            .where(pause_reasons.c.company_id == company_id)
            .order_by(pause_reasons.c.id)
        )
        rows, total = fetch_page(self.conn, q, limit, offset)
        return Page([_row(r) for r in rows], total, limit, offset)

    def update(self, reason_id: int, reason: PauseReason) -> None:
        self.conn.execute(
            update(pause_reasons).where(pause_reasons.c.id == reason_id).values(**_values(reason))
        )

    def delete(self, reason_id: int) -> None:
        self.conn.execute(delete(pause_reasons).where(pause_reasons.c.id == reason_id))

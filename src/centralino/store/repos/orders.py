"""OUT-7: campaigns' order forms and the orders taken on calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from centralino.domain.access import Visibility
from centralino.domain.orders import OrderForm
from centralino.store.repos.scope import visible
from centralino.store.tables import campaigns, groups, order_forms, orders


@dataclass(slots=True, frozen=True)
class OrderRow:
    id: int
    company_id: int
    campaign_id: int
    user_id: int | None
    attempt_id: int | None
    record_id: int | None
    call_id: int
    number: str
    values: dict[str, Any]
    recording: str | None
    recording_seconds: float | None
    created_at: datetime
    updated_at: datetime


_COLUMNS = [orders.c[name] for name in OrderRow.__dataclass_fields__]


class OrderRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # --- forms ---

    def form(self, campaign_id: int) -> OrderForm | None:
        data = self.conn.execute(
            select(order_forms.c.fields).where(order_forms.c.campaign_id == campaign_id)
        ).scalar_one_or_none()
        return None if data is None else OrderForm.from_json(data)

    def put_form(self, campaign_id: int, company_id: int, form: OrderForm, now: datetime) -> None:
        values = {"fields": form.as_json(), "updated_at": now}
        done = self.conn.execute(
            update(order_forms).where(order_forms.c.campaign_id == campaign_id).values(values)
        )
        if not done.rowcount:
            self.conn.execute(
                insert(order_forms).values(campaign_id=campaign_id, company_id=company_id, **values)
            )

    def field_counts(self, campaign_ids: list[int]) -> dict[int, int]:
        """How many fields each of these campaigns' forms has (absent: no form)."""
        if not campaign_ids:
            return {}
        rows = self.conn.execute(
            select(order_forms.c.campaign_id, order_forms.c.fields).where(
                order_forms.c.campaign_id.in_(campaign_ids)
            )
        )
        return {r.campaign_id: len(r.fields) for r in rows}

    # --- orders ---

    def add(self, row: dict[str, Any]) -> int:
        key = self.conn.execute(insert(orders).values(row)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def update(self, order_id: int, changes: dict[str, Any]) -> None:
        self.conn.execute(update(orders).where(orders.c.id == order_id).values(changes))

    def get(self, order_id: int) -> OrderRow | None:
        r = self.conn.execute(select(*_COLUMNS).where(orders.c.id == order_id)).one_or_none()
        return None if r is None else OrderRow(*r)

    def of_attempt(self, attempt_id: int) -> OrderRow | None:
        r = self.conn.execute(
            select(*_COLUMNS).where(orders.c.attempt_id == attempt_id)
        ).one_or_none()
        return None if r is None else OrderRow(*r)

    def of_call(
        self, campaign_id: int, call_id: int, user_id: int, since: datetime
    ) -> OrderRow | None:
        """A call without a stored attempt: its order by the engine's call id (ids restart
        with the engine, hence `since`, when the call began)."""
        r = self.conn.execute(
            select(*_COLUMNS)
            .where(
                orders.c.campaign_id == campaign_id, orders.c.call_id == call_id,
                orders.c.user_id == user_id, orders.c.attempt_id.is_(None),
                orders.c.created_at >= since,
            )
            .order_by(orders.c.id.desc())
            .limit(1)
        ).one_or_none()  # fmt: skip
        return None if r is None else OrderRow(*r)

    def list(
        self, vis: Visibility, campaign_id: int | None, limit: int, offset: int
    ) -> tuple[list[OrderRow], int]:
        """Orders of campaigns the caller may read, newest first."""
        cond = visible(vis, campaigns.c.company_id, groups.c.path, campaigns.c.client_id)
        base = (
            select(*_COLUMNS)
            .join(campaigns, campaigns.c.id == orders.c.campaign_id)
            .join(groups, groups.c.id == campaigns.c.group_id)
            .where(cond)
        )
        if campaign_id is not None:
            base = base.where(orders.c.campaign_id == campaign_id)
        total = self.conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
        rows = self.conn.execute(
            base.order_by(orders.c.created_at.desc(), orders.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [OrderRow(*r) for r in rows], int(total)

"""Order forms and orders (OUT-7, the PDA and the vocal order): a campaign's form is read by
those who may read the campaign and designed by those who may change it; the operator on
a campaign call saves the call's order, with the recording of the customer's consent;
orders and their recordings are read by those who may read the campaign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from centralino.domain.access import Principal
from centralino.domain.errors import Forbidden, IllegalTransition, NotFound
from centralino.domain.orders import OrderForm
from centralino.domain.roles import Permission
from centralino.services.audit import record
from centralino.services.campaigns import campaign_place, readable_campaign, writable_campaign
from centralino.services.context import ServiceContext
from centralino.store.repos.orders import OrderRow
from centralino.store.repos.page import Page
from centralino.store.uow import UnitOfWork

P = Permission


@dataclass(slots=True, frozen=True)
class CallOrderContext:
    """The campaign call an operator is on (or wrapping up), as the live engine knows it."""

    campaign_id: int
    call_id: int
    number: str
    started_at: datetime
    attempt_id: int | None = None
    record_id: int | None = None


@dataclass(slots=True, frozen=True)
class Recording:
    """A finished recording of the call: the file the telephony layer wrote."""

    path: Path
    seconds: float


def get_form(ctx: ServiceContext, actor: Principal, campaign_id: int) -> OrderForm:
    with ctx.uow() as uow:
        c = readable_campaign(uow, actor, campaign_id)
        return uow.orders.form(c.id) or OrderForm()


def put_form(
    ctx: ServiceContext, actor: Principal, campaign_id: int, fields: list[dict[str, Any]]
) -> OrderForm:
    """Replace the campaign's form; orders already taken keep the values they had."""
    form = OrderForm.from_json(fields)
    with ctx.uow() as uow:
        c = writable_campaign(uow, actor, campaign_id)
        before = uow.orders.form(c.id)
        uow.orders.put_form(c.id, c.company_id, form, ctx.now())
        record(
            uow, actor, "update", "order_form", c.id, campaign_place(c),
            {"fields": before.as_json()} if before else None, {"fields": form.as_json()},
            ctx.now(), P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return form


def _check_operator(actor: Principal) -> None:
    if not actor.has_anywhere(P.CALLS_HANDLE):
        raise Forbidden("taking orders needs the calls.handle permission")


def call_form(
    ctx: ServiceContext, actor: Principal, call: CallOrderContext
) -> tuple[OrderForm, OrderRow | None]:
    """The form of the campaign of my call, and the order saved on it so far. The operator
    reads it because the engine put the call in their hands, not by campaigns.read."""
    _check_operator(actor)
    with ctx.uow() as uow:
        form = uow.orders.form(call.campaign_id) or OrderForm()
        return form, _order_of(uow, actor, call)


def _order_of(uow: UnitOfWork, actor: Principal, call: CallOrderContext) -> OrderRow | None:
    if call.attempt_id is not None:
        return uow.orders.of_attempt(call.attempt_id)
    return uow.orders.of_call(call.campaign_id, call.call_id, actor.user_id, call.started_at)


def save_call_order(
    ctx: ServiceContext,
    actor: Principal,
    call: CallOrderContext,
    values: dict[str, Any],
    recording: Recording | None,
) -> OrderRow:
    """Save (or correct) the order of my call, checked against the campaign's form; the
    latest recording of the call goes with it. A second save replaces the values."""
    _check_operator(actor)
    now = ctx.now()
    data_dir = ctx.settings.data_dir.resolve()
    rec_path: str | None = None
    if recording is not None:
        try:
            rec_path = str(recording.path.resolve().relative_to(data_dir))
        except ValueError:
            raise IllegalTransition("the recording is not under the data directory") from None
    with ctx.uow() as uow:
        c = uow.campaigns.get(call.campaign_id)
        if c is None:
            raise NotFound(f"campaign {call.campaign_id} not found")
        form = uow.orders.form(c.id)
        if form is None:
            raise IllegalTransition(f"campaign {c.name} has no order form")
        clean = form.validate(values)
        existing = _order_of(uow, actor, call)
        changes: dict[str, Any] = {"values": clean, "updated_at": now, "user_id": actor.user_id}
        if rec_path is not None:
            assert recording is not None
            changes.update(recording=rec_path, recording_seconds=round(recording.seconds, 3))
        if existing is None:
            order_id = uow.orders.add({
                "company_id": c.company_id, "campaign_id": c.id, "attempt_id": call.attempt_id,
                "record_id": call.record_id, "call_id": call.call_id, "number": call.number[:32],
                "created_at": now, **changes,
            })  # fmt: skip
        else:
            order_id = existing.id
            uow.orders.update(order_id, changes)
        row = uow.orders.get(order_id)
        assert row is not None
        uow.commit()
    return row


def list_orders(
    ctx: ServiceContext, actor: Principal, campaign_id: int | None, limit: int, offset: int
) -> Page[OrderRow]:
    if not actor.has_anywhere(P.CAMPAIGNS_READ):
        raise Forbidden("listing orders needs the campaigns.read permission")
    with ctx.uow() as uow:
        if campaign_id is not None:
            readable_campaign(uow, actor, campaign_id)
        rows, total = uow.orders.list(
            actor.visibility(P.CAMPAIGNS_READ), campaign_id, limit, offset
        )
    return Page(rows, total, limit, offset)


def get_order(ctx: ServiceContext, actor: Principal, order_id: int) -> OrderRow:
    """An order of a campaign the caller may read (else 404: its existence is not told)."""
    with ctx.uow() as uow:
        row = uow.orders.get(order_id)
        if row is None:
            raise NotFound(f"order {order_id} not found")
        try:
            readable_campaign(uow, actor, row.campaign_id)
        except NotFound:
            raise NotFound(f"order {order_id} not found") from None
        return row


def recording_file(ctx: ServiceContext, actor: Principal, order_id: int) -> Path:
    """The WAV file of the order's vocal order."""
    row = get_order(ctx, actor, order_id)
    if row.recording is None:
        raise NotFound(f"order {order_id} has no recording")
    base = ctx.settings.data_dir.resolve()
    path = (base / row.recording).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        raise NotFound(f"the recording of order {order_id} is missing from the archive")
    return path


def order_view(row: OrderRow) -> dict[str, Any]:
    return {
        "id": row.id, "campaign_id": row.campaign_id, "user_id": row.user_id,
        "attempt_id": row.attempt_id, "record_id": row.record_id, "call_id": row.call_id,
        "number": row.number, "values": row.values, "created_at": row.created_at,
        "updated_at": row.updated_at, "recording_seconds": row.recording_seconds,
        "recording_url": f"/api/v1/orders/{row.id}/recording" if row.recording else None,
    }  # fmt: skip

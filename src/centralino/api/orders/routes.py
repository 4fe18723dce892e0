"""Order forms per campaign and the orders taken on calls (OUT-7): /campaigns/{id}/order-form,
/orders, /orders/{id} and its vocal order recording as WAV."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse

from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.orders.schemas import OrderFormIn, OrderFormOut, OrderOut
from centralino.api.pagination import Page, PageParams, page_params, to_page
from centralino.services import orders
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext

router = APIRouter(tags=["orders"])


@router.get(
    "/campaigns/{campaign_id}/order-form", response_model=OrderFormOut,
    openapi_extra=access("campaigns.read", "campaign"),
)  # fmt: skip
def get_order_form(
    campaign_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> dict[str, Any]:
    """The campaign's order form (PDA): its fields in order; none yet is an empty list."""
    form = orders.get_form(ctx, me.principal, campaign_id)
    return {"campaign_id": campaign_id, "fields": form.as_json()}


@router.put(
    "/campaigns/{campaign_id}/order-form", response_model=OrderFormOut,
    openapi_extra=access("campaigns.write", "campaign"),
)  # fmt: skip
def put_order_form(
    campaign_id: int,
    body: OrderFormIn,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:
    """Replace the form; every field is checked and an error names the field."""
    fields = [f.model_dump(mode="json") for f in body.fields]
    form = orders.put_form(ctx, me.principal, campaign_id, fields)
    return {"campaign_id": campaign_id, "fields": form.as_json()}


@router.get(
    "/orders", response_model=Page[OrderOut], openapi_extra=access("campaigns.read", "order")
)
def list_orders(
    campaign_id: int | None = Query(None, description="Only this campaign's orders"),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    """Orders of the campaigns I may read, newest first."""
    found = orders.list_orders(ctx, me.principal, campaign_id, page.limit, page.offset)
    return to_page(found, orders.order_view)


@router.get(
    "/orders/{order_id}", response_model=OrderOut, openapi_extra=access("campaigns.read", "order")
)
def get_order(
    order_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> dict[str, Any]:
    """One order with its values and the link to its recording."""
    return orders.order_view(orders.get_order(ctx, me.principal, order_id))


@router.get(
    "/orders/{order_id}/recording", response_class=FileResponse,
    responses={200: {"content": {"audio/wav": {}}}},
    openapi_extra=access("campaigns.read", "order"),
)  # fmt: skip
def get_recording(
    order_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> FileResponse:
    """The customer's vocal order as recorded on the call (WAV, 8 kHz mono 16-bit)."""
    path = orders.recording_file(ctx, me.principal, order_id)
    return FileResponse(path, media_type="audio/wav", filename=f"order-{order_id}.wav")

"""Callbacks and assignments under /api/v1/campaigns/{campaign_id}."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from centralino.api.callbacks.schemas import AssignmentIn, CallbackIn, CallbackOut, CallbackPatch
from centralino.api.deps import access, authenticated, get_ctx
from centralino.services import callbacks
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext

router = APIRouter(tags=["callbacks"])


@router.get(
    "/campaigns/{campaign_id}/callbacks", response_model=list[CallbackOut],
    openapi_extra=access("campaigns.read|calls.handle", "callback"),
)  # fmt: skip
def list_callbacks(
    campaign_id: int,
    due: bool = Query(False, description="Only those due now"),
    mine: bool = Query(False, description="Only mine and the team's"),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> list[CallbackOut]:
    found = callbacks.pending(ctx, me.principal, campaign_id, due, mine)
    return [CallbackOut.model_validate(cb, from_attributes=True) for cb in found]


@router.post(
    "/campaigns/{campaign_id}/callbacks", response_model=CallbackOut, status_code=201,
    openapi_extra=access("calls.handle", "callback"),
)  # fmt: skip
def book_callback(
    campaign_id: int,
    body: CallbackIn,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> CallbackOut:
    cb = callbacks.book(
        ctx, me.principal, campaign_id, body.record_id, body.due_at, body.user_id, body.notes,
        for_self=body.for_self,
    )  # fmt: skip
    return CallbackOut.model_validate(cb, from_attributes=True)


@router.patch(
    "/campaigns/{campaign_id}/callbacks/{callback_id}", response_model=CallbackOut,
    openapi_extra=access("campaigns.write", "callback"),
)  # fmt: skip
def reassign_callback(
    campaign_id: int,
    callback_id: int,
    body: CallbackPatch,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> CallbackOut:
    changes = body.model_dump(exclude_unset=True)
    cb = callbacks.reassign(ctx, me.principal, campaign_id, callback_id, changes)
    return CallbackOut.model_validate(cb, from_attributes=True)


@router.post(
    "/campaigns/{campaign_id}/assignments", response_model=list[CallbackOut], status_code=201,
    openapi_extra=access("campaigns.write", "callback"),
)  # fmt: skip
def assign_records(
    campaign_id: int,
    body: AssignmentIn,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> list[CallbackOut]:
    """Give records, called or not yet, to an operator with a date, a time and notes."""
    made = callbacks.assign(
        ctx, me.principal, campaign_id, body.record_ids, body.user_id, body.due_at, body.notes
    )
    return [CallbackOut.model_validate(cb, from_attributes=True) for cb in made]

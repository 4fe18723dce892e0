"""The operator's outbound desk under /api/v1/me/desk (OUT-2, OUT-4, OUT-5).

As /me/phone: the routes are `async def` because the live engine lives on the server's
loop; store reads and writes go to the thread pool, the engine is touched between them
on the loop (`centralino.desk`). Every route acts for the caller alone.
"""

from __future__ import annotations

import contextlib
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from centralino import desk
from centralino.api.deps import access, get_ctx
from centralino.api.desk.schemas import (
    DayOut,
    DeskOut,
    DeskWrapUpIn,
    DeskWrapUpOut,
    PickIn,
    PicksOut,
    SkipIn,
)
from centralino.api.phone.routes import Caller, caller
from centralino.domain.errors import DomainError, InvalidInput
from centralino.services import callbacks
from centralino.services import desk as desk_service
from centralino.services.context import ServiceContext
from centralino.services.dialing import Claim

router = APIRouter(prefix="/me/desk", tags=["phone"])
_ACCESS = access("calls.handle", "phone", self_only=True)


async def _zone(c: Caller, ctx: ServiceContext) -> ZoneInfo:
    return await run_in_threadpool(desk_service.my_zone, ctx, c.principal, c.identity.user.timezone)


async def _desk(c: Caller, ctx: ServiceContext) -> dict[str, Any]:
    hand = desk.in_hand(c.phones.live, c.principal)
    if hand is None:
        return {"hand": None, "card": None}
    zone = await _zone(c, ctx)
    claim = hand.claim
    card: dict[str, Any] | None = None
    if claim is not None:
        card = await run_in_threadpool(
            desk_service.contact_card, ctx, c.principal, claim.record_id, zone
        )
    elif hand.direction == "inbound":
        card = await run_in_threadpool(
            desk_service.caller_history, ctx, c.principal, hand.number, zone, ctx.now()
        )
    out = {
        "kind": hand.kind, "state": hand.state, "call_id": hand.call_id,
        "direction": hand.direction, "number": hand.number, "campaign_id": hand.campaign_id,
        "record_id": claim.record_id if claim is not None else None,
    }  # fmt: skip
    return {"hand": out, "card": card}


@router.get("", response_model=DeskOut, openapi_extra=_ACCESS)
async def my_desk(c: Caller = Depends(caller), ctx: ServiceContext = Depends(get_ctx)) -> Any:
    """What is in my hands (a record in preview, the call ringing, in hand or in
    after-call work) and its card: for a campaign's record every imported column in the
    file's order, its attempts and callbacks, the campaign's outcomes and operators; for
    an inbound caller the calls of that number in the last 90 days and its records."""
    return await _desk(c, ctx)


@router.post("/preview/dial", response_model=DeskOut, openapi_extra=_ACCESS)
async def dial_preview(c: Caller = Depends(caller), ctx: ServiceContext = Depends(get_ctx)) -> Any:
    """Dial the record shown to me in preview; the answer comes straight to me."""
    desk.dial_preview(c.phones.live, c.principal)
    return await _desk(c, ctx)


@router.post("/preview/skip", response_model=DeskOut, openapi_extra=_ACCESS)
async def skip_preview(
    body: SkipIn, c: Caller = Depends(caller), ctx: ServiceContext = Depends(get_ctx)
) -> Any:
    """Pass on the record shown, with a reason (audited): it comes back in 30 minutes,
    with no attempt counted, and the next record is shown."""
    campaign_id, claim = desk.skip_preview(c.phones.live, c.principal)
    if campaign_id is not None and claim is not None:
        await run_in_threadpool(
            desk_service.give_back, ctx, c.principal, campaign_id, claim, body.reason
        )
    return await _desk(c, ctx)


@router.get("/records", response_model=PicksOut, openapi_extra=_ACCESS)
async def records_to_pick(
    q: str | None = Query(None, max_length=100, description="part of a name or number"),
    c: Caller = Depends(caller),
    ctx: ServiceContext = Depends(get_ctx),
) -> Any:
    """Manual mode: the records of my campaign I may dial now, due callbacks first
    (flagged `callback_due`), then records due now; `q` searches name or number."""
    campaign_id = desk.manual_campaign(c.phones.live, c.principal)
    zone = await _zone(c, ctx)
    items = await run_in_threadpool(desk_service.picks, ctx, c.principal, campaign_id, q, zone)
    return {"campaign_id": campaign_id, "items": items}


@router.post("/records/dial", response_model=DeskOut, openapi_extra=_ACCESS)
async def dial_record(
    body: PickIn, c: Caller = Depends(caller), ctx: ServiceContext = Depends(get_ctx)
) -> Any:
    """Manual mode: dial the record I picked (when I am ready), under the dialer's rules."""
    live = c.phones.live
    campaign_id = desk.manual_campaign(live, c.principal)
    desk.check_free(live, c.principal, campaign_id)
    claim: Claim = await run_in_threadpool(
        desk_service.claim_record, ctx, c.principal, campaign_id, body.record_id
    )
    try:
        desk.check_free(live, c.principal, campaign_id)  # a call may have come meanwhile
        desk.dial_record(live, c.principal, claim)
    except Exception:
        await run_in_threadpool(desk_service.give_back, ctx, c.principal, campaign_id, claim, None)
        raise
    return await _desk(c, ctx)


@router.post("/wrap-up", response_model=DeskWrapUpOut, openapi_extra=_ACCESS)
async def wrap_up(
    body: DeskWrapUpIn, c: Caller = Depends(caller), ctx: ServiceContext = Depends(get_ctx)
) -> Any:
    """Close my call in after-call work in one action: the campaign's outcome (positive
    as the outcome says), notes, and a callback for me, a colleague of the campaign or
    anyone, booked as `/campaigns/{id}/callbacks` does so the dialer calls then. Nothing
    is stored when a field is wrong; the error names it."""
    hand = desk.in_hand(c.phones.live, c.principal)
    if hand is None or hand.kind != "call" or hand.call_id != body.call_id:
        raise InvalidInput(f"call {body.call_id} is not in your hands", "call_id")
    cb = body.callback
    due_at = None
    if cb is not None:
        if hand.campaign_id is None or hand.claim is None:
            raise InvalidInput("a callback is booked on a campaign's call only", "callback")
        zone = await _zone(c, ctx)
        due_at = cb.due_at if cb.due_at.tzinfo else cb.due_at.replace(tzinfo=zone)
    if hand.campaign_id is not None:
        plan = await run_in_threadpool(
            desk_service.plan_wrap_up, ctx, c.principal, hand.campaign_id, body.outcome,
            due_at, cb.for_ if cb else None, cb.user_id if cb else None,
        )  # fmt: skip
        outcome, positive = plan.outcome, plan.positive
        desk.note_wrap_up(c.phones.live, c.principal, body.call_id, due_at, body.notes)
    else:
        outcome, positive = body.outcome, False
    try:
        c.phones.wrap_up(c.principal, outcome, positive, body.notes)
    except Exception:
        if hand.campaign_id is not None:  # nothing closed: the source forgets the date
            with contextlib.suppress(DomainError):
                desk.note_wrap_up(c.phones.live, c.principal, body.call_id, None, None)
        raise
    booked = None
    if due_at is not None and hand.claim is not None and hand.campaign_id is not None:
        assert cb is not None
        booked = await run_in_threadpool(
            callbacks.book, ctx, c.principal, hand.campaign_id, hand.claim.record_id, due_at,
            plan.callback_user, body.notes, plan.callback_for == "self",
        )  # fmt: skip
    out = c.phones.view(c.principal)
    cb_out = None
    if booked is not None:
        cb_out = {
            "id": booked.id, "record_id": booked.record_id, "due_at": booked.due_at,
            "scope": booked.scope.value, "user_id": booked.user_id,
        }  # fmt: skip
    return {"phone": out, "callback": cb_out}


@router.get("/day", response_model=DayOut, openapi_extra=_ACCESS)
async def my_day(c: Caller = Depends(caller), ctx: ServiceContext = Depends(get_ctx)) -> Any:
    """Today in my zone: my calls in and out, talk time, my outcomes by label, my pause
    time by reason, from the stored calls, attempts and state changes."""
    zone = await _zone(c, ctx)
    return await run_in_threadpool(desk_service.my_day, ctx, c.principal, zone)

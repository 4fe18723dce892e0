"""The operator's own phone session under /api/v1/me/phone (IN-4, IN-5).

The routes are `async def` on purpose: the live engine runs on the web server's event
loop (`WallClock` timers, `LiveCenter.run`), and its objects are not thread-safe, so the
engine must only be touched from that loop's thread. FastAPI runs `async def` routes on
the loop itself, so each engine call below runs between two of the engine's own
callbacks, never beside one. Store reads (the caller's queues, campaigns, transfer
targets) are blocking, so they go to the thread pool first (`run_in_threadpool`), and
the engine is touched only once they are back. Every route acts on the caller's own
operator (`user:<caller's id>`): there is no way to name someone else's.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from centralino import desk
from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.phone.schemas import AutoAnswerIn, PauseIn, PhoneOut, TransferIn, WrapUpIn
from centralino.domain.access import Principal
from centralino.domain.errors import InvalidInput
from centralino.phone import EngineOff, Phones, Session, check_access, load_session
from centralino.services import desk as desk_service
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext
from centralino.services.transfer_targets import transfer_targets

router = APIRouter(prefix="/me/phone", tags=["phone"])
_ACCESS = access("calls.handle", "phone", self_only=True)


class Caller:
    def __init__(self, identity: Identity, phones: Phones) -> None:
        self.identity = identity
        self.principal: Principal = identity.principal
        self.phones = phones


async def caller(request: Request, me: Identity = Depends(authenticated)) -> Caller:
    """The caller, allowed to work on the phone, and the running engine (else 503)."""
    check_access(me.principal)
    live = getattr(request.app.state, "live", None)
    if live is None:
        raise EngineOff("the live engine is off (CENTRALINO_DIALER=off): no phone to work on")
    if getattr(live, "clock", None) is None:
        raise EngineOff("the live engine is starting: try again in a moment")
    phones: Phones | None = getattr(request.app.state, "phones", None)
    if phones is None or phones.live is not live:
        phones = Phones(live, request.app.state.ctx.bus)
        request.app.state.phones = phones
    return Caller(me, phones)


def _out(c: Caller) -> dict[str, Any]:
    return c.phones.view(c.principal)


@router.get("", response_model=PhoneOut, openapi_extra=_ACCESS)
async def my_phone(c: Caller = Depends(caller)) -> dict[str, Any]:
    """My state and since when, pause reason, queues and campaign, the call ringing to me
    (with its screen-pop address) or in hand, the consultation in progress, auto-answer."""
    return _out(c)


@router.post("/login", response_model=PhoneOut, openapi_extra=_ACCESS)
async def log_in(c: Caller = Depends(caller), ctx: ServiceContext = Depends(get_ctx)) -> Any:
    """Into the live engine with my stored queue memberships and campaign; my phone is
    called and I am ready once it answers."""
    user = c.identity.user

    def read() -> Session:
        with ctx.uow() as uow:
            group = uow.groups.get(user.group_id)
        path = group.path if group is not None else ""
        return load_session(ctx, c.principal, user.username, path)

    session = await run_in_threadpool(read)
    c.phones.login(c.principal, session)
    return _out(c)


@router.post("/ready", response_model=PhoneOut, openapi_extra=_ACCESS)
async def ready(c: Caller = Depends(caller)) -> Any:
    """Back from a pause (or drop the pause asked for during a call)."""
    c.phones.ready(c.principal)
    return _out(c)


@router.post("/pause", response_model=PhoneOut, openapi_extra=_ACCESS)
async def pause(body: PauseIn, c: Caller = Depends(caller)) -> Any:
    """Pause with a reason (a code of /api/v1/pause-reasons): now if free, else after the
    call in hand and its after-call work."""
    c.phones.pause(c.principal, body.reason)
    return _out(c)


@router.post("/logout", response_model=PhoneOut, openapi_extra=_ACCESS)
async def log_out(c: Caller = Depends(caller)) -> Any:
    """Out of the engine: now if free, else after the call in hand."""
    c.phones.logout(c.principal)
    return _out(c)


@router.post("/answer", response_model=PhoneOut, openapi_extra=_ACCESS)
async def answer(c: Caller = Depends(caller)) -> Any:
    c.phones.answer(c.principal)
    return _out(c)


@router.post("/auto-answer", response_model=PhoneOut, openapi_extra=_ACCESS)
async def auto_answer(body: AutoAnswerIn, c: Caller = Depends(caller)) -> Any:
    """Offers answered at once (from the next one on)."""
    c.phones.set_auto_answer(c.principal, body.on)
    return _out(c)


@router.post("/hangup", response_model=PhoneOut, openapi_extra=_ACCESS)
async def hangup(c: Caller = Depends(caller)) -> Any:
    """End the call I talk on; after-call work follows."""
    c.phones.hangup(c.principal)
    return _out(c)


@router.post("/wrap-up", response_model=PhoneOut, openapi_extra=_ACCESS)
async def wrap_up(
    body: WrapUpIn, c: Caller = Depends(caller), ctx: ServiceContext = Depends(get_ctx)
) -> Any:
    """Close the call with an outcome (and notes, kept in the call's phases); ready again,
    or the pause or logout asked for meanwhile. A campaign's call takes one of the
    campaign's outcomes (positive as the outcome says), checked before anything closes: an
    outcome the dialer could not store would leave the attempt open and the outcome lost.
    One that sets a date needs /api/v1/me/desk/wrap-up, which books the callback."""
    positive = body.positive
    hand = desk.in_hand(c.phones.live, c.principal)
    if hand is not None and hand.kind == "call" and hand.campaign_id is not None:
        try:
            plan = await run_in_threadpool(
                desk_service.plan_wrap_up, ctx, c.principal, hand.campaign_id, body.outcome,
                None, None, None,
            )  # fmt: skip
        except InvalidInput as exc:
            if exc.field != "callback.due_at":
                raise
            raise InvalidInput(
                f"{exc.message}: wrap up with /api/v1/me/desk/wrap-up, which books the callback",
                "outcome",
            ) from None
        positive = plan.positive
    c.phones.wrap_up(c.principal, body.outcome, positive, body.notes)
    return _out(c)


@router.post("/transfer", response_model=PhoneOut, openapi_extra=_ACCESS)
async def transfer(
    body: TransferIn, c: Caller = Depends(caller), ctx: ServiceContext = Depends(get_ctx)
) -> Any:
    """Transfer the customer blind, or consult first (the customer on hold): to a
    colleague (`operator:<user id>`) or a queue (`queue:<name>`) of
    /api/v1/transfer-targets, or to a phone number."""
    target = body.target
    if target.startswith(("operator:", "queue:")):
        allowed = await run_in_threadpool(transfer_targets, ctx, c.principal)
        names = {f"operator:{o.user_id}" for o in allowed.operators}
        names |= {f"queue:{q}" for q in allowed.queues}
        if target not in names:
            raise InvalidInput(f"{target} is not among your transfer targets", "target")
    c.phones.transfer(c.principal, target, body.mode)
    return _out(c)


@router.post("/transfer/complete", response_model=PhoneOut, openapi_extra=_ACCESS)
async def complete_transfer(c: Caller = Depends(caller)) -> Any:
    """The customer joins the consulted party; I leave the call."""
    c.phones.complete(c.principal)
    return _out(c)


@router.post("/transfer/cancel", response_model=PhoneOut, openapi_extra=_ACCESS)
async def cancel_transfer(c: Caller = Depends(caller)) -> Any:
    """Back to the customer; the consulted party goes."""
    c.phones.cancel(c.principal)
    return _out(c)


@router.post("/conference", response_model=PhoneOut, openapi_extra=_ACCESS)
async def conference(c: Caller = Depends(caller)) -> Any:
    """The customer, me and the consulted party together."""
    c.phones.conference(c.principal)
    return _out(c)

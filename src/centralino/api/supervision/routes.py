"""Live supervision under /api/v1/supervision (IN-6): the snapshot a page paints before
the `supervision.*` events of the event stream, and a supervisor's actions on an operator.

As in `api/phone/routes.py` the routes are `async def` so that the engine is touched on
its own loop's thread; the access check and the audit row are blocking store work and go
to the thread pool. An operator is reachable when the caller holds `realtime.read` at
their group (else 404) and `supervise` there (else 403): a team leader in their own
subtree only, a partner center's supervisor never the parent's operators.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.supervision.schemas import (
    ActionOut,
    ForcePauseIn,
    MessageIn,
    MonitorIn,
    MonitorOut,
    SnapshotOut,
)
from centralino.domain.errors import Forbidden
from centralino.domain.roles import Permission
from centralino.phone import EngineOff
from centralino.services import audit
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext
from centralino.services.supervision import Person, target_operator
from centralino.supervision import Supervision, send_message

router = APIRouter(prefix="/supervision", tags=["supervision"])
P = Permission
_READ = access("realtime.read", "operator")
_ACT = access("supervise", "operator", live=True)
_MESSAGE = access("supervise", "operator")


def supervision_of(request: Request) -> Supervision | None:
    """The supervision of the running live engine (made on first use), or None when off."""
    live = getattr(request.app.state, "live", None)
    if live is None or getattr(live, "clock", None) is None:
        return None
    sup: Supervision | None = getattr(request.app.state, "supervision", None)
    if sup is None or sup.live is not live:
        ctx: ServiceContext = request.app.state.ctx
        sup = Supervision(live, ctx, ctx.bus)
        request.app.state.supervision = sup
    return sup


def _engine(request: Request) -> Supervision:
    sup = supervision_of(request)
    if sup is None:
        raise EngineOff("the live engine is off (CENTRALINO_DIALER=off): nothing to supervise")
    return sup


async def _target(ctx: ServiceContext, me: Identity, user_id: int) -> Person:
    return await run_in_threadpool(target_operator, ctx, me.principal, user_id)


async def _audit(
    ctx: ServiceContext, me: Identity, person: Person, user_id: int, after: dict[str, Any]
) -> None:
    def write() -> None:
        with ctx.uow() as uow:
            audit.record(
                uow, me.principal, "update", "supervisor_action", user_id, person.place, None,
                {"operator": person.username, **after}, ctx.now(), P.AUDIT_READ,
            )  # fmt: skip
            uow.commit()

    await run_in_threadpool(write)


@router.get("", response_model=SnapshotOut, openapi_extra=_READ)
async def snapshot(request: Request, me: Identity = Depends(authenticated)) -> dict[str, Any]:
    """Operators, queues, services and campaigns of the caller's groups as they are now,
    with the sequence number the events of the stream continue from."""
    if not me.principal.has_anywhere(P.REALTIME_READ):
        raise Forbidden("supervision needs the realtime.read permission")
    sup = supervision_of(request)
    if sup is None:
        return {
            "engine": False, "seq": 0, "operators": [], "queues": [], "services": [],
            "campaigns": [], "pause_reasons": [], "monitor": None,
        }  # fmt: skip
    return sup.snapshot(me.principal)


@router.post("/operators/{user_id}/pause", response_model=ActionOut, openapi_extra=_ACT)
async def force_pause(
    user_id: int, body: ForcePauseIn, request: Request,
    me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:  # fmt: skip
    """Pause the operator now (an offer ringing to them passes on), or after the call in
    hand and its after-call work (`pending`)."""
    person = await _target(ctx, me, user_id)
    result = _engine(request).force_pause(person, user_id, body.reason)
    await _audit(ctx, me, person, user_id, {"action": "force_pause", "reason": body.reason})
    return {"user_id": user_id, "result": result}


@router.post("/operators/{user_id}/logout", response_model=ActionOut, openapi_extra=_ACT)
async def force_logout(
    user_id: int, request: Request,
    me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:  # fmt: skip
    """Log the operator out now, or after the call in hand (`pending`)."""
    person = await _target(ctx, me, user_id)
    result = _engine(request).force_logout(person, user_id)
    await _audit(ctx, me, person, user_id, {"action": "force_logout"})
    return {"user_id": user_id, "result": result}


@router.post("/operators/{user_id}/message", response_model=ActionOut, openapi_extra=_MESSAGE)
async def message(
    user_id: int, body: MessageIn,
    me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:  # fmt: skip
    """A pop-up on the operator's panel (`phone.message` on the event stream, to them alone)."""
    person = await _target(ctx, me, user_id)
    send_message(ctx.bus, ctx.now(), me.principal, me.user.display_name, person, user_id, body.text)
    await _audit(ctx, me, person, user_id, {"action": "message", "text": body.text})
    return {"user_id": user_id, "result": "sent"}


@router.post("/operators/{user_id}/monitor", response_model=MonitorOut, openapi_extra=_ACT)
async def monitor(
    user_id: int, body: MonitorIn, request: Request,
    me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx),
) -> Any:  # fmt: skip
    """Listen to the operator's call (nobody hears me), whisper (the operator hears me) or
    barge (everybody does): my own phone is called and joined to the operator's line; a
    new mode on the same operator switches at once."""
    person = await _target(ctx, me, user_id)
    view = _engine(request).monitor(me.principal, person, user_id, body.mode)
    await _audit(ctx, me, person, user_id, {"action": body.mode})
    return view


@router.delete(
    "/operators/{user_id}/monitor", status_code=204, response_class=Response, openapi_extra=_ACT
)
async def stop_monitor(
    user_id: int, request: Request,
    me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx),
) -> Response:  # fmt: skip
    """Stop listening: my phone's line is hung up."""
    person = await _target(ctx, me, user_id)
    _engine(request).stop_monitor(me.principal, person)
    await _audit(ctx, me, person, user_id, {"action": "stop_monitor"})
    return Response(status_code=204)

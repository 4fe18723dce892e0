"""The script of my current call under /api/v1/me/phone/script (OUT-6).

`async def` like the rest of /me/phone (see `api/phone/routes.py`): the call is read from
the live engine on its loop, the store in the thread pool afterwards. The call's record
(for the placeholders) is known from the engine while the call lasts; for its after-call
work it is remembered here, per call, from the last read during the call.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from centralino.api.deps import access, get_ctx
from centralino.api.phone.routes import Caller, caller
from centralino.api.scripts.schemas import AnswersIn, MyScriptOut
from centralino.domain.errors import IllegalTransition
from centralino.engine.clock import to_datetime
from centralino.services import scripts
from centralino.services.context import ServiceContext

router = APIRouter(prefix="/me/phone", tags=["phone"])
_ACCESS = access("calls.handle", "phone", self_only=True)
_REMEMBERED = 10_000  # calls whose record is remembered for their after-call work


def _records(request: Request) -> OrderedDict[tuple[int, int, float], int | None]:
    found: OrderedDict[tuple[int, int, float], int | None] | None = getattr(
        request.app.state, "script_records", None
    )
    if found is None:
        found = request.app.state.script_records = OrderedDict()
    return found


def current_call(request: Request, c: Caller) -> scripts.CallContext | None:
    """The call in my hands, from the engine (run on the engine's loop)."""
    found = c.phones.call_in_hand(c.principal)
    if found is None:
        return None
    record, run = found
    key = (c.principal.company_id, record.call_id, record.arrived_at)
    remembered = _records(request)
    if run is not None:
        ref = run.dial.ref if run.dial is not None else None
        rid = getattr(ref, "record_id", None)
        remembered[key] = rid if isinstance(rid, int) else None
        remembered.move_to_end(key)
        while len(remembered) > _REMEMBERED:
            remembered.popitem(last=False)
    campaign_id = None
    if record.direction == "outbound" and record.queue.startswith("campaign:"):
        campaign_id = int(record.queue.split(":", 1)[1])
    return scripts.CallContext(
        company_id=c.principal.company_id, user_id=c.principal.user_id, call_id=record.call_id,
        started_at=scripts.answers_started(to_datetime(record.arrived_at)),
        direction=record.direction, number=record.number, service=record.service,
        campaign_id=campaign_id, record_id=remembered.get(key),
    )  # fmt: skip


@router.get("/script", response_model=MyScriptOut, openapi_extra=_ACCESS)
async def my_script(
    request: Request, c: Caller = Depends(caller), ctx: ServiceContext = Depends(get_ctx)
) -> dict[str, Any]:
    """The script of the call in my hands (by its campaign, else its service), its texts
    with the contact's data filled in, my answers so far and the step to answer now."""
    call = current_call(request, c)
    if call is None:
        return {"call": None}
    found = await run_in_threadpool(scripts.call_script, ctx, call)
    return {"call": scripts.call_script_view(found)}


@router.post("/script", response_model=MyScriptOut, openapi_extra=_ACCESS)
async def save_script(
    body: AnswersIn,
    request: Request,
    c: Caller = Depends(caller),
    ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:
    """Store my answers for the call in my hands (all of them each time: a step left out
    is unanswered, so Back is the same answers less the last); only the answers along the
    path are kept. Answers the step does not accept are 422 at `answers.<step id>`."""
    call = current_call(request, c)
    if call is None or call.call_id != body.call_id:
        raise IllegalTransition(f"call {body.call_id} is not in your hands", "call_id")
    found = await run_in_threadpool(scripts.save_call_answers, ctx, call, body.answers)
    return {"call": scripts.call_script_view(found)}

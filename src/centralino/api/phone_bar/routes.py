"""The phone bar under /api/v1/me/phone: hold / resume, mute, keypad, the vocal order
recording, and the order of the call in hand (OUT-7).

`async def` for the reason given in `api/phone/routes.py`: the live engine is touched on
its own loop only; the store is read and written in the thread pool, after the engine.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from centralino.api.deps import access, get_ctx
from centralino.api.orders.schemas import OrderIn, OrderOut
from centralino.api.phone.routes import Caller, caller
from centralino.api.phone_bar.schemas import BarOut, CallOrderOut, DtmfIn, MuteIn
from centralino.domain.errors import IllegalTransition
from centralino.phone_bar import PhoneBar
from centralino.services import orders
from centralino.services.context import ServiceContext

router = APIRouter(prefix="/me/phone", tags=["phone"])
_ACCESS = access("calls.handle", "phone", self_only=True)


class BarCaller(Caller):
    def __init__(self, c: Caller, bar: PhoneBar) -> None:
        super().__init__(c.identity, c.phones)
        self.bar = bar


async def bar_caller(request: Request, c: Caller = Depends(caller)) -> BarCaller:
    """The caller (as for /me/phone) and the phone bar of the running engine's phones."""
    bar: PhoneBar | None = getattr(request.app.state, "phone_bar", None)
    if bar is None or bar.phones is not c.phones:
        bar = PhoneBar(c.phones)
        request.app.state.phone_bar = bar
    return BarCaller(c, bar)


def _view(c: BarCaller) -> dict[str, Any]:
    return c.bar.view(c.principal)


@router.get("/bar", response_model=BarOut, openapi_extra=_ACCESS)
async def my_bar(c: BarCaller = Depends(bar_caller)) -> Any:
    """Hold, mute, keys sent and recording of the call in hand."""
    return _view(c)


@router.post("/hold", response_model=BarOut, openapi_extra=_ACCESS)
async def hold(c: BarCaller = Depends(bar_caller)) -> Any:
    """The customer on hold (music), out of the bridge with me."""
    c.bar.hold(c.principal)
    return _view(c)


@router.post("/resume", response_model=BarOut, openapi_extra=_ACCESS)
async def resume(c: BarCaller = Depends(bar_caller)) -> Any:
    """Back to the customer on hold."""
    c.bar.resume(c.principal)
    return _view(c)


@router.post("/mute", response_model=BarOut, openapi_extra=_ACCESS)
async def mute(body: MuteIn, c: BarCaller = Depends(bar_caller)) -> Any:
    """The customer no longer hears me (`on`), or again."""
    c.bar.mute(c.principal, body.on)
    return _view(c)


@router.post("/dtmf", response_model=BarOut, openapi_extra=_ACCESS)
async def dtmf(body: DtmfIn, c: BarCaller = Depends(bar_caller)) -> Any:
    """Keypad tones (0-9, *, #) down the customer's line."""
    c.bar.send_dtmf(c.principal, body.digits)
    return _view(c)


@router.post("/record/start", response_model=BarOut, openapi_extra=_ACCESS)
async def record_start(c: BarCaller = Depends(bar_caller)) -> Any:
    """Record the customer's vocal order on this call."""
    c.bar.start_recording(c.principal)
    return _view(c)


@router.post("/record/stop", response_model=BarOut, openapi_extra=_ACCESS)
async def record_stop(c: BarCaller = Depends(bar_caller)) -> Any:
    """Stop the recording; its WAV file goes with the order saved afterwards."""
    c.bar.stop_recording(c.principal)
    return _view(c)


@router.get("/order", response_model=CallOrderOut, openapi_extra=_ACCESS)
async def my_order(
    c: BarCaller = Depends(bar_caller), ctx: ServiceContext = Depends(get_ctx)
) -> dict[str, Any]:
    """The order form of my campaign call (talking or in after-call work) and the order
    saved on it so far."""
    call, _line = c.bar.order_context(c.principal)
    bar = _view(c)
    form, row = await run_in_threadpool(orders.call_form, ctx, c.principal, call)
    return {
        "campaign_id": call.campaign_id, "fields": form.as_json(),
        "order": orders.order_view(row) if row else None, "bar": bar,
    }  # fmt: skip


@router.post("/order", response_model=OrderOut, openapi_extra=_ACCESS)
async def save_order(
    body: OrderIn, c: BarCaller = Depends(bar_caller), ctx: ServiceContext = Depends(get_ctx)
) -> dict[str, Any]:
    """Save the order of my call, checked against the campaign's form (each error names
    its field), with the last finished recording of the call; saving again corrects it."""
    call, line = c.bar.order_context(c.principal)
    if line.recording is not None:
        raise IllegalTransition("stop the recording before saving the order")
    if line.stopping is not None:
        raise IllegalTransition("the recording is still being written: save again in a moment")
    row = await run_in_threadpool(
        orders.save_call_order, ctx, c.principal, call, dict(body.values), line.recorded
    )
    return orders.order_view(row)

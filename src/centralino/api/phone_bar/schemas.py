"""The phone bar (hold, mute, keypad, recording) and the order of my call, at the edge."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from centralino.api.orders.schemas import OrderFieldOut, OrderOut
from centralino.api.schemas_base import Body


class BarOut(BaseModel):
    call_id: int | None  # the call in hand the state below is about
    held: bool
    muted: bool
    digits: str  # keys sent on this call
    recording: bool  # a recording runs now
    stopping: bool  # stopped, the file not written yet: the order waits for it
    recorded_seconds: float | None  # the last finished recording of this call


class MuteIn(Body):
    on: bool


class DtmfIn(Body):
    digits: Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[0-9*#]+$")]


class CallOrderOut(BaseModel):
    campaign_id: int
    fields: list[OrderFieldOut]  # the campaign's form; empty: the campaign has none
    order: OrderOut | None  # saved on this call so far
    bar: BarOut

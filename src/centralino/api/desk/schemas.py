"""The operator's outbound desk: what is in my hands with its contact card, the records
I may dial by hand, the wrap-up with outcome and callback, and my day."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from centralino.api.phone.schemas import PhoneOut
from centralino.api.schemas_base import Body

Short = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class HandOut(BaseModel):
    kind: str  # preview (a record shown, not dialed) or call
    state: str  # my operator state
    call_id: int | None
    direction: str
    number: str
    campaign_id: int | None
    record_id: int | None


class DeskOut(BaseModel):
    hand: HandOut | None
    # kind "record": record (every imported column in the file's order), attempts,
    # callbacks, outcomes, colleagues; kind "number": an inbound caller's calls and records
    card: dict[str, Any] | None


class SkipIn(Body):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class PickIn(Body):
    record_id: int = Field(ge=1)


class PicksOut(BaseModel):
    campaign_id: int
    items: list[dict[str, Any]]  # due callbacks first (callback_due), then records due now


class CallbackIn(Body):
    """`due_at` without an offset is a time in my zone."""

    due_at: datetime
    for_: Literal["self", "colleague", "anyone"] = Field("self", alias="for")
    user_id: int | None = Field(None, ge=1)


class DeskWrapUpIn(Body):
    call_id: int
    outcome: Short | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None
    callback: CallbackIn | None = None


class CallbackOut(BaseModel):
    id: int
    record_id: int
    due_at: datetime
    scope: str
    user_id: int | None


class DeskWrapUpOut(BaseModel):
    phone: PhoneOut
    callback: CallbackOut | None


class DayOut(BaseModel):
    since: datetime
    since_local: str | None
    calls: int
    inbound: int
    outbound: int
    talked: int
    talk_seconds: float
    outcomes: list[dict[str, Any]]  # label, count
    pauses: list[dict[str, Any]]  # reason (code), seconds
    pause_seconds: float

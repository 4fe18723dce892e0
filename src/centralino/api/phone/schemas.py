"""The operator's own phone session, as the operator panel reads and drives it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from centralino.api.schemas_base import Body

Short = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class PhoneCallOut(BaseModel):
    call_id: int
    direction: str
    number: str
    service: str | None
    queue: str
    screen_pop: str | None  # the CRM address to open, from the service's template


class MembershipOut(BaseModel):
    queue: str
    tier: int


class PhoneCampaignOut(BaseModel):
    id: int
    name: str


class PhoneOut(BaseModel):
    operator: str  # the engine's id: user:<user id>
    state: str  # logged_out, ready, ringing, reserved, talking, wrap_up, paused
    since: datetime | None
    reason: str | None  # the pause reason's code
    reason_label: str | None
    queues: list[MembershipOut]
    campaign: PhoneCampaignOut | None
    ringing: PhoneCallOut | None  # the call offered to me now
    call: PhoneCallOut | None  # the call in hand (talking, on hold, after-call work)
    consulting: str | None  # whom I consult now: operator:<user id> or a number
    auto_answer: bool
    pause_pending: str | None  # the pause (reason) asked for during a call
    logout_pending: bool
    code: str | None  # the keypad code callers may key to reach me


class PauseIn(Body):
    reason: Short | None = None


class AutoAnswerIn(Body):
    on: bool


class WrapUpIn(Body):
    outcome: Short | None = None
    positive: bool = False
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None


class TransferIn(Body):
    target: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    mode: Literal["blind", "consult"] = "blind"

"""Bodies for queues: the fields of `QueueConfig` (which validates them) plus the owner."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import Field, StringConstraints

from centralino.api.schemas_base import Body, Out, Patch
from centralino.domain.inbound.queues import Strategy

QueueName = Annotated[str, StringConstraints(min_length=1, max_length=80)]
Prompt = Annotated[str, StringConstraints(min_length=1, max_length=200)]

_OVERFLOW = "Where a caller goes past max_wait or max_length: {kind, target}"
_BLEND = "When outbound (blended) operators are called in: waiting_calls, longest_wait, ..."


class QueueSettings(Body):
    """Every rule of a queue; absent fields take QueueConfig's defaults."""

    strategy: Strategy = Strategy.ROUND_ROBIN
    target_seconds: float | None = Field(None, description="Service level: answered within")
    max_wait: float | None = Field(None, description="Seconds, then the overflow; null: none")
    max_length: int | None = Field(None, description="Waiting callers at most; null: none")
    answer_timeout: float | None = Field(None, description="Seconds an offer rings")
    misses_before_pause: int | None = None
    tier_wait: float | None = Field(None, description="Seconds before each next tier is tried")
    retry: float | None = None
    overflow: dict[str, Any] | None = Field(None, description=_OVERFLOW)
    wrap_up_seconds: float | None = Field(None, description="After-call work; null: no limit")
    moh: Prompt | None = None
    announce_every: float | None = None
    offer_callback: bool | None = None
    blend: dict[str, Any] | None = Field(None, description=_BLEND)


class QueueIn(QueueSettings):
    name: QueueName
    group_id: int


class QueuePatch(Patch):
    nullable: ClassVar[frozenset[str]] = frozenset(
        {"max_wait", "max_length", "wrap_up_seconds", "announce_every"}
    )

    name: QueueName | None = None
    group_id: int | None = None
    strategy: Strategy | None = None
    target_seconds: float | None = None
    max_wait: float | None = None
    max_length: int | None = None
    answer_timeout: float | None = None
    misses_before_pause: int | None = None
    tier_wait: float | None = None
    retry: float | None = None
    overflow: dict[str, Any] | None = None
    wrap_up_seconds: float | None = None
    moh: Prompt | None = None
    announce_every: float | None = None
    offer_callback: bool | None = None
    blend: dict[str, Any] | None = None


class MemberIn(Body):
    user_id: int
    tier: int = Field(0, description="0 is the highest priority")


class MembersIn(Body):
    members: list[MemberIn] = Field(max_length=5000)


class MemberOut(Out):
    user_id: int
    username: str
    group_id: int
    tier: int


class OverflowOut(Out):
    kind: str
    target: str


class BlendOut(Out):
    waiting_calls: int | None
    longest_wait: float | None
    service_level_below: float | None


class QueueOut(Out):
    id: int
    company_id: int
    group_id: int
    name: str
    strategy: Strategy
    target_seconds: float
    max_wait: float | None
    max_length: int | None
    answer_timeout: float
    misses_before_pause: int
    tier_wait: float
    retry: float
    overflow: OverflowOut
    wrap_up_seconds: float | None
    moh: str
    announce_every: float | None
    offer_callback: bool
    blend: BlendOut
    created_at: datetime
    updated_at: datetime
    members: list[MemberOut] = Field(default_factory=list)

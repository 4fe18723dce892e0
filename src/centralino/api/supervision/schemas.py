"""Live supervision at the edge: a supervisor's actions on an operator."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, StringConstraints

from centralino.api.schemas_base import Body


class ForcePauseIn(Body):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None


class MessageIn(Body):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class MonitorIn(Body):
    mode: Literal["listen", "whisper", "barge"]


class ActionOut(BaseModel):
    user_id: int
    result: str  # paused, logged_out, pending (after the call in hand), sent


class MonitorOut(BaseModel):
    user_id: int
    mode: str
    connected: bool  # the supervisor's own leg answered and is joined to the operator's


class SnapshotOut(BaseModel):
    """Each list holds the payloads of the `supervision.*` events that follow; `seq` is
    the sequence number the snapshot stands at (older events are stale)."""

    engine: bool
    seq: int
    operators: list[dict[str, Any]]
    queues: list[dict[str, Any]]
    services: list[dict[str, Any]]
    campaigns: list[dict[str, Any]]
    pause_reasons: list[dict[str, Any]]
    monitor: MonitorOut | None

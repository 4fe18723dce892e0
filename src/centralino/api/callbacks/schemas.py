"""Bodies for callbacks and assignments."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import AwareDatetime, Field

from centralino.api.schemas_base import Body, Out, Patch


class CallbackIn(Body):
    record_id: int
    due_at: AwareDatetime
    for_self: bool = Field(False, description="Book it for oneself (user_id is ignored)")
    user_id: int | None = Field(None, description="A colleague; empty for anyone")
    notes: str | None = Field(None, max_length=2000)


class CallbackPatch(Patch):
    nullable: ClassVar[frozenset[str]] = frozenset({"user_id"})

    user_id: int | None = None
    due_at: AwareDatetime | None = None


class AssignmentIn(Body):
    record_ids: list[int] = Field(min_length=1, max_length=1000)
    user_id: int
    due_at: AwareDatetime
    notes: str | None = Field(None, max_length=2000)


class CallbackOut(Out):
    id: int
    campaign_id: int
    record_id: int
    due_at: datetime
    scope: str
    user_id: int | None
    notes: str | None
    created_by: int | None
    created_at: datetime
    done_at: datetime | None

"""Bodies for pause reasons (validated by `PauseReason`)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints

from centralino.api.schemas_base import Body, Name, Out, Patch

Code = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class PauseReasonIn(Body):
    code: Code = Field(description="Letters, digits and underscores; fixed once created")
    label: Name
    limit_seconds: float | None = Field(None, description="The supervisor sees who is over it")
    screen_break: bool = Field(False, description="Counts as the 626 screen-work break")
    company_id: int | None = Field(None, description="System admins: another company's")


class PauseReasonPatch(Patch):
    nullable: ClassVar[frozenset[str]] = frozenset({"limit_seconds"})

    label: Name | None = None
    limit_seconds: float | None = None
    screen_break: bool | None = None


class PauseReasonOut(Out):
    id: int
    company_id: int
    code: str
    label: str
    limit_seconds: float | None
    screen_break: bool

"""Bodies for call scripts: the tree as steps with options (domain.scripts checks the rules),
where it applies, and the answers of a call."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field, StringConstraints

from centralino.api.schemas_base import Body, Out, Patch
from centralino.domain.scripts import MAX_ANSWER, MAX_OPTIONS, MAX_STEPS, MAX_TEXT, AnswerKind

ScriptName = Annotated[str, StringConstraints(min_length=1, max_length=80)]
StepId = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Code = Annotated[str, StringConstraints(max_length=32)]
Label = Annotated[str, StringConstraints(max_length=200)]

_NEXT = "The step this leads to; null ends the script"
_OUTCOME = "The outcome code suggested when this ends the script"


class OptionIn(Body):
    value: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    label: Label | None = Field(None, description="Shown to the operator; the value if absent")
    next: StepId | None = Field(None, description=_NEXT)
    outcome: Code | None = Field(None, description=_OUTCOME)


class StepIn(Body):
    id: StepId
    text: Annotated[str, StringConstraints(max_length=MAX_TEXT)] = Field(
        description="Read to the customer; {name}, {number}, {service}, {campaign} and any "
        "imported column in braces are filled in"
    )
    kind: AnswerKind = AnswerKind.NONE
    required: bool = Field(True, description="text, number, date: may the answer be empty?")
    options: list[OptionIn] = Field(default_factory=list, max_length=MAX_OPTIONS)
    next: StepId | None = Field(None, description="Not a choice: " + _NEXT)
    outcome: Code | None = Field(None, description="Not a choice: " + _OUTCOME)


class ScriptIn(Body):
    name: ScriptName
    group_id: int
    first: StepId | None = Field(None, description="The first step; the first listed if absent")
    steps: list[StepIn] = Field(min_length=1, max_length=MAX_STEPS)
    campaign_ids: list[int] = Field(default_factory=list, max_length=500)
    service_ids: list[int] = Field(default_factory=list, max_length=500)


class ScriptPatch(Patch):
    nullable: ClassVar[frozenset[str]] = frozenset({"first"})

    name: ScriptName | None = None
    group_id: int | None = None
    first: StepId | None = None
    steps: list[StepIn] | None = Field(None, min_length=1, max_length=MAX_STEPS)
    campaign_ids: list[int] | None = Field(None, max_length=500)
    service_ids: list[int] | None = Field(None, max_length=500)


class OptionOut(Out):
    value: str
    label: str
    next: str | None
    outcome: str | None


class StepOut(Out):
    id: str
    text: str
    kind: AnswerKind
    required: bool
    options: list[OptionOut]
    next: str | None
    outcome: str | None


class ScriptOut(Out):
    id: int
    company_id: int
    group_id: int
    name: str
    first: str
    steps: list[StepOut]
    campaign_ids: list[int]
    service_ids: list[int]
    created_at: datetime
    updated_at: datetime


class AnswersIn(Body):
    call_id: int = Field(description="The call in my hands (call_id of GET /me/phone)")
    answers: dict[
        Annotated[str, StringConstraints(max_length=40)],
        Annotated[str, StringConstraints(max_length=MAX_ANSWER)],
    ] = Field(max_length=MAX_STEPS, description="step id -> answer")


class CallScriptOut(BaseModel):
    call_id: int
    script: CallScriptTree | None
    answers: dict[str, str]
    path: list[str]
    current: str | None  # the step to answer now; null once complete
    complete: bool
    outcome: str | None  # suggested by the end reached


class CallScriptTree(BaseModel):
    id: int
    name: str
    first: str
    steps: list[StepOut]  # texts with the placeholders filled


class MyScriptOut(BaseModel):
    call: CallScriptOut | None  # null when no call is in my hands


class AnswersOut(Out):
    id: int
    company_id: int
    call_id: int
    call_started_at: datetime
    user_id: int
    username: str
    script_id: int | None
    script_name: str
    campaign_id: int | None
    service: str | None
    record_id: int | None
    number: str
    answers: dict[str, str]
    path: list[str]
    complete: bool
    outcome: str | None
    updated_at: datetime


CallScriptOut.model_rebuild()

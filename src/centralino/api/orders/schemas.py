"""Order forms (PDA) and orders at the edge."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from centralino.api.schemas_base import Body

Label = Annotated[str, StringConstraints(min_length=1, max_length=100)]
FieldValue = Annotated[str, StringConstraints(max_length=1000)] | float | bool | None


class OrderFieldIn(Body):
    name: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    label: Label
    kind: Literal["text", "number", "choice", "date", "checkbox"]
    required: bool = False
    choices: Annotated[list[Label], Field(max_length=50, default_factory=list)]
    pattern: Annotated[str, StringConstraints(max_length=200)] | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_date: date | None = None
    max_date: date | None = None


class OrderFormIn(Body):
    fields: Annotated[list[OrderFieldIn], Field(max_length=50)]


class OrderFieldOut(BaseModel):
    name: str
    label: str
    kind: str
    required: bool
    choices: list[str]
    pattern: str | None
    minimum: float | None
    maximum: float | None
    min_date: date | None
    max_date: date | None


class OrderFormOut(BaseModel):
    campaign_id: int
    fields: list[OrderFieldOut]


class OrderOut(BaseModel):
    id: int
    campaign_id: int
    user_id: int | None
    attempt_id: int | None
    record_id: int | None
    call_id: int
    number: str
    values: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    recording_seconds: float | None
    recording_url: str | None  # the WAV of the vocal order, for those who may read the campaign


class OrderIn(Body):
    values: Annotated[
        dict[Annotated[str, StringConstraints(max_length=40)], FieldValue], Field(max_length=50)
    ]

"""Bodies for inbound services: the fields of `ServiceConfig` (which validates them,
menus and hours included) plus the owner group, the client and the numbers' region."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import Field, StringConstraints

from centralino.api.schemas_base import Body, Name, Out, Patch

Region = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
Prompt = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Number = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Zone = Annotated[str, StringConstraints(min_length=1, max_length=64)]

_HOURS = (
    'Opening hours: {"windows": [{"days": [0,1,2,3,4], "start": "09:00", "end": "18:00"}],'
    ' "closed_dates": ["2026-12-25"]}; absent: always open'
)
_MENUS = (
    'IVR menus by name: {"main": {"prompt": "main_menu", "options": {"1": {"kind": "queue",'
    ' "target": "Sales"}}, "timeout": 8, "repeats": 2, "default": null}}; kinds: queue, menu,'
    " voicemail, message, hangup, operator"
)
_NUMBERS = "DID numbers in any format; stored as E.164 in `region` (default: the company's)"
_POP = "CRM URL opened for the operator: {caller} {service} {queue} {call_id}"


class ServiceIn(Body):
    name: Name
    group_id: int
    client_id: int | None = None
    numbers: list[Number] = Field(min_length=1, max_length=100, description=_NUMBERS)
    region: Region | None = Field(None, description="Country of numbers written without +")
    queue: Name | None = Field(None, description="Where callers go with no IVR menu")
    timezone: Zone | None = Field(None, description="Of the opening hours; default Europe/Rome")
    hours: dict[str, Any] | None = Field(None, description=_HOURS)
    closed_prompt: Prompt | None = None
    welcome: Prompt | None = None
    moh: Prompt | None = None
    whisper: Prompt | None = Field(None, description="Played to the operator first")
    menus: dict[str, Any] | None = Field(None, description=_MENUS)
    root_menu: Name | None = Field(None, description="The menu callers hear first")
    screen_pop: Url | None = Field(None, description=_POP)


class ServicePatch(Patch):
    nullable: ClassVar[frozenset[str]] = frozenset(
        {"client_id", "queue", "welcome", "whisper", "root_menu", "screen_pop", "region"}
    )

    name: Name | None = None
    group_id: int | None = None
    client_id: int | None = None
    numbers: list[Number] | None = Field(None, min_length=1, max_length=100)
    region: Region | None = None
    queue: Name | None = None
    timezone: Zone | None = None
    hours: dict[str, Any] | None = None
    closed_prompt: Prompt | None = None
    welcome: Prompt | None = None
    moh: Prompt | None = None
    whisper: Prompt | None = None
    menus: dict[str, Any] | None = None
    root_menu: Name | None = None
    screen_pop: Url | None = None


class ServiceOut(Out):
    id: int
    company_id: int
    group_id: int
    client_id: int | None
    name: str
    numbers: list[str]
    queue: str | None
    timezone: str
    hours: dict[str, Any]
    closed_prompt: str
    welcome: str | None
    moh: str
    whisper: str | None
    menus: dict[str, Any]
    root_menu: str | None
    screen_pop: str | None
    created_at: datetime
    updated_at: datetime

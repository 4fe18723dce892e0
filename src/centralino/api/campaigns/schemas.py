"""Bodies for campaigns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints, field_validator

from centralino.api.schemas_base import Body, Name, Out, Patch, TimeZone
from centralino.domain.outbound.campaign import CampaignState, DialMode

Region = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
CallerId = Annotated[str, StringConstraints(pattern=r"^\+?[0-9]{3,20}$")]
HHMM = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class WindowIn(Body):
    days: list[Annotated[int, Field(ge=0, le=6)]] = Field(min_length=1, max_length=7)
    start: HHMM
    end: HHMM

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: str, info: object) -> str:
        start = getattr(info, "data", {}).get("start")
        if start is not None and end <= start:
            raise ValueError("end must be after start")
        return end


class CampaignIn(Body):
    name: Name
    group_id: int
    client_id: int | None = None
    dial_mode: DialMode = DialMode.PREVIEW
    caller_id: CallerId | None = None
    default_region: Region = "IT"
    timezone: TimeZone | None = None
    compliance: str = Field("it", pattern="^(it|us|uk|custom)$")
    windows: list[WindowIn] = Field(default_factory=list, max_length=20)
    max_attempts: int = Field(5, ge=1, le=100)
    priority: int = Field(5, ge=0, le=100)
    positive_target: float = Field(0.02, ge=0, le=1)
    max_abandon_rate: float = Field(0.03, gt=0, le=1)
    power_ratio: float = Field(1.0, ge=1, le=10)
    operator_ids: list[int] = Field(default_factory=list, max_length=5000)
    team_ids: list[int] = Field(default_factory=list, max_length=500)


class CampaignPatch(Patch):
    nullable: ClassVar[frozenset[str]] = frozenset({"client_id", "caller_id"})

    name: Name | None = None
    group_id: int | None = None
    client_id: int | None = None
    dial_mode: DialMode | None = None
    state: CampaignState | None = None
    caller_id: CallerId | None = None
    default_region: Region | None = None
    timezone: TimeZone | None = None
    compliance: str | None = Field(None, pattern="^(it|us|uk|custom)$")
    windows: list[WindowIn] | None = Field(None, min_length=1, max_length=20)
    max_attempts: int | None = Field(None, ge=1, le=100)
    priority: int | None = Field(None, ge=0, le=100)
    positive_target: float | None = Field(None, ge=0, le=1)
    max_abandon_rate: float | None = Field(None, gt=0, le=1)
    power_ratio: float | None = Field(None, ge=1, le=10)
    operator_ids: list[int] | None = Field(None, max_length=5000)
    team_ids: list[int] | None = Field(None, max_length=500)


class WindowOut(Out):
    days: list[int]
    start: str
    end: str


class CampaignOut(Out):
    id: int
    company_id: int
    group_id: int
    client_id: int | None
    name: str
    dial_mode: DialMode
    state: CampaignState
    caller_id: str | None
    default_region: str
    timezone: str
    compliance: str
    windows: list[WindowOut]
    max_attempts: int
    priority: int
    positive_target: float
    max_abandon_rate: float
    power_ratio: float
    created_at: datetime
    updated_at: datetime
    operator_ids: list[int] = Field(default_factory=list)
    team_ids: list[int] = Field(default_factory=list)


Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,32}$")]


class OutcomeIn(Body):
    code: Code
    label: Name
    kind: str = Field(pattern="^(positive|negative|callback|retry|final)$")
    retry_delay_seconds: int | None = Field(None, ge=60, le=365 * 86400)
    max_attempts: int | None = Field(None, ge=1, le=100)
    final: bool = False
    block_number: bool = False


class OutcomePatch(Patch):
    nullable: ClassVar[frozenset[str]] = frozenset({"retry_delay_seconds", "max_attempts"})

    label: Name | None = None
    kind: str | None = Field(None, pattern="^(positive|negative|callback|retry|final)$")
    retry_delay_seconds: int | None = Field(None, ge=60, le=365 * 86400)
    max_attempts: int | None = Field(None, ge=1, le=100)
    final: bool | None = None
    block_number: bool | None = None


class OutcomeOut(Out):
    code: str
    label: str
    kind: str
    is_system: bool
    retry_delay_seconds: int | None
    max_attempts: int | None
    final: bool
    block_number: bool
    needs_date: bool

"""The compliance report as the API serves it."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from centralino.api.schemas_base import Out


class PresetOut(Out):
    code: str
    name: str
    abandon_cap: float = Field(description="Share of answered calls, 0.03 = 3%")
    cap_window: str = Field(description="campaign, 24h or 30d: what the cap is measured over")
    abandon_after_seconds: float
    treatment: str
    redial_lockout_seconds: float
    min_ring_seconds: float
    amd_false_positive_is_abandon: bool
    operator_guaranteed_after_abandon: bool
    holiday_country: str | None
    legal_hours: dict[str, str | None] = Field(description="By kind of day; null: no calls")


class WindowOut(Out):
    since: datetime | None
    answered: int
    abandoned: int
    rate: float
    within_cap: bool


class BlockOut(Out):
    first_call: int = Field(description="Position of the block's first answered call")
    last_call: int
    answered: int
    abandoned: int
    rate: float
    within_cap: bool


class PerHundredOut(Out):
    size: int
    complete_blocks: int
    last_complete: BlockOut | None
    worst: BlockOut | None
    current: BlockOut | None = Field(description="The block still filling up")


class RuleCountOut(Out):
    rule: dict[str, str]
    attempts: int


class ComplianceOut(Out):
    campaign_id: int
    campaign_name: str
    generated_at: datetime
    preset: PresetOut
    cap: float = Field(description="The cap applied: the campaign's, never above the preset's")
    campaign_cap: float
    governing_window: str
    within_cap: bool
    windows: dict[str, WindowOut] = Field(description="campaign, 24h and 30d")
    per_100_answered: PerHundredOut
    dials_24h: int
    rules_24h: list[RuleCountOut] = Field(description="Dials of the last 24 h by allowing rule")

"""Outbound campaigns (OUT-1): dial mode, state machine, targets, calling windows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum

from centralino.domain.errors import IllegalTransition, InvalidInput


class DialMode(StrEnum):
    MANUAL = "manual"
    PREVIEW = "preview"
    POWER = "power"
    PREDICTIVE = "predictive"


class CampaignState(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"


_MOVES: dict[CampaignState, frozenset[CampaignState]] = {
    CampaignState.DRAFT: frozenset({CampaignState.ACTIVE, CampaignState.FINISHED}),
    CampaignState.ACTIVE: frozenset({CampaignState.PAUSED, CampaignState.FINISHED}),
    CampaignState.PAUSED: frozenset({CampaignState.ACTIVE, CampaignState.FINISHED}),
    CampaignState.FINISHED: frozenset(),
}


def check_transition(current: CampaignState, target: CampaignState) -> None:
    if target is current:
        return
    if target not in _MOVES[current]:
        raise IllegalTransition(
            f"a campaign cannot go from {current.value} to {target.value}", field="state"
        )


@dataclass(slots=True, frozen=True)
class Window:
    """Hours on given weekdays (0 = Monday), in the contact's local time."""

    days: frozenset[int]
    start: time
    end: time

    def __post_init__(self) -> None:
        if not self.days or not all(0 <= d <= 6 for d in self.days):
            raise InvalidInput("window days must be weekdays 0 (Monday) to 6 (Sunday)", "windows")
        if self.start >= self.end:
            raise InvalidInput("a window must end after it starts", "windows")

    def as_json(self) -> dict[str, object]:
        return {
            "days": sorted(self.days),
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Window:
        days = data.get("days")
        start, end = data.get("start"), data.get("end")
        if not isinstance(days, list) or not isinstance(start, str) or not isinstance(end, str):
            raise InvalidInput("a window needs days (list), start and end (HH:MM)", "windows")
        try:
            return cls(
                frozenset(int(d) for d in days), time.fromisoformat(start), time.fromisoformat(end)
            )
        except ValueError as exc:
            raise InvalidInput(f"bad window time: {exc}", "windows") from exc


WEEKDAYS_9_TO_8 = (Window(frozenset(range(5)), time(9), time(20)),)


@dataclass(slots=True)
class Campaign:
    id: int
    company_id: int
    group_id: int
    group_path: str
    client_id: int | None
    name: str
    dial_mode: DialMode
    state: CampaignState
    caller_id: str | None
    default_region: str
    timezone: str
    compliance: str
    windows: tuple[Window, ...]
    max_attempts: int
    priority: int
    positive_target: float
    max_abandon_rate: float
    power_ratio: float
    created_at: datetime
    updated_at: datetime
    settings: dict[str, object] = field(default_factory=dict)

    def move_to(self, target: CampaignState) -> None:
        check_transition(self.state, target)
        self.state = target

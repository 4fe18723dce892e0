"""Pause reasons and the screen-work break rule (IN-4; Italian D.Lgs. 81/2008, the "626" break).

A pause reason may carry a time limit: the supervisor sees who is over it. The screen
break rule asks for `break_minutes` of pause after `work_minutes` of screen work; a
pause with a reason marked `screen_break` that lasts long enough resets the count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from centralino.domain.errors import InvalidInput
from centralino.domain.inbound._json import get

MISSED_CALLS = "missed_calls"  # the system's reason when an operator misses offers


@dataclass(slots=True, frozen=True)
class PauseReason:
    code: str
    label: str
    limit_seconds: float | None = None
    screen_break: bool = False  # counts as the 626 screen-work break

    def __post_init__(self) -> None:
        if not self.code or len(self.code) > 32 or not self.code.replace("_", "").isalnum():
            raise InvalidInput(
                "a pause reason code is 1 to 32 letters, digits or underscores", "code"
            )
        if not self.label:
            raise InvalidInput("a pause reason needs a label", "label")
        if self.limit_seconds is not None and self.limit_seconds <= 0:
            raise InvalidInput("a pause limit must be positive (or absent)", "limit_seconds")

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "label": self.label,
            "limit_seconds": self.limit_seconds,
            "screen_break": self.screen_break,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object], where: str = "pause_reason") -> PauseReason:
        limit = data.get("limit_seconds")
        return cls(
            code=get(data, "code", str, where, ""),
            label=get(data, "label", str, where, ""),
            limit_seconds=None if limit is None else get(data, "limit_seconds", float, where, 0.0),
            screen_break=get(data, "screen_break", bool, where, False),
        )


DEFAULT_REASONS: tuple[PauseReason, ...] = (
    PauseReason("screen_break", "Screen break (626)", 15 * 60, screen_break=True),
    PauseReason("lunch", "Lunch", 60 * 60),
    PauseReason("coffee", "Coffee", 10 * 60),
    PauseReason("training", "Training"),
    PauseReason("meeting", "Meeting"),
    PauseReason("technical", "Technical problem", 15 * 60),
    PauseReason(MISSED_CALLS, "Missed calls", None),
)


def reasons_by_code(reasons: Iterable[PauseReason]) -> dict[str, PauseReason]:
    out: dict[str, PauseReason] = {}
    for r in reasons:
        if r.code in out:
            raise InvalidInput(f"pause reason {r.code!r} defined twice", "code")
        out[r.code] = r
    out.setdefault(MISSED_CALLS, PauseReason(MISSED_CALLS, "Missed calls"))
    return out


@dataclass(slots=True, frozen=True)
class ScreenBreakRule:
    """By default 15 minutes of break every 120 minutes of screen work."""

    work_minutes: float = 120.0
    break_minutes: float = 15.0
    remind_before_minutes: float = 5.0

    def __post_init__(self) -> None:
        if self.work_minutes <= 0 or self.break_minutes <= 0 or self.remind_before_minutes < 0:
            raise InvalidInput("screen break: work and break minutes must be positive", "screen")

    def counts_as_break(self, paused_seconds: float) -> bool:
        """Any pause at least as long as the break resets the count: the rule asks for a
        change of activity, whatever the reason is called."""
        return paused_seconds >= self.break_minutes * 60

    def due_at(self, work_started: float) -> float:
        """When the break is due, given when the current stretch of screen work began."""
        return work_started + self.work_minutes * 60

    def remind_at(self, work_started: float) -> float:
        return self.due_at(work_started) - self.remind_before_minutes * 60

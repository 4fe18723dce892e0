"""Country compliance presets (OUT-10), facts as reported in the spec; admins may tighten.

A preset gives the legal calling hours by kind of day and the abandoned-call rules:
what counts as abandoned, the cap and the window it is measured over, what the
customer hears, and how long an abandoned number may not be redialled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from enum import StrEnum


class DayKind(StrEnum):
    WEEKDAY = "weekday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"
    HOLIDAY = "holiday"
    PRE_HOLIDAY = "pre_holiday"


class CapWindow(StrEnum):
    """Over what the abandon rate is measured."""

    CAMPAIGN = "campaign"  # per 100 answered calls over the whole campaign (Italy)
    DAY = "24h"  # rolling 24 hours (UK)
    MONTH = "30d"  # rolling 30 days (USA)


class AbandonTreatment(StrEnum):
    MESSAGE = "message"
    COMFORT_NOISE = "comfort_noise"


@dataclass(slots=True, frozen=True)
class Hours:
    start: time
    end: time

    def contains(self, t: time) -> bool:
        return self.start <= t < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(slots=True, frozen=True)
class CompliancePreset:
    code: str
    name: str
    hours: dict[DayKind, Hours | None]
    holiday_country: str | None
    abandon_after: timedelta  # no operator within this time of the answer: abandoned
    abandon_cap: float
    cap_window: CapWindow
    treatment: AbandonTreatment
    redial_lockout: timedelta
    min_ring: timedelta
    amd_false_positive_is_abandon: bool
    operator_guaranteed_after_abandon: bool

    def hours_for(self, kind: DayKind) -> Hours | None:
        return self.hours.get(kind)


_IT_WEEK = Hours(time(9), time(20))
_IT_SAT = Hours(time(10), time(19))
_8_TO_9 = Hours(time(8), time(21))

PRESETS: dict[str, CompliancePreset] = {
    "it": CompliancePreset(
        code="it",
        name="Italy (telemarketing code 2024, Garante 2014)",
        hours={
            DayKind.WEEKDAY: _IT_WEEK,
            DayKind.SATURDAY: _IT_SAT,
            DayKind.PRE_HOLIDAY: _IT_SAT,
            DayKind.SUNDAY: None,
            DayKind.HOLIDAY: None,
        },
        holiday_country="IT",
        abandon_after=timedelta(seconds=3),
        abandon_cap=0.03,
        cap_window=CapWindow.CAMPAIGN,
        treatment=AbandonTreatment.COMFORT_NOISE,
        redial_lockout=timedelta(days=7),
        min_ring=timedelta(seconds=0),
        amd_false_positive_is_abandon=False,
        operator_guaranteed_after_abandon=True,
    ),
    "us": CompliancePreset(
        code="us",
        name="USA (TCPA)",
        hours={k: _8_TO_9 for k in DayKind},
        holiday_country=None,
        abandon_after=timedelta(seconds=2),
        abandon_cap=0.03,
        cap_window=CapWindow.MONTH,
        treatment=AbandonTreatment.MESSAGE,
        redial_lockout=timedelta(hours=72),
        min_ring=timedelta(seconds=15),
        amd_false_positive_is_abandon=False,
        operator_guaranteed_after_abandon=False,
    ),
    "uk": CompliancePreset(
        code="uk",
        name="UK (Ofcom persistent misuse policy)",
        hours={k: _8_TO_9 for k in DayKind},
        holiday_country=None,
        abandon_after=timedelta(seconds=2),
        abandon_cap=0.03,
        cap_window=CapWindow.DAY,
        treatment=AbandonTreatment.MESSAGE,
        redial_lockout=timedelta(hours=72),
        min_ring=timedelta(seconds=15),
        amd_false_positive_is_abandon=True,
        operator_guaranteed_after_abandon=True,
    ),
    "custom": CompliancePreset(
        code="custom",
        name="Custom (campaign windows only)",
        hours={k: Hours(time(0), time(23, 59, 59)) for k in DayKind},
        holiday_country=None,
        abandon_after=timedelta(seconds=2),
        abandon_cap=0.03,
        cap_window=CapWindow.CAMPAIGN,
        treatment=AbandonTreatment.MESSAGE,
        redial_lockout=timedelta(hours=72),
        min_ring=timedelta(seconds=0),
        amd_false_positive_is_abandon=False,
        operator_guaranteed_after_abandon=False,
    ),
}

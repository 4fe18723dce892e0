"""When a contact may be called: the campaign's windows inside the preset's legal hours,
in the contact's own time zone, with public holidays.

Holidays come in as a function, so the domain stays free of calendars and I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from centralino.domain.outbound.campaign import Window
from centralino.domain.outbound.compliance import CompliancePreset, DayKind, Hours

IsHoliday = Callable[[date], bool]
SEARCH_DAYS = 21


def no_holidays(_: date) -> bool:
    return False


def day_kind(d: date, is_holiday: IsHoliday) -> DayKind:
    if is_holiday(d):
        return DayKind.HOLIDAY
    if d.weekday() == 6:
        return DayKind.SUNDAY
    if is_holiday(d + timedelta(days=1)):
        return DayKind.PRE_HOLIDAY
    if d.weekday() == 5:
        return DayKind.SATURDAY
    return DayKind.WEEKDAY


@dataclass(slots=True, frozen=True)
class Permit:
    """Why a dial was allowed: kept with the attempt so a compliance report can prove it."""

    local_time: str
    day_kind: str
    legal_hours: str
    campaign_window: str
    preset: str

    def as_json(self) -> dict[str, str]:
        return {
            "preset": self.preset,
            "local_time": self.local_time,
            "day_kind": self.day_kind,
            "legal_hours": self.legal_hours,
            "campaign_window": self.campaign_window,
        }


def _intervals(
    d: date, windows: Sequence[Window], preset: CompliancePreset, is_holiday: IsHoliday,
    skip_holidays: bool,
) -> list[tuple[time, time, Hours, Window]]:  # fmt: skip
    kind = day_kind(d, is_holiday)
    legal = preset.hours_for(kind)
    if legal is None or (skip_holidays and kind is DayKind.HOLIDAY):
        return []
    out = []
    for w in windows:
        if d.weekday() not in w.days:
            continue
        start, end = max(w.start, legal.start), min(w.end, legal.end)
        if start < end:
            out.append((start, end, legal, w))
    return sorted(out, key=lambda x: x[0])


def days_text(w: Window) -> str:
    return ",".join(str(d) for d in sorted(w.days))


def permit(
    now: datetime,
    tz: str,
    windows: Sequence[Window],
    preset: CompliancePreset,
    is_holiday: IsHoliday = no_holidays,
    skip_holidays: bool = True,
) -> Permit | None:
    """The rule that allows calling a contact in `tz` at `now` (aware), or None."""
    local = now.astimezone(ZoneInfo(tz))
    t = local.time().replace(tzinfo=None)
    for start, end, legal, w in _intervals(
        local.date(), windows, preset, is_holiday, skip_holidays
    ):
        if start <= t < end:
            return Permit(
                local_time=local.isoformat(timespec="minutes"),
                day_kind=day_kind(local.date(), is_holiday).value,
                legal_hours=str(legal),
                campaign_window=f"{days_text(w)} {w.start:%H:%M}-{w.end:%H:%M}",
                preset=preset.code,
            )
    return None


def next_allowed(
    after: datetime,
    tz: str,
    windows: Sequence[Window],
    preset: CompliancePreset,
    is_holiday: IsHoliday = no_holidays,
    skip_holidays: bool = True,
) -> datetime | None:
    """The first instant at or after `after` when the contact may be called (UTC-aware).

    None when no window opens within three weeks (a misconfigured campaign).
    """
    zone = ZoneInfo(tz)
    local = after.astimezone(zone)
    for offset in range(SEARCH_DAYS):
        d = local.date() + timedelta(days=offset)
        for start, end, _legal, _w in _intervals(d, windows, preset, is_holiday, skip_holidays):
            candidate = datetime.combine(d, start, tzinfo=zone)
            if offset == 0 and local.time().replace(tzinfo=None) >= start:
                if local.time().replace(tzinfo=None) < end:
                    return after
                continue
            # A wall time skipped by a DST jump still maps to a valid instant via fold=0.
            result = candidate.astimezone(after.tzinfo)
            if result >= after:
                return result
    return None

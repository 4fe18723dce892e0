"""Calling windows (OUT-1, OUT-10): campaign hours inside legal hours, in the contact's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from centralino.domain.outbound.campaign import Window
from centralino.domain.outbound.compliance import PRESETS
from centralino.domain.outbound.windows import day_kind, next_allowed, permit

IT = PRESETS["it"]
US = PRESETS["us"]
ALL_WEEK = (Window(frozenset(range(7)), time(0), time(23, 59)),)
# Italian public holidays used in tests (a fixed set keeps the domain test pure).
IT_HOLIDAYS = {date(2026, 12, 8), date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)}


def it_holiday(d: date) -> bool:
    return d in IT_HOLIDAYS


def at(local: str, tz: str = "Europe/Rome") -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def test_italy_weekday_hours() -> None:
    assert permit(at("2026-11-23T09:00"), "Europe/Rome", ALL_WEEK, IT) is not None  # Monday
    assert permit(at("2026-11-23T08:59"), "Europe/Rome", ALL_WEEK, IT) is None
    assert permit(at("2026-11-23T19:59"), "Europe/Rome", ALL_WEEK, IT) is not None
    assert permit(at("2026-11-23T20:00"), "Europe/Rome", ALL_WEEK, IT) is None


def test_italy_saturday_sunday_holiday_and_pre_holiday() -> None:
    assert permit(at("2026-11-28T09:30"), "Europe/Rome", ALL_WEEK, IT) is None  # Saturday
    assert permit(at("2026-11-28T10:00"), "Europe/Rome", ALL_WEEK, IT) is not None
    assert permit(at("2026-11-29T12:00"), "Europe/Rome", ALL_WEEK, IT) is None  # Sunday
    assert permit(at("2026-12-08T12:00"), "Europe/Rome", ALL_WEEK, IT, it_holiday) is None
    pre = permit(at("2026-12-07T19:30"), "Europe/Rome", ALL_WEEK, IT, it_holiday)
    assert pre is None  # Monday before a holiday closes at 19:00
    assert day_kind(date(2026, 12, 7), it_holiday).value == "pre_holiday"


def test_the_contacts_zone_decides_not_the_centers() -> None:
    # 15:00 in Rome is 09:00 in New York: legal there under the US preset, not at 07:00.
    now = at("2026-11-23T15:00")
    assert permit(now, "America/New_York", ALL_WEEK, US) is not None
    assert permit(at("2026-11-23T13:00"), "America/New_York", ALL_WEEK, US) is None


def test_campaign_window_narrows_legal_hours_and_records_the_rule() -> None:
    evening = (Window(frozenset(range(5)), time(17), time(21)),)
    p = permit(at("2026-11-23T18:00"), "Europe/Rome", evening, IT)
    assert p is not None and p.legal_hours == "09:00-20:00" and "17:00-21:00" in p.campaign_window
    assert permit(at("2026-11-23T20:30"), "Europe/Rome", evening, IT) is None


def test_next_allowed_skips_nights_weekends_and_holidays() -> None:
    friday_night = at("2026-12-04T21:00")
    nxt = next_allowed(friday_night, "Europe/Rome", ALL_WEEK, IT, it_holiday)
    assert nxt == at("2026-12-05T10:00")  # Saturday hours
    before_holiday = at("2026-12-07T19:30")  # Monday pre-holiday, closed at 19:00
    assert next_allowed(before_holiday, "Europe/Rome", ALL_WEEK, IT, it_holiday) == at(
        "2026-12-09T09:00"
    )
    inside = at("2026-11-23T11:00")
    assert next_allowed(inside, "Europe/Rome", ALL_WEEK, IT) == inside


def test_daylight_saving_change_keeps_local_hours() -> None:
    # Sunday 2026-10-25 clocks go back in Rome; Monday 09:00 local is 08:00 UTC.
    nxt = next_allowed(at("2026-10-24T20:00"), "Europe/Rome", ALL_WEEK, IT)
    assert nxt == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


zones = st.sampled_from(
    ["Europe/Rome", "Europe/London", "America/New_York", "Asia/Tokyo", "Europe/Warsaw"]
)
windows = st.lists(
    st.builds(
        lambda days, s, length: Window(frozenset(days), time(s), time(min(23, s + length), 0)),
        st.sets(st.integers(0, 6), min_size=1),
        st.integers(0, 20),
        st.integers(1, 10),
    ),
    min_size=1,
    max_size=3,
)


@settings(max_examples=150, deadline=None)
@given(
    now=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    tz=zones,
    wins=windows,
    preset=st.sampled_from(["it", "us", "uk"]),
)
def test_never_outside_windows_and_next_allowed_is_the_first(
    now: datetime, tz: str, wins: list[Window], preset: str
) -> None:
    p = PRESETS[preset]
    got = permit(now, tz, wins, p, it_holiday)
    if got is not None:
        local = now.astimezone(ZoneInfo(tz))
        legal = p.hours_for(day_kind(local.date(), it_holiday))
        assert legal is not None and legal.contains(local.time().replace(tzinfo=None))
        assert any(
            w.start <= local.time().replace(tzinfo=None) < w.end and local.weekday() in w.days
            for w in wins
        )
    nxt = next_allowed(now, tz, wins, p, it_holiday)
    if nxt is None:
        return
    assert nxt >= now and permit(nxt, tz, wins, p, it_holiday) is not None
    # nothing allowed in between, sampled every 10 minutes
    probe = now
    while probe < nxt:
        assert permit(probe, tz, wins, p, it_holiday) is None
        probe += timedelta(minutes=10)

"""Report buckets in local wall-clock time across daylight-saving changes, and filters.

Europe/Rome: summer time starts 2026-03-29 at 02:00 CET (01:00 UTC), the clock jumps to
03:00; it ends 2026-10-25 at 03:00 CEST (01:00 UTC), the clock goes back to 02:00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from centralino.domain.errors import InvalidInput
from centralino.domain.reports import (
    BucketBy,
    Filters,
    Period,
    Refusal,
    bucket_of,
    hour_ranges,
    parse_hours,
    parse_ranges,
    refusal,
    whole_utc_days,
)

ROME = ZoneInfo("Europe/Rome")


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)  # type: ignore[misc]


def test_spring_forward_day_has_23_hours_and_no_2_am() -> None:
    day = Period(date(2026, 3, 29), date(2026, 3, 29), ROME)
    assert (day.start, day.end) == (utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))
    hours = list(day.buckets(BucketBy.HOUR))
    assert [b.label for b in hours] == [
        "2026-03-29 00:00 +01:00", "2026-03-29 01:00 +01:00",
        *[f"2026-03-29 {h:02d}:00 +02:00" for h in range(3, 24)],
    ]  # fmt: skip
    assert len(hours) == 23
    assert [b.start for b in hours[:3]] == [utc(2026, 3, 28, 23), utc(2026, 3, 29, 0),
                                            utc(2026, 3, 29, 1)]  # fmt: skip
    assert hours[-1].start == utc(2026, 3, 29, 21)
    # 01:59:59 CET and 03:00 CEST are one second apart, in consecutive buckets
    assert bucket_of(utc(2026, 3, 29, 0, 59, 59), ROME, BucketBy.HOUR) == hours[1]
    assert bucket_of(utc(2026, 3, 29, 1), ROME, BucketBy.HOUR) == hours[2]


def test_fall_back_day_has_25_hours_and_2_am_twice() -> None:
    day = Period(date(2026, 10, 25), date(2026, 10, 25), ROME)
    assert (day.start, day.end) == (utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))
    hours = list(day.buckets(BucketBy.HOUR))
    assert len(hours) == 25
    assert [b.label for b in hours[:5]] == [
        "2026-10-25 00:00 +02:00", "2026-10-25 01:00 +02:00", "2026-10-25 02:00 +02:00",
        "2026-10-25 02:00 +01:00", "2026-10-25 03:00 +01:00",
    ]  # fmt: skip
    assert [b.start for b in hours[2:4]] == [utc(2026, 10, 25, 0), utc(2026, 10, 25, 1)]
    assert bucket_of(utc(2026, 10, 25, 0, 30), ROME, BucketBy.HOUR) == hours[2]
    assert bucket_of(utc(2026, 10, 25, 1, 30), ROME, BucketBy.HOUR) == hours[3]
    assert hours[-1].label == "2026-10-25 23:00 +01:00"


def test_days_and_months_are_local() -> None:
    both = Period(date(2026, 10, 24), date(2026, 10, 26), ROME)
    days = list(both.buckets(BucketBy.DAY))
    assert [(b.label, b.start) for b in days] == [
        ("2026-10-24", utc(2026, 10, 23, 22)),
        ("2026-10-25", utc(2026, 10, 24, 22)),
        ("2026-10-26", utc(2026, 10, 25, 23)),
    ]
    # 23:30 CET on the 25th is still the 25th; 00:30 on the 26th is not
    assert bucket_of(utc(2026, 10, 25, 22, 30), ROME, BucketBy.DAY).label == "2026-10-25"
    assert bucket_of(utc(2026, 10, 25, 23, 30), ROME, BucketBy.DAY).label == "2026-10-26"
    months = list(Period(date(2026, 3, 15), date(2026, 4, 2), ROME).buckets(BucketBy.MONTH))
    assert [(b.label, b.start) for b in months] == [
        ("2026-03", utc(2026, 2, 28, 23)),
        ("2026-04", utc(2026, 3, 31, 22)),
    ]
    # the last night of March in summer time belongs to April from 22:00 UTC
    assert bucket_of(utc(2026, 3, 31, 22, 0), ROME, BucketBy.MONTH).label == "2026-04"
    assert bucket_of(utc(2026, 3, 31, 21, 59), ROME, BucketBy.MONTH).label == "2026-03"


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(InvalidInput):
        Period(date(2026, 3, 2), date(2026, 3, 1), ROME)


def test_ranges_and_hours() -> None:
    assert parse_ranges("0-4", 0, 6, "weekdays") == {0, 1, 2, 3, 4}
    assert parse_ranges("0,2, 5-6", 0, 6, "weekdays") == {0, 2, 5, 6}
    assert parse_hours("9-18") == set(range(9, 18))
    assert parse_hours("9,14-16") == {9, 14, 15}
    assert parse_hours("0-24") == set(range(24))
    for bad in ("7", "4-2", "x", "1-"):
        with pytest.raises(InvalidInput) as e:
            parse_ranges(bad, 0, 6, "weekdays")
        assert e.value.field == "weekdays"
    for bad in ("18-9", "9-25", "24", "a-b", ""):
        with pytest.raises(InvalidInput) as e:
            parse_hours(bad)
        assert e.value.field == "hours"


def test_filters_read_local_time() -> None:
    f = Filters(weekdays=frozenset({6}), hours=frozenset({2}))
    # 2026-10-25 is a Sunday; both 02:xx hours are kept, 03:00 is not
    assert f.keeps(utc(2026, 10, 25, 0, 30).astimezone(ROME))
    assert f.keeps(utc(2026, 10, 25, 1, 30).astimezone(ROME))
    assert not f.keeps(utc(2026, 10, 25, 2, 30).astimezone(ROME))
    assert not f.keeps(utc(2026, 10, 26, 1, 30).astimezone(ROME))  # Monday
    day = Period(date(2026, 10, 25), date(2026, 10, 26), ROME)
    kept = [b.label for b in day.buckets(BucketBy.HOUR) if f.keeps_bucket(b, ROME, BucketBy.HOUR)]
    assert kept == ["2026-10-25 02:00 +02:00", "2026-10-25 02:00 +01:00"]
    kept = [b.label for b in day.buckets(BucketBy.DAY) if f.keeps_bucket(b, ROME, BucketBy.DAY)]
    assert kept == ["2026-10-25"]


def test_refusal_reasons_as_the_engine_writes_them() -> None:
    assert refusal("closed") is Refusal.CLOSED
    assert refusal("queue care full (40 waiting)") is Refusal.QUEUE_FULL
    assert refusal("no service on +390699000") is Refusal.NO_SERVICE
    assert refusal(None) is Refusal.OTHER


def test_tallies_are_the_inbound_stats_fields_in_order() -> None:
    """`Figures.of_sums` builds InboundStats positionally from sums in TALLY order."""
    from dataclasses import fields

    from centralino.domain.kpis import InboundStats
    from centralino.domain.reports import TALLY, TALLY_STATS, Figures

    assert tuple(f.name for f in fields(InboundStats))[2:] == TALLY_STATS
    sums = list(range(1, len(TALLY) + 1))
    f = Figures.of_sums(15.0, sums)
    assert f.tally() == dict(zip(TALLY, sums, strict=True))
    assert f.stats.target_seconds == 15.0 and f.stats.since == float("-inf")
    assert Figures.of_sums(20.0, [None] * len(TALLY)).tally() == dict.fromkeys(TALLY, 0)


def test_a_month_in_rome_is_its_whole_utc_days_and_an_hour_at_each_end() -> None:
    month = Period(date(2026, 11, 1), date(2026, 11, 30), ROME)
    days, hours = whole_utc_days(hour_ranges(month, Filters()))
    assert days == [(utc(2026, 11, 1), utc(2026, 11, 30))]
    assert hours == [(utc(2026, 10, 31, 23), utc(2026, 11, 1)),
                     (utc(2026, 11, 30), utc(2026, 11, 30, 23))]  # fmt: skip
    # one local day in Rome holds no whole UTC day: every hour is read by the hour
    day = Period(date(2026, 11, 2), date(2026, 11, 2), ROME)
    assert whole_utc_days(hour_ranges(day, Filters())) == (
        [],
        [(utc(2026, 11, 1, 23), utc(2026, 11, 2, 23))],
    )


@given(
    st.lists(st.tuples(st.integers(0, 24 * 20), st.integers(1, 24 * 5)), max_size=6),
)
def test_whole_utc_days_cover_the_spans_exactly_once(cuts: list[tuple[int, int]]) -> None:
    """Every hour of the spans is in exactly one day span or hour span, and nothing else;
    the day spans start and end at 00:00 UTC."""
    base = utc(2026, 3, 20).timestamp()
    spans, at = [], 0
    for gap, length in cuts:  # disjoint, ordered, as hour_ranges gives them
        start = at + gap
        spans.append((datetime.fromtimestamp(base + start * 3600, UTC),
                      datetime.fromtimestamp(base + (start + length) * 3600, UTC)))  # fmt: skip
        at = start + length + 1

    def hours_of(ranges: list[tuple[datetime, datetime]]) -> list[float]:
        return [t for a, b in ranges for t in range(int(a.timestamp()), int(b.timestamp()), 3600)]

    days, rest = whole_utc_days(spans)
    assert all(x.hour == 0 and y.hour == 0 and x < y for x, y in days)
    got = hours_of(days) + hours_of(rest)
    assert sorted(got) == hours_of(spans) and len(set(got)) == len(got)

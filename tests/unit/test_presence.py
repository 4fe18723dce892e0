"""Presence per local day from a state log (domain.presence): cuts at midnight and at the
kept hours, the time up to `until`, pauses counted where they start and judged whole."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from centralino.domain.operators import OperatorState
from centralino.domain.presence import Segment, StateChange, presence_by_day, segments

S = OperatorState
T0 = datetime(2026, 11, 24, tzinfo=UTC)  # a UTC zone keeps the days easy to read


def h(hours: float) -> float:
    """Clock seconds, `hours` after T0."""
    return T0.timestamp() + hours * 3600


DAYS = [(date(2026, 11, 24), h(0), h(24)), (date(2026, 11, 25), h(24), h(48))]


def test_segments_cut_the_kept_spans_at_midnight() -> None:
    spans = [(h(9), h(12)), (h(20), h(33))]  # 09-12, then 20:00 to 09:00 the next day
    assert segments(DAYS, spans) == [
        Segment(h(9), h(12), date(2026, 11, 24)),
        Segment(h(20), h(24), date(2026, 11, 24)),
        Segment(h(24), h(33), date(2026, 11, 25)),
    ]


def test_a_pause_before_the_period_adds_time_but_is_not_counted() -> None:
    log = [
        StateChange(h(-1), S.PAUSED, "coffee"),
        StateChange(h(1), S.READY),
        StateChange(h(2), S.LOGGED_OUT),
    ]
    days = presence_by_day(log, segments(DAYS, [(h(0), h(48))]), h(48), {"coffee": 600}, h(50))
    d = days[date(2026, 11, 24)]
    assert (d.paused, d.ready, d.pauses, d.over_limit) == (3600.0, 3600.0, {}, {})
    assert (d.first_login, d.last_logout) == (h(0), h(2))


def test_an_open_state_runs_to_until_and_an_open_pause_is_judged_to_now() -> None:
    log = [StateChange(h(10), S.PAUSED, "coffee")]
    cuts = segments(DAYS, [(h(0), h(48))])
    days = presence_by_day(log, cuts, h(10.1), {"coffee": 600}, h(10.1))
    d = days[date(2026, 11, 24)]
    assert (d.paused, d.pauses, d.over_limit) == (360.0, {"coffee": 1}, {"coffee": 0})
    days = presence_by_day(log, cuts, h(10.5), {"coffee": 600}, h(10.5))
    assert days[date(2026, 11, 24)].over_limit == {"coffee": 1}


_STATES = st.sampled_from(list(OperatorState))
_REASONS = st.sampled_from([None, "coffee", "lunch"])


@given(
    st.lists(st.tuples(st.integers(-600, 3500), _STATES, _REASONS), max_size=25),
    st.integers(0, 2880),
)
def test_days_add_up_to_the_logged_in_time(
    steps: list[tuple[int, OperatorState, str | None]], until_minutes: int
) -> None:
    """Whatever the log, the days hold exactly the logged-in time inside [start, until),
    split by state, and each pause that starts in the period is counted once."""
    log = sorted(
        (StateChange(h(m / 60), s, r if s is S.PAUSED else None) for m, s, r in steps),
        key=lambda c: c.at,
    )
    until = h(until_minutes / 60)
    days = presence_by_day(log, segments(DAYS, [(h(0), h(48))]), until, {"coffee": 600}, until)
    expected = 0.0
    pauses = 0
    for i, c in enumerate(log):
        if c.state is S.LOGGED_OUT:
            continue
        end = min(log[i + 1].at if i + 1 < len(log) else until, until)
        expected += max(end - max(c.at, h(0)), 0.0)
        pauses += c.state is S.PAUSED and h(0) <= c.at < until
    total = sum(d.logged_in for d in days.values())
    assert abs(total - expected) < 1e-6
    for d in days.values():
        parts = d.ready + d.connecting + d.talking + d.wrap_up + d.paused
        assert abs(parts - d.logged_in) < 1e-6
        assert abs(sum(d.pause_time.values()) - d.paused) < 1e-6
    assert sum(d.pause_count for d in days.values()) == pauses

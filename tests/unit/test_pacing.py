"""Dialer pacing: power lines, predictive estimates, the abandon guard and the gain."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from centralino.domain.outbound.pacing import (
    AbandonWindow,
    DialStats,
    PredictivePacer,
    power_lines,
)


def test_power_lines() -> None:
    assert power_lines(1.0, ready=3, in_flight=0) == 3
    assert power_lines(2.0, ready=3, in_flight=4) == 2
    assert power_lines(1.5, ready=3, in_flight=0) == 5  # 4.5 rounds half up
    assert power_lines(1.0, ready=0, in_flight=2) == 0


def warmed(p: PredictivePacer, answer_every: int = 4, talk: float = 90.0) -> PredictivePacer:
    for i in range(200):
        p.stats.dial_resolved(i % answer_every == 0, 12.0 if i % answer_every == 0 else 25.0)
    for i in range(100):
        p.stats.talks.add(talk + (i % 7) * 10)
        p.stats.wraps.add(15.0)
    return p


def test_warming_up_is_one_line_per_free_operator() -> None:
    p = PredictivePacer()
    assert p.lines(ready=5, rung=[3.0], busy=[], waiting=0, operators=5) == 4
    assert p.last_rule.startswith("warming up")


def test_predictive_dials_ahead_for_free_operators() -> None:
    p = warmed(PredictivePacer())
    n = p.lines(ready=4, rung=[], busy=[], waiting=0, operators=4)
    assert n == 16  # four free operators at a 25% answer rate, gain 1.0
    assert p.last_rule.startswith("predictive")


def test_operators_about_to_finish_count_and_ringing_dials_are_expected_answers() -> None:
    p = warmed(PredictivePacer())
    talking = p.lines(ready=0, rung=[], busy=[(True, 10.0)] * 10, waiting=0, operators=10)
    ending = p.lines(ready=0, rung=[], busy=[(False, 10.0)] * 10, waiting=0, operators=10)
    assert talking == 0  # 10 s into a call of 90 s or more, plus 15 s of wrap-up
    assert ending == 40  # 10 s into a wrap-up of 15 s: all ten free within the horizon
    with_ringing = p.lines(
        ready=0, rung=[1.0] * 8, busy=[(False, 10.0)] * 10, waiting=0, operators=10
    )
    assert with_ringing < ending


def test_answer_chance_falls_as_a_dial_rings_on() -> None:
    s = DialStats()
    for i in range(100):
        s.dial_resolved(i % 4 == 0, 10.0 if i % 4 == 0 else 25.0)
    assert s.answer_chance(0.0) == 0.25
    assert s.answer_chance(11.0) == 0.0


def test_the_guard_falls_back_to_one_line_per_free_operator_at_the_cap() -> None:
    p = warmed(PredictivePacer(cap=0.03))
    for i in range(100):
        p.answered(i < 5, float(i))  # 5% abandoned
    assert p.capped()
    assert p.lines(ready=4, rung=[], busy=[], waiting=0, operators=4) == 4
    assert "abandon cap 3% reached" in p.last_rule


def test_the_gain_falls_after_an_abandon_and_creeps_up_otherwise() -> None:
    p = PredictivePacer()
    k = p.k
    p.answered(True, 0.0)
    assert p.k < k
    k = p.k
    p.answered(False, 1.0)
    assert p.k > k


def test_rolling_window_forgets_old_calls() -> None:
    w = AbandonWindow(seconds=100.0)
    w.add(True, 0.0)
    w.add(False, 150.0)
    assert w.rolling_rate() == 0.0 and w.campaign_rate() == 0.5


@given(
    ready=st.integers(0, 60),
    rung=st.lists(st.floats(0, 40), max_size=100),
    busy=st.lists(st.tuples(st.booleans(), st.floats(0, 600)), max_size=60),
    waiting=st.integers(0, 5),
    k=st.floats(0.3, 4.0),
)
def test_lines_are_never_negative_nor_beyond_the_limit(
    ready: int, rung: list[float], busy: list[tuple[bool, float]], waiting: int, k: float
) -> None:
    p = warmed(PredictivePacer(k=k))
    operators = ready + len(busy)
    n = p.lines(ready, rung, busy, waiting, operators)
    assert 0 <= n <= max(0, p.max_lines_per_operator * operators - len(rung))

"""QA-1 service levels: the check of figures against a minimum and a target."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from centralino.domain.call_record import CallRecord, CallResult
from centralino.domain.errors import InvalidInput
from centralino.domain.service_levels import (
    Criteria,
    Criterion,
    Level,
    ServiceLevelPolicy,
    worse,
)

POLICY = ServiceLevelPolicy(
    minimum=Criteria(30, 0.70, max_abandon_rate=0.10, max_average_wait=40),
    target=Criteria(20, 0.80, max_abandon_rate=0.05, max_average_wait=20),
)


def _call(wait: float | None, result: CallResult = CallResult.TALKED) -> CallRecord:
    """A call queued at 0 and answered after `wait` s (None: abandoned after 50 s)."""
    if wait is None:
        return CallRecord(1, "inbound", "q", "+39", 0.0, queued_at=0.0, ended_at=50.0,
                          result=CallResult.ABANDONED)  # fmt: skip
    return CallRecord(1, "inbound", "q", "+39", 0.0, queued_at=0.0, picked_up_at=wait,
                      ended_at=wait + 60, result=result)  # fmt: skip


def _judge(waits: list[float | None], policy: ServiceLevelPolicy = POLICY):  # type: ignore[no-untyped-def]
    lo, hi = policy.counters()
    for w in waits:
        lo.add(_call(w))
        hi.add(_call(w))
    return policy.judge(lo, hi)


def test_every_target_reached_is_met() -> None:
    # 10 calls: 9 within 20 s, 1 at 25 s; nobody abandoned; average wait 6.5 s
    v = _judge([5.0] * 9 + [25.0])
    assert v.level is Level.MET
    answered = v.checks[0]
    assert answered.criterion is Criterion.ANSWERED and answered.value == pytest.approx(0.9)
    assert [c.level for c in v.checks] == [Level.MET] * 3
    assert v.checks[2].value == pytest.approx((9 * 5 + 25) / 10)


def test_a_target_missed_with_the_minimum_kept_is_minimum() -> None:
    # 10 calls: 7 within 20 s, 2 at 25 s (within the minimum's 30 s), 1 abandoned
    v = _judge([10.0] * 7 + [25.0, 25.0, None])
    answered, abandoned, wait = v.checks
    assert answered.value == pytest.approx(0.7) and answered.level is Level.MINIMUM  # 0.9 in 30 s
    assert abandoned.value == pytest.approx(0.1) and abandoned.level is Level.MINIMUM
    assert wait.value == pytest.approx((70 + 50) / 9) and wait.level is Level.MET
    assert v.level is Level.MINIMUM
    assert [c.criterion for c in v.missed()] == [Criterion.ANSWERED, Criterion.ABANDONED]


def test_below_a_minimum_is_missed_whatever_the_others() -> None:
    # 10 calls: 6 within 20 s, 1 at 35 s, 3 abandoned: 60% in 30 s < 70%, 30% abandoned
    v = _judge([1.0] * 6 + [35.0, None, None, None])
    assert v.level is Level.MISSED
    assert {c.criterion: c.level for c in v.checks} == {
        Criterion.ANSWERED: Level.MISSED,
        Criterion.ABANDONED: Level.MISSED,
        Criterion.WAIT: Level.MET,
    }


def test_no_offered_call_is_no_calls_and_optional_criteria_are_left_out() -> None:
    assert _judge([]).level is Level.NO_CALLS
    bare = ServiceLevelPolicy(Criteria(30, 0.7), Criteria(20, 0.8))
    v = _judge([5.0, None], bare)  # 50% within N, half abandoned: only the share is judged
    assert [c.criterion for c in v.checks] == [Criterion.ANSWERED]
    assert v.level is Level.MISSED


def test_refused_calls_are_not_offered_and_do_not_count() -> None:
    lo, hi = POLICY.counters()
    refused = CallRecord(2, "inbound", "q", "+39", 0.0, result=CallResult.REFUSED)
    for s in (lo, hi):
        s.add(refused)
        s.add(_call(3.0))
    assert POLICY.judge(lo, hi).level is Level.MET


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        (ServiceLevelPolicy(Criteria(0, 0.7), Criteria(20, 0.8)), "minimum.answer_within"),
        (ServiceLevelPolicy(Criteria(30, 1.7), Criteria(20, 0.8)), "minimum.answered_share"),
        (
            ServiceLevelPolicy(Criteria(30, 0.7), Criteria(20, 0.8, max_abandon_rate=-1)),
            "target.max_abandon_rate",
        ),
        (ServiceLevelPolicy(Criteria(30, 0.7), Criteria(20, 0.6)), "target.answered_share"),
        (ServiceLevelPolicy(Criteria(20, 0.8), Criteria(30, 0.8)), "target.answered_share"),
        (
            ServiceLevelPolicy(
                Criteria(30, 0.7, max_average_wait=20), Criteria(20, 0.8, max_average_wait=30)
            ),
            "target.max_average_wait",
        ),
    ],
)
def test_bad_policies_name_the_field(policy: ServiceLevelPolicy, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        policy.validate()
    assert err.value.field == field


def test_a_policy_round_trips_through_json() -> None:
    POLICY.validate()
    assert ServiceLevelPolicy.from_json(POLICY.as_json()) == POLICY


@given(st.lists(st.one_of(st.none(), st.floats(0, 120)), max_size=40))
def test_the_verdict_is_the_worst_check_and_met_needs_every_target(
    waits: list[float | None],
) -> None:
    v = _judge(waits)
    if not waits:
        assert v.level is Level.NO_CALLS
        return
    worst = Level.MET
    for c in v.checks:
        worst = worse(worst, c.level)
    assert v.level is worst
    answered = sum(1 for w in waits if w is not None and w <= 20)
    if v.level is Level.MET:
        assert answered / len(waits) >= 0.8
        assert sum(w is None for w in waits) / len(waits) <= 0.05

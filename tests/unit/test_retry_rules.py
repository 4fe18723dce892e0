"""Outcomes and retry rules (OUT-3): CCO defaults and the dates they produce."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from centralino.domain.errors import InvalidInput
from centralino.domain.outbound.outcomes import (
    CCO_DEFAULTS,
    Outcome,
    OutcomeKind,
    RecordState,
    decide,
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
BY_CODE = {o.code: o for o in CCO_DEFAULTS}


@pytest.mark.parametrize("code", ["no_answer", "busy", "voicemail"])
def test_cco_retries_after_two_hours(code: str) -> None:
    d = decide(BY_CODE[code], attempts_done=1, campaign_max_attempts=5, now=NOW)
    assert d.state is RecordState.SCHEDULED and d.next_at == NOW + timedelta(hours=2)


@pytest.mark.parametrize("code", ["invalid", "fax"])
def test_cco_wrong_number_and_fax_are_blocked_for_good(code: str) -> None:
    d = decide(BY_CODE[code], attempts_done=1, campaign_max_attempts=5, now=NOW)
    assert d.state is RecordState.BLOCKED and d.block_number and d.next_at is None


def test_end_of_handling_is_final() -> None:
    d = decide(BY_CODE["completed"], 1, 5, NOW)
    assert d.state is RecordState.DONE and not d.block_number


def test_new_contact_needs_a_future_date() -> None:
    with pytest.raises(InvalidInput):
        decide(BY_CODE["new_contact"], 1, 5, NOW)
    with pytest.raises(InvalidInput):
        decide(BY_CODE["new_contact"], 1, 5, NOW, chosen_at=NOW - timedelta(minutes=1))
    when = NOW + timedelta(days=3)
    d = decide(BY_CODE["new_contact"], 1, 5, NOW, chosen_at=when)
    assert d.state is RecordState.CALLBACK and d.next_at == when


def test_abandoned_waits_for_the_lockout() -> None:
    d = decide(BY_CODE["abandoned"], 1, 5, NOW, lockout=timedelta(days=7))
    assert d.next_at == NOW + timedelta(days=7)


def test_exhausted_after_max_attempts() -> None:
    d = decide(BY_CODE["busy"], attempts_done=5, campaign_max_attempts=5, now=NOW)
    assert d.state is RecordState.EXHAUSTED and d.next_at is None
    capped = Outcome("x", "x", OutcomeKind.RETRY, retry_delay=timedelta(hours=1), max_attempts=2)
    assert decide(capped, 2, 10, NOW).state is RecordState.EXHAUSTED


def test_contradictory_rules_are_refused() -> None:
    with pytest.raises(InvalidInput):
        Outcome("x", "x", OutcomeKind.FINAL, final=True, retry_delay=timedelta(hours=1))
    with pytest.raises(InvalidInput):
        Outcome("x", "x", OutcomeKind.RETRY, retry_delay=timedelta(0))


@given(
    outcome=st.sampled_from(CCO_DEFAULTS),
    attempts=st.integers(1, 12),
    max_attempts=st.integers(1, 10),
    lockout_h=st.integers(0, 200),
)
def test_retry_dates_follow_the_rules(
    outcome: Outcome, attempts: int, max_attempts: int, lockout_h: int
) -> None:
    chosen = NOW + timedelta(days=1) if outcome.needs_date else None
    d = decide(outcome, attempts, max_attempts, NOW, chosen, timedelta(hours=lockout_h))
    if d.state is RecordState.SCHEDULED:
        assert d.next_at is not None and d.next_at > NOW
        assert attempts < max_attempts
        assert d.next_at - NOW >= (outcome.retry_delay or timedelta(0))
        if outcome.code == "abandoned":
            assert d.next_at - NOW >= timedelta(hours=lockout_h)
    elif d.state is RecordState.BLOCKED:
        assert outcome.block_number and d.block_number
    elif d.state is RecordState.DONE:
        assert outcome.final
    elif d.state is RecordState.EXHAUSTED:
        assert attempts >= max_attempts or (outcome.max_attempts or 99) <= attempts
    else:
        assert d.state is RecordState.CALLBACK and d.next_at == chosen
    assert d.state.dialable == (d.state in (RecordState.SCHEDULED, RecordState.CALLBACK))

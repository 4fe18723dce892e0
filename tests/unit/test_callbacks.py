"""Callbacks: who may take them, and the team fallback after a grace time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from centralino.domain.errors import InvalidInput
from centralino.domain.outbound.callbacks import Callback, CallbackScope, booking_scope

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def cb(user_id: int | None, due: datetime = NOW) -> Callback:
    scope = CallbackScope.ANYONE if user_id is None else CallbackScope.COLLEAGUE
    return Callback(1, 1, 1, due, scope, user_id, None, 9, NOW)


def test_personal_callback_is_for_its_operator_only_while_present() -> None:
    c = cb(user_id=7)
    assert c.may_take(7, NOW, present={7, 8})
    assert not c.may_take(8, NOW + timedelta(hours=1), present={7, 8})


def test_absent_operator_passes_the_callback_to_the_team_after_the_grace_time() -> None:
    c = cb(user_id=7)
    grace = timedelta(minutes=15)
    assert not c.may_take(8, NOW + timedelta(minutes=14), present={8}, grace=grace)
    assert c.may_take(8, NOW + timedelta(minutes=15), present={8}, grace=grace)


def test_not_before_due_time_and_not_when_done() -> None:
    c = cb(user_id=None, due=NOW + timedelta(minutes=5))
    assert not c.may_take(8, NOW, present={8})
    assert c.may_take(8, NOW + timedelta(minutes=5), present={8})
    c.done_at = NOW
    assert not c.may_take(8, NOW + timedelta(hours=1), present={8})


def test_scope_follows_who_books_for_whom() -> None:
    assert booking_scope(7, 7) is CallbackScope.SELF
    assert booking_scope(7, 8) is CallbackScope.COLLEAGUE
    assert booking_scope(7, None) is CallbackScope.ANYONE
    with pytest.raises(InvalidInput):
        Callback(1, 1, 1, NOW, CallbackScope.ANYONE, 7, None, 9, NOW)
    with pytest.raises(InvalidInput):
        Callback(1, 1, 1, NOW, CallbackScope.SELF, None, None, 9, NOW)

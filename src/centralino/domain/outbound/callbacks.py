"""Callbacks (OUT-4): booked for oneself, a named colleague or anyone; due ones come first.

A personal callback whose operator is absent passes to the whole team once a grace
time after its due time has gone by, so no customer waits for someone on holiday.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from centralino.domain.errors import InvalidInput


class CallbackScope(StrEnum):
    SELF = "self"
    COLLEAGUE = "colleague"
    ANYONE = "anyone"


DEFAULT_GRACE = timedelta(minutes=15)


@dataclass(slots=True)
class Callback:
    id: int
    campaign_id: int
    record_id: int
    due_at: datetime
    scope: CallbackScope
    user_id: int | None
    notes: str | None
    created_by: int | None
    created_at: datetime
    done_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.scope is CallbackScope.ANYONE and self.user_id is not None:
            raise InvalidInput("a callback for anyone names no operator", "user_id")
        if self.scope is not CallbackScope.ANYONE and self.user_id is None:
            raise InvalidInput("a personal callback names its operator", "user_id")

    def is_due(self, now: datetime) -> bool:
        return self.done_at is None and self.due_at <= now

    def may_take(
        self,
        operator_id: int,
        now: datetime,
        present: Collection[int],
        grace: timedelta = DEFAULT_GRACE,
    ) -> bool:
        """May this operator take the callback now?"""
        if not self.is_due(now):
            return False
        if self.user_id is None or self.user_id == operator_id:
            return True
        # The named operator is absent and the grace time is over: the team takes it.
        return self.user_id not in present and now >= self.due_at + grace


def booking_scope(booker_id: int, user_id: int | None) -> CallbackScope:
    if user_id is None:
        return CallbackScope.ANYONE
    return CallbackScope.SELF if user_id == booker_id else CallbackScope.COLLEAGUE


def pool_may_take(
    owner: int | None,
    due_at: datetime | None,
    claimer: int | None,
    now: datetime,
    present: Collection[int],
    grace: timedelta = DEFAULT_GRACE,
) -> bool:
    """May a dial by `claimer` (None: the campaign's pool of operators) take a record whose
    open callback is personal to `owner`? Its owner may; the others only once the owner
    is absent and the grace time is over."""
    if owner is None or due_at is None or claimer == owner:
        return True
    return owner not in present and now >= due_at + grace

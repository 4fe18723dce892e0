"""The stored campaign as the engine's dial source: leases records, writes attempts.

Each number comes from `dialing.claim` (calling windows, legal hours, do-not-call and
the abandon lockout checked at dial time, the allowing rule kept on the attempt), and
every result goes back through `dialing` in its own transaction, so a crash loses no
outcome and the lease keeps a record from being dialed twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime

from centralino.domain.call_record import CallRecord, CallResult
from centralino.domain.errors import DomainError
from centralino.domain.outbound.outcomes import SystemOutcome
from centralino.engine.center import Dial
from centralino.services import dialing
from centralino.services.context import ServiceContext

log = logging.getLogger(__name__)

SYSTEM_OUTCOME: dict[CallResult, str] = {
    CallResult.BUSY: SystemOutcome.BUSY,
    CallResult.NO_ANSWER: SystemOutcome.NO_ANSWER,
    CallResult.INVALID_NUMBER: SystemOutcome.INVALID,
    CallResult.FAILED: SystemOutcome.CONGESTION,
    CallResult.MACHINE: SystemOutcome.VOICEMAIL,
    CallResult.FAX: SystemOutcome.FAX,
    CallResult.ABANDONED: SystemOutcome.ABANDONED,
}


def outcome_code(record: CallRecord) -> str | None:
    """The outcome to store for a finished call; None while its fate is unknown."""
    if record.result is CallResult.TALKED:
        return record.outcome or "completed"
    return SYSTEM_OUTCOME.get(record.result)


class StoreDialSource:
    def __init__(
        self,
        ctx: ServiceContext,
        campaign_id: int,
        user_of: Callable[[str], int | None],
        present: Callable[[], Collection[int]] = tuple,
    ) -> None:
        self.ctx = ctx
        self.campaign_id = campaign_id
        self.user_of = user_of
        self.present = present  # users logged in on the campaign: their callbacks wait
        self._wrap_ups: dict[int, tuple[datetime | None, str | None]] = {}

    def wrap_up(self, attempt_id: int, chosen_at: datetime | None, notes: str | None) -> None:
        """What the operator adds to the outcome of an attempt about to finish: the date of
        a dated outcome (its callback is booked by the panel) and the notes."""
        self._wrap_ups[attempt_id] = (chosen_at, notes)

    @property
    def exhausted(self) -> bool:
        return False  # records come back (retries, callbacks, new lists) while active

    def take(self, why: str) -> Dial | None:
        try:
            claims = dialing.claim(
                self.ctx, self.campaign_id, 1, pacing=why, present=set(self.present())
            )
        except DomainError as exc:
            self._failed("claim", exc)
            return None
        if not claims:
            return None
        return Dial(claims[0].phone, claims[0])

    def take_for(self, operator: str) -> Dial | None:
        user = self.user_of(operator)
        if user is None:
            return None
        try:
            claims = dialing.claim(
                self.ctx, self.campaign_id, 1, user, f"callback: personal to operator {operator}",
                personal_only=True,
            )  # fmt: skip
        except DomainError as exc:
            self._failed("claim", exc)
            return None
        return Dial(claims[0].phone, claims[0]) if claims else None

    def answered(self, dial: Dial) -> None:
        assert isinstance(dial.ref, dialing.Claim)
        self._safely("answered", dialing.answered, self.ctx, dial.ref.attempt_id)

    def connected(self, dial: Dial, operator: str) -> None:
        assert isinstance(dial.ref, dialing.Claim)
        user = self.user_of(operator)
        if user is not None:
            self._safely("connected", dialing.connected, self.ctx, dial.ref.attempt_id, user)

    def finished(self, dial: Dial, record: CallRecord) -> None:
        assert isinstance(dial.ref, dialing.Claim)
        code = outcome_code(record)
        if code is None:
            return  # still up when the engine stopped: recovery settles it after a restart
        user = self.user_of(record.operator) if record.operator else None
        chosen_at, notes = self._wrap_ups.pop(dial.ref.attempt_id, (None, None))
        self._safely(
            "finished", dialing.finish, self.ctx, dial.ref.attempt_id, code,
            user_id=user, cause=record.hangup_cause, chosen_at=chosen_at, notes=notes,
            add_callback=chosen_at is None,
        )  # fmt: skip

    def _safely(self, what: str, fn: Callable[..., object], *args: object, **kw: object) -> None:
        try:
            fn(*args, **kw)
        except DomainError as exc:
            self._failed(what, exc)

    def _failed(self, what: str, exc: Exception) -> None:
        log.warning("campaign %s: %s failed: %s", self.campaign_id, what, exc)

"""Outcomes and retry rules (OUT-3): what an attempt's result does to its record.

The system sets outcomes from telephony (busy, no answer, invalid, voicemail, fax,
abandoned); operators set the others. Each outcome carries its rule: retry after a
delay up to a number of attempts, end the record, or block the number for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from centralino.domain.errors import InvalidInput


class OutcomeKind(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    CALLBACK = "callback"
    RETRY = "retry"
    FINAL = "final"
    SYSTEM = "system"


class SystemOutcome(StrEnum):
    """Results the network reports; operators only ever handle connected calls."""

    BUSY = "busy"
    NO_ANSWER = "no_answer"
    INVALID = "invalid"
    VOICEMAIL = "voicemail"
    FAX = "fax"
    CONGESTION = "congestion"
    ABANDONED = "abandoned"


class RecordState(StrEnum):
    NEW = "new"
    SCHEDULED = "scheduled"
    DIALING = "dialing"
    CALLBACK = "callback"
    DONE = "done"
    EXHAUSTED = "exhausted"
    BLOCKED = "blocked"

    @property
    def dialable(self) -> bool:
        return self in (RecordState.NEW, RecordState.SCHEDULED, RecordState.CALLBACK)


@dataclass(slots=True, frozen=True)
class Outcome:
    code: str
    label: str
    kind: OutcomeKind
    is_system: bool = False
    retry_delay: timedelta | None = None
    max_attempts: int | None = None
    final: bool = False
    block_number: bool = False
    needs_date: bool = False

    def __post_init__(self) -> None:
        if self.final and self.retry_delay is not None:
            raise InvalidInput(f"outcome {self.code!r} cannot be final and retried", "final")
        if self.block_number and self.retry_delay is not None:
            raise InvalidInput(f"outcome {self.code!r} cannot block and retry", "block_number")
        if self.retry_delay is not None and self.retry_delay <= timedelta(0):
            raise InvalidInput("a retry delay must be positive", "retry_delay_seconds")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise InvalidInput("max attempts must be at least 1", "max_attempts")


H2 = timedelta(hours=2)
H72 = timedelta(hours=72)
M15 = timedelta(minutes=15)

# CCO defaults (seed 004): no answer, busy, voicemail +2 h; wrong number and fax blocked
# for good; end of handling final; new contact at a date set by hand.
CCO_DEFAULTS: tuple[Outcome, ...] = (
    Outcome("no_answer", "No answer", OutcomeKind.SYSTEM, True, retry_delay=H2),
    Outcome("busy", "Busy", OutcomeKind.SYSTEM, True, retry_delay=H2),
    Outcome("voicemail", "Voicemail", OutcomeKind.SYSTEM, True, retry_delay=H2),
    Outcome("invalid", "Wrong or nonexistent number", OutcomeKind.SYSTEM, True, block_number=True),
    Outcome("fax", "Fax", OutcomeKind.SYSTEM, True, block_number=True),
    Outcome("congestion", "Network congestion", OutcomeKind.SYSTEM, True, retry_delay=M15),
    Outcome("abandoned", "Abandoned (no operator)", OutcomeKind.SYSTEM, True, retry_delay=H72),
    Outcome("positive", "Positive (sale, appointment, consent)", OutcomeKind.POSITIVE, final=True),
    Outcome("not_interested", "Not interested", OutcomeKind.NEGATIVE, final=True),
    Outcome("completed", "End of handling", OutcomeKind.FINAL, final=True),
    Outcome("wrong_person", "Wrong person", OutcomeKind.NEGATIVE, block_number=True),
    Outcome("do_not_call", "Asks not to be called", OutcomeKind.NEGATIVE, block_number=True),
    Outcome("new_contact", "New contact at a chosen date", OutcomeKind.CALLBACK, needs_date=True),
    Outcome("callback", "Callback", OutcomeKind.CALLBACK, needs_date=True),
)  # fmt: skip


@dataclass(slots=True, frozen=True)
class Decision:
    """What happens to the record after an attempt, and why (kept for the audit trail)."""

    state: RecordState
    next_at: datetime | None
    block_number: bool
    reason: str


def decide(
    outcome: Outcome,
    attempts_done: int,
    campaign_max_attempts: int,
    now: datetime,
    chosen_at: datetime | None = None,
    lockout: timedelta | None = None,
) -> Decision:
    """Apply an outcome's rule after `attempts_done` attempts (this one included).

    `lockout` is the compliance preset's redial lockout after an abandoned call; it
    overrides a shorter retry delay so a silent call is never followed too soon.
    """
    if outcome.block_number:
        return Decision(RecordState.BLOCKED, None, True, f"{outcome.code}: number blocked for good")
    if outcome.final:
        return Decision(RecordState.DONE, None, False, f"{outcome.code}: final")
    if outcome.needs_date:
        if chosen_at is None:
            raise InvalidInput(f"outcome {outcome.code!r} needs a date and time", "next_at")
        if chosen_at <= now:
            raise InvalidInput("the new contact must be in the future", "next_at")
        return Decision(RecordState.CALLBACK, chosen_at, False, f"{outcome.code}: at chosen date")
    limit = min(campaign_max_attempts, outcome.max_attempts or campaign_max_attempts)
    if attempts_done >= limit:
        return Decision(
            RecordState.EXHAUSTED,
            None,
            False,
            f"{outcome.code}: {attempts_done} of {limit} attempts",
        )
    delay = outcome.retry_delay or H2
    if outcome.code == SystemOutcome.ABANDONED and lockout is not None:
        delay = max(delay, lockout)
    return Decision(
        RecordState.SCHEDULED, now + delay, False, f"{outcome.code}: retry after {delay}"
    )

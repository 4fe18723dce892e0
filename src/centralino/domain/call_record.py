"""The record of one call, with the phases of the certification vocabulary (TEL-2).

Times are clock seconds since the epoch (UTC) as floats: the engine writes tens of
thousands of these a minute, and the store converts them at its edge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class CallResult(StrEnum):
    """How a call ended, from the customer's side."""

    TALKED = "talked"  # connected to an operator
    ABANDONED = "abandoned"  # hung up waiting (inbound) or no operator in time (outbound)
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    INVALID_NUMBER = "invalid_number"
    FAILED = "failed"
    MACHINE = "machine"
    FAX = "fax"
    REFUSED = "refused"  # no such service or the queue was closed or full
    TIMED_OUT = "timed_out"  # inbound: no operator within the queue's maximum wait
    VOICEMAIL = "voicemail"  # inbound: the caller left a message (IVR or overflow)
    CALLBACK_REQUESTED = "callback_requested"  # inbound: left the queue asking to be called
    MESSAGE = "message"  # inbound: an IVR message, then the system hung up
    UNFINISHED = "unfinished"  # still up when the run or the engine stopped


@dataclass(slots=True)
class CallRecord:
    call_id: int
    direction: str  # "inbound" | "outbound"
    queue: str  # the inbound queue or the outbound campaign
    number: str  # the customer's number
    arrived_at: float  # inbound: the call arrived; outbound: the dial started
    welcome_at: float | None = None  # inbound: answered by the system, welcome message
    answered_at: float | None = None  # outbound: the customer answered
    queued_at: float | None = None  # queue entry (outbound: waiting for an operator)
    ringing_at: float | None = None  # offered to an operator
    picked_up_at: float | None = None  # the operator is connected: talk starts
    transferred_at: float | None = None
    ended_at: float | None = None  # closure
    hangup_cause: str | None = None
    result: CallResult = CallResult.UNFINISHED
    operator: str | None = None
    outcome: str | None = None  # the operator's outcome code
    positive: bool = False
    abandon_rule: str | None = None  # outbound: why the call counts as abandoned
    service: str | None = None  # inbound: the service of the dialed number
    refused_reason: str | None = None  # inbound: closed, queue full, no such number
    phases: list[tuple[float, str, str]] = field(default_factory=list)  # (at, phase, detail)

    def phase(self, at: float, name: str, detail: str = "") -> None:
        """One step of the certification trail (TEL-2): arrival, welcome, ivr, queue,
        offer, missed, pickup, transfer, overflow, closure, hangup ..."""
        self.phases.append((at, name, detail))

    @property
    def wait(self) -> float | None:
        """Seconds from queue entry to pickup (answered) or to hang-up (abandoned)."""
        if self.queued_at is None:
            return None
        end = self.picked_up_at if self.picked_up_at is not None else self.ended_at
        return None if end is None else end - self.queued_at

    @property
    def talk(self) -> float:
        if self.picked_up_at is None or self.ended_at is None:
            return 0.0
        return self.ended_at - self.picked_up_at

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

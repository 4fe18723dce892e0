"""Key figures of a queue, a campaign and a team of operators, accumulated call by call.

Conventions (the same as `erlang`): service level = calls answered within the target
divided by all calls offered to a queue (an abandoned call counts as not answered in time;
a call refused, or served by the IVR alone, was never offered); average
speed of answer = mean wait of answered calls; abandon rate = abandoned / offered inbound,
abandoned / answered by a person outbound; occupancy = (talk + wrap-up) / (talk + wrap-up
+ ready); talk per operator hour = minutes of talk per hour logged in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from centralino.domain.call_record import CallRecord, CallResult
from centralino.domain.operators import OperatorState, Presence

_UNANSWERED = frozenset(
    {CallResult.TIMED_OUT, CallResult.VOICEMAIL, CallResult.CALLBACK_REQUESTED, CallResult.MESSAGE}
)


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


@dataclass(slots=True)
class InboundStats:
    """Figures of one inbound queue; `since` leaves out calls that arrived earlier (warm-up)."""

    target_seconds: float = 20.0
    since: float = float("-inf")
    offered: int = 0
    answered: int = 0
    answered_in_target: int = 0
    abandoned: int = 0  # the caller hung up before an operator answered
    unanswered: int = 0  # the system ended the wait: maximum wait, voicemail, callback asked
    refused: int = 0  # no queue for it: closed, queue full, unknown number
    wait_answered: float = 0.0
    wait_all: float = 0.0
    talk: float = 0.0
    positive: int = 0
    ivr: int = 0  # ended before any queue: an IVR message or voicemail, a hang-up in the menu

    def add(self, r: CallRecord) -> None:
        if r.arrived_at < self.since:
            return
        if r.result is CallResult.REFUSED:
            self.refused += 1
            return
        if r.result is CallResult.UNFINISHED and r.picked_up_at is None:
            return  # still waiting when the run stopped: neither answered nor abandoned
        if r.queued_at is None:
            self.ivr += 1  # the IVR served it alone: never offered to an operator
            return
        self.offered += 1
        wait = r.wait or 0.0
        self.wait_all += wait
        if r.picked_up_at is not None:
            self.answered += 1
            self.wait_answered += wait
            if wait <= self.target_seconds:
                self.answered_in_target += 1
            self.talk += r.talk
            if r.positive:
                self.positive += 1
        elif r.result in _UNANSWERED:
            self.unanswered += 1
        else:
            self.abandoned += 1

    @classmethod
    def combined(cls, parts: Iterable[InboundStats]) -> InboundStats:
        """Several queues as one: their counts and times added (each call was already
        judged against its own queue's target)."""
        total = cls()
        for p in parts:
            for f in fields(cls):
                if f.name not in ("target_seconds", "since"):
                    setattr(total, f.name, getattr(total, f.name) + getattr(p, f.name))
        return total

    def summary(self) -> dict[str, float | int | None]:
        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "unanswered": self.unanswered,
            "refused": self.refused,
            "ivr": self.ivr,
            "service_level": _ratio(self.answered_in_target, self.offered),
            "target_seconds": self.target_seconds,
            "asa_seconds": _ratio(self.wait_answered, self.answered),
            "abandon_rate": _ratio(self.abandoned, self.offered),
            "average_talk_seconds": _ratio(self.talk, self.answered),
            "positive": self.positive,
        }


@dataclass(slots=True)
class OutboundStats:
    """Figures of one campaign."""

    dials: int = 0
    results: dict[str, int] = field(default_factory=dict)
    answered: int = 0  # by a person
    connected: int = 0
    abandoned: int = 0
    talk: float = 0.0
    positive: int = 0

    def add(self, r: CallRecord) -> None:
        self.dials += 1
        key = r.result.value
        self.results[key] = self.results.get(key, 0) + 1
        if r.answered_at is not None and r.result not in (CallResult.MACHINE, CallResult.FAX):
            self.answered += 1
        if r.picked_up_at is not None:
            self.connected += 1
            self.talk += r.talk
            if r.positive:
                self.positive += 1
        elif r.result is CallResult.ABANDONED:
            self.abandoned += 1

    @classmethod
    def combined(cls, parts: Iterable[OutboundStats]) -> OutboundStats:
        """Several campaigns as one: their counts and times added."""
        total = cls()
        for p in parts:
            for f in fields(cls):
                if f.name == "results":
                    for key, n in p.results.items():
                        total.results[key] = total.results.get(key, 0) + n
                else:
                    setattr(total, f.name, getattr(total, f.name) + getattr(p, f.name))
        return total

    def summary(self) -> dict[str, object]:
        return {
            "dials": self.dials,
            "answered": self.answered,
            "connected": self.connected,
            "abandoned": self.abandoned,
            "abandon_rate": _ratio(self.abandoned, self.answered),
            "answer_rate": _ratio(self.answered, self.dials),
            "positive": self.positive,
            "positive_rate": _ratio(self.positive, self.connected),
            "results": dict(sorted(self.results.items())),
        }


@dataclass(slots=True)
class TeamTime:
    """Time of a set of operators by state, summed over their presences."""

    logged: float = 0.0
    ready: float = 0.0
    talk: float = 0.0
    wrap_up: float = 0.0
    paused: float = 0.0
    reserved: float = 0.0  # being connected, reading a preview, or ringing (inbound offer)

    @classmethod
    def of(cls, presences: Iterable[Presence], now: float) -> TeamTime:
        t = cls()
        S = OperatorState
        for p in presences:
            t.ready += p.time_in(S.READY, now)
            t.talk += p.time_in(S.TALKING, now)
            t.wrap_up += p.time_in(S.WRAP_UP, now)
            t.paused += p.time_in(S.PAUSED, now)
            t.reserved += p.time_in(S.RESERVED, now) + p.time_in(S.RINGING, now)
        t.logged = t.ready + t.talk + t.wrap_up + t.paused + t.reserved
        return t

    def summary(self) -> dict[str, float | None]:
        busy = self.talk + self.wrap_up + self.reserved
        return {
            "logged_hours": self.logged / 3600,
            "occupancy": _ratio(busy, busy + self.ready),
            "talk_minutes_per_operator_hour": _ratio(self.talk / 60, self.logged / 3600),
            "pause_share": _ratio(self.paused, self.logged),
        }

"""An operator's presence: the states of the panel and the time spent in each.

The state moves only along the allowed edges; an illegal move raises, so a bug in the
engine shows up as an error instead of as wrong statistics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from centralino.domain.errors import IllegalTransition


class OperatorState(StrEnum):
    LOGGED_OUT = "logged_out"
    READY = "ready"  # free, waiting for a call
    RINGING = "ringing"  # an inbound call is offered to them: answer or miss it
    RESERVED = "reserved"  # a call is being connected to them (or a preview is shown)
    TALKING = "talking"
    WRAP_UP = "wrap_up"  # after-call work: outcome, notes
    PAUSED = "paused"


_S = OperatorState
ALLOWED: dict[OperatorState, frozenset[OperatorState]] = {
    _S.LOGGED_OUT: frozenset({_S.READY, _S.PAUSED}),
    _S.READY: frozenset({_S.RINGING, _S.RESERVED, _S.PAUSED, _S.LOGGED_OUT}),
    _S.RINGING: frozenset({_S.TALKING, _S.READY, _S.PAUSED, _S.LOGGED_OUT}),
    _S.RESERVED: frozenset({_S.TALKING, _S.READY, _S.PAUSED, _S.LOGGED_OUT}),
    _S.TALKING: frozenset({_S.WRAP_UP, _S.LOGGED_OUT}),
    _S.WRAP_UP: frozenset({_S.READY, _S.PAUSED, _S.LOGGED_OUT}),
    _S.PAUSED: frozenset({_S.READY, _S.PAUSED, _S.LOGGED_OUT}),  # paused: a new reason
}
WORKING = frozenset({_S.READY, _S.RINGING, _S.RESERVED, _S.TALKING, _S.WRAP_UP})


@dataclass(slots=True)
class Presence:
    """Where an operator is and how long they spent in each state (seconds)."""

    state: OperatorState = OperatorState.LOGGED_OUT
    since: float = 0.0
    totals: dict[OperatorState, float] = field(default_factory=dict)
    reason: str | None = None  # paused: the pause reason's code
    pause_totals: dict[str, float] = field(default_factory=dict)  # seconds by pause reason

    def move(self, to: OperatorState, now: float, reason: str | None = None) -> None:
        if to not in ALLOWED[self.state]:
            raise IllegalTransition(f"operator cannot go from {self.state} to {to}")
        if self.state is not OperatorState.LOGGED_OUT:
            self.totals[self.state] = self.totals.get(self.state, 0.0) + (now - self.since)
            if self.state is OperatorState.PAUSED:
                key = self.reason or ""
                self.pause_totals[key] = self.pause_totals.get(key, 0.0) + (now - self.since)
        self.state = to
        self.since = now
        self.reason = reason if to is OperatorState.PAUSED else None

    def time_in(self, state: OperatorState, now: float) -> float:
        """Seconds in `state` so far, counting the current stretch up to `now`."""
        t = self.totals.get(state, 0.0)
        if self.state is state and state is not OperatorState.LOGGED_OUT:
            t += now - self.since
        return t

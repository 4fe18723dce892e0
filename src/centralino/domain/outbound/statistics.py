"""Outbound figures of a campaign, list, group or operator over a period (OUT-9).

Counted from the dialer's attempts: an attempt is one dial; answered means answered by a
person (an abandoned call was answered by definition, as the compliance report counts
it); a contact is an answered call put through to an operator, not abandoned and over
(a call still in progress is an attempt with no outcome yet, neither contact nor talk). The
positive rate is positives per contact, set beside the campaign's target; the abandon
rate is abandoned per answered, the legal cap's definition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from centralino.domain.outbound.outcomes import OutcomeKind


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


@dataclass(slots=True)
class OutcomeTally:
    """Attempts that ended with one outcome, and the talk on them."""

    label: str = ""
    kind: str | None = None  # an OutcomeKind; None for an outcome the campaign lacks
    position: int = 1 << 30  # the campaign's order of its outcomes
    count: int = 0
    contacts: int = 0
    talk: float = 0.0

    @property
    def average_talk(self) -> float | None:
        return _ratio(self.talk, self.contacts)


@dataclass(slots=True)
class OutboundFigures:
    attempts: int = 0
    answered: int = 0
    contacts: int = 0
    abandoned: int = 0
    positive: int = 0
    talk: float = 0.0
    negative_talk: float = 0.0  # talk on calls whose outcome is of the negative kind
    outcomes: dict[str, OutcomeTally] = field(default_factory=dict)  # "" while open

    def add(self, outcome: OutcomeTally, code: str, answered: int, abandoned: int) -> None:
        """Add the sums of attempts that share one outcome (`code`: "" while still open)."""
        kind, attempts, contacts, talk = outcome.kind, outcome.count, outcome.contacts, outcome.talk
        self.attempts += attempts
        self.answered += answered
        self.contacts += contacts
        self.abandoned += abandoned
        self.talk += talk
        if kind == OutcomeKind.POSITIVE:
            self.positive += attempts
        elif kind == OutcomeKind.NEGATIVE:
            self.negative_talk += talk
        self._tally(code, outcome)

    def _tally(self, code: str, o: OutcomeTally) -> None:
        t = self.outcomes.get(code)
        if t is None:
            t = self.outcomes[code] = OutcomeTally(o.label, o.kind, o.position)
        t.count += o.count
        t.contacts += o.contacts
        t.talk += o.talk

    def merge(self, other: OutboundFigures) -> None:
        self.attempts += other.attempts
        self.answered += other.answered
        self.contacts += other.contacts
        self.abandoned += other.abandoned
        self.positive += other.positive
        self.talk += other.talk
        self.negative_talk += other.negative_talk
        for code, o in other.outcomes.items():
            self._tally(code, o)

    def ordered_outcomes(self) -> list[tuple[str, OutcomeTally]]:
        """Outcomes in the campaign's order (several campaigns: by code), open ones last."""
        return sorted(self.outcomes.items(), key=lambda x: (x[0] == "", x[1].position, x[0]))

    @classmethod
    def combined(cls, parts: Iterable[OutboundFigures]) -> OutboundFigures:
        total = cls()
        for p in parts:
            total.merge(p)
        return total

    @property
    def positive_rate(self) -> float | None:
        return _ratio(self.positive, self.contacts)

    @property
    def abandon_rate(self) -> float | None:
        return _ratio(self.abandoned, self.answered)

    @property
    def average_talk(self) -> float | None:
        return _ratio(self.talk, self.contacts)

    def share(self, outcome: str) -> float | None:
        """The outcome's part of all attempts."""
        t = self.outcomes.get(outcome)
        return _ratio(t.count if t else 0, self.attempts)

    def target_met(self, target: float) -> bool | None:
        """Whether the positive rate reaches `target` (None without contacts)."""
        rate = self.positive_rate
        return None if rate is None else rate >= target

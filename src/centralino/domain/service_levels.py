"""Service levels (QA-1): per service, a minimum and a target, each a set of criteria, and
the check of a service's figures against them.

A criterion set says: at least `answered_share` of the calls offered answered within
`answer_within` seconds, at most `max_abandon_rate` of them abandoned, and an average wait
of the answered calls of at most `max_average_wait` seconds (each of the last two may be
left out). The figures are `kpis.InboundStats`, the reports' and the simulator's one set of
definitions: service level = answered within N s / offered, abandon rate = abandoned /
offered, average wait = wait of the answered / answered. Because N may differ between the
minimum and the target, a check takes the statistics counted against each one's N.

The verdict of a service is the worst of its criteria: `met` (every target reached),
`minimum` (a target missed but every minimum kept), `missed` (a minimum missed), or
`no_calls` when nothing was offered (nothing to judge).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from centralino.domain.errors import InvalidInput
from centralino.domain.kpis import InboundStats


class Level(StrEnum):
    MET = "met"
    MINIMUM = "minimum"  # a target missed, every minimum kept
    MISSED = "missed"  # below a minimum
    NO_CALLS = "no_calls"


_ORDER = {Level.NO_CALLS: 0, Level.MET: 1, Level.MINIMUM: 2, Level.MISSED: 3}


def worse(a: Level, b: Level) -> Level:
    """The worse of two verdicts (no calls is better than any judged one)."""
    return a if _ORDER[a] >= _ORDER[b] else b


class Criterion(StrEnum):
    ANSWERED = "answered"  # share answered within N seconds
    ABANDONED = "abandoned"  # abandon rate
    WAIT = "wait"  # average wait of the answered


@dataclass(slots=True, frozen=True)
class Criteria:
    answer_within: int  # seconds
    answered_share: float  # 0..1
    max_abandon_rate: float | None = None  # 0..1
    max_average_wait: float | None = None  # seconds

    def check(self, field: str) -> None:
        if not 1 <= self.answer_within <= 3600:
            raise InvalidInput(
                f"answer within {self.answer_within} s: give 1 to 3600 seconds",
                f"{field}.answer_within",
            )
        if not 0 <= self.answered_share <= 1:
            raise InvalidInput(
                f"answered share {self.answered_share}: give 0 to 1 (0.8 is 80%)",
                f"{field}.answered_share",
            )
        if self.max_abandon_rate is not None and not 0 <= self.max_abandon_rate <= 1:
            raise InvalidInput(
                f"maximum abandon rate {self.max_abandon_rate}: give 0 to 1 (0.05 is 5%)",
                f"{field}.max_abandon_rate",
            )
        if self.max_average_wait is not None and not 0 <= self.max_average_wait <= 3600:
            raise InvalidInput(
                f"maximum average wait {self.max_average_wait} s: give 0 to 3600 seconds",
                f"{field}.max_average_wait",
            )

    def as_json(self) -> dict[str, Any]:
        return {
            "answer_within": self.answer_within,
            "answered_share": self.answered_share,
            "max_abandon_rate": self.max_abandon_rate,
            "max_average_wait": self.max_average_wait,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Criteria:
        return cls(
            int(data["answer_within"]),
            float(data["answered_share"]),
            None if data.get("max_abandon_rate") is None else float(data["max_abandon_rate"]),
            None if data.get("max_average_wait") is None else float(data["max_average_wait"]),
        )


@dataclass(slots=True, frozen=True)
class Check:
    """One criterion of a service: its value, the two thresholds and where it stands."""

    criterion: Criterion
    value: float | None
    minimum: float | None
    target: float | None
    level: Level


@dataclass(slots=True, frozen=True)
class Verdict:
    level: Level
    checks: tuple[Check, ...]

    def missed(self) -> list[Check]:
        """The criteria that are not met (below the target or the minimum)."""
        return [c for c in self.checks if c.level in (Level.MINIMUM, Level.MISSED)]


@dataclass(slots=True, frozen=True)
class ServiceLevelPolicy:
    minimum: Criteria
    target: Criteria

    def validate(self) -> None:
        """Each set in its ranges, and the target at least as demanding as the minimum."""
        self.minimum.check("minimum")
        self.target.check("target")
        lo, hi = self.minimum, self.target
        if hi.answered_share < lo.answered_share or (
            hi.answered_share == lo.answered_share and hi.answer_within > lo.answer_within
        ):
            raise InvalidInput(
                "the target must ask at least as much as the minimum: a share at least as "
                "high, within at most as many seconds",
                "target.answered_share",
            )
        for name in ("max_abandon_rate", "max_average_wait"):
            a, b = getattr(lo, name), getattr(hi, name)
            if a is not None and b is not None and b > a:
                raise InvalidInput(
                    f"the target's {name.replace('_', ' ')} ({b:g}) is above the minimum's ({a:g})",
                    f"target.{name}",
                )

    def as_json(self) -> dict[str, Any]:
        return {"minimum": self.minimum.as_json(), "target": self.target.as_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServiceLevelPolicy:
        return cls(Criteria.from_json(data["minimum"]), Criteria.from_json(data["target"]))

    def counters(self) -> tuple[InboundStats, InboundStats]:
        """Empty statistics counting against the minimum's N and the target's N."""
        return (
            InboundStats(target_seconds=self.minimum.answer_within),
            InboundStats(target_seconds=self.target.answer_within),
        )

    def judge(self, at_minimum: InboundStats, at_target: InboundStats) -> Verdict:
        """Check the figures of the same calls, counted against each level's N."""
        if at_target.offered == 0:
            return Verdict(Level.NO_CALLS, ())
        checks = [
            _at_least(
                Criterion.ANSWERED,
                at_minimum.answered_in_target / at_minimum.offered,
                at_target.answered_in_target / at_target.offered,
                self.minimum.answered_share,
                self.target.answered_share,
            )
        ]
        abandon = at_target.abandoned / at_target.offered
        if self.minimum.max_abandon_rate is not None or self.target.max_abandon_rate is not None:
            checks.append(
                _at_most(
                    Criterion.ABANDONED,
                    abandon,
                    self.minimum.max_abandon_rate,
                    self.target.max_abandon_rate,
                )
            )
        if self.minimum.max_average_wait is not None or self.target.max_average_wait is not None:
            wait = at_target.wait_answered / at_target.answered if at_target.answered else None
            checks.append(
                _at_most(
                    Criterion.WAIT,
                    wait,
                    self.minimum.max_average_wait,
                    self.target.max_average_wait,
                )
            )
        level = Level.MET
        for c in checks:
            level = worse(level, c.level)
        return Verdict(level, tuple(checks))


def _at_least(
    criterion: Criterion, at_min: float, at_target: float, minimum: float, target: float
) -> Check:
    """A share that must reach a threshold; the value shown is the one against the target's N."""
    if at_min < minimum:
        level = Level.MISSED
    elif at_target < target:
        level = Level.MINIMUM
    else:
        level = Level.MET
    return Check(criterion, at_target, minimum, target, level)


def _at_most(
    criterion: Criterion, value: float | None, minimum: float | None, target: float | None
) -> Check:
    """A figure that must stay under a threshold (no value, e.g. no answered call: met)."""
    if value is None:
        level = Level.MET
    elif minimum is not None and value > minimum:
        level = Level.MISSED
    elif target is not None and value > target:
        level = Level.MINIMUM
    else:
        level = Level.MET
    return Check(criterion, value, minimum, target, level)

"""Choosing the operator for a queued call (IN-3): tiers, then the queue's strategy.

The router keeps, per tier, the members in joining order and the ready ones in the
order they became ready, so a choice looks only at ready operators of one tier:
constant time for longest idle and linear-in-ready for the others, whatever the size
of the center. The engine tells it who is ready; the router never reads a clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from centralino.domain.errors import InvalidInput
from centralino.domain.inbound.queues import MAX_TIERS, Strategy

Score = Callable[[str], float]  # fewest calls / least talk: the operator's figure today


@dataclass(slots=True)
class _Tier:
    members: list[str] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)
    ready: dict[str, None] = field(default_factory=dict)  # insertion order: ready the longest first
    last: int = -1  # round robin: position of the last operator offered a call


class QueueRouter:
    def __init__(self, strategy: Strategy = Strategy.ROUND_ROBIN, seed: int | str = 0) -> None:
        self.strategy = strategy
        self._tiers: list[_Tier] = []
        self._tier_of: dict[str, int] = {}
        self._rng = random.Random(seed)

    # --- membership and readiness ---

    def add(self, operator: str, tier: int = 0) -> None:
        if not 0 <= tier < MAX_TIERS:
            raise InvalidInput(f"tier must be 0 to {MAX_TIERS - 1}", "tier")
        if operator in self._tier_of:
            self.remove(operator)
        while len(self._tiers) <= tier:
            self._tiers.append(_Tier())
        t = self._tiers[tier]
        t.position[operator] = len(t.members)
        t.members.append(operator)
        self._tier_of[operator] = tier

    def remove(self, operator: str) -> None:
        tier = self._tier_of.pop(operator, None)
        if tier is None:
            return
        t = self._tiers[tier]
        t.ready.pop(operator, None)
        i = t.position.pop(operator)
        del t.members[i]
        for j in range(i, len(t.members)):
            t.position[t.members[j]] = j
        if t.last >= i:
            t.last -= 1

    def tier_of(self, operator: str) -> int | None:
        return self._tier_of.get(operator)

    def members(self) -> list[tuple[str, int]]:
        return [(op, i) for i, t in enumerate(self._tiers) for op in t.members]

    def set_ready(self, operator: str, ready: bool) -> None:
        tier = self._tier_of.get(operator)
        if tier is None:
            return
        t = self._tiers[tier]
        if ready:
            t.ready[operator] = None
        else:
            t.ready.pop(operator, None)

    def is_ready(self, operator: str) -> bool:
        tier = self._tier_of.get(operator)
        return tier is not None and operator in self._tiers[tier].ready

    def ready_count(self, max_tier: int | None = None) -> int:
        tiers = self._tiers if max_tier is None else self._tiers[: max_tier + 1]
        return sum(len(t.ready) for t in tiers)

    @property
    def tier_count(self) -> int:
        return len(self._tiers)

    # --- the choice ---

    def pick(
        self,
        max_tier: int | None = None,
        exclude: Collection[str] = (),
        calls: Score | None = None,
        talk: Score | None = None,
    ) -> list[str]:
        """The operators to offer the call to: one, or every ready one of the tier for
        ring-all. Tiers from the highest; `max_tier` stops the descent (tier wait);
        `exclude` skips operators who already missed this call in the current cycle."""
        for index, t in enumerate(self._tiers):
            if max_tier is not None and index > max_tier:
                break
            if not t.ready:
                continue
            chosen = self._pick_in(t, exclude, calls, talk)
            if chosen:
                return chosen
        return []

    def _pick_in(
        self, t: _Tier, exclude: Collection[str], calls: Score | None, talk: Score | None
    ) -> list[str]:
        ready = [op for op in t.ready if op not in exclude] if exclude else list(t.ready)
        if not ready:
            return []
        s = self.strategy
        if s is Strategy.RING_ALL:
            return ready
        if s is Strategy.LONGEST_IDLE:
            return [ready[0]]
        if s is Strategy.LINEAR:
            return [min(ready, key=t.position.__getitem__)]
        if s is Strategy.RANDOM:
            return [self._rng.choice(ready)]
        if s is Strategy.FEWEST_CALLS:
            score = calls or _zero
            return [min(ready, key=lambda op: (score(op), t.position[op]))]
        if s is Strategy.LEAST_TALK:
            score = talk or _zero
            return [min(ready, key=lambda op: (score(op), t.position[op]))]
        # Round robin: the ready operator next after the last one offered, cyclically.
        n = len(t.members)
        last = t.last

        def distance(op: str) -> int:
            return (t.position[op] - last - 1) % n

        chosen = min(ready, key=distance)
        t.last = t.position[chosen]
        return [chosen]


def _zero(_: str) -> float:
    return 0.0


def eligible_tier(waited: float, tier_wait: float) -> int | None:
    """The lowest-priority tier a call may reach after waiting `waited` seconds."""
    if tier_wait <= 0:
        return None
    return int(waited // tier_wait)

"""Simulated customers: who answers an outbound call and who calls in, and what they do."""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from itertools import accumulate

from centralino.sim.distributions import sampler
from centralino.sim.scenario import Population, Service
from centralino.telephony.port import EventKind
from centralino.telephony.sim.network import Fate

_KINDS = {
    "answered": EventKind.ANSWERED,
    "busy": EventKind.BUSY,
    "no_answer": EventKind.NO_ANSWER,
    "invalid": EventKind.INVALID_NUMBER,
    "failed": EventKind.FAILED,
    "machine": EventKind.MACHINE,
    "fax": EventKind.FAX,
}


class OutboundPopulation:
    """The people on one campaign's list; numbers carry the population's prefix."""

    def __init__(self, spec: Population, prefix: str, seed: str) -> None:
        self.spec = spec
        self.prefix = prefix
        rng = random.Random(seed)
        self._random = rng.random
        shares = spec.shares()
        self._kinds = [_KINDS[k] for k, _ in shares]
        self._cum = list(accumulate(v for _, v in shares))
        self._ring = sampler(spec.ring, rng)
        self._talk = sampler(spec.talk, rng)
        self._patience = sampler(spec.patience, rng)

    def numbers(self, count: int) -> Iterator[str]:
        p = self.prefix
        return (f"{p}{i:07d}" for i in range(count))

    def fate(self) -> Fate:
        i = bisect.bisect_left(self._cum, self._random() * self._cum[-1])
        kind = self._kinds[min(i, len(self._kinds) - 1)]
        return Fate(kind, self._ring(), self._talk(), self._patience())


class InboundCallers:
    """The people who call one service: talk time, patience and the IVR key they press."""

    def __init__(self, spec: Service, seed: str) -> None:
        self.spec = spec
        rng = random.Random(seed)
        self._random = rng.random
        self._talk = sampler(spec.talk, rng)
        self._patience = sampler(spec.patience, rng)
        self._keys = [c.key for c in spec.ivr]
        self._cum = list(accumulate(c.share for c in spec.ivr))
        self._think = lambda: rng.uniform(1.0, 4.0)

    def fate(self) -> Fate:
        digits = ""
        if self._keys:
            x = self._random()
            i = bisect.bisect_right(self._cum, x)
            digits = self._keys[i] if i < len(self._keys) else ""  # the rest press nothing
        return Fate(EventKind.ANSWERED, 0.0, self._talk(), self._patience(), digits, self._think())


class World:
    """Every simulated customer of a scenario; the network asks it who answers a number."""

    def __init__(self) -> None:
        self._by_prefix: dict[str, OutboundPopulation] = {}
        self._prefix_len = 0

    def add(self, pop: OutboundPopulation) -> None:
        self._by_prefix[pop.prefix] = pop
        self._prefix_len = len(pop.prefix)

    def fate_for(self, number: str) -> Fate:
        pop = self._by_prefix.get(number[: self._prefix_len])
        if pop is None:
            return Fate(EventKind.INVALID_NUMBER, 0.5)
        return pop.fate()

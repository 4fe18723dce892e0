"""Inbound arrivals: a Poisson process per service, its rate constant within each hour."""

from __future__ import annotations

import random

from centralino.engine.clock import Clock
from centralino.sim.populations import InboundCallers
from centralino.sim.scenario import Service
from centralino.telephony.sim.network import SimNetwork


class Arrivals:
    def __init__(
        self,
        clock: Clock,
        network: SimNetwork,
        service: Service,
        callers: InboundCallers,
        start: float,
        end: float,
        seed: str,
    ) -> None:
        self.clock = clock
        self.network = network
        self.service = service
        self.callers = callers
        self.start = start
        self.end = end
        self._rng = random.Random(seed)
        self._caller = 0
        self.count = 0

    def begin(self) -> None:
        self.clock.call_at(self.start, self._next_from, self.start)

    def _next_from(self, t: float) -> None:
        """Schedule the next arrival after `t`; the exponential gap is redrawn at each hour
        boundary (memorylessness makes this exact for a piecewise constant rate)."""
        expo = self._rng.expovariate
        while t < self.end:
            hour = int((t - self.start) // 3600)
            boundary = min(self.start + (hour + 1) * 3600, self.end)
            rate = self.service.arrivals.rate_at_hour(hour) / 3600.0
            if rate > 0:
                nxt = t + expo(rate)
                if nxt < boundary:
                    self.clock.call_at(nxt, self._arrive, nxt)
                    return
            t = boundary

    def _arrive(self, t: float) -> None:
        self._caller += 1
        self.count += 1
        self.network.inbound(self.service.number, f"+39333{self._caller:07d}", self.callers.fate())
        self._next_from(t)

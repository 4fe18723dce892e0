"""Simulated callers for the live demo: a Poisson stream of calls to every service number.

Each caller finds their way through the service's IVR by pressing the keys of a
random path (menus lead to further menus; an operator-code option gets a code of one
of the operators or a wrong one), then talks or gives up after their patience.
"""

from __future__ import annotations

import random

from centralino.domain.inbound.services import ActionKind, ServiceConfig
from centralino.engine.clock import Clock, Timer
from centralino.sim.distributions import Exponential, LogNormal, sampler
from centralino.telephony.port import EventKind
from centralino.telephony.sim.network import Fate, SimNetwork

TALK = LogNormal(dist="lognormal", mean=75.0, sd=45.0)
PATIENCE = Exponential(dist="exponential", mean=120.0)
MAX_DEPTH = 6


def ivr_keys(service: ServiceConfig, rng: random.Random, codes: list[str]) -> str:
    """The keys of one random path through the service's menus (sometimes a wrong key)."""
    if service.root_menu is None:
        return ""
    keys = ""
    menu = service.menus[service.root_menu]
    for _ in range(MAX_DEPTH):
        options = sorted(menu.options)
        wrong = [k for k in "0123456789" if k not in menu.options]
        if wrong and menu.repeats > 0 and rng.random() < 0.05:
            keys += rng.choice(wrong)  # a wrong key: the menu plays again
        key = rng.choice(options)
        keys += key
        action = menu.options[key]
        if action.kind is ActionKind.MENU:
            menu = service.menus[action.target]
            continue
        if action.kind is ActionKind.OPERATOR:
            if codes and rng.random() < 0.8:
                keys += rng.choice(codes)
            else:
                keys += "9" * menu.code_digits
        break
    return keys


class LiveCallers:
    def __init__(self, clock: Clock, network: SimNetwork, per_hour: float, seed: int = 1) -> None:
        self.clock = clock
        self.network = network
        self.per_hour = per_hour
        self._rng = random.Random(f"{seed}:callers")
        self._talk = sampler(TALK, self._rng)
        self._patience = sampler(PATIENCE, self._rng)
        self._services: dict[str, ServiceConfig] = {}
        self._timers: dict[str, Timer] = {}
        self._caller = 0
        self.codes: list[str] = []  # operators' keypad codes callers may know
        self.count = 0

    def set_services(self, services: list[ServiceConfig]) -> None:
        """Call these services from now on (new ones start, removed ones stop)."""
        wanted = {s.name: s for s in services if s.numbers}
        for name in list(self._timers):
            if name not in wanted:
                self.clock.cancel(self._timers.pop(name))
        self._services = wanted
        if self.per_hour <= 0:
            return
        for name in wanted:
            if name not in self._timers:
                self._schedule(name)

    def _schedule(self, name: str) -> None:
        gap = self._rng.expovariate(self.per_hour / 3600.0)
        self._timers[name] = self.clock.call_later(gap, self._arrive, name)

    def _arrive(self, name: str) -> None:
        service = self._services.get(name)
        if service is None:
            self._timers.pop(name, None)
            return
        self._caller += 1
        self.count += 1
        fate = Fate(
            EventKind.ANSWERED, 0.0, self._talk(), self._patience(),
            ivr_keys(service, self._rng, self.codes), self._rng.uniform(1.0, 3.0),
        )  # fmt: skip
        number = self._rng.choice(service.numbers)
        self.network.inbound(number, f"+39347{self._caller:07d}", fate)
        self._schedule(name)

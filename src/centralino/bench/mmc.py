"""One M/M/c queue three ways: SimPy, our event kernel, and our whole stack.

The same model (Poisson arrivals, exponential service, c servers, first come first
served) and the same number of customers, so the figures compare like with like.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from centralino.engine.clock import VirtualClock
from centralino.sim.distributions import Exponential
from centralino.sim.runner import Simulation
from centralino.sim.scenario import Arrivals, Center, Queue, Scenario, Service, Team


@dataclass(slots=True)
class MmcRun:
    name: str
    customers: int
    events: int
    wall: float
    mean_wait: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.wall

    @property
    def customers_per_second(self) -> float:
        return self.customers / self.wall

    @property
    def model_events_per_second(self) -> float:
        """Arrivals plus departures: the events of the model, the same count in every run."""
        return 2 * self.customers / self.wall


def run_simpy(servers: int, lam: float, mu: float, customers: int, seed: int) -> MmcRun:
    import simpy

    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    rng = random.Random(seed)
    expo = rng.expovariate
    waits = [0.0, 0]

    def customer() -> Generator[Any, Any, None]:
        arrived = env.now
        with desk.request() as req:
            yield req
            waits[0] += env.now - arrived
            waits[1] += 1
            yield env.timeout(expo(mu))

    def source() -> Generator[Any, Any, None]:
        for _ in range(customers):
            yield env.timeout(expo(lam))
            env.process(customer())

    env.process(source())
    t0 = time.perf_counter()
    env.run()
    wall = time.perf_counter() - t0
    events = next(env._eid)  # every event SimPy scheduled
    return MmcRun("SimPy 4", int(waits[1]), events, wall, waits[0] / max(1, waits[1]))


def run_kernel(servers: int, lam: float, mu: float, customers: int, seed: int) -> MmcRun:
    clock = VirtualClock(0.0)
    rng = random.Random(seed)
    expo = rng.expovariate
    later = clock.call_later
    now = clock.now
    queue: deque[float] = deque()
    free, left, served, wait = servers, customers, 0, 0.0

    def arrive() -> None:
        nonlocal free, left, served
        left -= 1
        if left > 0:
            later(expo(lam), arrive)
        if free:
            free -= 1
            served += 1
            later(expo(mu), depart)
        else:
            queue.append(now())

    def depart() -> None:
        nonlocal free, served, wait
        if queue:
            wait += now() - queue.popleft()
            served += 1
            later(expo(mu), depart)
        else:
            free += 1

    later(expo(lam), arrive)
    t0 = time.perf_counter()
    clock.run()
    wall = time.perf_counter() - t0
    return MmcRun("Centralino event kernel", served, clock.events, wall, wait / served)


def mmc_scenario(servers: int, lam: float, mu: float, hours: float, seed: int) -> Scenario:
    """The M/M/c model as a scenario: one service, one queue, bots with no wrap-up."""
    return Scenario(
        center=Center(name="M/M/c", hours=hours, seed=seed, drain_minutes=600),
        queues=[Queue(name="q", target_seconds=20)],
        services=[
            Service(
                name="s", number="+3900", queue="q",
                arrivals=Arrivals(per_hour=lam * 3600),
                talk=Exponential(dist="exponential", mean=1 / mu),
            )
        ],
        teams=[Team(name="t", count=servers, queues=["q"], hours=hours + 10)],
    )  # fmt: skip


def run_stack(servers: int, lam: float, mu: float, customers: int, seed: int) -> MmcRun:
    hours = customers / lam / 3600
    sim = Simulation(mmc_scenario(servers, lam, mu, hours, seed))
    t0 = time.perf_counter()
    res = sim.run()
    wall = time.perf_counter() - t0
    q = sim.inbound["q"]
    return MmcRun(
        "Centralino whole stack", q.answered, res.events, wall, q.wait_answered / max(1, q.answered)
    )

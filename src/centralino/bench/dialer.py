"""The same outbound shift under power 1:1, power 2:1 and predictive pacing.

50 operators, a list where about a quarter of the dials reach a person, a 6-hour
shift. The upper bound on talk time: an operator can at best go from one call's
wrap-up straight into the next call, so of each hour logged in, the share not paused
times talk / (talk + wrap-up) can be talk; no pacing beats that.
"""

from __future__ import annotations

from dataclasses import dataclass

from centralino.sim.distributions import Exponential, LogNormal, Uniform
from centralino.sim.runner import Simulation
from centralino.sim.scenario import Campaign, Center, Pauses, Population, Scenario, Team

# Telesales: many short refusals, some long sales talks.
TALK_MEAN, TALK_SD, WRAP_MIN, WRAP_MAX = 90.0, 72.0, 5.0, 25.0


@dataclass(slots=True)
class PacingRun:
    name: str
    talk_minutes_per_operator_hour: float
    occupancy: float
    abandon_rate: float
    positives_per_hour: float
    dials: int
    connected: int
    pause_share: float
    wall: float

    def bound(self) -> float:
        wrap = (WRAP_MIN + WRAP_MAX) / 2
        return 60.0 * (1 - self.pause_share) * TALK_MEAN / (TALK_MEAN + wrap)


def shift(mode: str, ratio: float, operators: int, hours: float, seed: int) -> Scenario:
    return Scenario(
        center=Center(name=f"{mode} {ratio:g}", hours=hours, seed=seed, drain_minutes=30),
        populations=[
            Population(
                name="list", answered=0.25, busy=0.08, no_answer=0.47, invalid=0.05,
                machine=0.13, fax=0.02,
                ring=LogNormal(dist="lognormal", mean=11.0, sd=6.0),
                talk=LogNormal(dist="lognormal", mean=TALK_MEAN, sd=TALK_SD),
                patience=Exponential(dist="exponential", mean=8.0), positive=0.06,
            )
        ],
        campaigns=[
            Campaign(name="c", mode=mode, ratio=ratio, population="list",  # type: ignore[arg-type]
                     records=400_000, ring_timeout=25.0)
        ],
        teams=[
            Team(name="outbound", count=operators, campaign="c",
                 wrap_up=Uniform(dist="uniform", min=WRAP_MIN, max=WRAP_MAX),
                 pauses=Pauses(count=2, minutes=10))
        ],
    )  # fmt: skip


def run(
    mode: str, ratio: float, operators: int = 50, hours: float = 6.0, seed: int = 5
) -> PacingRun:
    name = f"power {ratio:g}:1" if mode == "power" else mode
    sim = Simulation(shift(mode, ratio, operators, hours, seed))
    res = sim.run()
    c = res.campaigns["c"]

    def f(key: str) -> float:
        v = c[key]
        return float(v) if isinstance(v, int | float) else 0.0

    return PacingRun(
        name, f("talk_minutes_per_operator_hour"), f("occupancy"), f("abandon_rate"),
        f("positives_per_hour"), int(f("dials")), int(f("connected")), f("pause_share"),
        res.wall_seconds,
    )  # fmt: skip

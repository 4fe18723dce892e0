"""Run a scenario: wire the simulated network, the engine and the bots, then run the day."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from centralino.domain.call_record import CallRecord
from centralino.domain.inbound.services import Action, ActionKind, IvrMenu, ServiceConfig
from centralino.domain.kpis import InboundStats, OutboundStats, TeamTime
from centralino.domain.outbound.pacing import PredictivePacer
from centralino.engine.center import Center, NumberList
from centralino.engine.clock import VirtualClock
from centralino.sim.arrivals import Arrivals
from centralino.sim.bots import Bots, BotTeam
from centralino.sim.populations import InboundCallers, OutboundPopulation, World
from centralino.sim.scenario import Scenario
from centralino.sim.scenario import Service as ScenarioService
from centralino.telephony.sim.network import SimNetwork

PROMPTS = {"moh": 0.0, "ivr_menu": 6.0, "abandon_message": 6.0}


@dataclass(slots=True)
class SimResult:
    scenario: str
    start: float
    end: float
    wall_seconds: float
    events: int
    calls: int
    queues: dict[str, dict[str, object]] = field(default_factory=dict)
    campaigns: dict[str, dict[str, object]] = field(default_factory=dict)
    teams: dict[str, dict[str, object]] = field(default_factory=dict)
    total: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario,
            "start": datetime.fromtimestamp(self.start, UTC).isoformat(),
            "end": datetime.fromtimestamp(self.end, UTC).isoformat(),
            "wall_seconds": round(self.wall_seconds, 3),
            "events": self.events,
            "events_per_second": round(self.events / self.wall_seconds)
            if self.wall_seconds
            else None,
            "calls": self.calls,
            "queues": self.queues,
            "campaigns": self.campaigns,
            "teams": self.teams,
            "total": self.total,
        }


def service_config(s: ScenarioService, timezone: str) -> ServiceConfig:
    """A scenario's service: its IVR is one menu; no key or a wrong one leads to `queue`."""
    menus = {}
    if s.ivr:
        options = {ch.key: Action(ActionKind.QUEUE, ch.queue) for ch in s.ivr}
        menus["main"] = IvrMenu("main", "ivr_menu", options, timeout=8.0, repeats=0,
                                default=Action(ActionKind.QUEUE, s.queue))  # fmt: skip
    return ServiceConfig(
        s.name, (s.number,), s.queue, timezone,
        welcome="welcome" if s.welcome_seconds else None,
        menus=menus, root_menu="main" if menus else None,
    )  # fmt: skip


class Simulation:
    """A scenario wired and ready to run; `records` receives every call record."""

    def __init__(
        self, sc: Scenario, *, on_record: Callable[[CallRecord], None] | None = None
    ) -> None:
        self.sc = sc
        c = sc.center
        self.start = c.start()
        self.end = self.start + c.hours * 3600
        self.clock = VirtualClock(self.start)
        seed = str(c.seed)
        self.world = World()
        self.network = SimNetwork(self.clock, self.world.fate_for, prompt_seconds=PROMPTS)
        self.center = Center(self.clock, self.network, self._record)
        self._on_record = on_record
        warm = self.start + c.warmup_minutes * 60
        self.inbound = {q.name: InboundStats(q.target_seconds, warm) for q in sc.queues}
        self.outbound = {cp.name: OutboundStats() for cp in sc.campaigns}
        self.calls = 0
        for q in sc.queues:
            self.center.add_queue(q.config())
        pops = {p.name: p for p in sc.populations}
        positive: dict[str, float] = {}
        for k, cp in enumerate(sc.campaigns):
            pop = OutboundPopulation(pops[cp.population], f"+3999{k:03d}", f"{seed}:pop:{cp.name}")
            self.world.add(pop)
            positive[cp.name] = pop.spec.positive
            pacer = (
                PredictivePacer(cap=cp.abandon_cap, grace=cp.abandon_after)
                if cp.mode == "predictive"
                else None
            )
            self.center.add_campaign(
                cp.name, NumberList(pop.numbers(cp.records)), ratio=cp.ratio,
                caller_id=cp.caller_id, ring_timeout=cp.ring_timeout,
                abandon_after=cp.abandon_after, predictive=pacer, mode=cp.mode,
            )  # fmt: skip
        self.arrivals: list[Arrivals] = []
        for s in sc.services:
            ivr = {ch.key: ch.queue for ch in s.ivr}
            self.center.add_service(service_config(s, c.timezone))
            self.network.prompt_seconds["welcome"] = s.welcome_seconds or 0.0
            callers = InboundCallers(s, f"{seed}:callers:{s.name}")
            self.arrivals.append(
                Arrivals(self.clock, self.network, s, callers, self.start, self.end,
                         f"{seed}:arrivals:{s.name}")
            )  # fmt: skip
            for q in {s.queue, *ivr.values()}:
                positive.setdefault(q, s.positive)
        self.bots = Bots(self.center)
        self.team_ops: dict[str, list[str]] = {}
        n = 0
        for t in sc.teams:
            ids = []
            for _ in range(t.count):
                n += 1
                op_id = f"op{n:05d}"
                tiers = [(q, t.tiers.get(q, 0)) for q in t.queues]
                self.center.add_operator(op_id, tiers, t.campaign)
                self.network.register_endpoint(op_id)
                ids.append(op_id)
            self.team_ops[t.name] = ids
            camp = next((cp for cp in sc.campaigns if cp.name == t.campaign), None)
            team = BotTeam(self.clock, self.center, t, ids, positive, f"{seed}:team:{t.name}",
                           camp.preview_seconds if camp else 0.0)  # fmt: skip
            self.bots.add(team)
            team.schedule(self.start, c.hours)

    def _record(self, r: CallRecord) -> None:
        self.calls += 1
        if r.direction == "inbound":
            st = self.inbound.get(r.queue)
            if st is not None:
                st.add(r)
        else:
            ob = self.outbound.get(r.queue)
            if ob is not None:
                ob.add(r)
        if self._on_record is not None:
            self._on_record(r)

    def run(self, progress: Callable[[float], None] | None = None) -> SimResult:
        t0 = time.perf_counter()
        for a in self.arrivals:
            a.begin()
        self.clock.call_at(self.end, self.center.stop_dialing)
        self.clock.run(self.end, progress=progress)
        # Calls in progress at closing finish; nothing new starts.
        self.clock.run(self.end + self.sc.center.drain_minutes * 60, progress=progress)
        self.center.close()
        wall = time.perf_counter() - t0
        return self._result(wall)

    def _result(self, wall: float) -> SimResult:
        now = self.clock.now()
        presences = self.center.presences()
        res = SimResult(
            self.sc.center.name, self.start, self.end, wall, self.clock.events, self.calls
        )
        for name, st in self.inbound.items():
            res.queues[name] = st.summary()
        for name, ob in self.outbound.items():
            summary = ob.summary()
            team = TeamTime.of((presences[o] for o in self.center.operators_of(name)), now)
            hours = team.logged / 3600
            summary["positives_per_hour"] = ob.positive / hours if hours else None
            summary.update(team.summary())
            res.campaigns[name] = summary
        for name, ids in self.team_ops.items():
            res.teams[name] = {
                "operators": len(ids),
                **TeamTime.of((presences[o] for o in ids), now).summary(),
            }
        total: dict[str, object] = dict(TeamTime.of(presences.values(), now).summary())
        inbound = InboundStats.combined(self.inbound.values())
        outbound = OutboundStats.combined(self.outbound.values())
        ins, outs = inbound.summary(), outbound.summary()
        total.update({
            "inbound_offered": inbound.offered,
            "service_level": ins["service_level"],
            "asa_seconds": ins["asa_seconds"],
            "abandon_rate": ins["abandon_rate"],
            "outbound_dials": outbound.dials,
            "outbound_abandon_rate": outs["abandon_rate"],
            "positive": inbound.positive + outbound.positive,
        })  # fmt: skip
        res.total = total
        return res

"""The live engine inside the web server: the simulated network on the wall clock.

Every few seconds it looks at the stored campaigns: active ones with power or
predictive dialing (and preview, when bots work it) are dialed through
`StoreDialSource`; paused or finished ones stop dialing (calls in progress end
normally). With `bots` (the demo) the campaign's operators are bot operators who take
the calls and set outcomes; otherwise operators work from the panel. Until a SIP
driver exists the network is the simulated one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator

from centralino.domain.call_record import CallRecord
from centralino.domain.outbound.campaign import Campaign, DialMode
from centralino.domain.outbound.compliance import PRESETS, AbandonTreatment
from centralino.domain.outbound.pacing import PredictivePacer
from centralino.engine.center import ABANDON_MESSAGE, COMFORT_NOISE, Center, Dial
from centralino.engine.clock import Clock, WallClock
from centralino.services import dialing
from centralino.services.context import ServiceContext
from centralino.services.dial_source import StoreDialSource
from centralino.sim.distributions import Exponential, LogNormal
from centralino.sim.populations import OutboundPopulation
from centralino.sim.scenario import Population
from centralino.telephony.sim.network import Fate, SimNetwork

log = logging.getLogger(__name__)

# Who answers in the simulated world of the demo: an ordinary consumer list.
DEMO_POPULATION = Population(
    name="demo", answered=0.3, busy=0.08, no_answer=0.4, invalid=0.05, machine=0.12, fax=0.05,
    ring=LogNormal(dist="lognormal", mean=9.0, sd=5.0),
    talk=LogNormal(dist="lognormal", mean=50.0, sd=35.0),
    patience=Exponential(dist="exponential", mean=6.0), positive=0.08,
)  # fmt: skip


class LiveCenter:
    def __init__(self, ctx: ServiceContext, *, bots: bool, every: float = 3.0, seed: int = 1):
        self.ctx = ctx
        self.bots = bots
        self.every = every
        self._rng = random.Random(seed)
        self._population = OutboundPopulation(DEMO_POPULATION, "", f"{seed}:live")
        self._user_ids: dict[str, int] = {}
        self.center: Center | None = None
        self._known: set[str] = set()

    def _fate(self, number: str) -> Fate:
        return self._population.fate()

    def _user_of(self, op_id: str) -> int | None:
        return self._user_ids.get(op_id)

    def start(self, loop: asyncio.AbstractEventLoop | None, clock: Clock | None = None) -> None:
        """Wire the engine on the wall clock of `loop` (or on `clock`, for tests)."""
        if clock is None:
            assert loop is not None
            clock = WallClock(loop)
        self.clock = clock
        self.network = SimNetwork(
            clock, self._fate, prompt_seconds={"moh": 0.0, ABANDON_MESSAGE: 4.0, COMFORT_NOISE: 1.0}
        )
        self.center = Center(clock, self.network, lambda _record: None)  # the store has it
        if self.bots:
            self.center.wrap_up_listeners.append(self._bot_wrap_up)
            self.center.preview_listeners.append(self._bot_preview)
        recovered = dialing.recover(self.ctx, sole_dialer=True)
        if recovered:
            log.info("recovered %d interrupted attempts", recovered)

    async def run(self) -> None:
        while True:
            try:
                self.sync()
            except Exception:  # keep the server up; the next pass tries again
                log.exception("live engine: sync failed")
            await asyncio.sleep(self.every)

    def sync(self) -> None:
        center = self.center
        assert center is not None
        with self.ctx.uow() as uow:
            active = uow.campaigns.active()
            operators = {c.id: uow.campaigns.operators(c.id) for c in active}
        live: list[str] = []
        wanted: dict[str, list[str]] = {}  # bot operator -> the active campaigns they are on
        for c in active:
            if c.dial_mode is DialMode.MANUAL or (
                c.dial_mode is DialMode.PREVIEW and not self.bots
            ):
                continue  # the operator panel drives these
            name = f"campaign:{c.id}"
            live.append(name)
            if not center.has_campaign(name):
                self._add_campaign(c, name)
            else:
                center.resume_dialing(name)
            for uid, _username in operators[c.id]:
                wanted.setdefault(f"user:{uid}", []).append(name)
        if self.bots:
            self._place_bots(wanted)
        for name in self._known:
            if name not in live:
                center.stop_dialing(name)
        self._known |= set(live)

    def _place_bots(self, wanted: dict[str, list[str]]) -> None:
        """Each bot works one campaign at a time: bots shared by several active campaigns
        are spread over them, and follow when a campaign stops."""
        center = self.center
        assert center is not None
        for op_id, names in wanted.items():
            target = names[int(op_id.split(":")[1]) % len(names)]
            if not center.has_operator(op_id):
                self._user_ids[op_id] = int(op_id.split(":")[1])
                center.add_operator(op_id, (), target)
                self.network.register_endpoint(op_id)
                center.login(op_id)
            elif center.campaign_of(op_id) != target:
                center.assign_operator(op_id, target)
        for op_id in self._user_ids:
            if op_id not in wanted and center.campaign_of(op_id) is not None:
                center.assign_operator(op_id, None)

    def _add_campaign(self, c: Campaign, name: str) -> None:
        assert self.center is not None
        preset = PRESETS[c.compliance]
        grace = preset.abandon_after.total_seconds()
        pacer = (
            PredictivePacer(cap=min(c.max_abandon_rate, preset.abandon_cap), grace=grace)
            if c.dial_mode is DialMode.PREDICTIVE
            else None
        )
        center = self.center

        def present() -> list[int]:
            return [u for op in center.logged_in(name) if (u := self._user_ids.get(op))]

        self.center.add_campaign(
            name, StoreDialSource(self.ctx, c.id, self._user_of, present), ratio=c.power_ratio,
            caller_id=c.caller_id or "", abandon_after=grace, predictive=pacer,
            mode=c.dial_mode.value,
            abandon_prompt=COMFORT_NOISE
            if preset.treatment is AbandonTreatment.COMFORT_NOISE
            else ABANDON_MESSAGE,
        )  # fmt: skip
        self._known = self._known | {name}

    def _bot_wrap_up(self, op_id: str, record: CallRecord) -> None:
        assert self.center is not None
        positive = self._rng.random() < DEMO_POPULATION.positive
        outcome = "positive" if positive else self._rng.choice(["not_interested", "completed"])
        self.clock.call_later(self._rng.uniform(5.0, 20.0), self._finish, op_id, outcome, positive)

    def _bot_preview(self, op_id: str, _dial: Dial) -> None:
        assert self.center is not None
        self.clock.call_later(self._rng.uniform(2.0, 6.0), self._dial, op_id)

    def _dial(self, op_id: str) -> None:
        assert self.center is not None
        with contextlib.suppress(Exception):
            self.center.dial_preview(op_id)

    def _finish(self, op_id: str, outcome: str, positive: bool) -> None:
        assert self.center is not None
        with contextlib.suppress(Exception):
            self.center.finish_wrap_up(op_id, outcome, positive)


@contextlib.asynccontextmanager
async def running(live: LiveCenter) -> AsyncIterator[LiveCenter]:
    """Run the live engine for as long as the web application runs."""
    live.start(asyncio.get_running_loop())
    task = asyncio.create_task(live.run())
    try:
        yield live
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if live.center is not None:
            live.center.stop_dialing()

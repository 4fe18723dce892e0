"""The live engine inside the web server: the simulated network on the wall clock.

One engine per company (its own simulated network, queues, services and campaigns).
Every few seconds the live engine reads the store: active campaigns with power or
predictive dialing are dialed through `StoreDialSource` (preview and manual ones by
the people of the operator panel, preview also by bots), paused or finished ones stop
dialing (calls in progress end normally); queues, services with their numbers and IVR
menus, queue members and pause reasons are applied to the running engine (calls in
progress keep going). Every finished call leg and every operator state change goes back
to the store in the same pass. With `bots` (the demo) the campaigns' and queues'
operators are bot operators, and simulated callers ring every service number; otherwise
operators work from the panel. Until a SIP driver exists the network is the simulated one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any, Protocol

from centralino.domain.call_record import CallRecord
from centralino.domain.operators import OperatorState
from centralino.domain.outbound.campaign import Campaign, DialMode
from centralino.domain.outbound.compliance import PRESETS, AbandonTreatment
from centralino.domain.outbound.pacing import PredictivePacer
from centralino.engine.center import ABANDON_MESSAGE, COMFORT_NOISE, Center, Dial
from centralino.engine.clock import Clock, WallClock
from centralino.services import dialing
from centralino.services.calls import log_states, save_calls
from centralino.services.context import ServiceContext
from centralino.services.dial_source import StoreDialSource
from centralino.services.inbound import InboundSetup, load_inbound
from centralino.sim.distributions import Exponential, LogNormal
from centralino.sim.live_callers import LiveCallers
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
# How long the demo's prompts last (seconds); any other prompt lasts DEFAULT_PROMPT.
PROMPTS = {
    "moh": 0.0, ABANDON_MESSAGE: 4.0, COMFORT_NOISE: 1.0, "ivr_invalid": 3.0, "closed": 6.0,
    "operator_code": 3.0, "callback_offer": 5.0, "voicemail_greeting": 4.0,
    # the demo's own prompts (demo.py)
    "benvenuto": 4.0, "menu_principale": 6.0, "menu_info": 5.0, "orari_apertura": 6.0,
    "whisper_acme": 1.5,
}  # fmt: skip
_ENGINE_USER = re.compile(r"user:(\d+)")
DEFAULT_PROMPT = 5.0
BACKLOG = 100_000  # call legs (and state changes) a company may keep while its store fails


def _keypad_code(user_id: int) -> str | None:
    """The code a caller keys to reach an operator: the user id on three digits (the
    menus take three; users from 1000 on get none)."""
    return f"{user_id:03d}" if user_id < 1000 else None


def _sync_memberships(center: Center, op_id: str, member_of: list[tuple[str, int]]) -> None:
    """The operator's queues and tiers in the running engine as stored."""
    have = dict(center.memberships(op_id))
    for q, tier in member_of:
        if have.get(q) != tier:
            center.join_queue(op_id, q, tier)
    wanted = {name for name, _ in member_of}
    for q in have:
        if q not in wanted:
            center.leave_queue(op_id, q)


class _Site:
    """One company's live engine and what it owes the store."""

    def __init__(self, company_id: int, clock: Clock, live: LiveCenter) -> None:
        self.company_id = company_id
        self.records: list[CallRecord] = []
        self.states: list[tuple[str, str, str | None, float]] = []
        self.usernames: dict[str, str] = {}  # operator id -> username
        self.campaign_names: dict[str, str] = {}  # engine campaign name -> stored name
        self.known: set[str] = set()  # engine campaign names seen active
        self.humans: set[str] = set()  # operators working from the panel: no bot acts for them
        self.network = SimNetwork(
            clock,
            live._fate,
            prompt_seconds=PROMPTS,
            default_prompt_seconds=DEFAULT_PROMPT,
            recordings_dir=(live.ctx.settings.data_dir / "recordings" / str(company_id)).resolve(),
        )
        self.center = Center(clock, self.network, self._sink)
        self.callers = LiveCallers(clock, self.network, live.callers_per_hour, company_id)
        self.center.state_listeners.append(self._state)

    def _sink(self, record: CallRecord) -> None:
        """Keep the record for the store, with stored names: the campaign's own name and
        the operator's username (the engine knows them as `campaign:<id>`, `user:<id>`)."""
        changes: dict[str, str] = {}
        if record.direction != "inbound" and record.queue in self.campaign_names:
            changes["queue"] = self.campaign_names[record.queue]
        if record.operator in self.usernames:
            changes["operator"] = self.usernames[record.operator]
        names = self.usernames

        def name(m: re.Match[str]) -> str:
            return names.get(m.group(0), m.group(0))

        phases = [(at, p, _ENGINE_USER.sub(name, d)) for at, p, d in record.phases]
        self.records.append(replace(record, phases=phases, **changes))  # type: ignore[arg-type]

    def _state(self, op_id: str, state: OperatorState, reason: str | None, at: float) -> None:
        name = self.usernames.get(op_id)
        if name is not None:
            self.states.append((name, state.value, reason, at))


@dataclass(slots=True)
class _Snapshot:
    """One read of the store: active campaigns and their operators, companies, inbound."""

    active: list[Campaign]
    operators: dict[int, list[tuple[int, str]]]
    companies: set[int]
    setups: dict[int, InboundSetup]


@dataclass(slots=True)
class _Batch:
    """A company's finished call legs and state changes, on their way to the store."""

    site: _Site
    records: list[CallRecord]
    states: list[tuple[str, str, str | None, float]]


class PassListener(Protocol):
    """Told after each engine pass, in three steps: what to read (on the loop, from the
    engines), the read (blocking store I/O, in a worker thread when the server runs), and
    what to do with it (on the loop)."""

    def gather(self) -> Any: ...

    def read(self, what: Any) -> Any: ...

    def apply(self, got: Any) -> None: ...


class LiveCenter:
    def __init__(
        self,
        ctx: ServiceContext,
        *,
        bots: bool,
        every: float = 3.0,
        seed: int = 1,
        callers_per_hour: float | None = None,
    ):
        self.ctx = ctx
        self.bots = bots
        self.every = every
        self._rng = random.Random(seed)
        self._population = OutboundPopulation(DEMO_POPULATION, "", f"{seed}:live")
        self._user_ids: dict[str, int] = {}  # operator id -> user id, every company
        self.callers_per_hour = (
            callers_per_hour if callers_per_hour is not None else (90.0 if bots else 0.0)
        )
        self.sites: dict[int, _Site] = {}
        self._started = False
        self.pass_listeners: list[PassListener] = []  # after each pass (supervision)

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
        self._started = True
        recovered = dialing.recover(self.ctx, sole_dialer=True)
        if recovered:
            log.info("recovered %d interrupted attempts", recovered)

    def site(self, company_id: int) -> _Site:
        site = self.sites.get(company_id)
        if site is None:
            site = _Site(company_id, self.clock, self)
            # people dial their previews from the panel: the listener keeps the engine
            # from dialing for them (and dials for the bots)
            site.center.preview_listeners.append(self._bot_preview(site))
            if self.bots:
                site.center.wrap_up_listeners.append(self._bot_wrap_up(site))
                site.center.paused_listeners.append(self._bot_paused(site))
            self.sites[company_id] = site
        return site

    def center_of(self, company_id: int) -> Center | None:
        site = self.sites.get(company_id)
        return site.center if site else None

    @property
    def center(self) -> Center | None:
        """The engine of the only company running (None with none or several)."""
        return next(iter(self.sites.values())).center if len(self.sites) == 1 else None

    async def run(self) -> None:
        while True:
            try:
                await self.sync_off_loop()
            except Exception:  # keep the server up; the next pass tries again
                log.exception("live engine: sync failed")
            await asyncio.sleep(self.every)

    # --- one pass ---

    def sync(self) -> None:
        """One pass on the caller's thread: read the store, apply it, store what ended."""
        self._apply(self._read())
        self.flush()
        self._after_pass()

    async def sync_off_loop(self) -> None:
        """One pass as the server runs it: the store is read and written in a worker
        thread, so the loop (the engine's timers, the API, the event stream) never waits
        on the database; the engine itself is changed on the loop only."""
        self._apply(await asyncio.to_thread(self._read))
        batches = self._take()
        write = asyncio.ensure_future(asyncio.to_thread(self._write, batches))
        try:
            self._give_back(await asyncio.shield(write))
        except asyncio.CancelledError:  # shutdown: let the write end, keep what failed
            self._give_back(await write)
            raise
        await self._after_pass_off_loop()

    def _after_pass(self) -> None:
        """The listeners of a finished pass (supervision reads the store's facts), all on
        the caller's thread."""
        for listener in self.pass_listeners:
            listener.apply(listener.read(listener.gather()))

    async def _after_pass_off_loop(self) -> None:
        """The same as the server runs it: each listener's store read in a worker thread,
        what it asks for and what it does with the answer on the loop."""
        for listener in self.pass_listeners:
            try:
                listener.apply(await asyncio.to_thread(listener.read, listener.gather()))
            except Exception:  # one listener's failure must not stop the others
                log.exception("live engine: a pass listener failed")

    def _read(self) -> _Snapshot:
        """What the store says the engines should run (blocking I/O, any thread)."""
        with self.ctx.uow() as uow:
            active = uow.campaigns.active()
            operators = {c.id: uow.campaigns.operators(c.id) for c in active}
            companies = uow.companies.list(None, 10_000, 0).items
            setups = {co.id: load_inbound(uow, co.id) for co in companies}
        return _Snapshot(active, operators, {co.id for co in companies}, setups)

    def _apply(self, snap: _Snapshot) -> None:
        assert self._started
        by_company: dict[int, list[Campaign]] = {}
        for c in snap.active:
            by_company.setdefault(c.company_id, []).append(c)
        for gone in [cid for cid in self.sites if cid not in snap.companies]:
            self._close(self.sites.pop(gone))  # the company was deleted
        setups = snap.setups
        for company_id in sorted(set(by_company) | {k for k, s in setups.items() if not s.empty}):
            site = self.site(company_id)
            inbound = setups.get(company_id, InboundSetup())
            self._sync_inbound(site, inbound)
            self._sync_campaigns(site, by_company.get(company_id, []), snap.operators, inbound)

    def flush(self) -> None:
        """Finished calls and operator state changes to the store, one transaction per
        company; a company whose write fails keeps its backlog for the next pass (up to
        BACKLOG items) and does not hold the others back."""
        self._give_back(self._write(self._take()))

    def _take(self) -> list[_Batch]:
        """What the engines finished since the last pass, taken off them (on the loop)."""
        batches = []
        for site in list(self.sites.values()):
            records, site.records = site.records, []
            states, site.states = site.states, []
            if records or states:
                batches.append(_Batch(site, records, states))
        return batches

    def _write(self, batches: list[_Batch]) -> list[_Batch]:
        """Store each batch (blocking I/O, any thread); the batches that failed."""
        failed = []
        for b in batches:
            try:
                with self.ctx.uow() as uow:
                    save_calls(uow, b.site.company_id, b.records)
                    log_states(uow, b.site.company_id, b.states)
                    uow.commit()
            except Exception:
                log.exception("live engine: company %d: calls not stored yet", b.site.company_id)
                failed.append(b)
        return failed

    def _give_back(self, failed: list[_Batch]) -> None:
        """Failed batches go first in their company's backlog, for the next pass."""
        for b in failed:
            b.site.records[:0] = b.records[-BACKLOG:]
            b.site.states[:0] = b.states[-BACKLOG:]

    def _sync_inbound(self, site: _Site, setup: InboundSetup) -> None:
        center = site.center
        for q in setup.queues:
            center.acd.update_queue(q)
        center.pause_reasons.update({r.code: r for r in setup.pause_reasons})
        wanted = {s.name for s in setup.services}
        for name in list(center.flow.services):
            if name not in wanted:
                center.flow.remove_service(name)
        for s in setup.services:
            if center.flow.services.get(s.name) != s:
                try:
                    center.flow.replace_service(s)
                except Exception:
                    log.exception("live engine: service %s not applied", s.name)
        if not self.bots:
            return
        codes: list[str] = []
        for username, member_of in setup.memberships.items():
            uid = setup.user_ids.get(username)
            if uid is None:
                continue
            op_id = f"user:{uid}"
            code = _keypad_code(uid)
            self._user_ids[op_id] = uid
            site.usernames[op_id] = username
            if not center.has_operator(op_id):
                center.add_operator(op_id, member_of, code=code)
                site.network.register_endpoint(op_id)
                center.login(op_id)
            else:
                _sync_memberships(center, op_id, member_of)
            if code is not None and center.operator_by_code(code) is not None:
                codes.append(code)
        site.callers.codes = codes
        site.callers.set_services(setup.services)

    def _sync_campaigns(
        self,
        site: _Site,
        active: list[Campaign],
        operators: dict[int, list[tuple[int, str]]],
        setup: InboundSetup,
    ) -> None:
        center = site.center
        live: list[str] = []
        wanted: dict[str, list[str]] = {}  # bot operator -> the active campaigns they are on
        for c in active:
            name = f"campaign:{c.id}"  # preview and manual: people dial from the panel
            live.append(name)
            if not center.has_campaign(name):
                self._add_campaign(site, c, name)
            else:
                center.resume_dialing(name)
            for uid, username in operators[c.id]:
                if c.dial_mode is DialMode.MANUAL and f"user:{uid}" not in site.humans:
                    continue  # a bot never picks records by hand
                wanted.setdefault(f"user:{uid}", []).append(name)
                site.usernames[f"user:{uid}"] = username
        if self.bots:
            self._place_bots(site, wanted)
        for name in site.known:
            if name not in live:
                center.stop_dialing(name)
        site.known |= set(live)

    def _place_bots(self, site: _Site, wanted: dict[str, list[str]]) -> None:
        """Each bot works one campaign at a time: bots shared by several active campaigns
        are spread over them, and follow when a campaign stops."""
        center = site.center
        for op_id, names in wanted.items():
            target = names[int(op_id.split(":")[1]) % len(names)]
            if not center.has_operator(op_id):
                self._user_ids[op_id] = int(op_id.split(":")[1])
                center.add_operator(op_id, (), target)
                site.network.register_endpoint(op_id)
                center.login(op_id)
            elif center.campaign_of(op_id) != target:
                center.assign_operator(op_id, target)
        for op_id in list(site.usernames):
            if (
                op_id not in wanted
                and center.has_operator(op_id)
                and center.campaign_of(op_id) is not None
            ):
                center.assign_operator(op_id, None)

    def _add_campaign(self, site: _Site, c: Campaign, name: str) -> None:
        preset = PRESETS[c.compliance]
        grace = preset.abandon_after.total_seconds()
        pacer = (
            PredictivePacer(cap=min(c.max_abandon_rate, preset.abandon_cap), grace=grace)
            if c.dial_mode is DialMode.PREDICTIVE
            else None
        )
        center = site.center

        def present() -> list[int]:
            return [u for op in center.logged_in(name) if (u := self._user_ids.get(op))]

        center.add_campaign(
            name, StoreDialSource(self.ctx, c.id, self._user_of, present), ratio=c.power_ratio,
            caller_id=c.caller_id or "", abandon_after=grace, predictive=pacer,
            mode=c.dial_mode.value,
            abandon_prompt=COMFORT_NOISE
            if preset.treatment is AbandonTreatment.COMFORT_NOISE
            else ABANDON_MESSAGE,
        )  # fmt: skip
        site.known.add(name)
        site.campaign_names[name] = c.name

    # --- people working from the panel ---

    def add_human(
        self,
        company_id: int,
        user_id: int,
        username: str,
        setup: InboundSetup,
        campaign_ids: list[int],
    ) -> Center:
        """Put a person who works from the operator panel in the engine (not logged in yet):
        their stored queue memberships and, among the active campaigns they are on that the
        engine dials, one chosen as for bots. With bots on, the same person may already
        be there as a bot; from now on no bot acts for them."""
        site = self.site(company_id)
        center = site.center
        for q in setup.queues:  # a company the engine has not met yet: its queues first
            center.acd.update_queue(q)
        center.pause_reasons.update({r.code: r for r in setup.pause_reasons})
        op_id = f"user:{user_id}"
        member_of = [
            (q, t) for q, t in setup.memberships.get(username, []) if q in center.acd.queues
        ]
        names = [n for c in campaign_ids if center.has_campaign(n := f"campaign:{c}")]
        target = names[user_id % len(names)] if names else None
        self._user_ids[op_id] = user_id
        site.usernames[op_id] = username
        site.humans.add(op_id)
        if not center.has_operator(op_id):
            code = _keypad_code(user_id)
            if code is not None and center.operator_by_code(code) is not None:
                code = None
            center.add_operator(op_id, member_of, target, code=code)
            site.network.register_endpoint(op_id)
            return center
        _sync_memberships(center, op_id, member_of)
        center.assign_operator(op_id, target)
        return center

    # --- bots ---

    def _bot_wrap_up(self, site: _Site):  # type: ignore[no-untyped-def]
        def wrap_up(op_id: str, record: CallRecord) -> None:
            if op_id in site.humans:
                return
            positive = self._rng.random() < DEMO_POPULATION.positive
            outcome = "positive" if positive else self._rng.choice(["not_interested", "completed"])
            delay = self._rng.uniform(5.0, 20.0)
            self.clock.call_later(delay, self._finish, site, op_id, outcome, positive)

        return wrap_up

    def _bot_preview(self, site: _Site):  # type: ignore[no-untyped-def]
        def preview(op_id: str, _dial: Dial) -> None:
            if op_id in site.humans or not self.bots:
                return
            self.clock.call_later(self._rng.uniform(2.0, 6.0), self._dial, site, op_id)

        return preview

    def _bot_paused(self, site: _Site):  # type: ignore[no-untyped-def]
        def paused(op_id: str) -> None:  # a bot paused by the system comes back in a while
            if op_id in site.humans:
                return
            self.clock.call_later(self._rng.uniform(60.0, 180.0), self._resume, site, op_id)

        return paused

    def _dial(self, site: _Site, op_id: str) -> None:
        with contextlib.suppress(Exception):
            site.center.dial_preview(op_id)

    def _resume(self, site: _Site, op_id: str) -> None:
        with contextlib.suppress(Exception):
            site.center.resume(op_id)

    def _finish(self, site: _Site, op_id: str, outcome: str, positive: bool) -> None:
        with contextlib.suppress(Exception):
            site.center.finish_wrap_up(op_id, outcome, positive)

    def _close(self, site: _Site) -> None:
        site.callers.set_services([])
        site.center.stop_dialing()
        site.center.close()

    def stop(self) -> None:
        """Server shutdown: calls still up are stored as unfinished, operators logged out."""
        for site in self.sites.values():
            self._close(site)
            presences = site.center.presences()
            for op_id, name in site.usernames.items():
                p = presences.get(op_id)
                if p is not None and p.state is not OperatorState.LOGGED_OUT:
                    site.states.append((name, "logged_out", None, self.clock.now()))
        with contextlib.suppress(Exception):
            self.flush()


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
        live.stop()

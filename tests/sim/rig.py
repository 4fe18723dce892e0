"""A test rig: the engine on the simulated network in virtual time, and a service helper."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from centralino.domain.call_record import CallRecord
from centralino.domain.inbound.services import Action, ActionKind, IvrMenu, ServiceConfig
from centralino.domain.operators import OperatorState
from centralino.engine.center import Center
from centralino.engine.clock import VirtualClock
from centralino.engine.runtime import CallRun
from centralino.telephony.port import EventKind, LegId
from centralino.telephony.sim.network import Fate, SimNetwork

PROMPTS = {"moh": 0.0, "ivr_menu": 2.0, "abandon_message": 5.0}


def service(number: str, queue: str, ivr: dict[str, str] | None = None) -> ServiceConfig:
    """A service straight to `queue`, or through a one-level menu whose default is `queue`."""
    menus = {}
    if ivr:
        opts = {k: Action(ActionKind.QUEUE, q) for k, q in ivr.items()}
        menus["main"] = IvrMenu(
            "main",
            "ivr_menu",
            opts,
            timeout=8.0,
            repeats=0,
            default=Action(ActionKind.QUEUE, queue),
        )
    return ServiceConfig(
        f"svc {number}", (number,), queue, "UTC", menus=menus, root_menu="main" if ivr else None
    )


class Rig:
    """One center on one simulated network. `auto_wrap=False` installs a wrap-up listener
    that does nothing, so after-call work lasts until the test (or its time limit) ends it."""

    def __init__(
        self,
        fates: dict[str, Fate] | None = None,
        auto_wrap: bool = True,
        *,
        prompts: dict[str, float] | None = None,
        **center: Any,
    ) -> None:
        self.clock = VirtualClock(0.0)
        table = fates or {}
        self.net = SimNetwork(
            self.clock,
            lambda n: table.get(n, Fate(EventKind.NO_ANSWER)),
            prompt_seconds={**PROMPTS, **(prompts or {})},
        )
        self.records: list[CallRecord] = []
        self.center = Center(self.clock, self.net, self.records.append, **center)
        if not auto_wrap:
            self.center.wrap_up_listeners.append(lambda op, rec: None)
        self.notices: list[tuple[float, str, str, str]] = []  # at, operator, kind, text
        self.center.notice_listeners.append(
            lambda op, kind, text: self.notices.append((self.clock.now(), op, kind, text))
        )
        self.offers: list[tuple[float, str, int]] = []  # at, operator, call id (held offers)

    def operators(
        self,
        *ids: str,
        queues: Iterable[str | tuple[str, int]] = (),
        campaign: str | None = None,
    ) -> None:
        for op in ids:
            self.operator(op, queues=queues, campaign=campaign)

    def operator(
        self,
        op: str,
        *,
        queues: Iterable[str | tuple[str, int]] = (),
        campaign: str | None = None,
        code: str | None = None,
    ) -> None:
        """Add an operator, register their phone and log them in (ready at once)."""
        self.center.add_operator(op, tuple(queues), campaign, code=code)
        self.net.register_endpoint(op)
        self.center.login(op)
        self.clock.run(until=self.clock.now())

    def hold_offers(self) -> None:
        """Offers ring until the test calls `center.answer` (or the answer timeout)."""

        def offered(op: str, call: CallRun) -> None:
            self.offers.append((self.clock.now(), op, call.record.call_id))

        self.center.acd.offer_listeners.append(offered)

    def call(self, at: float, dialed: str, caller: str, fate: Fate) -> None:
        """A customer calls `dialed` at clock time `at`."""
        self.clock.call_at(at, self.net.inbound, dialed, caller, fate)

    def call_now(self, dialed: str, caller: str, fate: Fate) -> LegId:
        return self.net.inbound(dialed, caller, fate)

    def run(self, until: float | None = None) -> None:
        if until is None:
            self.clock.run()
        else:
            self.clock.run(until=until)

    def state(self, op: str) -> OperatorState:
        return self.center.presences()[op].state

    def reason(self, op: str) -> str | None:
        return self.center.presences()[op].reason

    def record(self, number: str) -> CallRecord:
        (rec,) = [r for r in self.records if r.number == number]
        return rec

    def phases(self, number: str) -> list[str]:
        return [p for _, p, _ in self.record(number).phases]

"""The operator's own phone session in the live engine (IN-4, IN-5): what the buttons of
the operator panel do, for a person rather than a bot.

Every function here touches the engine, so it must run on the thread of the live
engine's event loop (the API's routes are `async def`, see `api/phone/routes.py`); what
it needs from the store is read beforehand, in a worker thread (`load_session`).
A person works as the engine operator `user:<user id>`: logging in puts them in the
engine with their stored queues and campaign, and from then on no bot acts for them.
Their own state changes, offers and notices go out on the event bus to them only.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from centralino.domain.access import Place, Principal
from centralino.domain.call_record import CallRecord
from centralino.domain.errors import DomainError, Forbidden, IllegalTransition, NotFound
from centralino.domain.events import Event
from centralino.domain.operators import OperatorState
from centralino.domain.roles import Permission
from centralino.engine.center import Center
from centralino.engine.clock import to_datetime
from centralino.engine.runtime import CallRun
from centralino.eventbus import EventBus
from centralino.live import LiveCenter
from centralino.services.context import ServiceContext
from centralino.services.inbound import InboundSetup, load_inbound
from centralino.telephony.port import HangupCause

S = OperatorState
P = Permission
MODES = ("blind", "consult")


class EngineOff(DomainError):
    status_code = 503
    error_id = "engine-off"


@dataclass(slots=True)
class Session:
    """What the store says about the caller, read off the engine's thread."""

    user_id: int
    username: str
    company_id: int
    group_path: str
    setup: InboundSetup = field(default_factory=InboundSetup)
    campaign_ids: list[int] = field(default_factory=list)


def check_access(actor: Principal) -> None:
    if not actor.has_anywhere(P.CALLS_HANDLE):
        raise Forbidden("working on the phone needs the calls.handle permission")


def load_session(ctx: ServiceContext, actor: Principal, username: str, group_path: str) -> Session:
    """The caller's queue memberships and the active campaigns they are on (blocking I/O)."""
    check_access(actor)
    with ctx.uow() as uow:
        setup = load_inbound(uow, actor.company_id)
        campaign_ids = [
            c.id
            for c in uow.campaigns.active()
            if c.company_id == actor.company_id
            and any(uid == actor.user_id for uid, _ in uow.campaigns.operators(c.id))
        ]
    return Session(actor.user_id, username, actor.company_id, group_path, setup, campaign_ids)


@dataclass(slots=True)
class _Person:
    user_id: int
    place: Place
    last: CallRecord | None = None  # the call of the current after-call work


class Desk:
    """One company's people working from the panel: the listeners that tell each of them
    about their own state, offers and notices, and that let everybody else (bots) answer
    and wrap up as before. Installed when the first person of the company logs in."""

    def __init__(self, live: LiveCenter, center: Center, company_id: int, bus: EventBus) -> None:
        self.live = live
        self.center = center
        self.company_id = company_id
        self.bus = bus
        self.people: dict[str, _Person] = {}
        center.state_listeners.append(self._state)
        center.notice_listeners.append(self._notice)
        center.wrap_up_listeners.append(self._wrap_up)
        # With an offer listener the engine no longer answers by itself for operators
        # without auto-answer: those who are not people (bots) are answered here at once.
        center.acd.offer_listeners.append(self._offer)

    def _publish(self, person: _Person, kind: str, at: float, payload: dict[str, Any]) -> None:
        self.bus.publish(
            Event(kind, to_datetime(at), person.place, P.CALLS_HANDLE, payload, person.user_id)
        )

    def _state(self, op_id: str, state: OperatorState, reason: str | None, at: float) -> None:
        person = self.people.get(op_id)
        if person is not None:
            self._publish(person, "phone.state", at, {"state": state.value, "reason": reason})

    def _notice(self, op_id: str, kind: str, text: str) -> None:
        person = self.people.get(op_id)
        if person is not None:
            now = self.center.clock.now()
            self._publish(person, "phone.notice", now, {"notice": kind, "text": text})

    def _offer(self, op_id: str, call: CallRun) -> None:
        person = self.people.get(op_id)
        if person is None:
            self.center.clock.call_soon(self._answer_for, op_id, call)
            return
        self._publish(person, "phone.offer", self.center.clock.now(), call_view(self.center, call))

    def _answer_for(self, op_id: str, call: CallRun) -> None:
        if any(op.id == op_id for op in call.offered):
            self.center.answer(op_id)

    def _wrap_up(self, op_id: str, record: CallRecord) -> None:
        person = self.people.get(op_id)
        if person is not None:
            person.last = record
        elif not self.live.bots:  # nobody else would end it: as with no listener at all
            self.center.clock.call_soon(self._finish_for, op_id)

    def _finish_for(self, op_id: str) -> None:
        with contextlib.suppress(DomainError):
            self.center.finish_wrap_up(op_id)


class Phones:
    """The people at work on one live engine, by company."""

    def __init__(self, live: LiveCenter, bus: EventBus) -> None:
        self.live = live
        self.bus = bus
        self._desks: dict[int, Desk] = {}

    def _desk(self, company_id: int) -> Desk | None:
        desk = self._desks.get(company_id)
        center = self.live.center_of(company_id)
        if desk is not None and desk.center is center:
            return desk
        return None

    def _operator(self, actor: Principal) -> tuple[Center, str]:
        """The caller's engine and operator id, or 409 when they are not in the engine."""
        center = self.live.center_of(actor.company_id)
        op_id = f"user:{actor.user_id}"
        if center is None or not center.has_operator(op_id):
            raise IllegalTransition("you are logged out: log in first")
        return center, op_id

    # --- reading ---

    def view(self, actor: Principal) -> dict[str, Any]:
        """My state, since when, pause reason, queues and campaign, the call ringing to me
        or in hand, the consultation in progress, auto-answer."""
        op_id = f"user:{actor.user_id}"
        center = self.live.center_of(actor.company_id)
        out: dict[str, Any] = {
            "operator": op_id, "state": S.LOGGED_OUT.value, "since": None, "reason": None,
            "reason_label": None, "queues": [], "campaign": None, "ringing": None,
            "call": None, "consulting": None, "auto_answer": False, "pause_pending": None,
            "logout_pending": False, "code": None,
        }  # fmt: skip
        if center is None or not center.has_operator(op_id):
            return out
        op = center.operator(op_id)
        p = op.presence
        label = center.pause_reasons.get(p.reason) if p.reason else None
        camp = center.campaign_of(op_id)
        site = self.live.sites.get(actor.company_id)
        call: dict[str, Any] | None = None
        if op.call is not None:
            call = call_view(center, op.call)
        elif p.state is S.WRAP_UP:
            desk = self._desk(actor.company_id)
            person = desk.people.get(op_id) if desk else None
            if person is not None and person.last is not None:
                call = record_view(person.last, None)
        names = site.campaign_names if site else {}
        for shown in (call, ringing := call_view(center, op.offer) if op.offer else None):
            if shown is not None and shown["queue"] in names:  # "campaign:1" → its name
                shown["queue"] = names[shown["queue"]]
        out.update(
            state=p.state.value,
            since=to_datetime(p.since) if p.since else None,
            reason=p.reason,
            reason_label=label.label if label else None,
            queues=[{"queue": q, "tier": t} for q, t in center.memberships(op_id)],
            campaign=None if camp is None else {
                "id": int(camp.split(":", 1)[1]),
                "name": site.campaign_names.get(camp, camp) if site else camp,
            },
            ringing=ringing,
            call=call,
            consulting=_consulting_label(center.transfers.consulting(op_id)),
            auto_answer=op.auto_answer,
            pause_pending=op.pause_pending or None,
            logout_pending=op.logout_pending,
            code=op.code,
        )  # fmt: skip
        return out

    def call_in_hand(self, actor: Principal) -> tuple[CallRecord, CallRun | None] | None:
        """The record of the call I talk on or wrap up (with its live run while it lasts),
        for the parts of the panel that follow a call (scripts)."""
        op_id = f"user:{actor.user_id}"
        center = self.live.center_of(actor.company_id)
        if center is None or not center.has_operator(op_id):
            return None
        op = center.operator(op_id)
        if op.call is not None:
            return op.call.record, op.call
        if op.presence.state is S.WRAP_UP:
            desk = self._desk(actor.company_id)
            person = desk.people.get(op_id) if desk else None
            if person is not None and person.last is not None:
                return person.last, None
        return None

    # --- the panel's buttons ---

    def login(self, actor: Principal, session: Session) -> None:
        """Into the engine with the stored queues and campaign, then the phone is called:
        ready as soon as it answers (at once on the simulated network)."""
        center = self.live.add_human(
            session.company_id, session.user_id, session.username, session.setup,
            session.campaign_ids,
        )  # fmt: skip
        desk = self._desk(session.company_id)
        if desk is None:
            desk = self._desks[session.company_id] = Desk(
                self.live, center, session.company_id, self.bus
            )
        op_id = f"user:{session.user_id}"
        desk.people[op_id] = _Person(session.user_id, Place(session.company_id, session.group_path))
        center.login(op_id)

    def ready(self, actor: Principal) -> None:
        center, op_id = self._operator(actor)
        if center.operator(op_id).presence.state is S.LOGGED_OUT:
            raise IllegalTransition("you are logged out: log in first")
        center.resume(op_id)

    def pause(self, actor: Principal, reason: str | None) -> None:
        center, op_id = self._operator(actor)
        center.pause(op_id, reason)

    def logout(self, actor: Principal) -> None:
        center = self.live.center_of(actor.company_id)
        op_id = f"user:{actor.user_id}"
        if center is not None and center.has_operator(op_id):
            center.logout(op_id)

    def answer(self, actor: Principal) -> None:
        center, op_id = self._operator(actor)
        if center.operator(op_id).offer is None:
            raise IllegalTransition("no call is ringing to you")
        center.answer(op_id)

    def set_auto_answer(self, actor: Principal, on: bool) -> None:
        center, op_id = self._operator(actor)
        center.set_auto_answer(op_id, on)

    def hangup(self, actor: Principal) -> None:
        """End the call I talk on: the customer's line is hung up, and the engine's usual
        flow follows (the record closed as talked, me in after-call work)."""
        center, op_id = self._operator(actor)
        op = center.operator(op_id)
        call = op.call
        if op.presence.state is not S.TALKING or call is None or call.op is not op:
            raise IllegalTransition("you are not talking to a customer")
        if center.transfers.consulting(op_id) is not None:
            raise IllegalTransition("you are consulting: complete or cancel the transfer first")
        call.record.phase(center.clock.now(), "operator_hangup", op_id)
        center.port.hangup(call.leg, HangupCause.NORMAL)

    def wrap_up(
        self, actor: Principal, outcome: str | None, positive: bool, notes: str | None
    ) -> None:
        center, op_id = self._operator(actor)
        op = center.operator(op_id)
        if op.presence.state is not S.WRAP_UP:
            raise IllegalTransition("you have no call in after-call work")
        if notes and op.call is not None:
            op.call.record.phase(center.clock.now(), "notes", notes)
        center.finish_wrap_up(op_id, outcome, positive)

    def transfer(self, actor: Principal, target: str, mode: str) -> None:
        """`target`: `operator:<user id>`, `queue:<name>` or a phone number."""
        center, op_id = self._operator(actor)
        engine_target = target
        if target.startswith("operator:"):
            engine_target = "operator:user:" + target.split(":", 1)[1]
        try:
            if mode == "blind":
                center.transfers.blind(op_id, engine_target)
            else:
                center.transfers.consult(op_id, engine_target)
        except NotFound:
            raise IllegalTransition(f"{target} is not logged in") from None

    def complete(self, actor: Principal) -> None:
        center, op_id = self._operator(actor)
        center.transfers.complete(op_id)

    def cancel(self, actor: Principal) -> None:
        center, op_id = self._operator(actor)
        center.transfers.cancel(op_id)

    def conference(self, actor: Principal) -> None:
        center, op_id = self._operator(actor)
        center.transfers.conference(op_id)


def _consulting_label(label: str | None) -> str | None:
    """The consulted party as the panel names it (`operator:<user id>`, or the number)."""
    if label is not None and label.startswith("user:"):
        return "operator:" + label.split(":", 1)[1]
    return label


def call_view(center: Center, call: CallRun) -> dict[str, Any]:
    return record_view(call.record, center.screen_pop(call))


def record_view(record: CallRecord, screen_pop: str | None) -> dict[str, Any]:
    return {
        "call_id": record.call_id, "direction": record.direction, "number": record.number,
        "service": record.service, "queue": record.queue, "screen_pop": screen_pop,
    }  # fmt: skip

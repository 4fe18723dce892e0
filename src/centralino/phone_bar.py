"""The phone bar of the operator panel beside answer and hang up: hold and resume, mute,
the keypad, and the recording of the customer's vocal order (OUT-7), on the call in hand.

Like `phone.py` it touches the live engine, so it runs on the engine loop's thread only
(`api/phone_bar/routes.py` is `async def`). What it knows of each person's call (held,
muted, keys sent, the recording) lives here, per operator, and is forgotten when the call
in hand changes. The recording is a port command; the WAV file arrives with the port's
RECORDING_STOPPED event, also when the customer hangs up while it runs.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from centralino.domain.access import Principal
from centralino.domain.errors import IllegalTransition, InvalidInput
from centralino.domain.operators import OperatorState
from centralino.engine.center import Center
from centralino.engine.clock import to_datetime
from centralino.engine.runtime import CallRun
from centralino.phone import Phones
from centralino.services.dialing import Claim
from centralino.services.orders import CallOrderContext, Recording
from centralino.telephony.port import CallEvent, EventKind, LegId

S = OperatorState
DIGITS = re.compile(r"^[0-9*#]{1,32}$")


@dataclass(slots=True)
class Line:
    """The phone bar's state of one operator's call in hand."""

    call_id: int
    leg: LegId  # the customer's leg
    held: bool = False
    muted: bool = False
    digits: str = ""  # keys sent on this call
    recording: str | None = None  # the name of the recording running now
    stopping: str | None = None  # stopped, its file not yet reported by the network
    recorded: Recording | None = None  # the last one finished
    takes: int = 0


class PhoneBar:
    """Hold, mute, keypad and recording for the people of one live engine."""

    def __init__(self, phones: Phones) -> None:
        self.phones = phones
        self.live = phones.live
        self.lines: dict[tuple[int, str], Line] = {}  # (company, operator id) -> line
        self._wired: set[int] = set()  # ids of the networks we listen to

    def _wire(self, company_id: int, center: Center) -> None:
        port = center.port
        if id(port) in self._wired:
            return
        self._wired.add(id(port))
        port.subscribe(lambda ev: self._on_event(company_id, ev))

    def _on_event(self, company_id: int, event: CallEvent) -> None:
        if event.kind is not EventKind.RECORDING_STOPPED or not event.info:
            return
        name = event.info.get("name")
        for (company, _op), line in self.lines.items():
            if company != company_id or line.leg != event.leg:
                continue
            if name is not None and name in (line.recording, line.stopping):
                line.recording = line.stopping = None
                path = event.info.get("path")
                if path:
                    line.recorded = Recording(Path(path), float(event.info.get("seconds", 0)))

    # --- finding my call ---

    def _call(self, actor: Principal, *, talking: bool = True) -> tuple[Center, str, CallRun, Line]:
        center, op_id = self.phones._operator(actor)
        self._wire(actor.company_id, center)
        op = center.operator(op_id)
        call = op.call
        states = (S.TALKING,) if talking else (S.TALKING, S.WRAP_UP)
        if call is None or op.presence.state not in states or call.op is not op:
            raise IllegalTransition(
                "you are not talking to a customer" if talking else "you have no call in hand"
            )
        key = (actor.company_id, op_id)
        line = self.lines.get(key)
        if line is None or line.call_id != call.record.call_id:
            if line is not None and line.muted and op.leg is not None:
                center.port.mute(op.leg, False)  # my phone's line outlives the call
            line = self.lines[key] = Line(call.record.call_id, call.leg)
        return center, op_id, call, line

    def view(self, actor: Principal) -> dict[str, Any]:
        """The bar's state of my call in hand (all off with no call)."""
        line: Line | None = None
        with contextlib.suppress(IllegalTransition):
            _, _, _, line = self._call(actor, talking=False)
        rec = line.recorded if line else None
        return {
            "call_id": line.call_id if line else None,
            "held": bool(line and line.held),
            "muted": bool(line and line.muted),
            "digits": line.digits if line else "",
            "recording": bool(line and line.recording),
            "stopping": bool(line and line.stopping),
            "recorded_seconds": round(rec.seconds, 1) if rec else None,
        }

    # --- the buttons ---

    def hold(self, actor: Principal) -> None:
        """The customer leaves the bridge and hears music on hold."""
        center, op_id, call, line = self._call(actor)
        if line.held:
            raise IllegalTransition("the call is already on hold")
        if center.transfers.consulting(op_id) is not None:
            raise IllegalTransition("you are consulting: complete or cancel the transfer first")
        center.port.unbridge(call.leg)
        center.port.play(call.leg, center.acd.moh_for(call), loop=True)
        call.record.phase(center.clock.now(), "hold", op_id)
        line.held = True

    def resume(self, actor: Principal) -> None:
        """Back to the customer: the two legs are bridged again."""
        center, op_id, call, line = self._call(actor)
        op = center.operator(op_id)
        if not line.held:
            raise IllegalTransition("the call is not on hold")
        if op.leg is None:
            raise IllegalTransition("your phone is not connected")
        center.port.bridge(call.leg, op.leg)
        call.record.phase(center.clock.now(), "unhold", op_id)
        line.held = False

    def mute(self, actor: Principal, on: bool) -> None:
        """The customer no longer hears me (or again)."""
        center, op_id, _call, line = self._call(actor)
        op = center.operator(op_id)
        if op.leg is None:
            raise IllegalTransition("your phone is not connected")
        center.port.mute(op.leg, on)
        line.muted = on

    def send_dtmf(self, actor: Principal, digits: str) -> None:
        """Keypad tones down the customer's line (an IVR on their side, say)."""
        if not DIGITS.match(digits):
            raise InvalidInput("digits: only 0-9, * and #, 1 to 32 of them", "digits")
        center, _op_id, call, line = self._call(actor)
        center.port.send_dtmf(call.leg, digits)
        line.digits = (line.digits + digits)[-64:]

    def start_recording(self, actor: Principal) -> None:
        """Record the customer's vocal order; a new take replaces the last one."""
        center, _op_id, call, line = self._call(actor)
        if line.recording is not None:
            raise IllegalTransition("the call is already being recorded")
        line.takes += 1
        now = center.clock.now()
        name = f"call-{call.record.call_id}-{int(now * 1000)}-{line.takes}"
        center.port.start_recording(call.leg, name)
        call.record.phase(now, "recording_started", name)
        line.recording = name

    def stop_recording(self, actor: Principal) -> None:
        center, _op_id, call, line = self._call(actor, talking=False)
        if line.recording is None:
            raise IllegalTransition("the call is not being recorded")
        line.stopping, line.recording = line.recording, None
        center.port.stop_recording(call.leg)
        call.record.phase(center.clock.now(), "recording_stopped", line.stopping)

    # --- the order of the call ---

    def order_context(self, actor: Principal) -> tuple[CallOrderContext, Line]:
        """My campaign call (talking or in after-call work) as the order needs it."""
        _center, _op_id, call, line = self._call(actor, talking=False)
        camp = call.campaign
        if camp is None or not camp.name.startswith("campaign:"):
            raise IllegalTransition("orders are taken on campaign calls only")
        ref = call.dial.ref if call.dial is not None else None
        claim = ref if isinstance(ref, Claim) else None
        ctx = CallOrderContext(
            campaign_id=int(camp.name.split(":", 1)[1]),
            call_id=call.record.call_id,
            number=call.record.number,
            started_at=to_datetime(call.record.arrived_at),
            attempt_id=claim.attempt_id if claim else None,
            record_id=claim.record_id if claim else None,
        )
        return ctx, line

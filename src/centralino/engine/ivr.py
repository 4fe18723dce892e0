"""An inbound caller's way from the dialed number to a queue (IN-1, IN-2).

The number selects the service; outside its opening hours the caller hears the
closed message. Otherwise: the welcome prompt, then the IVR menus (a key within the
menu's timeout; an invalid key or none replays the menu up to its repeats, then the
menu's default), each option leading to a queue, another menu, voicemail, a message,
a hang-up, or an operator chosen by their keypad code. Every step is a phase of the
call record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from centralino.domain.call_record import CallResult
from centralino.domain.errors import InvalidInput
from centralino.domain.inbound.services import Action, ActionKind, IvrMenu, ServiceConfig
from centralino.domain.operators import OperatorState
from centralino.engine.runtime import CallRun
from centralino.telephony.port import CallEvent, HangupCause

if TYPE_CHECKING:
    from centralino.engine.center import Center

VOICEMAIL_SECONDS = 60.0
VOICEMAIL_GREETING = "voicemail_greeting"
OPERATOR_CODE_PROMPT = "operator_code"


class ServiceFlow:
    def __init__(self, center: Center) -> None:
        self.c = center
        self.services: dict[str, ServiceConfig] = {}
        self._numbers: dict[str, ServiceConfig] = {}

    def add_service(self, service: ServiceConfig) -> None:
        if service.name in self.services:
            raise InvalidInput(f"service {service.name!r} already exists", "service")
        for q in service.queues():
            if q not in self.c.acd.queues:
                raise InvalidInput(f"service {service.name!r}: unknown queue {q!r}", "queue")
        for n in service.numbers:
            if n in self._numbers:
                raise InvalidInput(
                    f"number {n} already leads to service {self._numbers[n].name!r}", "numbers"
                )
        self.services[service.name] = service
        for n in service.numbers:
            self._numbers[n] = service

    def replace_service(self, service: ServiceConfig) -> None:
        """Add a service, or change a running one: calls already in it go on as they are."""
        old = self.services.pop(service.name, None)
        if old is not None:
            for n in old.numbers:
                self._numbers.pop(n, None)
        try:
            self.add_service(service)
        except InvalidInput:
            if old is not None:
                self.add_service(old)
            raise

    def remove_service(self, name: str) -> None:
        old = self.services.pop(name, None)
        if old is not None:
            for n in old.numbers:
                self._numbers.pop(n, None)

    def service_for(self, number: str) -> ServiceConfig | None:
        return self._numbers.get(number)

    # --- the call arrives ---

    def on_inbound(self, event: CallEvent) -> None:
        c = self.c
        service = self._numbers.get(event.dialed)
        rec = c.new_record("inbound", "", event.number)
        rec.phase(event.at, "arrival", event.dialed)
        if service is None:
            rec.result = CallResult.REFUSED
            rec.refused_reason = f"no service on {event.dialed}"
            rec.ended_at = event.at
            rec.hangup_cause = HangupCause.UNALLOCATED.value
            c.sink(rec)
            c.port.hangup(event.leg, HangupCause.UNALLOCATED)
            return
        rec.service = service.name
        rec.queue = service.queue or ""
        call = CallRun(event.leg, rec)
        call.service = service
        c.calls[event.leg] = call
        if not service.is_open(event.at):
            call.state = "closed"
            rec.result = CallResult.REFUSED
            rec.refused_reason = "closed"
        c.port.answer(event.leg)

    def on_answered(self, call: CallRun, event: CallEvent) -> None:
        rec = call.record
        service = call.service
        assert service is not None
        rec.welcome_at = event.at
        if call.state == "closed":
            rec.phase(event.at, "closed", service.closed_prompt)
            self.c.port.play(call.leg, service.closed_prompt)
            return
        if service.welcome:
            call.state = "welcome"
            rec.phase(event.at, "welcome", service.welcome)
            self.c.port.play(call.leg, service.welcome)
        else:
            self._start(call)

    def _start(self, call: CallRun) -> None:
        service = call.service
        assert service is not None
        if service.root_menu is not None:
            self._menu(call, service.menus[service.root_menu])
        else:
            assert service.queue is not None
            self.c.acd.enqueue(call, service.queue)

    def _menu(self, call: CallRun, menu: IvrMenu, again: bool = False) -> None:
        if not again:
            call.menu_tries = 0
        call.menu = menu
        call.state = "menu"
        self.c.port.collect_dtmf(call.leg, max_digits=1, timeout=menu.timeout, prompt=menu.prompt)

    # --- the caller's keys and the ends of prompts ---

    def on_dtmf(self, call: CallRun, event: CallEvent) -> None:
        if call.state == "menu":
            self._menu_key(call, event.digits[:1])
        elif call.state == "code":
            self._operator_code(call, event.digits)
        elif call.state == "announce":
            self.c.acd.after_announcement(call, event.digits)

    def _menu_key(self, call: CallRun, key: str) -> None:
        menu = call.menu
        assert menu is not None
        now = self.c.clock.now()
        action = menu.options.get(key) if key else None
        if action is not None:
            call.record.phase(now, "ivr", f"{menu.name}: {key}")
            self._do(call, action)
            return
        call.menu_tries += 1
        call.record.phase(now, "ivr", f"{menu.name}: {'invalid ' + key if key else 'no key'}")
        if call.menu_tries > menu.repeats:
            self._do(call, menu.default or Action(ActionKind.HANGUP))
        elif key:
            call.state = "invalid"
            self.c.port.play(call.leg, menu.invalid_prompt)
        else:
            self._menu(call, menu, again=True)

    def on_playback_finished(self, call: CallRun, event: CallEvent) -> None:
        st = call.state
        c = self.c
        if call.record.result is CallResult.ABANDONED and call.campaign is not None:
            c.port.hangup(call.leg, HangupCause.ABANDONED_BY_SYSTEM)  # outbound abandon message
        elif st in ("closed", "ended"):
            c.port.hangup(call.leg, HangupCause.NORMAL)
        elif st == "welcome":
            self._start(call)
        elif st == "invalid" and call.menu is not None:
            self._menu(call, call.menu, again=True)
        elif st == "announce":
            c.acd.after_announcement(call, None)
        elif st == "voicemail":
            call.state = "recording"
            c.port.start_recording(call.leg, f"voicemail-{call.record.call_id}")
            call.timer = c.clock.call_later(VOICEMAIL_SECONDS, self._voicemail_end, call)

    def _do(self, call: CallRun, action: Action) -> None:
        c = self.c
        k = action.kind
        if k is ActionKind.QUEUE:
            c.acd.enqueue(call, action.target)
        elif k is ActionKind.MENU:
            assert call.service is not None
            self._menu(call, call.service.menus[action.target])
        elif k is ActionKind.VOICEMAIL:
            call.record.result = CallResult.VOICEMAIL
            self.voicemail(call, action.target or (call.service.name if call.service else ""))
        elif k is ActionKind.MESSAGE:
            call.record.result = CallResult.MESSAGE
            call.state = "ended"
            call.record.phase(c.clock.now(), "message", action.target)
            c.port.play(call.leg, action.target or "goodbye")
        elif k is ActionKind.OPERATOR:
            call.state = "code"
            call.fallback = action.target
            digits = call.menu.code_digits if call.menu is not None else 3
            c.port.collect_dtmf(
                call.leg, max_digits=digits, timeout=10.0, prompt=OPERATOR_CODE_PROMPT
            )
        else:
            call.record.result = CallResult.MESSAGE
            call.state = "ended"
            c.port.hangup(call.leg, HangupCause.NORMAL)

    def _operator_code(self, call: CallRun, digits: str) -> None:
        c = self.c
        fallback = call.fallback
        op = c.operator_by_code(digits) if digits else None
        now = c.clock.now()
        if op is None:
            call.record.phase(now, "operator_code", f"{digits or 'none'}: no such operator")
        elif op.presence.state is not OperatorState.READY:
            call.record.phase(now, "operator_code", f"{digits}: {op.id} is {op.presence.state}")
            op = None
        else:
            call.record.phase(now, "operator_code", f"{digits}: {op.id}")
        c.acd.enqueue(call, fallback, prefer=op)

    # --- voicemail ---

    def voicemail(self, call: CallRun, box: str) -> None:
        call.state = "voicemail"
        call.record.phase(self.c.clock.now(), "voicemail", box)
        self.c.port.play(call.leg, VOICEMAIL_GREETING)

    def _voicemail_end(self, call: CallRun) -> None:
        call.timer = None
        self.c.port.stop_recording(call.leg)
        self.c.port.hangup(call.leg, HangupCause.NORMAL)

    def ended(self, call: CallRun) -> None:
        """The caller hung up: where they were, for the record."""
        rec = call.record
        if rec.direction != "inbound":
            return
        at = rec.ended_at or self.c.clock.now()
        if call.state in ("welcome", "menu", "invalid", "code") and rec.picked_up_at is None:
            rec.phase(at, "abandoned_ivr", call.state)
        elif (
            call.state in ("queued", "announce")
            and rec.result is CallResult.UNFINISHED
            and call.queue is not None
            and call in call.queue.waiting  # still waiting (again, after a transfer)
        ):
            rec.phase(at, "abandoned_queue", rec.queue)

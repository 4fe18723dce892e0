"""The call-center engine: operators, inbound services and queues, outbound campaigns.

It speaks only to a `TelephonyPort` and a `Clock`, so it runs unchanged on the
simulated network in virtual time and live. The center owns the operators (their
states and the panel's actions) and the telephony events; the ACD (`engine.acd`)
chooses who takes a queued call; the service flow (`engine.ivr`) takes an inbound
caller from the dialed number through opening hours, welcome and IVR menus to a
queue; transfers live in `engine.transfers`; outbound pacing is below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from centralino.domain.call_record import CallRecord, CallResult
from centralino.domain.errors import IllegalTransition, InvalidInput, NotFound
from centralino.domain.inbound.pauses import (
    DEFAULT_REASONS,
    PauseReason,
    ScreenBreakRule,
    reasons_by_code,
)
from centralino.domain.inbound.queues import QueueConfig
from centralino.domain.inbound.services import ServiceConfig
from centralino.domain.operators import WORKING, OperatorState, Presence
from centralino.domain.outbound.pacing import PredictivePacer, power_lines
from centralino.engine.acd import Acd
from centralino.engine.clock import Clock
from centralino.engine.ivr import ServiceFlow
from centralino.engine.runtime import ABANDON_MESSAGE, CallRun, CampaignRun, OpRun
from centralino.engine.transfers import Transfers
from centralino.telephony.port import (
    CallEvent,
    Direction,
    EventKind,
    HangupCause,
    LegId,
    TelephonyPort,
)

S = OperatorState
MOH = "moh"
COMFORT_NOISE = "comfort_noise"
__all__ = ["ABANDON_MESSAGE", "COMFORT_NOISE", "Center", "Dial", "DialSource", "NumberList"]


@dataclass(slots=True)
class Dial:
    """One number to dial, with the source's handle on it (a stored attempt, say)."""

    number: str
    ref: object = None


class DialSource(Protocol):
    """Where a campaign's numbers come from and where its attempts' results go.

    `take` returns the next number allowed now, or None; when `exhausted` is true the
    campaign has nothing left at all. The hooks follow the call: answered by a person,
    connected to an operator, finished (the record complete, with the outcome)."""

    @property
    def exhausted(self) -> bool: ...

    def take(self, why: str) -> Dial | None:
        """The next number allowed now; `why` says which pacing rule asks for it."""
        ...

    def take_for(self, operator: str) -> Dial | None:
        """A number only this operator should call now (their personal callbacks)."""
        ...

    def answered(self, dial: Dial) -> None: ...

    def connected(self, dial: Dial, operator: str) -> None: ...

    def finished(self, dial: Dial, record: CallRecord) -> None: ...


class NumberList:
    """A plain list of numbers as a dial source (the simulator's lists)."""

    def __init__(self, numbers: Iterable[str]) -> None:
        self._numbers = iter(numbers)
        self._exhausted = False

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    def take_for(self, operator: str) -> Dial | None:
        return None

    def take(self, why: str) -> Dial | None:
        number = next(self._numbers, None)
        if number is None:
            self._exhausted = True
            return None
        return Dial(number)

    def answered(self, dial: Dial) -> None:
        pass

    def connected(self, dial: Dial, operator: str) -> None:
        pass

    def finished(self, dial: Dial, record: CallRecord) -> None:
        pass


RecordSink = Callable[[CallRecord], None]
WrapUpListener = Callable[[str, CallRecord], None]
OperatorListener = Callable[[str], None]
PreviewListener = Callable[[str, Dial], None]
StateListener = Callable[[str, OperatorState, "str | None", float], None]  # op, state, reason, at
NoticeListener = Callable[[str, str, str], None]  # operator, kind, text
CallListener = Callable[[CallRecord], None]


class Center:
    """Runs one company's calls. Operators act through the panel methods (`login`,
    `pause`, `resume`, `answer`, `finish_wrap_up`, `logout`, the transfers), exactly as
    the web panel or a bot would."""

    def __init__(
        self,
        clock: Clock,
        port: TelephonyPort,
        sink: RecordSink,
        *,
        pause_reasons: Iterable[PauseReason] = DEFAULT_REASONS,
        screen_break: ScreenBreakRule | None = ScreenBreakRule(),
        wrap_up_seconds: float | None = None,
    ) -> None:
        self.clock = clock
        self.port = port
        self.sink = sink
        self.wrap_up_listeners: list[WrapUpListener] = []
        self.paused_listeners: list[OperatorListener] = []
        self.preview_listeners: list[PreviewListener] = []
        self.state_listeners: list[StateListener] = []
        self.notice_listeners: list[NoticeListener] = []  # pause over limit, screen break due
        self.callback_listeners: list[CallListener] = []  # callers who asked to be called back
        self.pause_reasons = reasons_by_code(pause_reasons)
        self.screen_break = screen_break
        self.wrap_up_seconds = wrap_up_seconds  # after-call work ends by itself (None: never)
        self.acd = Acd(self)
        self.flow = ServiceFlow(self)
        self.transfers = Transfers(self)
        self._campaigns: dict[str, CampaignRun] = {}
        self._ops: dict[str, OpRun] = {}
        self._codes: dict[str, OpRun] = {}
        self.calls: dict[LegId, CallRun] = {}
        self.op_legs: dict[LegId, OpRun] = {}
        self._next_call_id = 0
        self._call_handlers: dict[EventKind, Callable[[CallRun, CallEvent], None]] = {
            EventKind.ANSWERED: self._on_answered,
            EventKind.PLAYBACK_FINISHED: self.flow.on_playback_finished,
            EventKind.DTMF: self.flow.on_dtmf,
            EventKind.BRIDGED: self._on_bridged,
            EventKind.HUNG_UP: self._on_hung_up,
            EventKind.BUSY: self._on_result,
            EventKind.NO_ANSWER: self._on_result,
            EventKind.INVALID_NUMBER: self._on_result,
            EventKind.FAILED: self._on_result,
            EventKind.MACHINE: self._on_result,
            EventKind.FAX: self._on_result,
        }
        port.subscribe(self._on_event)

    # --- configuration ---

    def add_queue(self, config: QueueConfig | str, target_seconds: float = 20.0) -> None:
        if isinstance(config, str):
            config = QueueConfig(config, target_seconds=target_seconds)
        self.acd.add_queue(config)

    def add_service(self, service: ServiceConfig) -> None:
        self.flow.add_service(service)

    def add_campaign(
        self,
        name: str,
        source: DialSource,
        *,
        ratio: float = 1.0,
        caller_id: str = "",
        ring_timeout: float = 25.0,
        abandon_after: float = 2.0,
        predictive: PredictivePacer | None = None,
        mode: str = "power",
        abandon_prompt: str = ABANDON_MESSAGE,
    ) -> None:
        """Power dialing at `ratio` lines per free operator, predictive with a pacer, or
        `preview` / `manual`, where the operator sees the record and dials it."""
        if mode not in ("power", "predictive", "preview", "manual"):
            raise InvalidInput(f"unknown dial mode {mode!r}", "mode")
        if name in self._campaigns:
            raise InvalidInput(f"campaign {name!r} already exists", "campaign")
        if ratio <= 0:
            raise InvalidInput("lines per free operator must be positive", "ratio")
        camp = CampaignRun(name, source, ratio, caller_id, ring_timeout, abandon_after)
        camp.pacer = predictive
        camp.mode = "predictive" if predictive is not None else mode
        camp.abandon_prompt = abandon_prompt
        self._campaigns[name] = camp

    def add_operator(
        self,
        op_id: str,
        queues: Iterable[str | tuple[str, int]] = (),
        campaign: str | None = None,
        *,
        code: str | None = None,
        auto_answer: bool = False,
    ) -> None:
        """An operator in queues (a name, or (name, tier) with 0 the highest tier), and
        optionally on a campaign: with both, a blended operator. `code`: the keypad code
        a caller may key to reach them."""
        if op_id in self._ops:
            raise InvalidInput(f"operator {op_id!r} already exists", "operator")
        camp = self._campaigns.get(campaign) if campaign else None
        if campaign and camp is None:
            raise InvalidInput(f"operator {op_id}: unknown campaign {campaign!r}", "campaign")
        if code is not None and code in self._codes:
            raise InvalidInput(f"operator code {code} is already {self._codes[code].id}'s", "code")
        op = OpRun(op_id, camp)
        op.auto_answer = auto_answer
        for entry in queues:
            name, tier = (entry, 0) if isinstance(entry, str) else entry
            if name not in self.acd.queues:
                raise InvalidInput(f"operator {op_id}: unknown queue {name!r}", "queue")
        self._ops[op_id] = op
        for entry in queues:
            name, tier = (entry, 0) if isinstance(entry, str) else entry
            self.acd.join(op, name, tier)
        if code is not None:
            op.code = code
            self._codes[code] = op
        if camp is not None:
            camp.ops.append(op)

    def join_queue(self, op_id: str, queue: str, tier: int = 0) -> None:
        self.acd.join(self._op(op_id), queue, tier)

    def leave_queue(self, op_id: str, queue: str) -> None:
        self.acd.leave(self._op(op_id), queue)

    def memberships(self, op_id: str) -> list[tuple[str, int]]:
        """The operator's (queue, tier) pairs."""
        op = self._op(op_id)
        return [(q.name, q.router.tier_of(op.id) or 0) for q in op.queues]

    def operator_by_code(self, code: str) -> OpRun | None:
        return self._codes.get(code)

    def assign_operator(self, op_id: str, campaign: str | None) -> None:
        """Move an operator to another campaign (or none). A free operator moves at once;
        one on a call finishes it first, since the call belongs to the old campaign."""
        op = self._op(op_id)
        new = self._campaigns.get(campaign) if campaign else None
        if campaign and new is None:
            raise InvalidInput(f"unknown campaign {campaign!r}", "campaign")
        if new is op.campaign:
            return
        if op.presence.state in (S.RINGING, S.RESERVED, S.TALKING, S.WRAP_UP):
            op.move_to = campaign or ""
            return
        self._reassign(op, new)

    def _reassign(self, op: OpRun, new: CampaignRun | None) -> None:
        old = op.campaign
        if op.presence.state is S.READY:
            self.unfree(op)
        if old is not None:
            old.ops.remove(op)
        op.campaign = new
        op.move_to = None
        if new is not None:
            new.ops.append(op)
        for q in op.queues:
            self.acd.recount(q)
        if op.presence.state is S.READY:
            self.free_again(op)

    def campaign_of(self, op_id: str) -> str | None:
        camp = self._op(op_id).campaign
        return camp.name if camp else None

    def endpoint_of(self, op_id: str) -> str:
        return f"endpoint:{op_id}"

    # --- operator states ---

    def move(self, op: OpRun, to: OperatorState, reason: str | None = None) -> None:
        """Every state change goes through here: timestamped, timed, told to listeners."""
        now = self.clock.now()
        p = op.presence
        prev, paused_for = p.state, now - p.since
        p.move(to, now, reason)
        if prev is S.PAUSED and op.pause_timer is not None:
            self.clock.cancel(op.pause_timer)
            op.pause_timer = None
        if prev is S.WRAP_UP and op.acw_timer is not None:
            self.clock.cancel(op.acw_timer)
            op.acw_timer = None
        if to is S.PAUSED and reason is not None:
            r = self.pause_reasons.get(reason)
            if r is not None and r.limit_seconds is not None:
                op.pause_timer = self.clock.call_later(r.limit_seconds, self._over_limit, op, r)
        if to is S.WRAP_UP:
            limit = self._wrap_up_limit(op)
            if limit is not None:
                op.acw_timer = self.clock.call_later(limit, self._wrap_up_over, op)
        self._screen_work(op, prev, to, paused_for)
        for listener in self.state_listeners:
            listener(op.id, to, p.reason, now)

    def _wrap_up_limit(self, op: OpRun) -> float | None:
        call = op.call
        if call is not None and call.queue is not None:
            return call.queue.config.wrap_up_seconds
        return self.wrap_up_seconds

    def _wrap_up_over(self, op: OpRun) -> None:
        op.acw_timer = None
        if op.presence.state is S.WRAP_UP:
            self._notice(op, "wrap_up_ended", "after-call work ended by its time limit")
            self.finish_wrap_up(op.id)

    def _over_limit(self, op: OpRun, reason: PauseReason) -> None:
        op.pause_timer = None
        if op.presence.state is S.PAUSED and op.presence.reason == reason.code:
            assert reason.limit_seconds is not None
            self._notice(
                op, "pause_over_limit",
                f"{reason.label}: over its limit of {reason.limit_seconds / 60:g} min",
            )  # fmt: skip

    def _screen_work(
        self, op: OpRun, prev: OperatorState, to: OperatorState, paused: float
    ) -> None:
        rule = self.screen_break
        if rule is None:
            return
        if to is S.LOGGED_OUT or (
            prev is S.PAUSED and to is not S.PAUSED and rule.counts_as_break(paused)
        ):
            op.work_started = None
        if to in WORKING and op.work_started is None:
            op.work_started = self.clock.now()
            if op.remind_timer is not None:
                self.clock.cancel(op.remind_timer)
            op.remind_timer = self.clock.call_at(
                rule.remind_at(op.work_started), self._remind_break, op, op.work_started
            )
        elif prev is S.PAUSED and to in WORKING and op.work_started is not None:
            if op.remind_timer is not None:
                self.clock.cancel(op.remind_timer)
            at = max(self.clock.now(), rule.remind_at(op.work_started))
            op.remind_timer = self.clock.call_at(at, self._remind_break, op, op.work_started)

    def _remind_break(self, op: OpRun, started: float) -> None:
        op.remind_timer = None
        rule = self.screen_break
        if rule is None or op.work_started != started:
            return
        if op.presence.state is S.PAUSED:
            return  # on a pause now; a short one puts the reminder back when it ends
        due = rule.due_at(started)
        left = max(0.0, due - self.clock.now())
        self._notice(
            op, "screen_break_due",
            f"screen break of {rule.break_minutes:g} min due in {left / 60:.0f} min",
        )  # fmt: skip
        if left > 0:
            op.remind_timer = self.clock.call_at(due, self._remind_break, op, started)

    def _notice(self, op: OpRun, kind: str, text: str) -> None:
        for listener in self.notice_listeners:
            listener(op.id, kind, text)

    def pauses_over_limit(self) -> list[tuple[str, str, float]]:
        """(operator, reason, seconds over) for every operator paused beyond the limit."""
        now = self.clock.now()
        out = []
        for op in self._ops.values():
            p = op.presence
            if p.state is S.PAUSED and p.reason in self.pause_reasons:
                limit = self.pause_reasons[p.reason].limit_seconds
                if limit is not None and now - p.since > limit:
                    out.append((op.id, p.reason, now - p.since - limit))
        return out

    # --- the operator panel ---

    def _op(self, op_id: str) -> OpRun:
        op = self._ops.get(op_id)
        if op is None:
            raise NotFound(f"operator {op_id!r} not found")
        return op

    def operator(self, op_id: str) -> OpRun:
        """The live operator, for reading (their offer, call in hand, pending pause,
        auto-answer): the operator panel shows it; changes go through the panel methods."""
        return self._op(op_id)

    def login(self, op_id: str) -> None:
        """Call the operator's phone; they are ready once it answers."""
        op = self._op(op_id)
        if op.leg is not None:
            return
        op.logout_pending = False
        op.leg = self.port.originate(self.endpoint_of(op_id), "", 30.0)
        self.op_legs[op.leg] = op

    def pause(self, op_id: str, reason: str | None = None) -> None:
        """Pause now if free, or once the call in hand (and its wrap-up) ends."""
        op = self._op(op_id)
        self._check_reason(reason)
        st = op.presence.state
        if st is S.READY:
            self.unfree(op)
            self._paused(op, reason)
        elif st is S.RINGING:
            raise IllegalTransition(f"operator {op_id} has a call ringing: answer it first")
        elif st in (S.RESERVED, S.TALKING, S.WRAP_UP):
            op.pause_pending = reason or ""
        elif st is S.PAUSED and reason is not None and reason != op.presence.reason:
            self._paused(op, reason)  # another reason: a new pause, timed on its own
        elif st is S.LOGGED_OUT:
            raise IllegalTransition(f"operator {op_id} is logged out")

    def force_pause(self, op_id: str, reason: str | None = None) -> None:
        """A supervisor's pause: as `pause`, but a call ringing to the operator does not
        stop it: the offer is withdrawn and the call offered to someone else."""
        op = self._op(op_id)
        if op.presence.state is not S.RINGING:
            self.pause(op_id, reason)
            return
        self._check_reason(reason)
        self.acd.withdraw(op)
        self._paused(op, reason)

    def _check_reason(self, reason: str | None) -> None:
        if reason is not None and reason not in self.pause_reasons:
            known = ", ".join(sorted(self.pause_reasons))
            raise InvalidInput(f"unknown pause reason {reason!r} (one of {known})", "reason")

    def _paused(self, op: OpRun, reason: str | None) -> None:
        self.move(op, S.PAUSED, reason or None)
        for listener in self.paused_listeners:
            listener(op.id)

    def resume(self, op_id: str) -> None:
        op = self._op(op_id)
        op.pause_pending = None
        if op.presence.state is S.PAUSED:
            self.move(op, S.READY)
            self.free_again(op)

    def screen_pop(self, call: CallRun) -> str | None:
        """The CRM address the operator's panel opens for this call, if the service has one."""
        service = call.service
        if service is None:
            return None
        return service.pop_url(call.record.number, call.record.queue, call.record.call_id)

    def answer(self, op_id: str) -> None:
        """The operator answers the call ringing to them."""
        self.acd.accept(self._op(op_id))

    def set_auto_answer(self, op_id: str, on: bool) -> None:
        self._op(op_id).auto_answer = on

    def logout(self, op_id: str) -> None:
        op = self._op(op_id)
        if op.presence.state in (S.READY, S.PAUSED, S.LOGGED_OUT):
            self._log_out(op)
        elif op.presence.state is S.RINGING:
            self.acd.withdraw(op)
            self._log_out(op)
        else:
            op.logout_pending = True

    def _log_out(self, op: OpRun) -> None:
        self.unfree(op)
        if op.presence.state is not S.LOGGED_OUT:
            self.move(op, S.LOGGED_OUT)
        if op.remind_timer is not None:
            self.clock.cancel(op.remind_timer)
            op.remind_timer = None
        if op.leg is not None:
            self.op_legs.pop(op.leg, None)
            self.port.hangup(op.leg)
            op.leg = None

    def finish_wrap_up(
        self, op_id: str, outcome: str | None = None, positive: bool = False
    ) -> None:
        """The operator closes the call with an outcome and is free again (or pauses)."""
        op = self._op(op_id)
        if op.presence.state is not S.WRAP_UP:
            raise InvalidInput(f"operator {op_id} has no call in wrap-up", "operator")
        call, op.call = op.call, None
        now = self.clock.now()
        if call is not None:
            if call.op is op or call.op is None:
                call.record.outcome = outcome
                call.record.positive = positive
            camp = call.campaign
            if camp is not None and camp.pacer is not None:
                camp.pacer.stats.wraps.add(now - op.presence.since)
            if call.queue is not None:
                picked = call.record.picked_up_at or now
                self.acd.handled(call.queue, now - picked)
            if call.op is op or call.op is None:
                self.done(call)
        self._after_call(op)

    def _after_call(self, op: OpRun) -> None:
        if op.move_to is not None:
            target = self._campaigns.get(op.move_to) if op.move_to else None
            self._reassign(op, target)  # still busy here: free_again comes below
        if op.logout_pending:
            self._log_out(op)
        elif op.pause_pending is not None:
            reason, op.pause_pending = op.pause_pending, None
            if op.presence.state not in (S.READY, S.PAUSED):
                self.move(op, S.READY)
            self._paused(op, reason)
        else:
            self.move(op, S.READY)
            self.free_again(op)

    # --- operator availability ---

    def free_again(self, op: OpRun) -> None:
        """A ready operator: an answered outbound customer waiting first, then a queued
        inbound call, then their campaign's next dial."""
        camp = op.campaign
        if camp is not None:
            while camp.waiting:
                call = camp.waiting.popleft()
                if not call.done:
                    self.connect(call, op)
                    return
        if self.acd.take_waiting(op):
            return
        self.acd.mark_ready(op)
        if camp is None or self.acd.holds_for_inbound(op):
            return
        if camp.mode == "preview":
            self._offer_preview(op)
        elif camp.mode != "manual":
            if camp.running:
                mine = camp.source.take_for(op.id)
                if mine is not None:  # their own callback: dialed for them, like a preview
                    self.unfree(op)
                    self.move(op, S.RESERVED)
                    self._dial_for(op, mine)
                    return
            camp.free[op.id] = op
            self.pace(camp)

    def unfree(self, op: OpRun) -> None:
        self.acd.mark_busy(op)
        if op.campaign is not None:
            op.campaign.free.pop(op.id, None)

    # --- preview and manual dialing: the operator dials ---

    def _offer_preview(self, op: OpRun) -> None:
        camp = op.campaign
        if camp is None or camp.mode != "preview":
            return  # moved elsewhere meanwhile
        if not camp.running or op.presence.state is not S.READY or op.preview is not None:
            return
        dial = camp.source.take_for(op.id) or camp.source.take(
            f"preview: shown to operator {op.id}"
        )
        if dial is None:
            if camp.source.exhausted:
                camp.running = False
            else:
                self.clock.call_later(5.0, self._offer_preview, op)
            return
        self.unfree(op)
        self.move(op, S.RESERVED)
        op.preview = dial
        if not self.preview_listeners:
            self.dial_preview(op.id)
        for listener in self.preview_listeners:
            listener(op.id, dial)

    def dial_preview(self, op_id: str) -> None:
        """The operator has read the record shown and calls it."""
        op = self._op(op_id)
        dial, op.preview = op.preview, None
        if dial is None:
            raise InvalidInput(f"operator {op_id} has no record in preview", "operator")
        self._dial_for(op, dial)

    def skip_preview(self, op_id: str) -> Dial:
        """The operator passes on the record shown: it goes back to its source's owner
        (the caller settles it), and the operator is free for the next one."""
        op = self._op(op_id)
        dial, op.preview = op.preview, None
        if dial is None:
            raise InvalidInput(f"operator {op_id} has no record in preview", "operator")
        if op.presence.state is S.RESERVED and op.call is None:
            self._after_call(op)
        return dial

    def dial_manual(self, op_id: str, dial: Dial) -> None:
        """The operator picked a record from the list and calls it."""
        op = self._op(op_id)
        if op.presence.state is not S.READY or op.campaign is None:
            raise InvalidInput(f"operator {op_id} is not ready on a campaign", "operator")
        self.unfree(op)
        self.move(op, S.RESERVED)
        self._dial_for(op, dial)

    def _dial_for(self, op: OpRun, dial: Dial) -> None:
        camp = op.campaign
        assert camp is not None
        call = self._originate(camp, dial)
        call.owner = op

    def _release_owner(self, call: CallRun) -> None:
        """A dial made by an operator ended without reaching anyone: they are free again."""
        op, call.owner = call.owner, None
        if op is not None and op.presence.state is S.RESERVED and op.call is None:
            self._after_call(op)

    def connect(self, call: CallRun, op: OpRun) -> None:
        """Put the call through to the operator: the whisper first, if the service has one."""
        self.unfree(op)
        now = self.clock.now()
        if op.presence.state not in (S.RESERVED, S.RINGING):  # preview, manual, offers: already
            self.move(op, S.RESERVED)
        op.call = call
        call.op = op
        call.done = True
        if call.timer is not None:
            self.clock.cancel(call.timer)
            call.timer = None
        if call.record.ringing_at is None:
            call.record.ringing_at = now
        call.record.operator = op.id
        camp = call.campaign
        if camp is not None:
            if camp.pacer is not None:
                camp.pacer.answered(False, now)
            if call.dial is not None:
                camp.source.connected(call.dial, op.id)
        assert op.leg is not None
        whisper = call.service.whisper if call.service is not None else None
        if whisper:
            op.whisper_call = call
            self.port.play(op.leg, whisper)
        else:
            self.port.bridge(call.leg, op.leg)

    # --- events ---

    def _on_event(self, event: CallEvent) -> None:
        call = self.calls.get(event.leg)
        if call is not None:
            handler = self._call_handlers.get(event.kind)
            if handler is not None:
                handler(call, event)
            return
        if event.kind is EventKind.CREATED and event.direction is Direction.INBOUND:
            self.flow.on_inbound(event)
            return
        op = self.op_legs.get(event.leg)
        if op is None:
            return
        if event.kind is EventKind.ANSWERED and op.presence.state is S.LOGGED_OUT:
            self.move(op, S.READY)
            self.free_again(op)
        elif event.kind is EventKind.PLAYBACK_FINISHED and op.whisper_call is not None:
            call, op.whisper_call = op.whisper_call, None
            if call.leg in self.calls and op.leg is not None:
                self.port.bridge(call.leg, op.leg)
        elif event.kind is EventKind.HUNG_UP:
            op.leg = None
            self.op_legs.pop(event.leg, None)
            if op.offer is not None:
                self.acd.withdraw(op)
            call = op.call
            if call is not None and op.presence.state in (S.RINGING, S.RESERVED):
                op.call = None  # the phone dropped before the caller was put through
                op.whisper_call = None
                call.op = None
                self._put_back(call, op)
            if op.call is None:
                self.unfree(op)
                if op.presence.state is not S.LOGGED_OUT:
                    self.move(op, S.LOGGED_OUT)
            else:
                op.logout_pending = True

    def _put_back(self, call: CallRun, op: OpRun) -> None:
        """A call whose operator went away before it was put through: first in line
        again in its queue, or (outbound) hung up and counted as abandoned."""
        now = self.clock.now()
        call.record.phase(now, "operator_lost", op.id)
        if call.queue is not None and call.leg in self.calls:
            self.acd.requeue_first(call)
        else:
            call.record.abandon_rule = "the operator's phone dropped before the connection"
            self.port.hangup(call.leg, HangupCause.NORMAL)

    def new_record(self, direction: str, queue: str, number: str) -> CallRecord:
        self._next_call_id += 1
        return CallRecord(self._next_call_id, direction, queue, number, self.clock.now())

    def _on_answered(self, call: CallRun, event: CallEvent) -> None:
        if event.direction is Direction.INBOUND:
            self.flow.on_answered(call, event)
            return
        if call.consult_of is not None:
            self.transfers.consult_answered(call)
            return
        rec = call.record
        camp = call.campaign
        assert camp is not None
        self._resolved(camp, call, True)
        rec.answered_at = rec.queued_at = event.at
        if call.dial is not None:
            camp.source.answered(call.dial)
        if call.owner is not None and call.owner.leg is not None:
            owner, call.owner = call.owner, None
            self.connect(call, owner)
        elif camp.free:
            op = next(iter(camp.free.values()))
            self.connect(call, op)
        else:
            camp.waiting.append(call)
            call.timer = self.clock.call_later(camp.abandon_after, self._abandon_outbound, call)
        self.pace(camp)

    def _on_bridged(self, call: CallRun, event: CallEvent) -> None:
        op = call.op
        if op is not None and op.call is call and op.presence.state in (S.RINGING, S.RESERVED):
            if call.record.picked_up_at is None:
                call.record.picked_up_at = event.at
            call.record.phase(event.at, "pickup", op.id)
            op.calls_today += 1
            self.move(op, S.TALKING)

    def _abandon_outbound(self, call: CallRun) -> None:
        call.timer = None
        if call.done:
            return
        call.done = True
        rec = call.record
        rec.result = CallResult.ABANDONED
        assert call.campaign is not None
        rec.abandon_rule = f"no operator within {call.campaign.abandon_after:g} s of the answer"
        if call.campaign.pacer is not None:
            call.campaign.pacer.answered(True, self.clock.now())
        self.port.play(call.leg, call.campaign.abandon_prompt)

    def _on_result(self, call: CallRun, event: CallEvent) -> None:
        if call.consult_of is not None:
            self.transfers.consult_failed(call, event.kind.value)
            return
        camp = call.campaign
        if camp is None or call.record.answered_at is not None:
            return
        self._resolved(camp, call, False)
        call.record.result = CallResult(event.kind.value)
        if event.kind in (EventKind.MACHINE, EventKind.FAX):
            self.port.hangup(call.leg, HangupCause(event.kind.value))
        if call.owner is not None:
            self._release_owner(call)
        self.pace(camp)

    def _on_hung_up(self, call: CallRun, event: CallEvent) -> None:
        del self.calls[call.leg]
        if call.consult_of is not None:
            self.transfers.consult_hung_up(call)
            return
        if call.owner is not None:
            self._release_owner(call)
        rec = call.record
        rec.ended_at = event.at
        rec.hangup_cause = event.cause.value if event.cause else None
        rec.phase(event.at, "hangup", rec.hangup_cause or "")
        if call.timer is not None:
            self.clock.cancel(call.timer)
            call.timer = None
        self.flow.ended(call)
        self.acd.release(call)
        call.done = True
        op = call.op
        if op is not None:
            self.transfers.customer_gone(op, call)
        if op is not None and op.call is call and op.presence.state is S.TALKING:
            rec.result = CallResult.TALKED
            rec.phase(event.at, "closure", op.id)
            picked = rec.picked_up_at if rec.picked_up_at is not None else event.at
            op.talk_today += rec.ended_at - picked
            self.move(op, S.WRAP_UP)
            if call.campaign is not None and call.campaign.pacer is not None:
                call.campaign.pacer.stats.talks.add(rec.ended_at - picked)
            if self.wrap_up_listeners:
                for listener in self.wrap_up_listeners:
                    listener(op.id, rec)
            else:
                self.finish_wrap_up(op.id)
            return
        if op is not None and op.call is call:  # hung up while being put through to `op`
            op.call = None
            op.whisper_call = None
            if rec.picked_up_at is not None:
                rec.result = CallResult.TALKED  # talked to a first operator, then transferred
            elif rec.result is CallResult.UNFINISHED:
                rec.result = CallResult.ABANDONED
            self.done(call)
            self._after_call(op)
            return
        if rec.picked_up_at is not None:  # handed over: an outside number, or a queue again
            rec.result = CallResult.TALKED
            self.done(call)
            return
        camp = call.campaign
        if rec.result is CallResult.UNFINISHED:
            rec.result = CallResult.ABANDONED
            if camp is not None and rec.answered_at is not None:
                rec.abandon_rule = "the customer hung up before an operator was connected"
                if camp.pacer is not None:
                    camp.pacer.answered(True, event.at)
        if camp is not None and rec.answered_at is None and rec.result is CallResult.ABANDONED:
            self._resolved(camp, call, False)  # the line dropped before any result
            self.pace(camp)
        self.done(call)

    def voicemail(self, call: CallRun, box: str) -> None:
        self.flow.voicemail(call, box)

    def callback_requested(self, call: CallRun) -> None:
        for listener in self.callback_listeners:
            listener(call.record)

    # --- outbound pacing ---

    def _resolved(self, camp: CampaignRun, call: CallRun, answered: bool) -> None:
        """A dial stopped ringing: answered by a person, or any other result."""
        camp.in_flight -= 1
        started = camp.flying.pop(call.leg, None)
        if camp.pacer is not None and started is not None:
            camp.pacer.stats.dial_resolved(answered, self.clock.now() - started)

    def pace(self, camp: CampaignRun) -> None:
        """Dial what the campaign's pacing asks for now."""
        if not camp.running or camp.mode in ("preview", "manual"):
            return
        self.acd.release_held(camp)
        pacer = camp.pacer
        holds = self.acd.holds_for_inbound
        free = sum(1 for op in camp.free.values() if not holds(op))  # held: no new lines
        if pacer is None:
            want = power_lines(camp.ratio, free, camp.in_flight)
        else:
            now = self.clock.now()
            busy = []
            working = 0
            for op in camp.ops:
                st = op.presence.state
                if (op.call is not None and op.call.queue is not None) or (
                    st is S.READY and (op.id not in camp.free or holds(op))
                ):
                    continue  # blended: on an inbound call, or held for a queue that blends
                if st in WORKING:
                    working += 1
                    if st is not S.READY:
                        busy.append((st is not S.WRAP_UP, now - op.presence.since))
            rung = [now - t for t in camp.flying.values()]
            waiting = sum(1 for c in camp.waiting if not c.done)
            want = pacer.lines(free, rung, busy, waiting, working)
            if not camp.ticking:
                camp.ticking = True
                self.clock.call_later(1.0, self._tick, camp)
        why = (
            pacer.last_rule
            if pacer is not None
            else f"power: {camp.ratio:g} lines per free operator"
        )
        while want > 0:
            dial = camp.source.take(why)
            if dial is None:
                if camp.source.exhausted:
                    camp.running = False
                elif not camp.ticking:  # nothing allowed now: look again in a while
                    camp.ticking = True
                    self.clock.call_later(5.0, self._tick, camp)
                return
            self._originate(camp, dial)
            want -= 1

    def _originate(self, camp: CampaignRun, dial: Dial) -> CallRun:
        rec = self.new_record("outbound", camp.name, dial.number)
        leg = self.port.originate(dial.number, camp.caller_id, camp.ring_timeout)
        call = CallRun(leg, rec)
        call.campaign = camp
        call.dial = dial
        self.calls[leg] = call
        camp.in_flight += 1
        camp.flying[leg] = rec.arrived_at
        return call

    def _tick(self, camp: CampaignRun) -> None:
        """Predictive pacing looks again every second: operators come close to free."""
        camp.ticking = False
        if camp.running and any(op.presence.state in WORKING for op in camp.ops):
            self.pace(camp)

    def stop_dialing(self, campaign: str | None = None) -> None:
        """Dial no more (calls in progress go on), for one campaign or all."""
        for camp in self._campaigns.values():
            if campaign is None or camp.name == campaign:
                camp.running = False

    def resume_dialing(self, campaign: str) -> None:
        camp = self._campaigns.get(campaign)
        if camp is not None and not camp.running and not camp.source.exhausted:
            camp.running = True
            if camp.mode == "preview":
                for op in camp.ops:
                    self._offer_preview(op)
            self.pace(camp)

    def has_campaign(self, name: str) -> bool:
        return name in self._campaigns

    def has_operator(self, op_id: str) -> bool:
        return op_id in self._ops

    def logged_in(self, campaign: str) -> list[str]:
        """Operators of the campaign who are logged in (in any state but logged out)."""
        camp = self._campaigns.get(campaign)
        if camp is None:
            return []
        return [op.id for op in camp.ops if op.presence.state is not S.LOGGED_OUT]

    # --- reading ---

    def presences(self) -> dict[str, Presence]:
        return {op_id: op.presence for op_id, op in self._ops.items()}

    def operators_of(self, queue_or_campaign: str) -> list[str]:
        return [
            op.id
            for op in self._ops.values()
            if (op.campaign is not None and op.campaign.name == queue_or_campaign)
            or any(q.name == queue_or_campaign for q in op.queues)
        ]

    def queue_status(self) -> list[dict[str, object]]:
        now = self.clock.now()
        return [self.acd.status(q, now) for q in self.acd.queues.values()]

    def operator_status(self) -> list[dict[str, object]]:
        """Each operator's state, since when, the pause reason and the call in hand."""
        out: list[dict[str, object]] = []
        for op in self._ops.values():
            call = op.call or op.offer
            out.append({
                "operator": op.id,
                "state": op.presence.state.value,
                "since": op.presence.since,
                "reason": op.presence.reason,
                "queues": [q.name for q in op.queues],
                "campaign": op.campaign.name if op.campaign else None,
                "call": None if call is None else {
                    "call_id": call.record.call_id, "number": call.record.number,
                    "queue": call.record.queue, "service": call.record.service,
                },
                "consulting": self.transfers.consulting(op.id),
            })  # fmt: skip
        return out

    def campaign_status(self, name: str) -> dict[str, int | bool | str] | None:
        """What a supervisor sees of a campaign now: lines dialing, free operators, answered
        calls waiting for one, operators logged in; None for a campaign the engine lacks."""
        camp = self._campaigns.get(name)
        if camp is None:
            return None
        return {
            "running": camp.running, "mode": camp.mode, "lines": camp.in_flight,
            "free": len(camp.free), "waiting": sum(1 for c in camp.waiting if not c.done),
            "logged_in": sum(1 for op in camp.ops if op.presence.state is not S.LOGGED_OUT),
        }  # fmt: skip

    def calls_up(self) -> int:
        return len(self.calls)

    def close(self) -> None:
        """Stop: every call still up gets its record, marked unfinished."""
        now = self.clock.now()
        for op in self._ops.values():
            if op.call is not None and op.presence.state is S.WRAP_UP:
                call, op.call = op.call, None
                self.done(call)
        for call in list(self.calls.values()):
            call.record.ended_at = now
            self.done(call)
        self.calls.clear()

    def done(self, call: CallRun) -> None:
        """The call's record is complete: to the sink, and back to its dial source."""
        self.sink(call.record)
        camp = call.campaign
        if camp is not None and call.dial is not None:
            camp.source.finished(call.dial, call.record)

"""The call-center engine: operators, inbound queues and outbound campaigns on one port.

This is the minimal engine of the simulator issue: one FIFO per queue with
any-free-operator assignment (the longest idle first), and power dialing at a fixed
number of lines per free operator. The inbound (skill-based ACD) and outbound
(predictive dialer) issues replace the choice of call and the pacing; the event flow,
the operator states and the call records stay.

It speaks only to a `TelephonyPort` and a `Clock`, so it runs unchanged on the
simulated network in virtual time and live.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from centralino.domain.call_record import CallRecord, CallResult
from centralino.domain.errors import InvalidInput, NotFound
from centralino.domain.operators import WORKING, OperatorState, Presence
from centralino.domain.outbound.pacing import PredictivePacer, power_lines
from centralino.engine.clock import Clock, Timer
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
ABANDON_MESSAGE = "abandon_message"
COMFORT_NOISE = "comfort_noise"


@dataclass(slots=True)
class ServiceRoute:
    """What an inbound number leads to: an optional welcome prompt, an IVR menu, a queue."""

    number: str
    queue: str
    welcome: str | None = None
    ivr: dict[str, str] = field(default_factory=dict)  # key -> queue
    ivr_prompt: str | None = "ivr_menu"
    ivr_timeout: float = 8.0


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


class _Queue:
    __slots__ = ("free", "name", "target_seconds", "waiting")

    def __init__(self, name: str, target_seconds: float) -> None:
        self.name = name
        self.target_seconds = target_seconds
        self.waiting: deque[_Call] = deque()
        self.free: dict[str, _Op] = {}  # insertion order: the longest idle first


class _Campaign:
    __slots__ = (
        "abandon_after",
        "abandon_prompt",
        "caller_id",
        "flying",
        "free",
        "in_flight",
        "mode",
        "name",
        "ops",
        "pacer",
        "ratio",
        "ring_timeout",
        "running",
        "source",
        "ticking",
        "waiting",
    )

    def __init__(
        self,
        name: str,
        source: DialSource,
        ratio: float,
        caller_id: str,
        ring_timeout: float,
        abandon_after: float,
    ) -> None:
        self.name = name
        self.source = source
        self.ratio = ratio
        self.caller_id = caller_id
        self.ring_timeout = ring_timeout
        self.abandon_after = abandon_after
        self.abandon_prompt = ABANDON_MESSAGE  # or COMFORT_NOISE, as the preset says
        self.free: dict[str, _Op] = {}
        self.waiting: deque[_Call] = deque()
        self.in_flight = 0
        self.running = True
        self.pacer: PredictivePacer | None = None  # None: power dialing at `ratio`
        self.ops: list[_Op] = []
        self.flying: dict[LegId, float] = {}  # ringing dials and when they started
        self.ticking = False
        self.mode = "power"  # power, predictive, preview or manual


class _Op:
    __slots__ = (
        "call",
        "campaign",
        "endpoint",
        "id",
        "leg",
        "logout_pending",
        "move_to",
        "pause_pending",
        "presence",
        "preview",
        "queues",
    )

    def __init__(self, op_id: str, queues: tuple[_Queue, ...], campaign: _Campaign | None) -> None:
        self.id = op_id
        self.queues = queues
        self.campaign = campaign
        self.presence = Presence()
        self.leg: LegId | None = None
        self.endpoint = ""
        self.call: _Call | None = None
        self.pause_pending = False
        self.logout_pending = False
        self.preview: Dial | None = None  # the record shown to the operator (preview mode)
        self.move_to: str | None = None  # campaign to move to after the call in hand


class _Call:
    __slots__ = (
        "campaign", "dial", "done", "leg", "op", "owner", "queue", "record", "route", "timer",
    )  # fmt: skip

    def __init__(self, leg: LegId, record: CallRecord) -> None:
        self.leg = leg
        self.record = record
        self.queue: _Queue | None = None
        self.campaign: _Campaign | None = None
        self.dial: Dial | None = None
        self.owner: _Op | None = None  # preview and manual: the operator who dialed
        self.route: ServiceRoute | None = None
        self.op: _Op | None = None
        self.done = False  # no longer waiting for an operator (hung up or abandoned)
        self.timer: Timer | None = None


RecordSink = Callable[[CallRecord], None]
WrapUpListener = Callable[[str, CallRecord], None]
OperatorListener = Callable[[str], None]
PreviewListener = Callable[[str, "Dial"], None]


class Center:
    """Runs one company's calls. Operators act through the panel methods (`login`, `pause`,
    `resume`, `finish_wrap_up`, `logout`), exactly as the web panel or a bot would."""

    def __init__(self, clock: Clock, port: TelephonyPort, sink: RecordSink) -> None:
        self.clock = clock
        self.port = port
        self.sink = sink
        self.wrap_up_listeners: list[WrapUpListener] = []
        self.paused_listeners: list[OperatorListener] = []
        self.preview_listeners: list[PreviewListener] = []
        self._routes: dict[str, ServiceRoute] = {}
        self._queues: dict[str, _Queue] = {}
        self._campaigns: dict[str, _Campaign] = {}
        self._ops: dict[str, _Op] = {}
        self._calls: dict[LegId, _Call] = {}
        self._op_legs: dict[LegId, _Op] = {}
        self._next_call_id = 0
        self._call_handlers: dict[EventKind, Callable[[_Call, CallEvent], None]] = {
            EventKind.CREATED: self._on_created,
            EventKind.ANSWERED: self._on_answered,
            EventKind.PLAYBACK_FINISHED: self._on_playback_finished,
            EventKind.DTMF: self._on_dtmf,
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

    def add_queue(self, name: str, target_seconds: float = 20.0) -> None:
        if name in self._queues:
            raise InvalidInput(f"queue {name!r} already exists", "queue")
        self._queues[name] = _Queue(name, target_seconds)

    def add_route(self, route: ServiceRoute) -> None:
        for q in (route.queue, *route.ivr.values()):
            if q not in self._queues:
                raise InvalidInput(f"route {route.number}: unknown queue {q!r}", "queue")
        self._routes[route.number] = route

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
        camp = _Campaign(name, source, ratio, caller_id, ring_timeout, abandon_after)
        camp.pacer = predictive
        camp.mode = "predictive" if predictive is not None else mode
        camp.abandon_prompt = abandon_prompt
        self._campaigns[name] = camp

    def add_operator(
        self, op_id: str, queues: list[str] | tuple[str, ...] = (), campaign: str | None = None
    ) -> None:
        if op_id in self._ops:
            raise InvalidInput(f"operator {op_id!r} already exists", "operator")
        try:
            qs = tuple(self._queues[q] for q in queues)
            camp = self._campaigns[campaign] if campaign else None
        except KeyError as exc:
            raise InvalidInput(f"operator {op_id}: unknown queue or campaign {exc}") from None
        op = _Op(op_id, qs, camp)
        self._ops[op_id] = op
        if camp is not None:
            camp.ops.append(op)

    def assign_operator(self, op_id: str, campaign: str | None) -> None:
        """Move an operator to another campaign (or none). A free operator moves at once;
        one on a call finishes it first, since the call belongs to the old campaign."""
        op = self._op(op_id)
        new = self._campaigns.get(campaign) if campaign else None
        if campaign and new is None:
            raise InvalidInput(f"unknown campaign {campaign!r}", "campaign")
        if new is op.campaign:
            return
        if op.presence.state in (S.RESERVED, S.TALKING, S.WRAP_UP):
            op.move_to = campaign or ""
            return
        self._reassign(op, new)

    def _reassign(self, op: _Op, new: _Campaign | None) -> None:
        old = op.campaign
        if old is not None:
            old.free.pop(op.id, None)
            old.ops.remove(op)
        op.campaign = new
        op.move_to = None
        if new is not None:
            new.ops.append(op)
        if op.presence.state is S.READY:
            self._free(op)

    def campaign_of(self, op_id: str) -> str | None:
        camp = self._op(op_id).campaign
        return camp.name if camp else None

    def endpoint_of(self, op_id: str) -> str:
        return f"endpoint:{op_id}"

    # --- the operator panel ---

    def _op(self, op_id: str) -> _Op:
        op = self._ops.get(op_id)
        if op is None:
            raise NotFound(f"operator {op_id!r} not found")
        return op

    def login(self, op_id: str) -> None:
        """Call the operator's phone; they are ready once it answers."""
        op = self._op(op_id)
        if op.leg is not None:
            return
        op.logout_pending = False
        op.leg = self.port.originate(self.endpoint_of(op_id), "", 30.0)
        self._op_legs[op.leg] = op

    def pause(self, op_id: str) -> None:
        op = self._op(op_id)
        st = op.presence.state
        if st is S.READY:
            self._unfree(op)
            self._paused(op)
        elif st in (S.RESERVED, S.TALKING, S.WRAP_UP):
            op.pause_pending = True

    def _paused(self, op: _Op) -> None:
        op.presence.move(S.PAUSED, self.clock.now())
        for listener in self.paused_listeners:
            listener(op.id)

    def resume(self, op_id: str) -> None:
        op = self._op(op_id)
        op.pause_pending = False
        if op.presence.state is S.PAUSED:
            op.presence.move(S.READY, self.clock.now())
            self._free(op)

    def logout(self, op_id: str) -> None:
        op = self._op(op_id)
        if op.presence.state in (S.READY, S.PAUSED, S.LOGGED_OUT):
            self._log_out(op)
        else:
            op.logout_pending = True

    def _log_out(self, op: _Op) -> None:
        self._unfree(op)
        if op.presence.state is not S.LOGGED_OUT:
            op.presence.move(S.LOGGED_OUT, self.clock.now())
        if op.leg is not None:
            self._op_legs.pop(op.leg, None)
            self.port.hangup(op.leg)
            op.leg = None

    def finish_wrap_up(
        self, op_id: str, outcome: str | None = None, positive: bool = False
    ) -> None:
        """The operator closes the call with an outcome and is free again (or pauses)."""
        op = self._op(op_id)
        if op.presence.state is not S.WRAP_UP or op.call is None:
            raise InvalidInput(f"operator {op_id} has no call in wrap-up", "operator")
        call, op.call = op.call, None
        call.record.outcome = outcome
        call.record.positive = positive
        camp = call.campaign
        if camp is not None and camp.pacer is not None:
            camp.pacer.stats.wraps.add(self.clock.now() - op.presence.since)
        self._done(call)
        self._after_call(op)

    def _after_call(self, op: _Op) -> None:
        if op.move_to is not None:
            target = self._campaigns.get(op.move_to) if op.move_to else None
            self._reassign(op, target)  # still busy here: _free comes below
        if op.logout_pending:
            self._log_out(op)
        elif op.pause_pending:
            op.pause_pending = False
            self._paused(op)
        else:
            op.presence.move(S.READY, self.clock.now())
            self._free(op)

    # --- operator availability ---

    def _free(self, op: _Op) -> None:
        camp = op.campaign
        if camp is not None:
            while camp.waiting:
                call = camp.waiting.popleft()
                if not call.done:
                    self._connect(call, op)
                    return
        best: _Call | None = None
        for q in op.queues:
            w = q.waiting
            while w and w[0].done:
                w.popleft()
            if w:
                head = w[0]
                qa = head.record.queued_at or 0.0
                if best is None or qa < (best.record.queued_at or 0.0):
                    best = head
        if best is not None:
            assert best.queue is not None
            best.queue.waiting.popleft()
            self._connect(best, op)
            return
        for q in op.queues:
            q.free[op.id] = op
        if camp is None:
            return
        if camp.mode == "preview":
            self._offer_preview(op)
        elif camp.mode != "manual":
            if camp.running:
                mine = camp.source.take_for(op.id)
                if mine is not None:  # their own callback: dialed for them, like a preview
                    self._unfree(op)
                    op.presence.move(S.RESERVED, self.clock.now())
                    self._dial_for(op, mine)
                    return
            camp.free[op.id] = op
            self._pace(camp)

    # --- preview and manual dialing: the operator dials ---

    def _offer_preview(self, op: _Op) -> None:
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
        self._unfree(op)
        op.presence.move(S.RESERVED, self.clock.now())
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

    def dial_manual(self, op_id: str, dial: Dial) -> None:
        """The operator picked a record from the list and calls it."""
        op = self._op(op_id)
        if op.presence.state is not S.READY or op.campaign is None:
            raise InvalidInput(f"operator {op_id} is not ready on a campaign", "operator")
        self._unfree(op)
        op.presence.move(S.RESERVED, self.clock.now())
        self._dial_for(op, dial)

    def _dial_for(self, op: _Op, dial: Dial) -> None:
        camp = op.campaign
        assert camp is not None
        call = self._originate(camp, dial)
        call.owner = op

    def _release_owner(self, call: _Call) -> None:
        """A dial made by an operator ended without reaching anyone: they are free again."""
        op, call.owner = call.owner, None
        if op is not None and op.presence.state is S.RESERVED and op.call is None:
            self._after_call(op)

    def _unfree(self, op: _Op) -> None:
        for q in op.queues:
            q.free.pop(op.id, None)
        if op.campaign is not None:
            op.campaign.free.pop(op.id, None)

    def _connect(self, call: _Call, op: _Op) -> None:
        self._unfree(op)
        now = self.clock.now()
        if op.presence.state is not S.RESERVED:  # preview and manual: reserved already
            op.presence.move(S.RESERVED, now)
        op.call = call
        call.op = op
        call.done = True
        if call.timer is not None:
            self.clock.cancel(call.timer)
            call.timer = None
        call.record.ringing_at = now
        call.record.operator = op.id
        camp = call.campaign
        if camp is not None:
            if camp.pacer is not None:
                camp.pacer.answered(False, now)
            if call.dial is not None:
                camp.source.connected(call.dial, op.id)
        assert op.leg is not None
        self.port.bridge(call.leg, op.leg)

    # --- events ---

    def _on_event(self, event: CallEvent) -> None:
        call = self._calls.get(event.leg)
        if call is not None:
            handler = self._call_handlers.get(event.kind)
            if handler is not None:
                handler(call, event)
            return
        if event.kind is EventKind.CREATED and event.direction is Direction.INBOUND:
            self._on_inbound(event)
            return
        op = self._op_legs.get(event.leg)
        if op is None:
            return
        if event.kind is EventKind.ANSWERED and op.presence.state is S.LOGGED_OUT:
            op.presence.move(S.READY, event.at)
            self._free(op)
        elif event.kind is EventKind.HUNG_UP:
            op.leg = None
            self._op_legs.pop(event.leg, None)
            if op.call is None:
                self._unfree(op)
                if op.presence.state is not S.LOGGED_OUT:
                    op.presence.move(S.LOGGED_OUT, event.at)
            else:
                op.logout_pending = True

    def _new_record(self, direction: str, queue: str, number: str) -> CallRecord:
        self._next_call_id += 1
        return CallRecord(self._next_call_id, direction, queue, number, self.clock.now())

    def _on_inbound(self, event: CallEvent) -> None:
        route = self._routes.get(event.dialed)
        record = self._new_record("inbound", route.queue if route else event.dialed, event.number)
        if route is None:
            record.result = CallResult.REFUSED
            record.ended_at = event.at
            record.hangup_cause = HangupCause.UNALLOCATED.value
            self.sink(record)
            self.port.hangup(event.leg, HangupCause.UNALLOCATED)
            return
        call = _Call(event.leg, record)
        call.route = route
        self._calls[event.leg] = call
        self.port.answer(event.leg)

    def _on_created(self, call: _Call, event: CallEvent) -> None:
        pass

    def _on_answered(self, call: _Call, event: CallEvent) -> None:
        rec = call.record
        if event.direction is Direction.INBOUND:
            rec.welcome_at = event.at
            route = call.route
            assert route is not None
            if route.welcome:
                self.port.play(call.leg, route.welcome)
            else:
                self._after_welcome(call)
            return
        camp = call.campaign
        assert camp is not None
        self._resolved(camp, call, True)
        rec.answered_at = rec.queued_at = event.at
        if call.dial is not None:
            camp.source.answered(call.dial)
        if call.owner is not None:
            owner, call.owner = call.owner, None
            self._connect(call, owner)
        elif camp.free:
            op = next(iter(camp.free.values()))
            self._connect(call, op)
        else:
            camp.waiting.append(call)
            call.timer = self.clock.call_later(camp.abandon_after, self._abandon_outbound, call)
        self._pace(camp)

    def _after_welcome(self, call: _Call) -> None:
        route = call.route
        assert route is not None
        if route.ivr:
            self.port.collect_dtmf(
                call.leg, max_digits=1, timeout=route.ivr_timeout, prompt=route.ivr_prompt
            )
        else:
            self._enqueue(call, self._queues[route.queue])

    def _on_playback_finished(self, call: _Call, event: CallEvent) -> None:
        if call.record.result is CallResult.ABANDONED:
            self.port.hangup(call.leg, HangupCause.ABANDONED_BY_SYSTEM)
        elif call.queue is None and call.route is not None:
            self._after_welcome(call)

    def _on_dtmf(self, call: _Call, event: CallEvent) -> None:
        route = call.route
        if route is None or call.queue is not None:
            return
        self._enqueue(call, self._queues[route.ivr.get(event.digits, route.queue)])

    def _enqueue(self, call: _Call, q: _Queue) -> None:
        call.queue = q
        rec = call.record
        rec.queue = q.name
        rec.queued_at = self.clock.now()
        if q.free:
            self._connect(call, next(iter(q.free.values())))
        else:
            q.waiting.append(call)
            self.port.play(call.leg, MOH, loop=True)

    def _on_bridged(self, call: _Call, event: CallEvent) -> None:
        op = call.op
        if op is not None and call.record.picked_up_at is None:
            call.record.picked_up_at = event.at
            op.presence.move(S.TALKING, event.at)

    def _abandon_outbound(self, call: _Call) -> None:
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

    def _on_result(self, call: _Call, event: CallEvent) -> None:
        camp = call.campaign
        if camp is None or call.record.answered_at is not None:
            return
        self._resolved(camp, call, False)
        call.record.result = CallResult(event.kind.value)
        if event.kind in (EventKind.MACHINE, EventKind.FAX):
            self.port.hangup(call.leg, HangupCause(event.kind.value))
        if call.owner is not None:
            self._release_owner(call)
        self._pace(camp)

    def _on_hung_up(self, call: _Call, event: CallEvent) -> None:
        del self._calls[call.leg]
        if call.owner is not None:
            self._release_owner(call)
        rec = call.record
        rec.ended_at = event.at
        rec.hangup_cause = event.cause.value if event.cause else None
        if call.timer is not None:
            self.clock.cancel(call.timer)
            call.timer = None
        call.done = True
        op = call.op
        if op is not None and rec.picked_up_at is not None:
            rec.result = CallResult.TALKED
            op.presence.move(S.WRAP_UP, event.at)
            if call.campaign is not None and call.campaign.pacer is not None:
                call.campaign.pacer.stats.talks.add(rec.ended_at - rec.picked_up_at)
            if self.wrap_up_listeners:
                for listener in self.wrap_up_listeners:
                    listener(op.id, rec)
            else:
                self.finish_wrap_up(op.id)
            return
        if op is not None:  # hung up while being connected
            op.call = None
            if rec.result is CallResult.UNFINISHED:
                rec.result = CallResult.ABANDONED
            self._done(call)
            self._after_call(op)
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
            self._pace(camp)
        self._done(call)

    # --- outbound pacing ---

    def _resolved(self, camp: _Campaign, call: _Call, answered: bool) -> None:
        """A dial stopped ringing: answered by a person, or any other result."""
        camp.in_flight -= 1
        started = camp.flying.pop(call.leg, None)
        if camp.pacer is not None and started is not None:
            camp.pacer.stats.dial_resolved(answered, self.clock.now() - started)

    def _pace(self, camp: _Campaign) -> None:
        """Dial what the campaign's pacing asks for now."""
        if not camp.running or camp.mode in ("preview", "manual"):
            return
        pacer = camp.pacer
        if pacer is None:
            want = power_lines(camp.ratio, len(camp.free), camp.in_flight)
        else:
            now = self.clock.now()
            busy = []
            working = 0
            for op in camp.ops:
                st = op.presence.state
                if st in WORKING:
                    working += 1
                    if st is not S.READY:
                        busy.append((st is not S.WRAP_UP, now - op.presence.since))
            rung = [now - t for t in camp.flying.values()]
            waiting = sum(1 for c in camp.waiting if not c.done)
            want = pacer.lines(len(camp.free), rung, busy, waiting, working)
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

    def _originate(self, camp: _Campaign, dial: Dial) -> _Call:
        rec = self._new_record("outbound", camp.name, dial.number)
        leg = self.port.originate(dial.number, camp.caller_id, camp.ring_timeout)
        call = _Call(leg, rec)
        call.campaign = camp
        call.dial = dial
        self._calls[leg] = call
        camp.in_flight += 1
        camp.flying[leg] = rec.arrived_at
        return call

    def _tick(self, camp: _Campaign) -> None:
        """Predictive pacing looks again every second: operators come close to free."""
        camp.ticking = False
        if camp.running and any(op.presence.state in WORKING for op in camp.ops):
            self._pace(camp)

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
            self._pace(camp)

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

    def calls_up(self) -> int:
        return len(self._calls)

    def close(self) -> None:
        """Stop: every call still up gets its record, marked unfinished."""
        now = self.clock.now()
        for op in self._ops.values():
            if op.call is not None and op.presence.state is S.WRAP_UP:
                call, op.call = op.call, None
                self._done(call)
        for call in list(self._calls.values()):
            call.record.ended_at = now
            self._done(call)
        self._calls.clear()

    def _done(self, call: _Call) -> None:
        """The call's record is complete: to the sink, and back to its dial source."""
        self.sink(call.record)
        camp = call.campaign
        if camp is not None and call.dial is not None:
            camp.source.finished(call.dial, call.record)

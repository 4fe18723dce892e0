"""The ACD (IN-3, IN-7): queued calls offered to operators by tier and strategy.

A call waits in its queue in arrival order. It is offered to the ready operators of
the highest tier (by the queue's strategy; ring-all offers to every one of them);
when none is ready, to the next tier, after `tier_wait` seconds per step. An offer
not answered within `answer_timeout` passes on, and the operator is paused after
`misses_before_pause` misses in a row; when every ready operator has missed the
call, the cycle starts again after `retry` seconds, until the maximum wait sends
the call to the overflow. A full queue sends a new caller to the overflow at once.

Blending: operators who also serve a campaign take a queue's calls only while the
queue is over one of its blend thresholds; meanwhile the dialer does not count
them as free, so it slows down. The queue lets them go when no call waits. A queue
with no blend thresholds gives its calls to such operators whenever they are free
(inbound first, the dialer gets them otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from centralino.domain.call_record import CallResult
from centralino.domain.erlang import service_level_c
from centralino.domain.errors import InvalidInput
from centralino.domain.inbound.pauses import MISSED_CALLS
from centralino.domain.inbound.queues import OverflowKind, QueueConfig, Strategy
from centralino.domain.inbound.routing import eligible_tier
from centralino.domain.operators import OperatorState
from centralino.engine.runtime import CallRun, CampaignRun, OpRun, QueueRun
from centralino.telephony.port import HangupCause

if TYPE_CHECKING:
    from centralino.engine.center import Center

S = OperatorState
RATE_WINDOW = 900.0  # seconds of arrivals behind the blend's service-level forecast
OfferListener = Callable[[str, CallRun], None]
BlendListener = Callable[[str, bool, str], None]  # queue, blending now, why


class Acd:
    def __init__(self, center: Center) -> None:
        self.c = center
        self.queues: dict[str, QueueRun] = {}
        self.offer_listeners: list[OfferListener] = []
        self.blend_listeners: list[BlendListener] = []
        self.blending = 0  # queues blending now

    # --- configuration ---

    def add_queue(self, config: QueueConfig) -> None:
        if config.name in self.queues:
            raise InvalidInput(f"queue {config.name!r} already exists", "queue")
        self.queues[config.name] = QueueRun(config)

    def check_overflows(self) -> None:
        for q in self.queues.values():
            o = q.config.overflow
            if o.kind is OverflowKind.QUEUE and o.target not in self.queues:
                raise InvalidInput(f"queue {q.name!r} overflows into unknown {o.target!r}")

    def join(self, op: OpRun, queue: str, tier: int = 0) -> None:
        q = self.queues.get(queue)
        if q is None:
            raise InvalidInput(f"operator {op.id}: unknown queue {queue!r}", "queue")
        q.router.add(op.id, tier)
        q.members[op.id] = op
        if q not in op.queues:
            op.queues.append(q)
        self.recount(q)
        if op.presence.state is S.READY:
            self.c.unfree(op)
            self.c.free_again(op)

    def leave(self, op: OpRun, queue: str) -> None:
        q = self.queues.get(queue)
        if q is None:
            return
        q.router.remove(op.id)
        q.members.pop(op.id, None)
        if q in op.queues:
            op.queues.remove(q)
        self.recount(q)

    def recount(self, q: QueueRun) -> None:
        """How many members are blended (also on a campaign): kept for the blend check."""
        q.blended = sum(1 for op in q.members.values() if op.campaign is not None)

    # --- readiness ---

    def eligible(self, op: OpRun, q: QueueRun) -> bool:
        """Dedicated members always; blended ones (with a campaign) while the queue blends."""
        return op.campaign is None or q.blending

    def mark_ready(self, op: OpRun) -> None:
        for q in op.queues:
            if self.eligible(op, q):
                q.router.set_ready(op.id, True)

    def mark_busy(self, op: OpRun) -> None:
        for q in op.queues:
            q.router.set_ready(op.id, False)

    def take_waiting(self, op: OpRun) -> bool:
        """A ready operator looks for a waiting call: the longest-waiting one among their
        queues that their tier may take now and that they have not missed. True if offered."""
        if not op.queues:
            return False
        now = self.c.clock.now()
        best: CallRun | None = None
        for q in op.queues:
            if not q.waiting or not self.eligible(op, q):
                continue
            tier = q.router.tier_of(op.id) or 0
            for call in q.waiting:
                if call.offered or (op.id in call.tried and call.epoch == q.epoch):
                    continue
                limit = eligible_tier(now - call.entered, q.config.tier_wait)
                if limit is not None and tier > limit:
                    break  # the calls behind waited less: not for this tier either
                if best is None or call.entered < best.entered:
                    best = call
                break
        if best is None:
            return False
        self._offer(best, [op])
        return True

    # --- calls in ---

    def enqueue(self, call: CallRun, name: str, prefer: OpRun | None = None) -> None:
        """Put the call in the queue; `prefer`: offer it first to this operator (a caller
        who keyed an operator's code), if ready; otherwise the queue's usual order."""
        q = self.queues.get(name)
        if q is None:
            raise InvalidInput(f"unknown queue {name!r}", "queue")
        c = self.c
        now = c.clock.now()
        rec = call.record
        limit = q.config.max_length
        if limit is not None and len(q.waiting) >= limit:
            rec.phase(now, "queue_full", q.name)
            self._overflow(call, q, f"queue {q.name} full ({limit} waiting)", full=True)
            return
        call.queue = q
        call.state = "queued"
        call.entered = now
        call.tried.clear()
        call.epoch = q.epoch
        rec.queue = q.name
        if rec.queued_at is None:
            rec.queued_at = now
        rec.phase(now, "queue", q.name)
        q.waiting[call] = None
        q.arrivals.append(now)
        c.port.play(call.leg, self.moh_for(call), loop=True)
        cfg = q.config
        if cfg.max_wait is not None:
            call.wait_timer = c.clock.call_later(cfg.max_wait, self._max_wait, call)
        if cfg.announce_every is not None:
            call.announce_timer = c.clock.call_later(cfg.announce_every, self._announce, call)
        self._tier_timer(call, q)
        self._check_blend(q)
        if prefer is not None and prefer.presence.state is S.READY and prefer.offer is None:
            self._offer(call, [prefer])
            return
        self.dispatch(q)

    def moh_for(self, call: CallRun) -> str:
        if call.queue is not None and call.queue.config.moh != "moh":
            return call.queue.config.moh
        return call.service.moh if call.service is not None else "moh"

    def dispatch(self, q: QueueRun) -> None:
        """Offer waiting calls to the queue's ready operators, oldest call first."""
        if not q.waiting:
            return
        if q.router.ready_count() == 0:
            q.epoch += 1  # nobody is ready: whoever comes back starts a new cycle
            return
        now = self.c.clock.now()
        cfg = q.config
        calls = (
            (lambda op: float(q.members[op].calls_today))
            if cfg.strategy is Strategy.FEWEST_CALLS
            else None
        )
        talk = (
            (lambda op: q.members[op].talk_today) if cfg.strategy is Strategy.LEAST_TALK else None
        )
        for call in list(q.waiting):
            if call.offered:
                continue
            if call.epoch != q.epoch:
                call.tried.clear()
                call.epoch = q.epoch
            limit = eligible_tier(now - call.entered, cfg.tier_wait)
            chosen = q.router.pick(limit, call.tried, calls, talk)
            if chosen:
                self._offer(call, [q.members[o] for o in chosen])
                if q.router.ready_count() == 0:
                    return
                continue
            if call.tried and call.retry_timer is None and q.router.ready_count(limit) > 0:
                call.retry_timer = self.c.clock.call_later(cfg.retry, self._retry, call)

    def requeue_first(self, call: CallRun) -> None:
        """Back in its queue at the head of the line (its operator went away)."""
        q = call.queue
        assert q is not None
        call.done = False
        call.state = "queued"
        q.waiting = {call: None, **q.waiting}
        self.c.port.play(call.leg, self.moh_for(call), loop=True)
        self.dispatch(q)

    def _tier_timer(self, call: CallRun, q: QueueRun) -> None:
        """Look again when the call may reach the next tier (the queue's tier wait)."""
        tw = q.config.tier_wait
        if tw <= 0 or call.tier_timer is not None:
            return
        nxt = int((self.c.clock.now() - call.entered) // tw) + 1
        if nxt < q.router.tier_count:
            call.tier_timer = self.c.clock.call_at(call.entered + nxt * tw, self._next_tier, call)

    def _next_tier(self, call: CallRun) -> None:
        call.tier_timer = None
        q = call.queue
        if not call.done and q is not None and call in q.waiting:
            self._tier_timer(call, q)
            self.dispatch(q)

    def _retry(self, call: CallRun) -> None:
        """Every ready operator missed the call: a new cycle from the top."""
        call.retry_timer = None
        if not call.done and call.queue is not None:
            call.tried.clear()
            call.record.phase(self.c.clock.now(), "cycle", call.queue.name)
            self.dispatch(call.queue)

    # --- offers ---

    def _offer(self, call: CallRun, ops: list[OpRun]) -> None:
        c = self.c
        now = c.clock.now()
        q = call.queue
        assert q is not None
        call.offered = ops
        if call.record.ringing_at is None:
            call.record.ringing_at = now
        for op in ops:
            c.unfree(op)
            op.offer = call
            c.move(op, S.RINGING)
            call.record.phase(now, "offer", op.id)
        call.timer = c.clock.call_later(q.config.answer_timeout, self._missed, call)
        auto = [op for op in ops if op.auto_answer or not self.offer_listeners]
        for listener in self.offer_listeners:
            for op in ops:
                listener(op.id, call)
        if auto:
            c.clock.call_soon(self._auto_answer, call, auto[0])

    def _auto_answer(self, call: CallRun, op: OpRun) -> None:
        if op.offer is call:
            self.accept(op)

    def accept(self, op: OpRun) -> None:
        """The operator answers the offered call (the panel's answer button)."""
        call = op.offer
        if call is None:
            raise InvalidInput(f"operator {op.id} has no call ringing", "operator")
        c = self.c
        if call.timer is not None:
            c.clock.cancel(call.timer)
            call.timer = None
        for other in call.offered:
            if other is not op:
                other.offer = None
                c.move(other, S.READY)
                c.free_again(other)
        call.offered = []
        op.offer = None
        op.misses = 0
        q = call.queue
        if q is not None:
            self._leave_queue(call)
            self._check_blend(q)
        call.record.phase(c.clock.now(), "answered", op.id)
        c.connect(call, op)

    def _missed(self, call: CallRun) -> None:
        call.timer = None
        c = self.c
        q = call.queue
        assert q is not None
        now = c.clock.now()
        for op in call.offered:
            op.offer = None
            if op.presence.state is not S.RINGING:
                continue
            op.misses += 1
            if call.epoch != q.epoch:  # a new cycle began meanwhile: earlier misses are gone
                call.tried.clear()
                call.epoch = q.epoch
            call.tried.add(op.id)
            call.record.phase(now, "missed", op.id)
            if op.misses >= q.config.misses_before_pause:
                op.misses = 0
                c.move(op, S.READY)
                c.pause(op.id, MISSED_CALLS)
            else:
                c.move(op, S.READY)
                c.free_again(op)
        call.offered = []
        if not call.done:
            self.dispatch(q)

    def release(self, call: CallRun) -> None:
        """The call leaves (hung up, overflowed): out of its queue first, then the
        operators it was ringing to are free again."""
        c = self.c
        if call.timer is not None and call.op is None:
            c.clock.cancel(call.timer)
            call.timer = None
        q = call.queue
        queued = q is not None and call in q.waiting
        if queued:
            self._leave_queue(call)
        offered, call.offered = call.offered, []
        for op in offered:
            op.offer = None
            if op.presence.state is S.RINGING:
                c.move(op, S.READY)
                c.free_again(op)
        if queued and q is not None:
            self._check_blend(q)

    def withdraw(self, op: OpRun) -> None:
        """The operator goes away while a call rings to them (logout): the call stays in
        its queue, in its place, and is offered to someone else."""
        call = op.offer
        if call is None:
            return
        op.offer = None
        if op in call.offered:
            call.offered.remove(op)
        call.record.phase(self.c.clock.now(), "withdrawn", op.id)
        if not call.offered:
            if call.timer is not None and call.op is None:
                self.c.clock.cancel(call.timer)
                call.timer = None
            if call.queue is not None:
                self.c.clock.call_soon(self.dispatch, call.queue)

    def _leave_queue(self, call: CallRun) -> None:
        q = call.queue
        assert q is not None
        q.waiting.pop(call, None)
        for name in ("wait_timer", "tier_timer", "retry_timer", "announce_timer"):
            t = getattr(call, name)
            if t is not None:
                self.c.clock.cancel(t)
                setattr(call, name, None)

    # --- limits and overflow ---

    def _max_wait(self, call: CallRun) -> None:
        call.wait_timer = None
        q = call.queue
        if call.done or q is None or call not in q.waiting:
            return
        self.release(call)
        self._overflow(call, q, f"maximum wait {q.config.max_wait:g} s in {q.name}")

    def _overflow(self, call: CallRun, q: QueueRun, why: str, full: bool = False) -> None:
        c = self.c
        o = q.config.overflow
        now = c.clock.now()
        rec = call.record
        rec.phase(now, "overflow", f"{why} -> {o.kind.value} {o.target}".strip())
        entered = {d for _, p, d in rec.phases if p in ("queue", "queue_full")}
        if o.kind is OverflowKind.QUEUE and o.target not in entered:
            self.enqueue(call, o.target)
            return
        # An overflow chain that comes back to a queue already tried ends with a message.
        o_kind = OverflowKind.MESSAGE if o.kind is OverflowKind.QUEUE else o.kind
        call.queue = q
        call.state = "ended"
        rec.queue = q.name
        if full:
            rec.result = CallResult.REFUSED
            rec.refused_reason = why
        elif o_kind is OverflowKind.VOICEMAIL:
            rec.result = CallResult.VOICEMAIL
        else:
            rec.result = CallResult.TIMED_OUT
        if o_kind is OverflowKind.VOICEMAIL:
            c.voicemail(call, o.target or q.name)
        elif o_kind is OverflowKind.MESSAGE:
            c.port.play(call.leg, o.target or "overflow_message")
        else:
            c.port.hangup(call.leg, HangupCause.NORMAL)

    # --- announcements and callback requests ---

    def position(self, call: CallRun) -> int:
        q = call.queue
        if q is None:
            return 0
        for n, w in enumerate(q.waiting, start=1):
            if w is call:
                return n
        return 0

    def expected_wait(self, q: QueueRun, position: int) -> float:
        working = sum(
            1 for op in q.members.values()
            if op.presence.state not in (S.LOGGED_OUT, S.PAUSED) and self.eligible(op, q)
        )  # fmt: skip
        return position * q.handle_time / max(working, 1)

    def _announce(self, call: CallRun) -> None:
        call.announce_timer = None
        q = call.queue
        if call.done or q is None or call not in q.waiting:
            return
        c = self.c
        assert q.config.announce_every is not None
        if call.offered or call.state != "queued":  # ringing to someone: the next one, then
            call.announce_timer = c.clock.call_later(q.config.announce_every, self._announce, call)
            return
        pos = self.position(call)
        wait = self.expected_wait(q, pos)
        call.record.phase(c.clock.now(), "announce", f"position {pos}, about {wait:.0f} s")
        call.state = "announce"
        if q.config.offer_callback:
            c.port.collect_dtmf(call.leg, max_digits=1, timeout=5.0, prompt="callback_offer")
        else:
            # one prompt a driver assembles from recorded pieces: "you are number 3,
            # about 2 minutes" (positions over 20 and waits over 30 minutes said as such)
            c.port.play(call.leg, f"position_{min(pos, 21)}_wait_{min(round(wait / 60), 31)}")
        call.announce_timer = c.clock.call_later(q.config.announce_every, self._announce, call)

    def after_announcement(self, call: CallRun, digits: str | None) -> None:
        """The announcement ended (digits: what the caller keyed at the callback offer)."""
        c = self.c
        q = call.queue
        if call.done or q is None or call not in q.waiting:
            return
        if digits == "1":
            now = c.clock.now()
            self.release(call)
            call.record.result = CallResult.CALLBACK_REQUESTED
            call.record.phase(now, "callback_request", call.record.number)
            call.state = "ended"
            c.callback_requested(call)
            c.port.play(call.leg, "callback_confirmed")
            return
        call.state = "queued"
        if not call.offered:
            c.port.play(call.leg, self.moh_for(call), loop=True)

    # --- blending and the service-level forecast ---

    def predicted_service_level(self, q: QueueRun) -> float | None:
        now = self.c.clock.now()
        while q.arrivals and q.arrivals[0] < now - RATE_WINDOW:
            q.arrivals.popleft()
        rate = len(q.arrivals) / RATE_WINDOW
        agents = sum(
            1 for op in q.members.values()
            if op.campaign is None and op.presence.state not in (S.LOGGED_OUT, S.PAUSED)
        )  # fmt: skip
        load = rate * q.handle_time
        if agents == 0:
            return 0.0 if rate > 0 else None
        if load >= agents:
            return 0.0
        return service_level_c(agents, load, q.handle_time, q.config.target_seconds)

    def _check_blend(self, q: QueueRun) -> None:
        """Start blending when a threshold is reached (a queue with none: as soon as a
        call waits), stop when no call waits. Only queues with blended members blend."""
        waiting = len(q.waiting)
        if not waiting:
            if q.blending:
                self._set_blending(q, False, "no call waiting")
            return
        if q.blending or not q.blended:
            return
        th = q.config.blend
        if not th.enabled:
            self._set_blending(q, True, f"{waiting} calls waiting (threshold 1)")
            return
        oldest = next(iter(q.waiting)).entered
        now = self.c.clock.now()
        sl = self.predicted_service_level(q) if th.service_level_below is not None else None
        why = th.reached(waiting, now - oldest, sl)
        if why is not None:
            self._set_blending(q, True, why)
        elif th.longest_wait is not None and q.blend_timer is None:
            at = oldest + th.longest_wait + 0.001
            q.blend_timer = self.c.clock.call_at(at, self._blend_timer, q)

    def _blend_timer(self, q: QueueRun) -> None:
        q.blend_timer = None
        self._check_blend(q)

    def release_held(self, camp: CampaignRun) -> None:
        """Free operators of the campaign that a blending queue waits for, once no ringing
        line of the dialer counts on them any more: to the queue now."""
        if not self.blending:
            return
        spare = len(camp.free) - camp.in_flight
        for op in list(camp.free.values()):
            if spare <= 0:
                return
            if op.presence.state is S.READY and self.holds_for_inbound(op):
                spare -= 1
                camp.free.pop(op.id, None)
                self.c.free_again(op)

    def _set_blending(self, q: QueueRun, on: bool, why: str) -> None:
        if on != q.blending:
            self.blending += 1 if on else -1
        q.blending = on
        q.blend_reason = why
        for listener in self.blend_listeners:
            listener(q.name, on, why)
        blended = [op for op in q.members.values() if op.campaign is not None]
        # Starting, take from a campaign only the free operators no ringing line counts
        # on: the others answer their line first, then take the queue's calls (the
        # dialer dials no more for them meanwhile), so blending causes no abandon.
        spare = {
            id(op.campaign): len(op.campaign.free) - op.campaign.in_flight
            for op in blended
            if op.campaign is not None
        }
        for op in blended:
            camp = op.campaign
            if camp is None:
                continue
            ready = op.presence.state is S.READY
            if on:
                if ready and camp.mode in ("manual", "preview"):
                    q.router.set_ready(op.id, True)  # no line of the dialer counts on them
                elif ready and op.id in camp.free and spare[id(camp)] > 0:
                    spare[id(camp)] -= 1
                    camp.free.pop(op.id, None)
                    q.router.set_ready(op.id, True)
            else:
                q.router.set_ready(op.id, False)
                if ready and not any(oq.blending for oq in op.queues):
                    camp.free[op.id] = op
        if on:
            self.dispatch(q)
        else:
            for camp in {op.campaign for op in blended if op.campaign is not None}:
                self.c.pace(camp)

    def holds_for_inbound(self, op: OpRun) -> bool:
        """A blended operator kept off the dialer because one of their queues blends."""
        return any(q.blending for q in op.queues)

    def handled(self, q: QueueRun, seconds: float) -> None:
        """A call of the queue was handled in `seconds` (talk + after-call work)."""
        q.handle_time += 0.05 * (seconds - q.handle_time)

    # --- live changes and reading ---

    def update_queue(self, config: QueueConfig) -> None:
        """New settings for a running queue: waiting calls stay, in their order; the
        new limits apply from the next decision."""
        q = self.queues.get(config.name)
        if q is None:
            self.add_queue(config)
            return
        if config == q.config:
            return
        if config.strategy is not q.config.strategy:
            q.router.strategy = config.strategy
        blend_changed = config.blend != q.config.blend
        q.config = config
        if blend_changed:
            if q.blend_timer is not None:
                self.c.clock.cancel(q.blend_timer)
                q.blend_timer = None
            if q.blending:
                self._set_blending(q, False, "blend settings changed")
            self._check_blend(q)
        self.dispatch(q)

    def status(self, q: QueueRun, now: float) -> dict[str, object]:
        """What a supervisor sees of a queue now."""
        waiting = list(q.waiting)
        states: dict[str, int] = {}
        for op in q.members.values():
            key = op.presence.state.value
            states[key] = states.get(key, 0) + 1
        return {
            "queue": q.name,
            "strategy": q.config.strategy.value,
            "waiting": len(waiting),
            "longest_wait": max((now - w.entered for w in waiting), default=0.0),
            "ringing": sum(1 for w in waiting if w.offered),
            "operators": states,
            "tiers": q.router.tier_count,
            "blending": q.blending,
            "blend_reason": q.blend_reason if q.blending else "",
        }

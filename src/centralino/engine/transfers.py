"""Transfers (IN-5): blind, or after consultation, to a colleague, a queue or a number;
conference.

A target is written `operator:<id>`, `queue:<name>` or an outside number. Blind: the
customer goes at once and the operator moves to after-call work. Consulted: the
customer waits on hold with music while the operator talks to the target; then the
operator completes the transfer (the customer joins the target, the operator leaves)
or cancels it (back to the customer), or joins all three in a conference first.
The call record keeps every step as a phase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from centralino.domain.call_record import CallResult
from centralino.domain.errors import IllegalTransition, InvalidInput
from centralino.domain.operators import OperatorState
from centralino.engine.runtime import CallRun, OpRun

if TYPE_CHECKING:
    from centralino.engine.center import Center

S = OperatorState
_NUMBER = re.compile(r"\+?[0-9]{3,20}")
_RESULTS = {r.value for r in CallResult}


@dataclass(slots=True)
class _Consult:
    customer: CallRun
    target_op: OpRun | None = None  # a colleague (or a queue's operator)
    leg_call: CallRun | None = None  # an outside number
    answered: bool = False
    label: str = ""


class Transfers:
    def __init__(self, center: Center) -> None:
        self.c = center
        self._consults: dict[str, _Consult] = {}

    def _talking(self, op_id: str) -> tuple[OpRun, CallRun]:
        op = self.c._op(op_id)
        call = op.call
        if op.presence.state is not S.TALKING or call is None or call.op is not op:
            raise IllegalTransition(f"operator {op_id} is not talking to a customer")
        return op, call

    def _target_op(self, target: str, asking: OpRun) -> OpRun:
        c = self.c
        kind, _, name = target.partition(":")
        if kind == "operator":
            t = c._op(name)
            if t is asking:
                raise InvalidInput("an operator cannot transfer a call to themselves", "target")
            if t.presence.state is not S.READY:
                raise IllegalTransition(f"operator {name} is {t.presence.state}, not ready")
            return t
        q = c.acd.queues.get(name)
        if q is None:
            raise InvalidInput(f"unknown queue {name!r}", "target")
        chosen = [o for o in q.router.pick(exclude={asking.id})]
        if not chosen:
            raise IllegalTransition(f"no operator is ready in queue {name}")
        return q.members[chosen[0]]

    @staticmethod
    def _kind(target: str) -> str:
        if target.startswith(("operator:", "queue:")):
            return target.split(":", 1)[0]
        if _NUMBER.fullmatch(target):
            return "number"
        raise InvalidInput(
            f"transfer target {target!r}: use operator:<id>, queue:<name> or a phone number",
            "target",
        )

    def _hand_over(self, op: OpRun, call: CallRun, phase: str, detail: str) -> None:
        """The operator leaves the call: after-call work with no call in hand."""
        c = self.c
        now = c.clock.now()
        call.record.transferred_at = now
        call.record.phase(now, phase, detail)
        if op.presence.state is not S.WRAP_UP:
            c.move(op, S.WRAP_UP)  # the queue's after-call limit, read from the call in hand
        call.op = None
        op.call = None
        if c.wrap_up_listeners:
            for listener in c.wrap_up_listeners:
                listener(op.id, call.record)
        else:
            c.finish_wrap_up(op.id)

    # --- blind ---

    def blind(self, op_id: str, target: str) -> None:
        c = self.c
        op, call = self._talking(op_id)
        if op.id in self._consults:
            raise IllegalTransition(f"operator {op_id} is consulting: complete or cancel first")
        kind = self._kind(target)
        if kind == "number":
            c.port.blind_transfer(call.leg, target)
            self._hand_over(op, call, "transfer", f"blind to {target} by {op.id}")
            return
        if kind == "queue":
            name = target.split(":", 1)[1]
            if name not in c.acd.queues:
                raise InvalidInput(f"unknown queue {name!r}", "target")
            c.port.unbridge(call.leg)
            self._hand_over(op, call, "transfer", f"blind to queue {name} by {op.id}")
            call.done = False
            c.acd.enqueue(call, name)
            return
        t = self._target_op(target, op)
        c.port.unbridge(call.leg)
        self._hand_over(op, call, "transfer", f"blind to {t.id} by {op.id}")
        c.connect(call, t)

    # --- consulted ---

    def consult(self, op_id: str, target: str) -> None:
        c = self.c
        op, call = self._talking(op_id)
        if op.id in self._consults:
            raise IllegalTransition(f"operator {op_id} is already consulting")
        kind = self._kind(target)
        now = c.clock.now()
        assert op.leg is not None
        if kind == "number":
            rec = c.new_record("outbound", "consult", target)
            rec.operator = op.id
            leg = c.port.originate(target, call.record.number, 30.0)
            lc = CallRun(leg, rec)
            lc.consult_of = op
            c.calls[leg] = lc
            cons = _Consult(call, leg_call=lc, label=target)
        else:
            t = self._target_op(target, op)
            c.unfree(t)
            c.move(t, S.RESERVED)
            cons = _Consult(call, target_op=t, answered=True, label=t.id)
        self._consults[op.id] = cons
        c.port.unbridge(call.leg)
        c.port.play(call.leg, c.acd.moh_for(call), loop=True)
        call.record.phase(now, "hold", op.id)
        call.record.phase(now, "consult", f"{op.id} -> {cons.label}")
        if cons.target_op is not None:
            assert cons.target_op.leg is not None
            c.port.bridge(op.leg, cons.target_op.leg)

    def consult_answered(self, leg_call: CallRun) -> None:
        op = leg_call.consult_of
        cons = self._consults.get(op.id) if op is not None else None
        if op is None or cons is None or op.leg is None or cons.leg_call is not leg_call:
            self.c.port.hangup(leg_call.leg)
            return
        cons.answered = True
        leg_call.record.answered_at = self.c.clock.now()
        leg_call.record.picked_up_at = self.c.clock.now()
        self.c.port.bridge(op.leg, leg_call.leg)

    def consult_failed(self, leg_call: CallRun, why: str) -> None:
        leg_call.record.phase(self.c.clock.now(), "consult_failed", why)
        leg_call.record.result = CallResult(why) if why in _RESULTS else CallResult.FAILED
        op = leg_call.consult_of
        cons = self._consults.get(op.id) if op is not None else None
        if op is not None and cons is not None and cons.leg_call is leg_call:
            self.cancel(op.id)

    def consult_hung_up(self, leg_call: CallRun) -> None:
        c = self.c
        rec = leg_call.record
        rec.ended_at = c.clock.now()
        if rec.result is CallResult.UNFINISHED:
            rec.result = CallResult.TALKED if rec.picked_up_at is not None else CallResult.FAILED
        op = leg_call.consult_of
        leg_call.consult_of = None
        c.done(leg_call)
        cons = self._consults.get(op.id) if op is not None else None
        if op is not None and cons is not None and cons.leg_call is leg_call:
            self._back_to_customer(op, cons)

    def _usable(self, op_id: str, doing: str) -> tuple[OpRun, _Consult]:
        """The consultation, checked before anything changes: the customer still on hold
        with this operator, the colleague still there; otherwise back to the customer."""
        c = self.c
        cons = self._consults.get(op_id)
        if cons is None:
            raise IllegalTransition(f"operator {op_id} has no consultation to {doing}")
        op = c._op(op_id)
        call = cons.customer
        if call.leg not in c.calls or op.call is not call:
            self._drop(op, cons)
            raise IllegalTransition("the customer has hung up: the consultation is over")
        if not cons.answered:
            raise IllegalTransition("the consulted party has not answered yet")
        t = cons.target_op
        if t is not None and (t.leg is None or t.presence.state is not S.RESERVED or t.call):
            self._back_to_customer(op, cons)
            raise IllegalTransition(f"{t.id} is no longer available: back to the customer")
        return op, cons

    def complete(self, op_id: str) -> None:
        c = self.c
        op, cons = self._usable(op_id, "complete")
        del self._consults[op_id]
        call = cons.customer
        if cons.target_op is not None:
            t = cons.target_op
            assert t.leg is not None
            self._hand_over(op, call, "transfer", f"consulted to {t.id} by {op.id}")
            call.op = t
            t.call = call
            call.record.operator = t.id
            c.port.bridge(call.leg, t.leg)  # the bridge moves them to talking
            return
        lc = cons.leg_call
        assert lc is not None
        lc.consult_of = None
        c.port.attended_transfer(call.leg, lc.leg)
        self._hand_over(op, call, "transfer", f"consulted to {cons.label} by {op.id}")
        c.calls.pop(lc.leg, None)
        now = c.clock.now()
        lc.record.ended_at = now
        lc.record.result = CallResult.TALKED
        lc.record.transferred_at = now
        lc.record.phase(now, "transfer", f"joined the customer of {op.id}")
        c.done(lc)

    def cancel(self, op_id: str) -> None:
        """Back to the customer; the colleague is free again, the outside call hung up."""
        cons = self._consults.get(op_id)
        if cons is None:
            raise IllegalTransition(f"operator {op_id} has no consultation to cancel")
        op = self.c._op(op_id)
        if cons.leg_call is not None:
            self.c.port.hangup(cons.leg_call.leg)
        self._back_to_customer(op, cons)

    def _back_to_customer(self, op: OpRun, cons: _Consult) -> None:
        c = self.c
        self._consults.pop(op.id, None)
        call = cons.customer
        if call.leg in c.calls and op.leg is not None and op.call is call:
            call.record.phase(c.clock.now(), "unhold", op.id)
            c.port.bridge(call.leg, op.leg)  # takes the operator from the consultation
        self._release_colleague(cons)

    def _release_colleague(self, cons: _Consult) -> None:
        t = cons.target_op
        if t is not None and t.presence.state is S.RESERVED and t.call is None:
            if t.leg is not None:
                self.c.port.unbridge(t.leg)
            self.c._after_call(t)  # ready again, or the pause or logout they asked for

    def _drop(self, op: OpRun, cons: _Consult) -> None:
        """The consultation ends without the customer: the other party goes."""
        self._consults.pop(op.id, None)
        if cons.leg_call is not None and cons.leg_call.leg in self.c.calls:
            self.c.port.hangup(cons.leg_call.leg)
        if cons.target_op is not None and op.leg is not None and op.call is cons.customer:
            self.c.port.unbridge(op.leg)
        self._release_colleague(cons)

    def conference(self, op_id: str) -> None:
        """Customer, operator and the consulted party together. Then the operator leaves
        (`complete`: the call stays with the other two) or drops the third (`cancel`)."""
        c = self.c
        op, cons = self._usable(op_id, "join")
        third = cons.target_op.leg if cons.target_op is not None else None
        if cons.leg_call is not None:
            third = cons.leg_call.leg
        call = cons.customer
        if op.leg is None or third is None:
            raise IllegalTransition(f"operator {op_id} has no phone line")
        c.port.conference([call.leg, op.leg, third])
        call.record.phase(c.clock.now(), "conference", f"{op.id} + {cons.label}")

    def customer_gone(self, op: OpRun, call: CallRun) -> None:
        """The customer hung up: a consultation about them ends with them."""
        cons = self._consults.get(op.id)
        if cons is not None and cons.customer is call:
            self._drop(op, cons)

    def consulting(self, op_id: str) -> str | None:
        cons = self._consults.get(op_id)
        return cons.label if cons is not None else None

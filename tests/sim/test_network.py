"""The simulated network behind the telephony port: every command and every event."""

from __future__ import annotations

import math

import pytest

from centralino.engine.clock import VirtualClock
from centralino.telephony.port import CallEvent, EventKind, HangupCause, MonitorMode
from centralino.telephony.sim.network import Fate, SimNetwork

K = EventKind


class Recorder:
    def __init__(self) -> None:
        self.events: list[CallEvent] = []

    def __call__(self, e: CallEvent) -> None:
        self.events.append(e)

    def kinds(self, leg: int) -> list[EventKind]:
        return [e.kind for e in self.events if e.leg == leg]

    def last(self, leg: int, kind: EventKind) -> CallEvent:
        return [e for e in self.events if e.leg == leg and e.kind == kind][-1]


def make(fates: dict[str, Fate]) -> tuple[VirtualClock, SimNetwork, Recorder]:
    clock = VirtualClock(1000.0)
    net = SimNetwork(clock, lambda n: fates[n], prompt_seconds={"hello": 3.0})
    rec = Recorder()
    net.subscribe(rec)
    return clock, net, rec


@pytest.mark.parametrize(
    ("result", "cause"),
    [
        (K.BUSY, HangupCause.BUSY),
        (K.INVALID_NUMBER, HangupCause.UNALLOCATED),
        (K.FAILED, HangupCause.CONGESTION),
    ],
)
def test_failed_dials_end_with_their_cause(result: EventKind, cause: HangupCause) -> None:
    clock, net, rec = make({"+39": Fate(result, ring=2.0)})
    leg = net.originate("+39", "+3906", 25.0)
    clock.run()
    assert rec.kinds(leg) == [K.CREATED, K.RINGING, result, K.HUNG_UP]
    assert rec.last(leg, K.HUNG_UP).cause == cause
    assert rec.last(leg, result).at == 1002.0 and net.legs_up() == 0


def test_no_answer_at_the_ring_timeout() -> None:
    clock, net, rec = make({"+39": Fate(K.ANSWERED, ring=40.0)})
    leg = net.originate("+39", "", 25.0)
    clock.run()
    assert rec.kinds(leg) == [K.CREATED, K.RINGING, K.NO_ANSWER, K.HUNG_UP]
    assert rec.last(leg, K.NO_ANSWER).at == 1025.0


@pytest.mark.parametrize("kind", [K.MACHINE, K.FAX])
def test_machines_and_faxes_stay_up_until_we_hang_up(kind: EventKind) -> None:
    clock, net, rec = make({"+39": Fate(kind, ring=4.0)})
    leg = net.originate("+39", "", 25.0)
    clock.run()
    assert rec.kinds(leg) == [K.CREATED, K.RINGING, kind]
    net.hangup(leg, HangupCause.MACHINE)
    clock.run()
    assert rec.last(leg, K.HUNG_UP).cause == HangupCause.MACHINE


def test_an_answered_customer_waits_their_patience_then_hangs_up() -> None:
    clock, net, rec = make({"+39": Fate(K.ANSWERED, ring=5.0, patience=3.0)})
    leg = net.originate("+39", "", 25.0)
    clock.run()
    assert rec.kinds(leg)[-2:] == [K.ANSWERED, K.HUNG_UP]
    gone = rec.last(leg, K.HUNG_UP)
    assert gone.cause == HangupCause.CALLER_GAVE_UP and gone.at == 1008.0


def test_bridge_to_an_operator_talk_then_the_customer_hangs_up() -> None:
    clock, net, rec = make({"+39": Fate(K.ANSWERED, ring=5.0, talk=60.0, patience=3.0)})
    phone = net.register_endpoint("op1")
    op = net.originate(phone, "", 30.0)
    cust = net.originate("+39", "", 25.0)
    clock.run(until=1005.5)
    net.bridge(cust, op)
    clock.run()
    assert rec.kinds(op) == [K.CREATED, K.ANSWERED, K.BRIDGED, K.UNBRIDGED]
    assert rec.last(cust, K.BRIDGED).peer == op
    end = rec.last(cust, K.HUNG_UP)
    assert end.at == pytest.approx(1065.5) and end.cause == HangupCause.NORMAL and end.peer == op
    assert net.legs_up() == 1  # the operator's phone stays up


def test_unknown_endpoint_is_an_invalid_number() -> None:
    clock, net, rec = make({})
    leg = net.originate("endpoint:nobody", "", 30.0)
    clock.run()
    assert K.INVALID_NUMBER in rec.kinds(leg)


def test_inbound_prompt_dtmf_and_music_on_hold_with_patience() -> None:
    clock, net, rec = make({})
    leg = net.inbound("+3900", "+39333", Fate(patience=50.0, digits="2", think=1.5))
    clock.run()
    assert rec.kinds(leg) == [K.CREATED] and rec.events[0].dialed == "+3900"
    net.answer(leg)
    clock.run()
    net.play(leg, "hello")
    clock.run()
    assert rec.last(leg, K.PLAYBACK_FINISHED).at == 1003.0
    net.collect_dtmf(leg, max_digits=1, timeout=8.0, prompt="hello")
    clock.run()
    dtmf = rec.last(leg, K.DTMF)
    assert dtmf.digits == "2" and dtmf.at == 1007.5
    net.play(leg, "moh", loop=True)  # patience starts with the music
    clock.run()
    assert rec.last(leg, K.HUNG_UP).at == 1057.5


def test_dtmf_timeout_gives_empty_digits() -> None:
    clock, net, rec = make({})
    leg = net.inbound("+3900", "+39333", Fate(digits=""))
    net.answer(leg)
    net.collect_dtmf(leg, max_digits=1, timeout=8.0)
    clock.run()
    assert rec.last(leg, K.DTMF).digits == ""


def test_recording_monitor_and_transfers() -> None:
    clock, net, rec = make({"+39": Fate(K.ANSWERED, ring=1.0, talk=100.0)})
    op1 = net.originate(net.register_endpoint("op1"), "", 30.0)
    op2 = net.originate(net.register_endpoint("op2"), "", 30.0)
    sup = net.originate(net.register_endpoint("sup"), "", 30.0)
    cust = net.originate("+39", "", 25.0)
    clock.run(until=1002.0)
    net.bridge(cust, op1)
    net.start_recording(cust, "call-1")
    net.monitor(sup, op1, MonitorMode.WHISPER)
    clock.run(until=1010.0)
    assert rec.last(sup, K.MONITOR_STARTED).info == {"mode": "whisper"}
    net.attended_transfer(cust, op2)
    clock.run(until=1020.0)
    assert rec.last(cust, K.TRANSFERRED).peer == op2
    assert rec.last(op1, K.UNBRIDGED).peer == cust
    assert rec.last(cust, K.BRIDGED).peer == op2
    net.blind_transfer(cust, "endpoint:op1")
    clock.run(until=1030.0)
    assert rec.last(op2, K.UNBRIDGED).peer == cust
    assert rec.last(cust, K.BRIDGED).peer == rec.last(cust, K.TRANSFERRED).peer != op2
    net.stop_recording(cust)
    clock.run(until=1031.0)
    assert net.recordings[0][1:] == ("call-1", 1002.0, 1030.0)


def test_commands_on_a_gone_leg_do_nothing() -> None:
    clock, net, rec = make({"+39": Fate(K.BUSY, ring=1.0)})
    leg = net.originate("+39", "", 25.0)
    clock.run()
    before = len(rec.events)
    net.answer(leg)
    net.hangup(leg)
    net.play(leg, "hello")
    net.bridge(leg, leg)
    net.collect_dtmf(leg, max_digits=1, timeout=1.0)
    clock.run()
    assert len(rec.events) == before


def test_infinite_patience_never_hangs_up() -> None:
    clock, net, rec = make({"+39": Fate(K.ANSWERED, ring=1.0, patience=math.inf)})
    leg = net.originate("+39", "", 25.0)
    clock.run()
    assert rec.kinds(leg)[-1] == K.ANSWERED and clock.pending() == 0

"""The engine on the simulated network: queues, operators, services, power and preview dialing."""

from __future__ import annotations

import math

import pytest
from rig import Rig, service

from centralino.domain.call_record import CallResult
from centralino.domain.errors import IllegalTransition, InvalidInput
from centralino.domain.inbound.queues import QueueConfig, Strategy
from centralino.domain.operators import OperatorState, Presence
from centralino.engine.center import Dial, NumberList
from centralino.telephony.port import EventKind
from centralino.telephony.sim.network import Fate

S = OperatorState


def test_fifo_and_longest_idle_operator_first() -> None:
    rig = Rig()
    rig.center.add_queue(QueueConfig("care", strategy=Strategy.LONGEST_IDLE))
    rig.center.add_service(service("+3900", "care"))
    rig.operators("ann", queues=("care",))
    rig.clock.run(until=5.0)
    rig.operators("bob", queues=("care",))  # ready later: ann has been idle longer
    for i in range(3):
        rig.clock.call_at(10.0 + i, rig.net.inbound, "+3900", f"+39{i}", Fate(talk=100.0))
    rig.clock.run()
    by_number = {r.number: r for r in rig.records}
    assert by_number["+390"].operator == "ann" and by_number["+391"].operator == "bob"
    third = by_number["+392"]
    assert third.operator == "ann" and third.queued_at == 12.0 and third.picked_up_at == 110.0
    assert all(r.result is CallResult.TALKED for r in rig.records)


def test_the_phases_of_a_call_are_in_order() -> None:
    rig = Rig()
    rig.center.add_queue("care")
    rig.center.add_queue("billing")
    rig.center.add_service(service("+3900", "care", {"1": "care", "2": "billing"}))
    rig.operators("ann", queues=("billing",))
    rig.net.inbound("+3900", "+39333", Fate(talk=30.0, digits="2", think=1.0))
    rig.clock.run()
    (r,) = rig.records
    assert r.queue == "billing" and r.operator == "ann"
    phases = [r.arrived_at, r.welcome_at, r.queued_at, r.ringing_at, r.picked_up_at, r.ended_at]
    assert phases == sorted(phases) and r.queued_at == 3.0 and r.ended_at == 33.0
    assert r.hangup_cause == "normal" and r.wait == 0.0 and r.talk == 30.0


def test_no_key_goes_to_the_default_queue_and_unknown_numbers_are_refused() -> None:
    rig = Rig()
    rig.center.add_queue("care")
    rig.center.add_queue("billing")
    rig.center.add_service(service("+3900", "care", {"2": "billing"}))
    rig.operators("ann", queues=("care",))
    rig.net.inbound("+3900", "+39333", Fate(talk=5.0, digits=""))
    rig.net.inbound("+3999", "+39444", Fate())
    rig.clock.run()
    results = {r.number: (r.queue, r.result) for r in rig.records}
    assert results == {
        "+39333": ("care", CallResult.TALKED),
        "+39444": ("", CallResult.REFUSED),
    }


def test_a_caller_who_waits_too_long_abandons() -> None:
    rig = Rig()
    rig.center.add_queue("care")
    rig.center.add_service(service("+3900", "care"))
    rig.net.inbound("+3900", "+39333", Fate(patience=40.0))
    rig.clock.run()
    (r,) = rig.records
    assert (
        r.result is CallResult.ABANDONED and r.wait == 40.0 and r.hangup_cause == "caller_gave_up"
    )


def test_power_dialing_keeps_ratio_lines_per_free_operator() -> None:
    fates = {f"+39{i:03d}": Fate(EventKind.NO_ANSWER) for i in range(100)}
    rig = Rig(fates)
    rig.center.add_campaign("c", NumberList(fates), ratio=2.0, ring_timeout=20.0)
    peak = 0

    def watch() -> None:
        nonlocal peak
        peak = max(peak, rig.net.legs_up() - 3)  # minus the operators' phones
        if rig.clock.now() < 2000:
            rig.clock.call_later(1.0, watch)

    rig.clock.call_soon(watch)
    rig.operators("a", "b", "c", campaign="c")
    rig.clock.run()
    assert peak == 6
    assert len(rig.records) == 100
    assert all(r.result is CallResult.NO_ANSWER for r in rig.records)


def test_an_answer_with_no_free_operator_is_abandoned_after_two_seconds_with_a_message() -> None:
    fates = {
        "+391": Fate(EventKind.ANSWERED, ring=3.0, talk=300.0, patience=math.inf),
        "+392": Fate(EventKind.ANSWERED, ring=4.0, talk=300.0, patience=math.inf),
    }
    rig = Rig(fates)
    rig.center.add_campaign("c", NumberList(fates), ratio=2.0, abandon_after=2.0)
    rig.operators("ann", campaign="c")
    rig.clock.run()
    by = {r.number: r for r in rig.records}
    assert by["+391"].result is CallResult.TALKED
    lost = by["+392"]
    assert lost.result is CallResult.ABANDONED and lost.operator is None
    assert lost.answered_at == 4.0 and lost.ended_at == 4.0 + 2.0 + 5.0  # 2 s, then the message
    assert lost.hangup_cause == "abandoned_by_system" and "2 s" in (lost.abandon_rule or "")


def test_machines_are_hung_up_and_recorded() -> None:
    fates = {"+391": Fate(EventKind.MACHINE, ring=3.0)}
    rig = Rig(fates)
    rig.center.add_campaign("c", NumberList(fates))
    rig.operators("ann", campaign="c")
    rig.clock.run()
    (r,) = rig.records
    assert r.result is CallResult.MACHINE and r.hangup_cause == "machine"


def test_pause_waits_for_the_call_in_hand_and_resume_makes_ready() -> None:
    rig = Rig(auto_wrap=False)
    rig.center.add_queue("care")
    rig.center.add_service(service("+3900", "care"))
    rig.operators("ann", queues=("care",))
    rig.net.inbound("+3900", "+39333", Fate(talk=60.0))
    rig.clock.run(until=10.0)
    assert rig.state("ann") is S.TALKING
    rig.center.pause("ann")
    rig.clock.run(until=100.0)
    assert rig.state("ann") is S.WRAP_UP
    rig.center.finish_wrap_up("ann", "sale", positive=True)
    assert rig.state("ann") is S.PAUSED and rig.records[0].positive
    rig.center.resume("ann")
    assert rig.state("ann") is S.READY
    with pytest.raises(InvalidInput):
        rig.center.finish_wrap_up("ann")
    rig.center.logout("ann")
    rig.clock.run()
    presence = rig.center.presences()["ann"]
    assert presence.state is S.LOGGED_OUT
    assert presence.time_in(S.TALKING, 100.0) == 60.0


def test_presence_refuses_illegal_moves() -> None:
    p = Presence()
    with pytest.raises(IllegalTransition):
        p.move(S.TALKING, 1.0)
    p.move(S.READY, 1.0)
    with pytest.raises(IllegalTransition):
        p.move(S.WRAP_UP, 2.0)


def test_configuration_errors_are_clear() -> None:
    rig = Rig()
    rig.center.add_queue("care")
    with pytest.raises(InvalidInput, match="unknown queue 'nope'"):
        rig.center.add_service(service("+3900", "nope"))
    with pytest.raises(InvalidInput, match="already exists"):
        rig.center.add_queue("care")
    with pytest.raises(InvalidInput, match="unknown queue 'nope'"):
        rig.center.add_operator("x", ("nope",))


def test_preview_shows_the_record_then_the_operator_dials_and_is_connected() -> None:
    fates = {
        "+391": Fate(EventKind.BUSY, ring=2.0),
        "+392": Fate(EventKind.ANSWERED, ring=4.0, talk=30.0),
    }
    rig = Rig(fates)
    shown: list[tuple[str, str]] = []
    rig.center.preview_listeners.append(lambda op, dial: shown.append((op, dial.number)))
    rig.center.add_campaign("c", NumberList(fates), mode="preview")
    rig.operators("ann", campaign="c")
    assert shown == [("ann", "+391")] and rig.state("ann") is S.RESERVED
    rig.clock.run(until=10.0)
    assert rig.net.legs_up() == 1  # nothing dialed until the operator says so
    rig.center.dial_preview("ann")
    rig.clock.run(until=13.0)  # busy after 2 s: the next record is shown
    assert shown[-1] == ("ann", "+392") and rig.state("ann") is S.RESERVED
    rig.center.dial_preview("ann")
    rig.clock.run()
    by = {r.number: r for r in rig.records}
    assert by["+391"].result is CallResult.BUSY
    talked = by["+392"]
    assert talked.result is CallResult.TALKED and talked.operator == "ann"
    assert talked.picked_up_at == talked.answered_at  # their own call: never abandoned


def test_manual_dial_of_a_chosen_record() -> None:
    fates = {"+395": Fate(EventKind.ANSWERED, ring=3.0, talk=20.0)}
    rig = Rig(fates)
    rig.center.add_campaign("c", NumberList(()), mode="manual")
    rig.operators("ann", campaign="c")
    assert rig.state("ann") is S.READY and rig.net.legs_up() == 1
    rig.center.dial_manual("ann", Dial("+395"))
    rig.clock.run()
    (r,) = rig.records
    assert r.result is CallResult.TALKED and r.operator == "ann"
    with pytest.raises(InvalidInput):
        rig.center.dial_preview("ann")


class CallbackSource(NumberList):
    """A list where one number is a personal callback of operator bob."""

    def __init__(self) -> None:
        super().__init__([])
        self.personal: Dial | None = Dial("+397")

    @property
    def exhausted(self) -> bool:
        return False  # like a stored campaign: more may come

    def take_for(self, operator: str) -> Dial | None:
        if operator == "bob" and self.personal is not None:
            dial, self.personal = self.personal, None
            return dial
        return None


def test_a_personal_callback_is_dialed_for_its_operator() -> None:
    rig = Rig({"+397": Fate(EventKind.ANSWERED, ring=3.0, talk=20.0)})
    rig.center.add_campaign("c", CallbackSource())
    rig.operators("ann", "bob", campaign="c")
    rig.clock.run(until=100.0)  # the source never runs dry: time is bounded
    (r,) = rig.records
    assert r.operator == "bob" and r.result is CallResult.TALKED


def test_an_operator_moves_campaign_at_once_when_free_or_after_the_call() -> None:
    fates = {f"+39{i}": Fate(EventKind.ANSWERED, ring=2.0, talk=50.0) for i in range(4)}
    rig = Rig(fates)
    rig.center.add_campaign("a", NumberList(["+390", "+391"]))
    rig.center.add_campaign("b", NumberList(["+392", "+393"]))
    rig.operators("ann", campaign="a")
    rig.clock.run(until=10.0)
    assert rig.state("ann") is S.TALKING
    rig.center.assign_operator("ann", "b")  # on a call of "a": moves after it
    assert rig.center.campaign_of("ann") == "a"
    rig.clock.run(until=60.0)
    assert rig.center.campaign_of("ann") == "b"
    rig.clock.run()
    assert [r.number for r in rig.records] == ["+390", "+392", "+393"]


def test_an_abandoned_call_hears_comfort_noise_where_the_preset_says_so() -> None:
    fates = {
        "+391": Fate(EventKind.ANSWERED, ring=3.0, talk=300.0, patience=math.inf),
        "+392": Fate(EventKind.ANSWERED, ring=3.5, talk=300.0, patience=math.inf),
    }
    rig = Rig(fates)
    rig.net.prompt_seconds["comfort_noise"] = 1.0
    heard: list[str] = []
    rig.net.subscribe(
        lambda e: (
            heard.append((e.info or {}).get("prompt", ""))
            if e.kind is EventKind.PLAYBACK_FINISHED
            else None
        )
    )
    rig.center.add_campaign("c", NumberList(fates), ratio=2.0, abandon_prompt="comfort_noise")
    rig.operators("ann", campaign="c")
    rig.clock.run()
    lost = next(r for r in rig.records if r.result is CallResult.ABANDONED)
    assert heard == ["comfort_noise"] and lost.ended_at == 3.5 + 2.0 + 1.0

"""The inbound engine on the simulated network (IN-1..IN-4, IN-7, TEL-2): tiers and
strategies, answer timeouts and misses, limits and overflow, announcements and callback
requests, IVR menus, operator codes, opening hours, blending, transfers, operator states."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from rig import Rig, service

from centralino.domain.call_record import CallResult
from centralino.domain.errors import IllegalTransition, InvalidInput, NotFound
from centralino.domain.inbound.pauses import MISSED_CALLS
from centralino.domain.inbound.queues import (
    BlendThresholds,
    Overflow,
    OverflowKind,
    QueueConfig,
    Strategy,
)
from centralino.domain.inbound.services import (
    Action,
    ActionKind,
    IvrMenu,
    OpeningHours,
    ServiceConfig,
)
from centralino.domain.operators import OperatorState, Presence
from centralino.domain.outbound.campaign import Window
from centralino.engine.center import NumberList
from centralino.engine.runtime import CallRun
from centralino.telephony.port import EventKind
from centralino.telephony.sim.network import Fate

S = OperatorState
LINE = "+3900"


def inbound(rig: Rig, *queues: QueueConfig, svc: ServiceConfig | None = None) -> None:
    """The queues, and a service on LINE leading to the first one (or `svc`)."""
    for q in queues:
        rig.center.add_queue(q)
    rig.center.add_service(svc or service(LINE, queues[0].name))


def offered(rig: Rig, call_id: int = 1) -> list[tuple[float, str]]:
    return [(at, op) for at, op, cid in rig.offers if cid == call_id]


def named(rig: Rig, number: str, phase: str) -> list[tuple[float, str]]:
    return [(at, d) for at, p, d in rig.record(number).phases if p == phase]


# --- tiers, cycles and strategies ---


def test_round_robin_in_the_top_tier_then_the_next_tier_when_all_are_busy() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care"))
    rig.operators("ann", "bob", queues=("care",))
    rig.operator("cat", queues=(("care", 1),))
    for i, at in enumerate((10, 11, 12)):
        rig.call(at, LINE, f"+39{i}", Fate(talk=100.0))
    for i, at in enumerate((200, 300, 400, 500)):
        rig.call(at, LINE, f"+391{i}", Fate(talk=10.0))
    rig.run()
    ops = [rig.record(n).operator for n in ("+390", "+391", "+392")]
    assert ops == ["ann", "bob", "cat"]
    later = [rig.record(f"+391{i}").operator for i in range(4)]
    assert later == ["ann", "bob", "ann", "bob"]  # the lower tier only when the top is busy
    assert all(r.result is CallResult.TALKED for r in rig.records)


def test_missed_offers_go_down_the_tiers_and_the_cycle_repeats_from_the_top() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", answer_timeout=10.0, retry=5.0, misses_before_pause=10))
    rig.hold_offers()
    rig.operators("ann", "bob", queues=("care",))
    rig.operator("cat", queues=(("care", 1),))
    rig.call_now(LINE, "+391", Fate(talk=30.0))
    rig.run(until=71.0)
    assert offered(rig) == [
        (0.0, "ann"), (10.0, "bob"), (20.0, "cat"),
        (35.0, "ann"), (45.0, "bob"), (55.0, "cat"),
        (70.0, "ann"),
    ]  # fmt: skip
    rig.center.answer("ann")
    rig.run()
    rec = rig.record("+391")
    assert rec.operator == "ann" and rec.result is CallResult.TALKED and rec.picked_up_at == 71.0
    assert [at for at, _ in named(rig, "+391", "cycle")] == [35.0, 70.0]
    assert len(named(rig, "+391", "missed")) == 6


def test_an_unanswered_offer_passes_the_call_to_the_next_operator() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", answer_timeout=8.0))
    rig.hold_offers()
    rig.operators("ann", "bob", queues=("care",))
    rig.call_now(LINE, "+391", Fate(talk=30.0))
    rig.run(until=8.5)
    assert offered(rig) == [(0.0, "ann"), (8.0, "bob")]
    assert rig.state("ann") is S.READY and rig.state("bob") is S.RINGING
    with pytest.raises(InvalidInput, match="no call ringing"):
        rig.center.answer("ann")
    rig.run(until=9.0)
    rig.center.answer("bob")
    rig.run()
    rec = rig.record("+391")
    assert rec.operator == "bob" and rec.ringing_at == 0.0 and rec.picked_up_at == 9.0
    assert [(p, d) for _, p, d in rec.phases if p in ("offer", "missed", "answered")] == [
        ("offer", "ann"),
        ("missed", "ann"),
        ("offer", "bob"),
        ("answered", "bob"),
    ]


def test_the_panel_reads_the_operator_offer_then_call_in_hand() -> None:
    rig = Rig(auto_wrap=False)
    inbound(rig, QueueConfig("care"))
    rig.hold_offers()
    rig.operator("ann", queues=("care",))
    rig.call_now(LINE, "+391", Fate(talk=30.0))
    rig.run(until=1.0)
    op = rig.center.operator("ann")
    assert op.offer is not None and op.offer.record.number == "+391" and op.call is None
    rig.center.answer("ann")
    rig.run(until=2.0)
    assert op.offer is None and op.call is not None and op.presence.state is S.TALKING
    with pytest.raises(NotFound):
        rig.center.operator("nobody")


def test_consecutive_misses_pause_the_operator_with_the_missed_calls_reason() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", answer_timeout=5.0, retry=1.0, misses_before_pause=2))
    rig.hold_offers()
    rig.operator("ann", queues=("care",))
    rig.call_now(LINE, "+391", Fate(talk=30.0))
    rig.run(until=5.5)
    assert rig.state("ann") is S.READY  # one miss: still ready
    rig.run(until=30.0)
    assert offered(rig) == [(0.0, "ann"), (6.0, "ann")]
    assert rig.state("ann") is S.PAUSED and rig.reason("ann") == MISSED_CALLS
    assert rig.center.presences()["ann"].since == 11.0


def test_an_answer_resets_the_count_of_misses() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", answer_timeout=5.0, retry=1.0, misses_before_pause=2))
    rig.hold_offers()
    rig.operator("ann", queues=("care",))
    rig.call_now(LINE, "+391", Fate(talk=10.0))
    rig.run(until=6.0)  # missed once, offered again at 6
    rig.center.answer("ann")
    rig.call(50.0, LINE, "+392", Fate(talk=10.0))
    rig.run(until=55.5)  # the second call: missed once, not twice in a row
    assert offered(rig, 2) == [(50.0, "ann")] and rig.state("ann") is S.READY


def test_a_call_waiting_when_the_operator_resumes_is_offered_to_them() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", answer_timeout=5.0, retry=1.0, misses_before_pause=1))
    rig.hold_offers()
    rig.operator("ann", queues=("care",))
    rig.call_now(LINE, "+391", Fate(talk=10.0))
    rig.run(until=20.0)
    assert rig.reason("ann") == MISSED_CALLS
    rig.center.resume("ann")
    rig.run(until=40.0)
    assert len(offered(rig)) == 2  # ready again, and the call still waits for someone


def test_a_caller_hanging_up_while_ringing_frees_the_operator_without_a_miss() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", answer_timeout=15.0, misses_before_pause=1))
    rig.hold_offers()
    rig.operator("ann", queues=("care",))
    rig.call_now(LINE, "+391", Fate(patience=5.0))
    rig.run(until=30.0)
    assert rig.state("ann") is S.READY and offered(rig) == [(0.0, "ann")]
    assert rig.phases("+391")[-2:] == ["hangup", "abandoned_queue"]


def test_logging_out_while_ringing_passes_the_call_on() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", answer_timeout=15.0))
    rig.hold_offers()
    rig.operator("ann", queues=("care",))
    rig.center.add_operator("bob", ("care",))
    rig.net.register_endpoint("bob")
    rig.call_now(LINE, "+391", Fate(talk=10.0, patience=200.0))
    rig.run(until=2.0)
    rig.center.logout("ann")
    rig.center.login("bob")
    rig.run(until=40.0)
    assert rig.state("ann") is S.LOGGED_OUT
    # bob, who does not answer either, is offered it again in the next cycle
    assert offered(rig) == [(0.0, "ann"), (2.0, "bob"), (22.0, "bob")]


def test_tier_wait_holds_the_lower_tier_back() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", tier_wait=20.0))
    rig.operator("ann", queues=("care",))
    rig.operator("cat", queues=(("care", 1),))
    rig.operator("dan", queues=(("care", 2),))
    rig.call(0.0, LINE, "+391", Fate(talk=1000.0))  # ann takes it
    rig.call(10.0, LINE, "+392", Fate(talk=10.0))
    rig.run(until=100.0)
    rec = rig.record("+392")
    assert rec.operator == "cat" and rec.ringing_at == 30.0 and rec.picked_up_at == 30.0


def test_tier_wait_with_the_lower_tier_ready_only_after_the_call_arrived() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", tier_wait=20.0))
    rig.operator("ann", queues=("care",))
    rig.center.add_operator("cat", (("care", 1),))
    rig.net.register_endpoint("cat")
    rig.call(0.0, LINE, "+391", Fate(talk=1000.0))
    rig.call(10.0, LINE, "+392", Fate(talk=10.0, patience=60.0))
    rig.clock.call_at(15.0, rig.center.login, "cat")  # ready, but the call waited only 5 s
    rig.run(until=100.0)
    rec = rig.record("+392")
    assert rec.operator == "cat" and rec.ringing_at == 30.0


def test_longest_idle_takes_the_operator_free_the_longest() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", strategy=Strategy.LONGEST_IDLE))
    rig.operators("ann", "bob", queues=("care",))
    rig.call(10.0, LINE, "+391", Fate(talk=10.0))  # ann (ready first), free again at 20
    rig.call(30.0, LINE, "+392", Fate(talk=10.0))  # bob: idle since 0
    rig.call(50.0, LINE, "+393", Fate(talk=10.0))  # ann: idle since 20, bob since 40
    rig.run()
    assert [rig.record(f"+39{i}").operator for i in (1, 2, 3)] == ["ann", "bob", "ann"]


def test_fewest_calls_prefers_the_operator_with_fewer_calls_today() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", strategy=Strategy.FEWEST_CALLS))
    rig.operator("ann", queues=("care",))
    rig.call(0.0, LINE, "+391", Fate(talk=10.0))
    rig.call(20.0, LINE, "+392", Fate(talk=10.0))
    rig.run(until=40.0)
    rig.operator("bob", queues=("care",))
    for i, at in enumerate((50.0, 70.0, 90.0), start=3):
        rig.call(at, LINE, f"+39{i}", Fate(talk=10.0))
    rig.run()
    ops = [rig.record(f"+39{i}").operator for i in range(1, 6)]
    assert ops == ["ann", "ann", "bob", "bob", "ann"]  # 2-0, 2-1, then 2-2: joining order


def test_least_talk_prefers_the_operator_with_less_talk_time_today() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", strategy=Strategy.LEAST_TALK))
    rig.operators("ann", "bob", queues=("care",))
    rig.call(0.0, LINE, "+391", Fate(talk=100.0))  # ann
    rig.call(1.0, LINE, "+392", Fate(talk=10.0))  # bob (ann busy)
    rig.call(200.0, LINE, "+393", Fate(talk=10.0))  # bob: 10 s against 100 s
    rig.call(300.0, LINE, "+394", Fate(talk=10.0))  # bob: 20 s against 100 s
    rig.run()
    ops = [rig.record(f"+39{i}").operator for i in range(1, 5)]
    assert ops == ["ann", "bob", "bob", "bob"]


def test_linear_always_offers_from_the_top() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", strategy=Strategy.LINEAR))
    rig.operators("ann", "bob", "cat", queues=("care",))
    for i, at in enumerate((0.0, 20.0, 40.0), start=1):
        rig.call(at, LINE, f"+39{i}", Fate(talk=10.0))
    rig.call(42.0, LINE, "+394", Fate(talk=10.0))  # ann busy: the next from the top
    rig.run()
    ops = [rig.record(f"+39{i}").operator for i in range(1, 5)]
    assert ops == ["ann", "ann", "ann", "bob"]


def test_ring_all_rings_the_whole_ready_tier_and_the_first_answer_wins() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", strategy=Strategy.RING_ALL))
    rig.hold_offers()
    rig.operators("ann", "bob", "cat", queues=("care",))
    rig.operator("dan", queues=(("care", 1),))
    rig.call_now(LINE, "+391", Fate(talk=10.0))
    rig.run(until=3.0)
    assert sorted(op for _, op in offered(rig)) == ["ann", "bob", "cat"]
    assert [rig.state(o) for o in ("ann", "bob", "cat", "dan")] == [S.RINGING] * 3 + [S.READY]
    rig.center.answer("bob")
    assert rig.state("ann") is S.READY and rig.state("cat") is S.READY
    rig.run()
    rec = rig.record("+391")
    assert rec.operator == "bob" and rec.picked_up_at == 3.0


def test_random_is_reproducible_and_spreads_calls() -> None:
    def day() -> list[str | None]:
        rig = Rig()
        inbound(rig, QueueConfig("care", strategy=Strategy.RANDOM))
        rig.operators("ann", "bob", "cat", queues=("care",))
        for i in range(30):
            rig.call(20.0 * i, LINE, f"+39{i:02d}", Fate(talk=5.0))
        rig.run()
        return [rig.record(f"+39{i:02d}").operator for i in range(30)]

    first = day()
    assert first == day() and set(first) == {"ann", "bob", "cat"}


# --- maximum wait, maximum length, overflow ---


def test_maximum_wait_overflows_into_another_queue() -> None:
    rig = Rig()
    inbound(
        rig,
        QueueConfig("care", max_wait=30.0, overflow=Overflow(OverflowKind.QUEUE, "backup")),
        QueueConfig("backup"),
    )
    rig.operator("ann", queues=("backup",))
    rig.call_now(LINE, "+391", Fate(talk=10.0))
    rig.run()
    rec = rig.record("+391")
    assert rec.result is CallResult.TALKED and rec.operator == "ann" and rec.queue == "backup"
    assert rec.picked_up_at == 30.0 and rec.wait == 30.0  # from the first queue's entry
    assert named(rig, "+391", "queue") == [(0.0, "care"), (30.0, "backup")]
    ((at, why),) = named(rig, "+391", "overflow")
    assert at == 30.0 and why == "maximum wait 30 s in care -> queue backup"


def test_maximum_wait_then_a_message() -> None:
    rig = Rig(prompts={"sorry": 4.0})
    inbound(
        rig, QueueConfig("care", max_wait=30.0, overflow=Overflow(OverflowKind.MESSAGE, "sorry"))
    )
    rig.call_now(LINE, "+391", Fate(talk=10.0))
    rig.run()
    rec = rig.record("+391")
    assert rec.result is CallResult.TIMED_OUT and rec.ended_at == 34.0
    assert rec.hangup_cause == "normal" and rec.queue == "care"
    assert rig.phases("+391")[-2:] == ["overflow", "hangup"]


def test_maximum_wait_then_voicemail_records_a_message() -> None:
    rig = Rig(prompts={"voicemail_greeting": 3.0})
    inbound(
        rig,
        QueueConfig("care", max_wait=30.0, overflow=Overflow(OverflowKind.VOICEMAIL, "care_box")),
    )
    rig.call_now(LINE, "+391", Fate(talk=10.0))
    rig.run()
    rec = rig.record("+391")
    assert rec.result is CallResult.VOICEMAIL and rec.ended_at == 93.0
    assert named(rig, "+391", "voicemail") == [(30.0, "care_box")]
    assert [(name, start, end) for _, name, start, end in rig.net.recordings] == [
        (f"voicemail-{rec.call_id}", 33.0, 93.0)
    ]


def test_an_overflow_chain_back_to_a_queue_already_tried_ends_with_a_message() -> None:
    rig = Rig()
    inbound(
        rig,
        QueueConfig("a", max_wait=10.0, overflow=Overflow(OverflowKind.QUEUE, "b")),
        QueueConfig("b", max_wait=10.0, overflow=Overflow(OverflowKind.QUEUE, "a")),
    )
    rig.center.acd.check_overflows()
    rig.call_now(LINE, "+391", Fate(talk=10.0))
    rig.run()
    rec = rig.record("+391")
    assert named(rig, "+391", "queue") == [(0.0, "a"), (10.0, "b")]
    assert rec.result is CallResult.TIMED_OUT and rec.ended_at == 25.0  # 5 s overflow message


def test_an_overflow_into_an_unknown_queue_is_a_configuration_error() -> None:
    rig = Rig()
    rig.center.add_queue(QueueConfig("a", overflow=Overflow(OverflowKind.QUEUE, "ghost")))
    with pytest.raises(InvalidInput, match="overflows into unknown 'ghost'"):
        rig.center.acd.check_overflows()


def test_maximum_wait_while_ringing_frees_the_operator() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", max_wait=10.0, answer_timeout=15.0))
    rig.hold_offers()
    rig.operator("ann", queues=("care",))
    rig.call_now(LINE, "+391", Fate(talk=10.0))
    rig.run(until=12.0)
    assert rig.state("ann") is S.READY
    rig.run(until=40.0)  # the overflow message ends: the record is complete
    assert "missed" not in rig.phases("+391") and rig.state("ann") is S.READY


def test_maximum_length_refuses_the_caller_beyond_it() -> None:
    rig = Rig(prompts={"full": 3.0})
    inbound(rig, QueueConfig("care", max_length=2, overflow=Overflow(OverflowKind.MESSAGE, "full")))
    for i in range(3):
        rig.call(float(i), LINE, f"+39{i}", Fate(patience=50.0))
    rig.run()
    refused = rig.record("+392")
    assert refused.result is CallResult.REFUSED
    assert refused.refused_reason == "queue care full (2 waiting)"
    assert "queue" not in rig.phases("+392") and refused.ended_at == 5.0
    assert rig.phases("+392")[:3] == ["arrival", "queue_full", "overflow"]
    for n in ("+390", "+391"):
        assert rig.record(n).result is CallResult.ABANDONED


def test_maximum_length_with_an_overflow_queue_sends_the_caller_there() -> None:
    rig = Rig()
    inbound(
        rig,
        QueueConfig("care", max_length=1, overflow=Overflow(OverflowKind.QUEUE, "backup")),
        QueueConfig("backup"),
    )
    rig.operator("bob", queues=("backup",))
    rig.call(0.0, LINE, "+391", Fate(patience=20.0))
    rig.call(1.0, LINE, "+392", Fate(talk=10.0))
    rig.run()
    assert rig.record("+392").operator == "bob" and rig.record("+392").queue == "backup"


def test_a_refused_caller_hung_up_by_the_overflow_did_not_abandon() -> None:
    rig = Rig(prompts={"hello": 2.0})
    svc = ServiceConfig("Care", (LINE,), "care", "UTC", welcome="hello")
    inbound(rig, QueueConfig("care", max_length=1, overflow=Overflow(OverflowKind.HANGUP)), svc=svc)
    rig.call(0.0, LINE, "+391", Fate(patience=20.0))
    rig.call(1.0, LINE, "+392", Fate(patience=20.0))
    rig.run()
    rec = rig.record("+392")
    assert rec.result is CallResult.REFUSED and rec.ended_at == 3.0
    assert not {"abandoned_ivr", "abandoned_queue"} & set(rig.phases("+392"))


# --- announcements and callback requests ---


def test_position_and_expected_wait_are_announced_periodically() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", announce_every=30.0))
    played: list[str] = []
    play = rig.net.play

    def spy(leg: int, prompt: str, *, loop: bool = False) -> None:
        played.append(prompt)
        play(leg, prompt, loop=loop)

    rig.net.play = spy  # type: ignore[method-assign]
    rig.call(0.0, LINE, "+391", Fate(talk=120.0))
    rig.call(1.0, LINE, "+392", Fate(talk=120.0))
    rig.run(until=99.0)
    assert "position_1_wait_3" in played and "position_2_wait_6" in played
    rig.operator("ann", queues=("care",))
    rig.run()
    assert named(rig, "+391", "announce") == [
        (30.0, "position 1, about 180 s"),
        (60.0, "position 1, about 180 s"),
        (90.0, "position 1, about 180 s"),
    ]
    second = named(rig, "+392", "announce")
    assert second[:3] == [
        (31.0, "position 2, about 360 s"),
        (61.0, "position 2, about 360 s"),
        (91.0, "position 2, about 360 s"),
    ]
    assert second[3][0] == 121.0 and second[3][1].startswith("position 1,")
    assert rig.record("+391").picked_up_at == 99.0 and rig.record("+392").picked_up_at == 219.0


def test_announcements_go_on_after_a_missed_offer() -> None:
    rig = Rig()
    inbound(
        rig, QueueConfig("care", announce_every=10.0, answer_timeout=15.0, misses_before_pause=1)
    )
    rig.hold_offers()
    rig.operator("ann", queues=("care",))
    rig.call_now(LINE, "+391", Fate(patience=60.0))
    rig.run()
    assert rig.reason("ann") == MISSED_CALLS  # from 15 s on, nobody: the caller just waits
    assert [at for at, _ in named(rig, "+391", "announce")][-3:] == [30.0, 40.0, 50.0]


def test_a_caller_may_ask_to_be_called_back_instead_of_waiting() -> None:
    rig = Rig()
    svc = service(LINE, "care", {"1": "care"})
    inbound(rig, QueueConfig("care", announce_every=20.0, offer_callback=True), svc=svc)
    asked: list[str] = []
    rig.center.callback_listeners.append(lambda rec: asked.append(rec.number))
    rig.call_now(LINE, "+391", Fate(digits="11"))  # "1" in the menu, then "1" for a callback
    rig.run()
    rec = rig.record("+391")
    assert named(rig, "+391", "queue") == [(4.0, "care")]
    assert rec.result is CallResult.CALLBACK_REQUESTED and asked == ["+391"]
    assert named(rig, "+391", "callback_request") == [(31.0, "+391")]  # 20 s, 5 s prompt, 2 s
    assert rec.ended_at == 36.0 and "abandoned_queue" not in rig.phases("+391")


def test_a_caller_who_declines_the_callback_keeps_waiting() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care", announce_every=20.0, offer_callback=True))
    rig.call_now(LINE, "+391", Fate(talk=10.0))
    rig.run(until=50.0)
    rig.operator("ann", queues=("care",))
    rig.run()
    rec = rig.record("+391")
    assert rec.result is CallResult.TALKED and rec.picked_up_at == 50.0
    assert [at for at, _ in named(rig, "+391", "announce")] == [20.0, 40.0]


# --- services: IVR, operator codes, opening hours, whisper, screen pop ---


def ivr_service(menus: dict[str, IvrMenu], **kwargs: Any) -> ServiceConfig:
    return ServiceConfig("Care", (LINE,), "care", "UTC", menus=menus, root_menu="main", **kwargs)


def two_queues(rig: Rig, svc: ServiceConfig) -> None:
    inbound(rig, QueueConfig("care"), QueueConfig("billing"), svc=svc)
    rig.operator("ann", queues=("care",))
    rig.operator("bob", queues=("billing",))


MAIN = IvrMenu(
    "main",
    "ivr_menu",
    {"1": Action(ActionKind.QUEUE, "billing")},
    repeats=1,
    default=Action(ActionKind.QUEUE, "care"),
)


def test_an_invalid_key_is_told_then_the_menu_repeats_then_the_default() -> None:
    rig = Rig(prompts={"ivr_invalid": 3.0})
    two_queues(rig, ivr_service({"main": MAIN}))
    rig.call_now(LINE, "+391", Fate(digits="9", talk=10.0))
    rig.run()
    assert [d for _, d in named(rig, "+391", "ivr")] == ["main: invalid 9", "main: no key"]
    # 2 s prompt + 2 s think, 3 s invalid prompt, 2 s prompt + 8 s timeout
    assert named(rig, "+391", "queue") == [(17.0, "care")]
    assert rig.record("+391").operator == "ann"


def test_an_invalid_key_then_a_valid_one() -> None:
    rig = Rig(prompts={"ivr_invalid": 3.0})
    two_queues(rig, ivr_service({"main": MAIN}))
    rig.call_now(LINE, "+391", Fate(digits="91", talk=10.0))
    rig.run()
    assert [d for _, d in named(rig, "+391", "ivr")] == ["main: invalid 9", "main: 1"]
    assert rig.record("+391").operator == "bob"


def test_no_default_after_the_repeats_hangs_up() -> None:
    rig = Rig()
    menu = IvrMenu("main", "ivr_menu", {"1": Action(ActionKind.QUEUE, "care")}, repeats=0)
    two_queues(rig, ivr_service({"main": menu}))
    rig.call_now(LINE, "+391", Fate(digits=""))
    rig.run()
    rec = rig.record("+391")
    assert rec.ended_at == 10.0 and rec.operator is None and "queue" not in rig.phases("+391")


def test_nested_menus_and_back_to_the_main_menu() -> None:
    menus = {
        "main": IvrMenu(
            "main",
            "ivr_menu",
            {"1": Action(ActionKind.QUEUE, "care"), "2": Action(ActionKind.MENU, "sales")},
        ),
        "sales": IvrMenu(
            "sales",
            "ivr_menu",
            {"1": Action(ActionKind.QUEUE, "billing"), "*": Action(ActionKind.MENU, "main")},
        ),
    }
    rig = Rig()
    two_queues(rig, ivr_service(menus))
    rig.call(0.0, LINE, "+391", Fate(digits="21", talk=10.0))
    rig.call(1.0, LINE, "+392", Fate(digits="2*1", talk=10.0))
    rig.run()
    assert [d for _, d in named(rig, "+391", "ivr")] == ["main: 2", "sales: 1"]
    assert rig.record("+391").operator == "bob"
    assert [d for _, d in named(rig, "+392", "ivr")] == ["main: 2", "sales: *", "main: 1"]
    assert rig.record("+392").operator == "ann"


def test_message_and_voicemail_options() -> None:
    menu = IvrMenu(
        "main",
        "ivr_menu",
        {"7": Action(ActionKind.MESSAGE, "opening_times"), "0": Action(ActionKind.VOICEMAIL)},
    )
    rig = Rig(prompts={"opening_times": 6.0, "voicemail_greeting": 3.0})
    two_queues(rig, ivr_service({"main": menu}))
    rig.call(0.0, LINE, "+391", Fate(digits="7"))
    rig.call(0.0, LINE, "+392", Fate(digits="0"))
    rig.run()
    msg, vm = rig.record("+391"), rig.record("+392")
    assert msg.result is CallResult.MESSAGE and msg.ended_at == 10.0
    assert named(rig, "+391", "message") == [(4.0, "opening_times")]
    assert vm.result is CallResult.VOICEMAIL and named(rig, "+392", "voicemail") == [(4.0, "Care")]
    assert [(s, e) for _, _, s, e in rig.net.recordings] == [(7.0, 67.0)]


def test_abandoned_in_the_ivr_and_abandoned_in_the_queue() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care"), svc=service(LINE, "care", {"1": "care"}))
    leg = rig.call_now(LINE, "+391", Fate(digits="1"))
    rig.clock.call_at(3.0, rig.net.hangup, leg)  # hangs up while the menu plays
    rig.call_now(LINE, "+392", Fate(digits="1", patience=20.0))
    rig.run()
    first, second = rig.record("+391"), rig.record("+392")
    assert first.result is CallResult.ABANDONED and named(rig, "+391", "abandoned_ivr") == [
        (3.0, "menu")
    ]
    assert "queue" not in rig.phases("+391")
    assert second.result is CallResult.ABANDONED and second.hangup_cause == "caller_gave_up"
    assert named(rig, "+392", "abandoned_queue") == [(24.0, "care")] and second.wait == 20.0


def operator_code_rig() -> Rig:
    menu = IvrMenu("main", "ivr_menu", {"9": Action(ActionKind.OPERATOR, "care")})
    rig = Rig(prompts={"operator_code": 3.0})
    inbound(rig, QueueConfig("care"), svc=ivr_service({"main": menu}))
    rig.operator("ann", queues=("care",))
    rig.operator("bob", queues=("care",), code="101")
    return rig


def test_a_caller_reaches_an_operator_by_their_code() -> None:
    rig = operator_code_rig()
    rig.call_now(LINE, "+391", Fate(digits="9101", talk=100.0))  # ann would be next in turn
    rig.run()
    assert named(rig, "+391", "operator_code") == [(9.0, "101: bob")]  # 2 + 2 s, 3 + 2 s
    rec = rig.record("+391")
    assert rec.operator == "bob" and rec.ringing_at == 9.0 and rec.queue == "care"


def test_an_unknown_or_busy_operator_code_falls_back_to_the_queue() -> None:
    rig = operator_code_rig()
    rig.call(0.0, LINE, "+391", Fate(digits="9101", talk=100.0))  # bob
    rig.call(20.0, LINE, "+392", Fate(digits="9101", talk=10.0))  # bob busy: ann
    rig.call(40.0, LINE, "+393", Fate(digits="9555", talk=10.0))  # nobody: the queue
    rig.run()
    assert [rig.record(f"+39{i}").operator for i in (1, 2, 3)] == ["bob", "ann", "ann"]
    assert named(rig, "+392", "operator_code") == [(29.0, "101: bob is talking")]
    assert named(rig, "+393", "operator_code") == [(49.0, "555: no such operator")]
    with pytest.raises(InvalidInput, match="already bob's"):
        rig.center.add_operator("cat", ("care",), code="101")


def test_outside_opening_hours_the_caller_hears_the_closed_message() -> None:
    hours = OpeningHours(
        (Window(frozenset(range(5)), time(9), time(17)),), frozenset({date(1970, 1, 2)})
    )  # the clock starts on Thursday 1 January 1970, 00:00 UTC
    svc = ServiceConfig("Care", (LINE,), "care", "UTC", hours=hours, closed_prompt="closed")
    rig = Rig(prompts={"closed": 4.0})
    inbound(rig, QueueConfig("care"), svc=svc)
    rig.operator("ann", queues=("care",))
    rig.call(0.0, LINE, "+391", Fate(talk=10.0))  # midnight
    rig.call(10 * 3600.0, LINE, "+392", Fate(talk=10.0))  # Thursday 10:00
    rig.call(34 * 3600.0, LINE, "+393", Fate(talk=10.0))  # Friday 10:00, a closed date
    rig.run()
    for n in ("+391", "+393"):
        rec = rig.record(n)
        assert rec.result is CallResult.REFUSED and rec.refused_reason == "closed"
        assert rig.phases(n) == ["arrival", "closed", "hangup"]
        assert rec.ended_at is not None and rec.ended_at - rec.arrived_at == 4.0
    assert rig.record("+392").result is CallResult.TALKED


def test_the_whisper_is_played_to_the_operator_before_the_caller_is_connected() -> None:
    svc = ServiceConfig("Care", (LINE,), "care", "UTC", whisper="whisper_care")
    rig = Rig(prompts={"whisper_care": 3.0})
    heard: list[tuple[float, int, str]] = []
    rig.net.subscribe(
        lambda e: (
            heard.append((e.at, e.leg, (e.info or {}).get("prompt", "")))
            if e.kind is EventKind.PLAYBACK_FINISHED
            else None
        )
    )
    inbound(rig, QueueConfig("care"), svc=svc)
    rig.operator("ann", queues=("care",))
    rig.call(10.0, LINE, "+391", Fate(talk=20.0))
    rig.run()
    rec = rig.record("+391")
    assert rec.ringing_at == 10.0 and rec.picked_up_at == 13.0 and rec.ended_at == 33.0
    assert [(at, p) for at, _, p in heard] == [(13.0, "whisper_care")]


def test_the_screen_pop_url_is_built_for_the_operator_offered_the_call() -> None:
    svc = ServiceConfig(
        "Care & Co",
        (LINE,),
        "care",
        "UTC",
        screen_pop="https://crm.example/p?tel={caller}&svc={service}&q={queue}&id={call_id}",
    )
    rig = Rig()
    inbound(rig, QueueConfig("care"), svc=svc)
    pops: list[tuple[str, str | None]] = []

    def pop(op: str, call: CallRun) -> None:
        assert call.service is not None and call.queue is not None
        pops.append((op, call.service.pop_url(call.record.number, call.queue.name, 1)))
        rig.center.answer(op)

    rig.center.acd.offer_listeners.append(pop)
    rig.operator("ann", queues=("care",))
    rig.call_now(LINE, "+39 333 1", Fate(talk=5.0))
    rig.run()
    assert pops == [
        ("ann", "https://crm.example/p?tel=%2B39%20333%201&svc=Care%20%26%20Co&q=care&id=1")
    ]


# --- blending (IN-7) ---


def test_blended_operators_are_called_in_when_the_queue_grows_and_go_back_when_it_drains() -> None:
    numbers = [f"+3980{i:02d}" for i in range(40)]  # nobody answers: 25 s of ringing each
    rig = Rig()
    rig.center.add_campaign("out", NumberList(numbers), ratio=1.0, ring_timeout=25.0)
    inbound(rig, QueueConfig("care", blend=BlendThresholds(waiting_calls=2)))
    events: list[tuple[float, str, bool, str]] = []
    rig.center.acd.blend_listeners.append(
        lambda q, on, why: events.append((rig.clock.now(), q, on, why))
    )
    rig.operator("ann", queues=("care",))
    rig.operator("olga", queues=("care",), campaign="out")
    rig.call(10.0, LINE, "+391", Fate(talk=1000.0))  # ann
    rig.call(20.0, LINE, "+392", Fate(talk=50.0))  # waits: one call is under the threshold
    rig.call(30.0, LINE, "+393", Fate(talk=50.0))  # two waiting: olga is called in
    rig.run(until=200.0)
    assert events == [
        (30.0, "care", True, "2 calls waiting (threshold 2)"),
        (100.0, "care", False, "no call waiting"),
    ]
    two, three = rig.record("+392"), rig.record("+393")
    # her line dialed at 25 s still rings: the queue gets her when it ends (50 s), so no
    # answered customer is left without her
    assert (two.operator, two.ringing_at) == ("olga", 50.0)
    assert (three.operator, three.ringing_at) == ("olga", 100.0)
    dials = sorted(r.arrived_at for r in rig.records if r.direction == "outbound")
    assert dials[:2] == [0.0, 25.0]  # before: one line for olga, free
    assert not [t for t in dials if 30.0 <= t < 150.0]  # blending: no dialing for her
    assert 150.0 in dials  # back to the campaign when her inbound call ends


def test_the_longest_wait_threshold_starts_blending_on_time() -> None:
    rig = Rig()
    rig.center.add_campaign("out", NumberList([]), mode="manual")
    inbound(rig, QueueConfig("care", blend=BlendThresholds(longest_wait=30.0)))
    rig.operator("olga", queues=("care",), campaign="out")
    rig.call(10.0, LINE, "+391", Fate(talk=10.0))
    rig.run()
    rec = rig.record("+391")
    assert rec.operator == "olga" and 40.0 <= (rec.ringing_at or 0) <= 40.01


def test_without_a_threshold_reached_blended_operators_take_no_inbound_call() -> None:
    rig = Rig()
    rig.center.add_campaign("out", NumberList([]), mode="manual")
    inbound(rig, QueueConfig("care", blend=BlendThresholds(waiting_calls=3)))
    rig.operator("olga", queues=("care",), campaign="out")
    rig.call(0.0, LINE, "+391", Fate(patience=60.0))
    rig.run()
    assert rig.record("+391").result is CallResult.ABANDONED


def test_blending_never_leaves_an_answered_outbound_customer_without_an_operator() -> None:
    fates = {f"+3980{i:02d}": Fate(EventKind.ANSWERED, ring=10.0, talk=30.0) for i in range(40)}
    rig = Rig(fates)
    rig.center.add_campaign("out", NumberList(fates), ratio=1.0, ring_timeout=25.0)
    inbound(rig, QueueConfig("care", blend=BlendThresholds(waiting_calls=1)))
    for op in ("olga", "oscar", "otto"):
        rig.operator(op, queues=("care",), campaign="out")
    for i in range(6):
        rig.call(5.0 + 40 * i, LINE, f"+39{i}", Fate(talk=20.0))  # while lines ring
    rig.run(until=600.0)
    outbound = [r for r in rig.records if r.direction == "outbound"]
    assert outbound and not [r for r in outbound if r.result is CallResult.ABANDONED]
    assert all(rig.record(f"+39{i}").result is CallResult.TALKED for i in range(6))


def test_a_queue_without_thresholds_gives_its_calls_to_free_campaign_operators() -> None:
    rig = Rig()
    rig.center.add_campaign("out", NumberList([]), mode="manual")
    inbound(rig, QueueConfig("care"))
    rig.operator("olga", queues=("care",), campaign="out")
    rig.call(0.0, LINE, "+391", Fate(talk=30.0))
    rig.run()
    rec = rig.record("+391")
    assert rec.operator == "olga" and rec.picked_up_at == 0.0
    assert rig.center.campaign_of("olga") == "out"  # still on the campaign


# --- transfers ---


def talking(rig: Rig, queues: tuple[str, ...] = ("care", "billing")) -> None:
    inbound(rig, *(QueueConfig(q) for q in queues))
    rig.operator("ann", queues=("care",))
    rig.operator("bob", queues=("billing",))
    rig.call_now(LINE, "+391", Fate(talk=100.0))
    rig.run(until=10.0)
    assert rig.state("ann") is S.TALKING


def test_blind_transfer_to_a_queue() -> None:
    rig = Rig()
    talking(rig)
    rig.center.transfers.blind("ann", "queue:billing")
    assert rig.state("ann") is S.READY  # after-call work ended at once (no listener)
    rig.run()
    rec = rig.record("+391")
    assert rec.result is CallResult.TALKED and rec.operator == "bob" and rec.queue == "billing"
    assert rec.transferred_at == 10.0 and rec.ended_at == 110.0
    assert named(rig, "+391", "transfer") == [(10.0, "blind to queue billing by ann")]
    names = rig.phases("+391")
    assert names.index("transfer") < names.index("queue", names.index("transfer"))
    assert named(rig, "+391", "pickup") == [(0.0, "ann"), (10.0, "bob")]
    assert named(rig, "+391", "closure") == [(110.0, "bob")]


def test_blind_transfer_to_a_colleague() -> None:
    rig = Rig()
    talking(rig)
    rig.center.transfers.blind("ann", "operator:bob")
    rig.run()
    rec = rig.record("+391")
    assert rec.operator == "bob" and rec.ended_at == 110.0
    assert named(rig, "+391", "transfer") == [(10.0, "blind to bob by ann")]


def test_blind_transfer_to_an_outside_number() -> None:
    rig = Rig({"+39555": Fate(EventKind.ANSWERED, ring=2.0, talk=500.0)})
    inbound(rig, QueueConfig("care"))
    rig.operator("ann", queues=("care",))
    rig.call_now(LINE, "+391", Fate(talk=20.0))
    rig.run(until=10.0)
    rig.center.transfers.blind("ann", "+39555")
    rig.run(until=100.0)
    rec = rig.record("+391")
    assert rec.result is CallResult.TALKED and rec.transferred_at == 10.0
    assert rec.ended_at == 32.0  # joined at 12, then 20 s of talk
    assert named(rig, "+391", "transfer") == [(10.0, "blind to +39555 by ann")]
    assert rig.state("ann") is S.READY


def test_consulted_transfer_to_a_colleague_completed() -> None:
    rig = Rig()
    talking(rig)
    rig.center.transfers.consult("ann", "operator:bob")
    assert rig.center.transfers.consulting("ann") == "bob" and rig.state("bob") is S.RESERVED
    rig.run(until=20.0)
    rig.center.transfers.complete("ann")
    rig.run()
    rec = rig.record("+391")
    assert [(p, d) for _, p, d in rec.phases if p in ("hold", "consult", "transfer")] == [
        ("hold", "ann"),
        ("consult", "ann -> bob"),
        ("transfer", "consulted to bob by ann"),
    ]
    assert named(rig, "+391", "pickup") == [(0.0, "ann"), (20.0, "bob")]
    assert rec.result is CallResult.TALKED and rec.ended_at == 120.0
    assert named(rig, "+391", "closure") == [(120.0, "bob")]


def test_after_a_consulted_transfer_the_record_names_the_colleague() -> None:
    rig = Rig()
    talking(rig)
    rig.center.transfers.consult("ann", "operator:bob")
    rig.center.transfers.complete("ann")
    rig.run()
    assert rig.record("+391").operator == "bob"


def test_consulted_transfer_cancelled_goes_back_to_the_customer() -> None:
    rig = Rig()
    talking(rig)
    rig.center.transfers.consult("ann", "operator:bob")
    rig.run(until=15.0)
    rig.center.transfers.cancel("ann")
    assert rig.state("bob") is S.READY and rig.center.transfers.consulting("ann") is None
    rig.run()
    rec = rig.record("+391")
    assert rec.operator == "ann" and rec.result is CallResult.TALKED
    assert named(rig, "+391", "unhold") == [(15.0, "ann")]
    assert rec.ended_at == 115.0  # the customer's talk starts again when back with ann


def test_conference_then_the_operator_leaves_the_call_to_the_colleague() -> None:
    rig = Rig()
    talking(rig)
    rig.center.transfers.consult("ann", "operator:bob")
    with pytest.raises(IllegalTransition, match="no consultation"):
        rig.center.transfers.conference("bob")
    rig.run(until=10.0)
    rig.center.transfers.conference("ann")
    rig.run(until=30.0)
    assert rig.state("ann") is S.TALKING and rig.state("bob") is S.RESERVED
    rig.center.transfers.complete("ann")  # ann leaves: the customer stays with bob
    rig.run()
    rec = rig.record("+391")
    assert named(rig, "+391", "conference") == [(10.0, "ann + bob")]
    assert named(rig, "+391", "pickup") == [(0.0, "ann"), (30.0, "bob")]
    assert rec.operator == "bob" and rec.result is CallResult.TALKED and rec.ended_at == 130.0


def test_conference_then_the_colleague_is_dropped() -> None:
    rig = Rig({"+39777": Fate(EventKind.ANSWERED, ring=2.0, talk=500.0)})
    talking(rig)
    rig.center.transfers.consult("ann", "+39777")  # at 10 s, answered at 12 s
    rig.run(until=15.0)
    rig.center.transfers.conference("ann")
    rig.run(until=30.0)
    rig.center.transfers.cancel("ann")  # the outside party hangs up; ann keeps the customer
    rig.run()
    rec = rig.record("+391")
    assert rec.operator == "ann" and rec.result is CallResult.TALKED
    assert "transfer" not in rig.phases("+391") and named(rig, "+391", "unhold") == [(30.0, "ann")]
    consult = [r for r in rig.records if r.queue == "consult"]
    assert len(consult) == 1 and consult[0].ended_at == 30.0


def test_consulted_transfer_to_an_outside_number() -> None:
    rig = Rig({"+39777": Fate(EventKind.ANSWERED, ring=3.0, talk=500.0)})
    talking(rig)
    rig.center.transfers.consult("ann", "+39777")
    rig.run(until=11.0)
    with pytest.raises(IllegalTransition, match="not answered yet"):
        rig.center.transfers.complete("ann")
    rig.run(until=20.0)
    rig.center.transfers.complete("ann")
    rig.run(until=1000.0)
    rec = rig.record("+391")
    assert named(rig, "+391", "transfer") == [(20.0, "consulted to +39777 by ann")]
    assert rec.result is CallResult.TALKED and rec.ended_at == 120.0
    assert rig.state("ann") is S.READY


def test_transfers_refuse_what_cannot_be_done() -> None:
    rig = Rig()
    talking(rig)
    t = rig.center.transfers
    with pytest.raises(IllegalTransition, match="not talking"):
        t.blind("bob", "queue:care")
    with pytest.raises(InvalidInput, match="use operator:<id>, queue:<name> or a phone number"):
        t.blind("ann", "bob")
    with pytest.raises(InvalidInput, match="unknown queue 'ghost'"):
        t.blind("ann", "queue:ghost")
    with pytest.raises(InvalidInput, match="themselves"):
        t.blind("ann", "operator:ann")
    with pytest.raises(NotFound):
        t.blind("ann", "operator:zed")
    with pytest.raises(IllegalTransition, match="no consultation"):
        t.complete("ann")
    with pytest.raises(IllegalTransition, match="no consultation"):
        t.cancel("ann")
    rig.center.pause("bob", "coffee")
    with pytest.raises(IllegalTransition, match="not ready"):
        t.consult("ann", "operator:bob")
    with pytest.raises(IllegalTransition, match="no operator is ready in queue billing"):
        t.consult("ann", "queue:billing")
    assert rig.state("ann") is S.TALKING  # nothing changed


# --- operator states ---


def test_a_pause_reason_over_its_limit_is_told() -> None:
    rig = Rig()
    rig.center.add_queue(QueueConfig("care"))
    rig.operators("ann", "bob", "cat", queues=("care",))
    rig.clock.call_at(100.0, rig.center.pause, "ann", "coffee")  # 10 minutes
    rig.clock.call_at(100.0, rig.center.pause, "bob", "training")  # no limit
    rig.clock.call_at(100.0, rig.center.pause, "cat", "coffee")
    rig.clock.call_at(400.0, rig.center.pause, "cat", "lunch")  # a new reason, a new limit
    rig.run(until=4100.0)
    limits = [(at, op, text) for at, op, kind, text in rig.notices if kind == "pause_over_limit"]
    assert limits == [
        (700.0, "ann", "Coffee: over its limit of 10 min"),
        (4000.0, "cat", "Lunch: over its limit of 60 min"),
    ]
    assert rig.center.pauses_over_limit() == [("ann", "coffee", 3400.0), ("cat", "lunch", 100.0)]
    with pytest.raises(InvalidInput, match="unknown pause reason 'nap'"):
        rig.center.pause("bob", "nap")


def test_a_pause_ended_before_its_limit_is_not_told() -> None:
    rig = Rig()
    rig.center.add_queue(QueueConfig("care"))
    rig.operator("ann", queues=("care",))
    rig.center.pause("ann", "coffee")
    rig.clock.call_at(300.0, rig.center.resume, "ann")
    rig.run(until=2000.0)
    assert not [n for n in rig.notices if n[2] == "pause_over_limit"]
    assert rig.center.presences()["ann"].pause_totals == {"coffee": 300.0}


def test_after_call_work_ends_by_itself_after_the_queue_limit() -> None:
    rig = Rig(auto_wrap=False)
    inbound(rig, QueueConfig("care", wrap_up_seconds=30.0))
    rig.operator("ann", queues=("care",))
    rig.call_now(LINE, "+391", Fate(talk=50.0))
    rig.run(until=79.0)
    assert rig.state("ann") is S.WRAP_UP and not rig.records  # the record waits for the end
    rig.run(until=81.0)
    assert rig.state("ann") is S.READY and rig.center.presences()["ann"].since == 80.0
    assert [(at, kind) for at, _, kind, _ in rig.notices] == [(80.0, "wrap_up_ended")]
    assert rig.record("+391").result is CallResult.TALKED


def test_after_call_work_finished_by_hand_cancels_the_limit_and_none_means_no_limit() -> None:
    rig = Rig(auto_wrap=False)
    inbound(
        rig, QueueConfig("care", wrap_up_seconds=30.0), QueueConfig("slow", wrap_up_seconds=None)
    )
    rig.center.add_service(service("+3901", "slow"))
    rig.operator("ann", queues=("care",))
    rig.operator("bob", queues=("slow",))
    rig.call_now(LINE, "+391", Fate(talk=50.0))
    rig.call_now("+3901", "+392", Fate(talk=50.0))
    rig.run(until=60.0)
    rig.center.finish_wrap_up("ann", "solved", positive=True)
    rig.run(until=5000.0)
    assert not [n for n in rig.notices if n[2] == "wrap_up_ended"]
    assert rig.state("ann") is S.READY and rig.state("bob") is S.WRAP_UP
    assert rig.record("+391").outcome == "solved"


def test_after_call_work_after_a_transfer_ends_by_the_queue_limit() -> None:
    rig = Rig(auto_wrap=False)
    inbound(rig, QueueConfig("care", wrap_up_seconds=30.0), QueueConfig("billing"))
    rig.operator("ann", queues=("care",))
    rig.operator("bob", queues=("billing",))
    rig.call_now(LINE, "+391", Fate(talk=100.0))
    rig.run(until=10.0)
    rig.center.transfers.blind("ann", "queue:billing")
    assert rig.state("ann") is S.WRAP_UP
    rig.run(until=41.0)
    assert rig.state("ann") is S.READY


def test_after_call_work_holds_across_every_queue_the_operator_serves() -> None:
    rig = Rig(auto_wrap=False)
    inbound(rig, QueueConfig("care", wrap_up_seconds=30.0), QueueConfig("billing"))
    rig.center.add_service(service("+3901", "billing"))
    rig.operator("ann", queues=("care", "billing"))
    rig.call(0.0, LINE, "+391", Fate(talk=10.0))  # wrap-up from 10 to 40
    rig.call(15.0, "+3901", "+392", Fate(talk=10.0))
    rig.run(until=200.0)
    rec = rig.record("+392")
    assert rec.operator == "ann" and rec.ringing_at == 40.0


def test_after_call_work_holds_for_the_campaign_of_a_blended_operator() -> None:
    numbers = [f"+3980{i:02d}" for i in range(5)]
    fates = {n: Fate(EventKind.ANSWERED, ring=2.0, talk=10.0) for n in numbers}
    rig = Rig(fates, auto_wrap=False, wrap_up_seconds=30.0)
    rig.center.add_campaign("out", NumberList(numbers), ratio=1.0)
    inbound(rig, QueueConfig("care", wrap_up_seconds=30.0, blend=BlendThresholds(1)))
    rig.operator("olga", queues=("care",), campaign="out")
    rig.call(15.0, LINE, "+391", Fate(talk=10.0))  # olga wraps up her first outbound call
    rig.run(until=100.0)
    inbound_rec = rig.record("+391")
    assert inbound_rec.operator == "olga" and inbound_rec.ringing_at == 42.0
    dials = sorted(r.arrived_at for r in rig.records if r.direction == "outbound")
    assert dials[0] == 0.0 and not [t for t in dials if 0.0 < t < 82.0]


def test_the_screen_break_reminder() -> None:
    rig = Rig()
    rig.center.add_queue(QueueConfig("care"))
    rig.operator("ann", queues=("care",))
    rig.run(until=7300.0)
    due = [(at, text) for at, _, kind, text in rig.notices if kind == "screen_break_due"]
    assert due == [
        (6900.0, "screen break of 15 min due in 5 min"),
        (7200.0, "screen break of 15 min due in 0 min"),
    ]
    rig.center.pause("ann", "screen_break")
    rig.clock.call_at(7300.0 + 900.0, rig.center.resume, "ann")  # 15 minutes: the count resets
    rig.clock.call_at(9000.0, rig.center.pause, "ann", "coffee")
    rig.clock.call_at(9300.0, rig.center.resume, "ann")  # 5 minutes: it does not
    rig.run(until=8200.0 + 7200.0)
    times = [at for at, _, kind, _ in rig.notices if kind == "screen_break_due"]
    assert times == [6900.0, 7200.0, 8200.0 + 6900.0, 8200.0 + 7200.0]


def test_no_screen_break_reminder_while_on_a_break() -> None:
    rig = Rig()
    rig.center.add_queue(QueueConfig("care"))
    rig.operator("ann", queues=("care",))
    rig.clock.call_at(6800.0, rig.center.pause, "ann", "screen_break")
    rig.run(until=7700.0)
    assert not [n for n in rig.notices if n[2] == "screen_break_due"]


def test_state_listeners_see_every_change_with_its_time() -> None:
    rig = Rig(auto_wrap=False)
    seen: list[tuple[str, S, str | None, float]] = []
    rig.center.state_listeners.append(lambda op, st, why, at: seen.append((op, st, why, at)))
    inbound(rig, QueueConfig("care", wrap_up_seconds=None))
    rig.hold_offers()
    rig.operator("ann", queues=("care",))
    rig.call(10.0, LINE, "+391", Fate(talk=30.0))
    rig.clock.call_at(12.0, rig.center.answer, "ann")
    rig.clock.call_at(50.0, rig.center.finish_wrap_up, "ann")
    rig.clock.call_at(60.0, rig.center.pause, "ann", "coffee")
    rig.clock.call_at(70.0, rig.center.resume, "ann")
    rig.clock.call_at(80.0, rig.center.logout, "ann")
    rig.run(until=100.0)
    assert seen == [
        ("ann", S.READY, None, 0.0),
        ("ann", S.RINGING, None, 10.0),
        ("ann", S.TALKING, None, 12.0),
        ("ann", S.WRAP_UP, None, 42.0),
        ("ann", S.READY, None, 50.0),
        ("ann", S.PAUSED, "coffee", 60.0),
        ("ann", S.READY, None, 70.0),
        ("ann", S.LOGGED_OUT, None, 80.0),
    ]
    p = rig.center.presences()["ann"]
    assert p.time_in(S.TALKING, 100.0) == 30.0 and p.time_in(S.RINGING, 100.0) == 2.0


def test_illegal_transitions_are_refused() -> None:
    rig = Rig()
    rig.center.add_queue(QueueConfig("care"))
    rig.center.add_service(service(LINE, "care"))
    rig.center.add_operator("zoe", ("care",))
    with pytest.raises(IllegalTransition, match="logged out"):
        rig.center.pause("zoe", "coffee")
    rig.hold_offers()
    rig.operator("ann", queues=("care",))
    with pytest.raises(InvalidInput, match="no call ringing"):
        rig.center.answer("ann")
    with pytest.raises(InvalidInput, match="no call in wrap-up"):
        rig.center.finish_wrap_up("ann")
    rig.call_now(LINE, "+391", Fate(talk=10.0))
    rig.run(until=1.0)
    with pytest.raises(IllegalTransition, match="ringing: answer it first"):
        rig.center.pause("ann", "coffee")
    with pytest.raises(NotFound):
        rig.center.pause("nobody")
    for start, bad in (
        (S.TALKING, S.RINGING),
        (S.TALKING, S.READY),
        (S.WRAP_UP, S.TALKING),
        (S.PAUSED, S.TALKING),
        (S.LOGGED_OUT, S.TALKING),
    ):
        p = Presence()
        path = {
            S.LOGGED_OUT: [],
            S.PAUSED: [S.PAUSED],
            S.TALKING: [S.READY, S.RINGING, S.TALKING],
            S.WRAP_UP: [S.READY, S.RINGING, S.TALKING, S.WRAP_UP],
        }[start]
        for step in path:
            p.move(step, 1.0)
        with pytest.raises(IllegalTransition, match=f"from {start} to {bad}"):
            p.move(bad, 2.0)
        assert p.state is start


# --- the call record (TEL-2) ---


def test_every_phase_is_recorded_in_order() -> None:
    svc = ServiceConfig(
        "Care",
        (LINE,),
        "care",
        "UTC",
        welcome="hello",
        menus={"main": MAIN},
        root_menu="main",
    )
    rig = Rig(prompts={"hello": 2.0})
    inbound(rig, QueueConfig("care"), QueueConfig("billing", answer_timeout=5.0), svc=svc)
    rig.hold_offers()
    rig.operators("ann", "bob", queues=("billing",))
    rig.call_now(LINE, "+391", Fate(digits="1", talk=30.0))
    rig.run(until=12.0)
    rig.center.answer("bob")
    rig.run()
    rec = rig.record("+391")
    names = [p for _, p, _ in rec.phases]
    assert names[:9] == [
        "arrival",
        "welcome",
        "ivr",
        "queue",
        "offer",
        "missed",
        "offer",
        "answered",
        "pickup",
    ]
    assert sorted(names[9:]) == ["closure", "hangup"]
    times = [at for at, _, _ in rec.phases]
    assert times == sorted(times)
    assert (rec.arrived_at, rec.welcome_at, rec.queued_at, rec.ringing_at) == (0.0, 0.0, 6.0, 6.0)
    assert (rec.picked_up_at, rec.ended_at, rec.hangup_cause) == (12.0, 42.0, "normal")
    assert (rec.service, rec.queue, rec.operator) == ("Care", "billing", "bob")


def test_a_call_to_a_number_with_no_service_is_refused_with_a_record() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care"))
    rig.call_now("+3999", "+391", Fate())
    rig.run()
    rec = rig.record("+391")
    assert rec.result is CallResult.REFUSED and rec.refused_reason == "no service on +3999"
    assert rec.hangup_cause == "unallocated" and rig.phases("+391") == ["arrival"]


# --- edge cases found in review ---


def test_a_customer_hanging_up_on_hold_ends_the_consultation() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care"), QueueConfig("billing"))
    rig.operator("ann", queues=("care",))
    rig.operator("bob", queues=("billing",))
    rig.call_now(LINE, "+391", Fate(talk=100.0, patience=30.0))  # gives up 30 s on hold
    rig.run(until=10.0)
    rig.center.transfers.consult("ann", "operator:bob")
    rig.run(until=100.0)
    assert rig.state("bob") is S.READY and rig.center.transfers.consulting("ann") is None
    assert rig.state("ann") is S.READY and rig.record("+391").result is CallResult.TALKED
    rig.call_now(LINE, "+392", Fate(talk=10.0))
    rig.run(until=101.0)
    rig.center.transfers.consult("ann", "operator:bob")  # a new consultation is possible
    rig.center.transfers.complete("ann")
    rig.run()
    assert rig.record("+392").operator == "bob"


def test_an_outside_consultation_outliving_its_customer_does_not_touch_the_next_call() -> None:
    rig = Rig({"+39777": Fate(EventKind.ANSWERED, ring=2.0, talk=60.0)})
    inbound(rig, QueueConfig("care"))
    rig.operator("ann", queues=("care",))
    rig.call_now(LINE, "+391", Fate(talk=100.0, patience=20.0))
    rig.run(until=5.0)
    rig.center.transfers.consult("ann", "+39777")
    rig.run(until=30.0)  # the customer gave up at 25 s: the outside party was hung up
    rig.call_now(LINE, "+392", Fate(talk=100.0))
    rig.run()
    assert rig.record("+392").result is CallResult.TALKED and rig.record("+392").ended_at == 130.0
    assert rig.center.calls_up() == 0 and rig.state("ann") is S.READY


def test_a_customer_gone_during_the_colleagues_whisper_frees_the_colleague() -> None:
    for target in ("operator:bob", "queue:billing"):
        rig = Rig(prompts={"whisper": 3.0})
        svc = ServiceConfig("Care", (LINE,), "care", "UTC", whisper="whisper")
        inbound(rig, QueueConfig("care"), QueueConfig("billing"), svc=svc)
        rig.operator("ann", queues=("care",))
        rig.operator("bob", queues=("billing",))
        leg = rig.call_now(LINE, "+391", Fate(talk=100.0))
        rig.run(until=10.0)
        rig.center.transfers.blind("ann", target)
        rig.run(until=11.0)  # bob hears the whisper
        rig.net.hangup(leg)
        rig.run()
        assert rig.state("bob") is S.READY, target
        assert [r.result for r in rig.records] == [CallResult.TALKED], target


def test_two_full_queues_overflowing_into_each_other_end_with_a_refusal() -> None:
    rig = Rig()
    a = QueueConfig("a", max_length=1, overflow=Overflow(OverflowKind.QUEUE, "b"))
    b = QueueConfig("b", max_length=1, overflow=Overflow(OverflowKind.QUEUE, "a"))
    inbound(rig, a, b)
    rig.center.add_service(service("+3901", "b"))
    rig.call_now(LINE, "+391", Fate(patience=100.0))
    rig.call_now("+3901", "+392", Fate(patience=100.0))
    rig.run(until=5.0)
    rig.call_now(LINE, "+393", Fate())
    rig.run()
    assert rig.record("+393").result is CallResult.REFUSED


def test_removing_the_blend_thresholds_of_a_blending_queue_ends_the_blend() -> None:
    from dataclasses import replace

    rig = Rig()
    rig.center.add_campaign("out", NumberList([f"+3980{i:03d}" for i in range(50)]))
    cfg = QueueConfig("care", blend=BlendThresholds(waiting_calls=1))
    inbound(rig, cfg)
    rig.operator("ann", queues=("care",))
    rig.operator("olga", queues=("care",), campaign="out")
    rig.center.pause("olga", "coffee")
    rig.call(10.0, LINE, "+391", Fate(talk=100.0))
    rig.call(20.0, LINE, "+392", Fate(talk=30.0, patience=10.0))
    rig.run(until=21.0)
    assert rig.center.acd.queues["care"].blending
    rig.center.acd.update_queue(replace(cfg, blend=BlendThresholds(longest_wait=600.0)))
    rig.run(until=40.0)
    rig.center.resume("olga")
    rig.run(until=300.0)
    assert not rig.center.acd.queues["care"].blending
    assert [r for r in rig.records if r.direction == "outbound" and r.arrived_at > 40]


def test_a_colleague_who_logs_out_during_a_consultation_stays_out() -> None:
    rig = Rig()
    talking(rig)
    rig.center.transfers.consult("ann", "operator:bob")
    rig.center.logout("bob")  # after the consultation
    rig.run(until=20.0)
    rig.center.transfers.cancel("ann")
    rig.run(until=30.0)
    assert rig.state("bob") is S.LOGGED_OUT and rig.state("ann") is S.TALKING


def test_a_blind_transfer_to_a_number_that_does_not_answer_ends_the_call() -> None:
    rig = Rig({"+39777": Fate(EventKind.NO_ANSWER)})
    talking(rig)
    rig.center.transfers.blind("ann", "+39777")
    rig.run()
    assert rig.record("+391").result is CallResult.TALKED and rig.center.calls_up() == 0


def test_an_operator_whose_phone_drops_before_the_caller_is_put_through() -> None:
    rig = Rig(prompts={"whisper": 3.0})
    svc = ServiceConfig("Care", (LINE,), "care", "UTC", whisper="whisper")
    inbound(rig, QueueConfig("care"), svc=svc)
    rig.operator("ann", queues=("care",))
    rig.call_now(LINE, "+391", Fate(talk=20.0))
    rig.run(until=1.0)  # ann hears the whisper
    leg = rig.center._ops["ann"].leg
    assert leg is not None
    rig.net.hangup(leg)
    rig.run(until=2.0)
    rig.operator("bob", queues=("care",))
    rig.run()
    rec = rig.record("+391")
    assert rig.state("ann") is S.LOGGED_OUT and rec.operator == "bob"
    assert "operator_lost" in rig.phases("+391") and rec.result is CallResult.TALKED


def test_a_caller_transferred_to_a_queue_who_gives_up_there_abandoned_the_queue() -> None:
    rig = Rig()
    inbound(rig, QueueConfig("care"), QueueConfig("billing"))
    rig.operator("ann", queues=("care",))
    rig.call_now(LINE, "+391", Fate(talk=100.0, patience=30.0))
    rig.run(until=10.0)
    rig.center.transfers.blind("ann", "queue:billing")  # nobody serves billing
    rig.run()
    rec = rig.record("+391")
    assert "abandoned_queue" in rig.phases("+391") and rec.ended_at == 40.0
    assert rec.result is CallResult.TALKED  # it was answered, by ann

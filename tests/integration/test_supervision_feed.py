"""The supervision feed on a virtual clock, with a bus that records what is published:
changes are coalesced into one round per interval, nothing goes out while nothing
changes, a pause over its limit is flagged when it crosses it, and a campaign's progress,
abandon rates (today, last hour, last 15 minutes) and positive rate against its target
come from the stored attempts."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from centralino.domain.events import Event
from centralino.domain.roles import Role
from centralino.engine.clock import VirtualClock
from centralino.live import LiveCenter
from centralino.services import campaigns, queues
from centralino.services.context import ServiceContext
from centralino.services.inbound import load_inbound
from centralino.store.tables import attempts
from centralino.store.tables import records as records_t
from centralino.supervision import INTERVAL, Feed, Supervision
from world import World, build_world

START = 1_795_424_400.0  # 2026-11-23 09:00 UTC, the services' fake clock too


class Recorder:
    """A bus that keeps every event."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        self.events.append(event)

    def subscribe(self, accept: Any, maxsize: int = 1000) -> Any:
        raise NotImplementedError

    def rounds(self, since: int = 0) -> list[int]:
        return sorted({e.payload["seq"] for e in self.events[since:] if "seq" in e.payload})


class Rig:
    def __init__(self, world: World, live: LiveCenter, clock: VirtualClock, bus: Recorder):
        self.world, self.live, self.clock, self.bus = world, live, clock, bus
        self.sup = Supervision(live, world.ctx, bus)  # type: ignore[arg-type]

    @property
    def feed(self) -> Feed:
        feed = self.sup.feed(self.world.company_a)
        assert feed is not None
        return feed

    def run(self, seconds: float) -> None:
        self.clock.run(until=self.clock.now() + seconds)


@pytest.fixture
def rig(ctx: ServiceContext) -> Rig:
    """Queue Care of team T1 with two people at work: the operator and the
    operator-supervisor actors, logged in as from the panel."""
    w = build_world(ctx)
    care = queues.create_queue(ctx, w.admin(), "Care", w.groups["T1"].id, {})
    people = [w.actors[Role.OPERATOR], w.actors[Role.OPERATOR_SUPERVISOR]]
    queues.set_members(ctx, w.admin(), care.id, [(u, 0) for u in people])
    live = LiveCenter(ctx, bots=False)
    clock = VirtualClock(START)
    live.start(None, clock)
    with ctx.uow() as uow:
        setup = load_inbound(uow, w.company_a)
    for uid in people:
        name = "actor_operator" if uid == people[0] else "actor_operator_supervisor"
        center = live.add_human(w.company_a, uid, name, setup, [])
        center.login(f"user:{uid}")
    clock.run(until=START + 1.0)
    rig = Rig(w, live, clock, Recorder())
    rig.feed.flush()
    return rig


def test_the_store_facts_are_read_off_the_loop_after_a_server_pass(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the server runs a pass, supervision's store read is in a worker thread (the
    loop, the engine's timers and the event stream never wait on it); what it read is
    applied on the loop, to the feed it was read for."""
    threads: list[threading.Thread] = []
    real = rig.sup.read
    monkeypatch.setattr(
        rig.sup, "read", lambda what: threads.append(threading.current_thread()) or real(what)
    )
    before = rig.feed.facts

    async def one_pass() -> threading.Thread:
        await rig.live.sync_off_loop()
        return threading.current_thread()

    loop_thread = asyncio.run(one_pass())
    assert threads and all(t is not loop_thread for t in threads)
    assert rig.feed.facts is not before and rig.feed.facts.timezone == "Europe/Rome"


def test_changes_are_coalesced_into_one_round_per_interval(rig: Rig) -> None:
    ops = [f"user:{rig.world.actors[r]}" for r in (Role.OPERATOR, Role.OPERATOR_SUPERVISOR)]
    first = rig.bus.rounds()
    assert len(first) == 1  # the first paint: everything once
    center = rig.feed.center
    mark = len(rig.bus.events)
    rig.run(30.0)
    assert rig.bus.events[mark:] == []  # nothing changes, nothing is published
    center.pause(ops[0], "coffee")
    center.pause(ops[1], "lunch")
    center.resume(ops[1])
    rig.run(0.05)
    new = rig.bus.events[mark:]
    assert len(rig.bus.rounds(mark)) == 1
    # both operators and their queue, each once, in their final state
    assert sorted(e.kind for e in new) == [
        "supervision.operator", "supervision.operator", "supervision.queue",
    ]  # fmt: skip
    states = {e.payload["user_id"]: e.payload["state"] for e in new if "user_id" in e.payload}
    assert sorted(states.values()) == ["paused", "ready"]
    mark = len(rig.bus.events)
    rig.run(0.1)
    center.resume(ops[0])  # within the interval of the last round: waits for its end
    rig.run(INTERVAL - 0.2)
    assert rig.bus.events[mark:] == []
    rig.run(0.15)
    assert [e.payload["state"] for e in rig.bus.events[mark:] if "state" in e.payload] == ["ready"]


def test_a_person_logging_in_appears_without_waiting_for_the_engines_pass(
    ctx: ServiceContext, rig: Rig
) -> None:
    w = rig.world
    newcomer = w.make_user("own")
    with ctx.uow() as uow:
        setup = load_inbound(uow, w.company_a)
        name = uow.users.get(newcomer).username  # type: ignore[union-attr]
    mark = len(rig.bus.events)
    center = rig.live.add_human(w.company_a, newcomer, name, setup, [])
    center.login(f"user:{newcomer}")
    rig.run(INTERVAL + 0.1)
    (event,) = [e for e in rig.bus.events[mark:] if e.payload.get("user_id") == newcomer]
    assert (event.payload["username"], event.payload["state"]) == (name, "ready")
    assert event.place is not None and event.place.group_path == w.groups["T1"].path


def test_a_pause_over_its_limit_is_flagged_when_it_crosses_it(rig: Rig) -> None:
    op = f"user:{rig.world.actors[Role.OPERATOR]}"
    rig.feed.center.pause(op, "coffee")  # a limit of 10 minutes
    rig.run(1.0)
    mark = len(rig.bus.events)
    rig.run(599.0 - 1.0)
    assert rig.bus.events[mark:] == []
    rig.run(1.0 + INTERVAL)
    (event,) = rig.bus.events[mark:]
    assert event.payload["over_limit"] and event.payload["limit_seconds"] == 600.0
    assert event.place is not None and event.place.group_path == rig.world.groups["S1"].path


def test_campaign_progress_and_rates_come_from_the_stored_attempts(
    ctx: ServiceContext, rig: Rig
) -> None:
    w = rig.world
    c = campaigns.create_campaign(
        ctx, w.admin(),
        {"name": "Offer", "group_id": w.groups["T1"].id, "dial_mode": "manual",
         "positive_target": 0.5},
    )  # fmt: skip
    campaigns.update_campaign(ctx, w.admin(), c.id, {"state": "active"})
    records = [w.make_record(c.id) for _ in range(4)]
    now = ctx.now()
    rows = [  # minutes ago, answered, abandoned, outcome
        (5, True, True, "abandoned"), (10, True, False, "positive"),
        (40, True, True, "abandoned"), (50, True, False, "not_interested"),
        (70, True, False, "not_interested"), (80, False, False, "no_answer"),
        (60 * 24, True, True, "abandoned"),  # yesterday: not today
    ]  # fmt: skip

    def store(rows: list[tuple[int, bool, bool, str]]) -> None:
        with ctx.uow() as uow:
            for i, (ago, answered, abandoned, outcome) in enumerate(rows):
                at = now - timedelta(minutes=ago)
                uow.conn.execute(
                    insert(attempts).values(
                        campaign_id=c.id, record_id=records[i % 4], phone="+390600000000",
                        dial_mode="manual", rule={}, started_at=at,
                        answered_at=at if answered else None, abandoned=abandoned,
                        outcome=outcome, ended_at=at,
                    )
                )  # fmt: skip
            uow.commit()

    def latest() -> dict[str, Any]:
        rig.sup.refresh()
        rig.run(INTERVAL)
        return [e.payload for e in rig.bus.events if e.kind == "supervision.campaign"][-1]

    store(rows)
    with ctx.uow() as uow:
        uow.conn.execute(
            records_t.update().where(records_t.c.id == records[0]).values(state="done")
        )
        uow.commit()
    view = latest()
    assert (view["name"], view["records_total"], view["records_done"], view["records_left"]) == (
        "Offer", 4, 1, 3,
    )  # fmt: skip
    assert view["answered_today"] == 5
    assert view["abandon_today"] == pytest.approx(2 / 5)
    assert view["abandon_hour"] == pytest.approx(2 / 4)
    assert view["abandon_quarter"] == pytest.approx(1 / 2)
    assert (view["contacts_today"], view["positives_today"]) == (3, 1)
    assert view["positive_rate"] == pytest.approx(1 / 3)
    assert view["alert"] is False  # under its 50% target, but too few contacts to tell
    assert (view["lines"], view["free"], view["dial_level"], view["dialing"]) == (0, 0, None, False)
    store([(30, True, False, "not_interested")] * 20)  # enough contacts to tell now
    view = latest()
    assert (view["contacts_today"], view["alert"]) == (23, True)

"""The server's live engine on a virtual clock: it picks up active campaigns from the
store, spreads the bot operators over them, dials, and stops a paused campaign."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from centralino.domain.roles import Role
from centralino.engine.clock import VirtualClock
from centralino.live import LiveCenter
from centralino.services import campaigns
from centralino.services.context import ServiceContext
from centralino.store.tables import attempts
from world import build_world


def dials(ctx: ServiceContext, cid: int) -> int:
    with ctx.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(attempts).where(attempts.c.campaign_id == cid)
            ).scalar_one()
        )


def test_live_engine_follows_the_stored_campaigns(ctx: ServiceContext) -> None:
    world = build_world(ctx)
    team = world.target_group("own")
    bots = [world.make_user("own", Role.OPERATOR) for _ in range(4)]
    a, b = world.make_campaign("own"), world.make_campaign("own")
    for cid in (a, b):
        campaigns.update_campaign(
            ctx,
            world.admin(),
            cid,
            {"team_ids": [team.id], "dial_mode": "power", "state": "active"},
        )
        for i in range(30):
            world.make_record(cid, f"+3933{cid:03d}{i:05d}")
    live = LiveCenter(ctx, bots=True)
    clock = VirtualClock(0.0)
    live.start(None, clock)
    live.sync()
    clock.run(until=1.0)  # the operators' phones answer: logged in
    center = live.center
    assert center is not None
    placed = {op: center.campaign_of(op) for op in center.logged_in(f"campaign:{a}")}
    placed |= {op: center.campaign_of(op) for op in center.logged_in(f"campaign:{b}")}
    assert {f"user:{u}" for u in bots} <= set(placed)  # every bot works a campaign
    assert set(placed.values()) == {f"campaign:{a}", f"campaign:{b}"}  # spread over both
    clock.run(until=300.0)
    assert dials(ctx, a) > 0 and dials(ctx, b) > 0
    campaigns.update_campaign(ctx, world.admin(), b, {"state": "paused"})
    live.sync()  # b stops dialing; its bots move to a after their call
    before = dials(ctx, b)
    clock.run(until=900.0)
    live.sync()
    clock.run(until=1200.0)
    assert dials(ctx, b) == before
    assert all(center.campaign_of(f"user:{u}") == f"campaign:{a}" for u in bots)


def test_live_engine_routes_simulated_callers_through_a_stored_service(
    ctx: ServiceContext,
) -> None:
    """A queue with two tiers and a service with an IVR, configured in the store: the
    live engine applies them, bots answer, simulated callers ring the number, and every
    finished call and operator state change is stored."""
    from centralino.services import inbound_services, queues
    from centralino.store.tables import calls as calls_t
    from centralino.store.tables import operator_states

    world = build_world(ctx)
    admin = world.admin()
    team = world.target_group("own")
    care = queues.create_queue(ctx, admin, "Care", team.id, {"tier_wait": 15})
    queues.create_queue(ctx, admin, "Info", team.id, {})
    first, second = world.make_user("own"), world.make_user("own")
    queues.set_members(ctx, admin, care.id, [(first, 0), (second, 1)])
    inbound_services.create_service(
        ctx, admin,
        {"name": "Line", "group_id": team.id, "numbers": ["+390611112222"], "queue": "Care",
         "welcome": "hello",
         "menus": {"main": {"options": {"1": {"kind": "queue", "target": "Care"},
                                        "2": {"kind": "queue", "target": "Info"}},
                            "default": {"kind": "queue", "target": "Care"}}},
         "root_menu": "main"},
    )  # fmt: skip
    live = LiveCenter(ctx, bots=True, callers_per_hour=240.0)
    clock = VirtualClock(1_795_424_400.0)
    live.start(None, clock)
    live.sync()
    center = live.center_of(world.company_a)
    assert center is not None
    assert center.memberships(f"user:{first}") == [("Care", 0)]
    assert center.memberships(f"user:{second}") == [("Care", 1)]
    for _ in range(20):  # ten minutes, a pass every 30 s
        clock.run(until=clock.now() + 30.0)
        live.sync()
    with ctx.engine.connect() as conn:
        stored = conn.execute(select(calls_t)).all()
        states = conn.execute(select(operator_states)).all()
    inbound = [r for r in stored if r.direction == "inbound"]
    assert len(inbound) >= 20
    assert {r.service for r in inbound} == {"Line"}
    talked = [r for r in inbound if r.result == "talked"]
    assert talked and all(r.queue == "Care" for r in talked)  # nobody serves Info
    assert {r.user_id for r in talked} <= {first, second}
    phases = [p[1] for p in talked[0].phases]
    assert phases[:3] == ["arrival", "welcome", "ivr"] and "pickup" in phases
    assert {s.state for s in states} >= {"ready", "ringing", "talking", "wrap_up"}
    # a setting changed in the store reaches the running engine on the next pass
    queues.update_queue(ctx, admin, care.id, {"strategy": "longest_idle"})
    live.sync()
    assert center.acd.queues["Care"].config.strategy.value == "longest_idle"


def test_the_server_pass_uses_the_store_off_the_loop_and_keeps_a_failed_write(
    ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the server runs it, a pass reads and writes the store in a worker thread (the
    loop, which carries the engine, the API and the event stream, never waits on the
    database); a write that fails is kept and stored by the next pass."""
    from centralino import live as live_module
    from centralino.services import queues
    from centralino.store.tables import operator_states

    world = build_world(ctx)
    admin = world.admin()
    care = queues.create_queue(ctx, admin, "Care", world.target_group("own").id, {})
    op = world.make_user("own")
    queues.set_members(ctx, admin, care.id, [(op, 0)])
    writers: list[int] = []
    real = live_module.log_states

    def log_states(uow: Any, company_id: int, changes: Any) -> int:
        writers.append(threading.get_ident())
        if len(writers) == 1:
            raise RuntimeError("the database is away")
        return real(uow, company_id, changes)

    monkeypatch.setattr(live_module, "log_states", log_states)
    live = LiveCenter(ctx, bots=True, callers_per_hour=0.0)
    clock = VirtualClock(1_795_424_400.0)
    live.start(None, clock)

    def stored() -> list[str]:
        with ctx.engine.connect() as conn:
            return [r.state for r in conn.execute(select(operator_states))]

    async def passes() -> None:
        await live.sync_off_loop()  # the bot joins and its phone is called
        clock.run(until=clock.now() + 1.0)  # it answers: ready
        await live.sync_off_loop()  # the write fails: kept
        assert stored() == []
        site = live.sites[world.company_a]
        assert site.states and site.states[-1][1] == "ready"
        await live.sync_off_loop()  # stored now
        assert "ready" in stored() and not site.states

    asyncio.run(passes())
    assert len(writers) == 2 and threading.get_ident() not in writers

"""The server's live engine on a virtual clock: it picks up active campaigns from the
store, spreads the bot operators over them, dials, and stops a paused campaign."""

from __future__ import annotations

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

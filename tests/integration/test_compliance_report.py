"""The compliance report on SQLite and PostgreSQL: abandon rates over the campaign, 24 h,
30 days and per 100 answered calls, against the cap, and the rules that allowed the dials."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from centralino.domain.errors import NotFound
from centralino.domain.roles import Role
from centralino.services import campaigns, dialing
from centralino.services.compliance import compliance_report
from centralino.services.context import ServiceContext
from world import World, build_world

MANUAL = {"preset": "it", "day_kind": "weekday", "legal_hours": "09:00-20:00", "dnc": "checked"}


def add_attempts(
    ctx: ServiceContext,
    cid: int,
    rid: int,
    start: datetime,
    answered: int,
    abandoned: int,
    rule: dict[str, Any] = MANUAL,
) -> None:
    """`answered` answered attempts a minute apart from `start`, the first `abandoned` of
    them abandoned, written through the dialing repository."""
    with ctx.uow() as uow:
        for i in range(answered):
            at = start + timedelta(minutes=i)
            aid = uow.dialing.open_attempt(cid, rid, "+390600000000", "predictive", rule, at, None)
            uow.dialing.mark_answered(aid, at + timedelta(seconds=8))
            gone = i < abandoned
            outcome = "abandoned" if gone else "completed"
            uow.dialing.close_attempt(
                aid, at + timedelta(seconds=60), outcome, gone, None, None, None
            )
        uow.commit()


@pytest.fixture
def w(ctx: ServiceContext) -> World:
    return build_world(ctx)


def _history(ctx: ServiceContext, w: World, cid: int) -> dict[str, Any]:
    """250 answered calls, 8 abandoned: 100 (5) forty days ago, 100 (1) ten days ago,
    and 50 (2) today, of which 3 through the dialer itself, plus one unanswered dial."""
    now = ctx.now()
    for _ in range(4):
        w.make_record(cid)
    claims = dialing.claim(ctx, cid, 4)
    assert len(claims) == 4
    outcomes = ["abandoned", "abandoned", "completed", "no_answer"]
    for claim, outcome in zip(claims, outcomes, strict=True):
        if outcome != "no_answer":
            dialing.answered(ctx, claim.attempt_id)
        dialing.finish(ctx, claim.attempt_id, outcome)
    rid = w.make_record(cid)
    add_attempts(ctx, cid, rid, now - timedelta(days=40), 100, 5)
    add_attempts(ctx, cid, rid, now - timedelta(days=10), 100, 1)
    add_attempts(ctx, cid, rid, now - timedelta(hours=23), 47, 0)
    return claims[0].rule


def test_rates_over_every_window(ctx: ServiceContext, w: World) -> None:
    cid = w.make_campaign("own")  # Italy: 3 per 100 answered over the campaign
    dialer_rule = _history(ctx, w, cid)
    report = compliance_report(ctx, w.admin(), cid)
    assert report["campaign_id"] == cid and report["generated_at"] == ctx.now()
    preset = report["preset"]
    assert isinstance(preset, dict)
    assert (preset["code"], preset["abandon_cap"], preset["cap_window"]) == ("it", 0.03, "campaign")
    assert preset["abandon_after_seconds"] == 3.0 and preset["treatment"] == "comfort_noise"
    assert preset["redial_lockout_seconds"] == 7 * 86400
    assert preset["legal_hours"]["weekday"] == "09:00-20:00"
    assert preset["legal_hours"]["sunday"] is None
    assert report["cap"] == 0.03 and report["governing_window"] == "campaign"

    windows = report["windows"]
    assert isinstance(windows, dict)
    figures = {
        k: (v["answered"], v["abandoned"], v["rate"], v["within_cap"]) for k, v in windows.items()
    }
    assert figures == {
        "campaign": (250, 8, 0.032, False),
        "30d": (150, 3, 0.02, True),
        "24h": (50, 2, 0.04, False),
    }
    assert windows["24h"]["since"] == ctx.now() - timedelta(hours=24)
    assert windows["campaign"]["since"] is None

    blocks = report["per_100_answered"]
    assert isinstance(blocks, dict)
    assert blocks["size"] == 100 and blocks["complete_blocks"] == 2
    assert blocks["last_complete"] == {
        "first_call": 101, "last_call": 200, "answered": 100, "abandoned": 1, "rate": 0.01,
        "within_cap": True,
    }  # fmt: skip
    assert blocks["worst"] == {
        "first_call": 1, "last_call": 100, "answered": 100, "abandoned": 5, "rate": 0.05,
        "within_cap": False,
    }  # fmt: skip
    assert blocks["current"] == {
        "first_call": 201, "last_call": 250, "answered": 50, "abandoned": 2, "rate": 0.04,
        "within_cap": True,  # 2 of at most 3 in this block of 100 so far
    }  # fmt: skip
    assert report["within_cap"] is False

    assert report["dials_24h"] == 47 + 4
    rules = report["rules_24h"]
    assert isinstance(rules, list)
    kept = {k: v for k, v in dialer_rule.items() if k != "local_time"}
    assert rules == [{"rule": MANUAL, "attempts": 47}, {"rule": kept, "attempts": 4}]
    assert kept["campaign_window"] and kept["dnc"] == "checked"


def test_the_preset_decides_which_window_governs(ctx: ServiceContext, w: World) -> None:
    cid = w.make_campaign("own")
    _history(ctx, w, cid)
    campaigns.update_campaign(ctx, w.admin(), cid, {"compliance": "us"})  # 30 days
    report = compliance_report(ctx, w.admin(), cid)
    assert report["governing_window"] == "30d" and report["within_cap"] is True
    campaigns.update_campaign(ctx, w.admin(), cid, {"compliance": "uk"})  # 24 hours
    report = compliance_report(ctx, w.admin(), cid)
    assert report["governing_window"] == "24h" and report["within_cap"] is False
    campaigns.update_campaign(
        ctx, w.admin(), cid, {"compliance": "custom", "max_abandon_rate": 0.05}
    )
    report = compliance_report(ctx, w.admin(), cid)
    assert report["cap"] == 0.05 and report["within_cap"] is True  # 3.2% overall, worst 5/100


def test_an_empty_campaign_is_within_its_cap(ctx: ServiceContext, w: World) -> None:
    cid = w.make_campaign("own")
    campaigns.update_campaign(ctx, w.admin(), cid, {"max_abandon_rate": 0.02})  # tightened
    report = compliance_report(ctx, w.admin(), cid)
    assert report["cap"] == 0.02 and report["campaign_cap"] == 0.02 and report["within_cap"]
    windows = report["windows"]
    assert isinstance(windows, dict)
    assert all(
        v["answered"] == 0 and v["rate"] == 0.0 and v["within_cap"] for v in windows.values()
    )
    blocks = report["per_100_answered"]
    assert isinstance(blocks, dict)
    assert blocks["last_complete"] is None and blocks["worst"] is None and blocks["current"] is None
    assert report["rules_24h"] == [] and report["dials_24h"] == 0


def test_who_may_read_the_report(ctx: ServiceContext, w: World) -> None:
    own, sibling = w.make_campaign("own"), w.make_campaign("sibling")
    client = w.principal(w.actors[Role.CLIENT])  # commissioned `own` only
    assert compliance_report(ctx, client, own)["campaign_id"] == own
    for role in (Role.CLIENT, Role.TEAM_LEADER, Role.SUPERVISOR):
        with pytest.raises(NotFound):
            compliance_report(ctx, w.principal(w.actors[role]), sibling)
    with pytest.raises(NotFound):
        compliance_report(ctx, w.principal(w.actors[Role.OPERATOR]), own)

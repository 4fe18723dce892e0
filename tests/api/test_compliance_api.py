"""The compliance report over HTTP: its shape, its figures, and who may read it."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from helpers import login, problem

from centralino.services import dialing
from centralino.services.context import ServiceContext
from support import FakeClock
from world import build_world


def test_report_over_http(ctx: ServiceContext, client: TestClient, clock: FakeClock) -> None:
    w = build_world(ctx)
    cid, sibling = w.make_campaign("own"), w.make_campaign("sibling")
    for _ in range(3):
        w.make_record(cid)
    claims = dialing.claim(ctx, cid, 3)
    for claim, outcome in zip(claims, ["abandoned", "completed", "completed"], strict=True):
        dialing.answered(ctx, claim.attempt_id)
        dialing.finish(ctx, claim.attempt_id, outcome)

    login(client, "actor_client")  # the campaign's own client reads it
    r = client.get(f"/api/v1/campaigns/{cid}/compliance")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {
        "campaign_id", "campaign_name", "generated_at", "preset", "cap", "campaign_cap",
        "governing_window", "within_cap", "windows", "per_100_answered", "dials_24h", "rules_24h",
    }  # fmt: skip
    assert (
        body["preset"]["code"] == "it"
        and body["preset"]["legal_hours"]["saturday"] == "10:00-19:00"
    )
    day = body["windows"]["24h"]
    assert (day["answered"], day["abandoned"], day["within_cap"]) == (3, 1, False)
    assert abs(day["rate"] - 1 / 3) < 1e-6
    current = body["per_100_answered"]["current"]
    assert (current["first_call"], current["last_call"], current["within_cap"]) == (1, 3, True)
    assert body["within_cap"] is False  # 1 of 3 answered over the campaign
    assert body["dials_24h"] == 3 and body["rules_24h"][0]["attempts"] == 3
    assert body["rules_24h"][0]["rule"]["preset"] == "it"
    problem(client.get(f"/api/v1/campaigns/{sibling}/compliance"), 404)
    problem(client.get("/api/v1/campaigns/999999/compliance"), 404)

    clock.advance(timedelta(days=2).total_seconds())  # the calls leave the 24 h window
    login(client, "actor_client")  # the session has expired meanwhile
    body = client.get(f"/api/v1/campaigns/{cid}/compliance").json()
    assert body["windows"]["24h"]["answered"] == 0 and body["windows"]["30d"]["answered"] == 3
    assert body["rules_24h"] == [] and body["within_cap"] is False

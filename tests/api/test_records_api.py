"""A campaign's records and attempts over HTTP: pages, state filter, search, client view."""

from __future__ import annotations

from fastapi.testclient import TestClient
from helpers import login, problem
from sqlalchemy import update

from centralino.services import dialing
from centralino.services.context import ServiceContext
from centralino.store.tables import records
from support import FakeClock
from world import build_world


def test_records_page_filter_and_search(ctx: ServiceContext, client: TestClient) -> None:
    w = build_world(ctx)
    cid, sibling = w.make_campaign("own"), w.make_campaign("sibling")
    ids = [w.make_record(cid, phone=f"+39333123450{i}") for i in range(5)]
    with ctx.uow() as uow:
        uow.conn.execute(
            update(records)
            .where(records.c.id == ids[0])
            .values(name="Maria Rossi_1%", data={"Città": "Forlì"}, state="done")
        )
        uow.commit()
    login(client, "actor_client")
    url = f"/api/v1/campaigns/{cid}/records"
    page = client.get(url, params={"limit": 2}).json()
    assert page["total"] == 5 and [r["id"] for r in page["items"]] == ids[:2]
    first = page["items"][0]
    assert first["data"] == {"Città": "Forlì"} and first["state"] == "done"
    assert first["due"] is False and page["items"][1]["due"] is True  # done vs new
    assert set(first) >= {
        "id", "phone", "name", "state", "attempts", "next_at", "last_outcome",
        "assigned_user_id", "data",
    }  # fmt: skip
    assert client.get(url, params={"offset": 4}).json()["items"][0]["id"] == ids[4]
    assert client.get(url, params={"state": "done"}).json()["total"] == 1
    both = client.get(url, params=[("state", "done"), ("state", "new")]).json()
    assert both["total"] == 5
    assert client.get(url, params={"q": "rossi_1%"}).json()["total"] == 1  # no wildcards
    assert client.get(url, params={"q": "rossi_2"}).json()["total"] == 0
    assert client.get(url, params={"q": "333 1234 503"}).json()["items"][0]["id"] == ids[3]
    problem(client.get(url, params={"state": "lost"}), 422)
    problem(client.get(f"/api/v1/campaigns/{sibling}/records"), 404)


def test_attempts_newest_first(ctx: ServiceContext, client: TestClient, clock: FakeClock) -> None:
    w = build_world(ctx)
    cid = w.make_campaign("own")
    first, second = w.make_record(cid), w.make_record(cid)
    c1 = dialing.claim(ctx, cid, 1)[0]
    dialing.answered(ctx, c1.attempt_id)
    dialing.finish(ctx, c1.attempt_id, "abandoned")
    clock.advance(60)
    c2 = dialing.claim(ctx, cid, 1)[0]
    dialing.finish(ctx, c2.attempt_id, "busy")
    assert (c1.record_id, c2.record_id) == (first, second)
    login(client, "actor_team_leader")
    url = f"/api/v1/campaigns/{cid}/attempts"
    items = client.get(url).json()["items"]
    assert [a["record_id"] for a in items] == [second, first]
    latest, earlier = items
    assert latest["outcome"] == "busy" and latest["answered_at"] is None
    assert earlier["abandoned"] is True and earlier["answered_at"] is not None
    assert earlier["rule"]["preset"] == "it" and earlier["dial_mode"] == "preview"
    assert set(earlier) >= {
        "record_id", "phone", "user_id", "dial_mode", "rule", "started_at", "answered_at",
        "connected_at", "ended_at", "outcome", "abandoned",
    }  # fmt: skip
    only = client.get(url, params={"record_id": first}).json()
    assert only["total"] == 1 and only["items"][0]["id"] == c1.attempt_id
    client.cookies.clear()
    login(client, "actor_operator")
    problem(client.get(url), 404)

"""Callbacks over HTTP: operators book them, team leaders assign and move them."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from helpers import login, problem

from centralino.domain.roles import Role
from centralino.services.context import ServiceContext
from world import build_world


def test_operator_books_for_self_colleague_and_anyone(
    ctx: ServiceContext, client: TestClient
) -> None:
    w = build_world(ctx)
    cid = w.make_campaign("own")
    rec = w.make_record(cid)
    colleague = w.make_user("own")
    csrf = login(client, "actor_operator")
    later = (ctx.now() + timedelta(hours=3)).isoformat()
    url = f"/api/v1/campaigns/{cid}/callbacks"
    mine = client.post(
        url,
        json={"record_id": rec, "due_at": later, "for_self": True, "notes": "after lunch"},
        headers=csrf,
    )
    assert mine.status_code == 201 and mine.json()["scope"] == "self"
    assert mine.json()["user_id"] == w.actors[Role.OPERATOR]
    theirs = client.post(
        url, json={"record_id": rec, "due_at": later, "user_id": colleague}, headers=csrf
    )
    assert theirs.json()["scope"] == "colleague"
    anyone = client.post(url, json={"record_id": rec, "due_at": later}, headers=csrf)
    assert anyone.json()["scope"] == "anyone" and anyone.json()["user_id"] is None
    listed = client.get(url).json()
    assert {c["id"] for c in listed} == {mine.json()["id"], anyone.json()["id"]}  # mine + team's


def test_bad_callbacks_are_refused(ctx: ServiceContext, client: TestClient) -> None:
    w = build_world(ctx)
    cid = w.make_campaign("own")
    rec = w.make_record(cid)
    other = w.make_record(w.make_campaign("own"))
    csrf = login(client, "actor_operator")
    url = f"/api/v1/campaigns/{cid}/callbacks"
    past = (ctx.now() - timedelta(minutes=1)).isoformat()
    assert (
        problem(client.post(url, json={"record_id": rec, "due_at": past}, headers=csrf), 422)[
            "errors"
        ][0]["field"]
        == "due_at"
    )
    later = (ctx.now() + timedelta(hours=1)).isoformat()
    assert (
        problem(client.post(url, json={"record_id": other, "due_at": later}, headers=csrf), 404)[
            "errors"
        ][0]["field"]
        == "record_id"
    )
    naive = "2030-01-01T10:00:00"
    assert (
        problem(client.post(url, json={"record_id": rec, "due_at": naive}, headers=csrf), 422)[
            "errors"
        ][0]["field"]
        == "due_at"
    )
    supervisor = w.actors[Role.SUPERVISOR]
    r = client.post(
        url, json={"record_id": rec, "due_at": later, "user_id": supervisor}, headers=csrf
    )
    assert problem(r, 422)["errors"][0]["field"] == "user_id"  # supervisors take no calls


def test_team_leader_assigns_and_moves_callbacks(ctx: ServiceContext, client: TestClient) -> None:
    w = build_world(ctx)
    cid = w.make_campaign("own")
    recs = [w.make_record(cid) for _ in range(3)]
    op = w.actors[Role.OPERATOR]
    csrf = login(client, "actor_team_leader")
    due = (ctx.now() + timedelta(hours=1)).isoformat()
    r = client.post(
        f"/api/v1/campaigns/{cid}/assignments",
        json={"record_ids": recs, "user_id": op, "due_at": due, "notes": "VIP"},
        headers=csrf,
    )
    assert (
        r.status_code == 201 and len(r.json()) == 3 and all(c["notes"] == "VIP" for c in r.json())
    )
    first = r.json()[0]["id"]
    moved = client.patch(
        f"/api/v1/campaigns/{cid}/callbacks/{first}", json={"user_id": None}, headers=csrf
    )
    assert moved.json()["scope"] == "anyone"
    # re-assigning a record closes its previous open callback: one open callback per record
    r = client.post(
        f"/api/v1/campaigns/{cid}/assignments",
        json={"record_ids": recs[:1], "user_id": op, "due_at": due},
        headers=csrf,
    )
    open_for_first = [
        c
        for c in client.get(f"/api/v1/campaigns/{cid}/callbacks").json()
        if c["record_id"] == recs[0]
    ]
    assert len(open_for_first) == 1
    client.cookies.clear()
    csrf = login(client, "actor_operator")
    problem(
        client.post(
            f"/api/v1/campaigns/{cid}/assignments",
            json={"record_ids": recs, "user_id": op, "due_at": due},
            headers=csrf,
        ),
        403,
    )

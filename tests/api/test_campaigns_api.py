"""Campaigns and their outcomes over HTTP: defaults, life cycle, bad input, client view."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import login, problem

from centralino.domain.roles import Role
from centralino.services.context import ServiceContext
from world import World, build_world


@pytest.fixture
def world(ctx: ServiceContext) -> World:
    return build_world(ctx)


def fields(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


def new_campaign(
    client: TestClient, csrf: dict[str, str], w: World, **extra: Any
) -> dict[str, Any]:
    body = {
        "name": "Energia Autunno",
        "group_id": w.groups["T1"].id,
        "dial_mode": "predictive",
        **extra,
    }
    r = client.post("/api/v1/campaigns", json=body, headers=csrf)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_campaign_defaults_and_cco_outcomes(client: TestClient, world: World) -> None:
    csrf = login(client, "actor_team_leader")
    c = new_campaign(client, csrf, world, operator_ids=[world.actors[Role.OPERATOR]])
    assert c["state"] == "draft" and c["positive_target"] == 0.02 and c["max_abandon_rate"] == 0.03
    assert c["windows"] == [{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "20:00"}]
    assert c["timezone"] == "Europe/Rome" and len(c["operator_ids"]) == 1
    codes = {o["code"]: o for o in client.get(f"/api/v1/campaigns/{c['id']}/outcomes").json()}
    assert (
        codes["no_answer"]["retry_delay_seconds"] == 7200
        and codes["busy"]["retry_delay_seconds"] == 7200
    )
    assert codes["invalid"]["block_number"] and codes["fax"]["block_number"]
    assert codes["completed"]["final"] and codes["new_contact"]["needs_date"]


def test_campaign_life_cycle(client: TestClient, world: World) -> None:
    csrf = login(client, "actor_team_leader")
    c = new_campaign(client, csrf, world)
    url = f"/api/v1/campaigns/{c['id']}"
    assert client.patch(url, json={"state": "active"}, headers=csrf).json()["state"] == "active"
    assert client.patch(url, json={"state": "paused"}, headers=csrf).json()["state"] == "paused"
    problem(client.delete(url, headers=csrf), 409)  # only drafts are deleted
    assert client.patch(url, json={"state": "finished"}, headers=csrf).json()["state"] == "finished"
    r = client.patch(url, json={"state": "active"}, headers=csrf)
    assert fields(problem(r, 409)) == ["state"]


def test_campaign_bad_input(client: TestClient, world: World) -> None:
    csrf = login(client, "actor_team_leader")
    g = world.groups["T1"].id
    cases = [
        ({"name": "x", "group_id": g, "dial_mode": "telepathic"}, "dial_mode", 422),
        (
            {
                "name": "x",
                "group_id": g,
                "windows": [{"days": [7], "start": "09:00", "end": "10:00"}],
            },
            "windows.0.days.0",
            422,
        ),
        (
            {
                "name": "x",
                "group_id": g,
                "windows": [{"days": [1], "start": "18:00", "end": "09:00"}],
            },
            "windows.0.end",
            422,
        ),
        (
            {
                "name": "x",
                "group_id": g,
                "windows": [{"days": [1], "start": "25:00", "end": "23:00"}],
            },
            "windows.0.start",
            422,
        ),
        ({"name": "x", "group_id": g, "max_abandon_rate": 0.05}, "max_abandon_rate", 422),
        ({"name": "x", "group_id": g, "caller_id": "call me"}, "caller_id", 422),
        ({"name": "x", "group_id": g, "default_region": "Italy"}, "default_region", 422),
        ({"name": "x", "group_id": g, "client_id": world.clients["foreign"]}, "client_id", 422),
        (
            {
                "name": "x",
                "group_id": g,
                "operator_ids": [world.actors[next(iter(world.actors))] + 99999],
            },
            "operator_ids",
            404,
        ),
        ({"name": "x", "group_id": world.groups["T2"].id}, "group_id", 404),
    ]
    for body, field, status in cases:
        assert fields(
            problem(client.post("/api/v1/campaigns", json=body, headers=csrf), status)
        ) == [field], body
    assert client.get("/api/v1/campaigns").json()["total"] == 0  # nothing half-created


def test_outcomes_are_tailored_per_campaign(client: TestClient, world: World) -> None:
    csrf = login(client, "actor_team_leader")
    c = new_campaign(client, csrf, world)
    url = f"/api/v1/campaigns/{c['id']}/outcomes"
    r = client.post(
        url,
        json={
            "code": "appointment",
            "label": "Appointment booked",
            "kind": "positive",
            "final": True,
        },
        headers=csrf,
    )
    assert r.status_code == 201 and r.json()["kind"] == "positive"
    problem(
        client.post(
            url, json={"code": "appointment", "label": "Again", "kind": "positive"}, headers=csrf
        ),
        409,
    )
    problem(
        client.post(url, json={"code": "x", "label": "Sys", "kind": "system"}, headers=csrf), 422
    )
    r = client.post(
        url,
        json={
            "code": "bad",
            "label": "Both",
            "kind": "retry",
            "final": True,
            "retry_delay_seconds": 600,
        },
        headers=csrf,
    )
    problem(r, 422)
    r = client.patch(
        f"{url}/no_answer", json={"retry_delay_seconds": 3600, "max_attempts": 3}, headers=csrf
    )
    assert (
        r.status_code == 200 and r.json()["retry_delay_seconds"] == 3600 and r.json()["is_system"]
    )
    problem(client.delete(f"{url}/busy", headers=csrf), 409)
    assert client.delete(f"{url}/appointment", headers=csrf).status_code == 204


def test_client_sees_only_its_campaigns(client: TestClient, world: World) -> None:
    csrf = login(client, "sysadmin")
    mine = new_campaign(client, csrf, world, client_id=world.clients["own"])
    new_campaign(client, csrf, world, name="Other client", client_id=None)
    client.cookies.clear()
    login(client, "actor_client")
    listed = [c["id"] for c in client.get("/api/v1/campaigns").json()["items"]]
    assert listed == [mine["id"]]
    problem(
        client.patch(
            f"/api/v1/campaigns/{mine['id']}", json={"priority": 1}, headers={"X-CSRF-Token": "x"}
        ),
        403,
    )

"""Inbound configuration over HTTP: queues and tiers, services with numbers and IVR
menus, pause reasons, and the stored calls and operator states, with bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import login, problem

from centralino.domain.call_record import CallRecord, CallResult
from centralino.domain.inbound.pauses import DEFAULT_REASONS
from centralino.domain.roles import Role
from centralino.services import calls
from centralino.services.context import ServiceContext
from world import World, build_world

T0 = 1_795_424_400.0  # 2026-11-23 09:00 UTC


@pytest.fixture
def world(ctx: ServiceContext) -> World:
    return build_world(ctx)


def fields(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


def new_queue(client: TestClient, csrf: dict[str, str], w: World, **extra: Any) -> dict[str, Any]:
    body = {"name": "Sales", "group_id": w.groups["T1"].id, **extra}
    r = client.post("/api/v1/queues", json=body, headers=csrf)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def service_body(w: World, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Customer care",
        "group_id": w.groups["T1"].id,
        "numbers": ["02 1234 5678"],
        "queue": "Sales",
        **extra,
    }


def test_queue_with_two_tiers(client: TestClient, world: World) -> None:
    csrf = login(client, "actor_group_admin")
    q = new_queue(client, csrf, world, strategy="longest_idle", max_wait=300, tier_wait=10)
    assert q["strategy"] == "longest_idle" and q["max_wait"] == 300 and q["tier_wait"] == 10
    assert q["answer_timeout"] == 15 and q["overflow"] == {"kind": "message", "target": ""}
    assert q["company_id"] == world.company_a and q["members"] == []
    first, second = world.make_user("own"), world.make_user("own")
    body = {"members": [{"user_id": first, "tier": 0}, {"user_id": second, "tier": 1}]}
    r = client.put(f"/api/v1/queues/{q['id']}/members", json=body, headers=csrf)
    assert r.status_code == 200, r.text
    assert [(m["user_id"], m["tier"]) for m in r.json()] == [(first, 0), (second, 1)]
    got = client.get(f"/api/v1/queues/{q['id']}").json()
    assert [m["tier"] for m in got["members"]] == [0, 1]
    listed = client.get("/api/v1/queues").json()
    assert listed["total"] == 1 and len(listed["items"][0]["members"]) == 2
    r = client.patch(f"/api/v1/queues/{q['id']}", json={"max_wait": None}, headers=csrf)
    assert r.status_code == 200 and r.json()["max_wait"] is None
    assert r.json()["strategy"] == "longest_idle" and len(r.json()["members"]) == 2
    assert client.delete(f"/api/v1/queues/{q['id']}", headers=csrf).status_code == 204
    assert client.get(f"/api/v1/queues/{q['id']}").status_code == 404


def test_queue_bad_input(client: TestClient, world: World) -> None:
    csrf = login(client, "actor_group_admin")
    g = world.groups["T1"].id
    cases = [
        ({"name": "x", "group_id": g, "strategy": "telepathic"}, "strategy", 422),
        ({"name": "x", "group_id": g, "max_wait": -5}, "max_wait", 422),
        ({"name": "x", "group_id": g, "offer_callback": True}, "offer_callback", 422),
        (
            {"name": "x", "group_id": g, "overflow": {"kind": "queue", "target": "Nowhere"}},
            "overflow",
            422,
        ),
        ({"name": "x", "group_id": g, "overflow": {"kind": "fax"}}, "overflow", 422),
        ({"name": "x", "group_id": g, "blend": {"waiting_calls": 0}}, "blend", 422),
        ({"name": "x", "group_id": g, "colour": "red"}, "colour", 422),
        ({"name": "x", "group_id": world.groups["T2"].id}, "group_id", 404),
        ({"name": "x", "group_id": world.groups["SB"].id}, "group_id", 404),
    ]
    for body, field, status in cases:
        r = client.post("/api/v1/queues", json=body, headers=csrf)
        assert fields(problem(r, status)) == [field], (body, r.text)
    assert client.get("/api/v1/queues").json()["total"] == 0  # nothing half-created
    q = new_queue(client, csrf, world)
    assert fields(problem(client.post("/api/v1/queues", json={"name": "Sales", "group_id": g},
                                      headers=csrf), 409)) == ["name"]  # fmt: skip
    url = f"/api/v1/queues/{q['id']}/members"
    own = world.make_user("own")
    member_cases = [
        ([{"user_id": own, "tier": 10}], "members.0.tier", 422),
        ([{"user_id": own}, {"user_id": own, "tier": 1}], "members.1.user_id", 422),
        ([{"user_id": world.make_user("foreign")}], "members.0.user_id", 404),
        ([{"user_id": world.make_user("sibling")}], "members.0.user_id", 404),
        ([{"user_id": world.make_user("own", Role.BACK_OFFICE)}], "members.0.user_id", 422),
    ]
    for members, field, status in member_cases:
        r = client.put(url, json={"members": members}, headers=csrf)
        assert fields(problem(r, status)) == [field], (members, r.text)
    assert client.get(f"/api/v1/queues/{q['id']}").json()["members"] == []


def test_partner_operators_sit_in_a_parent_queue(client: TestClient, world: World) -> None:
    """A root administrator puts a partner center's operator in a site's queue."""
    csrf = login(client, "sysadmin")
    q = new_queue(client, csrf, world)
    partner_op = world.make_user("own")
    from centralino.domain.org import GroupKind
    from centralino.services import org, users
    from centralino.services.users import GrantRequest

    pt = world.groups["PT"]
    u, _ = users.create_user(
        world.ctx, world.admin(), group_id=pt.id, username="partner_op", display_name="P",
        password="correct-horse-battery", roles=[GrantRequest(Role.OPERATOR, pt.id)],
    )  # fmt: skip
    assert org.get_group(world.ctx, world.admin(), pt.id).kind is GroupKind.TEAM
    body = {"members": [{"user_id": partner_op, "tier": 0}, {"user_id": u.id, "tier": 2}]}
    r = client.put(f"/api/v1/queues/{q['id']}/members", json=body, headers=csrf)
    assert r.status_code == 200 and [m["username"] for m in r.json()][1] == "partner_op"


def test_service_with_number_and_ivr(client: TestClient, world: World) -> None:
    csrf = login(client, "actor_group_admin")
    new_queue(client, csrf, world)
    new_queue(client, csrf, world, name="Support")
    body = service_body(
        world,
        numbers=["02 1234 5678", "+39 800 123456"],
        client_id=world.clients["own"],
        hours={"windows": [{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}],
               "closed_dates": ["2026-12-25"]},
        menus={
            "main": {"prompt": "welcome_menu", "options": {
                "1": {"kind": "queue", "target": "Sales"},
                "2": {"kind": "menu", "target": "more"},
            }},
            "more": {"options": {"1": {"kind": "queue", "target": "Support"},
                                 "9": {"kind": "voicemail", "target": "box"}}},
        },
        root_menu="main",
        screen_pop="https://crm.example/lookup?phone={caller}&call={call_id}",
    )  # fmt: skip
    r = client.post("/api/v1/services", json=body, headers=csrf)
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["numbers"] == ["+390212345678", "+39800123456"]
    assert s["menus"]["main"]["options"]["1"] == {"kind": "queue", "target": "Sales"}
    assert s["hours"]["closed_dates"] == ["2026-12-25"] and s["timezone"] == "Europe/Rome"
    assert s["client_id"] == world.clients["own"] and s["root_menu"] == "main"
    url = f"/api/v1/services/{s['id']}"
    assert client.get(url).json() == s
    r = client.patch(url, json={"numbers": ["06 9999 0001"], "welcome": "hello"}, headers=csrf)
    assert r.status_code == 200, r.text
    assert r.json()["numbers"] == ["+390699990001"] and r.json()["menus"] == s["menus"]
    # the client user sees the service of its client
    other = TestClient(client.app)
    login(other, "actor_client")
    assert [x["id"] for x in other.get("/api/v1/services").json()["items"]] == [s["id"]]
    assert other.get("/api/v1/queues").json()["items"] == []
    # queues in use keep their name and stay
    sales = client.get("/api/v1/queues").json()["items"][0]
    qurl = f"/api/v1/queues/{sales['id']}"
    assert fields(problem(client.patch(qurl, json={"name": "Sales 2"}, headers=csrf), 409)) == [
        "name"
    ]
    problem(client.delete(qurl, headers=csrf), 409)
    assert client.delete(url, headers=csrf).status_code == 204
    assert client.delete(qurl, headers=csrf).status_code == 204


def test_service_bad_input(client: TestClient, world: World, ctx: ServiceContext) -> None:
    csrf = login(client, "actor_group_admin")
    new_queue(client, csrf, world)
    from centralino.services import queues

    rb = world.groups["SB"].id
    queues.create_queue(ctx, world.admin(), "Elsewhere", rb, {})
    menu = {"options": {"1": {"kind": "queue", "target": "Sales"}}}
    cases = [
        (service_body(world, numbers=["call me"]), "numbers.0", 422),
        (service_body(world, numbers=["12"]), "numbers.0", 422),
        (service_body(world, numbers=["0212345678", "+39 02 1234 5678"]), "numbers.1", 422),
        (service_body(world, numbers=[]), "numbers", 422),
        (service_body(world, queue="Elsewhere"), "queue", 422),  # a queue of another company
        (service_body(world, queue="Nowhere"), "queue", 422),
        (service_body(world, queue=None, menus={"main": menu}, root_menu="start"), "menus", 422),
        (
            service_body(
                world, menus={"main": {"options": {"1": {"kind": "menu", "target": "gone"}}}}
            ),
            "menus",
            422,
        ),
        (
            service_body(world, menus={"main": {"options": {"1": {"kind": "teleport"}}}}),
            "menus.main.options.1",
            422,
        ),
        (
            service_body(
                world, menus={"main": {"options": {"1": {"kind": "queue", "target": "Elsewhere"}}}}
            ),
            "menus.main.options.1",
            422,
        ),
        (
            service_body(world, menus={"main": {"options": {"A": {"kind": "hangup"}}}}),
            "options",
            422,
        ),
        (service_body(world, hours={"windows": [{"days": [9]}]}), "hours", 422),
        (service_body(world, timezone="Mars/Olympus"), "timezone", 422),
        (service_body(world, screen_pop="https://crm/?n={number}"), "screen_pop", 422),
        (service_body(world, client_id=world.clients["foreign"]), "client_id", 422),
        (service_body(world, region="Italy"), "region", 422),
        (service_body(world, group_id=world.groups["SB"].id), "group_id", 404),
    ]
    for body, field, status in cases:
        r = client.post("/api/v1/services", json=body, headers=csrf)
        assert fields(problem(r, status)) == [field], (body, r.text)
    assert client.get("/api/v1/services").json()["total"] == 0  # nothing half-created
    assert (
        client.post("/api/v1/services", json=service_body(world), headers=csrf).status_code == 201
    )
    dup = service_body(world, name="Second", numbers=["+39 02 12345678"])
    body = problem(client.post("/api/v1/services", json=dup, headers=csrf), 409)
    assert fields(body) == ["numbers"] and "Customer care" in body["detail"]
    body = problem(client.post("/api/v1/services", json=service_body(world), headers=csrf), 409)
    assert fields(body) == ["name"]


def test_pause_reasons(client: TestClient, world: World) -> None:
    csrf = login(client, "sysadmin")
    listed = client.get("/api/v1/pause-reasons").json()
    assert [r["code"] for r in listed["items"]] == [r.code for r in DEFAULT_REASONS]
    assert listed["items"][0]["screen_break"] and listed["items"][0]["limit_seconds"] == 900
    r = client.post(
        "/api/v1/pause-reasons",
        json={"code": "smoke", "label": "Smoke break", "limit_seconds": 300},
        headers=csrf,
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert fields(problem(client.post("/api/v1/pause-reasons",
                                      json={"code": "smoke", "label": "Again"}, headers=csrf),
                          409)) == ["code"]  # fmt: skip
    for bad, field in (
        ({"code": "no spaces", "label": "x"}, "code"),
        ({"code": "x", "label": "x", "limit_seconds": 0}, "limit_seconds"),
        ({"code": "x", "label": ""}, "label"),
    ):
        r = client.post("/api/v1/pause-reasons", json=bad, headers=csrf)
        assert fields(problem(r, 422)) == [field], r.text
    r = client.patch(f"/api/v1/pause-reasons/{rid}", json={"limit_seconds": None}, headers=csrf)
    assert r.status_code == 200 and r.json()["limit_seconds"] is None
    assert r.json()["label"] == "Smoke break"
    # operators read the list but do not change it; another company's reasons are invisible
    op = TestClient(client.app)
    op_csrf = login(op, "actor_operator")
    assert op.get("/api/v1/pause-reasons").json()["total"] == len(DEFAULT_REASONS) + 1
    assert op.get(f"/api/v1/pause-reasons/{rid}").status_code == 200
    problem(
        op.post("/api/v1/pause-reasons", json={"code": "x", "label": "x"}, headers=op_csrf), 403
    )
    problem(op.delete(f"/api/v1/pause-reasons/{rid}", headers=op_csrf), 403)
    foreign = world.make_pause_reason("foreign")
    problem(op.get(f"/api/v1/pause-reasons/{foreign}"), 404)
    problem(op.get(f"/api/v1/pause-reasons?company_id={world.company_b}"), 404)
    assert client.delete(f"/api/v1/pause-reasons/{rid}", headers=csrf).status_code == 204


def _calls_everywhere(w: World, ctx: ServiceContext) -> dict[str, str]:
    """A talked call in a queue of each location, answered by an operator there."""
    from centralino.services import queues

    names = {}
    for i, loc in enumerate(("own", "sibling", "foreign")):
        q = queues.get_queue(ctx, w.admin(), w.make_queue(loc))[0]
        op = w.make_user(loc)
        with ctx.uow() as uow:
            username = uow.users.get(op).username  # type: ignore[union-attr]
        rec = CallRecord(i + 1, "inbound", q.name, f"+3933300000{i}", T0 + i * 60)
        rec.service, rec.operator, rec.result = "Care", username, CallResult.TALKED
        rec.queued_at, rec.picked_up_at, rec.ended_at = T0 + 5, T0 + 12, T0 + 200
        rec.phase(T0 + i * 60, "arrival", rec.number)
        rec.phase(T0 + 12, "pickup", username)
        company = q.company_id
        with ctx.uow() as uow:
            calls.save_calls(uow, company, [rec])
            calls.log_states(uow, company, [(username, "ready", None, T0),
                                            (username, "paused", "lunch", T0 + 600)])  # fmt: skip
            uow.commit()
        names[loc] = q.name
    return names


def test_calls_and_states_are_scoped(client: TestClient, world: World, ctx: ServiceContext) -> None:
    names = _calls_everywhere(world, ctx)
    login(client, "actor_team_leader")
    r = client.get("/api/v1/calls")
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [c["queue"] for c in items] == [names["own"]]
    c = items[0]
    assert c["result"] == "talked" and c["operator"] and c["arrived_at"].startswith("2026-11-23")
    assert [p["phase"] for p in c["phases"]] == ["arrival", "pickup"]
    states = client.get("/api/v1/operator-states").json()
    assert [(s["state"], s["reason"]) for s in states["items"]] == [("ready", None),
                                                                   ("paused", "lunch")]  # fmt: skip
    assert all(s["company_id"] == world.company_a for s in states["items"])
    # filters
    assert client.get("/api/v1/calls", params={"queue": "nope"}).json()["total"] == 0
    assert client.get("/api/v1/calls", params={"service": "Care"}).json()["total"] == 1
    assert client.get("/api/v1/calls", params={"result": "talked"}).json()["total"] == 1
    assert client.get("/api/v1/calls", params={"result": "callback_requested"}).json()["total"] == 0
    problem(client.get("/api/v1/calls", params={"result": "teleported"}), 422)
    late = {"from": "2026-11-23T10:00:00Z"}
    assert client.get("/api/v1/calls", params=late).json()["total"] == 0
    window = {"from": "2026-11-23T09:05:00Z", "to": "2026-11-23T09:15:00Z"}
    assert client.get("/api/v1/operator-states", params=window).json()["total"] == 1
    uid = states["items"][0]["user_id"]
    assert client.get("/api/v1/operator-states", params={"user_id": uid}).json()["total"] == 2
    problem(client.get("/api/v1/calls", params={"from": "2026-11-23T09:00:00"}), 422)
    problem(client.get("/api/v1/calls", params={"from": late["from"], "to": late["from"]}), 422)
    # the system admin sees every company's; an operator nothing
    admin = TestClient(client.app)
    login(admin, "sysadmin")
    assert admin.get("/api/v1/calls").json()["total"] == 3
    assert (
        admin.get("/api/v1/calls", params={"limit": 1, "offset": 2}).json()["items"][0]["queue"]
        == names["foreign"]
    )
    op = TestClient(client.app)
    login(op, "actor_operator")
    problem(op.get("/api/v1/calls"), 403)
    problem(op.get("/api/v1/operator-states"), 403)

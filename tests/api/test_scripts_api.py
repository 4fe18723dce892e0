"""Call scripts over HTTP: the tree with errors at the step and option, where it applies,
other groups' scripts out of reach, and an operator's answers in a live call (virtual
clock) stored, re-read, and readable by a supervisor."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import login, problem

from centralino.domain.roles import Role
from centralino.engine.clock import VirtualClock
from centralino.live import LiveCenter
from centralino.services import inbound_services, queues
from centralino.services.context import ServiceContext
from centralino.telephony.sim.network import Fate
from world import World, build_world

START = 1_795_424_400.0  # 2026-11-23 09:00 UTC
NUMBER = "+390611112222"


@pytest.fixture
def world(ctx: ServiceContext) -> World:
    return build_world(ctx)


def steps() -> list[dict[str, Any]]:
    return [
        {"id": "hello", "text": "Buongiorno {name}, chiamo per {service} dal {number}",
         "next": "interest"},
        {"id": "interest", "text": "È interessato?", "kind": "choice", "options": [
            {"value": "yes", "label": "Sì", "next": "when"},
            {"value": "no", "label": "No", "outcome": "not_interested"}]},
        {"id": "when", "text": "Quando?", "kind": "date", "outcome": "appointment"},
    ]  # fmt: skip


def body(w: World, **extra: Any) -> dict[str, Any]:
    return {"name": "Offerta", "group_id": w.groups["T1"].id, "steps": steps(), **extra}


def fields(r: Any, status: int) -> list[str]:
    return [e["field"] for e in problem(r, status).get("errors", [])]


def test_script_crud_with_errors_at_the_step(client: TestClient, world: World) -> None:
    csrf = login(client, "actor_team_leader")  # campaigns.write, not services.write
    campaign = world.make_campaign("own")
    r = client.post("/api/v1/scripts", json=body(world, campaign_ids=[campaign]), headers=csrf)
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["first"] == "hello" and [x["id"] for x in s["steps"]] == ["hello", "interest", "when"]
    assert s["campaign_ids"] == [campaign] and s["service_ids"] == []
    assert s["steps"][1]["options"][0] == {"value": "yes", "label": "Sì", "next": "when",
                                           "outcome": None}  # fmt: skip

    bad = steps()
    bad[1]["options"][1]["next"] = "s3"
    r = client.patch(f"/api/v1/scripts/{s['id']}", json={"steps": bad}, headers=csrf)
    assert fields(r, 422) == ["steps.interest.options.1.next"]
    assert "unknown step 's3'" in r.json()["detail"]
    lost = [*steps(), {"id": "lost", "text": "?"}]
    r = client.patch(f"/api/v1/scripts/{s['id']}", json={"steps": lost}, headers=csrf)
    assert fields(r, 422) == ["steps.lost"]
    loop = steps()
    loop[2] |= {"next": "hello", "outcome": None}
    r = client.patch(f"/api/v1/scripts/{s['id']}", json={"steps": loop}, headers=csrf)
    assert fields(r, 422) == ["steps.when.next"]
    r = client.post("/api/v1/scripts", json=body(world, steps=[]), headers=csrf)
    assert fields(r, 422) == ["steps"]
    r = client.post("/api/v1/scripts", json=body(world, name="Other"), headers=csrf)
    assert r.status_code == 201
    other = r.json()["id"]
    # a campaign follows one script
    r = client.patch(f"/api/v1/scripts/{other}", json={"campaign_ids": [campaign]}, headers=csrf)
    assert fields(r, 409) == ["campaign_ids.0"]
    r = client.patch(f"/api/v1/scripts/{other}", json={"campaign_ids": [999999]}, headers=csrf)
    assert fields(r, 404) == ["campaign_ids.0"]
    r = client.post("/api/v1/scripts", json=body(world), headers=csrf)
    assert fields(r, 409) == ["name"]

    new = steps()[:2]
    new[1]["options"][0] = {"value": "yes", "label": "Sì", "outcome": "interested"}
    r = client.patch(f"/api/v1/scripts/{s['id']}", json={"steps": new, "name": "Nuova"},
                     headers=csrf)  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Nuova" and len(r.json()["steps"]) == 2
    assert r.json()["campaign_ids"] == [campaign]
    listed = client.get("/api/v1/scripts").json()
    assert [x["name"] for x in listed["items"]] == ["Nuova", "Other"]
    assert client.delete(f"/api/v1/scripts/{s['id']}", headers=csrf).status_code == 204
    assert client.get(f"/api/v1/scripts/{s['id']}").status_code == 404


def test_other_groups_scripts_are_out_of_reach(client: TestClient, world: World) -> None:
    from centralino.services import scripts

    admin = world.admin()
    theirs = scripts.create_script(
        world.ctx, admin, {"name": "Sibling", "group_id": world.groups["T2"].id, "steps": steps()}
    )
    csrf = login(client, "actor_group_admin")
    assert client.get(f"/api/v1/scripts/{theirs.id}").status_code == 404
    assert client.get("/api/v1/scripts").json()["items"] == []
    problem(client.patch(f"/api/v1/scripts/{theirs.id}", json={"name": "x"}, headers=csrf), 404)
    # nor can a sibling's campaign or service be given my script
    r = client.post(
        "/api/v1/scripts", json=body(world, campaign_ids=[world.make_campaign("sibling")]),
        headers=csrf,
    )  # fmt: skip
    assert fields(r, 404) == ["campaign_ids.0"]
    r = client.post(
        "/api/v1/scripts", json=body(world, service_ids=[world.make_service("sibling")]),
        headers=csrf,
    )  # fmt: skip
    assert fields(r, 404) == ["service_ids.0"]
    r = client.post("/api/v1/scripts", json=body(world, group_id=world.groups["T2"].id),
                    headers=csrf)  # fmt: skip
    assert fields(r, 404) == ["group_id"]


def test_an_operator_answers_the_script_of_the_call(ctx: ServiceContext, app: Any) -> None:
    world = build_world(ctx)
    admin = world.admin()
    care = queues.create_queue(ctx, admin, "Care", world.groups["T1"].id, {"answer_timeout": 60})
    queues.set_members(ctx, admin, care.id, [(world.actors[Role.OPERATOR], 0)])
    service = inbound_services.create_service(
        ctx, admin,
        {"name": "Line", "group_id": world.groups["T1"].id, "numbers": [NUMBER], "queue": "Care",
         "menus": {"main": {"options": {"1": {"kind": "queue", "target": "Care"}},
                            "default": {"kind": "queue", "target": "Care"}}},
         "root_menu": "main"},
    )  # fmt: skip
    from centralino.services import scripts

    scripts.create_script(ctx, admin, body(world, service_ids=[service.id]))
    live = LiveCenter(ctx, bots=False)
    clock = VirtualClock(START)
    live.start(None, clock)
    live.sync()
    app.state.live = live
    op = TestClient(app)
    h = login(op, "actor_operator")
    assert op.get("/api/v1/me/phone/script").json() == {"call": None}
    assert op.post("/api/v1/me/phone/login", headers=h).status_code == 200
    clock.run(until=clock.now() + 1)
    live.sites[world.company_a].network.inbound(NUMBER, "+393331234567", Fate(talk=600, digits="1"))
    clock.run(until=clock.now() + 30)
    assert op.post("/api/v1/me/phone/answer", headers=h).status_code == 200
    clock.run(until=clock.now() + 1)
    call_id = op.get("/api/v1/me/phone").json()["call"]["call_id"]

    got = op.get("/api/v1/me/phone/script").json()["call"]
    assert got["call_id"] == call_id and got["script"]["name"] == "Offerta"
    assert got["current"] == "hello" and got["path"] == [] and not got["complete"]
    # the caller's number and the service are filled in; there is no record, so {name} stays
    assert got["script"]["steps"][0]["text"] == (
        "Buongiorno {name}, chiamo per Line dal +393331234567"
    )
    save = "/api/v1/me/phone/script"
    r = op.post(save, json={"call_id": call_id, "answers": {"hello": "", "interest": "maybe"}},
                headers=h)  # fmt: skip
    assert fields(r, 422) == ["answers.interest"]
    r = op.post(save, json={"call_id": call_id + 1, "answers": {}}, headers=h)
    assert fields(r, 409) == ["call_id"]
    r = op.post(save, json={"call_id": call_id, "answers": {"hello": "", "interest": "yes"}},
                headers=h)  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["call"]["current"] == "when" and r.json()["call"]["path"] == [
        "hello", "interest",
    ]  # fmt: skip
    # a reload re-reads them; after the hang-up (after-call work) too
    assert op.get(save).json()["call"]["answers"] == {"hello": "", "interest": "yes"}
    assert op.post("/api/v1/me/phone/hangup", headers=h).status_code == 200
    clock.run(until=clock.now() + 1)
    assert op.get("/api/v1/me/phone").json()["state"] == "wrap_up"
    answers = {"hello": "", "interest": "yes", "when": "2026-12-10"}
    r = op.post(save, json={"call_id": call_id, "answers": answers}, headers=h)
    assert r.status_code == 200, r.text
    done = r.json()["call"]
    assert done["complete"] and done["current"] is None and done["outcome"] == "appointment"

    op_id = world.actors[Role.OPERATOR]
    assert op.get("/api/v1/script-answers").status_code == 403  # no stats.read
    sup = TestClient(app)
    login(sup, "actor_supervisor")
    rows = sup.get("/api/v1/script-answers", params={"call_id": call_id}).json()["items"]
    assert len(rows) == 1
    row = rows[0]
    assert row["user_id"] == op_id and row["script_name"] == "Offerta"
    assert row["answers"] == answers and row["outcome"] == "appointment" and row["complete"]
    assert row["service"] == "Line" and row["number"] == "+393331234567"
    # a supervisor of the sibling site does not see the answers of our operator
    sibling = world.make_user("sibling", Role.SUPERVISOR)
    with ctx.uow() as uow:
        user = uow.users.get(sibling)
        assert user is not None
    other = TestClient(app)
    login(other, user.username)
    assert other.get("/api/v1/script-answers").json()["items"] == []

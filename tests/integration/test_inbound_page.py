"""The Inbound page over HTTP with the live engine on a virtual clock: simulated callers
ring stored services, bots answer; the page and its JSON show the engine's figures for
the queues the viewer may see only, and the finished calls of those queues only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from centralino.domain.roles import Role
from centralino.engine.clock import VirtualClock
from centralino.live import LiveCenter
from centralino.services import inbound_services, queues, users
from centralino.services.context import ServiceContext
from centralino.services.users import GrantRequest
from centralino.web.inbound import clock_text
from world import PASSWORD, World, build_world

START = 1_795_424_400.0  # 2026-11-23 09:00 UTC, the services' fake clock: 10:00 in Rome


def log_in(app: Any, username: str) -> TestClient:
    c = TestClient(app)
    page = c.get("/login").text
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m
    r = c.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": m.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    return c


def service(
    ctx: ServiceContext, world: World, name: str, group: str, number: str, queue: str
) -> None:
    inbound_services.create_service(
        ctx, world.admin(),
        {"name": name, "group_id": world.groups[group].id, "numbers": [number], "queue": queue,
         "welcome": "hello",
         "menus": {"main": {"options": {"1": {"kind": "queue", "target": queue}},
                            "default": {"kind": "queue", "target": queue}}},
         "root_menu": "main"},
    )  # fmt: skip


def operator(ctx: ServiceContext, world: World, group: str, username: str) -> int:
    g = world.groups[group]
    u, _ = users.create_user(
        ctx, world.admin(), group_id=g.id, username=username, display_name=username.title(),
        password=PASSWORD, roles=[GrantRequest(Role.OPERATOR, g.id)],
    )  # fmt: skip
    return u.id


@pytest.fixture
def running(ctx: ServiceContext, app: Any) -> dict[str, Any]:
    """Company A: the Care queue of team T1 (site S1), the Roma queue of the sibling site's
    team T2, the Bari queue of the partner center's team PT; each with a number, a service
    and bot operators; a Spare queue in T1 that no service reaches. Ten minutes of calls."""
    world = build_world(ctx)
    admin = world.admin()
    made = {}
    for name, group in (("Care", "T1"), ("Spare", "T1"), ("Roma", "T2"), ("Bari", "PT")):
        made[name] = queues.create_queue(ctx, admin, name, world.groups[group].id, {}).id
    ops = {
        "care1": operator(ctx, world, "T1", "care1"),
        "care2": operator(ctx, world, "T1", "care2"),
        "spare": operator(ctx, world, "T1", "spare"),
        "roma1": operator(ctx, world, "T2", "roma1"),
        "bari1": operator(ctx, world, "PT", "bari1"),
    }
    queues.set_members(ctx, admin, made["Care"], [(ops["care1"], 0), (ops["care2"], 1)])
    queues.set_members(ctx, admin, made["Spare"], [(ops["spare"], 0)])
    queues.set_members(ctx, admin, made["Roma"], [(ops["roma1"], 0)])
    queues.set_members(ctx, admin, made["Bari"], [(ops["bari1"], 0)])
    service(ctx, world, "Line", "T1", "+390611112222", "Care")
    service(ctx, world, "Line Roma", "T2", "+390611113333", "Roma")
    service(ctx, world, "Line Bari", "PT", "+390801114444", "Bari")
    partner = world.groups["P"]
    users.create_user(
        ctx, admin, group_id=partner.id, username="partner_admin", display_name="Partner Admin",
        password=PASSWORD, roles=[GrantRequest(Role.GROUP_ADMIN, partner.id)],
    )  # fmt: skip
    live = LiveCenter(ctx, bots=True, callers_per_hour=240.0)
    clock = VirtualClock(START)
    live.start(None, clock)
    live.sync()
    for _ in range(20):  # ten minutes, a pass every 30 s
        clock.run(until=clock.now() + 30.0)
        live.sync()
    center = live.center_of(world.company_a)
    assert center is not None
    center.pause(f"user:{ops['spare']}", "lunch")  # nobody calls Spare: its operator is free
    clock.run(until=clock.now() + 7.0)
    live.flush()
    app.state.live = live
    return {"world": world, "live": live, "center": center, "ops": ops, "clock": clock}


def test_the_team_leader_sees_the_live_figures_of_their_site(
    app: Any, running: dict[str, Any]
) -> None:
    center, ops = running["center"], running["ops"]
    c = log_in(app, "actor_team_leader")  # team leader on site S1
    data = c.get("/inbound/live.json").json()
    assert data["engine"] and data["running"]
    assert [q["queue"] for q in data["queues"]] == ["Care", "Spare"]  # not Roma, not Bari
    status = {s["queue"]: s for s in center.queue_status()}
    for q in data["queues"]:
        s = status[q["queue"]]
        assert (q["waiting"], q["ringing"], q["tiers"], q["strategy"]) == (
            s["waiting"], s["ringing"], s["tiers"], s["strategy"],
        )  # fmt: skip
        assert q["longest_wait_text"] == clock_text(s["longest_wait"])
        for state in ("ready", "ringing", "talking", "wrap_up", "paused"):
            assert q["operators"][state] == s["operators"].get(state, 0)
        assert q["group"] == "T1" and not q["blending"]
    assert status["Care"]["tiers"] == 2
    # operators of the visible queues only, with their state, time in it and reason
    assert [o["username"] for o in data["operators"]] == ["care1", "care2", "spare"]
    spare = data["operators"][2]
    assert spare["state"] == "paused" and spare["state_label"] == "Paused"
    assert spare["reason"] == center.pause_reasons["lunch"].label
    assert spare["in_state"] == 7.0 and spare["in_state_text"] == "00:07"
    assert spare["queues"] == ["Spare"] and spare["call"] is None
    engine = {o["operator"]: o for o in center.operator_status()}
    for o in data["operators"][:2]:
        e = engine[f"user:{ops[o['username']]}"]
        assert o["state"] == e["state"]
        if e["call"] is not None:
            assert o["call"] == {"number": e["call"]["number"], "service": "Line"}
    # the last twenty finished inbound calls of the Care queue, newest first, in Rome time
    calls = data["calls"]
    assert len(calls) == 20
    assert {x["service"] for x in calls} == {"Line"} and {x["queue"] for x in calls} == {"Care"}
    assert [x["at"] for x in calls] == sorted((x["at"] for x in calls), reverse=True)
    assert all(x["at_local"].startswith("10:") for x in calls)
    talked = next(x for x in calls if x["result"] == "talked")
    assert talked["result_label"] == "Answered" and talked["operator"] in ("care1", "care2")
    assert re.fullmatch(r"\d\d:\d\d", talked["wait_text"]) and talked["talk"] > 0
    phases = [p["phase"] for p in talked["phases"]]
    assert phases[:3] == ["arrival", "welcome", "ivr"] and "pickup" in phases
    offer = next(p for p in talked["phases"] if p["phase"] == "offer")
    assert offer["detail"] in ("care1", "care2")  # the engine's ids become usernames
    assert offer["phase_label"] == "Offered" and offer["at_local"].startswith("10:")

    html = c.get("/inbound").text
    assert 'aria-current="page">Inbound<' in html
    for text in (">Care<", ">Spare<", ">care1<", ">care2<", ">spare<", "Lunch", "+390611112222"):
        assert text in html, text
    for text in ("Roma", "Bari", "roma1", "bari1", "+390611113333", "+390801114444"):
        assert text not in html, text


def test_a_partner_center_sees_its_own_queue_and_calls_only(
    app: Any, running: dict[str, Any]
) -> None:
    c = log_in(app, "partner_admin")
    data = c.get("/inbound/live.json").json()
    assert [q["queue"] for q in data["queues"]] == ["Bari"]
    assert [o["username"] for o in data["operators"]] == ["bari1"]
    assert data["calls"] and {(x["queue"], x["service"]) for x in data["calls"]} == {
        ("Bari", "Line Bari")
    }
    html = c.get("/inbound").text
    assert ">Bari<" in html and ">bari1<" in html
    for text in ("Care", "Spare", "Roma", "care1", "spare", "Line<", "+390611112222"):
        assert text not in html, text


def test_the_page_in_italian_and_without_the_live_engine(app: Any, running: dict[str, Any]) -> None:
    c = log_in(app, "actor_supervisor")
    c.cookies.set("centralino_lang", "it")
    users.update_preferences(
        running["world"].ctx, running["world"].principal(running["world"].actors[Role.SUPERVISOR]),
        {"locale": "it"},
    )  # fmt: skip
    data = c.get("/inbound/live.json").json()
    spare = next(o for o in data["operators"] if o["username"] == "spare")
    assert spare["state_label"] == "In pausa"
    assert {x["result_label"] for x in data["calls"] if x["result"] == "talked"} == {"Risposta"}
    assert "Chiamate in attesa" in c.get("/inbound").text
    del app.state.live  # CENTRALINO_DIALER=off: no engine, the stored calls remain
    data = c.get("/inbound/live.json").json()
    assert not data["engine"] and data["operators"] == [] and data["calls"]
    assert all(q["waiting"] is None for q in data["queues"])
    assert "motore" in c.get("/inbound").text.lower()

"""Live supervision over HTTP and the event stream, with the live engine on a virtual clock:
the snapshot and the `supervision.*` events stay inside the viewer's subtree (no sibling
site's, partner's or other company's operator, queue or campaign), and a supervisor's
force pause, force logout, message and listen / whisper / barge reach only operators
they may supervise, audited."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import login, problem
from sqlalchemy import select

from centralino.domain.roles import Role
from centralino.engine.clock import VirtualClock
from centralino.live import LiveCenter
from centralino.services import campaigns, inbound_services, queues, users
from centralino.services.context import ServiceContext
from centralino.services.users import GrantRequest
from centralino.store.tables import audit_log
from centralino.telephony.port import MonitorMode
from centralino.telephony.sim.network import Fate
from world import PASSWORD, World, build_world

START = 1_795_424_400.0  # 2026-11-23 09:00 UTC, the services' fake clock too
NUMBER = "+390611112222"
FAR = "+48221112222"
SUP = "/api/v1/supervision"


class Room:
    """The world with its live engine, and one logged-in HTTP client per username."""

    def __init__(self, world: World, live: LiveCenter, clock: VirtualClock, app: Any) -> None:
        self.world, self.live, self.clock, self.app = world, live, clock, app
        self.clients: dict[str, tuple[TestClient, dict[str, str]]] = {}
        self.names: dict[str, int] = {}

    def as_(self, username: str) -> tuple[TestClient, dict[str, str]]:
        if username not in self.clients:
            c = TestClient(self.app)
            self.clients[username] = (c, login(c, username))
        return self.clients[username]

    def post(self, username: str, path: str, body: Any = None) -> Any:
        c, h = self.as_(username)
        return c.post(path, json=body, headers=h)

    def phone(self, username: str, action: str, body: Any = None) -> Any:
        r = self.post(username, f"/api/v1/me/phone/{action}", body)
        assert r.status_code == 200, r.text
        return r.json()

    def snapshot(self, username: str) -> dict[str, Any]:
        c, _ = self.as_(username)
        r = c.get(SUP)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def run(self, seconds: float) -> None:
        self.clock.run(until=self.clock.now() + seconds)

    def caller(self, number: str, company: int | None = None, dialed: str = NUMBER) -> None:
        site = self.live.sites[company or self.world.company_a]
        site.network.inbound(dialed, number, Fate(talk=600.0, digits="1"))


def _user(ctx: ServiceContext, w: World, group: str, name: str, role: Role) -> int:
    g = w.groups[group]
    u, _ = users.create_user(
        ctx, w.admin(), group_id=g.id, username=name, display_name=name.title(),
        password=PASSWORD, roles=[GrantRequest(role, g.id)],
    )  # fmt: skip
    return u.id


def _service(ctx: ServiceContext, w: World, name: str, group: str, number: str, queue: str) -> None:
    menu = {"options": {"1": {"kind": "queue", "target": queue}},
            "default": {"kind": "queue", "target": queue}}  # fmt: skip
    inbound_services.create_service(
        ctx, w.admin(),
        {"name": name, "group_id": w.groups[group].id, "numbers": [number], "queue": queue,
         "menus": {"main": menu}, "root_menu": "main"},
    )  # fmt: skip


@pytest.fixture
def room(ctx: ServiceContext, app: Any) -> Room:
    """Company A: queue Care (team T1: the operator actor; the partner's operator in tier 1)
    with the service Line, queue Side (sibling team T2: a sibling operator), an active
    campaign in T1 and one in T2; company B: queue Far with its own operator."""
    w = build_world(ctx)
    admin = w.admin()
    ids = {
        "sibling_op": _user(ctx, w, "T2", "sibling_op", Role.OPERATOR),
        "partner_op": _user(ctx, w, "PT", "partner_op", Role.OPERATOR),
        "far_op": _user(ctx, w, "SB", "far_op", Role.OPERATOR),
        "partner_sup": _user(ctx, w, "P", "partner_sup", Role.SUPERVISOR),
    }
    op = w.actors[Role.OPERATOR]
    care = queues.create_queue(ctx, admin, "Care", w.groups["T1"].id, {"answer_timeout": 60})
    queues.set_members(ctx, admin, care.id, [(op, 0), (ids["partner_op"], 1)])
    side = queues.create_queue(ctx, admin, "Side", w.groups["T2"].id, {})
    queues.set_members(ctx, admin, side.id, [(ids["sibling_op"], 0)])
    far = queues.create_queue(ctx, admin, "Far", w.groups["SB"].id, {})
    queues.set_members(ctx, admin, far.id, [(ids["far_op"], 0)])
    _service(ctx, w, "Line", "T1", NUMBER, "Care")
    _service(ctx, w, "FarLine", "SB", FAR, "Far")
    for team, name in (("T1", "Own offer"), ("T2", "Sibling offer")):
        c = campaigns.create_campaign(
            ctx, admin, {"name": name, "group_id": w.groups[team].id, "dial_mode": "manual"}
        )
        campaigns.update_campaign(ctx, admin, c.id, {"state": "active"})
    live = LiveCenter(ctx, bots=False)
    clock = VirtualClock(START)
    live.start(None, clock)
    live.sync()
    app.state.live = live
    r = Room(w, live, clock, app)
    r.names = {"operator": op, **ids}
    for who in ("actor_operator", "sibling_op", "partner_op", "far_op"):
        r.phone(who, "login")
    r.run(1.0)
    live.sync()  # the supervision's store facts (made on first use: see the tests)
    return r


def _names(snap: dict[str, Any]) -> tuple[set[str], set[str], set[str], set[str]]:
    return (
        {o["username"] for o in snap["operators"]}, {q["queue"] for q in snap["queues"]},
        {s["service"] for s in snap["services"]}, {c["name"] for c in snap["campaigns"]},
    )  # fmt: skip


def test_the_snapshot_shows_only_the_viewers_subtree(room: Room) -> None:
    sup = room.snapshot("actor_supervisor")
    assert sup["engine"] and sup["seq"] >= 1
    assert _names(sup) == ({"actor_operator"}, {"Care"}, {"Line"}, {"Own offer"})
    assert _names(room.snapshot("actor_team_leader")) == _names(sup)
    assert _names(room.snapshot("partner_sup")) == ({"partner_op"}, set(), set(), set())
    everything = _names(room.snapshot("sysadmin"))
    assert everything[0] == {"actor_operator", "sibling_op", "partner_op", "far_op"}
    assert everything[1] == {"Care", "Side", "Far"}
    assert everything[3] == {"Own offer", "Sibling offer"}
    (me,) = sup["operators"]
    assert (me["state"], me["name"], me["queues"], me["call"]) == (
        "ready", "Actor operator", ["Care"], None,
    )  # fmt: skip
    (care,) = sup["queues"]
    # the partner's operator counts in the queue, though only the partner sees who it is
    assert (care["waiting"], care["ready"], care["busy"], care["logged_in"]) == (0, 2, 0, 2)
    assert {r["code"] for r in sup["pause_reasons"]} >= {"lunch", "coffee"}
    for who in ("actor_operator", "actor_back_office", "actor_client"):
        c, _ = room.as_(who)
        problem(c.get(SUP), 403)
    problem(TestClient(room.app).get(SUP), 401)


def test_a_waiting_caller_and_a_call_in_hand(room: Room) -> None:
    room.snapshot("actor_supervisor")  # supervision starts
    room.phone("actor_operator", "pause", {"reason": "lunch"})
    room.phone("partner_op", "pause", {"reason": "coffee"})
    room.caller("+393331234567")
    room.run(30.0)
    snap = room.snapshot("actor_supervisor")
    (care,) = snap["queues"]
    assert care["waiting"] == 1 and care["oldest_since"] and care["paused"] == 2
    (line,) = snap["services"]
    assert (line["waiting"], line["in_ivr"], line["numbers"]) == (1, 0, [NUMBER])
    (me,) = snap["operators"]
    assert (me["state"], me["reason"], me["limit_seconds"], me["over_limit"]) == (
        "paused", "lunch", 3600.0, False,
    )  # fmt: skip
    room.phone("actor_operator", "ready")
    room.phone("actor_operator", "answer")
    room.run(1.0)
    (me,) = room.snapshot("actor_supervisor")["operators"]
    assert me["state"] == "talking" and me["talking"]
    assert me["call"]["number"] == "+393331234567" and me["call"]["queue"] == "Care"
    assert me["call"]["service"] == "Line" and me["call"]["since"]
    room.phone("actor_operator", "hangup")
    room.run(1.0)
    room.phone("actor_operator", "wrap-up", {})  # the call's record is complete
    snap = room.snapshot("actor_supervisor")
    (care,), (line,) = snap["queues"], snap["services"]
    # waited over half a minute, more than the queue's 20-second target
    day = ("offered_today", "answered_today", "abandoned_today", "service_level_today")
    assert tuple(care[k] for k in day) == (1, 1, 0, 0.0)
    assert tuple(line[k] for k in day) == (1, 1, 0, 0.0)
    room.live.flush()  # stored: a supervision started now reads today's figures back
    room.app.state.supervision = None
    snap = room.snapshot("actor_supervisor")
    assert tuple(snap["queues"][0][k] for k in day) == (1, 1, 0, 0.0)
    assert tuple(snap["services"][0][k] for k in day) == (1, 1, 0, 0.0)


def _until_pong(ws: Any) -> list[dict[str, Any]]:
    ws.send_text("ping")
    seen = []
    while (msg := ws.receive_json())["kind"] != "pong":
        seen.append(msg)
    return seen


def test_supervision_events_stay_inside_the_subtree(room: Room) -> None:
    room.snapshot("sysadmin")
    sup, _ = room.as_("actor_supervisor")
    partner, _ = room.as_("partner_sup")
    with (
        sup.websocket_connect("/api/v1/events") as ws,
        partner.websocket_connect("/api/v1/events") as pws,
    ):
        assert ws.receive_json()["kind"] == "hello"
        assert pws.receive_json()["kind"] == "hello"
        for who in ("actor_operator", "sibling_op", "partner_op", "far_op"):
            room.phone(who, "pause", {"reason": "coffee"})
        room.caller("+393330000001")
        room.caller("+48600000001", room.world.company_b, FAR)
        room.run(30.0)
        seen, partner_seen = _until_pong(ws), _until_pong(pws)
        assert all(m["kind"].startswith("supervision.") for m in seen)
        ops = {m["payload"]["username"] for m in seen if m["kind"] == "supervision.operator"}
        assert ops == {"actor_operator"}
        assert {m["payload"]["queue"] for m in seen if m["kind"] == "supervision.queue"} == {"Care"}
        assert {m["group_path"] for m in seen} <= {
            room.world.groups["T1"].path, room.world.groups["S1"].path,
        }  # fmt: skip
        assert [m["payload"]["state"] for m in seen if m["kind"] == "supervision.operator"][
            -1
        ] == "paused"
        assert {m["payload"].get("username") for m in partner_seen} == {"partner_op"}
        assert min(m["payload"]["seq"] for m in seen) > 0


def test_force_pause_and_logout_are_audited_and_reach_the_operator(
    ctx: ServiceContext, room: Room
) -> None:
    op = room.names["operator"]
    mine, _ = room.as_("actor_operator")
    with mine.websocket_connect("/api/v1/events") as ws:
        assert ws.receive_json()["kind"] == "hello"
        r = room.post("actor_team_leader", f"{SUP}/operators/{op}/pause", {"reason": "training"})
        assert r.status_code == 200 and r.json() == {"user_id": op, "result": "paused"}
        msg = ws.receive_json()
        assert (msg["kind"], msg["payload"]["state"], msg["payload"]["reason"]) == (
            "phone.state", "paused", "training",
        )  # fmt: skip
        r = room.post("actor_supervisor", f"{SUP}/operators/{op}/message", {"text": " Call me "})
        assert r.status_code == 200 and r.json()["result"] == "sent"
        msg = ws.receive_json()
        assert msg["kind"] == "phone.message"
        assert msg["payload"] == {
            "from": "actor_supervisor", "from_name": "Actor supervisor", "text": "Call me",
        }  # fmt: skip
    problem(room.post("actor_supervisor", f"{SUP}/operators/{op}/pause", {"reason": "nap"}), 422)
    problem(room.post("actor_supervisor", f"{SUP}/operators/{op}/message", {"text": ""}), 422)
    r = room.post("actor_supervisor", f"{SUP}/operators/{op}/logout")
    assert r.json() == {"user_id": op, "result": "logged_out"}
    room.run(1.0)
    (me,) = room.snapshot("actor_supervisor")["operators"]
    assert me["state"] == "logged_out"
    problem(room.post("actor_supervisor", f"{SUP}/operators/{op}/logout"), 409)
    problem(room.post("actor_supervisor", f"{SUP}/operators/{op}/pause", {}), 409)
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.actor_name, audit_log.c.entity, audit_log.c.after)
            .where(audit_log.c.entity == "supervisor_action")
            .order_by(audit_log.c.id)
        ).all()
    assert [(a, r["action"]) for a, _, r in rows] == [
        ("actor_team_leader", "force_pause"), ("actor_supervisor", "message"),
        ("actor_supervisor", "force_logout"),
    ]  # fmt: skip


def test_a_forced_pause_passes_a_ringing_call_on(room: Room) -> None:
    op, partner = room.names["operator"], room.names["partner_op"]
    room.caller("+393337777777")
    room.run(30.0)  # rings to the operator (tier 0), who does not answer
    site = room.live.sites[room.world.company_a]
    assert site.center.operator(f"user:{op}").presence.state.value == "ringing"
    url = f"{SUP}/operators/{op}/pause"
    problem(room.post("actor_supervisor", url, {"reason": "nap"}), 422)
    assert site.center.operator(f"user:{op}").presence.state.value == "ringing"
    r = room.post("actor_supervisor", url, {"reason": "meeting"})
    assert r.json() == {"user_id": op, "result": "paused"}
    room.run(25.0)  # the caller waits for tier 1 (the partner's operator), then rings there
    theirs = site.center.operator(f"user:{partner}")
    assert theirs.offer is not None and theirs.offer.record.number == "+393337777777"


def test_nobody_touches_an_operator_outside_their_subtree(room: Room) -> None:
    n = room.names
    for who, target, status in (
        ("actor_team_leader", n["sibling_op"], 404),  # a sibling site
        ("actor_supervisor", n["far_op"], 404),  # another company
        ("partner_sup", n["operator"], 404),  # the partner's supervisor, the parent's operator
        ("actor_operator_supervisor", n["operator"], 403),  # sees, may not act
        ("actor_operator", n["operator"], 404),  # operators see nobody
    ):
        for action, body in (("pause", {"reason": "lunch"}), ("logout", None),
                             ("message", {"text": "hi"}), ("monitor", {"mode": "listen"})):  # fmt: skip
            problem(room.post(who, f"{SUP}/operators/{target}/{action}", body), status)
    r = room.post("partner_sup", f"{SUP}/operators/{n['partner_op']}/pause", {"reason": "lunch"})
    assert r.status_code == 200 and r.json()["result"] == "paused"
    r = room.post("sysadmin", f"{SUP}/operators/{n['far_op']}/logout")
    assert r.status_code == 200 and r.json()["result"] == "logged_out"


def test_listen_whisper_and_barge_on_the_operators_call(room: Room) -> None:
    op = room.names["operator"]
    site = room.live.sites[room.world.company_a]
    url = f"{SUP}/operators/{op}/monitor"
    problem(room.post("actor_supervisor", url, {"mode": "listen"}), 409)  # not on a call
    problem(room.post("actor_supervisor", url, {"mode": "spy"}), 422)
    room.phone("actor_operator", "auto-answer", {"on": True})
    room.caller("+393339999999")
    room.run(30.0)
    r = room.post("actor_supervisor", url, {"mode": "listen"})
    assert r.status_code == 200, r.text
    assert r.json() == {"user_id": op, "mode": "listen", "connected": False}
    room.run(0.5)  # the supervisor's phone answers: joined to the operator's line
    op_leg = site.center.operator(f"user:{op}").leg
    ((sup_leg, (target, mode)),) = site.network.monitors.items()
    assert (target, mode) == (op_leg, MonitorMode.LISTEN)
    assert room.snapshot("actor_supervisor")["monitor"] == {
        "user_id": op, "mode": "listen", "connected": True,
    }  # fmt: skip
    for how in ("whisper", "barge"):
        r = room.post("actor_supervisor", url, {"mode": how})
        assert r.json() == {"user_id": op, "mode": how, "connected": True}
        assert site.network.monitors[sup_leg] == (op_leg, MonitorMode(how))
    assert room.snapshot("actor_team_leader")["monitor"] is None  # the supervisor's own
    room.phone("actor_operator", "hangup")  # the call ends: so does the listening
    room.run(1.0)
    assert site.network.monitors == {}
    assert room.snapshot("actor_supervisor")["monitor"] is None
    c, h = room.as_("actor_supervisor")
    problem(c.delete(url, headers=h), 409)
    room.phone("actor_operator", "wrap-up", {})
    room.caller("+393338888888")
    room.run(30.0)
    assert room.post("actor_supervisor", url, {"mode": "listen"}).status_code == 200
    room.run(0.5)
    assert len(site.network.monitors) == 1
    assert c.delete(url, headers=h).status_code == 204
    room.run(0.5)
    assert site.network.monitors == {}


def test_engine_off(room: Room, app: Any) -> None:
    del app.state.live
    snap = room.snapshot("actor_supervisor")
    assert snap["engine"] is False and snap["operators"] == []
    op = room.names["operator"]
    problem(room.post("actor_supervisor", f"{SUP}/operators/{op}/pause", {}), 503)
    r = room.post("actor_supervisor", f"{SUP}/operators/{op}/message", {"text": "still here"})
    assert r.status_code == 200

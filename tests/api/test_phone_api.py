"""The operator's own phone session over HTTP (/api/v1/me/phone) with the live engine on a
virtual clock: log in, take a simulated caller, hang up, wrap up, pause, resume, log out;
bad moves are 409 problems, another user's session is out of reach, and the events of
my phone reach me only."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import login, problem
from sqlalchemy import select

from centralino.domain.roles import Role
from centralino.engine.clock import VirtualClock
from centralino.live import LiveCenter
from centralino.services import inbound_services, queues
from centralino.services.context import ServiceContext
from centralino.store.tables import calls as calls_t
from centralino.telephony.sim.network import Fate
from world import World, build_world

START = 1_795_424_400.0  # 2026-11-23 09:00 UTC
NUMBER = "+390611112222"
ME = "/api/v1/me/phone"


class Desk:
    """The engine, the clock and one logged-in HTTP client per username."""

    def __init__(self, world: World, live: LiveCenter, clock: VirtualClock, app: Any) -> None:
        self.world, self.live, self.clock, self.app = world, live, clock, app
        self.clients: dict[str, tuple[TestClient, dict[str, str]]] = {}

    def as_(self, username: str) -> tuple[TestClient, dict[str, str]]:
        if username not in self.clients:
            c = TestClient(self.app)
            self.clients[username] = (c, login(c, username))
        return self.clients[username]

    def post(self, username: str, action: str, body: Any = None) -> Any:
        c, h = self.as_(username)
        return c.post(f"{ME}/{action}", json=body, headers=h)

    def get(self, username: str) -> dict[str, Any]:
        c, _ = self.as_(username)
        r = c.get(ME)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def run(self, seconds: float) -> None:
        self.clock.run(until=self.clock.now() + seconds)

    def caller(self, number: str, talk: float = 600.0) -> None:
        site = self.live.sites[self.world.company_a]
        site.network.inbound(NUMBER, number, Fate(talk=talk, digits="1"))


@pytest.fixture
def desk(ctx: ServiceContext, app: Any) -> Desk:
    """Queue Care of team T1 with the operator and operator-supervisor actors in it, and a
    service on NUMBER with a screen pop; the live engine without bots on a virtual clock."""
    world = build_world(ctx)
    admin = world.admin()
    care = queues.create_queue(ctx, admin, "Care", world.groups["T1"].id, {"answer_timeout": 60})
    queues.set_members(
        ctx, admin, care.id,
        [(world.actors[Role.OPERATOR], 0), (world.actors[Role.OPERATOR_SUPERVISOR], 0)],
    )  # fmt: skip
    inbound_services.create_service(
        ctx, admin,
        {"name": "Line", "group_id": world.groups["T1"].id, "numbers": [NUMBER], "queue": "Care",
         "menus": {"main": {"options": {"1": {"kind": "queue", "target": "Care"}},
                            "default": {"kind": "queue", "target": "Care"}}},
         "root_menu": "main", "screen_pop": "https://crm.example/find?tel={caller}"},
    )  # fmt: skip
    live = LiveCenter(ctx, bots=False)
    clock = VirtualClock(START)
    live.start(None, clock)
    live.sync()
    app.state.live = live
    return Desk(world, live, clock, app)


def test_an_operator_works_a_call_from_login_to_logout(ctx: ServiceContext, desk: Desk) -> None:
    op = "actor_operator"
    uid = desk.world.actors[Role.OPERATOR]
    mine = desk.get(op)
    assert mine["state"] == "logged_out" and mine["operator"] == f"user:{uid}"
    r = desk.post(op, "login")
    assert r.status_code == 200, r.text
    assert r.json()["queues"] == [{"queue": "Care", "tier": 0}]
    desk.run(1.0)  # the phone answers: ready
    mine = desk.get(op)
    assert mine["state"] == "ready" and mine["since"] and not mine["auto_answer"]
    problem(desk.post(op, "answer"), 409)  # nothing rings
    problem(desk.post(op, "hangup"), 409)
    problem(desk.post(op, "wrap-up", {"outcome": "sold"}), 409)
    problem(desk.post(op, "transfer/complete"), 409)

    desk.caller("+393331234567")
    desk.run(30.0)  # welcome, menu, queue: offered to me, not answered by itself
    mine = desk.get(op)
    assert mine["state"] == "ringing" and mine["call"] is None
    assert mine["ringing"] == {
        "call_id": mine["ringing"]["call_id"], "direction": "inbound",
        "number": "+393331234567", "service": "Line", "queue": "Care",
        "screen_pop": "https://crm.example/find?tel=%2B393331234567",
    }  # fmt: skip
    problem(desk.post(op, "pause", {"reason": "lunch"}), 409)  # ringing: answer first
    assert desk.post(op, "answer").status_code == 200
    desk.run(1.0)
    mine = desk.get(op)
    assert mine["state"] == "talking" and mine["ringing"] is None
    assert mine["call"]["number"] == "+393331234567"

    assert desk.post(op, "hangup").status_code == 200
    desk.run(1.0)
    mine = desk.get(op)
    assert mine["state"] == "wrap_up" and mine["call"]["number"] == "+393331234567"
    r = desk.post(op, "wrap-up", {"outcome": "solved", "positive": True, "notes": "new router"})
    assert r.status_code == 200 and r.json()["state"] == "ready" and r.json()["call"] is None
    desk.live.flush()
    with ctx.engine.connect() as conn:
        (stored,) = conn.execute(select(calls_t).where(calls_t.c.number == "+393331234567"))
    assert (stored.result, stored.outcome, stored.positive, stored.user_id) == (
        "talked", "solved", True, uid,
    )  # fmt: skip
    phases = [(p[1], p[2]) for p in stored.phases]
    assert ("operator_hangup", op) in phases and ("notes", "new router") in phases
    assert [p for p, _ in phases][-1] == "notes"

    problem(desk.post(op, "pause", {"reason": "no-such-reason"}), 422)
    r = desk.post(op, "pause", {"reason": "lunch"})
    assert r.status_code == 200
    assert (r.json()["state"], r.json()["reason"]) == ("paused", "lunch")
    assert r.json()["reason_label"]
    desk.caller("+393330000001")
    desk.run(30.0)
    assert desk.get(op)["ringing"] is None  # paused: nothing is offered
    r = desk.post(op, "ready")
    assert r.status_code == 200 and r.json()["state"] == "ringing"  # the waiting caller
    r = desk.post(op, "auto-answer", {"on": True})
    assert r.json()["auto_answer"] is True
    assert desk.post(op, "answer").status_code == 200
    desk.run(1.0)
    r = desk.post(op, "logout")  # on a call: after it
    assert r.json()["state"] == "talking" and r.json()["logout_pending"]
    desk.post(op, "hangup")
    desk.run(1.0)
    r = desk.post(op, "wrap-up", {"outcome": "info"})
    assert r.json()["state"] == "logged_out"
    problem(desk.post(op, "ready"), 409)
    problem(desk.post(op, "pause", {"reason": "lunch"}), 409)


def test_a_consulted_transfer_to_a_colleague(desk: Desk) -> None:
    me, colleague = "actor_operator", "actor_operator_supervisor"
    other = desk.world.actors[Role.OPERATOR_SUPERVISOR]
    desk.post(me, "login")
    desk.run(1.0)
    desk.post(me, "auto-answer", {"on": True})
    desk.caller("+393331111111")
    desk.run(30.0)
    assert desk.get(me)["state"] == "talking"
    problem(desk.post(me, "transfer", {"target": f"operator:{other}", "mode": "consult"}), 409)
    desk.post(colleague, "login")  # not logged in before: 409 above
    desk.run(1.0)
    problem(desk.post(me, "transfer", {"target": "operator:999999", "mode": "blind"}), 422)
    r = desk.post(me, "transfer", {"target": f"operator:{other}", "mode": "consult"})
    assert r.status_code == 200, r.text
    assert r.json()["consulting"] == f"operator:{other}"
    problem(desk.post(me, "hangup"), 409)  # consulting: complete or cancel first
    assert desk.get(colleague)["state"] == "reserved"
    assert desk.post(me, "conference").status_code == 200
    r = desk.post(me, "transfer/complete")
    assert r.status_code == 200 and r.json()["state"] == "wrap_up"
    desk.run(1.0)
    theirs = desk.get(colleague)
    assert theirs["state"] == "talking" and theirs["call"]["number"] == "+393331111111"
    assert desk.post(me, "wrap-up", {}).json()["state"] == "ready"


def test_each_acts_on_their_own_phone_only(desk: Desk) -> None:
    desk.post("actor_operator", "login")
    desk.run(1.0)
    desk.caller("+393332222222")
    desk.run(30.0)
    assert desk.get("actor_operator")["state"] == "ringing"
    # a colleague cannot answer, pause or log out my phone: theirs is logged out
    other = "actor_operator_supervisor"
    problem(desk.post(other, "answer"), 409)
    problem(desk.post(other, "pause", {"reason": "lunch"}), 409)
    assert desk.post(other, "logout").json()["state"] == "logged_out"
    assert desk.get(other)["ringing"] is None
    assert desk.get("actor_operator")["state"] == "ringing"


def test_access_and_engine_off(desk: Desk, app: Any) -> None:
    for who in ("actor_back_office", "actor_client"):
        problem(desk.post(who, "login"), 403)
        c, _ = desk.as_(who)
        problem(c.get(ME), 403)
    problem(TestClient(app).get(ME), 401)
    problem(desk.post("actor_operator", "pause", {"reason": "x", "extra": 1}), 422)
    del app.state.live  # CENTRALINO_DIALER=off
    body = problem(desk.post("actor_operator", "login"), 503)
    assert "off" in body["detail"]


def test_my_phone_events_reach_me_only(desk: Desk, app: Any) -> None:
    mine, _ = desk.as_("actor_operator")
    theirs, _ = desk.as_("actor_operator_supervisor")
    with (
        mine.websocket_connect("/api/v1/events") as ws,
        theirs.websocket_connect("/api/v1/events") as other,
    ):
        assert ws.receive_json()["kind"] == "hello"
        assert other.receive_json()["kind"] == "hello"
        desk.post("actor_operator", "login")
        desk.run(1.0)
        desk.caller("+393333333333")
        desk.run(30.0)
        kinds = []
        while len(kinds) < 3:
            msg = ws.receive_json()
            kinds.append((msg["kind"], msg["payload"].get("state") or msg["payload"].get("number")))
        assert kinds == [
            ("phone.state", "ready"), ("phone.state", "ringing"),
            ("phone.offer", "+393333333333"),
        ]  # fmt: skip
        other.send_text("ping")
        assert other.receive_json()["kind"] == "pong"  # nothing of my phone before the pong


def test_with_bots_a_person_is_left_alone_and_bots_still_answer(
    ctx: ServiceContext, app: Any
) -> None:
    """The demo: every queue member starts as a bot; who logs in from the panel is a
    person from then on (no bot resumes their pause), and the bots answer as before."""
    world = build_world(ctx)
    admin = world.admin()
    care = queues.create_queue(ctx, admin, "Care", world.groups["T1"].id, {})
    bot = world.actors[Role.OPERATOR_SUPERVISOR]
    queues.set_members(ctx, admin, care.id, [(world.actors[Role.OPERATOR], 0), (bot, 0)])
    inbound_services.create_service(
        ctx, admin,
        {"name": "Line", "group_id": world.groups["T1"].id, "numbers": [NUMBER], "queue": "Care"},
    )  # fmt: skip
    live = LiveCenter(ctx, bots=True, callers_per_hour=0.0)
    clock = VirtualClock(START)
    live.start(None, clock)
    live.sync()
    clock.run(until=START + 1.0)
    app.state.live = live
    d = Desk(world, live, clock, app)
    assert d.post("actor_operator", "login").json()["state"] == "ready"  # a bot's line, kept
    d.post("actor_operator", "pause", {"reason": "lunch"})
    d.caller("+393334444444", talk=60.0)
    d.run(20.0)
    center = live.center_of(world.company_a)
    assert center is not None
    assert center.presences()[f"user:{bot}"].state.value == "talking"  # answered by itself
    for _ in range(10):  # five minutes: a bot would have been back long ago
        d.run(30.0)
        live.sync()
    mine = d.get("actor_operator")
    assert (mine["state"], mine["reason"]) == ("paused", "lunch")
    assert center.presences()[f"user:{bot}"].state.value == "ready"  # wrapped up by its bot

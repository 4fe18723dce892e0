"""The operator's outbound desk over HTTP (/api/v1/me/desk) with the live engine on a
virtual clock: a record offered in preview with every imported column in the file's
order, skipped with a reason, the next one dialed, talked to and wrapped up with an
outcome and a callback for myself in one action (each bad field named), the history
and my day; manual mode lists due callbacks first and dials the record picked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from helpers import login, problem
from sqlalchemy import insert, select, update

from centralino.domain.outbound.callbacks import Callback, CallbackScope
from centralino.domain.roles import Role
from centralino.engine.clock import VirtualClock
from centralino.live import LiveCenter
from centralino.services import campaigns
from centralino.services import desk as desk_service
from centralino.services.context import ServiceContext
from centralino.store.tables import attempts, audit_log, contact_lists, records
from centralino.store.tables import calls as calls_table
from centralino.telephony.sim.network import Fate
from world import World, build_world

START = 1_795_424_400.0  # 2026-11-23 09:00 UTC, as the services' fake clock
ME = "/api/v1/me"
COLUMNS = ["Telefono", "Nome", "Città", "Offerta", "Note"]
ROME = ZoneInfo("Europe/Rome")


class Floor:
    """The world, one campaign worked by the operator, the engine and the operator's client."""

    def __init__(self, world: World, live: LiveCenter, clock: VirtualClock, app: Any) -> None:
        self.world, self.live, self.clock = world, live, clock
        self.client = TestClient(app)
        self.headers = login(self.client, "actor_operator")

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(f"{ME}/{path}", json=body, headers=self.headers)

    def get(self, path: str, **params: Any) -> Any:
        r = self.client.get(f"{ME}/{path}", params=params)
        assert r.status_code == 200, r.text
        return r.json()

    def run(self, seconds: float) -> None:
        self.clock.run(until=self.clock.now() + seconds)


def _campaign(ctx: ServiceContext, w: World, mode: str, names: list[str]) -> tuple[int, list[int]]:
    """An active campaign of the operator in `mode`, with one list of the given contacts
    (their data in another order than the file's columns)."""
    cid = w.make_campaign("own")
    admin = w.admin()
    campaigns.update_campaign(
        ctx, admin, cid,
        {"dial_mode": mode, "operator_ids": [w.actors[Role.OPERATOR]]},
    )  # fmt: skip
    campaigns.update_campaign(ctx, admin, cid, {"state": "active"})
    now = ctx.now()
    ids = []
    with ctx.uow() as uow:
        list_id = uow.conn.execute(
            insert(contact_lists)
            .values(
                campaign_id=cid, name="Clienti novembre", priority=5, is_active=True,
                columns=COLUMNS, created_at=now,
            )
            .returning(contact_lists.c.id)
        ).scalar_one()  # fmt: skip
        for i, name in enumerate(names):
            ids.append(
                uow.conn.execute(
                    insert(records)
                    .values(
                        campaign_id=cid, list_id=list_id, row_number=i + 2,
                        phone=f"+3906555000{i:02d}", phone_raw=f"06 555000{i:02d}", name=name,
                        email=None, timezone="Europe/Rome",
                        data={"Offerta": f"casa {i}", "Città": "Forlì", "Nome": name},
                        priority=9 - i, state="new", attempts=0, created_at=now,
                    )
                    .returning(records.c.id)
                ).scalar_one()
            )  # fmt: skip
        uow.commit()
    return cid, ids


def _floor(ctx: ServiceContext, app: Any, world: World) -> Floor:
    live = LiveCenter(ctx, bots=False)
    live._fate = lambda number: Fate(ring=3.0, talk=600.0)  # type: ignore[method-assign]
    clock = VirtualClock(START)
    live.start(None, clock)
    live.sync()
    app.state.live = live
    return Floor(world, live, clock, app)


@pytest.fixture
def preview(ctx: ServiceContext, app: Any) -> tuple[Floor, int, list[int]]:
    world = build_world(ctx)
    cid, ids = _campaign(ctx, world, "preview", ["Anna Bianchi", "Bruno Neri", "Carla Verdi"])
    return _floor(ctx, app, world), cid, ids


def test_preview_skip_dial_and_wrap_up_with_a_callback(
    ctx: ServiceContext, preview: tuple[Floor, int, list[int]]
) -> None:
    f, cid, (first, second, third) = preview
    me = f.world.actors[Role.OPERATOR]
    assert f.get("desk") == {"hand": None, "card": None}  # logged out: nothing in hand
    assert f.post("phone/login").status_code == 200
    f.run(1.0)  # ready: the first record is shown, not dialed
    desk = f.get("desk")
    assert desk["hand"]["kind"] == "preview" and desk["hand"]["record_id"] == first
    assert desk["hand"]["state"] == "reserved" and desk["hand"]["campaign_id"] == cid
    card = desk["card"]
    rec = card["record"]
    assert (rec["name"], rec["phone"], rec["list"]) == ("Anna Bianchi", "+390655500000",
                                                        "Clienti novembre")  # fmt: skip
    assert rec["campaign_id"] == cid and rec["dial_mode"] == "preview"
    assert [c["name"] for c in rec["columns"]] == COLUMNS  # the file's order, not the data's
    assert [c["value"] for c in rec["columns"]] == [None, "Anna Bianchi", "Forlì", "casa 0", None]
    assert [a["result"] for a in card["attempts"]] == ["in_progress"]  # the lease's attempt
    assert card["callbacks"] == []
    codes = {o["code"]: o for o in card["outcomes"]}
    assert "busy" not in codes and codes["callback"]["needs_date"] and codes["positive"]["positive"]

    problem(f.post("desk/preview/skip", {}), 422)
    problem(f.post("desk/preview/skip", {"reason": ""}), 422)
    r = f.post("desk/preview/skip", {"reason": "customer of another team"})
    assert r.status_code == 200, r.text
    assert r.json()["hand"]["record_id"] == second  # the next one, at once
    with ctx.engine.connect() as conn:
        skipped = conn.execute(select(records).where(records.c.id == first)).one()
        assert conn.execute(select(attempts).where(attempts.c.record_id == first)).all() == []
        (entry,) = conn.execute(
            select(audit_log).where(audit_log.c.entity == "record", audit_log.c.entity_id == str(first))
        )  # fmt: skip
    assert (skipped.state, skipped.attempts, skipped.lock_token) == ("scheduled", 0, None)
    assert skipped.next_at == ctx.now() + desk_service.SKIP_DELAY
    assert entry.after["skipped"] == "customer of another team"

    r = f.post("desk/preview/dial")
    assert r.status_code == 200 and r.json()["hand"]["kind"] == "call"
    assert r.json()["card"]["record"]["record_id"] == second  # still shown while it rings
    problem(f.post("desk/preview/dial"), 409)  # nothing shown any more
    f.run(5.0)  # answered: straight to me
    assert f.get("phone")["state"] == "talking"
    desk = f.get("desk")
    call_id = desk["hand"]["call_id"]
    assert desk["hand"]["direction"] == "outbound" and desk["card"]["record"]["record_id"] == second
    problem(f.post("desk/wrap-up", {"call_id": call_id}), 409)  # still talking
    f.run(30.0)
    assert f.post("phone/hangup").status_code == 200
    f.run(1.0)
    assert f.get("phone")["state"] == "wrap_up"

    tomorrow = (ctx.now() + timedelta(days=1)).astimezone(ROME).replace(tzinfo=None)
    due_local = tomorrow.replace(hour=15, minute=30, second=0, microsecond=0)
    bad: list[tuple[dict[str, Any], str]] = [
        ({"call_id": call_id + 99}, "call_id"),
        ({"call_id": call_id, "outcome": "sold_out"}, "outcome"),
        ({"call_id": call_id, "outcome": "callback"}, "callback.due_at"),
        ({"call_id": call_id, "outcome": "positive",
          "callback": {"due_at": due_local.isoformat()}}, "outcome"),
        ({"call_id": call_id, "callback": {"due_at": "2026-11-22T10:00:00"}}, "callback.due_at"),
        ({"call_id": call_id, "callback": {"due_at": due_local.isoformat(), "for": "colleague"}},
         "callback.user_id"),
        ({"call_id": call_id, "callback": {"due_at": due_local.isoformat(), "for": "colleague",
                                           "user_id": f.world.actors[Role.TEAM_LEADER]}},
         "callback.user_id"),
    ]  # fmt: skip
    for body, field in bad:
        p = problem(f.post("desk/wrap-up", body), 422)
        assert field in str(p), (body, p)
    assert f.get("phone")["state"] == "wrap_up"  # nothing was stored

    r = f.post(
        "desk/wrap-up",
        {"call_id": call_id, "outcome": "callback", "notes": "call back after lunch",
         "callback": {"due_at": due_local.isoformat(), "for": "self"}},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    out = r.json()
    due = due_local.replace(tzinfo=ROME)
    assert out["phone"]["state"] == "reserved"  # the next record is shown: not the skipped one
    assert f.get("desk")["hand"]["record_id"] == third
    assert out["callback"]["scope"] == "self" and out["callback"]["user_id"] == me
    listed = f.client.get(f"/api/v1/campaigns/{cid}/callbacks").json()
    assert [(c["record_id"], c["scope"], c["user_id"]) for c in listed] == [(second, "self", me)]
    with ctx.engine.connect() as conn:
        stored = conn.execute(select(records).where(records.c.id == second)).one()
        (att,) = conn.execute(select(attempts).where(attempts.c.record_id == second))
    assert (stored.state, stored.next_at, stored.attempts) == ("callback", due, 1)
    assert (att.outcome, att.notes, att.user_id) == ("callback", "call back after lunch", me)

    card = desk_service.contact_card(ctx, f.world.principal(me), second, ROME)
    (attempt,) = card["attempts"]
    assert (attempt["result"], attempt["outcome_label"], attempt["notes"]) == (
        "talked", "Callback", "call back after lunch",
    )  # fmt: skip
    assert attempt["operator"] and attempt["at_local"]
    (cb,) = card["callbacks"]
    assert (cb["scope"], cb["user_id"], cb["done"]) == ("self", me, False)
    assert cb["due_local"] == due_local.strftime("%Y-%m-%d %H:%M")

    f.live.flush()
    day = f.get("desk/day")
    assert (day["calls"], day["outbound"], day["inbound"], day["talked"]) == (1, 1, 0, 1)
    assert day["talk_seconds"] > 0
    assert day["outcomes"] == [{"label": "Callback", "count": 1}]


def test_the_phone_wrap_up_of_a_campaign_call_takes_only_an_outcome_it_can_store(
    ctx: ServiceContext, preview: tuple[Floor, int, list[int]]
) -> None:
    """/me/phone/wrap-up (the phone bar's) on a campaign's call: an outcome the campaign
    lacks, or one that needs a date, is refused before the call closes (the dialer could
    not store it: the attempt would stay open and the outcome be lost); one of the
    campaign's outcomes is stored on the attempt, positive as the outcome says."""
    f, _, (first, _, _) = preview
    me = f.world.actors[Role.OPERATOR]
    assert f.post("phone/login").status_code == 200
    f.run(1.0)
    assert f.post("desk/preview/dial").status_code == 200
    f.run(35.0)
    assert f.post("phone/hangup").status_code == 200
    f.run(1.0)
    assert f.get("phone")["state"] == "wrap_up"
    for body, words in (
        ({"outcome": "sold_out"}, "has no outcome 'sold_out'"),
        ({"outcome": "callback", "positive": True}, "/api/v1/me/desk/wrap-up"),
    ):
        p = problem(f.post("phone/wrap-up", body), 422)
        assert words in str(p) and "outcome" in str(p), p
        assert f.get("phone")["state"] == "wrap_up"  # nothing closed
    with ctx.engine.connect() as conn:
        (att,) = conn.execute(select(attempts).where(attempts.c.record_id == first))
    assert att.ended_at is None
    r = f.post("phone/wrap-up", {"outcome": "positive", "positive": False, "notes": "signed"})
    assert r.status_code == 200, r.text
    f.run(1.0)
    with ctx.engine.connect() as conn:
        (att,) = conn.execute(select(attempts).where(attempts.c.record_id == first))
        stored = conn.execute(select(records).where(records.c.id == first)).one()
    assert (att.outcome, att.user_id, att.ended_at is not None) == ("positive", me, True)
    assert stored.state == "done"
    f.live.flush()
    with ctx.engine.connect() as conn:
        (call,) = conn.execute(select(calls_table).where(calls_table.c.direction == "outbound"))
    assert (call.outcome, call.positive) == ("positive", True)  # as the outcome says


@pytest.fixture
def manual(ctx: ServiceContext, app: Any) -> tuple[Floor, int, list[int]]:
    world = build_world(ctx)
    cid, ids = _campaign(ctx, world, "manual", ["Anna", "Bruno", "Carla", "Dario"])
    now = ctx.now()
    other = world.actors[Role.OPERATOR_SUPERVISOR]
    with ctx.uow() as uow:  # Bruno: due for anyone; Carla: due for someone else; Dario later
        for rid, user in ((ids[1], None), (ids[2], other)):
            scope = CallbackScope.ANYONE if user is None else CallbackScope.COLLEAGUE
            uow.callbacks.add(
                Callback(
                    0, cid, rid, now - timedelta(minutes=5), scope, user, "after 10", None, now
                )
            )
        uow.conn.execute(
            update(records)
            .where(records.c.id == ids[3])
            .values(state="scheduled", next_at=now + timedelta(hours=2))
        )
        uow.commit()
    return _floor(ctx, app, world), cid, ids


def test_manual_mode_lists_due_callbacks_first_and_dials_the_pick(
    ctx: ServiceContext, manual: tuple[Floor, int, list[int]]
) -> None:
    f, cid, (anna, bruno, carla, dario) = manual
    problem(f.client.get(f"{ME}/desk/records"), 409)  # logged out
    assert f.post("phone/login").status_code == 200
    f.run(1.0)
    assert f.get("phone")["state"] == "ready" and f.get("desk")["hand"] is None  # no preview
    picks = f.get("desk/records")
    assert picks["campaign_id"] == cid
    assert [p["record_id"] for p in picks["items"]] == [bruno, anna]
    assert picks["items"][0]["callback_due"] and picks["items"][0]["callback_notes"] == "after 10"
    assert not picks["items"][1]["callback_due"]
    assert [p["record_id"] for p in f.get("desk/records", q="ann")["items"]] == [anna]
    assert [p["record_id"] for p in f.get("desk/records", q="555 00001")["items"]] == [bruno]

    problem(f.post("desk/records/dial", {"record_id": dario}), 422)  # not due
    problem(f.post("desk/records/dial", {"record_id": carla}), 422)  # someone else's callback
    problem(f.post("desk/records/dial", {}), 422)
    r = f.post("desk/records/dial", {"record_id": bruno})
    assert r.status_code == 200, r.text
    assert r.json()["hand"]["record_id"] == bruno and r.json()["card"]["record"]["name"] == "Bruno"
    problem(f.post("desk/records/dial", {"record_id": anna}), 409)  # busy dialing
    f.run(5.0)
    assert f.get("phone")["state"] == "talking"
    assert [p["record_id"] for p in f.get("desk/records")["items"]] == [anna]  # leased


def test_an_inbound_caller_history(
    ctx: ServiceContext, manual: tuple[Floor, int, list[int]]
) -> None:
    f, cid, (anna, *_rest) = manual
    me = f.world.principal(f.world.actors[Role.OPERATOR])
    found = desk_service.caller_history(ctx, me, "+390655500000", ROME, ctx.now())
    assert found["kind"] == "number" and found["calls"] == []
    assert [(r["record_id"], r["campaign_id"]) for r in found["records"]] == [(anna, cid)]
    other = f.world.principal(f.world.actors[Role.OPERATOR])
    assert (
        desk_service.caller_history(ctx, other, "+390600000000", ROME, ctx.now())["records"] == []
    )


def test_the_desk_is_mine_only(ctx: ServiceContext, app: Any) -> None:
    build_world(ctx)
    c = TestClient(app)
    problem(c.get(f"{ME}/desk"), 401)
    login(c, "actor_client")
    problem(c.get(f"{ME}/desk/day"), 403)  # no calls.handle
    c.cookies.clear()
    login(c, "actor_operator")
    problem(c.get(f"{ME}/desk/day"), 503)  # no live engine

"""Order forms and the vocal order over HTTP (OUT-7), with the live engine on a virtual
clock: the operator on a campaign call holds and resumes, mutes, sends keys, records the
customer's consent, saves the order; the order and its WAV are read by those who may read
the campaign and by nobody of a sibling site, a partner center or another company."""

from __future__ import annotations

import io
import wave
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import login, problem

from centralino.domain.errors import Forbidden
from centralino.domain.roles import Permission, Role
from centralino.engine.clock import VirtualClock
from centralino.live import LiveCenter
from centralino.services import campaigns, orders
from centralino.services.context import ServiceContext
from centralino.services.orders import CallOrderContext, Recording
from centralino.telephony.sim.network import Fate, SimNetwork
from centralino.telephony.sim.wav import write_wav
from support import FakeClock
from world import World, build_world

START = 1_795_424_400.0  # 2026-11-23 09:00 UTC, a Monday
ME = "/api/v1/me/phone"
FORM = [
    {"name": "offerta", "label": "Offerta", "kind": "choice", "required": True,
     "choices": ["Casa Luce", "Casa Gas"]},
    {"name": "potenza_kw", "label": "Potenza kW", "kind": "number", "minimum": 1.5,
     "maximum": 30},
    {"name": "consenso_privacy", "label": "Consenso privacy", "kind": "checkbox",
     "required": True},
]  # fmt: skip
GOOD = {"offerta": "Casa Gas", "potenza_kw": 4.5, "consenso_privacy": True}


def _client(app: Any, username: str) -> tuple[TestClient, dict[str, str]]:
    c = TestClient(app)
    return c, login(c, username)


def make_order(w: World, campaign_id: int, n: int, seconds: float = 1.0) -> int:
    """An order saved on a call of the campaign by the operator actor, with a recording."""
    orders.put_form(w.ctx, w.admin(), campaign_id, FORM)
    path = w.ctx.settings.data_dir / "recordings" / "t" / f"order{campaign_id}-{n}.wav"
    write_wav(path, seconds)
    call = CallOrderContext(campaign_id, n, "+393330000000", w.ctx.now())
    row = orders.save_call_order(
        w.ctx, w.principal(w.actors[Role.OPERATOR]), call, GOOD, Recording(path, seconds)
    )
    return row.id


class Line:
    """The live engine on a virtual clock with one power campaign the operator actor works."""

    def __init__(self, ctx: ServiceContext, app: Any) -> None:
        self.world = w = build_world(ctx)
        self.uid = w.actors[Role.OPERATOR]
        self.cid = w.make_campaign("own")
        campaigns.update_campaign(
            ctx, w.admin(), self.cid,
            {"operator_ids": [self.uid], "dial_mode": "power", "state": "active"},
        )  # fmt: skip
        w.make_record(self.cid, "+393331112233")
        orders.put_form(ctx, w.admin(), self.cid, FORM)
        self.live = LiveCenter(ctx, bots=False)
        self.live._fate = lambda _n: Fate(ring=2.0, talk=900.0)  # type: ignore[method-assign]
        self.clock = VirtualClock(START)
        self.live.start(None, self.clock)
        self.live.sync()
        app.state.live = self.live
        self.c, self.h = _client(app, "actor_operator")

    @property
    def net(self) -> SimNetwork:
        return self.live.sites[self.world.company_a].network

    def run(self, seconds: float) -> None:
        self.clock.run(until=self.clock.now() + seconds)

    def post(self, action: str, body: Any = None) -> Any:
        return self.c.post(f"{ME}/{action}", json=body, headers=self.h)

    def customer_leg(self) -> int:
        center = self.live.center_of(self.world.company_a)
        assert center is not None
        call = center.operator(f"user:{self.uid}").call
        assert call is not None
        return call.leg

    def operator_leg(self) -> int:
        center = self.live.center_of(self.world.company_a)
        assert center is not None
        leg = center.operator(f"user:{self.uid}").leg
        assert leg is not None
        return leg


@pytest.fixture
def line(ctx: ServiceContext, app: Any) -> Line:
    return Line(ctx, app)


def test_the_operator_takes_an_order_with_its_vocal_order(line: Line, app: Any) -> None:
    problem(line.c.get(f"{ME}/order"), 409)  # logged out: no call
    assert line.post("login").status_code == 200
    line.run(1.0)
    problem(line.post("hold"), 409)  # no call yet
    problem(line.post("record/start"), 409)
    for _ in range(30):  # the power dialer calls the record; the customer answers
        line.run(1.0)
        if line.c.get(ME).json()["state"] == "talking":
            break
    mine = line.c.get(ME).json()
    assert mine["state"] == "talking" and mine["call"]["number"] == "+393331112233"
    r = line.c.get(f"{ME}/order")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["campaign_id"] == line.cid and got["order"] is None
    assert [f["name"] for f in got["fields"]] == ["offerta", "potenza_kw", "consenso_privacy"]
    assert got["bar"] == {
        "call_id": mine["call"]["call_id"], "held": False, "muted": False, "digits": "",
        "recording": False, "stopping": False, "recorded_seconds": None,
    }  # fmt: skip

    customer, phone = line.customer_leg(), line.operator_leg()
    net = line.net
    assert net._legs[customer].peer is net._legs[phone]
    # hold: the customer leaves the bridge and hears music; resume bridges them again
    r = line.post("hold")
    assert r.status_code == 200 and r.json()["held"] is True
    line.run(0.5)
    assert net._legs[customer].peer is None and net._legs[customer].playing
    problem(line.post("hold"), 409)
    r = line.post("resume")
    assert r.status_code == 200 and r.json()["held"] is False
    line.run(0.5)
    assert net._legs[customer].peer is net._legs[phone]
    assert line.c.get(ME).json()["state"] == "talking"
    problem(line.post("resume"), 409)
    # mute: the customer no longer hears me
    assert line.post("mute", {"on": True}).json()["muted"] is True
    assert phone in net.muted
    assert line.post("mute", {"on": False}).json()["muted"] is False
    assert phone not in net.muted
    # keypad
    assert line.post("dtmf", {"digits": "12#"}).json()["digits"] == "12#"
    assert line.post("dtmf", {"digits": "0"}).json()["digits"] == "12#0"
    assert net.dtmf_sent[customer] == "12#0"
    problem(line.post("dtmf", {"digits": "12a"}), 422)
    # the vocal order: 8 seconds of recording
    assert line.post("record/start").json()["recording"] is True
    problem(line.post("record/start"), 409)
    line.run(8.0)
    problem(line.post("order", {"values": GOOD}), 409)  # stop the recording first
    stopped = line.post("record/stop").json()
    assert (stopped["recording"], stopped["stopping"]) == (False, True)
    problem(line.post("order", {"values": GOOD}), 409)  # the file is not there yet
    line.run(0.1)
    assert line.c.get(f"{ME}/bar").json()["recorded_seconds"] == 8.0
    # the order: checked against the form, the error naming the field
    bad = problem(line.post("order", {"values": {**GOOD, "potenza_kw": 99}}), 422)
    assert bad["errors"][0]["field"] == "potenza_kw"
    bad = problem(line.post("order", {"values": {**GOOD, "consenso_privacy": False}}), 422)
    assert bad["errors"][0]["field"] == "consenso_privacy"
    r = line.post("order", {"values": GOOD})
    assert r.status_code == 200, r.text
    order = r.json()
    assert order["values"] == {"offerta": "Casa Gas", "potenza_kw": 4.5, "consenso_privacy": True}
    assert order["recording_seconds"] == 8.0 and order["attempt_id"] and order["record_id"]
    assert order["recording_url"] == f"/api/v1/orders/{order['id']}/recording"
    # hung up: the order is corrected in after-call work, the same order
    assert line.post("hangup").status_code == 200
    line.run(1.0)
    assert line.c.get(ME).json()["state"] == "wrap_up"
    center = line.live.center_of(line.world.company_a)
    assert center is not None
    wrapped = center.operator(f"user:{line.uid}").call
    assert wrapped is not None
    phases = [p for _, p, _ in wrapped.record.phases]
    assert phases.index("hold") < phases.index("unhold") < phases.index("recording_started")
    assert phases.index("recording_started") < phases.index("recording_stopped")
    problem(line.post("hold"), 409)
    again = line.post("order", {"values": {**GOOD, "offerta": "Casa Luce"}}).json()
    assert again["id"] == order["id"] and again["values"]["offerta"] == "Casa Luce"
    assert line.c.get(f"{ME}/order").json()["order"]["id"] == order["id"]

    # those who may read the campaign read the order and download its WAV
    admin, _ = _client(app, "actor_team_leader")
    listed = admin.get(f"/api/v1/orders?campaign_id={line.cid}").json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == order["id"]
    one = admin.get(f"/api/v1/orders/{order['id']}").json()
    assert one["values"]["offerta"] == "Casa Luce" and one["number"] == "+393331112233"
    wav = admin.get(one["recording_url"])
    assert wav.status_code == 200 and wav.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(wav.content)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 8000)
        assert w.getnframes() == 64_000
    stored = Path(line.world.ctx.settings.data_dir / "recordings")
    assert len(list(stored.rglob("*.wav"))) == 1
    # the operator takes orders but does not read the campaign's archive
    problem(line.c.get(f"/api/v1/orders/{order['id']}"), 404)
    problem(line.c.get("/api/v1/orders"), 403)


def test_an_inbound_or_no_call_takes_no_order(line: Line) -> None:
    problem(line.post("order", {"values": GOOD}), 409)
    bar = line.c.get(f"{ME}/bar").json()
    assert bar["call_id"] is None and not bar["held"]


def test_order_forms_are_designed_by_campaign_writers(ctx: ServiceContext, app: Any) -> None:
    w = build_world(ctx)
    cid = w.make_campaign("own")
    leader, lh = _client(app, "actor_team_leader")
    assert leader.get(f"/api/v1/campaigns/{cid}/order-form").json() == {
        "campaign_id": cid,
        "fields": [],
    }
    r = leader.put(f"/api/v1/campaigns/{cid}/order-form", json={"fields": FORM}, headers=lh)
    assert r.status_code == 200, r.text
    assert [f["name"] for f in r.json()["fields"]] == ["offerta", "potenza_kw", "consenso_privacy"]
    assert r.json()["fields"][1]["minimum"] == 1.5
    bad = [*FORM, {"name": "offerta", "label": "Again", "kind": "text"}]
    body = problem(
        leader.put(f"/api/v1/campaigns/{cid}/order-form", json={"fields": bad}, headers=lh), 422
    )
    assert body["errors"][0]["field"] == "offerta" and "twice" in body["detail"]
    bad = [{"name": "x", "label": "X", "kind": "choice"}]
    body = problem(
        leader.put(f"/api/v1/campaigns/{cid}/order-form", json={"fields": bad}, headers=lh), 422
    )
    assert body["errors"][0]["field"] == "x"
    problem(
        leader.put(
            f"/api/v1/campaigns/{cid}/order-form",
            json={"fields": [{"name": "x", "label": "X", "kind": "colour"}]}, headers=lh,
        ), 422,
    )  # fmt: skip
    reader, rh = _client(app, "actor_back_office")
    assert len(reader.get(f"/api/v1/campaigns/{cid}/order-form").json()["fields"]) == 3
    problem(
        reader.put(f"/api/v1/campaigns/{cid}/order-form", json={"fields": FORM}, headers=rh), 403
    )
    with ctx.uow() as uow:
        vis = w.admin().visibility(Permission.AUDIT_READ)
        (entry,) = uow.audit.list(vis, 10, 0, "order_form", str(cid)).items
    assert entry.after is not None and len(entry.after["fields"]) == 3


def test_orders_stay_inside_their_campaigns_subtree(ctx: ServiceContext, app: Any) -> None:
    """A sibling site, a partner center and another company see none of the orders of
    S1's campaigns, nor their recordings, and S1 sees none of the partner's."""
    from centralino.services import users
    from centralino.services.users import GrantRequest
    from world import PASSWORD

    w = build_world(ctx)
    own = make_order(w, w.make_campaign("own"), 1)
    partner_campaign = campaigns.create_campaign(
        ctx, w.admin(), {"name": "Partner work", "group_id": w.groups["PT"].id}
    ).id
    theirs = make_order(w, partner_campaign, 2)
    users.create_user(
        ctx, w.admin(), group_id=w.groups["P"].id, username="partner_lead",
        display_name="Partner lead", password=PASSWORD,
        roles=[GrantRequest(Role.TEAM_LEADER, w.groups["P"].id)],
    )  # fmt: skip
    partner, _ = _client(app, "partner_lead")
    assert [o["id"] for o in partner.get("/api/v1/orders").json()["items"]] == [theirs]
    problem(partner.get(f"/api/v1/orders/{own}"), 404)
    problem(partner.get(f"/api/v1/orders/{own}/recording"), 404)
    leader, _ = _client(app, "actor_team_leader")
    assert [o["id"] for o in leader.get("/api/v1/orders").json()["items"]] == [own]
    problem(leader.get(f"/api/v1/orders/{theirs}"), 404)
    problem(leader.get(f"/api/v1/orders?campaign_id={partner_campaign}"), 404)
    client, _ = _client(app, "actor_client")  # the client of S1 reads its own campaign's
    assert [o["id"] for o in client.get("/api/v1/orders").json()["items"]] == [own]
    assert client.get(f"/api/v1/orders/{own}/recording").status_code == 200


def test_a_missing_recording_is_a_clear_404(ctx: ServiceContext, app: Any) -> None:
    w = build_world(ctx)
    oid = make_order(w, w.make_campaign("own"), 1)
    for wav in (ctx.settings.data_dir / "recordings").rglob("*.wav"):
        wav.unlink()
    leader, _ = _client(app, "actor_team_leader")
    body = problem(leader.get(f"/api/v1/orders/{oid}/recording"), 404)
    assert "missing from the archive" in body["detail"]


def test_a_call_without_a_stored_attempt_keeps_one_order(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    """Without an attempt (a call the store did not dial) the order is found again by the
    engine's call id, the operator and the call's start; a new engine run starts afresh."""
    w = build_world(ctx)
    cid = w.make_campaign("own")
    first = make_order(w, cid, 7)
    operator = w.principal(w.actors[Role.OPERATOR])
    started = ctx.now()
    call = CallOrderContext(cid, 7, "+393330000000", started)
    again = orders.save_call_order(ctx, operator, call, {**GOOD, "offerta": "Casa Luce"}, None)
    assert again.id == first and again.values["offerta"] == "Casa Luce"
    assert again.recording is not None  # the earlier recording stays
    form, found = orders.call_form(ctx, operator, call)
    assert found is not None and found.id == first and len(form.fields) == 3
    clock.advance(3600)
    later = CallOrderContext(cid, 7, "+393330000000", started + timedelta(minutes=30))
    assert orders.save_call_order(ctx, operator, later, GOOD, None).id != first
    with pytest.raises(Forbidden):
        orders.call_form(ctx, w.principal(w.actors[Role.TEAM_LEADER]), call)

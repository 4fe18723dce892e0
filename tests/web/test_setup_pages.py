"""Setup pages over HTTP on both databases: queues and tiers, services with their IVR menus,
pause reasons and do-not-call lists; each created, edited with an error shown (what was
typed kept), deleted; and who may open what."""

from __future__ import annotations

import html as html_text
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from centralino.domain.roles import Role
from centralino.services import dnc, inbound_services, pauses, queues
from centralino.services.context import ServiceContext
from world import PASSWORD, World, build_world


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def _logged_in(client: TestClient, username: str = "actor_group_admin") -> str:
    token = csrf_of(client.get("/login").text)
    form = {"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return csrf_of(client.get("/").text)


def field_error(html: str, name: str) -> str:
    m = re.search(rf'<p class="field-error" id="err-{re.escape(name)}">([^<]*)</p>', html)
    assert m, f"no error shown for {name}"
    return html_text.unescape(m.group(1))


@pytest.fixture
def world(ctx: ServiceContext) -> World:
    return build_world(ctx)


# --- queues ---


def _queue_form(world: World, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Vendite", "group_id": str(world.groups["T1"].id), "strategy": "longest_idle",
        "target_seconds": "30", "max_wait": "300", "max_length": "25", "tier_wait": "20",
        "answer_timeout": "12", "misses_before_pause": "2", "retry": "4",
        "wrap_up_seconds": "45", "overflow_kind": "voicemail", "overflow_target": "vendite",
        "moh": "jazz", "announce_every": "60", "offer_callback": "on",
        "blend_waiting_calls": "3", "blend_longest_wait": "40", "blend_service_level": "80",
    }  # fmt: skip
    data.update(over)
    return data


def test_setup_nav_and_index(client: TestClient, world: World) -> None:
    _logged_in(client)
    home = client.get("/").text
    assert 'href="/setup"' in home
    html = client.get("/setup").text
    for href in ("/setup/queues", "/setup/services", "/setup/pause-reasons", "/setup/dnc"):
        assert f'href="{href}"' in html
    client.cookies.clear()
    _logged_in(client, "actor_back_office")  # campaigns.read only: the do-not-call lists
    html = client.get("/setup").text
    assert 'href="/setup/dnc"' in html and 'href="/setup/queues"' not in html
    client.cookies.clear()
    _logged_in(client, "actor_operator")
    assert 'href="/setup"' not in client.get("/").text
    assert 'id="setup-empty"' in client.get("/setup").text


def test_create_edit_and_delete_a_queue(client: TestClient, world: World) -> None:
    token = _logged_in(client)
    assert 'name="blend_service_level"' in client.get("/setup/queues/new").text
    r = client.post(
        "/setup/queues", data={**_queue_form(world), "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    qid = int(r.headers["location"].rsplit("/", 1)[1])
    q, _ = queues.get_queue(world.ctx, world.admin(), qid)
    assert queues.queue_view(q) == {
        "name": "Vendite", "group_id": world.groups["T1"].id, "strategy": "longest_idle",
        "target_seconds": 30.0, "max_wait": 300.0, "max_length": 25, "answer_timeout": 12.0,
        "misses_before_pause": 2, "tier_wait": 20.0, "retry": 4.0,
        "overflow": {"kind": "voicemail", "target": "vendite"}, "wrap_up_seconds": 45.0,
        "moh": "jazz", "announce_every": 60.0, "offer_callback": True,
        "blend": {"waiting_calls": 3, "longest_wait": 40.0, "service_level_below": 0.8},
    }  # fmt: skip
    html = client.get(r.headers["location"]).text
    assert "Queue created." in html and 'value="80"' in html and 'value="300"' in html
    assert ">Vendite</strong>" in client.get("/setup/queues").text

    # an error comes back on its field, with what was typed kept
    r = client.post(
        f"/setup/queues/{qid}",
        data={**_queue_form(world, name="Vendite 2", max_wait="soon"), "csrf_token": token},
    )
    assert r.status_code == 422
    assert field_error(r.text, "max_wait") == "enter a number"
    assert 'value="Vendite 2"' in r.text and 'value="soon"' in r.text
    r = client.post(
        f"/setup/queues/{qid}",
        data={**_queue_form(world, offer_callback="on", announce_every=""), "csrf_token": token},
    )
    assert r.status_code == 422 and "needs announce_every" in field_error(r.text, "offer_callback")
    r = client.post(
        f"/setup/queues/{qid}",
        data={**_queue_form(world, overflow_kind="queue", overflow_target="Nowhere"),
              "csrf_token": token},
    )  # fmt: skip
    assert r.status_code == 422 and "no queue named 'Nowhere'" in field_error(r.text, "overflow_kind")
    # emptied limits become "no limit"
    r = client.post(
        f"/setup/queues/{qid}",
        data={**_queue_form(world, max_wait="", max_length="", wrap_up_seconds="",
                            blend_waiting_calls="", blend_longest_wait="",
                            blend_service_level=""), "csrf_token": token},
    )  # fmt: skip
    assert r.status_code == 200 and "Queue saved." in r.text
    c = queues.get_queue(world.ctx, world.admin(), qid)[0].config
    assert (c.max_wait, c.max_length, c.wrap_up_seconds, c.blend.enabled) == (
        None, None, None, False
    )  # fmt: skip

    r = client.post(f"/setup/queues/{qid}/delete", data={"csrf_token": token})
    assert r.status_code == 200 and "Queue deleted." in r.text
    assert queues.list_queues(world.ctx, world.admin(), 10, 0).total == 0


def test_members_by_tier(client: TestClient, world: World) -> None:
    qid = world.make_queue("own")
    first, second = world.make_user("own"), world.make_user("own")
    back_office = world.make_user("own", Role.BACK_OFFICE)
    token = _logged_in(client)
    html = client.get(f"/setup/queues/{qid}").text
    assert f'name="tier_{first}"' in html and f'name="tier_{back_office}"' not in html
    r = client.post(
        f"/setup/queues/{qid}/members",
        data={f"tier_{first}": "0", f"tier_{second}": "1", "csrf_token": token},
    )
    assert r.status_code == 200 and "Operators and tiers saved." in r.text
    _, members = queues.get_queue(world.ctx, world.admin(), qid)
    assert sorted((m.user_id, m.tier) for m in members) == [(first, 0), (second, 1)]
    # a refused choice comes back on its row, the others kept as chosen
    r = client.post(
        f"/setup/queues/{qid}/members",
        data={f"tier_{first}": "2", f"tier_{second}": "x", "csrf_token": token},
    )
    assert r.status_code == 422 and field_error(r.text, f"member-{second}") == "choose a tier"
    assert re.search(rf'name="tier_{first}".*?<option value="2" selected', r.text, re.S)
    # a user who handles no calls (not offered, but posted) is refused by name
    r = client.post(
        f"/setup/queues/{qid}/members",
        data={f"tier_{first}": "2", f"tier_{back_office}": "0", "csrf_token": token},
    )
    assert r.status_code == 422
    assert "does not handle calls" in field_error(r.text, "member-0")
    assert re.search(rf'name="tier_{first}".*?<option value="2" selected', r.text, re.S)
    _, members = queues.get_queue(world.ctx, world.admin(), qid)
    assert sorted((m.user_id, m.tier) for m in members) == [(first, 0), (second, 1)]


def test_a_queue_in_use_is_not_deleted(client: TestClient, world: World) -> None:
    qid = world.make_queue("own")
    q, _ = queues.get_queue(world.ctx, world.admin(), qid)
    inbound_services.create_service(
        world.ctx, world.admin(),
        {"name": "Help", "group_id": world.groups["T1"].id, "numbers": ["+390211112222"],
         "queue": q.name},
    )  # fmt: skip
    token = _logged_in(client)
    html = client.get(f"/setup/queues/{qid}").text
    assert "service &#39;Help&#39;" in html and 'id="delete-queue"' not in html
    r = client.post(
        f"/setup/queues/{qid}/delete", data={"csrf_token": token},
        headers={"referer": f"http://testserver/setup/queues/{qid}"},
    )  # fmt: skip
    assert "is used by service" in r.text
    assert queues.list_queues(world.ctx, world.admin(), 10, 0).total == 1


def test_team_leader_reads_queues_but_may_not_change_them(
    client: TestClient, world: World
) -> None:
    qid = world.make_queue("own")
    token = _logged_in(client, "actor_team_leader")
    assert 'href="/setup/queues/new"' not in client.get("/setup/queues").text
    assert client.get("/setup/queues/new").status_code == 403
    html = client.get(f"/setup/queues/{qid}").text
    assert "<fieldset disabled>" in html and 'id="members-form"' not in html
    r = client.post(f"/setup/queues/{qid}", data={**_queue_form(world), "csrf_token": token})
    assert r.status_code == 403

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
    assert r.status_code == 422 and "no queue named 'Nowhere'" in field_error(
        r.text, "overflow_kind"
    )
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


def test_team_leader_reads_queues_but_may_not_change_them(client: TestClient, world: World) -> None:
    qid = world.make_queue("own")
    token = _logged_in(client, "actor_team_leader")
    assert 'href="/setup/queues/new"' not in client.get("/setup/queues").text
    assert client.get("/setup/queues/new").status_code == 403
    html = client.get(f"/setup/queues/{qid}").text
    assert "<fieldset disabled>" in html and 'id="members-form"' not in html
    r = client.post(f"/setup/queues/{qid}", data={**_queue_form(world), "csrf_token": token})
    assert r.status_code == 403


# --- services and their IVR menus ---


def _service_form(world: World, queue: str, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Assistenza", "group_id": str(world.groups["T1"].id),
        "client_id": str(world.clients["own"]), "numbers": "02 1234 5678\n+39 06 7654321",
        "region": "", "queue": queue, "timezone": "Europe/Rome", "welcome": "benvenuto",
        "closed_prompt": "chiuso", "moh": "moh", "whisper": "assistenza",
        "screen_pop": "https://crm.example/cerca?tel={caller}",
        "w0_days": ["0", "1", "2", "3", "4"], "w0_start": "09:00", "w0_end": "18:00",
        "w1_start": "", "w1_end": "", "closed_dates": "2026-12-25\n2027-01-01",
        "root_menu": "0",
        "m0_name": "main", "m0_prompt": "menu_principale", "m0_timeout": "6", "m0_repeats": "1",
        "m0_invalid_prompt": "ivr_invalid", "m0_code_digits": "3",
        "m0_default_kind": "queue", "m0_default_target": queue,
        "m0_o0_key": "1", "m0_o0_kind": "queue", "m0_o0_target": queue,
        "m0_o1_key": "2", "m0_o1_kind": "menu", "m0_o1_target": "billing",
        "m0_o2_key": "", "m0_o2_kind": "queue", "m0_o2_target": "",
        "m1_name": "billing", "m1_prompt": "menu_fatture", "m1_timeout": "8", "m1_repeats": "2",
        "m1_invalid_prompt": "ivr_invalid", "m1_code_digits": "4", "m1_default_kind": "",
        "m1_default_target": "",
        "m1_o0_key": "9", "m1_o0_kind": "voicemail", "m1_o0_target": "fatture",
        "m1_o1_key": "*", "m1_o1_kind": "menu", "m1_o1_target": "main",
        "m1_o2_key": "#", "m1_o2_kind": "operator", "m1_o2_target": queue,
    }  # fmt: skip
    data.update(over)
    return data


def test_create_edit_and_delete_a_service(client: TestClient, world: World) -> None:
    qid = world.make_queue("own")
    q, _ = queues.get_queue(world.ctx, world.admin(), qid)
    token = _logged_in(client)
    html = client.get("/setup/services/new").text
    assert 'id="menu-template"' in html and 'name="m0_o0_key"' in html
    assert f'<option value="{q.name}">' in html
    r = client.post(
        "/setup/services", data={**_service_form(world, q.name), "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text
    sid = int(r.headers["location"].rsplit("/", 1)[1])
    s = inbound_services.get_service(world.ctx, world.admin(), sid)
    view = inbound_services.service_view(s)
    assert view["numbers"] == ["+390212345678", "+39067654321"]
    assert view["hours"] == {
        "windows": [{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}],
        "closed_dates": ["2026-12-25", "2027-01-01"],
    }
    assert (view["welcome"], view["closed_prompt"], view["whisper"], view["root_menu"]) == (
        "benvenuto", "chiuso", "assistenza", "main"
    )  # fmt: skip
    assert view["menus"]["main"] == {
        "prompt": "menu_principale", "timeout": 6.0, "repeats": 1,
        "invalid_prompt": "ivr_invalid", "code_digits": 3,
        "default": {"kind": "queue", "target": q.name},
        "options": {"1": {"kind": "queue", "target": q.name},
                    "2": {"kind": "menu", "target": "billing"}},
    }  # fmt: skip
    assert view["menus"]["billing"]["options"] == {
        "#": {"kind": "operator", "target": q.name}, "*": {"kind": "menu", "target": "main"},
        "9": {"kind": "voicemail", "target": "fatture"},
    }  # fmt: skip
    assert view["menus"]["billing"]["default"] is None
    page = client.get(r.headers["location"]).text
    assert "Service created." in page and "+390212345678\n+39067654321</textarea>" in page
    assert 'id="ivr-tree"' in page and "(back up)" in page  # billing's * leads back to main
    listing = client.get("/setup/services").text
    assert ">Assistenza</strong>" in listing and "Mon, Tue, Wed, Thu, Fri · 09:00–18:00" in listing

    # errors land on their field, menu or key, with what was typed kept
    bad = {
        "numbers": ("02 1234 5678\nnot a number", "numbers", "not a number"),
        "m0_o1_target": ("nowhere", "menu0", "no menu named 'nowhere'"),
        "m1_o1_key": ("1", "m1_o1", "key 1 is used twice"),
        "m1_o2_target": ("", "m1_o2", "needs a target"),
        "screen_pop": ("https://crm/{who}", "screen_pop", "unknown field {who}"),
        "closed_dates": ("25/12/2026", "hours", "is not a date"),
        "timezone": ("Mars/Base", "timezone", "unknown time zone"),
    }
    for name, (value, where, message) in bad.items():
        over = {name: value}
        if name == "m1_o1_key":
            over["m1_o0_key"] = "1"
        r = client.post(
            f"/setup/services/{sid}",
            data={**_service_form(world, q.name, name="Renamed", **over), "csrf_token": token},
        )
        assert r.status_code == 422, name
        assert message in field_error(r.text, where), (name, field_error(r.text, where))
        assert 'value="Renamed"' in r.text and 'value="menu_fatture"' in r.text
    assert inbound_services.get_service(world.ctx, world.admin(), sid).name == "Assistenza"

    # a number of another service is refused
    other = world.make_service("own")
    taken = inbound_services.get_service(world.ctx, world.admin(), other).config.numbers[0]
    r = client.post(
        f"/setup/services/{sid}",
        data={**_service_form(world, q.name, numbers=taken), "csrf_token": token},
    )
    assert r.status_code == 422 and "already belongs to service" in field_error(r.text, "numbers")

    # no IVR: straight to the queue, every menu removed
    form = {k: v for k, v in _service_form(world, q.name).items() if not k.startswith("m")}
    r = client.post(f"/setup/services/{sid}", data={**form, "root_menu": "", "csrf_token": token})
    assert r.status_code == 200 and "Service saved." in r.text
    c = inbound_services.get_service(world.ctx, world.admin(), sid).config
    assert (c.root_menu, dict(c.menus), c.queue) == (None, {}, q.name)

    r = client.post(f"/setup/services/{sid}/delete", data={"csrf_token": token})
    assert r.status_code == 200 and "Service deleted." in r.text
    assert inbound_services.list_services(world.ctx, world.admin(), 10, 0).total == 1


def test_client_user_reads_its_service_only(client: TestClient, world: World) -> None:
    own = world.make_service("own")
    sibling = world.make_service("sibling")
    token = _logged_in(client, f"actor_{Role.CLIENT.value}")
    listing = client.get("/setup/services").text
    assert f'href="/setup/services/{own}"' in listing
    assert f'href="/setup/services/{sibling}"' not in listing
    assert "<fieldset disabled" in client.get(f"/setup/services/{own}").text
    assert client.get(f"/setup/services/{sibling}").status_code == 404
    r = client.post(f"/setup/services/{own}/delete", data={"csrf_token": token})
    assert r.status_code == 403


# --- pause reasons ---


def _reason_id(world: World, code: str) -> int:
    found = pauses.list_reasons(world.ctx, world.admin(), 100, 0, world.company_a).items
    return next(r.id for r in found if r.reason.code == code)


def test_create_edit_and_delete_a_pause_reason(client: TestClient, world: World) -> None:
    token = _logged_in(client, "sysadmin")
    html = client.get("/setup/pause-reasons").text
    assert 'data-reason="lunch"' in html and "60 min" in html  # the defaults, stored
    r = client.post(
        "/setup/pause-reasons",
        data={"code": "briefing", "label": "Briefing", "limit_minutes": "7,5",
              "csrf_token": token},
    )  # fmt: skip
    assert r.status_code == 200 and "Pause reason created." in r.text
    rid = _reason_id(world, "briefing")
    assert pauses.get_reason(world.ctx, world.admin(), rid).reason.limit_seconds == 450
    r = client.post(
        "/setup/pause-reasons",
        data={"code": "bad code!", "label": "Oops", "limit_minutes": "5", "csrf_token": token},
    )
    assert r.status_code == 422 and "letters, digits or underscores" in field_error(r.text, "code")
    assert 'value="bad code!"' in r.text and 'value="Oops"' in r.text
    r = client.post(
        "/setup/pause-reasons",
        data={"code": "lunch", "label": "Lunch", "csrf_token": token},
    )
    assert r.status_code == 422 and "already exists" in field_error(r.text, "code")
    r = client.post(
        f"/setup/pause-reasons/{rid}",
        data={"label": "Team briefing", "limit_minutes": "-1", "csrf_token": token},
    )
    assert r.status_code == 422 and "must be positive" in field_error(r.text, "limit_minutes")
    assert re.search(rf'<details class="edit" open>.*?id="reason-{rid}"', r.text, re.S)
    assert 'value="Team briefing"' in r.text
    r = client.post(
        f"/setup/pause-reasons/{rid}",
        data={"label": "Team briefing", "limit_minutes": "", "screen_break": "on",
              "csrf_token": token},
    )  # fmt: skip
    assert r.status_code == 200 and "Pause reason saved." in r.text
    reason = pauses.get_reason(world.ctx, world.admin(), rid).reason
    assert (reason.label, reason.limit_seconds, reason.screen_break) == (
        "Team briefing", None, True
    )  # fmt: skip
    r = client.post(f"/setup/pause-reasons/{rid}/delete", data={"csrf_token": token})
    assert r.status_code == 200 and "Pause reason deleted." in r.text
    assert 'data-reason="briefing"' not in r.text


def test_site_admin_reads_pause_reasons_but_may_not_change_them(
    client: TestClient, world: World
) -> None:
    token = _logged_in(client)  # group admin of site S1, not of the company's root
    html = client.get("/setup/pause-reasons").text
    assert 'data-reason="lunch"' in html and 'id="new-reason"' not in html
    r = client.post("/setup/pause-reasons", data={"code": "x", "label": "X", "csrf_token": token})
    assert r.status_code == 403


# --- do-not-call lists ---


def test_do_not_call_lists(client: TestClient, world: World) -> None:
    own = world.make_campaign("own")
    token = _logged_in(client, "sysadmin")
    html = client.get("/setup/dnc").text
    assert '<option value="company"' in html and f'<option value="{own}"' in html
    r = client.post(
        "/setup/dnc", data={"phone": "06 1234 5678", "list": "company", "csrf_token": token}
    )
    assert r.status_code == 200 and "Number added" in r.text and "+390612345678" in r.text
    r = client.post(
        "/setup/dnc", data={"phone": "06 1234 5678", "list": "company", "csrf_token": token}
    )
    assert r.status_code == 422 and "already on the company" in field_error(r.text, "phone")
    r = client.post("/setup/dnc", data={"phone": "abc", "list": str(own), "csrf_token": token})
    assert r.status_code == 422 and field_error(r.text, "phone")
    assert 'value="abc"' in r.text and re.search(rf'<option value="{own}" selected', r.text)

    upload = "telefono\n333 1234567\nnot a number\n06 1234 5678\n"
    r = client.post(
        "/setup/dnc/import", data={"list": str(own), "region": "it", "csrf_token": token},
        files={"file": ("optout.csv", upload.encode(), "text/csv")},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert re.search(r'data-f="added">2<', r.text) and re.search(r'data-f="rejected">1<', r.text)
    assert "not a number" in r.text
    r = client.post(
        "/setup/dnc/import", data={"list": "company", "csrf_token": token},
        files={"file": ("empty.txt", b"", "text/plain")},
    )  # fmt: skip
    assert r.status_code == 422 and "the file is empty" in field_error(r.text, "file")

    campaign_list = client.get(f"/setup/dnc?list={own}").text
    assert "+393331234567" in campaign_list and "import:optout.csv" in campaign_list
    assert 'id="dnc-total">numbers: 2<' in campaign_list
    found = client.get("/setup/dnc?q=06 1234").text
    assert "+390612345678" in found and "+393331234567" not in found
    assert 'id="err-q"' in client.get("/setup/dnc?q=abc").text

    entry = dnc.list_entries(world.ctx, world.admin(), 10, 0, company_wide=True).items[0]
    r = client.post(
        f"/setup/dnc/{entry.id}/delete", data={"csrf_token": token, "back": "/setup/dnc?q=06"}
    )
    assert r.status_code == 200 and "Number removed" in r.text
    assert dnc.list_entries(world.ctx, world.admin(), 10, 0, company_wide=True).total == 0


def test_team_leader_changes_campaign_lists_not_the_company_list(
    client: TestClient, world: World
) -> None:
    own = world.make_campaign("own")
    sibling = world.make_campaign("sibling")
    dnc.add_entry(world.ctx, world.admin(), "+390611111111", campaign_id=sibling)
    token = _logged_in(client, "actor_team_leader")
    html = client.get("/setup/dnc").text
    assert '<option value="company"' in html  # to search, not to add to
    assert f'<option value="{own}"' in html and f'<option value="{sibling}"' not in html
    assert "+390611111111" not in html
    assert 'id="dnc-add"' in html and not re.search(
        r'id="dnc-list"[^>]*>\s*<option value="company"', html
    )
    r = client.post(
        "/setup/dnc", data={"phone": "06 2222 3333", "list": "company", "csrf_token": token}
    )
    assert r.status_code == 422 and "company-wide" in field_error(r.text, "list")
    r = client.post(
        "/setup/dnc", data={"phone": "06 2222 3333", "list": str(own), "csrf_token": token}
    )
    assert r.status_code == 200 and "+390622223333" in r.text


def test_setup_pages_speak_the_users_language(client: TestClient, world: World) -> None:
    world.make_queue("own")
    world.make_service("own")
    token = _logged_in(client)
    client.post("/lang", data={"lang": "pl", "csrf_token": token, "back": "/"})
    assert "Kolejki i poziomy" in client.get("/setup/queues").text
    assert "Menu głosowe (IVR)" in client.get("/setup/services/new").text
    client.post("/lang", data={"lang": "it", "csrf_token": token, "back": "/"})
    assert "Motivi di pausa" in client.get("/setup/pause-reasons").text
    assert "Liste di esclusione" in client.get("/setup/dnc").text

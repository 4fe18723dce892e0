"""Campaign pages over HTTP on both databases: list, create with field errors, detail, state
buttons, operators, retry rules, list import through the page, live figures and access."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from centralino.domain.roles import Role
from centralino.services import campaigns
from centralino.services.context import ServiceContext
from support import FakeClock
from world import PASSWORD, World, build_world


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def page_login(client: TestClient, username: str) -> Any:
    token = csrf_of(client.get("/login").text)
    form = {"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"}
    return client.post("/login", data=form, follow_redirects=False)


CSV = "Nome;Cellulare;Città\nMario;333 1234567;Forlì\nAnna;abc;Roma\nEva;333 7654321;\n"


@pytest.fixture
def world(ctx: ServiceContext) -> World:
    return build_world(ctx)


def _form(world: World, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Autunno", "group_id": str(world.groups["T1"].id),
        "client_id": str(world.clients["own"]), "dial_mode": "power", "caller_id": "+3902123456",
        "default_region": "it", "timezone": "Europe/Rome", "compliance": "it",
        "w0_days": ["0", "1", "2", "3", "4"], "w0_start": "09:00", "w0_end": "20:00",
        "w1_days": ["5"], "w1_start": "10:00", "w1_end": "19:00",
        "max_attempts": "4", "priority": "7", "positive_target": "2,5", "power_ratio": "1.5",
    }  # fmt: skip
    data.update(over)
    return data


def _logged_in(client: TestClient, username: str = "actor_team_leader") -> str:
    assert page_login(client, username).status_code == 303
    return csrf_of(client.get("/").text)


def test_list_filters_by_state_and_offers_new_campaign(client: TestClient, world: World) -> None:
    draft = world.make_campaign("own")
    active = world.make_campaign("own")
    campaigns.update_campaign(world.ctx, world.admin(), active, {"state": "active"})
    world.make_campaign("sibling")
    _logged_in(client)
    html = client.get("/campaigns").text
    assert 'href="/campaigns/new"' in html and 'href="/campaigns"' in html  # nav entry
    assert f'href="/campaigns/{draft}"' in html and f'href="/campaigns/{active}"' in html
    assert html.count('href="/campaigns/') - html.count('href="/campaigns/new"') == 2
    html = client.get("/campaigns?state=active").text
    assert f'href="/campaigns/{active}"' in html and f'href="/campaigns/{draft}"' not in html
    assert "Client S1" in html and ">T1<" in html


def test_back_office_reads_but_may_not_create(client: TestClient, world: World) -> None:
    world.make_campaign("own")
    _logged_in(client, "actor_back_office")
    html = client.get("/campaigns").text
    assert "New campaign" not in html
    assert client.get("/campaigns/new").status_code == 403


def test_create_campaign_through_the_form(client: TestClient, world: World) -> None:
    token = _logged_in(client)
    assert 'name="w0_days"' in client.get("/campaigns/new").text
    r = client.post(
        "/campaigns", data={**_form(world), "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    cid = int(r.headers["location"].rsplit("/", 1)[1])
    c, _, _ = campaigns.get_campaign(world.ctx, world.admin(), cid)
    assert (c.name, c.dial_mode.value, c.default_region, c.max_attempts) == (
        "Autunno", "power", "IT", 4
    )  # fmt: skip
    assert c.positive_target == pytest.approx(0.025) and c.power_ratio == 1.5
    assert [w.as_json() for w in c.windows] == [
        {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "20:00"},
        {"days": [5], "start": "10:00", "end": "19:00"},
    ]
    html = client.get(r.headers["location"]).text
    assert "Campaign created." in html and "Autunno" in html
    assert "Mon, Tue, Wed, Thu, Fri · 09:00–20:00" in html
    assert "2.5%" in html  # the target, shown as a percentage


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"name": ""}, "name", "at least 1 character"),
        ({"caller_id": "abc"}, "caller_id", "digits only"),
        ({"default_region": "Italy"}, "default_region", "two letters"),
        ({"timezone": "Mars/Base"}, "timezone", "unknown time zone"),
        ({"positive_target": "150"}, "positive_target", "percentage from 0 to 100"),
        ({"max_attempts": "many"}, "max_attempts", "whole number"),
        ({"w0_end": "08:00"}, "windows", "must end after it starts"),
        (
            {
                "w0_days": [],
                "w1_days": [],
                "w0_start": "",
                "w0_end": "",
                "w1_start": "",
                "w1_end": "",
            },
            "windows",
            "at least one calling window",
        ),
    ],
)
def test_bad_input_comes_back_with_the_field_error(
    client: TestClient, world: World, over: dict[str, Any], field: str, message: str
) -> None:
    token = _logged_in(client)
    r = client.post("/campaigns", data={**_form(world, **over), "csrf_token": token})
    assert r.status_code == 422
    m = re.search(rf'<p class="field-error" id="err-{field}">([^<]*)</p>', r.text)
    assert m and message in m.group(1), r.text
    assert 'value="Autunno"' in r.text or field == "name"  # what was typed stays
    assert campaigns.list_campaigns(world.ctx, world.admin(), 10, 0, None).total == 0


def test_service_errors_land_on_their_field(client: TestClient, world: World) -> None:
    world.make_campaign("own")
    taken = campaigns.list_campaigns(world.ctx, world.admin(), 10, 0, None).items[0].name
    token = _logged_in(client)
    r = client.post("/campaigns", data={**_form(world, name=taken), "csrf_token": token})
    assert r.status_code == 422 and "already exists" in r.text and 'id="err-name"' in r.text
    sibling = str(world.groups["T2"].id)
    r = client.post("/campaigns", data={**_form(world, group_id=sibling), "csrf_token": token})
    assert r.status_code == 422 and 'id="err-group_id"' in r.text


def test_detail_edit_and_state_buttons(client: TestClient, world: World) -> None:
    cid = world.make_campaign("own")
    token = _logged_in(client)
    html = client.get(f"/campaigns/{cid}").text
    assert 'value="activate"' in html and 'value="pause"' not in html
    assert "No answer" in html and "retry after 2 h" in html and "number blocked for good" in html
    assert f'data-url="/campaigns/{cid}/live.json"' in html
    edit = client.get(f"/campaigns/{cid}/edit").text
    assert 'value="Europe/Rome"' in edit
    r = client.post(
        f"/campaigns/{cid}",
        data={**_form(world, name="Renamed", client_id=""), "csrf_token": token},
    )
    assert r.status_code == 200 and "Campaign saved." in r.text and "Renamed" in r.text
    c, _, _ = campaigns.get_campaign(world.ctx, world.admin(), cid)
    assert c.client_id is None and c.name == "Renamed"

    for action, state in (("activate", "active"), ("pause", "paused"), ("activate", "active")):
        r = client.post(f"/campaigns/{cid}/state", data={"action": action, "csrf_token": token})
        assert r.status_code == 200
        assert campaigns.get_campaign(world.ctx, world.admin(), cid)[0].state.value == state
    html = client.post(
        f"/campaigns/{cid}/state", data={"action": "finish", "csrf_token": token}
    ).text
    assert "Campaign finished." in html and 'name="action"' not in html
    r = client.post(
        f"/campaigns/{cid}/state",
        data={"action": "activate", "csrf_token": token},
        headers={"referer": f"http://testserver/campaigns/{cid}"},
    )
    assert r.status_code == 200 and "cannot go from finished to active" in r.text


def test_operators_teams_and_retry_rules(client: TestClient, world: World) -> None:
    cid = world.make_campaign("own")
    operator = world.make_user("own")
    token = _logged_in(client)
    html = client.get(f"/campaigns/{cid}").text
    assert f'name="operator_ids" value="{operator}"' in html
    r = client.post(
        f"/campaigns/{cid}/members",
        data={"operator_ids": [str(operator)], "team_ids": [str(world.groups["T1"].id)],
              "csrf_token": token},
    )  # fmt: skip
    assert r.status_code == 200 and "Operators and teams saved." in r.text
    assert campaigns.get_campaign(world.ctx, world.admin(), cid)[1:] == (
        [operator], [world.groups["T1"].id]
    )  # fmt: skip
    r = client.post(
        f"/campaigns/{cid}/outcomes/busy",
        data={"retry_minutes": "30", "max_attempts": "3", "csrf_token": token},
    )
    assert "Retry rule saved." in r.text and "retry after 30 min" in r.text
    r = client.post(
        f"/campaigns/{cid}/outcomes/busy",
        data={"retry_minutes": "0", "csrf_token": token},
        headers={"referer": f"http://testserver/campaigns/{cid}"},
    )
    assert "from 1 to" in r.text


def _upload(client: TestClient, cid: int, token: str, text: str = CSV) -> Any:
    return client.post(
        f"/campaigns/{cid}/imports/preview",
        data={"csrf_token": token, "list_name": ""},
        files={"file": ("lista.csv", text.encode("utf-8"), "text/csv")},
    )


def _confirm_form(html: str, **roles: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": csrf_of(html),
        "upload_token": re.search(r'name="upload_token" value="([^"]+)"', html).group(1),  # type: ignore[union-attr]
        "list_name": "Novembre",
        "list_priority": "5",
    }
    for i, col in enumerate(re.findall(r'name="col_\d+" value="([^"]*)"', html)):
        data[f"col_{i}"] = col
        data[f"role_{i}"] = roles.get(col, "")
    return data


def test_import_a_csv_through_the_page(client: TestClient, world: World) -> None:
    cid = world.make_campaign("own")
    token = _logged_in(client)
    r = _upload(client, cid, token)
    assert r.status_code == 200, r.text
    html = r.text
    assert 'id="mapping-table"' in html and "333 1234567" in html
    selected = re.findall(
        r'name="role_(\d+)"[^>]*>.*?<option value="([a-z_]+)" selected', html, re.S
    )
    assert ("1", "phone") in selected  # the guess: Cellulare holds phones
    data = _confirm_form(html, Cellulare="phone", Nome="name")
    r = client.post(f"/campaigns/{cid}/imports", data=data, follow_redirects=False)
    assert r.status_code == 303 and "#import" in r.headers["location"]
    page = client.get(r.headers["location"]).text  # the job ran after the response
    assert "Import started." in page
    row = re.search(r'<tr data-job="(\d+)".*?</tr>', page, re.S)
    assert row is not None
    assert 'value="100"' in row.group(0) and ">done<" in row.group(0)
    assert re.search(r'data-f="rows_imported">2<', row.group(0))
    assert re.search(r'data-f="rows_rejected">1<', row.group(0))
    assert f'href="/api/v1/imports/{row.group(1)}/errors.csv"' in row.group(0)
    live = client.get(f"/campaigns/{cid}/live.json").json()
    assert live["records"]["total"] == 2
    listing = client.get("/campaigns").text
    assert re.search(r'<td class="num">2</td>', listing)
    # the staged upload is gone once the job ran; confirming it again is refused
    r = client.post(
        f"/campaigns/{cid}/imports", data=data,
        headers={"referer": f"http://testserver/campaigns/{cid}"},
    )  # fmt: skip
    assert "no longer here" in r.text
    assert list((world.ctx.settings.data_dir / "imports").iterdir()) == []


def test_import_mapping_errors_and_bad_files(client: TestClient, world: World) -> None:
    cid = world.make_campaign("own")
    token = _logged_in(client)
    r = _upload(client, cid, token, "")
    assert r.status_code == 422 and "the file is empty" in r.text and 'id="import-error"' in r.text
    html = _upload(client, cid, token).text
    r = client.post(f"/campaigns/{cid}/imports", data=_confirm_form(html, Nome="name"))
    assert r.status_code == 422 and 'id="mapping-error"' in r.text and "no phone column" in r.text
    r = client.post(
        f"/campaigns/{cid}/imports",
        data=_confirm_form(html, Cellulare="phone", Nome="email", Città="email"),
    )
    assert r.status_code == 422 and "email takes one column" in r.text
    assert client.get(f"/api/v1/campaigns/{cid}/imports").json() == []
    r = client.post(
        f"/campaigns/{cid}/imports/cancel",
        data={"csrf_token": token, "upload_token": _confirm_form(html)["upload_token"]},
    )
    assert "Import cancelled." in r.text
    assert list((world.ctx.settings.data_dir / "imports").iterdir()) == []


def _dial(world: World, cid: int, results: list[tuple[bool, str]]) -> None:
    """One attempt per (answered, outcome), through the dialer's own service."""
    from centralino.services import dialing

    for _ in results:
        world.make_record(cid)
    claims = dialing.claim(world.ctx, cid, len(results))
    assert len(claims) == len(results)
    for claim, (answered, outcome) in zip(claims, results, strict=True):
        if answered:
            dialing.answered(world.ctx, claim.attempt_id)
        dialing.finish(world.ctx, claim.attempt_id, outcome)


def test_live_figures(client: TestClient, world: World) -> None:
    cid = world.make_campaign("own")
    _dial(world, cid, [(True, "positive"), (True, "not_interested"), (False, "no_answer")])
    _dial(world, cid, [(True, "abandoned")])
    world.make_record(cid)
    _logged_in(client)
    r = client.get(f"/campaigns/{cid}/live.json")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["campaign_id"] == cid and body["state"] == "draft"
    assert body["records"]["total"] == 5
    assert body["records"]["by_state"] == {
        "new": 1, "scheduled": 2, "callback": 0, "dialing": 0, "done": 2, "exhausted": 0,
        "blocked": 0,
    }  # fmt: skip
    today = body["today"]
    assert (today["attempts"], today["answered"], today["abandoned"]) == (4, 3, 1)
    assert (today["contacts"], today["positives"], today["positive_rate"]) == (2, 1, 0.5)
    assert today["abandon_rate"] == pytest.approx(1 / 3) and body["abandon_alert"] is True
    assert body["target"] == {"positive_rate": 0.02, "abandon_cap": 0.03}
    assert body["alert"] is False  # too few contacts to judge the positive rate
    assert len(body["last_attempts"]) == 4
    assert body["last_attempts"][0]["outcome_label"] == "Abandoned (no operator)"
    html = client.get(f"/campaigns/{cid}").text
    assert "Abandoned over the whole campaign" in html and "33.3% (1 of 3 answered)" in html
    assert 'id="target-alert" hidden' in html and 'class="muted">No attempts yet.' not in html


def test_alert_below_the_positive_target(
    client: TestClient, world: World, clock: FakeClock
) -> None:
    cid = world.make_campaign("own")
    _dial(world, cid, [(True, "not_interested")] * 20)
    _logged_in(client)
    body = client.get(f"/campaigns/{cid}/live.json").json()
    assert body["today"]["positive_rate"] == 0 and body["alert"] is True
    html = client.get(f"/campaigns/{cid}").text
    assert 'id="target-alert" hidden' not in html and 'id="target-alert"' in html
    # yesterday's attempts are not today's
    clock.advance(24 * 3600)
    _logged_in(client)
    body = client.get(f"/campaigns/{cid}/live.json").json()
    assert body["today"]["attempts"] == 0 and body["alert"] is False
    assert len(body["last_attempts"]) == 10


@pytest.mark.parametrize("path", ["/campaigns/{}", "/campaigns/{}/edit", "/campaigns/{}/live.json"])
def test_other_sites_and_companies_are_not_found(
    client: TestClient, world: World, path: str
) -> None:
    sibling, foreign = world.make_campaign("sibling"), world.make_campaign("foreign")
    token = _logged_in(client)
    for cid in (sibling, foreign):
        assert client.get(path.format(cid)).status_code == 404
    r = client.post(f"/campaigns/{foreign}/state", data={"action": "activate", "csrf_token": token})
    assert r.status_code == 404
    assert _upload(client, foreign, token).status_code == 404


def test_operator_has_no_campaign_pages(client: TestClient, world: World) -> None:
    cid = world.make_campaign("own")
    _logged_in(client, "actor_operator")
    assert 'href="/campaigns"' not in client.get("/").text
    assert client.get("/campaigns").status_code == 403
    assert client.get("/campaigns/new").status_code == 403
    assert client.get(f"/campaigns/{cid}").status_code == 404
    client.cookies.clear()
    r = client.get(f"/campaigns/{cid}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_client_user_reads_its_campaign_only(client: TestClient, world: World) -> None:
    own = world.make_campaign("own")
    other_client = world.make_client("own")
    g = world.groups["T1"].id
    hidden = campaigns.create_campaign(
        world.ctx, world.admin(), {"name": "Other", "group_id": g, "client_id": other_client}
    ).id
    token = _logged_in(client, f"actor_{Role.CLIENT.value}")
    html = client.get("/campaigns").text
    assert f'href="/campaigns/{own}"' in html and f'href="/campaigns/{hidden}"' not in html
    detail = client.get(f"/campaigns/{own}").text
    assert 'id="upload-form"' not in detail and "errors.csv" not in detail
    assert client.get(f"/campaigns/{hidden}").status_code == 404
    r = client.post(f"/campaigns/{own}/state", data={"action": "activate", "csrf_token": token})
    assert r.status_code == 403

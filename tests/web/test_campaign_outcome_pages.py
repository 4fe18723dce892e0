"""A campaign's own outcomes through its page, on both databases: added with its rule,
refused with the message beside its field and what was typed kept, deleted."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from centralino.services import outcomes
from centralino.services.context import ServiceContext
from world import PASSWORD, World, build_world


def _logged_in(client: TestClient, username: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    form = {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert found
    return found.group(1)


@pytest.fixture
def world(ctx: ServiceContext) -> World:
    return build_world(ctx)


def test_add_refuse_and_delete_an_outcome(client: TestClient, world: World) -> None:
    cid = world.make_campaign("own")
    token = _logged_in(client, "actor_team_leader")
    assert 'id="new-outcome"' in client.get(f"/campaigns/{cid}").text
    form = {
        "code": "appointment", "label": "Appointment booked", "kind": "positive",
        "rule": "retry", "retry_minutes": "90", "max_attempts": "2", "csrf_token": token,
    }  # fmt: skip
    r = client.post(f"/campaigns/{cid}/outcomes", data=form)
    assert r.status_code == 200 and "Outcome added." in r.text and "retry after 90 min" in r.text
    o = next(o for o in outcomes.list_outcomes(world.ctx, world.admin(), cid) if not o.is_system
             and o.code == "appointment")  # fmt: skip
    assert (o.label, o.kind.value, o.retry_delay.total_seconds() if o.retry_delay else None,
            o.max_attempts, o.final) == ("Appointment booked", "positive", 5400.0, 2, False)  # fmt: skip

    r = client.post(f"/campaigns/{cid}/outcomes", data={**form, "label": "Again"})
    assert r.status_code == 422
    error = re.search(r'id="err-outcome-code">([^<]*)<', r.text)
    assert error and "already has an outcome" in html.unescape(error.group(1))
    assert '<details class="edit" id="new-outcome" open>' in r.text and 'value="Again"' in r.text
    r = client.post(
        f"/campaigns/{cid}/outcomes", data={**form, "code": "Bad Code", "rule": "final"}
    )
    assert r.status_code == 422 and 'id="err-outcome-code"' in r.text
    r = client.post(f"/campaigns/{cid}/outcomes", data={**form, "code": "x", "retry_minutes": ""})
    assert r.status_code == 422 and "minutes before the retry" in r.text

    r = client.post(f"/campaigns/{cid}/outcomes/appointment/delete", data={"csrf_token": token})
    assert r.status_code == 200 and "Outcome deleted." in r.text
    assert "appointment" not in {
        o.code for o in outcomes.list_outcomes(world.ctx, world.admin(), cid)
    }
    r = client.post(
        f"/campaigns/{cid}/outcomes/busy/delete", data={"csrf_token": token},
        headers={"referer": f"http://testserver/campaigns/{cid}"},
    )  # fmt: skip
    assert "system outcomes cannot be deleted" in r.text


def test_back_office_is_offered_no_outcome_form(client: TestClient, world: World) -> None:
    cid = world.make_campaign("own")
    token = _logged_in(client, "actor_back_office")
    assert 'id="new-outcome"' not in client.get(f"/campaigns/{cid}").text
    r = client.post(
        f"/campaigns/{cid}/outcomes",
        data={"code": "x", "label": "X", "kind": "final", "rule": "final", "csrf_token": token},
    )
    assert r.status_code == 403

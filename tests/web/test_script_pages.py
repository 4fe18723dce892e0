"""The call-script pages of Setup over HTTP on both databases: a tree created from the form
with errors shown at the step and option they concern (what was typed kept), edited, its
saved tree previewed, deleted; and who may open what."""

from __future__ import annotations

import html as html_text
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from centralino.services import scripts
from centralino.services.context import ServiceContext
from world import PASSWORD, World, build_world


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def logged_in(client: TestClient, username: str = "actor_team_leader") -> str:
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


def script_form(world: World, token: str, **over: Any) -> dict[str, Any]:
    """Greeting, then a yes/no question: yes ends with `interested`, no with `no`. The
    option row 1 of step 1 is left empty, as a person leaves an unused row."""
    data: dict[str, Any] = {
        "csrf_token": token, "name": "Offerta casa", "group_id": str(world.groups["T1"].id),
        "first": "",
        "step-0-id": "hello", "step-0-kind": "none", "step-0-text": "Buongiorno {name}",
        "step-0-next": "ask", "step-0-required": "on",
        "step-1-id": "ask", "step-1-kind": "yes_no", "step-1-text": "Le interessa?",
        "step-1-opt-0-value": "yes", "step-1-opt-0-label": "Sì", "step-1-opt-0-outcome": "interested",
        "step-1-opt-1-value": "", "step-1-opt-1-label": "",
        "step-1-opt-2-value": "no", "step-1-opt-2-label": "No", "step-1-opt-2-outcome": "no",
        "campaign_ids": [str(world.make_campaign("own"))],
    }  # fmt: skip
    data.update(over)
    return data


def test_a_script_is_built_in_the_editor(client: TestClient, world: World) -> None:
    token = logged_in(client)
    assert 'href="/setup/scripts"' in client.get("/setup").text
    page = client.get("/setup/scripts/new")
    assert page.status_code == 200 and 'id="step-template"' in page.text
    r = client.post("/setup/scripts", data=script_form(world, token), follow_redirects=False)
    assert r.status_code == 303, r.text
    sid = int(r.headers["location"].rsplit("/", 1)[1])
    saved = scripts.get_script(world.ctx, world.admin(), sid)
    assert [s.id for s in saved.script.steps] == ["hello", "ask"]
    assert [(o.value, o.label, o.outcome) for o in saved.script.step("ask").options] == [
        ("yes", "Sì", "interested"), ("no", "No", "no"),
    ]  # fmt: skip
    assert len(saved.campaign_ids) == 1
    html = client.get(f"/setup/scripts/{sid}").text
    tree = html[html.index('id="script-tree"') :]
    assert "Buongiorno {name}" in tree and "<code>interested</code>" in tree
    listed = client.get("/setup/scripts").text
    assert "Offerta casa" in listed

    # an unknown next step on the third option row (form index 2, the API's option 1)
    bad = script_form(world, token, **{"step-1-opt-2-next": "s3", "campaign_ids": []})
    r = client.post(f"/setup/scripts/{sid}", data=bad)
    assert r.status_code == 422
    assert field_error(r.text, "step-1-opt-2-next") == "unknown step 's3'"
    assert 'value="s3"' in r.text  # kept as typed
    # a step nobody reaches is marked on its own block
    lost = script_form(world, token, **{"step-2-id": "lost", "step-2-text": "?",
                                        "campaign_ids": []})  # fmt: skip
    r = client.post(f"/setup/scripts/{sid}", data=lost)
    assert "cannot be reached" in field_error(r.text, "step-2")
    # a loop is refused at the link that closes it
    loop = script_form(world, token, **{"step-1-opt-2-next": "hello", "campaign_ids": []})
    r = client.post(f"/setup/scripts/{sid}", data=loop)
    assert "cannot loop" in field_error(r.text, "step-1-opt-2-next")
    r = client.post(f"/setup/scripts/{sid}", data=script_form(world, token, **{"step-0-text": ""}))
    assert field_error(r.text, "step-0-text") == "a step needs a text to read"

    ok = script_form(world, token, name="Offerta casa 2", campaign_ids=[])
    r = client.post(f"/setup/scripts/{sid}", data=ok, follow_redirects=False)
    assert r.status_code == 303
    assert scripts.get_script(world.ctx, world.admin(), sid).name == "Offerta casa 2"
    r = client.post(f"/setup/scripts/{sid}/delete", data={"csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert client.get(f"/setup/scripts/{sid}").status_code == 404


def test_readers_see_the_script_without_changing_it(client: TestClient, world: World) -> None:
    s = scripts.create_script(
        world.ctx, world.admin(),
        {"name": "Assistenza", "group_id": world.groups["T1"].id,
         "steps": [{"id": "hi", "text": "Ciao"}]},
    )  # fmt: skip
    logged_in(client, "actor_supervisor")  # campaigns.read, not write
    html = client.get(f"/setup/scripts/{s.id}").text
    assert "Assistenza" in html and "<fieldset disabled" in html and "Save script" not in html
    assert client.get("/setup/scripts/new").status_code == 403
    client.cookies.clear()
    logged_in(client, "actor_operator")
    assert client.get("/setup/scripts").status_code == 403

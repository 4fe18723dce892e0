"""The operator panel's outbound desk as the server renders it: its cards, forms and
labels in the panel page (painted later by static/panel_desk.js), in the user's language,
and its script served."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from test_pages import csrf_of, page_login

from centralino.services.context import ServiceContext
from world import World, build_world


@pytest.fixture
def world(ctx: ServiceContext) -> World:
    return build_world(ctx)


def test_the_panel_holds_the_desk(client: TestClient, world: World) -> None:
    page_login(client, "actor_operator")
    html = client.get("/panel").text
    for part in (
        'id="desk-contact"', 'id="desk-columns"', 'id="desk-attempts"', 'id="desk-callbacks"',
        '<template id="desk-wrapup-template">', 'id="desk-outcome"',
        'type="datetime-local" id="desk-cb-at"',
        'id="desk-manual"', 'id="desk-picks"', 'id="desk-colleagues"', 'id="desk-day"',
        '<script src="/static/panel_desk.js" defer></script>',
    ):  # fmt: skip
        assert part in html, part
    assert [v for v in re.findall(r'name="cb-for" value="(\w+)"', html)] == [
        "self", "colleague", "anyone",
    ]  # fmt: skip
    for label in ("Skip reason", "When (my time)", "Records to call", "My day", "Talk time"):
        assert label in html
    assert html.count('id="desk"') == 1 and 'class="panel-grid"' in html
    js = client.get("/static/panel_desk.js")
    assert js.status_code == 200 and "/me/desk/wrap-up" in js.text


def test_the_desk_speaks_italian(client: TestClient, world: World) -> None:
    page_login(client, "actor_operator")
    token = csrf_of(client.get("/").text)
    client.post("/lang", data={"lang": "it", "csrf_token": token, "back": "/"})
    html = client.get("/panel").text
    assert "La mia giornata" in html and "Motivo per saltare" in html and "Quando (mia ora)" in html


def test_the_desk_is_not_for_clients(client: TestClient, world: World) -> None:
    page_login(client, "actor_client")
    r = client.get("/panel", follow_redirects=False)
    assert r.status_code in (403, 404) and 'id="desk"' not in r.text

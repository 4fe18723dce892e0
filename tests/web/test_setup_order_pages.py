"""The order form editor (Setup → Order forms) over HTTP on both databases: fields added,
moved and removed without JavaScript, nothing stored until saved, an error shown on its
row with what was typed kept, and read-only for those who may only read the campaign."""

from __future__ import annotations

import html as html_text
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_setup_pages import _logged_in

from centralino.services import orders
from centralino.services.context import ServiceContext
from world import World, build_world


@pytest.fixture
def world(ctx: ServiceContext) -> World:
    return build_world(ctx)


def _row(i: int, name: str, label: str, kind: str = "text", **more: str) -> dict[str, str]:
    data = {f"f-{i}-name": name, f"f-{i}-label": label, f"f-{i}-kind": kind}
    data.update({f"f-{i}-{k}": v for k, v in more.items()})
    return data


def _names(page: str) -> list[str]:
    return re.findall(r'name="f-\d+-name" id="f-\d+-name" value="([^"]*)"', page)


def test_design_a_form(client: TestClient, world: World, ctx: ServiceContext) -> None:
    cid = world.make_campaign("own")
    token = _logged_in(client, "actor_team_leader")
    index = client.get("/setup/order-forms")
    assert index.status_code == 200 and f'href="/setup/order-forms/{cid}"' in index.text
    assert "none yet" in index.text
    url = f"/setup/order-forms/{cid}"
    page = client.get(url)
    assert page.status_code == 200 and "No fields yet." in page.text
    rows = {
        "csrf_token": token,
        **_row(0, "iban", "IBAN", pattern=r"IT\d{2}.*", **{"required": "on"}),
        **_row(1, "offerta", "Offerta", "choice", choices="Casa Luce\nCasa Gas\n"),
    }
    # add a field: the page comes back with an empty third row, nothing stored yet
    added = client.post(url, data={**rows, "op": "add"})
    assert added.status_code == 200 and _names(added.text) == ["iban", "offerta", ""]
    assert orders.get_form(ctx, world.admin(), cid).fields == ()
    # move the second up, then remove what is now the second
    moved = client.post(url, data={**rows, "op": "down-0"})
    assert _names(moved.text) == ["offerta", "iban"]
    assert "Casa Luce\nCasa Gas</textarea>" in moved.text
    removed = client.post(url, data={**rows, "op": "remove-1"})
    assert _names(removed.text) == ["iban"]
    # an error lands on its row, what was typed kept
    bad = {**rows, **_row(1, "offerta", "Offerta", "choice", choices=" "), "op": "save"}
    r = client.post(url, data=bad)
    assert r.status_code == 422 and _names(r.text) == ["iban", "offerta"]
    m = re.search(r'<p class="field-error" id="err-row-1">([^<]*)</p>', r.text)
    assert m and "at least one option" in html_text.unescape(m.group(1))
    bad = {**rows, **_row(2, "kw", "Potenza", "number", minimum="tanta"), "op": "save"}
    r = client.post(url, data=bad)
    assert r.status_code == 422 and "enter a number" in r.text
    # saved, in the order shown, bounds read by kind
    good: dict[str, Any] = {
        **rows, **_row(2, "kw", "Potenza kW", "number", minimum="1,5", maximum="30"),
        **_row(3, "attivazione", "Data attivazione", "date", minimum="2026-01-01"), "op": "save",
    }  # fmt: skip
    r = client.post(url, data=good, follow_redirects=False)
    assert r.status_code == 303, r.text
    form = orders.get_form(ctx, world.admin(), cid)
    assert [f.name for f in form.fields] == ["iban", "offerta", "kw", "attivazione"]
    assert form.fields[0].required and form.fields[1].choices == ("Casa Luce", "Casa Gas")
    assert (form.fields[2].minimum, form.fields[2].maximum) == (1.5, 30.0)
    assert str(form.fields[3].min_date) == "2026-01-01"
    shown = client.get(url).text
    assert _names(shown) == ["iban", "offerta", "kw", "attivazione"]
    assert 'value="2026-01-01"' in shown and 'value="1.5"' in shown
    assert "4 fields" in client.get("/setup/order-forms").text


def test_readers_see_the_form_without_changing_it(client: TestClient, world: World) -> None:
    cid = world.make_campaign("own")
    orders.put_form(world.ctx, world.admin(), cid, [{"name": "a", "label": "A", "kind": "text"}])
    token = _logged_in(client, "actor_back_office")
    page = client.get(f"/setup/order-forms/{cid}")
    assert page.status_code == 200 and "<fieldset disabled>" in page.text
    assert "Save the form" not in page.text
    r = client.post(
        f"/setup/order-forms/{cid}", data={"csrf_token": token, **_row(0, "b", "B"), "op": "save"}
    )
    assert r.status_code == 403
    sibling = world.make_campaign("sibling")
    assert client.get(f"/setup/order-forms/{sibling}").status_code == 404

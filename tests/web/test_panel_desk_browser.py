"""In Debian Chromium: the outbound desk of the operator panel. The demo admin pauses the
predictive campaign and opens a preview campaign for the team Vendite with a small list;
the demo's `operator` logs in to the phone, is shown a record in preview with every
imported column, dials it (the next one when nobody answers), talks, hangs up, sets an
outcome and a callback for themself in one save; the callback is listed by the API, the
contact's history shows the attempt, and my day counts the call."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from browser_support import log_in, shot
from playwright.sync_api import expect

from centralino.demo import DEMO_CAMPAIGN, DEMO_PASSWORD

pytestmark = pytest.mark.browser
DEMO_BOTS = False  # nobody else dials: the operator's own previews only
LIST = (
    "Nome;Cognome;Cellulare;Città;Offerta;Consenso\n"
    + "".join(
        f"{n};{s};3{40 + i}555{i:04d};{c};casa {i};sì\n"
        for i, (n, s, c) in enumerate(
            [("Giulia", "Rossi", "Milano"), ("Marco", "Bianchi", "Roma"),
             ("Anna", "Greco", "Bari"), ("Luca", "Ricci", "Torino"),
             ("Sara", "Colombo", "Bologna"), ("Paolo", "Romano", "Napoli"),
             ("Elena", "Bruno", "Firenze"), ("Davide", "Esposito", "Roma")]
        )
    )
)  # fmt: skip


def _admin(browser: Any, url: str) -> tuple[Any, Any, dict[str, str]]:
    context = browser.new_context()
    api = context.request
    r = api.post(f"{url}/api/v1/auth/login", data={"username": "admin", "password": DEMO_PASSWORD})
    assert r.ok, r.text()
    return context, api, {"X-CSRF-Token": r.json()["csrf_token"]}


def _preview_campaign(api: Any, url: str, csrf: dict[str, str]) -> int:
    """Pause the demo's predictive campaign; a preview campaign of its team with LIST."""
    found = api.get(f"{url}/api/v1/campaigns?limit=100").json()["items"]
    demo_id = next(c["id"] for c in found if c["name"] == DEMO_CAMPAIGN)
    demo = api.get(f"{url}/api/v1/campaigns/{demo_id}").json()
    assert demo["team_ids"], "the demo campaign is worked by the team Vendite"
    r = api.patch(f"{url}/api/v1/campaigns/{demo['id']}", data={"state": "paused"}, headers=csrf)
    assert r.ok, r.text()
    r = api.post(
        f"{url}/api/v1/campaigns",
        data={
            "name": "Acme Energia: richiami", "group_id": demo["group_id"],
            "client_id": demo["client_id"], "dial_mode": "preview", "compliance": "custom",
            "default_region": "IT", "caller_id": "+390212345678",
            "windows": [{"days": list(range(7)), "start": "00:00", "end": "23:59"}],
            "team_ids": demo["team_ids"],
        },
        headers=csrf,
    )  # fmt: skip
    assert r.status == 201, r.text()
    cid = int(r.json()["id"])
    r = api.post(
        f"{url}/api/v1/campaigns/{cid}/imports",
        multipart={"file": {"name": "richiami.csv", "mimeType": "text/csv",
                            "buffer": LIST.encode("utf-8")}},
        headers=csrf,
    )  # fmt: skip
    assert r.status == 201, r.text()
    deadline = time.monotonic() + 20
    while api.get(f"{url}/api/v1/imports/{r.json()['id']}").json()["state"] != "done":
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.3)
    r = api.patch(f"{url}/api/v1/campaigns/{cid}", data={"state": "active"}, headers=csrf)
    assert r.ok, r.text()
    return cid


def _state(page: Any) -> str:
    return str(page.locator("#phone-state").inner_text())


def test_an_operator_works_a_preview_record_and_books_a_callback(
    live_server: dict[str, Any], browser: Any, page: Any
) -> None:
    url = live_server["url"]
    admin_ctx, api, csrf = _admin(browser, url)
    cid = _preview_campaign(api, url, csrf)
    time.sleep(3.5)  # the live engine takes the new campaign at its next pass

    log_in(page, url, "operator")
    page.goto(f"{url}/panel")
    panel = page.locator("#panel")
    login = panel.get_by_role("button", name="Log in to the phone")
    expect(login).to_be_enabled()
    login.click()
    contact = page.locator("#desk-contact")
    expect(contact).to_be_visible(timeout=15_000)
    expect(page.locator("#desk-mode")).to_have_text("Preview")
    expect(page.locator("#desk-history-none")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollHeight") <= 768
    assert "Acme Energia: richiami" in page.locator("#phone-campaign").inner_text()
    names = page.locator("#desk-columns dt").all_inner_texts()
    assert names == ["Nome", "Cognome", "Cellulare", "Città", "Offerta", "Consenso"]
    assert page.locator("#desk-list").inner_text() == "richiami"
    first = page.locator("#desk-name").inner_text()
    assert first.split()[0] in LIST
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    shot(page, "panel-preview")

    # skip the first with a reason, then dial until somebody answers
    panel.get_by_label("Skip reason").fill("asked for next week by email")
    panel.get_by_role("button", name="Skip").click()
    expect(page.locator("#desk-name")).not_to_have_text(first, timeout=10_000)
    talked = None
    deadline = time.monotonic() + 150
    while talked is None:
        assert time.monotonic() < deadline, "nobody answered the operator's dials"
        dial = page.locator("#desk-dial")
        if dial.is_visible():
            shown = page.locator("#desk-name").inner_text()
            dial.click()
            expect(page.locator("#desk-mode")).to_have_text("On call", timeout=5_000)
            page.wait_for_function(
                "() => ['Talking', 'Ready', 'Connecting'].includes("
                "document.getElementById('phone-state').textContent) && "
                "(document.getElementById('phone-state').textContent === 'Talking' || "
                "document.getElementById('desk-mode').textContent === 'Preview')",
                timeout=60_000,
            )
            if _state(page) == "Talking":
                talked = shown
        time.sleep(0.3)
    assert page.locator("#desk-name").inner_text() == talked
    colleagues = page.locator("#desk-colleagues li")
    expect(colleagues.first).to_be_visible(timeout=12_000)
    assert page.evaluate("document.documentElement.scrollHeight") <= 768
    shot(page, "panel-outbound")

    panel.get_by_role("button", name="Hang up").click()
    page.wait_for_function(
        "() => document.getElementById('phone-state').textContent === 'Wrap-up'", timeout=10_000
    )
    wrap = page.locator("#desk-wrapup")
    expect(wrap).to_be_visible(timeout=5_000)
    assert page.locator("#wrapup-box").is_hidden()
    wrap.get_by_label("Outcome").select_option("callback")
    wrap.get_by_label("Notes").fill("richiamare dopo pranzo")
    # a callback for myself in a minute or two: the dialer shows the record to me again
    rome = ZoneInfo("Europe/Rome")
    due = (datetime.now(UTC) + timedelta(minutes=2)).astimezone(rome)
    due = due.replace(second=0, microsecond=0)
    wrap.get_by_label("Callback: When (my time)").fill(due.strftime("%Y-%m-%dT%H:%M"))
    wrap.get_by_label("me", exact=True).check()
    assert page.evaluate("document.documentElement.scrollHeight") <= 768
    shot(page, "panel-outbound-wrap-up")
    wrap.get_by_role("button", name="Save").click()
    page.wait_for_function(
        "() => document.getElementById('phone-state').textContent !== 'Wrap-up'", timeout=10_000
    )
    assert page.locator("#desk-wrapup-error").is_hidden()

    listed = api.get(f"{url}/api/v1/campaigns/{cid}/callbacks").json()
    assert len(listed) == 1
    cb = listed[0]
    assert cb["scope"] == "self" and cb["notes"] == "richiamare dopo pranzo"
    assert datetime.fromisoformat(cb["due_at"]) == due
    attempts = api.get(
        f"{url}/api/v1/campaigns/{cid}/attempts", params={"record_id": cb["record_id"]}
    ).json()["items"]
    assert [a["outcome"] for a in attempts] == ["callback"]

    # my day counts the call once the engine has stored it
    expect(page.locator("#day-outcomes")).to_contain_text("Callback: 1", timeout=15_000)
    expect(page.locator("#day-calls")).not_to_have_text("0 (in 0, out 0)", timeout=15_000)
    shot(page, "panel-day")

    # once due, the callback comes back to me: its history shows the attempt and the
    # callback (the record shown meanwhile is skipped)
    wait = (due - datetime.now(UTC)).total_seconds() + 1
    if wait > 0:
        time.sleep(wait)
    deadline = time.monotonic() + 30
    while page.locator("#desk-name").inner_text() != talked:
        assert time.monotonic() < deadline, "the callback did not come back"
        if page.locator("#desk-skip").is_visible():
            panel.get_by_label("Skip reason").fill("the callback first")
            panel.get_by_role("button", name="Skip").click()
        time.sleep(1.0)
    expect(page.locator("#desk-mode")).to_have_text("Preview")
    history = page.locator("#desk-attempts tbody tr")
    expect(history).to_have_count(1)  # the attempt talked (this offer's own is not history)
    expect(history.first).to_contain_text("Callback")
    expect(history.first).to_contain_text("richiamare dopo pranzo")
    expect(history.first).to_contain_text("Olga Operatore")
    expect(page.locator("#desk-callbacks tbody tr").first).to_contain_text(
        due.strftime("%Y-%m-%d %H:%M")
    )
    shot(page, "panel-outbound-history")
    admin_ctx.close()

"""In Debian Chromium: a person takes a call in the operator panel. The demo's operator
is put in the queue Assistenza, logs in to the phone, pauses and is ready again, answers
a simulated caller with the A key, hangs up with H, saves the after-call work, and the
stored call carries the outcome."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from browser_support import log_in, shot
from playwright.sync_api import expect

from centralino.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
DEMO_BOTS = True  # the bots work the queues and simulated callers ring the service
DEMO_CALLERS_PER_HOUR = 1800.0  # a caller every two seconds: one rings to me soon


def _admin_api(browser: Any, url: str) -> tuple[Any, Any, dict[str, str]]:
    """A cookie session of the demo's admin for the JSON API, and its CSRF header."""
    context = browser.new_context()
    api = context.request
    r = api.post(f"{url}/api/v1/auth/login", data={"username": "admin", "password": DEMO_PASSWORD})
    assert r.ok, r.text()
    return context, api, {"X-CSRF-Token": r.json()["csrf_token"]}


def _join_assistenza(api: Any, url: str, csrf: dict[str, str]) -> int:
    """Put `operator` in the queue Assistenza (tier 0), keeping its members; their id."""
    users = api.get(f"{url}/api/v1/users?limit=500").json()["items"]
    me = next(u["id"] for u in users if u["username"] == "operator")
    found = api.get(f"{url}/api/v1/queues?limit=100").json()["items"]
    care = next(q for q in found if q["name"] == "Assistenza")
    members = [{"user_id": m["user_id"], "tier": m["tier"]} for m in care["members"]]
    r = api.put(
        f"{url}/api/v1/queues/{care['id']}/members",
        data={"members": [*members, {"user_id": me, "tier": 0}]}, headers=csrf,
    )  # fmt: skip
    assert r.ok, r.text()
    assert len(r.json()) == len(members) + 1
    return me


def test_an_operator_takes_a_call_in_the_panel(
    live_server: dict[str, Any], browser: Any, page: Any
) -> None:
    url = live_server["url"]
    started = datetime.now(UTC) - timedelta(seconds=5)
    admin_ctx, api, csrf = _admin_api(browser, url)
    me = _join_assistenza(api, url, csrf)

    log_in(page, url, "operator")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Phone").click()
    page.wait_for_url(f"{url}/panel")
    panel = page.locator("#panel")
    state = page.locator("#phone-state")
    # in the demo a bot works every queue member's line until the person logs in
    page.wait_for_function("() => document.getElementById('phone-state').textContent !== ''")
    login = panel.get_by_role("button", name="Log in to the phone")
    expect(login).to_be_enabled()
    login.click()
    expect(login).to_be_disabled()
    page.wait_for_function(
        "() => ['Ready', 'Ringing'].includes(document.getElementById('phone-state').textContent)",
        timeout=10_000,
    )
    assert "Assistenza" in page.locator("#phone-queues").inner_text()
    # a pause with a reason, then ready again
    if state.inner_text() == "Ready":
        page.get_by_label("Pause reason").select_option(index=0)
        panel.get_by_role("button", name="Pause").click()
        page.wait_for_function(  # unless a caller rang in between: pause refused
            "() => ['Paused', 'Ringing'].includes(document.getElementById('phone-state').textContent)",
            timeout=5_000,
        )
    if state.inner_text() == "Paused":
        expect(panel.get_by_role("button", name="Ready")).to_be_enabled()
        # paused, nothing rings: a move the engine refuses shows the problem's detail
        answer = panel.get_by_role("button", name="Answer", include_hidden=True)
        answer.evaluate("b => { b.hidden = false; b.click(); }")
        error = page.locator("#panel-error")
        expect(error).to_contain_text("no call is ringing to you", timeout=5_000)
        panel.get_by_role("button", name="Ready").click()
        expect(error).to_be_hidden(timeout=5_000)

    answer = panel.get_by_role("button", name="Answer")
    answer.wait_for(state="visible", timeout=40_000)
    number = page.locator("#call-number").inner_text()
    assert number.startswith("+")
    assert page.locator("#call-queue").inner_text() == "Assistenza"
    pop = page.locator("#screen-pop")
    assert pop.get_attribute("target") == "_blank" and "crm.example.com" in (
        pop.get_attribute("href") or ""
    )
    page.locator("h1").click()  # no field has the focus: the keys act
    page.keyboard.press("a")
    page.wait_for_function(
        "() => document.getElementById('phone-state').textContent === 'Talking'", timeout=5_000
    )
    hangup = panel.get_by_role("button", name="Hang up")
    assert hangup.is_visible() and page.locator("#transfer-box").is_visible()
    page.locator("#transfer-target option").first.wait_for(state="attached", timeout=5_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert page.evaluate("document.documentElement.scrollHeight") <= 768
    shot(page, "panel")

    page.keyboard.press("h")
    page.wait_for_function(
        "() => document.getElementById('phone-state').textContent === 'Wrap-up'", timeout=5_000
    )
    page.get_by_label("Outcome").fill("solved")
    page.keyboard.press("r")  # typing in a field: no shortcut
    assert page.get_by_label("Outcome").input_value() == "solvedr"
    page.get_by_label("Outcome").fill("solved")
    page.get_by_label("Positive").check()
    page.get_by_label("Notes").fill("new router")
    assert page.evaluate("document.documentElement.scrollHeight") <= 768
    shot(page, "panel-wrap-up")
    panel.get_by_role("button", name="Save").click()
    page.wait_for_function(
        "() => ['Ready', 'Ringing'].includes(document.getElementById('phone-state').textContent)",
        timeout=5_000,
    )
    assert page.locator("#panel-error").is_hidden()

    # the engine stores finished calls every few seconds
    since = started.isoformat().replace("+00:00", "Z")
    deadline = time.monotonic() + 15
    stored: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        r = api.get(
            f"{url}/api/v1/calls", params={"from": since, "queue": "Assistenza", "limit": 500}
        )
        assert r.ok, r.text()
        stored = [c for c in r.json()["items"] if c["user_id"] == me and c["number"] == number]
        if stored and stored[0]["outcome"]:
            break
        time.sleep(0.5)
    assert stored, f"the call of {number} was not stored"
    assert (stored[0]["result"], stored[0]["outcome"], stored[0]["positive"]) == (
        "talked", "solved", True,
    )  # fmt: skip

    admin_ctx.close()

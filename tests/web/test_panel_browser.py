"""In Debian Chromium: a person takes a call in the operator panel. The demo's operator
is put in the queue Assistenza, logs in to the phone; a pause and a ready sent through
the API by another client show in the page at once (the event stream, not the 15-second
safety read); the operator pauses and is ready again, answers a simulated caller with
the A key, hangs up with H, saves the after-call work, and the stored call carries the
outcome."""

from __future__ import annotations

import json
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


def _api_session(browser: Any, url: str, username: str) -> tuple[Any, Any, dict[str, str]]:
    """A cookie session of a demo user for the JSON API, and its CSRF header."""
    context = browser.new_context()
    api = context.request
    r = api.post(f"{url}/api/v1/auth/login", data={"username": username, "password": DEMO_PASSWORD})
    assert r.ok, r.text()
    return context, api, {"X-CSRF-Token": r.json()["csrf_token"]}


def _change_elsewhere(page: Any, api: Any, url: str, csrf: dict[str, str]) -> list[str]:
    """Pause the operator if the page shows them ready, ready them if it shows them
    paused, through the API from another client; the states the page may then show."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        shown = page.locator("#phone-state").inner_text()
        if shown == "Ready":
            r = api.post(f"{url}/api/v1/me/phone/pause", data={}, headers=csrf)
            if r.ok:
                assert r.json()["state"] == "paused"
                return ["Paused"]
            assert r.status == 409, r.text()  # a caller rang in between: try again
        elif shown == "Paused":
            r = api.post(f"{url}/api/v1/me/phone/ready", headers=csrf)
            assert r.ok, r.text()
            return ["Ready", "Ringing"]  # a caller may ring at once
        time.sleep(0.2)
    raise AssertionError("the operator was never free to be paused or readied")


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
    admin_ctx, api, csrf = _api_session(browser, url, "admin")
    me = _join_assistenza(api, url, csrf)

    frames: list[str] = []  # the event stream as the page receives it
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(f)))
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
    expect(page.locator("#panel-live")).to_have_text("live")
    # the operator's phone changed from another client (their second session): the page
    # follows within a few seconds, where its safety read of the API comes every 15 s
    other_ctx, other, other_csrf = _api_session(browser, url, "operator")
    for _ in range(3):
        shows = _change_elsewhere(page, other, url, other_csrf)
        page.wait_for_function(
            "states => states.includes(document.getElementById('phone-state').textContent)",
            arg=shows, timeout=3_000,
        )  # fmt: skip
    pushed = [json.loads(f) for f in frames if isinstance(f, str) and '"phone.state"' in f]
    assert {e["payload"]["state"] for e in pushed} >= {"paused", "ready"}
    other_ctx.close()
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
    shot(page, "panel")  # before the checks, so a page too big can be looked at
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert page.evaluate("document.documentElement.scrollHeight") <= 768

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


def test_the_panel_reconnects_when_the_event_stream_drops(
    live_server: dict[str, Any], page: Any
) -> None:
    url = live_server["url"]
    log_in(page, url, "operator")
    sockets: list[Any] = []

    def through(ws: Any) -> None:  # the page's event stream, passed on to the server
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket("**/api/v1/events", through)
    page.goto(f"{url}/panel")
    badge = page.locator("#panel-live")
    expect(badge).to_have_text("live")
    sockets[-1].close()  # as when the network or the server drops it
    expect(badge).to_have_text("reconnecting")
    shot(page, "panel-reconnecting")
    expect(badge).to_have_text("live", timeout=10_000)  # tried again after about a second
    assert len(sockets) == 2

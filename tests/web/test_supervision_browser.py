"""In Debian Chromium: the demo's supervisor has /supervision open while the demo runs.
An operator's state changes through /api/v1/me/phone and the page shows it pushed over
the event stream, with no reload (the time from the change to the DOM is printed); a
pause over its limit is highlighted; the supervisor forces a pause, sends a message that
pops up on the operator's panel, and listens to a bot's call."""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

import pytest
from browser_support import log_in, shot
from playwright.sync_api import expect

from centralino.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
DEMO_BOTS = True  # bots on the campaign and the queues: a populated page, calls to listen to


def _api(browser: Any, url: str, username: str) -> tuple[Any, Any, dict[str, str]]:
    """A cookie session of a demo user for the JSON API, and its CSRF header."""
    context = browser.new_context()
    api = context.request
    r = api.post(f"{url}/api/v1/auth/login", data={"username": username, "password": DEMO_PASSWORD})
    assert r.ok, r.text()
    return context, api, {"X-CSRF-Token": r.json()["csrf_token"]}


def _prepare(api: Any, url: str, csrf: dict[str, str]) -> int:
    """`operator` in the queue Assistenza; a pause reason with a 2-second limit."""
    users = api.get(f"{url}/api/v1/users?limit=500").json()["items"]
    me = int(next(u["id"] for u in users if u["username"] == "operator"))
    care = next(
        q for q in api.get(f"{url}/api/v1/queues?limit=100").json()["items"]
        if q["name"] == "Assistenza"
    )  # fmt: skip
    members = [{"user_id": m["user_id"], "tier": m["tier"]} for m in care["members"]]
    r = api.put(
        f"{url}/api/v1/queues/{care['id']}/members",
        data={"members": [*members, {"user_id": me, "tier": 0}]}, headers=csrf,
    )  # fmt: skip
    assert r.ok, r.text()
    assert api.get(f"{url}/api/v1/pause-reasons").ok  # the defaults are stored first
    r = api.post(
        f"{url}/api/v1/pause-reasons",
        data={"code": "quick", "label": "Quick break", "limit_seconds": 2}, headers=csrf,
    )  # fmt: skip
    assert r.ok, r.text()
    return me


def test_the_supervisor_sees_changes_pushed_and_acts(
    live_server: dict[str, Any], browser: Any, page: Any
) -> None:
    url = live_server["url"]
    admin_ctx, admin, admin_csrf = _api(browser, url, "admin")
    me = _prepare(admin, url, admin_csrf)
    op_ctx, op, op_csrf = _api(browser, url, "operator")
    time.sleep(3.5)  # the live engine takes up the new member and pause reason
    r = op.post(f"{url}/api/v1/me/phone/login", headers=op_csrf)
    assert r.ok, r.text()

    log_in(page, url, "supervisor")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Supervision"
    ).click()
    page.wait_for_url(f"{url}/supervision")
    expect(page.locator("#sv-badge")).to_have_text("live")
    row = page.locator(f'#sv-operators tr[data-key="{me}"]')
    expect(row).to_have_count(1)
    page.wait_for_function(
        f"""() => ['ready', 'ringing', 'talking', 'wrap_up'].includes(
            document.querySelector('#sv-operators tr[data-key="{me}"]').dataset.state)"""
    )
    expect(page.locator("#sv-queues tr[data-key='Assistenza']")).to_have_count(1)
    expect(page.locator("#sv-campaigns tbody tr[data-key]")).to_have_count(1)
    assert page.locator("#sv-operators tbody tr[data-key]").count() >= 12  # the bots too
    page.evaluate("window.__notReloaded = true")

    # an operator's state changes through their phone; measured to the DOM update
    waits = []
    rng = random.Random(7)
    for i in range(8):
        r = op.post(f"{url}/api/v1/me/phone/wrap-up", data={}, headers=op_csrf)  # if any
        time.sleep(rng.uniform(0.0, 1.0))  # out of step with the feed's rounds
        want = "paused" if i % 2 == 0 else "ready"
        t0 = time.monotonic()
        if want == "paused":
            r = op.post(f"{url}/api/v1/me/phone/pause", data={"reason": "coffee"}, headers=op_csrf)
        else:
            r = op.post(f"{url}/api/v1/me/phone/ready", headers=op_csrf)
        if not r.ok or r.json()["state"] != want:
            continue  # a caller rang in between: no such change this round
        page.wait_for_function(
            f"""() => document.querySelector('#sv-operators tr[data-key="{me}"]')
                .dataset.state === '{want}'""",
            polling="raf", timeout=5_000,
        )  # fmt: skip
        waits.append(time.monotonic() - t0)
    assert waits, "no state change could be made"
    print(
        f"\nsupervision: operator state change to DOM, {len(waits)} changes: "
        f"median {statistics.median(waits) * 1000:.0f} ms, max {max(waits) * 1000:.0f} ms "
        f"(each from the API call to the row's update, interval {0.4 * 1000:.0f} ms)"
    )

    # a pause over its limit is highlighted once it crosses it, without a reload
    op.post(f"{url}/api/v1/me/phone/ready", headers=op_csrf)
    r = op.post(f"{url}/api/v1/me/phone/pause", data={"reason": "quick"}, headers=op_csrf)
    assert r.ok and r.json()["state"] == "paused", r.text()
    expect(row).to_have_class("over", timeout=6_000)
    expect(row).to_contain_text("over the limit")
    expect(page.locator("#sv-over")).not_to_have_text("0")

    # listen to a bot's call: the supervisor's own leg joins the operator's line
    talking = page.locator('#sv-operators tr[data-state="talking"]').first
    expect(talking).to_have_count(1, timeout=30_000)
    name = talking.locator("td").first.inner_text()
    talking.get_by_role("button", name="Listen").click()
    bar = page.locator("#sv-monitor")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("Listen")
    shot(page, "supervision")
    page.get_by_role("button", name="Stop listening").click()
    expect(bar).to_be_hidden(timeout=5_000)
    assert name

    # a forced pause with a reason, from the page
    op.post(f"{url}/api/v1/me/phone/ready", headers=op_csrf)
    page.get_by_label("Reason for a forced pause").select_option("training")
    row.get_by_role("button", name="Force a pause of").click()
    expect(page.locator("#sv-note")).to_contain_text("paused")  # or: after the call in hand
    view = op.get(f"{url}/api/v1/me/phone").json()
    assert view["reason"] == "training" or view["pause_pending"] == "training"

    # a message pops up on the operator's panel
    panel = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    panel_page = panel.new_page()
    log_in(panel_page, url, "operator")
    panel_page.goto(f"{url}/panel")
    panel_page.wait_for_timeout(500)  # the panel's socket is open
    row.get_by_role("button", name="Send a message to").click()
    dialog = page.locator("#sv-dialog")
    expect(dialog).to_be_visible()
    page.get_by_label("Message", exact=True).fill("Please take the queue")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Send, from the keyboard
    expect(page.locator("#sv-note")).to_contain_text("Message sent")
    popup = panel_page.locator("#panel-message")
    expect(popup).to_be_visible(timeout=5_000)
    expect(popup).to_contain_text("Please take the queue")
    expect(popup).to_contain_text("Sergio Supervisor")
    shot(panel_page, "supervision-message")
    panel_page.keyboard.press("Enter")
    expect(popup).to_be_hidden()
    assert page.evaluate("window.__notReloaded") is True
    panel.close()
    op_ctx.close()
    admin_ctx.close()

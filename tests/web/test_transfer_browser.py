"""In Debian Chromium, the inbound flow of issue 7: a person in the demo's help desk takes
a simulated caller, consults a free bot colleague, completes the transfer, and the stored
call shows the consultation and the transfer; the supervisor's page follows the person."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from browser_support import log_in, shot
from playwright.sync_api import expect
from test_panel_browser import _api_session, _join_assistenza

pytestmark = pytest.mark.browser
DEMO_BOTS = True
DEMO_CALLERS_PER_HOUR = 900.0  # a caller every four seconds; some bots stay free


def test_a_consulted_transfer_to_a_colleague(
    live_server: dict[str, Any], browser: Any, page: Any
) -> None:
    url = live_server["url"]
    started = datetime.now(UTC) - timedelta(seconds=5)
    admin_ctx, api, csrf = _api_session(browser, url, "admin")
    me = _join_assistenza(api, url, csrf)

    # the supervisor watches on the Supervision page meanwhile
    watcher = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    sup = watcher.new_page()
    log_in(sup, url, "supervisor")
    sup.goto(f"{url}/supervision")

    log_in(page, url, "operator")
    page.goto(f"{url}/panel")
    panel = page.locator("#panel")
    page.wait_for_function("() => document.getElementById('phone-state').textContent !== ''")
    panel.get_by_role("button", name="Log in to the phone").click()
    if page.locator("#phone-state").inner_text() == "Paused":
        panel.get_by_role("button", name="Ready").click()
    answer = panel.get_by_role("button", name="Answer")
    answer.wait_for(state="visible", timeout=60_000)
    number = page.locator("#call-number").inner_text()
    answer.click()
    expect(page.locator("#phone-state")).to_have_text("Talking", timeout=5_000)
    # the supervisor sees the person talking to that caller
    expect(sup.locator("#sv-operators")).to_contain_text(number, timeout=5_000)

    # consult a colleague who is ready now (the list shows each one's state)
    target = page.locator("#transfer-target")
    colleague = None
    deadline = time.monotonic() + 60
    while colleague is None and time.monotonic() < deadline:
        for option in target.locator("option").all():
            text = option.inner_text()
            if "Ready" in text and (option.get_attribute("value") or "").startswith("operator:"):
                colleague = option.get_attribute("value")
                break
        if colleague is None:  # read the colleagues again a moment later
            page.wait_for_timeout(1_000)
            page.evaluate("document.dispatchEvent(new Event('panel:targets'))")
    assert colleague, "no colleague was ready within a minute"
    target.select_option(colleague)
    page.get_by_label("Consult first").check()
    page.locator("#transfer-box").get_by_role("button", name="Transfer").click()
    consult = page.locator("#consult-box")
    expect(consult).to_be_visible(timeout=10_000)
    shot(page, "panel-consult")
    consult.get_by_role("button", name="Complete").click()
    expect(page.locator("#phone-state")).to_have_text("Wrap-up", timeout=10_000)
    page.get_by_label("Outcome").fill("transferred")
    panel.get_by_role("button", name="Save").click()

    # the stored call: my leg consulted and transferred the caller to the colleague
    since = started.isoformat().replace("+00:00", "Z")
    phases: list[str] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        r = api.get(f"{url}/api/v1/calls", params={"from": since, "limit": 500})
        assert r.ok, r.text()
        mine = [c for c in r.json()["items"] if c["user_id"] == me and c["number"] == number]
        if mine and mine[0]["outcome"]:
            phases = [p[1] for p in mine[0]["phases"]]
            break
        time.sleep(0.5)
    assert "consult" in phases and "transfer" in phases, phases
    watcher.close()
    admin_ctx.close()

"""In Debian Chromium, the inbound flow of issue 7: a person in the demo's help desk takes
a simulated caller, consults a free bot colleague from the Colleagues card, completes the
transfer and wraps up; the supervisor's page shows the person talking to the caller, then
the colleague. (The consultation and transfer phases of a stored call are tested against
the engine in tests/sim/test_acd.py.)"""

from __future__ import annotations

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
    admin_ctx, api, csrf = _api_session(browser, url, "admin")
    _join_assistenza(api, url, csrf)

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

    # consult a colleague who is free now: the Colleagues card shows each one's phone
    # state, read again every 10 s, with one-click Transfer and Consult while I talk
    free = page.locator("#desk-colleagues li", has_text="available").filter(
        has=page.get_by_role("button", name="Consult")
    )
    free.first.wait_for(timeout=60_000)
    colleague = free.first.locator(".desk-colleague-name").inner_text()
    free.first.get_by_role("button", name="Consult").click()
    consult = page.locator("#consult-box")
    expect(consult).to_be_visible(timeout=10_000)
    assert colleague
    shot(page, "panel-consult")
    consult.get_by_role("button", name="Complete").click()
    expect(page.locator("#phone-state")).to_have_text("Wrap-up", timeout=10_000)
    page.get_by_label("Outcome").fill("transferred")
    panel.get_by_role("button", name="Save").click()

    # the caller now talks to the colleague, and the supervisor sees it live (the call is
    # stored, with its consult and transfer phases, when the caller hangs up: minutes later)
    row = sup.locator("#sv-operators tr", has_text=number)
    expect(row.locator(f'[title="{colleague}"]')).to_have_count(1, timeout=5_000)
    expect(row).to_have_count(1)  # and no longer on the person's row
    shot(sup, "supervision-after-transfer")
    watcher.close()
    admin_ctx.close()

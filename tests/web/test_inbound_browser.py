"""In Debian Chromium: the demo's simulated callers ring the customer line, the bots
answer, and the Inbound page shows them waiting, talking and finished without a reload."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import log_in, shot

pytestmark = pytest.mark.browser
DEMO_BOTS = True  # the live server runs the bot operators and the simulated callers
DEMO_CALLERS_PER_HOUR = 600.0  # a caller every six seconds, so the test need not wait long


def test_watch_callers_being_routed(live_server: dict[str, Any], page: Any) -> None:
    url = live_server["url"]
    log_in(page, url, "supervisor")
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="Inbound").click()
    page.wait_for_url(f"{url}/inbound")
    assert page.locator("#queues-table", has_text="Assistenza").count() == 1
    # No reload: a caller waits, an operator talks, or a finished call arrives.
    page.wait_for_function(
        """() => {
          const waiting = Number(document.querySelector('[data-k="waiting"]').textContent);
          const talking = [...document.querySelectorAll('#operators-table tbody tr')]
            .filter((tr) => tr.textContent.includes('Talking') && tr.textContent.includes('+39')).length;
          const done = document.querySelectorAll('#calls-table tr[data-call]').length;
          return waiting > 0 || talking > 0 || done > 0;
        }""",
        timeout=60_000,
    )
    assert page.locator("#live-badge").inner_text().strip().lower() == "live"
    # times in state count on between two refreshes
    before = page.locator("#operators-table [data-count]").first.inner_text()
    page.wait_for_function(
        "t => document.querySelector('#operators-table [data-count]').textContent !== t",
        arg=before, timeout=5_000,
    )  # fmt: skip
    calls = page.locator("#calls-table tr[data-call]")
    calls.first.wait_for(timeout=90_000)
    target = calls.first.locator(".phases-toggle").get_attribute("aria-controls")
    page.locator(f'[aria-controls="{target}"]').click()  # the same call after any refresh
    phases = page.locator(f"#{target}")
    assert phases.is_visible() and "Arrival" in phases.inner_text()
    page.wait_for_timeout(2_500)  # a refresh keeps the phases open
    assert page.locator("#calls-table .phases-row:not([hidden])").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # no sideways scroll
    shot(page, "inbound")
    # in Italian the longer labels still fit
    page.context.add_cookies([{"name": "centralino_lang", "value": "it", "url": url}])
    page.reload()
    assert page.locator("h1").inner_text().startswith("In entrata")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    shot(page, "inbound-it-IT")

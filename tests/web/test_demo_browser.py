"""In Debian Chromium: the demo's predictive campaign dials on its own, worked by the
bot operators, and its page shows the attempts arriving without a reload."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import log_in, shot

from centralino.demo import DEMO_CAMPAIGN

pytestmark = pytest.mark.browser
DEMO_BOTS = True  # the live server runs the bot operators, as `centralino demo` does


def test_watch_the_demo_campaign_dial(live_server: dict[str, Any], page: Any) -> None:
    url = live_server["url"]
    log_in(page, url, "admin")
    page.goto(f"{url}/campaigns")
    page.get_by_role("link", name=DEMO_CAMPAIGN).click()
    page.wait_for_selector("#live")
    first = int(page.locator('[data-k="today.attempts"]').inner_text() or "0")
    # No reload: the figures refresh by themselves while the bots take calls.
    page.wait_for_function(
        "n => Number(document.querySelector('[data-k=\"today.attempts\"]').textContent) > n",
        arg=first, timeout=45_000,
    )  # fmt: skip
    page.wait_for_function(
        "() => document.querySelectorAll('#last-attempts tbody tr td').length > 1",
        timeout=45_000,
    )
    assert page.locator("#live-badge").inner_text().strip().lower() == "live"
    shot(page, "30-demo-campaign-dialing")

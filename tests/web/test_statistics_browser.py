"""In Debian Chromium: the service-level dashboard follows the demo's simulated calls live
(charts drawn by the locally served Chart.js), and a supervisor runs a report on the page
and downloads it as a spreadsheet."""

from __future__ import annotations

import io
from typing import Any

import pytest
from browser_support import log_in, shot
from python_calamine import CalamineWorkbook

pytestmark = pytest.mark.browser
DEMO_BOTS = True
DEMO_CALLERS_PER_HOUR = 900.0  # a caller every four seconds
SERVICE_LEVEL_CHECK_SECONDS = 1.0


def test_service_levels_live_and_a_report_downloaded(
    live_server: dict[str, Any], page: Any
) -> None:
    url = live_server["url"]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, url, "supervisor")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Reports"
    ).click()
    page.wait_for_url(f"{url}/reports")
    page.get_by_role("link", name="Service levels today").click()
    page.wait_for_url(f"{url}/service-levels")
    card = page.locator(".sl-card", has_text="Acme Energia")
    assert card.count() == 1
    page.locator("#sl-live.on").wait_for(timeout=10_000)  # the event stream is open
    # no reload: the server's check sends the day so far as calls finish
    page.wait_for_function(
        """() => {
          const c = [...document.querySelectorAll('.sl-card')].find((x) => x.textContent.includes('Acme'));
          return c && c.dataset.updated && Number(c.querySelector('[data-k="offered"]').textContent) > 0;
        }""",
        timeout=120_000,
    )
    level = card.locator('[data-k="level"]').inner_text()
    assert level in ("Target met", "Minimum kept, target missed", "Minimum missed")
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('canvas.sl-chart')]
                 .filter((c) => Chart.getChart(c) && c.width > 0).length"""
    )
    assert drawn >= 1
    assert page.locator("#sl-alerts li").count() >= 1  # the first verdict of the day
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    shot(page, "service-levels")

    # a report on the page, then the same as a spreadsheet
    page.goto(f"{url}/reports")
    page.get_by_label("Report", exact=True).select_option("detail")
    page.get_by_role("button", name="Show").click()
    page.locator("canvas.report-chart").wait_for()
    assert page.evaluate(
        "Chart.getChart(document.querySelector('canvas.report-chart')) !== undefined"
    )
    assert page.locator(".report-sheet table tbody tr").count() >= 24
    shot(page, "reports")
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download .xlsx").click()
    data = dl.value.path().read_bytes()
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == ["Detail per service"]
    rows = book.get_sheet_by_name("Detail per service").to_python()
    assert rows[0][:3] == ["Service", "Period", "Received"] and rows[-1][0] == "Total"
    assert errors == []


def test_the_client_sees_only_its_own_campaign_and_service(
    live_server: dict[str, Any], page: Any
) -> None:
    from centralino.services import campaigns, org
    from centralino.services.auth import load_principal

    ctx = live_server["ctx"]
    with ctx.uow() as uow:
        admin = uow.users.by_username("admin")
        assert admin is not None
        actor = load_principal(uow, admin)
        root = uow.groups.root_of(actor.company_id)
    assert root is not None
    other = org.create_client(ctx, actor, root.id, "Altro Cliente")
    campaigns.create_campaign(
        ctx, actor, {"name": "Altro Cliente: sondaggio", "group_id": root.id, "client_id": other.id}
    )
    url = live_server["url"]
    log_in(page, url, "client")
    portal = page.locator("#portal-campaigns")
    portal.wait_for()
    assert "Acme Energia: offerta casa" in portal.inner_text()
    assert "Altro Cliente" not in page.content()
    assert "Acme Energia: servizio clienti" in page.locator("#portal-services").inner_text()
    shot(page, "client-portal")
    nav = page.get_by_role("navigation", name="Main navigation").inner_text()
    assert "Setup" not in nav and "Inbound" not in nav and "Reports" in nav  # a portal
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Campaigns"
    ).click()
    assert "Altro Cliente" not in page.content()
    assert page.get_by_role("link", name="Acme Energia: offerta casa").count() == 1

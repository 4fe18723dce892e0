"""In Debian Chromium: the demo admin creates a campaign, imports an Excel list with a
confirmed column mapping, follows the import to the end and activates the campaign.
Screenshots go to artifacts/screenshots/ for people to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import log_in, shot

pytestmark = pytest.mark.browser


def make_xlsx(path: Path, rows: int) -> None:
    """A list as people send them: a title row, Italian headers, a few bad numbers."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Contatti")
    sheet.write_row(0, 0, ["Lista clienti novembre"])
    sheet.write_row(2, 0, ["Nominativo", "Cellulare", "Città", "Note"])
    for i in range(rows):
        phone: Any = f"333 {1000000 + i}" if i % 10 else "non disponibile"
        if i % 7 == 3:
            phone = 3470000000 + i  # a number typed as a number
        sheet.write_row(3 + i, 0, [f"Cliente {i}", phone, "Milano", "cliente storico" * (i % 2)])
    book.close()


def test_admin_creates_a_campaign_and_imports_an_excel_list(
    live_server: dict[str, Any], page: Any, tmp_path: Path
) -> None:
    url = live_server["url"]
    log_in(page, url, "admin")
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").click()

    form = page.locator("#campaign-form")
    form.get_by_label("Name").fill("Autunno 2026")
    form.get_by_label("Owner group").select_option(label="· Milano")
    form.get_by_label("Client").select_option(label="Acme Energia")
    form.get_by_label("Dial mode").select_option("power")
    form.get_by_label("Caller ID").fill("02 1234 ext")  # letters: refused, field error
    form.get_by_label("Positive-rate target (percent)").fill("3")
    form.get_by_role("button", name="Create campaign").click()
    error = page.locator("#err-caller_id")
    assert "digits only" in error.inner_text()
    assert form.get_by_label("Name").input_value() == "Autunno 2026"  # kept as typed
    shot(page, "20-campaign-form-error")
    form.get_by_label("Caller ID").fill("+39 02 123-4567")
    form.get_by_role("button", name="Create campaign").click()
    page.get_by_role("status").filter(has_text="Campaign created.").wait_for()
    assert "Autunno 2026" in page.locator("h1").inner_text()
    assert "Draft" in page.locator("#campaign-state").inner_text()
    shot(page, "21-campaign-created")

    xlsx = tmp_path / "clienti.xlsx"
    make_xlsx(xlsx, 40)
    upload = page.locator("#upload-form")
    upload.get_by_label("List file (CSV, XLSX, XLS, ODS)").set_input_files(str(xlsx))
    upload.get_by_role("button", name="Upload and check columns").click()
    mapping = page.locator("#mapping-table")
    mapping.wait_for()
    assert mapping.get_by_label("What column Cellulare holds").input_value() == "phone"
    assert mapping.get_by_label("What column Nominativo holds").input_value() == "name"
    assert mapping.get_by_label("What column Note holds").input_value() == ""
    shot(page, "22-import-mapping")
    page.get_by_role("button", name="Confirm and import").click()

    row = page.locator("#imports-table tbody tr").first
    row.locator('[data-f="state"]', has_text="done").wait_for(timeout=15000)
    assert row.locator("progress").get_attribute("value") == "100"
    assert row.locator('[data-f="rows_imported"]').inner_text() == "37"
    assert row.locator('[data-f="rows_rejected"]').inner_text() == "3"
    assert row.get_by_role("link", name="Rejected rows (CSV)").is_visible()
    page.locator('[data-k="records.total"]', has_text="37").wait_for(timeout=10000)
    page.locator("#live-badge.on").wait_for(timeout=10000)
    shot(page, "23-import-done")

    page.get_by_role("button", name="Activate").click()
    page.get_by_role("status").filter(has_text="Campaign activated.").wait_for()
    assert "Active" in page.locator("#campaign-state").inner_text()
    shot(page, "24-campaign-active")

    nav.get_by_role("link", name="Campaigns").click()
    listed = page.locator("#campaigns-table tr", has_text="Autunno 2026")
    assert "37" in listed.inner_text() and "Active" in listed.inner_text()
    shot(page, "25-campaigns-list")


def test_campaign_page_in_italian(live_server: dict[str, Any], browser: Any) -> None:
    url = live_server["url"]
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    log_in(page, url, "teamleader")
    ctx.add_cookies([{"name": "centralino_lang", "value": "it", "url": url}])
    page.goto(f"{url}/campaigns/new")
    assert page.get_by_role("button", name="Crea campagna").count() == 1
    shot(page, "26-campaign-form-it-IT")
    page.goto(f"{url}/campaigns")
    link = page.locator("#campaigns-table a").first
    if link.count():
        link.click()
        page.locator("#live").wait_for()
        shot(page, "27-campaign-detail-it-IT")
    ctx.close()

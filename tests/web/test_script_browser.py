"""In Debian Chromium: call scripts. The admin opens the demo campaign's script in Setup
and adds a step with the keyboard (an error lands on that step); the demo's operator logs
in to the phone, a campaign call comes in, the script shows with the contact's name,
two steps are answered (one with Back), and the answers are stored (read through the API)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from browser_support import log_in, shot
from playwright.sync_api import expect

from centralino.demo import DEMO_PASSWORD
from centralino.demo_scripts import OFFER_SCRIPT

pytestmark = pytest.mark.browser
DEMO_BOTS = True  # bots work the campaign; its predictive dialer reaches the person soon


def test_the_admin_edits_a_script_in_setup(live_server: dict[str, Any], page: Any) -> None:
    url = live_server["url"]
    log_in(page, url, "admin")
    page.goto(f"{url}/setup")
    page.get_by_role("link", name="Call scripts").first.click()
    page.wait_for_url(f"{url}/setup/scripts")
    page.get_by_role("link", name=OFFER_SCRIPT).click()
    expect(page.locator("#script-tree")).to_contain_text("Buongiorno {Nome}")
    expect(page.locator("#script-tree")).to_contain_text("positive")
    # a choice shows its options, a date step where it leads
    first_step = page.locator("[data-step='1']")
    expect(first_step.locator("[data-choosing]")).to_be_visible()
    expect(first_step.locator("[data-free]").first).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    shot(page, "admin-scripts")

    # keyboard only: add a step, name it, make it yes/no (its options appear), save
    add = page.get_by_role("button", name="Add step")
    add.focus()
    page.keyboard.press("Enter")
    new_id = page.locator("[data-step='5'] [data-step-id]")
    expect(new_id).to_be_focused()
    page.keyboard.type("extra")
    page.keyboard.press("Tab")
    page.keyboard.press("End")  # the last kind of answer ...
    kind = page.locator("[data-step='5'] [data-kind]")
    kind.select_option("yes_no")
    values = page.locator("[data-step='5'] [data-option] [name$='-value']")
    expect(values).to_have_count(2)
    assert [values.nth(i).input_value() for i in range(2)] == ["yes", "no"]
    page.locator("#step-5-text").fill("Ancora una domanda?")
    page.get_by_role("button", name="Save script").click()
    # nobody leads to the new step: the error is on it, the form kept as typed
    error = page.locator("#err-step-5")
    expect(error).to_contain_text("cannot be reached from the first step")
    expect(page.locator("[data-step='5'] [data-step-id]")).to_have_value("extra")
    shot(page, "admin-scripts-error")


def test_an_operator_follows_the_script_of_a_campaign_call(
    live_server: dict[str, Any], browser: Any, page: Any
) -> None:
    url = live_server["url"]
    log_in(page, url, "operator")
    page.goto(f"{url}/panel")
    login = page.get_by_role("button", name="Log in to the phone")
    expect(login).to_be_enabled(timeout=10_000)
    login.click()
    page.wait_for_function(
        "() => document.getElementById('phone-state').textContent === 'Talking'", timeout=60_000
    )
    box = page.locator("#script-box")
    expect(box).to_be_visible(timeout=5_000)
    expect(page.locator("#script-name")).to_have_text(OFFER_SCRIPT)
    text = page.locator("#script-text")
    expect(text).to_contain_text("Buongiorno ")
    greeting = text.inner_text()
    assert "{Nome}" not in greeting and "{Città}" not in greeting, greeting
    call_id = page.evaluate("fetch('/api/v1/me/phone').then(r => r.json())")["call"]["call_id"]

    next_ = box.get_by_role("button", name="Next")
    next_.click()  # the greeting asks nothing
    expect(text).to_contain_text("Quanto spende")
    expect(page.locator("#script-path li")).to_have_count(1)
    box.get_by_label("Da 80 a 150 €").check()
    next_.click()
    expect(text).to_contain_text("prezzo fisso")
    # back one step: the choice is shown as answered, and changed
    box.get_by_role("button", name="Back").click()
    expect(text).to_contain_text("Quanto spende")
    expect(box.get_by_label("Da 80 a 150 €")).to_be_checked()
    box.get_by_label("Più di 150 €").check()
    page.keyboard.press("Enter")  # the form submits from the keyboard
    expect(text).to_contain_text("prezzo fisso")
    expect(page.locator("#script-path li")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert page.evaluate("document.documentElement.scrollHeight") <= 768
    shot(page, "panel-script")

    # a reload re-reads the answers: the same step, the same path
    page.reload()
    expect(page.locator("#script-text")).to_contain_text("prezzo fisso", timeout=10_000)
    expect(page.locator("#script-path li")).to_have_count(2)

    # the answers are stored with the call: a supervisor reads them through the API
    context = browser.new_context()
    api = context.request
    r = api.post(
        f"{url}/api/v1/auth/login", data={"username": "supervisor", "password": DEMO_PASSWORD}
    )
    assert r.ok, r.text()
    deadline = time.monotonic() + 10
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not rows:
        got = api.get(f"{url}/api/v1/script-answers", params={"call_id": call_id})
        assert got.ok, got.text()
        rows = got.json()["items"]
    assert len(rows) == 1, rows
    assert rows[0]["script_name"] == OFFER_SCRIPT
    assert rows[0]["answers"] == {"saluto": "", "interesse": "oltre_150"}
    assert rows[0]["path"] == ["saluto", "interesse"] and not rows[0]["complete"]
    assert rows[0]["campaign_id"] is not None and rows[0]["record_id"] is not None
    context.close()

    # to the end: its outcome is put in the after-call form (the customer may have hung up
    # meanwhile: the script stays through the after-call work)
    box = page.locator("#script-box")
    box.get_by_label("Sì").check()
    box.get_by_role("button", name="Next").click()
    expect(page.locator("#script-text")).to_contain_text("Che giorno")
    page.locator("#script-input").fill("2026-12-10")
    box.get_by_role("button", name="Next").click()
    expect(page.locator("#script-done")).to_contain_text("Suggested outcome: positive")
    if page.locator("#phone-state").inner_text() == "Talking":
        page.locator("h1").click()
        page.keyboard.press("h")
    expect(page.locator("#phone-state")).to_have_text("Wrap-up", timeout=5_000)
    expect(page.locator("#wrapup-outcome")).to_have_value("positive", timeout=5_000)
    expect(box).to_be_visible()

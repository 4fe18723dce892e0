"""In Debian Chromium: the demo's operator takes an outbound call of the demo campaign in the
panel, puts the customer on hold and back (O), sends keypad digits (K), mutes (M), records
the customer's vocal order and stops (V), fills the campaign's order form (a bad IBAN is
refused naming the field) and saves it; the order and its WAV are then read through the
API and the WAV is checked with `wave`. The admin's order form editor is shown too."""

from __future__ import annotations

import io
import math
import time
import wave
from typing import Any

import pytest
from browser_support import log_in, shot
from playwright.sync_api import expect

from centralino.demo import DEMO_CAMPAIGN, DEMO_PASSWORD
from centralino.telephony.sim.network import Fate

pytestmark = pytest.mark.browser
IBAN = "IT60X0542811101000000123456"


def _patient_customers(app: Any) -> None:
    """The demo's simulated customers answer and stay on the line (and on hold) for the
    whole test, so the steps below never race a customer hanging up."""
    deadline = time.monotonic() + 20
    while not getattr(app.state.live, "sites", None):
        assert time.monotonic() < deadline, "the live engine did not start"
        time.sleep(0.2)
    for site in app.state.live.sites.values():
        site.network.fates = lambda _n: Fate(ring=1.0, talk=900.0, patience=math.inf)


def _bar(page: Any) -> str:
    return str(page.locator("#bar-status").inner_text())


def test_an_operator_takes_an_order_with_its_vocal_order(
    live_server: dict[str, Any], browser: Any, page: Any
) -> None:
    url = live_server["url"]
    _patient_customers(live_server["app"])
    log_in(page, url, "operator")
    page.goto(f"{url}/panel")
    panel = page.locator("#panel")
    page.wait_for_function("() => document.getElementById('phone-state').textContent !== ''")
    panel.get_by_role("button", name="Log in to the phone").click()
    expect(page.locator("#phone-campaign")).to_have_text(DEMO_CAMPAIGN, timeout=10_000)
    page.wait_for_function(
        "() => document.getElementById('phone-state').textContent === 'Talking'", timeout=60_000
    )
    assert page.locator("#call-number").inner_text().startswith("+")
    form = page.locator("#order-form")
    expect(form).to_be_visible(timeout=5_000)
    expect(form.get_by_label("Offerta *")).to_be_visible()

    page.locator("h1").click()  # no field has the focus: the keys act
    page.keyboard.press("o")
    expect(page.locator("#bar-status")).to_contain_text("On hold", timeout=5_000)
    expect(panel.get_by_role("button", name="Resume")).to_be_visible()
    page.keyboard.press("o")
    expect(panel.get_by_role("button", name="Hold")).to_be_visible(timeout=5_000)
    assert "On hold" not in _bar(page)
    assert page.locator("#phone-state").inner_text() == "Talking"

    page.keyboard.press("k")  # to the keypad
    page.keyboard.type("12#")
    page.keyboard.press("Enter")
    expect(page.locator("#bar-status")).to_contain_text("Keys sent: 12#", timeout=5_000)
    page.locator("h1").click()
    page.keyboard.press("m")
    expect(panel.get_by_role("button", name="Mute")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#bar-status")).to_contain_text("Muted")
    page.keyboard.press("m")
    expect(panel.get_by_role("button", name="Mute")).to_have_attribute("aria-pressed", "false")

    page.keyboard.press("v")
    expect(page.locator("#bar-status")).to_contain_text("Recording", timeout=5_000)
    expect(panel.get_by_role("button", name="Stop")).to_be_visible()
    time.sleep(3.0)  # the customer says yes
    page.keyboard.press("v")
    expect(page.locator("#bar-status")).to_contain_text("Vocal order recorded", timeout=5_000)

    form.get_by_label("Offerta *").select_option("Casa Luce + Gas")
    form.get_by_label("Potenza kW *").fill("4.5")
    form.get_by_label("IBAN *").fill("IT00 not an iban")
    form.get_by_label("Data attivazione").fill("2027-01-15")
    form.get_by_label("Consenso privacy *").check()
    form.get_by_role("button", name="Save order").click()
    expect(page.locator("#order-error")).to_contain_text("iban", timeout=5_000)
    expect(form.get_by_label("IBAN *")).to_have_attribute("aria-invalid", "true")
    form.get_by_label("IBAN *").fill(IBAN)
    form.get_by_role("button", name="Save order").click()
    expect(page.locator("#order-saved")).to_contain_text("Order saved", timeout=5_000)
    expect(page.locator("#order-saved")).to_contain_text("with the vocal order")
    assert page.locator("#order-error").is_hidden()
    assert page.locator("#panel-error").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert page.evaluate("document.documentElement.scrollHeight") <= 768
    shot(page, "panel-order")

    # the order and its WAV, through the API, as someone who may read the campaign
    ctx = browser.new_context()
    api = ctx.request
    r = api.post(f"{url}/api/v1/auth/login", data={"username": "admin", "password": DEMO_PASSWORD})
    assert r.ok, r.text()
    camps = api.get(f"{url}/api/v1/campaigns?limit=100").json()["items"]
    cid = next(c["id"] for c in camps if c["name"] == DEMO_CAMPAIGN)
    listed = api.get(f"{url}/api/v1/orders?campaign_id={cid}").json()
    assert listed["total"] == 1
    order = api.get(f"{url}/api/v1/orders/{listed['items'][0]['id']}").json()
    assert order["values"] == {
        "offerta": "Casa Luce + Gas", "potenza_kw": 4.5, "iban": IBAN,
        "data_attivazione": "2027-01-15", "consenso_privacy": True,
    }  # fmt: skip
    assert order["number"] == page.locator("#call-number").inner_text()
    seconds = order["recording_seconds"]
    assert 2.5 <= seconds <= 10, seconds
    wav = api.get(f"{url}{order['recording_url']}")
    assert wav.ok and wav.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(wav.body())) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 8000)
        assert abs(w.getnframes() - round(seconds * 8000)) <= 1

    # done: hang up (H) and close the after-call work
    page.locator("h1").click()
    page.keyboard.press("h")
    page.wait_for_function(
        "() => document.getElementById('phone-state').textContent === 'Wrap-up'", timeout=5_000
    )
    expect(form).to_be_visible()  # the order can still be corrected after the call
    expect(page.locator("#bar-box")).to_be_hidden()
    # a campaign's call closes with the campaign's own after-call form (its outcomes)
    wrapup = page.locator("#desk-wrapup")
    wrapup.get_by_label("Outcome").select_option(index=1)
    wrapup.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_function(
        "() => document.getElementById('phone-state').textContent !== 'Wrap-up'", timeout=10_000
    )

    # the admin's editor of the campaign's form
    admin = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    ap = admin.new_page()
    log_in(ap, url, "admin")
    ap.goto(f"{url}/setup")
    ap.get_by_role("link", name="Order forms").first.click()
    ap.get_by_role("link", name=DEMO_CAMPAIGN).click()
    expect(ap.get_by_role("heading", level=1)).to_contain_text(DEMO_CAMPAIGN)
    names = ap.locator('input[name$="-name"]')
    assert [names.nth(i).input_value() for i in range(names.count())] == [
        "offerta", "potenza_kw", "iban", "data_attivazione", "consenso_privacy",
    ]  # fmt: skip
    ap.get_by_role("button", name="Move field 2 down").click()
    assert ap.locator('input[name="f-2-name"]').input_value() == "potenza_kw"
    assert ap.evaluate("document.documentElement.scrollWidth") <= 1366
    shot(ap, "admin-order-form")
    ctx.close()
    admin.close()

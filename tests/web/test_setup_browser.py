"""In Debian Chromium: the demo admin builds a small inbound service through the setup
pages (a queue with two tiers; a service with a number, opening hours and an IVR menu
leading to it, one key added from the keyboard) and the JSON API then returns exactly what
was entered. Screenshots of every setup page go to artifacts/screenshots/admin-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import log_in, shot

pytestmark = pytest.mark.browser


def _id_of(page: Any) -> int:
    m = re.search(r"/(\d+)$", page.url)
    assert m, page.url
    return int(m.group(1))


def test_admin_builds_a_service_through_the_setup_pages(
    live_server: dict[str, Any], page: Any, tmp_path: Path
) -> None:
    url = live_server["url"]
    log_in(page, url, "admin")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Setup").click()
    shot(page, "admin-setup")
    sub = page.get_by_role("navigation", name="Setup sections")
    sub.get_by_role("link", name="Queues and tiers").click()
    page.get_by_role("link", name="New queue").click()

    # the queue: an error first, shown on its field with the rest kept
    form = page.locator("#queue-form")
    form.get_by_label("Name").fill("Rinnovi")
    form.get_by_label("Owner group").select_option(label="· · Help desk")
    form.get_by_label("Strategy").select_option("longest_idle")
    form.get_by_label("Answer target (seconds)").fill("25")
    form.get_by_label("Maximum wait (seconds)").fill("four minutes")
    form.get_by_label("Wait before each next tier (seconds)").fill("15")
    form.get_by_label("Overflow to").select_option("voicemail")
    form.get_by_label("Queue, mailbox or prompt").fill("rinnovi")
    form.get_by_label("After-call work limit (seconds)").fill("40")
    form.get_by_label("Announce position and wait every (seconds)").fill("45")
    form.get_by_label("Offer a callback with each announcement").check()
    form.get_by_label("Callers waiting, at least").fill("2")
    form.get_by_role("button", name="Create queue").click()
    assert page.locator("#err-max_wait").inner_text() == "enter a number"
    assert form.get_by_label("Name").input_value() == "Rinnovi"
    assert form.get_by_label("Maximum wait (seconds)").get_attribute("aria-invalid") == "true"
    shot(page, "admin-queue-error")
    form.get_by_label("Maximum wait (seconds)").fill("240")
    form.get_by_role("button", name="Create queue").click()
    page.get_by_role("status").filter(has_text="Queue created.").wait_for()
    queue_id = _id_of(page)

    # two tiers: the two human operators first, a help-desk bot after 15 s
    members = page.locator("#members-form")
    members.get_by_label("Olga Operatore").select_option("0")
    members.get_by_label("Oscar Operatore").select_option("0")
    members.get_by_label("Bot help desk 01").select_option("1")
    members.get_by_role("button", name="Save operators").click()
    page.get_by_role("status").filter(has_text="Operators and tiers saved.").wait_for()
    summary = page.locator("#tier-summary").inner_text()
    assert "tier 0: operator, operator2" in summary and "tier 1: care01" in summary
    shot(page, "admin-queue")

    # the service: a number, weekday hours, a closed date, and an IVR menu
    page.get_by_role("navigation", name="Setup sections").get_by_role(
        "link", name="Services and IVR"
    ).click()
    page.get_by_role("link", name="New service").click()
    form = page.locator("#service-form")
    form.get_by_label("Name", exact=True).fill("Rinnovi")
    form.get_by_label("Owner group").select_option(label="· · Help desk")
    form.get_by_label("Client").select_option(label="Acme Energia")
    form.get_by_label("Queue (callers go here when there is no IVR menu)").select_option("Rinnovi")
    form.get_by_label("Numbers callers dial, one a line").fill("02 9876 5432")
    form.get_by_label("Welcome prompt").fill("rinnovi_benvenuto")
    form.get_by_label("Whisper to the operator").fill("whisper_rinnovi")
    form.get_by_label("Screen pop URL").fill("https://crm.example/rinnovi?tel={caller}")
    days = form.get_by_role("group", name="Days of window 1")
    for day in ("Mon", "Tue", "Wed", "Thu", "Fri"):
        days.get_by_label(day).check()
    form.get_by_label("From 1").fill("09:00")
    form.get_by_label("To 1").fill("18:00")
    form.get_by_label("Closed dates (YYYY-MM-DD), one a line").fill("2026-12-25")

    menu = form.locator('[data-menu="0"]')
    menu.get_by_label("Menu name").fill("main")
    menu.get_by_label("Menu prompt").fill("menu_rinnovi")
    menu.get_by_label("Callers hear this menu first").check()
    menu.locator('select[name="m0_o0_key"]').select_option("1")
    menu.locator('select[name="m0_o0_kind"]').select_option("queue")
    menu.locator('input[name="m0_o0_target"]').fill("Rinnovi")
    menu.locator('select[name="m0_o1_key"]').select_option("9")
    menu.locator('select[name="m0_o1_kind"]').select_option("voicemail")
    menu.locator('input[name="m0_o1_target"]').fill("rinnovi")
    # one more key from the keyboard: the button adds a row and puts the focus in it
    menu.get_by_role("button", name="Add key").focus()
    page.keyboard.press("Enter")
    key = page.locator(":focus")
    assert key.get_attribute("name") == "m0_o2_key"
    page.keyboard.press("0")  # a select jumps to the option typed
    page.keyboard.press("Tab")
    page.keyboard.press("h")  # Hang up
    assert menu.locator('select[name="m0_o2_kind"]').input_value() == "hangup"
    menu.get_by_label("After the repeats, with no valid key").select_option("queue")
    menu.locator('input[name="m0_default_target"]').fill("Rinnovi")
    menu.get_by_label("Repeats", exact=True).fill("3")
    # a second menu, reached with key 2, that leads back with *
    form.get_by_role("button", name="Add menu").click()
    info = form.locator('[data-menu="1"]')
    info.get_by_label("Menu name").fill("info")
    info.locator('select[name="m1_o0_key"]').select_option("*")
    info.locator('select[name="m1_o0_kind"]').select_option("menu")
    assert info.locator('input[name="m1_o0_target"]').get_attribute("list") == "dl-menus"
    info.locator('input[name="m1_o0_target"]').fill("main")
    menu.get_by_role("button", name="Add key").click()
    menu.locator('select[name="m0_o3_key"]').select_option("2")
    menu.locator('select[name="m0_o3_kind"]').select_option("menu")
    menu.locator('input[name="m0_o3_target"]').fill("info")
    form.get_by_role("button", name="Create service").click()
    page.get_by_role("status").filter(has_text="Service created.").wait_for()
    service_id = _id_of(page)
    assert "main" in page.locator("#ivr-tree").inner_text()
    shot(page, "admin-service")

    # what the API returns is what was entered
    q = page.request.get(f"{url}/api/v1/queues/{queue_id}").json()
    assert {k: q[k] for k in (
        "name", "strategy", "target_seconds", "max_wait", "tier_wait", "overflow",
        "wrap_up_seconds", "announce_every", "offer_callback", "blend",
    )} == {
        "name": "Rinnovi", "strategy": "longest_idle", "target_seconds": 25.0,
        "max_wait": 240.0, "tier_wait": 15.0,
        "overflow": {"kind": "voicemail", "target": "rinnovi"}, "wrap_up_seconds": 40.0,
        "announce_every": 45.0, "offer_callback": True,
        "blend": {"waiting_calls": 2, "longest_wait": None, "service_level_below": None},
    }  # fmt: skip
    assert sorted((m["username"], m["tier"]) for m in q["members"]) == [
        ("care01", 1), ("operator", 0), ("operator2", 0)
    ]  # fmt: skip
    s = page.request.get(f"{url}/api/v1/services/{service_id}").json()
    assert s["numbers"] == ["+390298765432"] and s["queue"] == "Rinnovi"
    assert (s["welcome"], s["whisper"], s["root_menu"], s["timezone"]) == (
        "rinnovi_benvenuto", "whisper_rinnovi", "main", "Europe/Rome"
    )  # fmt: skip
    assert s["screen_pop"] == "https://crm.example/rinnovi?tel={caller}"
    assert s["hours"] == {
        "windows": [{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"}],
        "closed_dates": ["2026-12-25"],
    }
    assert s["menus"] == {
        "main": {
            "prompt": "menu_rinnovi", "timeout": 8.0, "repeats": 3,
            "invalid_prompt": "ivr_invalid", "code_digits": 3,
            "default": {"kind": "queue", "target": "Rinnovi"},
            "options": {
                "0": {"kind": "hangup", "target": ""},
                "1": {"kind": "queue", "target": "Rinnovi"},
                "2": {"kind": "menu", "target": "info"},
                "9": {"kind": "voicemail", "target": "rinnovi"},
            },
        },
        "info": {
            "prompt": "menu_info", "timeout": 8.0, "repeats": 2,
            "invalid_prompt": "ivr_invalid", "code_digits": 3, "default": None,
            "options": {"*": {"kind": "menu", "target": "main"}},
        },
    }  # fmt: skip

    # pause reasons and do-not-call lists
    page.get_by_role("navigation", name="Setup sections").get_by_role(
        "link", name="Pause reasons"
    ).click()
    new = page.locator("#new-reason")
    new.get_by_label("Code", exact=False).fill("briefing")
    new.get_by_label("Label").fill("Briefing")
    new.get_by_label("Limit (minutes)").fill("10")
    new.get_by_role("button", name="Create pause reason").click()
    page.get_by_role("status").filter(has_text="Pause reason created.").wait_for()
    shot(page, "admin-pause-reasons")
    page.get_by_role("navigation", name="Setup sections").get_by_role(
        "link", name="Do-not-call lists"
    ).click()
    numbers = tmp_path / "opposizioni.txt"
    numbers.write_text("02 1111 2222\n333 4445566\nnon chiamare\n", encoding="utf-8")
    upload = page.locator("#dnc-upload")
    upload.get_by_label("Numbers one a line", exact=False).set_input_files(str(numbers))
    upload.get_by_role("button", name="Upload").click()
    result = page.locator("#dnc-result")
    assert result.locator('[data-f="added"]').inner_text() == "2"
    assert result.locator('[data-f="rejected"]').inner_text() == "1"
    assert "+390211112222" in page.locator("#dnc-table").inner_text()
    shot(page, "admin-dnc")

    # the lists, with what was built
    page.goto(f"{url}/setup/queues")
    assert "tier 0: 2" in page.locator("#queues-table").inner_text()
    shot(page, "admin-queues")
    page.goto(f"{url}/setup/services")
    assert "+390298765432" in page.locator("#services-table").inner_text()
    shot(page, "admin-services")

"""In Debian Chromium: an admin logs in, creates a group and a user; screenshots are saved
to artifacts/screenshots/ for people to look at."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import log_in, shot

pytestmark = pytest.mark.browser


def test_admin_creates_a_group_and_a_user(live_server: dict[str, Any], page: Any) -> None:
    url = live_server["url"]
    page.goto(f"{url}/login")
    shot(page, "01-login")
    log_in(page, url, "admin")
    page.locator("#live-state.on").wait_for(timeout=5000)  # the event stream connected
    shot(page, "02-home-admin")

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Organisation"
    ).click()
    page.get_by_role("navigation", name="Organisation sections").get_by_role(
        "link", name="Groups"
    ).click()
    form = page.locator("#new-group")
    form.get_by_label("Parent group").select_option(label="· · Sala 1")
    form.get_by_label("Name").fill("Team Retention")
    form.get_by_label("Kind").select_option("team")
    form.get_by_role("button", name="Create group").click()
    page.get_by_role("status").filter(has_text="Group created.").wait_for()
    assert page.locator("#group-tree .gname", has_text="Team Retention").count() == 1
    shot(page, "03-groups-after-create")

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Organisation"
    ).click()
    page.get_by_role("navigation", name="Organisation sections").get_by_role(
        "link", name="Users"
    ).click()
    page.get_by_role("link", name="New user").click()
    form = page.locator("#new-user")
    form.get_by_label("Username").fill("giulia.bianchi")
    form.get_by_label("Full name").fill("Giulia Bianchi")
    form.get_by_label("Password (at least 10 characters)").fill("una-password-sicura")
    form.get_by_label("Group", exact=True).select_option(label="· · · Team Retention")
    form.get_by_label("Role").select_option("operator")
    shot(page, "04-new-user-form")
    form.get_by_role("button", name="Create user").click()
    page.get_by_role("status").filter(has_text="User created.").wait_for()
    assert "Giulia Bianchi" in page.locator("h1").inner_text()
    assert page.locator("#roles-table").inner_text().count("Operator") == 1
    shot(page, "05-user-created")

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Organisation"
    ).click()
    page.get_by_role("navigation", name="Organisation sections").get_by_role(
        "link", name="Users"
    ).click()
    assert page.locator("#users-table", has_text="giulia.bianchi").count() == 1
    shot(page, "06-users-list")


def test_live_activity_reaches_another_admin(live_server: dict[str, Any], browser: Any) -> None:
    url = live_server["url"]
    watcher_ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    actor_ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    watcher, actor = watcher_ctx.new_page(), actor_ctx.new_page()
    log_in(watcher, url, "groupadmin")
    watcher.locator("#live-state.on").wait_for(timeout=5000)
    log_in(actor, url, "admin")
    actor.goto(f"{url}/admin/groups")
    form = actor.locator("#new-group")
    form.get_by_label("Parent group").select_option(label="· Roma")
    form.get_by_label("Name").fill("Night shift")
    form.get_by_label("Kind").select_option("shift")
    form.get_by_role("button", name="Create group").click()
    watcher.locator("#live-events li", has_text="Night shift").wait_for(timeout=5000)
    shot(watcher, "07-live-activity")
    watcher_ctx.close()
    actor_ctx.close()


def test_pages_in_italian_and_polish(live_server: dict[str, Any], browser: Any) -> None:
    url = live_server["url"]
    for locale, label in (("it-IT", "Accedi"), ("pl-PL", "Zaloguj się")):
        ctx = browser.new_context(locale=locale, viewport={"width": 1366, "height": 768})
        page = ctx.new_page()
        page.goto(f"{url}/login")
        assert page.get_by_role("button", name=label).count() == 1
        shot(page, f"08-login-{locale}")
        ctx.close()


def test_operator_sees_no_admin_navigation(live_server: dict[str, Any], page: Any) -> None:
    url = live_server["url"]
    log_in(page, url, "operator")
    nav = page.get_by_role("navigation", name="Main navigation").inner_text()
    assert "Organisation" not in nav and "Setup" not in nav and "Reports" not in nav
    response = page.goto(f"{url}/admin/users")
    assert response.status == 403
    shot(page, "09-operator-forbidden")

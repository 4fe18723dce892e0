"""Server-rendered pages: login with CSRF, languages, time zones, and the page matrix."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from centralino.domain.roles import DEFAULT_PERMISSIONS, Permission, Role
from centralino.services import dnc, scripts
from centralino.services.context import ServiceContext
from centralino.web import (
    admin,
    campaigns,
    inbound,
    pages,
    panel,
    setup,
    setup_lists,
    setup_orders,
    setup_queues,
    setup_scripts,
    setup_services,
    statistics,
    supervision,
)
from world import PASSWORD, World, build_world


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def page_login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )


@pytest.fixture
def world(ctx: ServiceContext) -> World:
    return build_world(ctx)


def test_login_logout_round_trip(client: TestClient, world: World) -> None:
    r = page_login(client, "actor_group_admin")
    assert r.status_code == 303 and r.headers["location"] == "/"
    home = client.get("/")
    assert "Actor group_admin" in home.text and 'href="/admin"' in home.text
    assert 'href="/admin/users"' in client.get("/admin").text  # the organisation sections
    r = client.post("/logout", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")


def test_login_form_without_csrf_is_refused(client: TestClient, world: World) -> None:
    client.get("/login")
    r = client.post(
        "/login", data={"username": "sysadmin", "password": PASSWORD, "csrf_token": "x"}
    )
    assert r.status_code == 403
    assert "centralino_session" not in client.cookies


def test_wrong_password_shows_the_form_again(client: TestClient, world: World) -> None:
    r = page_login(client, "sysadmin", "wrong")
    assert r.status_code == 401 and "Wrong username or password." in r.text


def test_state_changing_forms_need_the_session_csrf(client: TestClient, world: World) -> None:
    page_login(client, "sysadmin")
    r = client.post(
        "/admin/groups",
        data={"parent_id": world.groups["S1"].id, "name": "Sneaky", "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    token = csrf_of(client.get("/admin/groups").text)
    r = client.post(
        "/admin/groups",
        data={
            "parent_id": world.groups["S1"].id,
            "name": "Legit",
            "kind": "team",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Legit" in client.get("/admin/groups").text


def test_pages_speak_the_users_language(client: TestClient, world: World) -> None:
    assert "Accedi" in client.get("/login", headers={"accept-language": "it-IT"}).text
    assert "Zaloguj się" in client.get("/login", headers={"accept-language": "pl"}).text
    page_login(client, "sysadmin")
    token = csrf_of(client.get("/").text)
    client.post("/lang", data={"lang": "pl", "csrf_token": token, "back": "/"})
    assert "Organizacja" in client.get("/").text and "Grupy" in client.get("/admin").text


def test_times_are_shown_in_the_company_time_zone(client: TestClient, world: World) -> None:
    # The fake clock says 09:00 UTC; Company A is in Europe/Rome (UTC+1 in November).
    page_login(client, "sysadmin")
    uid = world.actors[Role.OPERATOR]
    html = client.get(f"/admin/users/{uid}").text
    assert "10:00:00" in html and "Europe/Rome" in html


def test_form_validation_errors_come_back_as_messages(client: TestClient, world: World) -> None:
    page_login(client, "sysadmin")
    token = csrf_of(client.get("/admin/users/new").text)
    r = client.post(
        "/admin/users",
        data={
            "username": "ok.name",
            "display_name": "X",
            "password": "short",
            "group_id": world.groups["T1"].id,
            "csrf_token": token,
        },
        headers={"referer": "http://testserver/admin/users/new"},
    )
    assert r.status_code == 200 and "at least 10 characters" in r.text


def _page_permission(path: str) -> str:
    return pages.PAGE_ACCESS[path]


def test_every_page_is_in_the_access_table() -> None:
    from fastapi.routing import APIRoute

    get_pages = {
        r.path
        for mod in (
            pages, admin, campaigns, inbound, panel, setup, setup_queues, setup_scripts,
            setup_services, setup_lists, setup_orders, statistics, supervision,
        )
        for r in mod.router.routes
        if isinstance(r, APIRoute) and "GET" in r.methods
    }  # fmt: skip
    assert get_pages <= set(pages.PAGE_ACCESS), get_pages - set(pages.PAGE_ACCESS)
    assert len(get_pages) >= 10


@pytest.mark.parametrize("role", [None, *Role])
def test_page_matrix(app: Any, world: World, role: Role | None) -> None:
    c = TestClient(app)
    if role is not None:
        page_login(c, "sysadmin" if role is Role.SYSTEM_ADMIN else f"actor_{role.value}")
    own_user = world.make_user("own")
    sibling_user = world.make_user("sibling")
    own_campaign = world.make_campaign("own")
    sibling_campaign = world.make_campaign("sibling")
    queue_ids = {loc: world.make_queue(loc) for loc in ("own", "sibling", "foreign")}
    service_ids = {loc: world.make_service(loc) for loc in ("own", "sibling")}
    script_ids = {
        loc: scripts.create_script(
            world.ctx, world.admin(),
            {"name": f"script-{loc}", "group_id": world.target_group(loc).id,
             "steps": [{"id": "hi", "text": "Hello"}]},
        ).id
        for loc in ("own", "sibling")
    }  # fmt: skip
    for loc in ("own", "sibling", "foreign"):
        world.make_pause_reason(loc)
    hidden_numbers = ("+390699999991", "+48221234567")  # a sibling campaign's, company B's
    dnc.add_entry(world.ctx, world.admin(), hidden_numbers[0], campaign_id=sibling_campaign)
    dnc.add_entry(world.ctx, world.admin(), hidden_numbers[1], company_id=world.company_b)
    for path, need in pages.PAGE_ACCESS.items():
        targets = [("own", path)]
        if "{user_id}" in path:
            targets = [
                ("own", path.format(user_id=own_user)),
                ("sibling", path.format(user_id=sibling_user)),
            ]
        if "{campaign_id}" in path:
            targets = [
                ("own", path.format(campaign_id=own_campaign)),
                ("sibling", path.format(campaign_id=sibling_campaign)),
            ]
        for name, ids in (
            ("queue_id", queue_ids), ("service_id", service_ids), ("script_id", script_ids),
        ):  # fmt: skip
            if "{" + name + "}" in path:
                targets = [(loc, path.format(**{name: ids[loc]})) for loc in ("own", "sibling")]
        for loc, url in targets:
            r = c.get(url, follow_redirects=False)
            if need == "public":
                assert r.status_code in (200, 303), url
                continue
            if role is None:
                assert r.status_code == 303 and r.headers["location"].startswith("/login"), url
                continue
            granted = need == "authenticated" or Permission(need) in DEFAULT_PERMISSIONS[role]
            # a campaign the role may read but not change is forbidden, one it cannot see absent
            sees = (
                "{campaign_id}" in path and Permission.CAMPAIGNS_READ in DEFAULT_PERMISSIONS[role]
            )
            # a queue has no client: a client user never sees one
            client_blind = ("{queue_id}" in path or "{script_id}" in path) and role is Role.CLIENT
            if (loc == "sibling" and role is not Role.SYSTEM_ADMIN) or client_blind:
                expected = 404
            elif granted:
                expected = 200
            else:
                expected = 403 if "{" not in path or sees else 404
            assert r.status_code == expected, (role, url, r.status_code)
            if r.status_code == 200 and role is not Role.SYSTEM_ADMIN:
                # no row of the sibling site or of company B leaks into any page
                assert not any(n in r.text for n in hidden_numbers), (role, url)
                for foreign in ("T2", "S2", "SB", "Company B", "Client S2", "Client SB"):
                    assert f">{foreign}<" not in r.text, (role, url, foreign)
                    assert f'"{foreign}"' not in r.text, (role, url, foreign)  # nor in JSON

"""Accounts over HTTP: login, cookies and CSRF, tokens, throttling, password, logout."""

from __future__ import annotations

from fastapi.testclient import TestClient
from helpers import bearer, login, problem

from centralino.domain.roles import Role
from centralino.services.context import ServiceContext
from support import FakeClock
from world import PASSWORD, build_world


def test_login_sets_httponly_samesite_cookie(ctx: ServiceContext, client: TestClient) -> None:
    build_world(ctx)
    r = client.post("/api/v1/auth/login", json={"username": "sysadmin", "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    me = client.get("/api/v1/auth/me").json()
    assert me["user"]["username"] == "sysadmin" and "companies.manage" in me["permissions"]


def test_wrong_password_is_401_problem(ctx: ServiceContext, client: TestClient) -> None:
    build_world(ctx)
    r = client.post("/api/v1/auth/login", json={"username": "sysadmin", "password": "nope"})
    problem(r, 401)


def test_cookie_changes_need_the_csrf_header(ctx: ServiceContext, client: TestClient) -> None:
    w = build_world(ctx)
    csrf = login(client, "sysadmin")
    body = {"parent_id": w.groups["S1"].id, "name": "New team"}
    problem(client.post("/api/v1/groups", json=body), 403)
    problem(client.post("/api/v1/groups", json=body, headers={"X-CSRF-Token": "forged"}), 403)
    assert client.post("/api/v1/groups", json=body, headers=csrf).status_code == 201


def test_bearer_token_works_without_csrf_and_dies_when_revoked(
    ctx: ServiceContext, client: TestClient
) -> None:
    w = build_world(ctx)
    headers = bearer(client, "sysadmin")
    body = {"parent_id": w.groups["S1"].id, "name": "By token"}
    assert client.post("/api/v1/groups", json=body, headers=headers).status_code == 201
    tokens = client.get("/api/v1/auth/tokens", headers=headers).json()
    assert tokens[0]["prefix"].startswith("cnt_") and "token" not in tokens[0]
    assert (
        client.delete(f"/api/v1/auth/tokens/{tokens[0]['id']}", headers=headers).status_code == 204
    )
    problem(client.get("/api/v1/auth/me", headers=headers), 401)


def test_tokens_are_stored_hashed(ctx: ServiceContext, client: TestClient) -> None:
    build_world(ctx)
    headers = bearer(client, "sysadmin")
    secret = headers["Authorization"].split()[1]
    with ctx.uow() as uow:
        rows = uow.conn.exec_driver_sql("SELECT token_hash FROM api_tokens").all()
    assert rows and all(secret not in r[0] for r in rows)


def test_throttling_per_account_gives_429_with_retry_after(
    ctx: ServiceContext, client: TestClient, clock: FakeClock
) -> None:
    build_world(ctx)
    for _ in range(ctx.settings.login_max_failures_per_account):
        problem(
            client.post("/api/v1/auth/login", json={"username": "sysadmin", "password": "x"}), 401
        )
    r = client.post("/api/v1/auth/login", json={"username": "sysadmin", "password": PASSWORD})
    problem(r, 429)
    assert 0 < int(r.headers["retry-after"]) <= ctx.settings.login_failure_window_seconds
    clock.advance(ctx.settings.login_failure_window_seconds + 1)
    assert (
        client.post(
            "/api/v1/auth/login", json={"username": "sysadmin", "password": PASSWORD}
        ).status_code
        == 200
    )


def test_throttling_per_address_across_accounts(ctx: ServiceContext, client: TestClient) -> None:
    build_world(ctx)
    for i in range(ctx.settings.login_max_failures_per_address):
        client.post("/api/v1/auth/login", json={"username": f"ghost{i}", "password": "x"})
    r = client.post("/api/v1/auth/login", json={"username": "sysadmin", "password": PASSWORD})
    problem(r, 429)
    assert "address" in r.json()["detail"]


def test_password_change_ends_other_sessions(ctx: ServiceContext, app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    build_world(ctx)
    other = TestClient(app)
    login(other, "actor_operator")
    csrf = login(client, "actor_operator")
    bad = client.post(
        "/api/v1/auth/password",
        json={"current_password": "wrong", "new_password": "a-new-password-1"},
        headers=csrf,
    )
    assert problem(bad, 422)["errors"][0]["field"] == "current_password"
    short = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers=csrf,
    )
    assert problem(short, 422)["errors"][0]["field"] == "new_password"
    ok = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a-new-password-1"},
        headers=csrf,
    )
    assert ok.status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 200  # this session was renewed
    problem(other.get("/api/v1/auth/me"), 401)
    login(client, "actor_operator", "a-new-password-1")


def test_logout_everywhere_ends_sessions_and_tokens(
    ctx: ServiceContext, app, client: TestClient
) -> None:  # type: ignore[no-untyped-def]
    build_world(ctx)
    token = bearer(client, "actor_team_leader")
    other = TestClient(app)
    login(other, "actor_team_leader")
    csrf = login(client, "actor_team_leader")
    assert client.post("/api/v1/auth/logout-everywhere", headers=csrf).status_code == 204
    problem(other.get("/api/v1/auth/me"), 401)
    problem(client.get("/api/v1/auth/me", headers=token), 401)


def test_forced_logout_by_admin(ctx: ServiceContext, app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    w = build_world(ctx)
    victim = TestClient(app)
    login(victim, "actor_operator")
    csrf = login(client, "actor_group_admin")
    r = client.post(f"/api/v1/users/{w.actors[Role.OPERATOR]}/logout", headers=csrf)
    assert r.status_code == 204
    problem(victim.get("/api/v1/auth/me"), 401)


def test_disabled_user_cannot_log_in(ctx: ServiceContext, client: TestClient) -> None:
    w = build_world(ctx)
    from centralino.domain.roles import Role

    csrf = login(client, "sysadmin")
    uid = w.actors[Role.OPERATOR]
    assert (
        client.patch(f"/api/v1/users/{uid}", json={"is_active": False}, headers=csrf).status_code
        == 200
    )
    client.cookies.clear()
    problem(
        client.post(
            "/api/v1/auth/login", json={"username": "actor_operator", "password": PASSWORD}
        ),
        401,
    )

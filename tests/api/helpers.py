"""Small helpers for API tests: log in and get headers for cookie or bearer calls."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from world import PASSWORD


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in with a cookie session; returns the CSRF header to send on changes."""
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf_token"]}


def bearer(client: TestClient, username: str) -> dict[str, str]:
    """A fresh API token for `username`, as an Authorization header (no cookie kept)."""
    csrf = login(client, username)
    r = client.post("/api/v1/auth/tokens", json={"name": "test"}, headers=csrf)
    assert r.status_code == 201, r.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body

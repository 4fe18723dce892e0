"""The live event stream sends each subscriber only the events it may see."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import bearer, login
from starlette.websockets import WebSocketDisconnect

from centralino.services.context import ServiceContext
from world import build_world


def _next_event(ws: Any) -> dict[str, Any]:
    while True:
        msg = ws.receive_json()
        if msg["kind"] not in ("hello", "pong"):
            return msg  # type: ignore[no-any-return]


def test_subscriber_sees_only_its_subtree(
    ctx: ServiceContext, app: Any, client: TestClient
) -> None:
    w = build_world(ctx)
    admin = login(client, "sysadmin")
    viewer = TestClient(app)
    login(viewer, "actor_group_admin")  # group admin on S1
    with viewer.websocket_connect("/api/v1/events") as ws:
        assert ws.receive_json()["kind"] == "hello"
        # sibling and foreign changes first, then one in the viewer's subtree
        client.post(
            "/api/v1/groups",
            json={"parent_id": w.groups["T2"].id, "name": "sibling-change"},
            headers=admin,
        )
        client.post(
            "/api/v1/groups",
            json={"parent_id": w.groups["SB"].id, "name": "foreign-change"},
            headers=admin,
        )
        client.post(
            "/api/v1/groups",
            json={"parent_id": w.groups["T1"].id, "name": "own-change"},
            headers=admin,
        )
        event = _next_event(ws)
        assert event["kind"] == "group.created"
        assert event["payload"]["after"]["name"] == "own-change"
        assert event["group_path"].startswith(w.groups["S1"].path)


def test_system_admin_sees_every_company(ctx: ServiceContext, app: Any, client: TestClient) -> None:
    w = build_world(ctx)
    admin = login(client, "sysadmin")
    with client.websocket_connect("/api/v1/events") as ws:
        ws.receive_json()
        client.post(
            "/api/v1/groups", json={"parent_id": w.groups["SB"].id, "name": "in B"}, headers=admin
        )
        assert _next_event(ws)["company_id"] == w.company_b


def test_role_without_read_permission_gets_nothing(
    ctx: ServiceContext, app: Any, client: TestClient
) -> None:
    w = build_world(ctx)
    admin = login(client, "sysadmin")
    viewer = TestClient(app)
    login(viewer, "actor_operator")
    with viewer.websocket_connect("/api/v1/events") as ws:
        ws.receive_json()
        client.post(
            "/api/v1/groups", json={"parent_id": w.groups["T1"].id, "name": "x"}, headers=admin
        )
        ws.send_text("ping")
        assert ws.receive_json()["kind"] == "pong"  # nothing was queued before the pong


def test_bearer_token_subscribes_and_anonymous_is_refused(
    ctx: ServiceContext, app: Any, client: TestClient
) -> None:
    build_world(ctx)
    headers = bearer(client, "actor_supervisor")
    with client.websocket_connect("/api/v1/events", headers=headers) as ws:
        assert ws.receive_json() == {"kind": "hello", "user": "actor_supervisor"}
    anonymous = TestClient(app)
    with (
        pytest.raises(WebSocketDisconnect) as err,
        anonymous.websocket_connect("/api/v1/events") as ws,
    ):
        ws.receive_json()
    assert err.value.code == 4401


def test_cross_site_origin_with_cookie_is_refused(ctx: ServiceContext, app: Any) -> None:
    build_world(ctx)
    c = TestClient(app)
    login(c, "actor_group_admin")
    with (
        pytest.raises(WebSocketDisconnect),
        c.websocket_connect("/api/v1/events", headers={"origin": "http://evil.example"}) as ws,
    ):
        ws.receive_json()
    with c.websocket_connect("/api/v1/events", headers={"origin": "http://testserver"}) as ws:
        assert ws.receive_json()["kind"] == "hello"

"""A partner center's supervisor and admin see and change only the partner's own
queues and services, never the parent's, even when the partner's operators sit in a
parent queue's tier."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from helpers import login

from centralino.domain.roles import Role
from centralino.services import inbound_services, queues, users
from centralino.services.context import ServiceContext
from centralino.services.users import GrantRequest
from world import PASSWORD, build_world


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.GROUP_ADMIN, Role.TEAM_LEADER])
def test_partner_staff_cannot_see_or_change_the_parent_queues(
    client: TestClient, ctx: ServiceContext, role: Role
) -> None:
    w = build_world(ctx)
    admin = w.admin()
    parent_q = queues.create_queue(ctx, admin, "Parent care", w.groups["T1"].id, {})
    partner_q = queues.create_queue(ctx, admin, "Partner care", w.groups["PT"].id, {})
    partner_op, _ = users.create_user(
        ctx, w.sysadmin, group_id=w.groups["PT"].id, username="pt_operator",
        display_name="Partner operator", password=PASSWORD,
        roles=[GrantRequest(Role.OPERATOR, w.groups["PT"].id)],
    )  # fmt: skip
    queues.set_members(ctx, admin, parent_q.id, [(partner_op.id, 1)])  # a partner tier
    parent_svc = inbound_services.create_service(
        ctx, admin, {"name": "Parent line", "group_id": w.groups["T1"].id,
                     "numbers": ["+390611110000"], "queue": "Parent care"},
    )  # fmt: skip
    users.create_user(
        ctx, w.sysadmin, group_id=w.groups["P"].id, username="pt_staff",
        display_name="Partner staff", password=PASSWORD, roles=[GrantRequest(role, w.groups["P"].id)],
    )  # fmt: skip
    csrf = login(client, "pt_staff")

    listed = client.get("/api/v1/queues").json()
    names = {q["name"] for q in listed["items"]}
    assert "Parent care" not in names
    assert client.get(f"/api/v1/queues/{parent_q.id}").status_code == 404
    assert client.get(f"/api/v1/services/{parent_svc.id}").status_code == 404
    assert "Parent line" not in {s["name"] for s in client.get("/api/v1/services").json()["items"]}
    for method, path, body in (
        ("PATCH", f"/api/v1/queues/{parent_q.id}", {"max_wait": 30}),
        ("PUT", f"/api/v1/queues/{parent_q.id}/members", {"members": []}),
        ("DELETE", f"/api/v1/queues/{parent_q.id}", None),
        ("PATCH", f"/api/v1/services/{parent_svc.id}", {"welcome": "x"}),
        ("DELETE", f"/api/v1/services/{parent_svc.id}", None),
    ):
        r = client.request(method, path, json=body, headers=csrf)
        assert r.status_code in (403, 404), (method, path, r.status_code, r.text)
    # the parent queue is untouched
    q, members = queues.get_queue(ctx, admin, parent_q.id)
    assert q.config.max_wait is None and [m.username for m in members] == ["pt_operator"]
    assert "Partner care" in names
    if role is not Role.GROUP_ADMIN:
        return  # supervisors and team leaders read queues; the partner's admin changes them
    r = client.patch(f"/api/v1/queues/{partner_q.id}", json={"max_wait": 45}, headers=csrf)
    assert r.status_code == 200, r.text

"""Transfer targets: an operator sees the operators of their groups and the company's
operator supervisors; an operator supervisor sees every operator and queue of the
company; nobody sees another company's people."""

from __future__ import annotations

from fastapi.testclient import TestClient
from helpers import login

from centralino.domain.roles import Role
from centralino.services import queues, users
from centralino.services.context import ServiceContext
from centralino.services.users import GrantRequest
from world import PASSWORD, World, build_world


def _user(w: World, ctx: ServiceContext, name: str, group: str, role: Role) -> int:
    u, _ = users.create_user(
        ctx, w.sysadmin, group_id=w.groups[group].id, username=name, display_name=name.title(),
        password=PASSWORD, roles=[GrantRequest(role, w.groups[group].id)],
    )  # fmt: skip
    return u.id


def test_operators_see_their_groups_and_the_operator_supervisors(
    client: TestClient, ctx: ServiceContext
) -> None:
    w = build_world(ctx)
    ann = _user(w, ctx, "ann", "T1", Role.OPERATOR)
    _user(w, ctx, "bob", "T1", Role.OPERATOR)
    _user(w, ctx, "sid", "T2", Role.OPERATOR)  # another site
    _user(w, ctx, "otto", "S2", Role.OPERATOR_SUPERVISOR)  # another site, but everywhere
    _user(w, ctx, "zed", "SB", Role.OPERATOR)  # another company
    admin = w.admin()
    queues.create_queue(ctx, admin, "T1 care", w.groups["T1"].id, {})
    queues.create_queue(ctx, admin, "T2 care", w.groups["T2"].id, {})

    login(client, "ann")
    body = client.get("/api/v1/transfer-targets").json()
    names = {c["username"] for c in body["items"]}
    assert names == {"bob", "otto", "actor_operator_supervisor"}  # the world has one too
    otto = next(c for c in body["items"] if c["username"] == "otto")
    assert otto["operator_supervisor"] and otto["group_name"] == "S2"
    assert next(c for c in body["items"] if c["username"] == "bob")["target"].startswith(
        "operator:"
    )
    assert body["queues"] == ["T1 care"]
    assert ann not in {c["user_id"] for c in body["items"]}  # not oneself

    client.cookies.clear()
    login(client, "otto")
    body = client.get("/api/v1/transfer-targets").json()
    names = {c["username"] for c in body["items"]}
    assert {"ann", "bob", "sid"} <= names and "zed" not in names and "otto" not in names
    assert body["queues"] == ["T1 care", "T2 care"]


def test_no_calls_permission_no_targets(client: TestClient, ctx: ServiceContext) -> None:
    build_world(ctx)
    login(client, "actor_back_office")
    r = client.get("/api/v1/transfer-targets")
    assert r.status_code == 403 and "calls.handle" in r.json()["detail"]

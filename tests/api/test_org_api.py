"""Companies, groups, clients, users and role grants over HTTP, and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import login, problem

from centralino.domain.roles import Role
from centralino.services.context import ServiceContext
from world import PASSWORD, World, build_world


@pytest.fixture
def world(ctx: ServiceContext) -> World:
    return build_world(ctx)


@pytest.fixture
def admin(client: TestClient, world: World) -> dict[str, str]:
    return login(client, "sysadmin")


def field_of(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


def test_company_crud_by_system_admin(client: TestClient, admin: dict[str, str]) -> None:
    r = client.post(
        "/api/v1/companies",
        json={"name": "Gamma", "timezone": "Europe/Warsaw", "locale": "pl"},
        headers=admin,
    )
    assert r.status_code == 201
    cid = r.json()["id"]
    assert r.json()["root_group_id"]
    r = client.patch(f"/api/v1/companies/{cid}", json={"name": "Gamma Sp. z o.o."}, headers=admin)
    assert r.status_code == 200 and r.json()["name"] == "Gamma Sp. z o.o."
    names = [c["name"] for c in client.get("/api/v1/companies").json()["items"]]
    assert "Gamma Sp. z o.o." in names
    assert client.delete(f"/api/v1/companies/{cid}", headers=admin).status_code == 204
    problem(client.get(f"/api/v1/companies/{cid}"), 404)


def test_company_bad_input(client: TestClient, admin: dict[str, str]) -> None:
    body = problem(
        client.post(
            "/api/v1/companies", json={"name": "X", "timezone": "Mars/Base"}, headers=admin
        ),
        422,
    )
    assert field_of(body) == ["timezone"]
    body = problem(client.post("/api/v1/companies", json={"name": "Company A"}, headers=admin), 409)
    assert field_of(body) == ["name"]
    body = problem(
        client.post("/api/v1/companies", json={"name": "Y", "locale": "fr"}, headers=admin), 422
    )
    assert field_of(body) == ["locale"]


def test_group_crud_and_tree_queries(
    client: TestClient, world: World, admin: dict[str, str]
) -> None:
    s1 = world.groups["S1"].id
    r = client.post(
        "/api/v1/groups", json={"parent_id": s1, "name": "Shift A", "kind": "shift"}, headers=admin
    )
    assert r.status_code == 201
    g = r.json()
    assert g["path"] == f"{world.groups['S1'].path}{g['id']}/" and g["depth"] == 2
    sub = client.get(f"/api/v1/groups?within={s1}&limit=100").json()
    assert {x["name"] for x in sub["items"]} == {"S1", "T1", "Shift A"}
    kids = client.get(f"/api/v1/groups?parent_id={s1}").json()
    assert {x["name"] for x in kids["items"]} == {"T1", "Shift A"}
    r = client.patch(
        f"/api/v1/groups/{g['id']}",
        json={"name": "Shift B", "parent_id": world.groups["T2"].id},
        headers=admin,
    )
    assert r.status_code == 200 and r.json()["path"].startswith(world.groups["T2"].path)
    assert client.delete(f"/api/v1/groups/{g['id']}", headers=admin).status_code == 204


def test_group_bad_input_names_the_field(
    client: TestClient, world: World, admin: dict[str, str]
) -> None:
    s1 = world.groups["S1"].id
    cases = [
        ({"parent_id": s1, "name": "x" * 121}, "name", 422),
        ({"parent_id": "abc", "name": "ok"}, "parent_id", 422),
        ({"parent_id": s1, "name": "ok", "colour": "red"}, "colour", 422),
        ({"parent_id": s1}, "name", 422),
        ({"parent_id": s1, "name": "ok", "kind": "planet"}, "kind", 422),
        ({"parent_id": s1, "name": "ok", "kind": "company"}, "kind", 422),
        ({"parent_id": s1, "name": "T1"}, "name", 409),
        ({"parent_id": 999999, "name": "ok"}, "parent_id", 404),
    ]
    for body, field, status in cases:
        assert field_of(
            problem(client.post("/api/v1/groups", json=body, headers=admin), status)
        ) == [field], body


def test_malformed_json_is_a_problem_not_a_500(client: TestClient, admin: dict[str, str]) -> None:
    r = client.post(
        "/api/v1/groups",
        content=b'{"parent_id": 1, "name": ',
        headers={**admin, "content-type": "application/json"},
    )
    body = problem(r, 422)
    assert field_of(body) == ["body"] and "malformed JSON" in body["detail"]
    r = client.post(
        "/api/v1/groups", content=b"[1,2]", headers={**admin, "content-type": "application/json"}
    )
    problem(r, 422)


def test_moving_a_group_under_its_descendant_is_refused(
    client: TestClient, world: World, admin: dict[str, str]
) -> None:
    s1 = world.groups["S1"]
    r = client.patch(
        f"/api/v1/groups/{s1.id}", json={"parent_id": world.groups["T1"].id}, headers=admin
    )
    assert field_of(problem(r, 409)) == ["parent_id"]
    r = client.patch(f"/api/v1/groups/{s1.id}", json={"parent_id": s1.id}, headers=admin)
    problem(r, 409)
    assert client.get(f"/api/v1/groups/{s1.id}").json()["path"] == s1.path
    problem(client.patch(f"/api/v1/groups/{s1.id}", json={"name": None}, headers=admin), 422)
    root = world.groups["RA"].id
    problem(client.delete(f"/api/v1/groups/{root}", headers=admin), 409)
    problem(client.delete(f"/api/v1/groups/{s1.id}", headers=admin), 409)  # has children


def test_user_crud_with_roles(client: TestClient, world: World, admin: dict[str, str]) -> None:
    t1 = world.groups["T1"].id
    body = {
        "username": "mario.rossi", "display_name": "Mario Rossi", "password": "una-password-lunga",
        "group_id": t1, "email": "mario@example.com", "locale": "it", "timezone": "Europe/Rome",
        "roles": [{"role": "operator", "group_id": t1}],
    }  # fmt: skip
    r = client.post("/api/v1/users", json=body, headers=admin)
    assert r.status_code == 201, r.text
    u = r.json()
    assert [g["role"] for g in u["roles"]] == ["operator"] and "password" not in u
    r = client.post(
        f"/api/v1/users/{u['id']}/roles",
        json={"role": "team_leader", "group_id": t1},
        headers=admin,
    )
    assert r.status_code == 201
    grant_id = r.json()["id"]
    roles = client.get(f"/api/v1/users/{u['id']}/roles").json()
    assert {g["role"] for g in roles} == {"operator", "team_leader"}
    assert (
        client.delete(f"/api/v1/users/{u['id']}/roles/{grant_id}", headers=admin).status_code == 204
    )
    r = client.patch(
        f"/api/v1/users/{u['id']}", json={"display_name": "Mario R.", "email": None}, headers=admin
    )
    assert r.status_code == 200 and r.json()["email"] is None
    found = client.get("/api/v1/users?q=mario&role=operator").json()
    assert [x["username"] for x in found["items"]] == ["mario.rossi"]
    assert client.delete(f"/api/v1/users/{u['id']}", headers=admin).status_code == 204
    problem(client.get(f"/api/v1/users/{u['id']}"), 404)


def test_user_bad_input(client: TestClient, world: World, admin: dict[str, str]) -> None:
    t1 = world.groups["T1"].id
    base = {"username": "newbie", "display_name": "N", "password": "long-enough-pw", "group_id": t1}
    cases = [
        ({**base, "username": "actor_operator"}, "username", 409),
        ({**base, "username": "bad name!"}, "username", 422),
        ({**base, "username": "u" * 65}, "username", 422),
        ({**base, "password": "short"}, "password", 422),
        ({**base, "email": "not-an-email"}, "email", 422),
        ({**base, "group_id": world.groups["SB"].id, "roles": []}, None, 201),
        ({**base, "username": "n2", "client_id": 999999}, "client_id", 422),
        (
            {**base, "username": "n3", "roles": [{"role": "wizard", "group_id": t1}]},
            "roles.0.role",
            422,
        ),
        ({**base, "username": "n4", "is_admin": True}, "is_admin", 422),
    ]
    for body, field, status in cases:
        r = client.post("/api/v1/users", json=body, headers=admin)
        if status == 201:
            assert r.status_code == 201, r.text
            continue
        assert field_of(problem(r, status)) == [field], (body, r.text)
    assert client.get("/api/v1/users?q=n2").json()["total"] == 0


def test_group_admin_cannot_escalate(client: TestClient, world: World) -> None:
    csrf = login(client, "actor_group_admin")
    own_user = world.make_user("own")
    r = client.post(
        f"/api/v1/users/{own_user}/roles",
        json={"role": "system_admin", "group_id": world.groups["S1"].id},
        headers=csrf,
    )
    assert field_of(problem(r, 403)) == ["role"]
    r = client.post(
        f"/api/v1/users/{own_user}/roles",
        json={"role": "group_admin", "group_id": world.groups["RA"].id},
        headers=csrf,
    )
    problem(r, 404)  # the company root is outside the admin's subtree
    sysadmin = world.actors[Role.SYSTEM_ADMIN]
    problem(
        client.patch(f"/api/v1/users/{sysadmin}", json={"display_name": "x"}, headers=csrf), 404
    )


def test_partner_admin_administers_its_own_users_only(
    client: TestClient, world: World, ctx: ServiceContext
) -> None:
    from centralino.services import users
    from centralino.services.users import GrantRequest

    p = world.groups["P"]
    users.create_user(
        ctx, world.admin(), group_id=p.id, username="partner_admin", display_name="PA",
        password=PASSWORD, roles=[GrantRequest(Role.GROUP_ADMIN, p.id)],
    )  # fmt: skip
    csrf = login(client, "partner_admin")
    r = client.post(
        "/api/v1/users",
        json={
            "username": "bari1",
            "display_name": "B",
            "password": "long-enough-pw",
            "group_id": world.groups["PT"].id,
            "roles": [{"role": "operator", "group_id": world.groups["PT"].id}],
        },
        headers=csrf,
    )
    assert r.status_code == 201
    listed = {u["username"] for u in client.get("/api/v1/users?limit=500").json()["items"]}
    assert listed == {"partner_admin", "bari1"}
    problem(
        client.post(
            "/api/v1/users",
            json={
                "username": "x1",
                "display_name": "B",
                "password": "long-enough-pw",
                "group_id": world.groups["S1"].id,
            },
            headers=csrf,
        ),
        404,
    )
    # the parent's admin sees the partner's users in real time
    client.cookies.clear()
    login(client, "sysadmin")
    assert "bari1" in {u["username"] for u in client.get("/api/v1/users?limit=500").json()["items"]}


def test_role_definitions_are_configurable(
    client: TestClient, world: World, admin: dict[str, str]
) -> None:
    ca = world.company_a
    defs = {d["role"]: d["permissions"] for d in client.get(f"/api/v1/companies/{ca}/roles").json()}
    assert defs["operator"] == ["calls.handle"]
    r = client.put(
        f"/api/v1/companies/{ca}/roles/operator",
        json={"permissions": ["calls.handle", "groups.read"]},
        headers=admin,
    )
    assert r.status_code == 200 and "groups.read" in r.json()["permissions"]
    client.cookies.clear()
    login(client, "actor_operator")
    assert client.get("/api/v1/groups").status_code == 200
    client.cookies.clear()
    admin = login(client, "sysadmin")
    r = client.put(
        f"/api/v1/companies/{ca}/roles/operator", json={"permissions": None}, headers=admin
    )
    assert r.json()["permissions"] == ["calls.handle"]
    problem(
        client.put(
            f"/api/v1/companies/{ca}/roles/operator",
            json={"permissions": ["telepathy"]},
            headers=admin,
        ),
        422,
    )
    problem(
        client.put(
            f"/api/v1/companies/{ca}/roles/system_admin", json={"permissions": []}, headers=admin
        ),
        422,
    )


def test_audit_log_is_limited_to_the_subtree(client: TestClient, world: World) -> None:
    csrf = login(client, "sysadmin")
    client.post(
        "/api/v1/groups", json={"parent_id": world.groups["T1"].id, "name": "Audited"}, headers=csrf
    )
    client.post(
        "/api/v1/groups",
        json={"parent_id": world.groups["T2"].id, "name": "Elsewhere"},
        headers=csrf,
    )
    client.cookies.clear()
    login(client, "actor_group_admin")
    entries = client.get("/api/v1/audit?limit=500").json()["items"]
    paths = {e["group_path"] for e in entries}
    assert all(p.startswith(world.groups["S1"].path) for p in paths)
    names = {(e["after"] or {}).get("name") for e in entries}
    assert "Audited" in names and "Elsewhere" not in names
    created = next(e for e in entries if (e["after"] or {}).get("name") == "Audited")
    assert (
        created["actor_name"] == "sysadmin"
        and created["action"] == "create"
        and created["before"] is None
    )


def test_pagination(client: TestClient, world: World, admin: dict[str, str]) -> None:
    for i in range(7):
        client.post(
            "/api/v1/groups",
            json={"parent_id": world.groups["T1"].id, "name": f"p{i}"},
            headers=admin,
        )
    first = client.get(f"/api/v1/groups?within={world.groups['T1'].id}&limit=3").json()
    second = client.get(f"/api/v1/groups?within={world.groups['T1'].id}&limit=3&offset=3").json()
    assert first["total"] == second["total"] == 8 and len(first["items"]) == 3
    assert not {g["id"] for g in first["items"]} & {g["id"] for g in second["items"]}
    assert field_of(problem(client.get("/api/v1/groups?limit=0"), 422)) == ["limit"]
    assert field_of(problem(client.get("/api/v1/groups?limit=501"), 422)) == ["limit"]


def test_clients_crud_and_client_user_view(
    client: TestClient, world: World, admin: dict[str, str]
) -> None:
    r = client.post(
        "/api/v1/clients", json={"group_id": world.groups["S1"].id, "name": "Acme"}, headers=admin
    )
    assert r.status_code == 201
    cid = r.json()["id"]
    assert (
        client.patch(f"/api/v1/clients/{cid}", json={"name": "Acme Energia"}, headers=admin).json()[
            "name"
        ]
        == "Acme Energia"
    )
    problem(
        client.post(
            "/api/v1/clients",
            json={"group_id": world.groups["S1"].id, "name": "Acme Energia"},
            headers=admin,
        ),
        409,
    )
    assert client.delete(f"/api/v1/clients/{cid}", headers=admin).status_code == 204
    client.cookies.clear()
    login(client, "actor_client")
    items = client.get("/api/v1/clients").json()["items"]
    assert [c["id"] for c in items] == [world.clients["own"]]
    problem(client.get(f"/api/v1/clients/{world.clients['sibling']}"), 404)


def test_openapi_document_and_docs_page_are_served_locally(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["info"]["title"] == "Centralino API"
    assert "/api/v1/groups" in doc["paths"]
    assert doc["paths"]["/api/v1/groups"]["post"]["x-access"]["permission"] == "groups.write"
    page = client.get("/api/docs").text
    assert "/api/docs-assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert client.get("/api/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_unknown_route_and_method_are_problems(client: TestClient, admin: dict[str, str]) -> None:
    problem(client.get("/api/v1/nowhere"), 404)
    problem(client.put("/api/v1/groups", json={}, headers=admin), 405)

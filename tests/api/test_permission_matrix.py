"""The permission matrix: every API route, every role, on its own subtree, a sibling group
and another company.

Routes are enumerated from the application, so a new route joins the matrix by itself:
its `x-access` metadata (permission and resource) decides what each role should get, and
the test fails until the route's resource has a target factory and its body a sample.
Expectations are derived from the domain's default role permissions, not written by hand.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import login

from centralino.domain.roles import DEFAULT_PERMISSIONS, Permission, Role
from centralino.services.context import ServiceContext
from world import LOCATIONS, World, build_world

_seq = itertools.count(1)
FUTURE = "2030-01-01T10:00:00+00:00"

# What a role needs to see an object of each resource at all (else it gets 404, not 403).
READ_PERMISSION: dict[str, str] = {
    "group": "groups.read",
    "user": "users.read",
    "grant": "users.read",
    "client": "clients.read",
    "company": "authenticated",
    "token": "authenticated",
    "audit": "audit.read",
    "campaign": "campaigns.read",
    "callback": "campaigns.read|calls.handle",
    "import": "campaigns.read",
    "dnc": "campaigns.read",
    "queue": "services.read",
    "service": "services.read",
    "pause_reason": "services.read|calls.handle",
    "call": "stats.read",
    "operator_state": "stats.read",
    "transfer_target": "calls.handle",
    "operator": "realtime.read",  # an operator as live supervision sees them
    "order": "campaigns.read",
    "script": "campaigns.read",
    "script_answers": "stats.read",
}

# Resources with no client link: a client user never sees one, whatever its permissions.
CLIENT_BLIND = frozenset({"queue", "script"})
# Company-wide resources: the same in every group of a company, changed at its root only.
COMPANY_WIDE = frozenset({"pause_reason"})


@dataclass(frozen=True)
class Route:
    """One operation of the served OpenAPI document."""

    method: str
    path: str
    meta: dict[str, Any]
    has_body: bool

    @property
    def methods(self) -> set[str]:
        return {self.method}


def has(role: Role | None, permission: str) -> bool:
    if role is None:
        return False
    if permission in ("authenticated", "public"):
        return True
    return any(Permission(p) in DEFAULT_PERMISSIONS[role] for p in permission.split("|"))


def sees(role: Role, resource: str, location: str, w: World) -> bool:
    """May this role (granted on S1) see the object at this location?

    Targets are fresh objects, so a client user's own client (tested elsewhere) is never one.
    """
    if role is Role.SYSTEM_ADMIN:
        return True
    if resource in COMPANY_WIDE:
        return location != "foreign" and has(role, READ_PERMISSION[resource])
    if location != "own" or (role is Role.CLIENT and resource in CLIENT_BLIND):
        return False
    return has(role, READ_PERMISSION[resource])


def allowed(role: Role, route: Route, meta: dict[str, Any], location: str) -> bool:
    perm = meta["permission"]
    if role is Role.SYSTEM_ADMIN:
        return True
    if meta["resource"] in COMPANY_WIDE:  # changed at the company root; actors hold S1
        return location != "foreign" and not perm.endswith(".write") and has(role, perm)
    if location != "own":
        return False
    if route.path.endswith("/roles/{role}"):
        return False  # redefining roles needs roles.assign at the company root; actors hold S1
    if route.path == "/api/v1/companies/{company_id}/roles":
        return has(role, "roles.assign")
    if role is Role.CLIENT and meta["resource"] in CLIENT_BLIND:
        return False
    return has(role, perm)


# --- targets: for each resource, a factory (world, location) -> path parameters ---


def _company(w: World, loc: str) -> dict[str, Any]:
    """Company A for own and sibling (a company has no sibling inside itself), else a fresh one."""
    if loc != "foreign":
        return {"company_id": w.company_a}
    from centralino.services import org

    company, _ = org.create_company(w.ctx, None, f"Foreign {next(_seq)}", "UTC", "en")
    return {"company_id": company.id}


def _grant(w: World, loc: str) -> dict[str, Any]:
    uid, gid = w.make_grant(loc)
    return {"user_id": uid, "grant_id": gid}


def _import_job(w: World, loc: str) -> dict[str, Any]:
    """A finished import (one row imported, one rejected) into a campaign at `loc`."""
    from centralino.services import imports

    f = w.ctx.settings.data_dir / f"matrix{next(_seq)}.csv"
    f.write_text(f"telefono\n+39333{next(_seq):07d}\nnot a number\n")
    return {"job_id": imports.import_file(w.ctx, None, w.make_campaign(loc), f).id}


def _dnc_entry(w: World, loc: str) -> dict[str, Any]:
    """A number on the do-not-call list of a campaign at `loc`."""
    cid = w.make_campaign(loc)
    with w.ctx.uow() as uow:
        c = uow.campaigns.get(cid)
        assert c is not None
        eid = uow.dnc.add(c.company_id, cid, f"+39333{next(_seq):07d}", "matrix", w.ctx.now())
        uow.commit()
    return {"entry_id": eid}


def _order(w: World, loc: str) -> dict[str, Any]:
    """An order with its recording, taken on a call of a campaign at `loc`."""
    from centralino.services import orders
    from centralino.services.orders import CallOrderContext, Recording
    from centralino.telephony.sim.wav import write_wav

    cid, n = w.make_campaign(loc), next(_seq)
    orders.put_form(w.ctx, w.admin(), cid, [{"name": "x", "label": "X", "kind": "text"}])
    path = w.ctx.settings.data_dir / "recordings" / f"matrix{n}.wav"
    write_wav(path, 0.5)
    operator = w.principal(w.actors[Role.OPERATOR])
    call = CallOrderContext(cid, n, "+390600000000", w.ctx.now())
    row = orders.save_call_order(w.ctx, operator, call, {"x": "y"}, Recording(path, 0.5))
    return {"order_id": row.id}


def _script(w: World, loc: str) -> dict[str, Any]:
    """A one-step call script owned by the location's team."""
    from centralino.services import scripts

    body = {
        "name": f"script{next(_seq)}",
        "group_id": w.target_group(loc).id,
        "steps": [{"id": "hello", "text": "Hello {name}"}],
    }
    return {"script_id": scripts.create_script(w.ctx, w.admin(), body).id}


# a body sent as multipart form data rather than JSON
UPLOAD = {"__files__": {"file": ("list.csv", b"telefono\n3331234567\n", "text/csv")}}

TARGETS: dict[str, Callable[[World, str], dict[str, Any]]] = {
    "group": lambda w, loc: {"group_id": w.make_group(loc)},
    "user": lambda w, loc: {"user_id": w.make_user(loc)},
    "operator": lambda w, loc: {"user_id": w.make_user(loc)},
    "client": lambda w, loc: {"client_id": w.make_client(loc)},
    "company": _company,
    "grant": _grant,
    "campaign": lambda w, loc: {"campaign_id": w.make_campaign(loc)},
    "callback": lambda w, loc: {"campaign_id": w.make_campaign(loc)},
    "import": _import_job,
    "dnc": _dnc_entry,
    "queue": lambda w, loc: {"queue_id": w.make_queue(loc)},
    "service": lambda w, loc: {"service_id": w.make_service(loc)},
    "pause_reason": lambda w, loc: {"reason_id": w.make_pause_reason(loc)},
    "order": _order,
    "script": _script,
}


def sample_body(route: Route, w: World, loc: str, params: dict[str, Any]) -> Any:
    """A valid body for the route, touching `loc` where the body names a group."""
    group = w.target_group(loc).id
    n = next(_seq)
    key = (sorted(route.methods)[0], route.path)
    bodies: dict[tuple[str, str], Callable[[], Any]] = {
        ("POST", "/api/v1/companies"): lambda: {"name": f"Co {n}"},
        ("PATCH", "/api/v1/companies/{company_id}"): lambda: {"timezone": "Europe/Warsaw"},
        ("POST", "/api/v1/groups"): lambda: {"parent_id": group, "name": f"matrix-g{n}"},
        ("PATCH", "/api/v1/groups/{group_id}"): lambda: {"name": f"renamed{n}"},
        ("POST", "/api/v1/clients"): lambda: {"group_id": group, "name": f"matrix-c{n}"},
        ("PATCH", "/api/v1/clients/{client_id}"): lambda: {"name": f"renamed{n}"},
        ("POST", "/api/v1/users"): lambda: {
            "username": f"new{n}",
            "display_name": "New",
            "password": "long-enough-pw",
            "group_id": group,
        },
        ("PATCH", "/api/v1/users/{user_id}"): lambda: {"display_name": f"Renamed {n}"},
        ("POST", "/api/v1/users/{user_id}/roles"): lambda: {
            "role": "back_office",
            "group_id": group,
        },
        ("PUT", "/api/v1/companies/{company_id}/roles/{role}"): lambda: {
            "permissions": ["calls.handle"]
        },
        ("POST", "/api/v1/campaigns"): lambda: {"name": f"camp{n}", "group_id": group},
        ("PATCH", "/api/v1/campaigns/{campaign_id}"): lambda: {"priority": 7},
        ("POST", "/api/v1/campaigns/{campaign_id}/outcomes"): lambda: {
            "code": f"o{n}",
            "label": "Promised to think",
            "kind": "negative",
            "final": True,
        },
        ("PATCH", "/api/v1/campaigns/{campaign_id}/outcomes/{code}"): lambda: {
            "label": f"Label {n}"
        },
        ("POST", "/api/v1/campaigns/{campaign_id}/callbacks"): lambda: {
            "record_id": w.make_record(params["campaign_id"]),
            "due_at": FUTURE,
            "notes": "hi",
        },
        ("PATCH", "/api/v1/campaigns/{campaign_id}/callbacks/{callback_id}"): lambda: {
            "due_at": FUTURE
        },
        ("POST", "/api/v1/campaigns/{campaign_id}/assignments"): lambda: {
            "record_ids": [w.make_record(params["campaign_id"])],
            "user_id": w.make_user(loc),
            "due_at": FUTURE,
        },
        ("POST", "/api/v1/campaigns/{campaign_id}/imports"): lambda: UPLOAD,
        ("POST", "/api/v1/campaigns/{campaign_id}/imports/preview"): lambda: UPLOAD,
        ("POST", "/api/v1/dnc"): lambda: {
            "phone": f"+39333{n:07d}",
            "campaign_id": w.make_campaign(loc),
        },
        ("POST", "/api/v1/dnc/import"): lambda: {
            "__files__": {"file": ("dnc.txt", f"+39333{n:07d}\n".encode(), "text/plain")},
            "__data__": {"campaign_id": str(w.make_campaign(loc))},
        },
        ("POST", "/api/v1/queues"): lambda: {
            "name": f"q{n}",
            "group_id": group,
            "strategy": "longest_idle",
        },
        ("PATCH", "/api/v1/queues/{queue_id}"): lambda: {"max_wait": 120},
        ("PUT", "/api/v1/queues/{queue_id}/members"): lambda: {
            "members": [{"user_id": w.make_user(loc), "tier": 1}]
        },
        ("POST", "/api/v1/services"): lambda: {
            "name": f"s{n}",
            "group_id": group,
            "numbers": [f"+3906{n:08d}"],
            "menus": {"main": {"options": {"0": {"kind": "hangup"}}}},
            "root_menu": "main",
        },
        ("PATCH", "/api/v1/services/{service_id}"): lambda: {"welcome": f"hello{n}"},
        ("PUT", "/api/v1/services/{service_id}/service-level"): lambda: {
            "minimum": {"answer_within": 30, "answered_share": 0.7},
            "target": {"answer_within": 20, "answered_share": 0.8, "max_abandon_rate": 0.05},
        },
        ("POST", "/api/v1/pause-reasons"): lambda: {
            "code": f"r{n}",
            "label": "Break",
            "company_id": w.company_b if loc == "foreign" else w.company_a,
        },
        ("PATCH", "/api/v1/pause-reasons/{reason_id}"): lambda: {"label": f"Label {n}"},
        ("POST", "/api/v1/scripts"): lambda: {
            "name": f"script{n}",
            "group_id": group,
            "steps": [{"id": "hello", "text": "Hello"}],
        },
        ("PATCH", "/api/v1/scripts/{script_id}"): lambda: {"name": f"renamed{n}"},
        ("POST", "/api/v1/me/phone/script"): lambda: {"call_id": 1, "answers": {}},
        ("POST", "/api/v1/me/phone/pause"): lambda: {"reason": "lunch"},
        ("POST", "/api/v1/me/phone/auto-answer"): lambda: {"on": True},
        ("POST", "/api/v1/me/phone/wrap-up"): lambda: {"outcome": "done"},
        ("POST", "/api/v1/me/phone/transfer"): lambda: {"target": "+390212345678"},
        ("POST", "/api/v1/me/phone/mute"): lambda: {"on": True},
        ("POST", "/api/v1/me/phone/dtmf"): lambda: {"digits": "12#"},
        ("POST", "/api/v1/me/phone/order"): lambda: {"values": {"x": "y"}},
        ("PUT", "/api/v1/campaigns/{campaign_id}/order-form"): lambda: {
            "fields": [{"name": f"f{n}", "label": "Field", "kind": "text"}]
        },
        ("POST", "/api/v1/me/desk/preview/skip"): lambda: {"reason": "not today"},
        ("POST", "/api/v1/me/desk/records/dial"): lambda: {"record_id": 1},
        ("POST", "/api/v1/me/desk/wrap-up"): lambda: {"call_id": 1, "outcome": "done"},
        ("POST", "/api/v1/supervision/operators/{user_id}/pause"): lambda: {"reason": "lunch"},
        ("POST", "/api/v1/supervision/operators/{user_id}/message"): lambda: {"text": "hi"},
        ("POST", "/api/v1/supervision/operators/{user_id}/monitor"): lambda: {"mode": "listen"},
    }
    if not route.has_body:
        return None
    if key not in bodies:
        pytest.fail(f"add a sample body for {key} to the permission matrix")
    return bodies[key]()


def api_routes(app: Any) -> list[Route]:
    """Every operation the app serves under /api/v1, read from its OpenAPI document."""
    routes = []
    for path, ops in app.openapi()["paths"].items():
        for method, op in ops.items():
            routes.append(Route(method.upper(), path, op.get("x-access", {}), "requestBody" in op))
    return routes


def test_every_route_declares_its_access(app: Any) -> None:
    routes = api_routes(app)
    assert len(routes) >= 25
    missing = [f"{r.method} {r.path}" for r in routes if not r.meta]
    assert missing == []
    for r in routes:
        meta = r.meta
        for perm in meta["permission"].split("|"):
            assert perm in {"public", "authenticated"} | {p.value for p in Permission}
        if "{" in r.path:
            assert meta["resource"] in TARGETS or meta["resource"] == "token", r.path


SELF_ROUTES = {  # routes about the caller's own account: anyone logged in, nobody else's data
    "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/auth/logout-everywhere",
    "/api/v1/auth/me", "/api/v1/auth/password", "/api/v1/auth/tokens",
    "/api/v1/auth/tokens/{token_id}",
}  # fmt: skip


def _expected(
    role: Role | None, route: Route, meta: dict[str, Any], loc: str, w: World
) -> set[int]:
    method = sorted(route.methods)[0]
    ok = {"GET": {200}, "POST": {200, 201, 204}, "PATCH": {200}, "PUT": {200}, "DELETE": {204}}[
        method
    ]
    if role is None:
        return {401}
    resource = meta["resource"]
    has_id = "{" in route.path
    if meta.get("self_only"):
        # the caller's own phone (/me/...): nothing of anyone else's can be named; the
        # matrix runs without the live engine, so an allowed caller gets its 503 problem
        return {503} if has(role, meta["permission"]) else {403}
    if not has_id and method == "GET":  # lists
        if route.path == "/api/v1/companies":
            return ok
        return (
            ok
            if (has(role, meta["permission"]) or (resource == "client" and role is Role.CLIENT))
            else {403}
        )
    if resource in COMPANY_WIDE and (has_id or method != "GET"):
        # a company-wide object (or a create naming the company): readers of the company
        # get 403 for a change they may not make, everybody else 404
        if allowed(role, route, meta, loc):
            return ok
        return {403} if sees(role, resource, loc, w) else {404}
    if not has_id and meta.get("body_campaign_field"):  # the body names a campaign at `loc`
        if allowed(role, route, meta, loc):
            return ok
        return {403} if sees(role, "campaign", loc, w) else {404}
    if not has_id:  # creates: the body names a group at `loc`
        if route.path == "/api/v1/companies":
            return ok if role is Role.SYSTEM_ADMIN else {403}
        if allowed(role, route, meta, loc):
            return ok
        group_visible = role is Role.SYSTEM_ADMIN or (
            loc == "own"
            and (has(role, "groups.read") or has(role, "users.read") or has(role, "clients.read"))
        )
        return {403} if group_visible else {404}
    if resource == "company" and route.path == "/api/v1/companies/{company_id}" and method != "GET":
        if role is Role.SYSTEM_ADMIN:
            return {409} if (method == "DELETE" and loc != "foreign") else ok
        return {403} if loc == "own" else {403, 404}
    if allowed(role, route, meta, loc):
        # a route acting in the live engine: the matrix runs without it, so 503 once allowed
        return {503} if meta.get("live") else ok
    if route.path.startswith("/api/v1/companies/{company_id}/roles"):
        return {403} if loc == "own" else {404}
    return {403} if sees(role, resource, loc, w) else {404}


def _call(client: TestClient, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    if isinstance(body, dict) and "__files__" in body:
        return client.request(
            method, path, files=body["__files__"], data=body.get("__data__"), headers=headers
        )
    return client.request(method, path, json=body, headers=headers)


def _assert_no_foreign_rows(role: Role, payload: Any, w: World) -> None:
    if role is Role.SYSTEM_ADMIN or not isinstance(payload, dict) or "items" not in payload:
        return
    s1_path = w.groups["S1"].path
    own_groups = {g.id for g in w.groups.values() if g.path.startswith(s1_path)}
    for item in payload["items"]:
        if "company_id" in item and item["company_id"] is not None:
            assert item["company_id"] == w.company_a, item
        if item.get("group_path"):
            assert item["group_path"].startswith(s1_path), item
        if "path" in item:
            assert item["path"].startswith(s1_path), item
        if "group_id" in item and item["group_id"] in {g.id for g in w.groups.values()}:
            assert item["group_id"] in own_groups, item


def test_permission_matrix(ctx: ServiceContext, app: Any, client: TestClient) -> None:
    w = build_world(ctx)
    roles: list[Role | None] = [None, *Role]
    sessions: dict[Role, dict[str, str]] = {}
    failures: list[str] = []
    checked = 0
    for role in Role:
        c = TestClient(app)
        sessions[role] = login(
            c, f"actor_{role.value}" if role is not Role.SYSTEM_ADMIN else "sysadmin"
        )
        sessions[role]["Cookie"] = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
    for route in api_routes(app):
        if route.path in SELF_ROUTES:
            continue
        meta = route.meta
        method = route.method
        has_id = "{" in route.path
        for role in roles:
            locations = LOCATIONS if (has_id or method != "GET") else ("own",)
            if meta.get("self_only"):
                locations = ("own",)  # about the caller alone: no place to try
            if meta["resource"] == "company":
                locations = ("own", "foreign")  # a company has no sibling inside itself
            for loc in locations:
                params: dict[str, Any] = {}
                if has_id:
                    if method == "GET" and meta["resource"] in ("company",):
                        params = TARGETS["company"](w, loc)
                    else:
                        params = TARGETS[meta["resource"]](w, loc)
                    if "{role}" in route.path:
                        params["role"] = "operator"
                    if "{callback_id}" in route.path:
                        params["callback_id"] = w.make_callback(params["campaign_id"])
                    if "{code}" in route.path:
                        params["code"] = w.make_outcome(params["campaign_id"])
                path = route.path.format(**params)
                body = sample_body(route, w, loc, params)
                headers = sessions[role] if role else {}
                client.cookies.clear()
                r = _call(client, method, path, body, headers)
                expected = _expected(role, route, meta, loc, w)
                checked += 1
                who = role.value if role else "anonymous"
                if r.status_code not in expected:
                    failures.append(
                        f"{method} {route.path} as {who} on {loc}: {r.status_code} not in {expected}: {r.text[:160]}"
                    )
                    continue
                assert r.status_code != 500
                if r.status_code >= 400:
                    assert r.headers["content-type"].startswith("application/problem+json")
                elif role is not None and method == "GET" and "json" in r.headers["content-type"]:
                    _assert_no_foreign_rows(role, r.json(), w)
    assert not failures, "\n".join(failures)
    assert checked > 500


def test_self_routes_touch_only_the_caller(
    ctx: ServiceContext, app: Any, client: TestClient
) -> None:
    """Tokens of one user cannot be listed or revoked by another, whatever the role."""
    build_world(ctx)
    csrf = login(client, "actor_operator")
    tid = client.post("/api/v1/auth/tokens", json={"name": "mine"}, headers=csrf).json()["id"]
    for role in Role:
        other = TestClient(app)
        h = login(other, "sysadmin" if role is Role.SYSTEM_ADMIN else f"actor_{role.value}")
        if role is Role.OPERATOR:
            continue
        assert other.delete(f"/api/v1/auth/tokens/{tid}", headers=h).status_code == 404
        assert all(t["id"] != tid for t in other.get("/api/v1/auth/tokens").json())

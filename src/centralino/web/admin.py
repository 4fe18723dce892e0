"""Admin pages: the group tree, users and their roles, clients, companies, the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import TypeAdapter, ValidationError

from centralino.api.schemas_base import Email, Locale, TimeZone, Username
from centralino.domain.access import Place, Principal
from centralino.domain.errors import InvalidInput
from centralino.domain.org import Group, GroupKind
from centralino.domain.roles import DEFAULT_PERMISSIONS, ROLE_LABELS, Permission, Role
from centralino.services import audit, auth, org, users
from centralino.services.users import GrantRequest
from centralino.web.i18n import N_
from centralino.web.render import (
    check_form_csrf,
    ctx_of,
    flash_redirect,
    page_identity,
    render,
    require,
)

router = APIRouter(prefix="/admin", include_in_schema=False)
P = Permission
PAGE_SIZE = 50

PAGE_ACCESS: dict[str, str] = {
    "/admin": "authenticated",
    "/admin/groups": P.GROUPS_READ.value,
    "/admin/users": P.USERS_READ.value,
    "/admin/users/new": P.USERS_WRITE.value,
    "/admin/users/{user_id}": P.USERS_READ.value,
    "/admin/clients": P.CLIENTS_READ.value,
    "/admin/audit": P.AUDIT_READ.value,
    "/admin/companies": P.COMPANIES_MANAGE.value,
}


def _valid(adapter: Any, value: Any, field: str) -> Any:
    try:
        return TypeAdapter(adapter).validate_python(value)
    except ValidationError as exc:
        raise InvalidInput(f"{field}: {exc.errors()[0]['msg']}", field=field) from exc


def _opt(value: str) -> str | None:
    value = value.strip()
    return value or None


def visible_groups(request: Request, principal: Principal) -> list[Group]:
    """Every group the caller may read, in tree order (bounded: trees of thousands page)."""
    if not (principal.has_anywhere(P.GROUPS_READ) or principal.has_anywhere(P.USERS_READ)):
        return []
    perm = P.GROUPS_READ if principal.has_anywhere(P.GROUPS_READ) else P.USERS_READ
    with ctx_of(request).uow() as uow:
        return uow.groups.list(principal.visibility(perm), 5000, 0).items


def _place(g: Group) -> Place:
    return Place(g.company_id, g.path)


# --- groups ---


ABOUT = {
    "/admin/groups": N_("Sites, teams and partner centers, as a tree."),
    "/admin/users": N_("People, their roles and where each role applies."),
    "/admin/clients": N_("The companies whose campaigns and services you run."),
    "/admin/audit": N_("Who changed what, and when."),
    "/admin/companies": N_("Every company on this installation."),
}


@router.get("", response_class=HTMLResponse)
def organisation(request: Request) -> Response:
    """The organisation pages the viewer may open (the sub-navigation shows the same)."""
    me = page_identity(request)
    return render(request, "organisation.html", me, about=ABOUT)


@router.get("/groups", response_class=HTMLResponse)
def groups_page(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.GROUPS_READ)
    groups = visible_groups(request, me.principal)
    base = min((g.depth for g in groups), default=0)
    rows = [
        {
            "group": g,
            "indent": g.depth - base,
            "writable": me.principal.can(P.GROUPS_WRITE, _place(g)),
        }
        for g in groups
    ]
    writable = [g for g in groups if me.principal.can(P.GROUPS_WRITE, _place(g))]
    kinds = [k for k in GroupKind if k is not GroupKind.COMPANY]
    return render(request, "groups.html", me, rows=rows, writable=writable, kinds=kinds)


@router.post("/groups")
def groups_create(
    request: Request,
    parent_id: int = Form(...),
    name: str = Form(..., min_length=1, max_length=120),
    kind: GroupKind = Form(GroupKind.TEAM),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    org.create_group(ctx_of(request), me.principal, parent_id, name.strip(), kind)
    return flash_redirect(request, "/admin/groups", N_("Group created."))


@router.post("/groups/{group_id}")
def groups_update(
    request: Request,
    group_id: int,
    name: str = Form(..., min_length=1, max_length=120),
    parent_id: int | None = Form(None),
    kind: GroupKind | None = Form(None),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    changes: dict[str, Any] = {"name": name.strip()}
    if parent_id is not None:
        changes["parent_id"] = parent_id
    if kind is not None:
        changes["kind"] = kind
    org.update_group(ctx_of(request), me.principal, group_id, changes)
    return flash_redirect(request, "/admin/groups", N_("Group saved."))


@router.post("/groups/{group_id}/delete")
def groups_delete(
    request: Request, group_id: int, csrf_token: str = Form("", max_length=128)
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    org.delete_group(ctx_of(request), me.principal, group_id)
    return flash_redirect(request, "/admin/groups", N_("Group deleted."))


# --- users ---


def _grantable_roles(principal: Principal) -> list[Role]:
    # Least power first, so the default choice is the harmless one.
    roles = [r for r in Role if r is not Role.SYSTEM_ADMIN]
    roles.sort(key=lambda r: len(DEFAULT_PERMISSIONS[r]))
    if principal.is_system_admin:
        roles.append(Role.SYSTEM_ADMIN)
    return [r for r in roles if principal.has_anywhere(P.ROLES_ASSIGN)]


@router.get("/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    q: str | None = Query(None, max_length=120),
    within: int | None = Query(None),
    role: Role | None = Query(None),
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    me = page_identity(request)
    require(me, P.USERS_READ)
    ctx = ctx_of(request)
    result = users.list_users(
        ctx, me.principal, PAGE_SIZE, (page - 1) * PAGE_SIZE, within, _opt(q or ""), role
    )
    grants = {u.id: users.list_grants(ctx, me.principal, u.id) for u in result.items}
    groups = visible_groups(request, me.principal)
    names = {g.id: g.name for g in groups}
    pages = max(1, -(-result.total // PAGE_SIZE))
    return render(
        request, "users.html", me, result=result, grants=grants, group_names=names,
        groups=groups, q=q or "", within=within, role=role, roles=list(Role),
        role_labels=ROLE_LABELS, page=page, pages=pages,
        can_write=me.principal.has_anywhere(P.USERS_WRITE),
    )  # fmt: skip


@router.get("/users/new", response_class=HTMLResponse)
def users_new(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.USERS_WRITE)
    groups = [
        g for g in visible_groups(request, me.principal)
        if me.principal.can(P.USERS_WRITE, _place(g))
    ]  # fmt: skip
    clients = (
        org.list_clients(ctx_of(request), me.principal, 500, 0).items
        if (me.principal.has_anywhere(P.CLIENTS_READ))
        else []
    )
    return render(
        request, "user_new.html", me, groups=groups, clients=clients,
        roles=_grantable_roles(me.principal), role_labels=ROLE_LABELS,
    )  # fmt: skip


@router.post("/users")
def users_create(
    request: Request,
    username: str = Form(..., max_length=64),
    display_name: str = Form(..., min_length=1, max_length=120),
    password: str = Form(..., max_length=256),
    group_id: int = Form(...),
    email: str = Form("", max_length=254),
    locale: str = Form("", max_length=8),
    timezone: str = Form("", max_length=64),
    client_id: int | None = Form(None),
    role: str = Form("", max_length=32),
    role_group_id: int | None = Form(None),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    roles = []
    if role:
        roles.append(GrantRequest(_valid(Role, role, "role"), role_group_id or group_id))
    u, _ = users.create_user(
        ctx_of(request),
        me.principal,
        group_id=group_id,
        username=_valid(Username, username.strip(), "username"),
        display_name=display_name.strip(),
        password=password,
        email=_valid(Email, e, "email") if (e := _opt(email)) else None,
        locale=_valid(Locale, loc, "locale") if (loc := _opt(locale)) else None,
        timezone=_valid(TimeZone, tz, "timezone") if (tz := _opt(timezone)) else None,
        client_id=client_id,
        roles=roles,
    )
    return flash_redirect(request, f"/admin/users/{u.id}", N_("User created."))


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user_page(request: Request, user_id: int) -> Response:
    me = page_identity(request)
    ctx = ctx_of(request)
    u, grants = users.get_user(ctx, me.principal, user_id)
    groups = visible_groups(request, me.principal)
    place = Place(u.company_id, u.group_path, u.client_id)
    with ctx.uow() as uow:
        manageable = me.principal.may_manage_user(place, uow.users.grants(u.id))
    clients = (
        org.list_clients(ctx, me.principal, 500, 0).items
        if (me.principal.has_anywhere(P.CLIENTS_READ))
        else []
    )
    return render(
        request, "user_detail.html", me, user=u, grants=grants,
        group_names={g.id: g.name for g in groups},
        move_groups=[g for g in groups if me.principal.can(P.USERS_WRITE, _place(g))],
        grant_groups=[g for g in groups if me.principal.can(P.ROLES_ASSIGN, _place(g))],
        roles=_grantable_roles(me.principal), role_labels=ROLE_LABELS, clients=clients,
        manageable=manageable, can_assign=me.principal.can(P.ROLES_ASSIGN, place),
    )  # fmt: skip


@router.post("/users/{user_id}")
def user_update(
    request: Request,
    user_id: int,
    display_name: str = Form(..., min_length=1, max_length=120),
    group_id: int = Form(...),
    email: str = Form("", max_length=254),
    locale: str = Form("", max_length=8),
    timezone: str = Form("", max_length=64),
    client_id: int | None = Form(None),
    is_active: bool = Form(False),
    new_password: str = Form("", max_length=256),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    changes: dict[str, Any] = {
        "display_name": display_name.strip(),
        "group_id": group_id,
        "email": _valid(Email, e, "email") if (e := _opt(email)) else None,
        "locale": _valid(Locale, loc, "locale") if (loc := _opt(locale)) else None,
        "timezone": _valid(TimeZone, tz, "timezone") if (tz := _opt(timezone)) else None,
        "client_id": client_id,
        "is_active": is_active,
    }
    if new_password:
        changes["password"] = new_password
    users.update_user(ctx_of(request), me.principal, user_id, changes)
    return flash_redirect(request, f"/admin/users/{user_id}", N_("User saved."))


@router.post("/users/{user_id}/roles")
def user_add_role(
    request: Request,
    user_id: int,
    role: Role = Form(...),
    group_id: int = Form(...),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    users.add_grant(ctx_of(request), me.principal, user_id, GrantRequest(role, group_id))
    return flash_redirect(request, f"/admin/users/{user_id}", N_("Role granted."))


@router.post("/users/{user_id}/roles/{grant_id}/delete")
def user_remove_role(
    request: Request, user_id: int, grant_id: int, csrf_token: str = Form("", max_length=128)
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    users.remove_grant(ctx_of(request), me.principal, user_id, grant_id)
    return flash_redirect(request, f"/admin/users/{user_id}", N_("Role removed."))


@router.post("/users/{user_id}/logout")
def user_force_logout(
    request: Request, user_id: int, csrf_token: str = Form("", max_length=128)
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    auth.logout_everywhere(ctx_of(request), me.principal, user_id)
    message = N_("The user was logged out everywhere.")
    return flash_redirect(request, f"/admin/users/{user_id}", message)


@router.post("/users/{user_id}/delete")
def user_delete(
    request: Request, user_id: int, csrf_token: str = Form("", max_length=128)
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    users.delete_user(ctx_of(request), me.principal, user_id)
    return flash_redirect(request, "/admin/users", N_("User deleted."))


# --- clients ---


@router.get("/clients", response_class=HTMLResponse)
def clients_page(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.CLIENTS_READ)
    result = org.list_clients(ctx_of(request), me.principal, 500, 0)
    groups = visible_groups(request, me.principal)
    writable = [g for g in groups if me.principal.can(P.CLIENTS_WRITE, _place(g))]
    return render(
        request, "clients.html", me, clients=result.items, writable=writable,
        group_names={g.id: g.name for g in groups},
    )  # fmt: skip


@router.post("/clients")
def clients_create(
    request: Request,
    name: str = Form(..., min_length=1, max_length=120),
    group_id: int = Form(...),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    org.create_client(ctx_of(request), me.principal, group_id, name.strip())
    return flash_redirect(request, "/admin/clients", N_("Client created."))


@router.post("/clients/{client_id}/delete")
def clients_delete(
    request: Request, client_id: int, csrf_token: str = Form("", max_length=128)
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    org.delete_client(ctx_of(request), me.principal, client_id)
    return flash_redirect(request, "/admin/clients", N_("Client deleted."))


# --- audit ---


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    entity: str | None = Query(None, max_length=32),
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    me = page_identity(request)
    require(me, P.AUDIT_READ)
    result = audit.list_entries(
        ctx_of(request), me.principal, PAGE_SIZE, (page - 1) * PAGE_SIZE, _opt(entity or "")
    )
    pages = max(1, -(-result.total // PAGE_SIZE))
    return render(
        request, "audit.html", me, result=result, entity=entity or "", page=page, pages=pages
    )


# --- companies ---


@router.get("/companies", response_class=HTMLResponse)
def companies_page(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.COMPANIES_MANAGE)
    result = org.list_companies(ctx_of(request), me.principal, 500, 0)
    return render(request, "companies.html", me, companies=result.items)


@router.post("/companies")
def companies_create(
    request: Request,
    name: str = Form(..., min_length=1, max_length=120),
    timezone: str = Form("Europe/Rome", max_length=64),
    locale: str = Form("it", max_length=8),
    admin_username: str = Form("", max_length=64),
    admin_password: str = Form("", max_length=256),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    ctx = ctx_of(request)
    if admin_username.strip():  # check before creating anything: all or nothing
        _valid(Username, admin_username.strip(), "admin_username")
        auth.check_password_policy(admin_password, admin_username.strip(), "admin_password")
    _, root = org.create_company(
        ctx, me.principal, name.strip(), _valid(TimeZone, timezone, "timezone"),
        _valid(Locale, locale, "locale"),
    )  # fmt: skip
    if admin_username.strip():
        users.create_user(
            ctx, me.principal, group_id=root.id,
            username=_valid(Username, admin_username.strip(), "admin_username"),
            display_name=admin_username.strip(), password=admin_password,
            roles=[GrantRequest(Role.GROUP_ADMIN, root.id)],
        )  # fmt: skip
    return flash_redirect(request, "/admin/companies", N_("Company created."))


@router.post("/companies/{company_id}/delete")
def companies_delete(
    request: Request, company_id: int, csrf_token: str = Form("", max_length=128)
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    org.delete_company(ctx_of(request), me.principal, company_id)
    return flash_redirect(request, "/admin/companies", N_("Company deleted."))

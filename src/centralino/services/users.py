"""Users and their role grants: who may create, change and empower whom (ORG-2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from centralino.domain.access import Place, Principal
from centralino.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from centralino.domain.org import Group
from centralino.domain.roles import Permission, Role
from centralino.domain.users import Grant, User
from centralino.services.audit import record
from centralino.services.auth import check_password_policy, user_place
from centralino.services.context import ServiceContext
from centralino.services.org import place_of
from centralino.store.repos.page import Page
from centralino.store.uow import UnitOfWork

P = Permission


def user_view(u: User) -> dict[str, Any]:
    return {
        "username": u.username,
        "display_name": u.display_name,
        "email": u.email,
        "group_id": u.group_id,
        "client_id": u.client_id,
        "locale": u.locale,
        "timezone": u.timezone,
        "is_active": u.is_active,
    }


def grant_view(g: Grant) -> dict[str, Any]:
    return {"user_id": g.user_id, "role": g.role.value, "group_id": g.group_id}


@dataclass(slots=True)
class GrantRequest:
    role: Role
    group_id: int


def list_users(
    ctx: ServiceContext,
    actor: Principal,
    limit: int,
    offset: int,
    within: int | None = None,
    q: str | None = None,
    role: Role | None = None,
) -> Page[User]:
    if not actor.has_anywhere(P.USERS_READ):
        raise Forbidden("listing users needs the users.read permission")
    with ctx.uow() as uow:
        within_path = None
        if within is not None:
            g = uow.groups.get(within)
            if g is None or not actor.can(P.USERS_READ, place_of(g)):
                raise NotFound(f"group {within} not found", field="within")
            within_path = g.path
        return uow.users.list(actor.visibility(P.USERS_READ), limit, offset, within_path, q, role)


def _readable_user(uow: UnitOfWork, actor: Principal, user_id: int) -> User:
    u = uow.users.get(user_id)
    if u is None or not (u.id == actor.user_id or actor.can(P.USERS_READ, user_place(u))):
        raise NotFound(f"user {user_id} not found")
    return u


def get_user(ctx: ServiceContext, actor: Principal, user_id: int) -> tuple[User, list[Grant]]:
    with ctx.uow() as uow:
        u = _readable_user(uow, actor, user_id)
        return u, uow.users.grants(u.id)


def _target_group(uow: UnitOfWork, actor: Principal, group_id: int) -> Group:
    g = uow.groups.get(group_id)
    if g is None or not (
        actor.can(P.USERS_READ, place_of(g)) or actor.can(P.GROUPS_READ, place_of(g))
    ):
        raise NotFound(f"group {group_id} not found", field="group_id")
    if not actor.can(P.USERS_WRITE, place_of(g)):
        raise Forbidden(f"you may not manage users in group {group_id}", field="group_id")
    return g


def _check_client(uow: UnitOfWork, company_id: int, client_id: int | None) -> None:
    if client_id is None:
        return
    c = uow.clients.get(client_id)
    if c is None or c.company_id != company_id:
        raise InvalidInput(f"no client {client_id} in this company", field="client_id")


def _grant(
    uow: UnitOfWork, ctx: ServiceContext, actor: Principal, user: User, req: GrantRequest
) -> Grant:
    g = uow.groups.get(req.group_id)
    if (
        g is None
        or g.company_id != user.company_id
        or not (
            actor.can(P.GROUPS_READ, place_of(g))
            or actor.can(P.USERS_READ, place_of(g))
            or actor.is_system_admin
        )
    ):
        raise NotFound(f"group {req.group_id} not found", field="group_id")
    if not actor.may_grant(req.role, Place(g.company_id, g.path, user.client_id)):
        raise Forbidden(
            f"you may not grant the role {req.role.value!r} on group {g.id}", field="role"
        )
    if req.role is Role.CLIENT and user.client_id is None:
        raise InvalidInput("a client user needs a client_id before the client role", "role")
    if uow.users.has_grant(user.id, req.role, g.id):
        raise Conflict(f"the user already holds {req.role.value!r} on group {g.id}", "role")
    gid = uow.users.add_grant(user.id, req.role, g.id, ctx.now())
    grant = Grant(gid, user.id, req.role, g.id, g.path)
    record(
        uow, actor, "create", "role_grant", gid, user_place(user), None, grant_view(grant),
        ctx.now(), P.USERS_READ,
    )  # fmt: skip
    return grant


def create_user(
    ctx: ServiceContext,
    actor: Principal | None,
    *,
    group_id: int,
    username: str,
    display_name: str,
    password: str,
    email: str | None = None,
    locale: str | None = None,
    timezone: str | None = None,
    client_id: int | None = None,
    roles: list[GrantRequest] | None = None,
    trusted_company_id: int | None = None,
) -> tuple[User, list[Grant]]:
    """Create a user and its initial grants in one transaction.

    `actor` None is the trusted command line, which must name the company of the group.
    """
    check_password_policy(password, username)
    now = ctx.now()
    with ctx.uow() as uow:
        if actor is None:
            g = uow.groups.get(group_id)
            if g is None or g.company_id != trusted_company_id:
                raise NotFound(f"group {group_id} not found", field="group_id")
        else:
            g = _target_group(uow, actor, group_id)
        if uow.users.by_username(username) is not None:
            raise Conflict(f"the username {username!r} is taken", field="username")
        _check_client(uow, g.company_id, client_id)
        user = User(
            id=0,
            company_id=g.company_id,
            group_id=g.id,
            username=username,
            display_name=display_name,
            email=email,
            locale=locale,
            timezone=timezone,
            client_id=client_id,
            is_active=True,
            created_at=now,
            password_hash=ctx.hasher.hash(password),
            group_path=g.path,
        )
        user.id = uow.users.add(user, now)
        record(
            uow, actor, "create", "user", user.id, user_place(user), None, user_view(user), now,
            P.USERS_READ,
        )  # fmt: skip
        grants: list[Grant] = []
        for req in roles or []:
            if actor is None:
                gg = uow.groups.get(req.group_id)
                if gg is None or gg.company_id != g.company_id:
                    raise NotFound(f"group {req.group_id} not found", field="roles")
                gid = uow.users.add_grant(user.id, req.role, gg.id, now)
                grants.append(Grant(gid, user.id, req.role, gg.id, gg.path))
            else:
                grants.append(_grant(uow, ctx, actor, user, req))
        uow.commit()
    ctx.publish(uow)
    return user, grants


def _managed_user(uow: UnitOfWork, actor: Principal, user_id: int) -> User:
    u = _readable_user(uow, actor, user_id)
    if not actor.may_manage_user(user_place(u), uow.users.grants(u.id)):
        raise Forbidden(f"you may not change user {user_id}")
    return u


_SIMPLE = ("display_name", "email", "locale", "timezone", "is_active", "client_id")


def update_user(
    ctx: ServiceContext, actor: Principal, user_id: int, changes: dict[str, Any]
) -> User:
    with ctx.uow() as uow:
        u = _managed_user(uow, actor, user_id)
        before = user_view(u)
        if "group_id" in changes and changes["group_id"] != u.group_id:
            g = _target_group(uow, actor, changes["group_id"])
            if g.company_id != u.company_id:
                raise InvalidInput("a user cannot move to another company", field="group_id")
            u.group_id, u.group_path = g.id, g.path
        if "client_id" in changes:
            _check_client(uow, u.company_id, changes["client_id"])
        if changes.get("is_active") is False and u.id == actor.user_id:
            raise Conflict("you cannot disable your own account", field="is_active")
        for key in _SIMPLE:
            if key in changes:
                setattr(u, key, changes[key])
        uow.users.update(u)
        if "password" in changes:
            check_password_policy(changes["password"], u.username)
            uow.users.set_password(u.id, ctx.hasher.hash(changes["password"]), ctx.now())
            uow.sessions.delete_for_user(u.id)
        if u.is_active is False:
            uow.sessions.delete_for_user(u.id)
        after = user_view(u)
        if "password" in changes:
            after = {**after, "password_reset": True}
        record(
            uow, actor, "update", "user", u.id, user_place(u), before, after, ctx.now(),
            P.USERS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return u


def delete_user(ctx: ServiceContext, actor: Principal, user_id: int) -> None:
    if user_id == actor.user_id:
        raise Conflict("you cannot delete your own account", field="user_id")
    with ctx.uow() as uow:
        u = _managed_user(uow, actor, user_id)
        uow.users.delete(u.id)
        record(
            uow, actor, "delete", "user", u.id, user_place(u), user_view(u), None, ctx.now(),
            P.USERS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)


def list_grants(ctx: ServiceContext, actor: Principal, user_id: int) -> list[Grant]:
    with ctx.uow() as uow:
        u = _readable_user(uow, actor, user_id)
        return uow.users.grants(u.id)


def add_grant(ctx: ServiceContext, actor: Principal, user_id: int, req: GrantRequest) -> Grant:
    with ctx.uow() as uow:
        u = _readable_user(uow, actor, user_id)
        if not actor.can(P.ROLES_ASSIGN, user_place(u)):
            raise Forbidden(f"you may not assign roles to user {user_id}")
        grant = _grant(uow, ctx, actor, u, req)
        uow.commit()
    ctx.publish(uow)
    return grant


def remove_grant(ctx: ServiceContext, actor: Principal, user_id: int, grant_id: int) -> None:
    with ctx.uow() as uow:
        u = _readable_user(uow, actor, user_id)
        grant = uow.users.grant(grant_id)
        if grant is None or grant.user_id != u.id:
            raise NotFound(f"role grant {grant_id} not found")
        if not actor.may_grant(grant.role, Place(u.company_id, grant.group_path, u.client_id)):
            raise Forbidden(f"you may not remove the role {grant.role.value!r} from this user")
        uow.users.delete_grant(grant_id)
        record(
            uow, actor, "delete", "role_grant", grant_id, user_place(u), grant_view(grant), None,
            ctx.now(), P.USERS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)


# --- role definitions ---


def role_definitions(
    ctx: ServiceContext, actor: Principal, company_id: int
) -> dict[Role, frozenset[Permission]]:
    if not (actor.is_system_admin or actor.company_id == company_id):
        raise NotFound(f"company {company_id} not found")
    if not actor.has_anywhere(P.ROLES_ASSIGN):
        raise Forbidden("reading role definitions needs the roles.assign permission")
    with ctx.uow() as uow:
        if uow.companies.get(company_id) is None:
            raise NotFound(f"company {company_id} not found")
        return uow.roles.effective(company_id)


def set_role_definition(
    ctx: ServiceContext,
    actor: Principal,
    company_id: int,
    role: Role,
    permissions: frozenset[Permission] | None,
) -> frozenset[Permission]:
    """Change (or with None reset) what a role allows in one company, never beyond one's own."""
    if not (actor.is_system_admin or actor.company_id == company_id):
        raise NotFound(f"company {company_id} not found")
    with ctx.uow() as uow:
        root = uow.groups.root_of(company_id)
        if root is None:
            raise NotFound(f"company {company_id} not found")
        place = place_of(root)
        if not actor.can(P.ROLES_ASSIGN, place):
            raise Forbidden("only an admin of the whole company may redefine roles")
        if role is Role.SYSTEM_ADMIN:
            raise InvalidInput("the system admin role cannot be redefined", field="role")
        if permissions is not None:
            if P.COMPANIES_MANAGE in permissions:
                raise InvalidInput("companies.manage belongs to system admins only", "permissions")
            beyond = permissions - actor.permissions_at(place)
            if beyond:
                raise Forbidden(
                    "you cannot give a role permissions you do not hold: "
                    + ", ".join(sorted(p.value for p in beyond)),
                    field="permissions",
                )
        before = sorted(p.value for p in uow.roles.effective(company_id)[role])
        if permissions is None:
            uow.roles.reset(company_id, role)
        else:
            uow.roles.set(company_id, role, permissions, ctx.now())
        result = uow.roles.effective(company_id)[role]
        record(
            uow, actor, "update", "role_definition", role.value, place,
            {"permissions": before}, {"permissions": sorted(p.value for p in result)},
            ctx.now(), P.USERS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return result


def update_preferences(ctx: ServiceContext, actor: Principal, changes: dict[str, Any]) -> User:
    """A user's own display name, language and time zone: no admin permission needed."""
    allowed = {"display_name", "locale", "timezone"}
    with ctx.uow() as uow:
        u = uow.users.get(actor.user_id)
        if u is None:
            raise NotFound(f"user {actor.user_id} not found")
        before = user_view(u)
        for key, value in changes.items():
            if key in allowed:
                setattr(u, key, value)
        uow.users.update(u)
        record(
            uow, actor, "update", "user", u.id, user_place(u), before, user_view(u), ctx.now(),
            P.USERS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return u

"""Companies, groups and clients: the organisation a user sees and manages (ORG-1)."""

from __future__ import annotations

from typing import Any

from centralino.domain.access import Place, Principal
from centralino.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from centralino.domain.org import Company, Group, GroupKind, check_kind_under, check_move
from centralino.domain.roles import Permission
from centralino.services.audit import record
from centralino.services.context import ServiceContext
from centralino.store.repos.clients import ClientRow
from centralino.store.repos.page import Page
from centralino.store.uow import UnitOfWork

P = Permission


def place_of(group: Group) -> Place:
    return Place(group.company_id, group.path)


def company_view(c: Company) -> dict[str, Any]:
    return {"name": c.name, "timezone": c.timezone, "locale": c.locale, "is_active": c.is_active}


def group_view(g: Group) -> dict[str, Any]:
    return {"name": g.name, "kind": g.kind.value, "parent_id": g.parent_id, "path": g.path}


# --- companies ---


def list_companies(ctx: ServiceContext, actor: Principal, limit: int, offset: int) -> Page[Company]:
    with ctx.uow() as uow:
        only = None if actor.is_system_admin else actor.company_id
        return uow.companies.list(only, limit, offset)


def get_company(ctx: ServiceContext, actor: Principal, company_id: int) -> Company:
    with ctx.uow() as uow:
        c = uow.companies.get(company_id)
        if c is None or not (actor.is_system_admin or actor.company_id == company_id):
            raise NotFound(f"company {company_id} not found")
        return c


def _require_system_admin(actor: Principal) -> None:
    if not actor.can(P.COMPANIES_MANAGE, Place(0, "/")):
        raise Forbidden("only a system admin manages companies")


def create_company(
    ctx: ServiceContext, actor: Principal | None, name: str, timezone: str, locale: str
) -> tuple[Company, Group]:
    """A company and its root group; `actor` None is the command line (trusted)."""
    if actor is not None:
        _require_system_admin(actor)
    now = ctx.now()
    with ctx.uow() as uow:
        if uow.companies.by_name(name):
            raise Conflict(f"a company named {name!r} already exists", field="name")
        company = uow.companies.add(name, timezone, locale, now)
        root = uow.groups.add(company.id, None, name, GroupKind.COMPANY, now)
        record(
            uow, actor, "create", "company", company.id, place_of(root),
            None, company_view(company), now, P.GROUPS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return company, root


def update_company(
    ctx: ServiceContext, actor: Principal, company_id: int, changes: dict[str, Any]
) -> Company:
    _require_system_admin(actor)
    with ctx.uow() as uow:
        c = uow.companies.get(company_id)
        if c is None:
            raise NotFound(f"company {company_id} not found")
        before = company_view(c)
        if "name" in changes and changes["name"] != c.name:
            other = uow.companies.by_name(changes["name"])
            if other is not None:
                raise Conflict(f"a company named {changes['name']!r} already exists", field="name")
        for key, value in changes.items():
            setattr(c, key, value)
        uow.companies.update(c)
        root = uow.groups.root_of(c.id)
        if root is not None and "name" in changes:
            root.name = c.name
            uow.groups.rename(root)
        record(
            uow, actor, "update", "company", c.id, place_of(root) if root else None,
            before, company_view(c), ctx.now(), P.GROUPS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return c


def delete_company(ctx: ServiceContext, actor: Principal, company_id: int) -> None:
    _require_system_admin(actor)
    if company_id == actor.company_id:
        raise Conflict("you cannot delete the company you belong to", field="company_id")
    with ctx.uow() as uow:
        c = uow.companies.get(company_id)
        if c is None:
            raise NotFound(f"company {company_id} not found")
        uow.companies.delete(company_id)
        record(
            uow, actor, "delete", "company", company_id, None,
            company_view(c), None, ctx.now(), P.GROUPS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)


# --- groups ---


def _visible_group(
    uow: UnitOfWork, actor: Principal, group_id: int, field: str | None = None
) -> Group:
    g = uow.groups.get(group_id)
    if g is None or not (
        actor.can(P.GROUPS_READ, place_of(g)) or actor.can(P.USERS_READ, place_of(g))
    ):
        raise NotFound(f"group {group_id} not found", field=field)
    return g


def list_groups(
    ctx: ServiceContext,
    actor: Principal,
    limit: int,
    offset: int,
    within: int | None = None,
    parent_id: int | None = None,
    q: str | None = None,
) -> Page[Group]:
    if not actor.has_anywhere(P.GROUPS_READ):
        raise Forbidden("listing groups needs the groups.read permission")
    with ctx.uow() as uow:
        within_path = None
        if within is not None:
            within_path = _visible_group(uow, actor, within, "within").path
        return uow.groups.list(
            actor.visibility(P.GROUPS_READ), limit, offset, within_path, parent_id, q
        )


def get_group(ctx: ServiceContext, actor: Principal, group_id: int) -> Group:
    with ctx.uow() as uow:
        g = uow.groups.get(group_id)
        if g is None or not actor.can(P.GROUPS_READ, place_of(g)):
            raise NotFound(f"group {group_id} not found")
        return g


def _writable_group(uow: UnitOfWork, actor: Principal, group_id: int, field: str | None) -> Group:
    g = uow.groups.get(group_id)
    if g is None or not actor.can(P.GROUPS_READ, place_of(g)):
        raise NotFound(f"group {group_id} not found", field=field)
    if not actor.can(P.GROUPS_WRITE, place_of(g)):
        raise Forbidden(f"you may not change groups under group {group_id}", field=field)
    return g


def create_group(
    ctx: ServiceContext, actor: Principal, parent_id: int, name: str, kind: GroupKind
) -> Group:
    now = ctx.now()
    with ctx.uow() as uow:
        parent = _writable_group(uow, actor, parent_id, "parent_id")
        check_kind_under(kind, parent)
        if any(c.name == name for c in uow.groups.list_children(parent.id)):
            raise Conflict(f"group {parent.name!r} already has a group named {name!r}", "name")
        g = uow.groups.add(parent.company_id, parent, name, kind, now)
        record(
            uow, actor, "create", "group", g.id, place_of(g), None, group_view(g), now,
            P.GROUPS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return g


def update_group(
    ctx: ServiceContext, actor: Principal, group_id: int, changes: dict[str, Any]
) -> Group:
    now = ctx.now()
    with ctx.uow() as uow:
        g = _writable_group(uow, actor, group_id, None)
        before = group_view(g)
        if "kind" in changes:
            kind = GroupKind(changes["kind"])
            if (kind is GroupKind.COMPANY) != (g.parent_id is None):
                raise InvalidInput("only a company's root group has kind 'company'", field="kind")
            g.kind = kind
        new_parent = None
        if "parent_id" in changes and changes["parent_id"] != g.parent_id:
            if changes["parent_id"] is None:
                raise InvalidInput("a group needs a parent group", field="parent_id")
            new_parent = _writable_group(uow, actor, changes["parent_id"], "parent_id")
            check_move(g, new_parent)
        if "name" in changes:
            g.name = changes["name"]
        parent_id = new_parent.id if new_parent else g.parent_id
        if parent_id is not None and any(
            c.name == g.name and c.id != g.id for c in uow.groups.list_children(parent_id)
        ):
            raise Conflict(f"a sibling group is already named {g.name!r}", "name")
        uow.groups.rename(g)
        if new_parent is not None:
            g.path = uow.groups.move(g, new_parent)
            g.parent_id = new_parent.id
        record(
            uow, actor, "update", "group", g.id, place_of(g), before, group_view(g), now,
            P.GROUPS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return g


def delete_group(ctx: ServiceContext, actor: Principal, group_id: int) -> None:
    with ctx.uow() as uow:
        g = _writable_group(uow, actor, group_id, None)
        if g.parent_id is None:
            raise Conflict("a company's root group is deleted with the company", field="group_id")
        if uow.groups.has_children(g.id):
            raise Conflict(f"group {g.name!r} still has groups under it", field="group_id")
        if uow.groups.is_in_use(g.id):
            raise Conflict(
                f"group {g.name!r} still has users, role grants or clients", field="group_id"
            )
        uow.groups.delete(g.id)
        record(
            uow, actor, "delete", "group", g.id, place_of(g), group_view(g), None, ctx.now(),
            P.GROUPS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)


# --- clients ---


def client_place(c: ClientRow) -> Place:
    return Place(c.company_id, c.group_path, c.id)


def client_view(c: ClientRow) -> dict[str, Any]:
    return {"name": c.name, "group_id": c.group_id}


def list_clients(ctx: ServiceContext, actor: Principal, limit: int, offset: int) -> Page[ClientRow]:
    if not actor.has_anywhere(P.CLIENTS_READ) and actor.client_id is None:
        raise Forbidden("listing clients needs the clients.read permission")
    with ctx.uow() as uow:
        vis = actor.visibility(P.CLIENTS_READ)
        if actor.client_id is not None and not actor.has_anywhere(P.CLIENTS_READ):
            # A client user sees its own client record and nothing else.
            own = uow.clients.get(actor.client_id)
            return Page([own] if own else [], 1 if own else 0, limit, offset)
        return uow.clients.list(vis, limit, offset)


def _client_readable(actor: Principal, c: ClientRow) -> bool:
    return actor.can(P.CLIENTS_READ, client_place(c)) or actor.client_id == c.id


def get_client(ctx: ServiceContext, actor: Principal, client_id: int) -> ClientRow:
    with ctx.uow() as uow:
        c = uow.clients.get(client_id)
        if c is None or not _client_readable(actor, c):
            raise NotFound(f"client {client_id} not found")
        return c


def _writable_client_group(uow: UnitOfWork, actor: Principal, group_id: int) -> Group:
    g = uow.groups.get(group_id)
    if g is None or not (
        actor.can(P.CLIENTS_READ, place_of(g)) or actor.can(P.GROUPS_READ, place_of(g))
    ):
        raise NotFound(f"group {group_id} not found", field="group_id")
    if not actor.can(P.CLIENTS_WRITE, place_of(g)):
        raise Forbidden(f"you may not manage clients in group {group_id}", field="group_id")
    return g


def create_client(ctx: ServiceContext, actor: Principal, group_id: int, name: str) -> ClientRow:
    now = ctx.now()
    with ctx.uow() as uow:
        g = _writable_client_group(uow, actor, group_id)
        if uow.clients.by_name(g.company_id, name):
            raise Conflict(f"a client named {name!r} already exists", field="name")
        cid = uow.clients.add(g.company_id, g.id, name, now)
        c = uow.clients.get(cid)
        assert c is not None
        record(
            uow, actor, "create", "client", cid, client_place(c), None, client_view(c), now,
            P.CLIENTS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return c


def update_client(
    ctx: ServiceContext, actor: Principal, client_id: int, changes: dict[str, Any]
) -> ClientRow:
    with ctx.uow() as uow:
        c = uow.clients.get(client_id)
        if c is None or not _client_readable(actor, c):
            raise NotFound(f"client {client_id} not found")
        if not actor.can(P.CLIENTS_WRITE, client_place(c)):
            raise Forbidden(f"you may not change client {client_id}")
        before = client_view(c)
        name = changes.get("name", c.name)
        group_id = changes.get("group_id", c.group_id)
        if group_id != c.group_id:
            _writable_client_group(uow, actor, group_id)
        if name != c.name and uow.clients.by_name(c.company_id, name):
            raise Conflict(f"a client named {name!r} already exists", field="name")
        uow.clients.update(c.id, name, group_id)
        after = uow.clients.get(c.id)
        assert after is not None
        record(
            uow, actor, "update", "client", c.id, client_place(after), before, client_view(after),
            ctx.now(), P.CLIENTS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return after


def delete_client(ctx: ServiceContext, actor: Principal, client_id: int) -> None:
    with ctx.uow() as uow:
        c = uow.clients.get(client_id)
        if c is None or not _client_readable(actor, c):
            raise NotFound(f"client {client_id} not found")
        if not actor.can(P.CLIENTS_WRITE, client_place(c)):
            raise Forbidden(f"you may not delete client {client_id}")
        if uow.clients.in_use(c.id):
            raise Conflict(f"client {c.name!r} still has users", field="client_id")
        uow.clients.delete(c.id)
        record(
            uow, actor, "delete", "client", c.id, client_place(c), client_view(c), None,
            ctx.now(), P.CLIENTS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)

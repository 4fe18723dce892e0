"""Inbound services (IN-1, IN-2): numbers, opening hours, IVR menus, screen pop.

The rules come from `ServiceConfig`. A service belongs to a group (services.read to see
it, services.write to change it) and may serve a client, whose users then see it. Its
numbers are stored as E.164 (in the service's region, by default the company's) and
each belongs to one service of the company. Every queue it can send a caller to must
exist in the company and be visible to the caller.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from centralino.domain.access import Place, Principal
from centralino.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from centralino.domain.inbound.services import ActionKind, ServiceConfig
from centralino.domain.roles import Permission
from centralino.imports.phones import PhoneError, PhoneNormalizer
from centralino.services.audit import record
from centralino.services.context import ServiceContext
from centralino.services.dnc import company_region
from centralino.services.inbound_config import owner_group, parse
from centralino.services.queues import queue_place
from centralino.store.repos.inbound_services import ServiceRow
from centralino.store.repos.page import Page
from centralino.store.uow import UnitOfWork

P = Permission
MAX_NUMBERS = 100


def service_place(s: ServiceRow) -> Place:
    return Place(s.company_id, s.group_path, s.client_id)


def service_view(s: ServiceRow) -> dict[str, Any]:
    return {"name": s.name, "group_id": s.group_id, "client_id": s.client_id, **s.config.as_json()}


def readable_service(uow: UnitOfWork, actor: Principal, service_id: int) -> ServiceRow:
    s = uow.services.get(service_id)
    if s is None or not actor.can(P.SERVICES_READ, service_place(s)):
        raise NotFound(f"service {service_id} not found")
    return s


def writable_service(uow: UnitOfWork, actor: Principal, service_id: int) -> ServiceRow:
    s = readable_service(uow, actor, service_id)
    if not actor.can(P.SERVICES_WRITE, service_place(s)):
        raise Forbidden(f"you may not change service {service_id}")
    return s


def normalise_numbers(numbers: list[str], region: str) -> list[str]:
    """E.164 of each number; a bad one or a repeated one names its position."""
    try:
        normaliser = PhoneNormalizer(region)
    except ValueError:
        raise InvalidInput(f"unknown region {region!r}", "region") from None
    out: list[str] = []
    for i, raw in enumerate(numbers):
        try:
            phone = normaliser.normalise(raw)
        except PhoneError as exc:
            raise InvalidInput(f"{raw!r}: {exc.reason}", f"numbers.{i}") from None
        if phone.extension:
            raise InvalidInput(f"{raw!r}: a service number has no extension", f"numbers.{i}")
        if phone.e164 in out:
            raise InvalidInput(f"{raw!r} is {phone.e164}, listed twice", f"numbers.{i}")
        out.append(phone.e164)
    return out


def _queue_fields(c: ServiceConfig) -> list[tuple[str, str]]:
    """(queue name, body field) of every queue the service can send a caller to."""
    found = [(c.queue, "queue")] if c.queue else []
    for m in c.menus.values():
        for key, a in (*sorted(m.options.items()), ("default", m.default)):
            if a is not None and a.kind in (ActionKind.QUEUE, ActionKind.OPERATOR):
                where = "default" if key == "default" else f"options.{key}"
                found.append((a.target, f"menus.{m.name}.{where}"))
    return found


def _check(
    uow: UnitOfWork, actor: Principal, company_id: int, c: ServiceConfig, service_id: int | None
) -> None:
    names = [n for n, _ in _queue_fields(c)]
    known = uow.queues.by_names(company_id, names)
    for name, field in _queue_fields(c):
        q = known.get(name)
        if q is None or not actor.can(P.SERVICES_READ, queue_place(q)):
            raise InvalidInput(f"{field}: no queue named {name!r}", field)
    taken = uow.services.numbers_taken(company_id, c.numbers, but=service_id)
    if taken:
        n, other = next(iter(sorted(taken.items())))
        raise Conflict(f"{n} already belongs to service {other!r}", field="numbers")


def _client_ok(uow: UnitOfWork, company_id: int, client_id: int | None) -> None:
    if client_id is None:
        return
    cl = uow.clients.get(client_id)
    if cl is None or cl.company_id != company_id:
        raise InvalidInput(f"no client {client_id} in this company", field="client_id")


def _region(uow: UnitOfWork, company_id: int, region: str | None) -> str:
    if region:
        return region.upper()
    company = uow.companies.get(company_id)
    assert company is not None
    return company_region(company)


def config_from(name: str, numbers: list[str], settings: dict[str, Any]) -> ServiceConfig:
    data = {**settings, "numbers": numbers}
    return parse(lambda: ServiceConfig.from_json(name, data), "service")


def list_services(
    ctx: ServiceContext, actor: Principal, limit: int, offset: int
) -> Page[ServiceRow]:
    if not actor.has_anywhere(P.SERVICES_READ):
        raise Forbidden("listing services needs the services.read permission")
    with ctx.uow() as uow:
        return uow.services.list(actor.visibility(P.SERVICES_READ), limit, offset)


def get_service(ctx: ServiceContext, actor: Principal, service_id: int) -> ServiceRow:
    with ctx.uow() as uow:
        return readable_service(uow, actor, service_id)


def create_service(ctx: ServiceContext, actor: Principal, data: dict[str, Any]) -> ServiceRow:
    """`data`: name, group_id, client_id, numbers, region and ServiceConfig's settings."""
    now = ctx.now()
    data = dict(data)
    name, group_id = data.pop("name"), data.pop("group_id")
    client_id, region = data.pop("client_id", None), data.pop("region", None)
    raw_numbers = data.pop("numbers", None) or []
    with ctx.uow() as uow:
        g = owner_group(uow, actor, group_id, "services")
        numbers = normalise_numbers(raw_numbers, _region(uow, g.company_id, region))
        config = config_from(name, numbers, data)
        if uow.services.by_name(g.company_id, name):
            raise Conflict(f"a service named {name!r} already exists", field="name")
        _client_ok(uow, g.company_id, client_id)
        _check(uow, actor, g.company_id, config, None)
        sid = uow.services.add(g.company_id, g.id, client_id, config, now)
        s = ServiceRow(sid, g.company_id, g.id, g.path, client_id, config, now, now)
        record(
            uow, actor, "create", "service", sid, service_place(s), None, service_view(s), now,
            P.SERVICES_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return s


def update_service(
    ctx: ServiceContext, actor: Principal, service_id: int, changes: dict[str, Any]
) -> ServiceRow:
    now = ctx.now()
    changes = dict(changes)
    with ctx.uow() as uow:
        s = writable_service(uow, actor, service_id)
        before = service_view(s)
        name = changes.pop("name", s.name)
        group_id = changes.pop("group_id", s.group_id)
        client_id = changes.pop("client_id", s.client_id)
        region = changes.pop("region", None)
        numbers = list(s.config.numbers)
        if "numbers" in changes:
            numbers = normalise_numbers(changes.pop("numbers"), _region(uow, s.company_id, region))
        settings = {**s.config.as_json(), **changes}
        config = config_from(name, numbers, settings)
        if name != s.name and uow.services.by_name(s.company_id, name):
            raise Conflict(f"a service named {name!r} already exists", field="name")
        if client_id != s.client_id:
            _client_ok(uow, s.company_id, client_id)
        if group_id != s.group_id:
            g = owner_group(uow, actor, group_id, "services", s.company_id)
            s = replace(s, group_id=g.id, group_path=g.path)
        _check(uow, actor, s.company_id, config, s.id)
        s = replace(s, client_id=client_id, config=config, updated_at=now)
        uow.services.update(s, now)
        record(
            uow, actor, "update", "service", s.id, service_place(s), before, service_view(s),
            now, P.SERVICES_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return s


def delete_service(ctx: ServiceContext, actor: Principal, service_id: int) -> None:
    with ctx.uow() as uow:
        s = writable_service(uow, actor, service_id)
        uow.services.delete(s.id)
        record(
            uow, actor, "delete", "service", s.id, service_place(s), service_view(s), None,
            ctx.now(), P.SERVICES_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)

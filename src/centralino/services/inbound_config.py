"""Shared helpers of the inbound configuration services: domain errors with the body's
field names, and owner groups checked like the outbound features check them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from centralino.domain.access import Principal
from centralino.domain.errors import Forbidden, InvalidInput, NotFound
from centralino.domain.org import Group
from centralino.domain.roles import Permission
from centralino.services.org import place_of
from centralino.store.uow import UnitOfWork

P = Permission
T = TypeVar("T")


def body_field(field: str | None, where: str) -> str:
    """A domain error's field relative to the request body: `service.menus.main.options.1`
    (the domain's path) becomes `menus.main.options.1`; the object itself becomes `body`."""
    if not field or field == where:
        return "body"
    if field.startswith(where + "."):
        return field[len(where) + 1 :]
    return field


def parse(build: Callable[[], T], where: str) -> T:
    """Run a domain constructor, naming the body's field in its error."""
    try:
        return build()
    except InvalidInput as exc:
        raise InvalidInput(exc.message, body_field(exc.field, where)) from None


def owner_group(
    uow: UnitOfWork, actor: Principal, group_id: int, what: str, company_id: int | None = None
) -> Group:
    """The group that will own a queue or service: visible (else 404) and where the
    caller holds services.write (else 403), in `company_id` when given."""
    g = uow.groups.get(group_id)
    if (
        g is None
        or (company_id is not None and g.company_id != company_id)
        or not (actor.can(P.GROUPS_READ, place_of(g)) or actor.can(P.SERVICES_READ, place_of(g)))
    ):
        raise NotFound(f"group {group_id} not found", field="group_id")
    if not actor.can(P.SERVICES_WRITE, place_of(g)):
        raise Forbidden(f"you may not create {what} in group {g.id}", field="group_id")
    return g

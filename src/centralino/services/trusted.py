"""The principal of trusted local work (the command line, the server's own checks): a
supervisor of a company's root group, so it reads every group of that company and
nothing of another."""

from __future__ import annotations

from centralino.domain.access import Principal
from centralino.domain.errors import NotFound
from centralino.domain.roles import Role
from centralino.domain.users import Grant
from centralino.services.context import ServiceContext


def company_supervisor(ctx: ServiceContext, company: str | int, name: str) -> Principal:
    """`company` is an id or a name; `name` says who acts (shown in audit rows)."""
    with ctx.uow() as uow:
        key = str(company)
        c = uow.companies.get(int(key)) if key.isdigit() else None
        c = c or uow.companies.by_name(key)
        root = uow.groups.root_of(c.id) if c else None
    if c is None or root is None:
        raise NotFound(f"no company with the id or name {company!r}", "company")
    grant = Grant(0, 0, Role.SUPERVISOR, root.id, root.path)
    return Principal(0, name, c.id, root.id, root.path, None, (grant,))

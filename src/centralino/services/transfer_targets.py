"""Whom an operator may transfer a call to (IN-5): colleagues and queues.

An operator sees the operators of the groups where they handle calls; operators
holding `calls.all_queues` (the operator-supervisor role) see, and are seen by, every
operator and every queue of the company, so a call can always reach them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from centralino.domain.access import Principal, Visibility
from centralino.domain.errors import Forbidden, NotFound
from centralino.domain.org import is_within
from centralino.domain.roles import Permission, Role
from centralino.services.context import ServiceContext

P = Permission
MAX_TARGETS = 2000
PresenceOf = Callable[[int], str | None]  # user id -> live state, None when unknown


@dataclass(slots=True, frozen=True)
class Colleague:
    user_id: int
    username: str
    display_name: str
    group_name: str
    operator_supervisor: bool
    state: str | None  # the live state (logged_out, ready, ...), None without a live engine


@dataclass(slots=True, frozen=True)
class TransferTargets:
    operators: list[Colleague]
    queues: list[str]


def transfer_targets(
    ctx: ServiceContext, actor: Principal, presence: PresenceOf | None = None
) -> TransferTargets:
    if not actor.has_anywhere(P.CALLS_HANDLE):
        raise Forbidden("transfers need the calls.handle permission")
    with ctx.uow() as uow:
        root = uow.groups.root_of(actor.company_id)
        if root is None:
            raise NotFound(f"company {actor.company_id} not found")
        everywhere = actor.has_anywhere(P.CALLS_ALL_QUEUES)
        company = Visibility(False, actor.company_id, (root.path,))
        vis = company if everywhere else actor.visibility(P.CALLS_HANDLE)
        found = {
            u.id: (u, False) for u in uow.users.list(vis, MAX_TARGETS, 0, role=Role.OPERATOR).items
        }
        for u in uow.users.list(company, MAX_TARGETS, 0, role=Role.OPERATOR_SUPERVISOR).items:
            found[u.id] = (u, True)  # seen by everyone in the company
        names = {g.id: g.name for g in uow.groups.subtree(root.path)}
        queues = [
            q.name
            for q in uow.queues.of_company(actor.company_id)
            if everywhere or any(is_within(q.group_path, p) for p in vis.paths)
        ]
    operators = [
        Colleague(
            u.id, u.username, u.display_name, names.get(u.group_id, ""), sup,
            presence(u.id) if presence else None,
        )
        for u, sup in sorted(found.values(), key=lambda x: x[0].username)
        if u.id != actor.user_id and u.is_active
    ]  # fmt: skip
    return TransferTargets(operators, sorted(queues))

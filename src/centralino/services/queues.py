"""Inbound queues (IN-3): rules from `QueueConfig`, operators in tiers.

A queue belongs to a group; reading it needs services.read there, changing it
services.write. Its members are users of the same company in groups where the
caller holds services.write, so a partner center's operators can sit in a parent's
queue when the caller administers both. Services name queues by name, so a queue
in use is neither renamed nor deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from centralino.domain.access import Place, Principal
from centralino.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from centralino.domain.inbound.queues import Membership, OverflowKind, QueueConfig
from centralino.domain.roles import Permission
from centralino.services.audit import record
from centralino.services.context import ServiceContext
from centralino.services.inbound_config import owner_group, parse
from centralino.store.repos.page import Page
from centralino.store.repos.queues import MemberRow, QueueRow
from centralino.store.uow import UnitOfWork

P = Permission


def queue_place(q: QueueRow) -> Place:
    return Place(q.company_id, q.group_path)


def queue_view(q: QueueRow) -> dict[str, Any]:
    return {"name": q.name, "group_id": q.group_id, **q.config.as_json()}


def config_from(name: str, settings: dict[str, Any]) -> QueueConfig:
    return parse(lambda: QueueConfig.from_json(name, settings), "queue")


def readable_queue(uow: UnitOfWork, actor: Principal, queue_id: int) -> QueueRow:
    q = uow.queues.get(queue_id)
    if q is None or not actor.can(P.SERVICES_READ, queue_place(q)):
        raise NotFound(f"queue {queue_id} not found")
    return q


def writable_queue(uow: UnitOfWork, actor: Principal, queue_id: int) -> QueueRow:
    q = readable_queue(uow, actor, queue_id)
    if not actor.can(P.SERVICES_WRITE, queue_place(q)):
        raise Forbidden(f"you may not change queue {queue_id}")
    return q


def _check_overflow(uow: UnitOfWork, actor: Principal, company_id: int, c: QueueConfig) -> None:
    if c.overflow.kind is not OverflowKind.QUEUE:
        return
    target = uow.queues.by_name(company_id, c.overflow.target)
    if target is None or not actor.can(P.SERVICES_READ, queue_place(target)):
        raise InvalidInput(f"overflow: no queue named {c.overflow.target!r}", "overflow")


def users_of_queue(uow: UnitOfWork, company_id: int, name: str) -> list[str]:
    """What refers to the queue by name: services and other queues' overflows."""
    found = [
        f"service {s.name!r}"
        for s in uow.services.of_company(company_id)
        if name in s.config.queues()
    ]
    found += [
        f"queue {q.name!r} (overflow)"
        for q in uow.queues.of_company(company_id)
        if q.config.overflow.kind is OverflowKind.QUEUE and q.config.overflow.target == name
    ]
    return found


def list_queues(ctx: ServiceContext, actor: Principal, limit: int, offset: int) -> Page[QueueRow]:
    if not actor.has_anywhere(P.SERVICES_READ):
        raise Forbidden("listing queues needs the services.read permission")
    with ctx.uow() as uow:
        return uow.queues.list(actor.visibility(P.SERVICES_READ), limit, offset)


def members_of(ctx: ServiceContext, queue_ids: Sequence[int]) -> dict[int, list[MemberRow]]:
    with ctx.uow() as uow:
        return uow.queues.members(queue_ids)


def get_queue(
    ctx: ServiceContext, actor: Principal, queue_id: int
) -> tuple[QueueRow, list[MemberRow]]:
    with ctx.uow() as uow:
        q = readable_queue(uow, actor, queue_id)
        return q, uow.queues.members([q.id])[q.id]


def create_queue(
    ctx: ServiceContext, actor: Principal, name: str, group_id: int, settings: dict[str, Any]
) -> QueueRow:
    now = ctx.now()
    with ctx.uow() as uow:
        g = owner_group(uow, actor, group_id, "queues")
        config = config_from(name, settings)
        if uow.queues.by_name(g.company_id, name):
            raise Conflict(f"a queue named {name!r} already exists", field="name")
        _check_overflow(uow, actor, g.company_id, config)
        qid = uow.queues.add(g.company_id, g.id, config, now)
        q = QueueRow(qid, g.company_id, g.id, g.path, config, now, now)
        record(
            uow, actor, "create", "queue", qid, queue_place(q), None, queue_view(q), now,
            P.SERVICES_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return q


def update_queue(
    ctx: ServiceContext, actor: Principal, queue_id: int, changes: dict[str, Any]
) -> QueueRow:
    now = ctx.now()
    with ctx.uow() as uow:
        q = writable_queue(uow, actor, queue_id)
        before = queue_view(q)
        name = changes.pop("name", q.name)
        group_id = changes.pop("group_id", q.group_id)
        config = config_from(name, {**q.config.as_json(), **changes})
        if name != q.name:
            if uow.queues.by_name(q.company_id, name):
                raise Conflict(f"a queue named {name!r} already exists", field="name")
            used = users_of_queue(uow, q.company_id, q.name)
            if used:
                raise Conflict(
                    f"queue {q.name!r} is used by {', '.join(used)}; change them first",
                    field="name",
                )
        if group_id != q.group_id:
            g = owner_group(uow, actor, group_id, "queues", q.company_id)
            q = replace(q, group_id=g.id, group_path=g.path)
        _check_overflow(uow, actor, q.company_id, config)
        q = replace(q, config=config, updated_at=now)
        uow.queues.update(q, now)
        record(
            uow, actor, "update", "queue", q.id, queue_place(q), before, queue_view(q), now,
            P.SERVICES_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return q


def delete_queue(ctx: ServiceContext, actor: Principal, queue_id: int) -> None:
    with ctx.uow() as uow:
        q = writable_queue(uow, actor, queue_id)
        used = users_of_queue(uow, q.company_id, q.name)
        if used:
            raise Conflict(f"queue {q.name!r} is used by {', '.join(used)}; change them first")
        uow.queues.delete(q.id)
        record(
            uow, actor, "delete", "queue", q.id, queue_place(q), queue_view(q), None, ctx.now(),
            P.SERVICES_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)


def set_members(
    ctx: ServiceContext, actor: Principal, queue_id: int, members: Sequence[tuple[int, int]]
) -> list[MemberRow]:
    """Replace the queue's operators: (user_id, tier) pairs, tier 0 the highest."""
    with ctx.uow() as uow:
        q = writable_queue(uow, actor, queue_id)
        perms = uow.roles.effective(q.company_id)
        seen: set[int] = set()
        for i, (uid, tier) in enumerate(members):
            field = f"members.{i}"
            if uid in seen:
                raise InvalidInput(f"user {uid} is listed twice", f"{field}.user_id")
            seen.add(uid)
            u = uow.users.get(uid)
            place = Place(u.company_id, u.group_path) if u else None
            if (
                u is None
                or place is None
                or u.company_id != q.company_id
                or not (actor.can(P.USERS_READ, place) or actor.can(P.SERVICES_READ, place))
            ):
                raise NotFound(f"user {uid} not found", field=f"{field}.user_id")
            if not actor.can(P.SERVICES_WRITE, place):
                raise Forbidden(
                    f"you may not put user {u.username!r} in queues: their group is not yours",
                    field=f"{field}.user_id",
                )
            if not any(P.CALLS_HANDLE in perms.get(g.role, ()) for g in uow.users.grants(uid)):
                raise InvalidInput(
                    f"user {u.username!r} does not handle calls (no operator role)",
                    f"{field}.user_id",
                )
            try:
                Membership(u.username, q.name, tier)
            except InvalidInput as exc:
                raise InvalidInput(exc.message, f"{field}.tier") from None
        before = [(m.user_id, m.tier) for m in uow.queues.members([q.id])[q.id]]
        uow.queues.set_members(q.id, list(members))
        found = uow.queues.members([q.id])[q.id]
        record(
            uow, actor, "update", "queue_members", q.id, queue_place(q),
            {"members": before}, {"members": [(m.user_id, m.tier) for m in found]}, ctx.now(),
            P.SERVICES_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return found

"""Pause reasons of a company (IN-4).

They are company-wide: anyone of the company holding services.read or calls.handle reads
them (operators pick one when they pause); changing them needs services.write on the
company's root group. A company that has none gets `DEFAULT_REASONS` stored on the first
read of its list (the engine meanwhile uses the defaults); `missed_calls`, the reason the
engine gives when an operator misses offers, exists whether stored or not.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from centralino.domain.access import Place, Principal
from centralino.domain.errors import Conflict, Forbidden, NotFound
from centralino.domain.inbound.pauses import DEFAULT_REASONS, PauseReason
from centralino.domain.roles import Permission
from centralino.services.audit import record
from centralino.services.context import ServiceContext
from centralino.services.inbound_config import parse
from centralino.store.repos.page import Page
from centralino.store.repos.pauses import PauseReasonRow
from centralino.store.uow import UnitOfWork

P = Permission


def may_read(actor: Principal, company_id: int) -> bool:
    if actor.is_system_admin:
        return True
    return company_id == actor.company_id and (
        actor.has_anywhere(P.SERVICES_READ) or actor.has_anywhere(P.CALLS_HANDLE)
    )


def _root(uow: UnitOfWork, actor: Principal, company_id: int | None) -> Place:
    """The company's root (where changes are allowed), if the caller may read its reasons."""
    cid = actor.company_id if company_id is None else company_id
    root = uow.groups.root_of(cid)
    if root is None or not may_read(actor, cid):
        raise NotFound(f"company {cid} not found", field="company_id")
    return Place(cid, root.path)


def _writable_root(uow: UnitOfWork, actor: Principal, company_id: int | None) -> Place:
    place = _root(uow, actor, company_id)
    if not actor.can(P.SERVICES_WRITE, place):
        raise Forbidden("pause reasons are changed with services.write on the company's root")
    return place


def ensure_defaults(uow: UnitOfWork, company_id: int) -> None:
    if not uow.pause_reasons.any(company_id):
        uow.pause_reasons.seed(company_id, DEFAULT_REASONS)


def reason_view(r: PauseReasonRow) -> dict[str, Any]:
    return {"company_id": r.company_id, **r.reason.as_json()}


def _readable(uow: UnitOfWork, actor: Principal, reason_id: int) -> PauseReasonRow:
    r = uow.pause_reasons.get(reason_id)
    if r is None or not may_read(actor, r.company_id):
        raise NotFound(f"pause reason {reason_id} not found")
    return r


def list_reasons(
    ctx: ServiceContext, actor: Principal, limit: int, offset: int, company_id: int | None = None
) -> Page[PauseReasonRow]:
    if not (actor.has_anywhere(P.SERVICES_READ) or actor.has_anywhere(P.CALLS_HANDLE)):
        raise Forbidden("listing pause reasons needs services.read or calls.handle")
    with ctx.uow() as uow:
        place = _root(uow, actor, company_id)
        ensure_defaults(uow, place.company_id)
        page = uow.pause_reasons.list(place.company_id, limit, offset)
        uow.commit()
    return page


def get_reason(ctx: ServiceContext, actor: Principal, reason_id: int) -> PauseReasonRow:
    with ctx.uow() as uow:
        return _readable(uow, actor, reason_id)


def create_reason(
    ctx: ServiceContext, actor: Principal, data: dict[str, Any], company_id: int | None = None
) -> PauseReasonRow:
    with ctx.uow() as uow:
        place = _writable_root(uow, actor, company_id)
        reason = parse(lambda: PauseReason.from_json(data), "pause_reason")
        ensure_defaults(uow, place.company_id)
        if uow.pause_reasons.by_code(place.company_id, reason.code):
            raise Conflict(f"a pause reason {reason.code!r} already exists", field="code")
        row = PauseReasonRow(
            uow.pause_reasons.add(place.company_id, reason), place.company_id, reason
        )
        record(
            uow, actor, "create", "pause_reason", row.id, place, None, reason_view(row),
            ctx.now(), P.SERVICES_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return row


def update_reason(
    ctx: ServiceContext, actor: Principal, reason_id: int, changes: dict[str, Any]
) -> PauseReasonRow:
    with ctx.uow() as uow:
        row = _readable(uow, actor, reason_id)
        place = _writable_root(uow, actor, row.company_id)
        data = {**row.reason.as_json(), **changes}
        new = replace(row, reason=parse(lambda: PauseReason.from_json(data), "pause_reason"))
        uow.pause_reasons.update(row.id, new.reason)
        record(
            uow, actor, "update", "pause_reason", row.id, place, reason_view(row),
            reason_view(new), ctx.now(), P.SERVICES_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return new


def delete_reason(ctx: ServiceContext, actor: Principal, reason_id: int) -> None:
    with ctx.uow() as uow:
        row = _readable(uow, actor, reason_id)
        place = _writable_root(uow, actor, row.company_id)
        uow.pause_reasons.delete(row.id)
        record(
            uow, actor, "delete", "pause_reason", row.id, place, reason_view(row), None,
            ctx.now(), P.SERVICES_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)

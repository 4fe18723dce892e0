"""Record every create, update and delete with who, when, what, before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from centralino.domain.access import Place, Principal
from centralino.domain.errors import Forbidden
from centralino.domain.events import Event
from centralino.domain.roles import Permission
from centralino.services.context import ServiceContext
from centralino.store.repos.audit import AuditEntry
from centralino.store.repos.page import Page
from centralino.store.uow import UnitOfWork

_PAST = {"create": "created", "update": "updated", "delete": "deleted"}


def record(
    uow: UnitOfWork,
    actor: Principal | None,
    action: str,
    entity: str,
    entity_id: int | str,
    place: Place | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    now: datetime,
    read_permission: Permission,
) -> None:
    """Write the audit row in the caller's transaction and queue the matching bus event."""
    uow.audit.add(
        AuditEntry(
            id=0,
            company_id=place.company_id if place else None,
            group_path=place.group_path if place else None,
            actor_id=actor.user_id if actor else None,
            actor_name=actor.username if actor else "system",
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=before,
            after=after,
            at=now,
        )
    )
    uow.events.append(
        Event(
            kind=f"{entity}.{_PAST[action]}",
            at=now,
            place=place,
            permission=read_permission,
            payload={"id": entity_id, "after": after, "by": actor.username if actor else "system"},
        )
    )


def list_entries(
    ctx: ServiceContext,
    actor: Principal,
    limit: int,
    offset: int,
    entity: str | None = None,
    entity_id: str | None = None,
) -> Page[AuditEntry]:
    if not actor.has_anywhere(Permission.AUDIT_READ):
        raise Forbidden("reading the audit log needs the audit.read permission")
    with ctx.uow() as uow:
        return uow.audit.list(
            actor.visibility(Permission.AUDIT_READ), limit, offset, entity, entity_id
        )

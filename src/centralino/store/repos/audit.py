"""The audit log: one row per create, update and delete, written in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from centralino.domain.access import Visibility
from centralino.store.repos.page import Page, fetch_page
from centralino.store.repos.scope import visible
from centralino.store.tables import audit_log


@dataclass(slots=True)
class AuditEntry:
    id: int
    company_id: int | None
    group_path: str | None
    actor_id: int | None
    actor_name: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime


class AuditRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, entry: AuditEntry) -> None:
        self.conn.execute(
            insert(audit_log).values(
                company_id=entry.company_id,
                group_path=entry.group_path,
                actor_id=entry.actor_id,
                actor_name=entry.actor_name,
                action=entry.action,
                entity=entry.entity,
                entity_id=entry.entity_id,
                before=entry.before,
                after=entry.after,
                at=entry.at,
            )
        )

    def list(
        self,
        vis: Visibility,
        limit: int,
        offset: int,
        entity: str | None = None,
        entity_id: str | None = None,
    ) -> Page[AuditEntry]:
        q = select(audit_log).where(visible(vis, audit_log.c.company_id, audit_log.c.group_path))
        if entity:
            q = q.where(audit_log.c.entity == entity)
        if entity_id:
            q = q.where(audit_log.c.entity_id == entity_id)
        q = q.order_by(audit_log.c.id.desc())
        rows, total = fetch_page(self.conn, q, limit, offset)
        items = [
            AuditEntry(
                r.id,
                r.company_id,
                r.group_path,
                r.actor_id,
                r.actor_name,
                r.action,
                r.entity,
                r.entity_id,
                r.before,
                r.after,
                r.at,
            )
            for r in rows
        ]
        return Page(items, total, limit, offset)

"""Per-company overrides of the role permission sets (ORG-2: roles are configurable)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from centralino.domain.roles import DEFAULT_PERMISSIONS, Permission, Role
from centralino.store.tables import role_definitions


class RoleDefinitionRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def effective(self, company_id: int) -> dict[Role, frozenset[Permission]]:
        result = dict(DEFAULT_PERMISSIONS)
        rows = self.conn.execute(
            select(role_definitions).where(role_definitions.c.company_id == company_id)
        ).all()
        for r in rows:
            result[Role(r.role)] = frozenset(
                Permission(p) for p in r.permissions if p in Permission.__members__.values()
            )
        return result

    def set(self, company_id: int, role: Role, perms: frozenset[Permission], now: datetime) -> None:
        values = {"permissions": sorted(p.value for p in perms), "updated_at": now}
        done = self.conn.execute(
            update(role_definitions)
            .where(
                role_definitions.c.company_id == company_id, role_definitions.c.role == role.value
            )
            .values(**values)
        ).rowcount
        if not done:
            self.conn.execute(
                insert(role_definitions).values(company_id=company_id, role=role.value, **values)
            )

    def reset(self, company_id: int, role: Role) -> None:
        self.conn.execute(
            delete(role_definitions).where(
                role_definitions.c.company_id == company_id, role_definitions.c.role == role.value
            )
        )

"""Companies, groups and clients in the database."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, literal, select, update
from sqlalchemy import delete as sql_delete

from centralino.domain.access import Visibility
from centralino.domain.org import Company, Group, GroupKind, child_path, root_path
from centralino.store.repos.page import Page, fetch_page
from centralino.store.repos.scope import subtree, visible
from centralino.store.tables import clients, companies, groups, role_grants, users


def _company(row: Any) -> Company:
    return Company(
        id=row.id,
        name=row.name,
        timezone=row.timezone,
        locale=row.locale,
        created_at=row.created_at,
        is_active=row.is_active,
    )


def _group(row: Any) -> Group:
    return Group(
        id=row.id,
        company_id=row.company_id,
        parent_id=row.parent_id,
        name=row.name,
        kind=GroupKind(row.kind),
        path=row.path,
        created_at=row.created_at,
    )


class CompanyRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, name: str, timezone: str, locale: str, now: datetime) -> Company:
        cid = self.conn.execute(
            insert(companies)
            .values(name=name, timezone=timezone, locale=locale, is_active=True, created_at=now)
            .returning(companies.c.id)
        ).scalar_one()
        return Company(id=cid, name=name, timezone=timezone, locale=locale, created_at=now)

    def get(self, company_id: int) -> Company | None:
        row = self.conn.execute(select(companies).where(companies.c.id == company_id)).first()
        return _company(row) if row else None

    def by_name(self, name: str) -> Company | None:
        row = self.conn.execute(select(companies).where(companies.c.name == name)).first()
        return _company(row) if row else None

    def list(self, only_id: int | None, limit: int, offset: int) -> Page[Company]:
        q = select(companies).order_by(companies.c.id)
        if only_id is not None:
            q = q.where(companies.c.id == only_id)
        rows, total = fetch_page(self.conn, q, limit, offset)
        return Page([_company(r) for r in rows], total, limit, offset)

    def update(self, company: Company) -> None:
        self.conn.execute(
            update(companies)
            .where(companies.c.id == company.id)
            .values(
                name=company.name,
                timezone=company.timezone,
                locale=company.locale,
                is_active=company.is_active,
            )
        )

    def delete(self, company_id: int) -> None:
        # Children first: grants and users reference groups, groups reference each other.
        group_ids = select(groups.c.id).where(groups.c.company_id == company_id)
        self.conn.execute(sql_delete(role_grants).where(role_grants.c.group_id.in_(group_ids)))
        self.conn.execute(sql_delete(users).where(users.c.company_id == company_id))
        self.conn.execute(sql_delete(clients).where(clients.c.company_id == company_id))
        self.conn.execute(
            update(groups).where(groups.c.company_id == company_id).values(parent_id=None)
        )
        self.conn.execute(sql_delete(groups).where(groups.c.company_id == company_id))
        self.conn.execute(sql_delete(companies).where(companies.c.id == company_id))


class GroupRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(
        self, company_id: int, parent: Group | None, name: str, kind: GroupKind, now: datetime
    ) -> Group:
        placeholder = f"/new-{uuid.uuid4().hex}/"
        gid = self.conn.execute(
            insert(groups)
            .values(
                company_id=company_id,
                parent_id=parent.id if parent else None,
                name=name,
                kind=kind.value,
                path=placeholder,
                created_at=now,
            )
            .returning(groups.c.id)
        ).scalar_one()
        path = child_path(parent.path, gid) if parent else root_path(gid)
        self.conn.execute(update(groups).where(groups.c.id == gid).values(path=path))
        return Group(
            id=gid,
            company_id=company_id,
            parent_id=parent.id if parent else None,
            name=name,
            kind=kind,
            path=path,
            created_at=now,
        )

    def get(self, group_id: int) -> Group | None:
        row = self.conn.execute(select(groups).where(groups.c.id == group_id)).first()
        return _group(row) if row else None

    def root_of(self, company_id: int) -> Group | None:
        row = self.conn.execute(
            select(groups).where(groups.c.company_id == company_id, groups.c.parent_id.is_(None))
        ).first()
        return _group(row) if row else None

    def by_path(self, path: str) -> Group | None:
        row = self.conn.execute(select(groups).where(groups.c.path == path)).first()
        return _group(row) if row else None

    def list(
        self,
        vis: Visibility,
        limit: int,
        offset: int,
        within: str | None = None,
        parent_id: int | None = None,
        name_contains: str | None = None,
    ) -> Page[Group]:
        q = select(groups).where(visible(vis, groups.c.company_id, groups.c.path))
        if within is not None:
            q = q.where(subtree(groups.c.path, within))
        if parent_id is not None:
            q = q.where(groups.c.parent_id == parent_id)
        if name_contains:
            q = q.where(func.lower(groups.c.name).contains(name_contains.lower(), autoescape=True))
        q = q.order_by(groups.c.path)
        rows, total = fetch_page(self.conn, q, limit, offset)
        return Page([_group(r) for r in rows], total, limit, offset)

    def subtree(self, path: str) -> list[Group]:
        rows = self.conn.execute(
            select(groups).where(subtree(groups.c.path, path)).order_by(groups.c.path)
        ).all()
        return [_group(r) for r in rows]

    def rename(self, group: Group) -> None:
        self.conn.execute(
            update(groups)
            .where(groups.c.id == group.id)
            .values(name=group.name, kind=group.kind.value)
        )

    def move(self, group: Group, new_parent: Group) -> str:
        """Re-root the whole subtree under `new_parent` with one UPDATE; returns the new path."""
        old = group.path
        new = child_path(new_parent.path, group.id)
        self.conn.execute(
            update(groups).where(groups.c.id == group.id).values(parent_id=new_parent.id)
        )
        self.conn.execute(
            update(groups)
            .where(subtree(groups.c.path, old))
            .values(path=literal(new) + func.substr(groups.c.path, len(old) + 1))
        )
        return new

    def list_children(self, group_id: int) -> list[Group]:
        rows = self.conn.execute(
            select(groups).where(groups.c.parent_id == group_id).order_by(groups.c.name)
        ).all()
        return [_group(r) for r in rows]

    def has_children(self, group_id: int) -> bool:
        return (
            self.conn.execute(
                select(groups.c.id).where(groups.c.parent_id == group_id).limit(1)
            ).first()
            is not None
        )

    def is_in_use(self, group_id: int) -> bool:
        for col in (users.c.group_id, role_grants.c.group_id, clients.c.group_id):
            if self.conn.execute(select(col).where(col == group_id).limit(1)).first():
                return True
        return False

    def delete(self, group_id: int) -> None:
        self.conn.execute(sql_delete(groups).where(groups.c.id == group_id))

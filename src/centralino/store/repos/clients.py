"""Clients (committenti): the companies that commission campaigns and services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from centralino.domain.access import Visibility
from centralino.store.repos.page import Page, fetch_page
from centralino.store.repos.scope import visible
from centralino.store.tables import clients, groups, users


@dataclass(slots=True)
class ClientRow:
    id: int
    company_id: int
    group_id: int
    group_path: str
    name: str
    created_at: datetime


def _client(row: Any) -> ClientRow:
    return ClientRow(row.id, row.company_id, row.group_id, row.path, row.name, row.created_at)


_BASE = select(clients, groups.c.path).join(groups, groups.c.id == clients.c.group_id)


class ClientRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, company_id: int, group_id: int, name: str, now: datetime) -> int:
        return int(
            self.conn.execute(
                insert(clients)
                .values(company_id=company_id, group_id=group_id, name=name, created_at=now)
                .returning(clients.c.id)
            ).scalar_one()
        )

    def get(self, client_id: int) -> ClientRow | None:
        row = self.conn.execute(_BASE.where(clients.c.id == client_id)).first()
        return _client(row) if row else None

    def by_name(self, company_id: int, name: str) -> ClientRow | None:
        row = self.conn.execute(
            _BASE.where(clients.c.company_id == company_id, clients.c.name == name)
        ).first()
        return _client(row) if row else None

    def list(self, vis: Visibility, limit: int, offset: int) -> Page[ClientRow]:
        q = _BASE.where(visible(vis, clients.c.company_id, groups.c.path, clients.c.id)).order_by(
            clients.c.id
        )
        rows, total = fetch_page(self.conn, q, limit, offset)
        return Page([_client(r) for r in rows], total, limit, offset)

    def update(self, client_id: int, name: str, group_id: int) -> None:
        self.conn.execute(
            update(clients).where(clients.c.id == client_id).values(name=name, group_id=group_id)
        )

    def in_use(self, client_id: int) -> bool:
        return (
            self.conn.execute(
                select(users.c.id).where(users.c.client_id == client_id).limit(1)
            ).first()
            is not None
        )

    def delete(self, client_id: int) -> None:
        self.conn.execute(delete(clients).where(clients.c.id == client_id))

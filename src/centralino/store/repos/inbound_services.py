"""Inbound services (IN-1, IN-2) and their numbers; the settings are ServiceConfig's JSON.

A number (E.164) belongs to one service of its company: `service_numbers` holds them,
unique per company, and `settings` holds the rest of the configuration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from centralino.domain.access import Visibility
from centralino.domain.inbound.services import ServiceConfig
from centralino.store.repos.page import Page, fetch_page
from centralino.store.repos.scope import visible
from centralino.store.tables import groups, service_numbers
from centralino.store.tables import services as services_t


@dataclass(slots=True)
class ServiceRow:
    """A stored service: owner group, the client it serves, and its configuration."""

    id: int
    company_id: int
    group_id: int
    group_path: str
    client_id: int | None
    config: ServiceConfig
    created_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        return self.config.name


_BASE = select(services_t, groups.c.path).join(groups, groups.c.id == services_t.c.group_id)


def settings_of(config: ServiceConfig) -> dict[str, object]:
    """What the `settings` column holds: everything but the numbers."""
    data = config.as_json()
    del data["numbers"]
    return data


class ServiceRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _rows(self, rows: Sequence[Any]) -> list[ServiceRow]:
        ids = [r.id for r in rows]
        numbers: dict[int, list[str]] = {i: [] for i in ids}
        if ids:
            for n in self.conn.execute(
                select(service_numbers.c.service_id, service_numbers.c.number)
                .where(service_numbers.c.service_id.in_(ids))
                .order_by(service_numbers.c.id)
            ):
                numbers[n.service_id].append(n.number)
        return [
            ServiceRow(
                id=r.id,
                company_id=r.company_id,
                group_id=r.group_id,
                group_path=r.path,
                client_id=r.client_id,
                config=ServiceConfig.from_json(r.name, {**r.settings, "numbers": numbers[r.id]}),
                created_at=r.created_at,
                updated_at=r.updated_at,
            )
            for r in rows
        ]

    def add(
        self, company_id: int, group_id: int, client_id: int | None, config: ServiceConfig,
        now: datetime,
    ) -> int:  # fmt: skip
        sid = int(
            self.conn.execute(
                insert(services_t)
                .values(
                    company_id=company_id, group_id=group_id, client_id=client_id,
                    name=config.name, settings=settings_of(config), created_at=now,
                    updated_at=now,
                )
                .returning(services_t.c.id)
            ).scalar_one()
        )  # fmt: skip
        self._set_numbers(company_id, sid, config.numbers)
        return sid

    def get(self, service_id: int) -> ServiceRow | None:
        rows = self.conn.execute(_BASE.where(services_t.c.id == service_id)).all()
        return self._rows(rows)[0] if rows else None

    def by_name(self, company_id: int, name: str) -> ServiceRow | None:
        rows = self.conn.execute(
            _BASE.where(services_t.c.company_id == company_id, services_t.c.name == name)
        ).all()
        return self._rows(rows)[0] if rows else None

    def of_company(self, company_id: int) -> list[ServiceRow]:
        rows = self.conn.execute(
            _BASE.where(services_t.c.company_id == company_id).order_by(services_t.c.id)
        ).all()
        return self._rows(rows)

    def list(self, vis: Visibility, limit: int, offset: int) -> Page[ServiceRow]:
        q = _BASE.where(
            visible(vis, services_t.c.company_id, groups.c.path, services_t.c.client_id)
        )
        rows, total = fetch_page(self.conn, q.order_by(services_t.c.id), limit, offset)
        return Page(self._rows(rows), total, limit, offset)

    def update(self, row: ServiceRow, now: datetime) -> None:
        self.conn.execute(
            update(services_t)
            .where(services_t.c.id == row.id)
            .values(
                group_id=row.group_id, client_id=row.client_id, name=row.config.name,
                settings=settings_of(row.config), updated_at=now,
            )
        )  # fmt: skip
        self._set_numbers(row.company_id, row.id, row.config.numbers)

    def delete(self, service_id: int) -> None:
        self.conn.execute(delete(services_t).where(services_t.c.id == service_id))

    def _set_numbers(self, company_id: int, service_id: int, numbers: Sequence[str]) -> None:
        self.conn.execute(delete(service_numbers).where(service_numbers.c.service_id == service_id))
        if numbers:
            rows = [
                {"company_id": company_id, "service_id": service_id, "number": n} for n in numbers
            ]
            self.conn.execute(insert(service_numbers), rows)

    def numbers_taken(
        self, company_id: int, numbers: Sequence[str], but: int | None = None
    ) -> dict[str, str]:
        """Numbers of `numbers` that belong to another service of the company: number -> name."""
        if not numbers:
            return {}
        q = (
            select(service_numbers.c.number, services_t.c.name)
            .join(services_t, services_t.c.id == service_numbers.c.service_id)
            .where(
                service_numbers.c.company_id == company_id,
                service_numbers.c.number.in_(sorted(set(numbers))),
            )
        )
        if but is not None:
            q = q.where(service_numbers.c.service_id != but)
        return {r.number: r.name for r in self.conn.execute(q)}

"""QA-1: each service's minimum and target, and the alerts of the live check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from centralino.domain.access import Visibility
from centralino.domain.service_levels import ServiceLevelPolicy
from centralino.store.repos.scope import visible
from centralino.store.tables import groups, service_level_alerts, service_levels, services


@dataclass(slots=True, frozen=True)
class AlertRow:
    id: int
    service_id: int
    service: str
    group_path: str
    at: datetime
    level: str
    previous: str
    details: list[dict[str, Any]]


class ServiceLevelRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, service_id: int) -> ServiceLevelPolicy | None:
        data = self.conn.execute(
            select(service_levels.c.policy).where(service_levels.c.service_id == service_id)
        ).scalar_one_or_none()
        return None if data is None else ServiceLevelPolicy.from_json(data)

    def of_company(self, company_id: int) -> dict[int, ServiceLevelPolicy]:
        rows = self.conn.execute(
            select(service_levels.c.service_id, service_levels.c.policy).where(
                service_levels.c.company_id == company_id
            )
        )
        return {r.service_id: ServiceLevelPolicy.from_json(r.policy) for r in rows}

    def companies(self) -> list[int]:
        """The companies with at least one service level set."""
        return list(self.conn.execute(select(service_levels.c.company_id).distinct()).scalars())

    def put(
        self, service_id: int, company_id: int, policy: ServiceLevelPolicy, now: datetime
    ) -> None:
        values = {"policy": policy.as_json(), "updated_at": now}
        done = self.conn.execute(
            update(service_levels).where(service_levels.c.service_id == service_id).values(values)
        )
        if not done.rowcount:
            self.conn.execute(
                insert(service_levels).values(
                    service_id=service_id, company_id=company_id, **values
                )
            )

    def delete(self, service_id: int) -> bool:
        done = self.conn.execute(
            delete(service_levels).where(service_levels.c.service_id == service_id)
        )
        return bool(done.rowcount)

    def add_alert(
        self,
        company_id: int,
        service_id: int,
        at: datetime,
        level: str,
        previous: str,
        details: list[dict[str, Any]],
    ) -> int:
        return int(
            self.conn.execute(
                insert(service_level_alerts)
                .values(
                    company_id=company_id,
                    service_id=service_id,
                    at=at,
                    level=level,
                    previous=previous,
                    details=details,
                )
                .returning(service_level_alerts.c.id)
            ).scalar_one()
        )

    def alerts(
        self, vis: Visibility, company_id: int, since: datetime, until: datetime, limit: int = 500
    ) -> list[AlertRow]:
        """The alerts of the company's services the visibility reaches, newest first."""
        a = service_level_alerts
        rows = self.conn.execute(
            select(a, services.c.name, groups.c.path)
            .join(services, services.c.id == a.c.service_id)
            .join(groups, groups.c.id == services.c.group_id)
            .where(
                a.c.company_id == company_id,
                a.c.at >= since,
                a.c.at < until,
                visible(vis, services.c.company_id, groups.c.path, services.c.client_id),
            )
            .order_by(a.c.at.desc(), a.c.id.desc())
            .limit(limit)
        )
        return [
            AlertRow(r.id, r.service_id, r.name, r.path, r.at, r.level, r.previous, r.details)
            for r in rows
        ]

"""Inbound queues (IN-3) and their members by tier; the settings are QueueConfig's JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from centralino.domain.access import Visibility
from centralino.domain.inbound.queues import QueueConfig
from centralino.store.repos.page import Page, fetch_page
from centralino.store.repos.scope import visible
from centralino.store.tables import groups, queue_members, queues, users


@dataclass(slots=True)
class QueueRow:
    """A stored queue: its owner group and its rules."""

    id: int
    company_id: int
    group_id: int
    group_path: str
    config: QueueConfig
    created_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        return self.config.name


@dataclass(slots=True, frozen=True)
class MemberRow:
    """An operator in a queue's tier (0 is the highest priority)."""

    user_id: int
    username: str
    group_id: int
    group_path: str
    tier: int


_BASE = select(queues, groups.c.path).join(groups, groups.c.id == queues.c.group_id)


def _queue(r: Any) -> QueueRow:
    return QueueRow(
        id=r.id,
        company_id=r.company_id,
        group_id=r.group_id,
        group_path=r.path,
        config=QueueConfig.from_json(r.name, r.settings),
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


class QueueRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, company_id: int, group_id: int, config: QueueConfig, now: datetime) -> int:
        return int(
            self.conn.execute(
                insert(queues)
                .values(
                    company_id=company_id, group_id=group_id, name=config.name,
                    settings=config.as_json(), created_at=now, updated_at=now,
                )
                .returning(queues.c.id)
            ).scalar_one()
        )  # fmt: skip

    def get(self, queue_id: int) -> QueueRow | None:
        r = self.conn.execute(_BASE.where(queues.c.id == queue_id)).first()
        return _queue(r) if r else None

    def by_name(self, company_id: int, name: str) -> QueueRow | None:
        r = self.conn.execute(
            _BASE.where(queues.c.company_id == company_id, queues.c.name == name)
        ).first()
        return _queue(r) if r else None

    def by_names(self, company_id: int, names: Sequence[str]) -> dict[str, QueueRow]:
        if not names:
            return {}
        rows = self.conn.execute(
            _BASE.where(queues.c.company_id == company_id, queues.c.name.in_(sorted(set(names))))
        ).all()
        return {r.name: _queue(r) for r in rows}

    def of_company(self, company_id: int) -> list[QueueRow]:
        rows = self.conn.execute(
            _BASE.where(queues.c.company_id == company_id).order_by(queues.c.id)
        ).all()
        return [_queue(r) for r in rows]

    def list(self, vis: Visibility, limit: int, offset: int) -> Page[QueueRow]:
        q = _BASE.where(visible(vis, queues.c.company_id, groups.c.path))
        rows, total = fetch_page(self.conn, q.order_by(queues.c.id), limit, offset)
        return Page([_queue(r) for r in rows], total, limit, offset)

    def update(self, row: QueueRow, now: datetime) -> None:
        self.conn.execute(
            update(queues)
            .where(queues.c.id == row.id)
            .values(
                group_id=row.group_id, name=row.config.name, settings=row.config.as_json(),
                updated_at=now,
            )
        )  # fmt: skip

    def delete(self, queue_id: int) -> None:
        self.conn.execute(delete(queues).where(queues.c.id == queue_id))

    # --- members ---

    def members(self, queue_ids: Sequence[int]) -> dict[int, list[MemberRow]]:
        """Each queue's members, by tier then user id."""
        out: dict[int, list[MemberRow]] = {q: [] for q in queue_ids}
        if not queue_ids:
            return out
        rows = self.conn.execute(
            select(
                queue_members.c.queue_id, queue_members.c.tier, users.c.id, users.c.username,
                users.c.group_id, groups.c.path,
            )
            .join(users, users.c.id == queue_members.c.user_id)
            .join(groups, groups.c.id == users.c.group_id)
            .where(queue_members.c.queue_id.in_(list(queue_ids)))
            .order_by(queue_members.c.queue_id, queue_members.c.tier, users.c.id)
        ).all()  # fmt: skip
        for r in rows:
            out[r.queue_id].append(MemberRow(r.id, r.username, r.group_id, r.path, r.tier))
        return out

    def set_members(self, queue_id: int, members: Sequence[tuple[int, int]]) -> None:
        """Replace the queue's members with (user_id, tier) pairs."""
        self.conn.execute(delete(queue_members).where(queue_members.c.queue_id == queue_id))
        if members:
            self.conn.execute(
                insert(queue_members),
                [{"queue_id": queue_id, "user_id": u, "tier": t} for u, t in members],
            )

    def member_ids(self, company_id: int) -> dict[str, int]:
        """username -> user id of the company's active users in any of its queues."""
        rows = self.conn.execute(
            select(users.c.username, users.c.id)
            .join(queue_members, queue_members.c.user_id == users.c.id)
            .join(queues, queues.c.id == queue_members.c.queue_id)
            .where(queues.c.company_id == company_id, users.c.is_active.is_(True))
            .distinct()
        ).all()
        return {r.username: r.id for r in rows}

    def memberships(self, company_id: int) -> dict[str, list[tuple[str, int]]]:
        """username -> [(queue name, tier)] of the company's active users in its queues."""
        rows = self.conn.execute(
            select(users.c.username, queues.c.name, queue_members.c.tier)
            .join(queues, queues.c.id == queue_members.c.queue_id)
            .join(users, users.c.id == queue_members.c.user_id)
            .where(queues.c.company_id == company_id, users.c.is_active.is_(True))
            .order_by(users.c.username, queue_members.c.tier, queues.c.name)
        ).all()
        out: dict[str, list[tuple[str, int]]] = {}
        for r in rows:
            out.setdefault(r.username, []).append((r.name, r.tier))
        return out

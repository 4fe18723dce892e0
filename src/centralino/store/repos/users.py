"""Users and role grants in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update

from centralino.domain.access import Visibility
from centralino.domain.roles import Role
from centralino.domain.users import Grant, User
from centralino.store.repos.page import Page, fetch_page
from centralino.store.repos.scope import subtree, visible
from centralino.store.tables import groups, role_grants, users

_BASE = select(users, groups.c.path).join(groups, groups.c.id == users.c.group_id)


def _user(row: Any) -> User:
    return User(
        id=row.id,
        company_id=row.company_id,
        group_id=row.group_id,
        username=row.username,
        display_name=row.display_name,
        email=row.email,
        locale=row.locale,
        timezone=row.timezone,
        client_id=row.client_id,
        is_active=row.is_active,
        created_at=row.created_at,
        password_hash=row.password_hash,
        group_path=row.path,
    )


_FIELDS = (
    "company_id",
    "group_id",
    "username",
    "display_name",
    "email",
    "locale",
    "timezone",
    "client_id",
    "is_active",
)


class UserRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, user: User, now: datetime) -> int:
        values = {f: getattr(user, f) for f in _FIELDS}
        return int(
            self.conn.execute(
                insert(users)
                .values(**values, password_hash=user.password_hash, created_at=now)
                .returning(users.c.id)
            ).scalar_one()
        )

    def get(self, user_id: int) -> User | None:
        row = self.conn.execute(_BASE.where(users.c.id == user_id)).first()
        return _user(row) if row else None

    def by_username(self, username: str) -> User | None:
        row = self.conn.execute(_BASE.where(users.c.username == username)).first()
        return _user(row) if row else None

    def list(
        self,
        vis: Visibility,
        limit: int,
        offset: int,
        within: str | None = None,
        search: str | None = None,
        role: Role | None = None,
    ) -> Page[User]:
        q = _BASE.where(visible(vis, users.c.company_id, groups.c.path, users.c.client_id))
        if within is not None:
            q = q.where(subtree(groups.c.path, within))
        if search:
            s = search.lower()
            q = q.where(
                or_(
                    func.lower(users.c.username).contains(s, autoescape=True),
                    func.lower(users.c.display_name).contains(s, autoescape=True),
                )
            )
        if role is not None:
            q = q.where(
                users.c.id.in_(
                    select(role_grants.c.user_id).where(role_grants.c.role == role.value)
                )
            )
        rows, total = fetch_page(self.conn, q.order_by(users.c.username), limit, offset)
        return Page([_user(r) for r in rows], total, limit, offset)

    def update(self, user: User) -> None:
        values = {f: getattr(user, f) for f in _FIELDS}
        self.conn.execute(update(users).where(users.c.id == user.id).values(**values))

    def set_password(self, user_id: int, password_hash: str, now: datetime) -> None:
        self.conn.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(password_hash=password_hash, password_changed_at=now)
        )

    def delete(self, user_id: int) -> None:
        self.conn.execute(delete(users).where(users.c.id == user_id))

    # --- grants ---

    def grants(self, user_id: int) -> list[Grant]:
        rows = self.conn.execute(
            select(role_grants, groups.c.path)
            .join(groups, groups.c.id == role_grants.c.group_id)
            .where(role_grants.c.user_id == user_id)
            .order_by(role_grants.c.id)
        ).all()
        return [Grant(r.id, r.user_id, Role(r.role), r.group_id, r.path) for r in rows]

    def grant(self, grant_id: int) -> Grant | None:
        r = self.conn.execute(
            select(role_grants, groups.c.path)
            .join(groups, groups.c.id == role_grants.c.group_id)
            .where(role_grants.c.id == grant_id)
        ).first()
        return Grant(r.id, r.user_id, Role(r.role), r.group_id, r.path) if r else None

    def add_grant(self, user_id: int, role: Role, group_id: int, now: datetime) -> int:
        return int(
            self.conn.execute(
                insert(role_grants)
                .values(user_id=user_id, role=role.value, group_id=group_id, created_at=now)
                .returning(role_grants.c.id)
            ).scalar_one()
        )

    def has_grant(self, user_id: int, role: Role, group_id: int) -> bool:
        return (
            self.conn.execute(
                select(role_grants.c.id).where(
                    role_grants.c.user_id == user_id,
                    role_grants.c.role == role.value,
                    role_grants.c.group_id == group_id,
                )
            ).first()
            is not None
        )

    def delete_grant(self, grant_id: int) -> None:
        self.conn.execute(delete(role_grants).where(role_grants.c.id == grant_id))

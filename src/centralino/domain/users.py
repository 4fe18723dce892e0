"""Users and their role grants (ORG-2, ORG-3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from centralino.domain.roles import Role


@dataclass(slots=True, frozen=True)
class Grant:
    """A role held on a group subtree."""

    id: int
    user_id: int
    role: Role
    group_id: int
    group_path: str


@dataclass(slots=True)
class User:
    id: int
    company_id: int
    group_id: int
    username: str
    display_name: str
    email: str | None
    locale: str | None
    timezone: str | None
    client_id: int | None
    is_active: bool
    created_at: datetime
    password_hash: str = field(repr=False, default="")
    group_path: str = ""

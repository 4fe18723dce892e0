"""Request and response bodies for users, role grants and role definitions."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from centralino.api.schemas_base import (
    Body,
    Email,
    Locale,
    Name,
    Out,
    Password,
    Patch,
    TimeZone,
    Username,
)
from centralino.domain.roles import Permission, Role


class GrantIn(Body):
    role: Role
    group_id: int


class GrantOut(Out):
    id: int
    user_id: int
    role: Role
    group_id: int
    group_path: str


class UserIn(Body):
    username: Username
    display_name: Name
    password: Password
    group_id: int
    email: Email | None = None
    locale: Locale | None = None
    timezone: TimeZone | None = None
    client_id: int | None = None
    roles: list[GrantIn] = Field(default_factory=list, max_length=20)


class UserPatch(Patch):
    nullable: ClassVar[frozenset[str]] = frozenset({"email", "locale", "timezone", "client_id"})

    display_name: Name | None = None
    group_id: int | None = None
    email: Email | None = None
    locale: Locale | None = None
    timezone: TimeZone | None = None
    client_id: int | None = None
    is_active: bool | None = None
    password: Password | None = None


class UserOut(Out):
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
    roles: list[GrantOut] = Field(default_factory=list)


class RoleDefinitionOut(Out):
    role: Role
    permissions: list[Permission]


class RoleDefinitionIn(Body):
    permissions: list[Permission] | None = None

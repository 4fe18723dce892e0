"""Bodies for login, password change and API tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from centralino.api.schemas_base import Body, Name, Out, Password
from centralino.api.users.schemas import UserOut


class LoginIn(Body):
    username: str = Field(min_length=1, max_length=64)
    password: Password


class LoginOut(Out):
    user: UserOut
    csrf_token: str
    expires_at: datetime


class MeOut(Out):
    user: UserOut
    permissions: list[str]
    csrf_token: str | None


class PasswordIn(Body):
    current_password: Password
    new_password: Password


class TokenIn(Body):
    name: Name
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenOut(Out):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="Shown once; only its hash is stored")

"""Logins, sessions, API tokens, throttling and password changes (ORG-3)."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2.exceptions import InvalidHashError, VerificationError

from centralino.domain.access import Place, Principal
from centralino.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from centralino.domain.roles import Permission
from centralino.domain.users import User
from centralino.services.audit import record
from centralino.services.context import ServiceContext
from centralino.store.repos.auth import TokenRow
from centralino.store.uow import UnitOfWork

TOKEN_PREFIX = "cnt_"
MIN_PASSWORD = 10
MAX_PASSWORD = 256


class LoginFailed(DomainError):
    status_code = 401
    error_id = "login-failed"


class Throttled(DomainError):
    status_code = 429
    error_id = "too-many-attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unauthenticated(DomainError):
    status_code = 401
    error_id = "unauthenticated"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_password_policy(password: str, username: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password needs at least {MIN_PASSWORD} characters", field=field)
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"the password may have at most {MAX_PASSWORD} characters", field=field)
    if password.lower() == username.lower():
        raise InvalidInput("the password must differ from the username", field=field)


def load_principal(uow: UnitOfWork, user: User) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        company_id=user.company_id,
        group_id=user.group_id,
        group_path=user.group_path,
        client_id=user.client_id,
        grants=tuple(uow.users.grants(user.id)),
        role_permissions=uow.roles.effective(user.company_id),
    )


def user_place(user: User) -> Place:
    return Place(user.company_id, user.group_path, user.client_id)


@dataclass(slots=True)
class Identity:
    """The authenticated caller: its user, principal and, for cookie sessions, the CSRF token."""

    user: User
    principal: Principal
    csrf_token: str | None = None
    session_hash: str | None = None
    token_id: int | None = None


@dataclass(slots=True)
class NewSession:
    token: str
    csrf_token: str
    expires_at: datetime
    identity: Identity


def _check_throttle(ctx: ServiceContext, uow: UnitOfWork, username: str, address: str) -> None:
    s = ctx.settings
    now = ctx.now()
    since = now - timedelta(seconds=s.login_failure_window_seconds)
    for column, value, limit in (
        ("username", username, s.login_max_failures_per_account),
        ("address", address, s.login_max_failures_per_address),
    ):
        count, oldest = uow.login_failures.recent(column, value, since)
        if count >= limit and oldest is not None:
            wait = s.login_failure_window_seconds - (now - oldest).total_seconds()
            what = "account" if column == "username" else "address"
            raise Throttled(
                f"too many failed logins for this {what}; try again later",
                retry_after=max(1, math.ceil(wait)),
            )


def authenticate(ctx: ServiceContext, username: str, password: str, address: str) -> User:
    """Check credentials with throttling per account and per address."""
    username = username.strip()
    with ctx.uow() as uow:
        _check_throttle(ctx, uow, username, address)
        user = uow.users.by_username(username)
        ok = False
        if user is None:
            # Spend the same work as a real check so timing does not reveal usernames.
            ctx.hasher.hash(password or "x")
        else:
            try:
                ok = ctx.hasher.verify(user.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
        if not ok or user is None or not user.is_active:
            uow.login_failures.add(username, address, ctx.now())
            uow.commit()
            raise LoginFailed("wrong username or password, or the account is disabled")
        uow.login_failures.clear_username(username)
        if ctx.hasher.check_needs_rehash(user.password_hash):
            uow.users.set_password(user.id, ctx.hasher.hash(password), ctx.now())
        uow.commit()
        return user


def start_session(ctx: ServiceContext, user: User, address: str | None) -> NewSession:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    now = ctx.now()
    expires = now + timedelta(hours=ctx.settings.session_hours)
    with ctx.uow() as uow:
        uow.sessions.purge_expired(now)
        uow.sessions.add(digest(token), user.id, csrf, address, now, expires)
        principal = load_principal(uow, user)
        uow.commit()
    return NewSession(token, csrf, expires, Identity(user, principal, csrf, digest(token)))


def identity_from_session(ctx: ServiceContext, token: str) -> Identity | None:
    with ctx.uow() as uow:
        row = uow.sessions.get(digest(token), ctx.now())
        if row is None:
            return None
        user = uow.users.get(row.user_id)
        if user is None or not user.is_active:
            return None
        return Identity(user, load_principal(uow, user), row.csrf_token, digest(token))


def identity_from_token(ctx: ServiceContext, token: str) -> Identity | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = ctx.now()
    with ctx.uow() as uow:
        row = uow.tokens.by_hash(digest(token))
        if row is None or row.revoked_at is not None:
            return None
        if row.expires_at is not None and row.expires_at <= now:
            return None
        user = uow.users.get(row.user_id)
        if user is None or not user.is_active:
            return None
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
            uow.tokens.touch(row.id, now)
            uow.commit()
        return Identity(user, load_principal(uow, user), token_id=row.id)


def end_session(ctx: ServiceContext, session_hash: str) -> None:
    with ctx.uow() as uow:
        uow.sessions.delete(session_hash)
        uow.commit()


def logout_everywhere(ctx: ServiceContext, actor: Principal, user_id: int) -> int:
    """End every web session and revoke every API token of a user (oneself or, forced, another)."""
    with ctx.uow() as uow:
        target = uow.users.get(user_id)
        if target is None:
            raise NotFound(f"user {user_id} not found")
        if user_id != actor.user_id:
            place = user_place(target)
            if not actor.can(Permission.USERS_READ, place):
                raise NotFound(f"user {user_id} not found")
            if not actor.may_manage_user(place, uow.users.grants(user_id)):
                raise Forbidden("you may not force this user's logout")
        ended = uow.sessions.delete_for_user(user_id)
        uow.tokens.revoke_for_user(user_id, ctx.now())
        record(
            uow, actor, "update", "user_sessions", user_id, user_place(target),
            None, {"logged_out": True, "sessions_ended": ended}, ctx.now(), Permission.USERS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return ended


def change_password(ctx: ServiceContext, identity: Identity, current: str, new: str) -> None:
    user = identity.user
    try:
        ok = ctx.hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        raise InvalidInput("the current password is wrong", field="current_password")
    check_password_policy(new, user.username, field="new_password")
    if new == current:
        raise InvalidInput(
            "the new password must differ from the current one", field="new_password"
        )
    with ctx.uow() as uow:
        uow.users.set_password(user.id, ctx.hasher.hash(new), ctx.now())
        # Other sessions end: whoever knew the old password is out.
        uow.sessions.delete_for_user(user.id)
        record(
            uow, identity.principal, "update", "user_password", user.id, user_place(user),
            None, {"password_changed": True}, ctx.now(), Permission.USERS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)


@dataclass(slots=True)
class NewToken:
    token: str
    row: TokenRow


def create_token(
    ctx: ServiceContext, identity: Identity, name: str, expires_in_days: int | None
) -> NewToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = ctx.now()
    expires = now + timedelta(days=expires_in_days) if expires_in_days else None
    with ctx.uow() as uow:
        tid = uow.tokens.add(
            identity.user.id, name, secret[: len(TOKEN_PREFIX) + 6], digest(secret), now, expires
        )
        record(
            uow, identity.principal, "create", "api_token", tid, user_place(identity.user),
            None, {"name": name, "expires_at": expires.isoformat() if expires else None},
            now, Permission.USERS_READ,
        )  # fmt: skip
        row = uow.tokens.get(tid)
        uow.commit()
    ctx.publish(uow)
    assert row is not None
    return NewToken(secret, row)


def list_tokens(ctx: ServiceContext, identity: Identity) -> list[TokenRow]:
    with ctx.uow() as uow:
        return uow.tokens.for_user(identity.user.id)


def revoke_token(ctx: ServiceContext, identity: Identity, token_id: int) -> None:
    with ctx.uow() as uow:
        row = uow.tokens.get(token_id)
        if row is None or row.user_id != identity.user.id:
            raise NotFound(f"token {token_id} not found")
        uow.tokens.revoke(token_id, ctx.now())
        record(
            uow, identity.principal, "delete", "api_token", token_id, user_place(identity.user),
            {"name": row.name}, None, ctx.now(), Permission.USERS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)

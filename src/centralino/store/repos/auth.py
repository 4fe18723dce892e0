"""Web sessions, API tokens and login failures; secrets are stored only as SHA-256 hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from centralino.store.tables import api_tokens, login_failures, web_sessions


@dataclass(slots=True)
class SessionRow:
    id: int
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime


@dataclass(slots=True)
class TokenRow:
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


def _token(r: Any) -> TokenRow:
    return TokenRow(
        r.id, r.user_id, r.name, r.prefix, r.created_at, r.expires_at, r.last_used_at, r.revoked_at
    )


class SessionRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(
        self,
        token_hash: str,
        user_id: int,
        csrf_token: str,
        address: str | None,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        self.conn.execute(
            insert(web_sessions).values(
                token_hash=token_hash,
                user_id=user_id,
                csrf_token=csrf_token,
                address=address,
                created_at=now,
                expires_at=expires_at,
            )
        )

    def get(self, token_hash: str, now: datetime) -> SessionRow | None:
        r = self.conn.execute(
            select(web_sessions).where(
                web_sessions.c.token_hash == token_hash, web_sessions.c.expires_at > now
            )
        ).first()
        return SessionRow(r.id, r.user_id, r.csrf_token, r.created_at, r.expires_at) if r else None

    def delete(self, token_hash: str) -> None:
        self.conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == token_hash))

    def delete_for_user(self, user_id: int) -> int:
        return self.conn.execute(
            delete(web_sessions).where(web_sessions.c.user_id == user_id)
        ).rowcount

    def purge_expired(self, now: datetime) -> None:
        self.conn.execute(delete(web_sessions).where(web_sessions.c.expires_at <= now))


class TokenRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(
        self,
        user_id: int,
        name: str,
        prefix: str,
        token_hash: str,
        now: datetime,
        expires_at: datetime | None,
    ) -> int:
        return int(
            self.conn.execute(
                insert(api_tokens)
                .values(
                    user_id=user_id,
                    name=name,
                    prefix=prefix,
                    token_hash=token_hash,
                    created_at=now,
                    expires_at=expires_at,
                )
                .returning(api_tokens.c.id)
            ).scalar_one()
        )

    def by_hash(self, token_hash: str) -> TokenRow | None:
        r = self.conn.execute(
            select(api_tokens).where(api_tokens.c.token_hash == token_hash)
        ).first()
        return _token(r) if r else None

    def get(self, token_id: int) -> TokenRow | None:
        r = self.conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
        return _token(r) if r else None

    def for_user(self, user_id: int) -> list[TokenRow]:
        rows = self.conn.execute(
            select(api_tokens).where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id)
        ).all()
        return [_token(r) for r in rows]

    def touch(self, token_id: int, now: datetime) -> None:
        self.conn.execute(
            update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=now)
        )

    def revoke(self, token_id: int, now: datetime) -> None:
        self.conn.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def revoke_for_user(self, user_id: int, now: datetime) -> None:
        self.conn.execute(
            update(api_tokens)
            .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )


class LoginFailureRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, username: str, address: str, now: datetime) -> None:
        self.conn.execute(insert(login_failures).values(username=username, address=address, at=now))

    def recent(self, column: str, value: str, since: datetime) -> tuple[int, datetime | None]:
        """Failures since `since` for a username or an address, and the oldest of them."""
        col = login_failures.c[column]
        r = self.conn.execute(
            select(func.count(), func.min(login_failures.c.at)).where(
                col == value, login_failures.c.at > since
            )
        ).one()
        return int(r[0]), r[1]

    def clear_username(self, username: str) -> None:
        self.conn.execute(delete(login_failures).where(login_failures.c.username == username))

    def purge(self, before: datetime) -> None:
        self.conn.execute(delete(login_failures).where(login_failures.c.at <= before))

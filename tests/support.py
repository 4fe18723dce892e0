"""Test support: a settable clock and a way to empty the database between tests."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from centralino.store.db import make_engine
from centralino.store.tables import metadata


class FakeClock:
    """A settable UTC clock for services, so throttling and expiry are tested exactly."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def wipe(engine: Engine) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("UPDATE groups SET parent_id = NULL"))
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


PG_URL = os.environ.get(
    "CENTRALINO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def fresh_pg_schema(schema: str) -> None:
    """An empty PostgreSQL schema; unreachable PostgreSQL skips the test, except under CI."""
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except OperationalError as exc:
        if os.environ.get("CI"):
            raise RuntimeError(f"PostgreSQL is required under CI: {exc}") from exc
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    finally:
        admin.dispose()


def drop_pg_schema(schema: str) -> None:
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

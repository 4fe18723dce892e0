"""Shared fixtures: one database per backend (SQLite and PostgreSQL), services, HTTP client.

Every test that uses `ctx` or `client` runs once on SQLite and once on PostgreSQL.
PostgreSQL comes from CENTRALINO_TEST_PG_URL (default: the local `test` database); when
it is unreachable the PostgreSQL runs are skipped, except under CI, where that fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from centralino.eventbus import InMemoryEventBus
from centralino.services.context import ServiceContext, make_hasher
from centralino.settings import Settings
from centralino.store import migrate
from centralino.store.db import make_engine
from support import PG_URL, FakeClock, drop_pg_schema, fresh_pg_schema, wipe

# One schema per test process, so parallel runs on one server never meet.
PG_SCHEMA = f"centralino_test_{os.getpid()}"
BACKENDS = ["sqlite", "postgresql"]


def _pg_engine() -> Engine:
    fresh_pg_schema(PG_SCHEMA)
    return make_engine(PG_URL, connect_args={"options": f"-csearch_path={PG_SCHEMA}"})


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        eng = make_engine(f"sqlite:///{path}")
    else:
        eng = _pg_engine()
    migrate.upgrade(eng)
    yield eng
    eng.dispose()
    if request.param == "postgresql":
        drop_pg_schema(PG_SCHEMA)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path, secret_key="test-secret-key-0123456789", password_hashing="fast"
    )


@pytest.fixture
def ctx(engine: Engine, settings: Settings, clock: FakeClock) -> Iterator[ServiceContext]:
    wipe(engine)
    yield ServiceContext(
        settings=settings,
        engine=engine,
        bus=InMemoryEventBus(),
        now=clock,
        hasher=make_hasher("fast"),
    )


@pytest.fixture
def app(ctx: ServiceContext):  # type: ignore[no-untyped-def]
    from centralino.api.app import create_app

    return create_app(ctx)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://testserver") as c:
        yield c

"""The roll-up migrations over a database that already holds calls, on SQLite and
PostgreSQL: down to the revision before the first roll-up (0003), then up again, each
migration filling its roll-up from what the one before left (0005 from the legs, 0006
and 0012 from `call_hours`, 0013 from the legs again with the IVR's own figure), ends
with the rows `save_calls` kept as the calls came."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, inspect
from test_report_rollup import ROLL_UPS, _legs, _save, _world, assert_same_roll_ups, roll_up_rows

from centralino.eventbus import InMemoryEventBus
from centralino.services.context import ServiceContext, make_hasher
from centralino.settings import Settings
from centralino.store import migrate
from centralino.store.db import make_engine
from support import PG_URL, FakeClock, drop_pg_schema, fresh_pg_schema

SCHEMA = f"centralino_migrations_{os.getpid()}"


@pytest.fixture(params=["sqlite", "postgresql"])
def own_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of this test alone: it goes down and up the migrations."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
    else:
        fresh_pg_schema(SCHEMA)
        engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={SCHEMA}"})
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        drop_pg_schema(SCHEMA)


def _rows(engine: Engine) -> list[list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return roll_up_rows(conn)


def test_the_roll_ups_come_back_from_the_legs_through_every_migration(
    own_engine: Engine, tmp_path: Path
) -> None:
    ctx = ServiceContext(
        settings=Settings(data_dir=tmp_path, secret_key="test-secret-key-0123456789",
                          password_hashing="fast"),
        engine=own_engine, bus=InMemoryEventBus(), now=FakeClock(), hasher=make_hasher("fast"),
    )  # fmt: skip
    w, operators = _world(ctx)
    _save(ctx, w.company_a, _legs(operators, 600, seed=21), [50, 250])
    kept = _rows(own_engine)
    assert all(kept) and sum(r[-1] for r in kept[0]) > 0  # IVR-only calls among them

    cfg = migrate.alembic_config(own_engine)
    command.downgrade(cfg, "0003")
    assert not {t.name for t in ROLL_UPS} & set(inspect(own_engine).get_table_names())
    migrate.upgrade(own_engine)
    assert_same_roll_ups(_rows(own_engine), kept)

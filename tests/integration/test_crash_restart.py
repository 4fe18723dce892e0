"""kill -9 of the server in the middle of a predictive campaign, then a restart.

The demo's campaign is dialing with bot operators when the process is killed without
warning. After a restart: every outcome written before the kill is still there, the
attempts that were in the air are closed as interrupted (never left open, never
counted twice), no record was ever in two calls at once, and dialing goes on.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from centralino.store.db import make_engine
from support import PG_URL, drop_pg_schema, free_port, fresh_pg_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    schema = f"centralino_crash_{os.getpid()}"
    fresh_pg_schema(schema)
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    drop_pg_schema(schema)


def _start(args: list[str], data: Path, url: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        CENTRALINO_DATA_DIR=str(data), CENTRALINO_DATABASE_URL=url,
        CENTRALINO_PASSWORD_HASHING="fast", CENTRALINO_DEMO_BOTS="true",
    )  # fmt: skip
    with (data / "server.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "centralino.cli", *args, "--port", str(free_port())],
            env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip


def _wait(
    engine: Engine, sql: str, at_least: int, proc: subprocess.Popen[bytes], data: Path
) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, (data / "server.log").read_text()[-3000:]
        try:
            with engine.connect() as conn:
                if (conn.execute(text(sql)).scalar() or 0) >= at_least:
                    return
        except (OperationalError, ProgrammingError):
            pass  # not created yet
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {sql} >= {at_least}")


def _attempts(engine: Engine) -> dict[int, tuple[object, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, record_id, outcome, ended_at, started_at, hangup_cause FROM attempts")
        ).all()
    return {r.id: tuple(r) for r in rows}


@pytest.mark.slow
def test_kill_9_loses_no_outcome_and_double_dials_nothing(tmp_path: Path, database: str) -> None:
    engine = make_engine(database)
    server = _start(["demo"], tmp_path, database)
    try:
        _wait(engine, "SELECT count(*) FROM attempts WHERE connected_at IS NOT NULL "
              "AND ended_at IS NOT NULL", 1, server, tmp_path)  # fmt: skip
        _wait(engine, "SELECT count(*) FROM attempts WHERE ended_at IS NULL", 2, server, tmp_path)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    before = _attempts(engine)
    finished = {i: a for i, a in before.items() if a[3] is not None}
    in_the_air = {i for i, a in before.items() if a[3] is None}
    assert finished and in_the_air

    server = _start(["serve"], tmp_path, database)
    try:
        newest = max(before)
        _wait(engine, f"SELECT count(*) FROM attempts WHERE id > {newest} AND ended_at IS NOT NULL",
              5, server, tmp_path)  # fmt: skip
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    after = _attempts(engine)

    for i, a in finished.items():  # no outcome lost or rewritten
        assert after[i] == a
    for i in in_the_air:  # closed as interrupted, once
        assert after[i][2] == "congestion" and after[i][5] == "interrupted"
    by_record: dict[int, list[tuple[object, ...]]] = {}
    for a in after.values():
        by_record.setdefault(int(str(a[1])), []).append(a)
    for rows in by_record.values():  # never two calls to one record at once
        rows.sort(key=lambda a: a[4])  # type: ignore[arg-type, return-value]
        for prev, nxt in itertools.pairwise(rows):
            assert prev[3] is not None and prev[3] <= nxt[4], (prev, nxt)
    with engine.connect() as conn:  # each record counts exactly its closed attempts
        mismatched = conn.execute(
            text(
                "SELECT r.id FROM records r WHERE r.attempts <> (SELECT count(*) FROM attempts a "
                "WHERE a.record_id = r.id AND a.ended_at IS NOT NULL)"
            )
        ).all()
    open_now = {i for i, a in after.items() if a[3] is None}
    assert {r.id for r in mismatched} <= {int(str(after[i][1])) for i in open_now}
    engine.dispose()

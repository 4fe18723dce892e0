"""The real server for a benchmark: `centralino serve` in a subprocess, on a free local
port, on a temporary database (a SQLite file or a PostgreSQL schema), with the live engine.

The server runs in its own process so that the benchmark's clients, in this one, do not
share its event loop or its interpreter lock: what is timed is the server as deployed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from centralino.bootstrap import build_context
from centralino.services.context import ServiceContext
from centralino.settings import Settings
from centralino.store.db import make_engine

DEFAULT_PG = os.environ.get(
    "CENTRALINO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECRET = "benchmark-secret-key-0123456789"


class ServerError(RuntimeError):
    """The benchmark's server could not be prepared or did not start."""


@dataclass(slots=True)
class Served:
    url: str  # http://127.0.0.1:<port>
    database: str  # sqlite or postgresql
    log: Path  # the server's output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url(database: str, pg_url: str, workdir: Path) -> tuple[str, str | None]:
    """The server's database URL and the PostgreSQL schema made for it (None for SQLite)."""
    if database == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}", None
    schema = f"bench_events_{os.getpid()}"
    admin = make_engine(pg_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:
        raise ServerError(f"--database postgresql: cannot reach {pg_url}: {exc}") from exc
    finally:
        admin.dispose()
    url = make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def _drop_schema(pg_url: str, schema: str) -> None:
    admin = make_engine(pg_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    finally:
        admin.dispose()


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise ServerError(f"the server exited with code {proc.returncode}:\n{tail}")
        with (
            contextlib.suppress(urllib.error.URLError, OSError),
            urllib.request.urlopen(f"{url}/healthz", timeout=2) as r,
        ):
            if r.status == 200:
                return
        time.sleep(0.1)
    raise ServerError(f"the server did not answer {url}/healthz within {timeout:.0f} s")


@contextlib.contextmanager
def served(
    database: str, pg_url: str, workdir: Path, seed: Callable[[ServiceContext], None]
) -> Iterator[Served]:
    """A migrated temporary database filled by `seed`, then the server on it; both
    removed at the end."""
    if database not in ("sqlite", "postgresql"):
        raise ServerError(f"--database: {database!r} is neither sqlite nor postgresql")
    db_url, schema = _database_url(database, pg_url, workdir)
    try:
        settings = Settings(
            data_dir=workdir, database_url=db_url, secret_key=SECRET, password_hashing="fast"
        )
        ctx = build_context(settings)
        try:
            seed(ctx)
        finally:
            ctx.engine.dispose()
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CENTRALINO_")}
        env.update(
            CENTRALINO_DATA_DIR=str(workdir), CENTRALINO_DATABASE_URL=db_url,
            CENTRALINO_SECRET_KEY=SECRET, CENTRALINO_PASSWORD_HASHING="fast",
            CENTRALINO_DIALER="sim", CENTRALINO_DEMO_BOTS="false",
        )  # fmt: skip
        log = workdir / "server.log"
        url = f"http://127.0.0.1:{port}"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "centralino.cli", "serve", "--host", "127.0.0.1",
                 "--port", str(port)],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                _wait_healthy(url, proc, log, timeout=60)
                yield Served(url, database, log)
            finally:
                proc.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    finally:
        if schema is not None:
            _drop_schema(pg_url, schema)

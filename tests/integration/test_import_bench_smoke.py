"""The list import benchmark still runs: a tiny list, our figure and the bare COPY baseline
printed. Timings are not checked (they depend on the machine)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from centralino.store.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "import_bench.py"
PG_URL = os.environ.get(
    "CENTRALINO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ROWS = 2000


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--rows", str(ROWS), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _figures(out: str, label: str) -> tuple[float, int, int]:
    """rows/s, imported and rejected from the summary table's line for `label`."""
    m = re.search(
        rf"^{re.escape(label)}\s+([\d,]+)\s+[\d.]+\s+\d+\s+([\d,]+)\s+([\d,]+)$", out, re.M
    )
    assert m, f"no line for {label!r} in:\n{out}"
    rate, imported, rejected = (int(g.replace(",", "")) for g in m.groups())
    return rate, imported, rejected


def _pg_reachable() -> bool:
    engine = make_engine(PG_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except OperationalError:
        if os.environ.get("CI"):
            raise
        return False
    finally:
        engine.dispose()


def test_the_benchmark_runs_on_sqlite() -> None:
    out = _run("--backend", "sqlite")
    assert f"generated {ROWS:,} rows" in out
    assert re.search(rf"^import into sqlite: {ROWS:,} rows in [\d.]+ s = [\d,]+ rows/s", out, re.M)
    rate, imported, rejected = _figures(out, "import into sqlite")
    assert rate > 0 and imported + rejected == ROWS and rejected > 0  # the list has bad rows
    assert "goal: >= 50,000 rows/s into PostgreSQL" in out


@pytest.mark.postgres
def test_the_benchmark_prints_ours_beside_a_bare_copy_on_postgresql() -> None:
    if not _pg_reachable():
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    out = _run("--backend", "postgresql", "--pg-url", PG_URL)
    ours, imported, rejected = _figures(out, "import into postgresql")
    copy, copied, _ = _figures(out, "bare COPY, PostgreSQL")
    assert ours > 0 and copy > 0
    assert imported + rejected == ROWS and copied == ROWS

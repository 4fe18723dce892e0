"""The report benchmark still runs: a small month, ours beside the plain GROUP BY, and
the two agree on every figure. Timings are not checked (they depend on the machine)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from support import PG_URL

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "reports_bench.py"
ROWS = 3000


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--rows", str(ROWS), "--runs", "1", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _check(out: str, backend: str) -> None:
    assert re.search(
        rf"^{backend}: 50 services, 1,000 operators .* generated {ROWS:,} legs", out, re.M
    )
    for report in ("hourly detail per service", "operators per service"):
        assert re.search(rf"^{report}\s+[\d.]+s\s+[\d.]+s\s+[\d.]+s\s+[\d,]+$", out, re.M), out
    assert "ours and GROUP BY agree on every figure" in out


def test_the_benchmark_runs_on_sqlite() -> None:
    _check(_run("--backend", "sqlite"), "sqlite")


@pytest.mark.postgres
def test_the_benchmark_runs_on_postgresql() -> None:
    from test_import_bench_smoke import _pg_reachable

    if not _pg_reachable():
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    _check(_run("--backend", "postgresql", "--pg-url", PG_URL), "postgresql")

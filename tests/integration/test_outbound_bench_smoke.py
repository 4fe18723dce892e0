"""The outbound report benchmark still runs: a small month, every report timed, and every
campaign's figures equal to the recount of its attempts. Timings are not checked."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from support import PG_URL

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "outbound_reports_bench.py"


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--attempts", "3000", "--operators", "4", "--runs", "1",
         *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _check(out: str, backend: str) -> None:
    assert re.search(
        rf"^{backend}: 20 campaigns, 100 lists, 4 operators; 3,000 attempts", out, re.M
    )
    for report in ("campaigns", "campaign-lists", "campaign-operators", "operator-outcomes",
                   "presence"):  # fmt: skip
        assert re.search(rf"^{report}\s+[\d.]+s\s+[\d.]+s\s+[\d,]+$", out, re.M), out
    assert "every campaign's figures equal the recount of its attempts" in out


def test_the_benchmark_runs_on_sqlite() -> None:
    _check(_run("--backend", "sqlite"), "sqlite")


@pytest.mark.postgres
def test_the_benchmark_runs_on_postgresql() -> None:
    from test_import_bench_smoke import _pg_reachable

    if not _pg_reachable():
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    _check(_run("--backend", "postgresql", "--pg-url", PG_URL), "postgresql")

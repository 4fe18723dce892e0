"""The event-stream benchmark still runs: a few operators against the real server, the
event stream beside polling, every change received. Times are not checked (they depend
on the machine)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from support import PG_URL

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--clients", "10", "--changes", "40", "--rate", "20", "--pollers", "3",
         "--poll-seconds", "6"]  # fmt: skip


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "centralino.cli", "bench", "events", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_the_event_stream_beside_polling_on_sqlite() -> None:
    done = _bench(*SMALL, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert (data["database"], data["clients"], data["goal_p99_ms"]) == ("sqlite", 10, 250.0)
    stream, polling = data["runs"]
    assert stream["name"] == "event stream (WebSocket)" and stream["clients"] == 10
    assert stream["changes"] == stream["received"] == 40
    assert stream["lost"] == stream["mismatched"] == 0
    assert polling["name"] == "polling GET /me/phone every 1 s" and polling["clients"] == 3
    assert 3 <= polling["changes"] <= 9  # each poller's state changes every 2 to 4 s
    assert 1 <= polling["received"] <= polling["changes"]
    for run in data["runs"]:
        keys = ("p50_ms", "p95_ms", "p99_ms", "max_ms", "requests_p50_ms", "requests_p99_ms")
        assert all(isinstance(run[k], float) for k in keys), run
        assert run["p50_ms"] <= run["p95_ms"] <= run["p99_ms"] <= run["max_ms"]
    assert isinstance(data["goal_met"], bool) and len(data["load_average_after"]) == 3


@pytest.mark.postgres
def test_the_table_on_postgresql() -> None:
    from test_import_bench_smoke import _pg_reachable

    if not _pg_reachable():
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    done = _bench(*SMALL, "--database", "postgresql", "--pg-url", PG_URL)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "10 operators, postgresql (baseline: polling every 1 s)" in out
    num = r"[\d.]+"
    row = r"│ event stream \(WebSocket\)\s+│\s+10 │\s+40 │\s+40 │\s+0 │" + rf"\s+{num} │" * 6
    assert re.search(row, out), out
    assert re.search(r"│ polling GET /me/phone every 1 s\s+│\s+3 │", out), out
    assert re.search(r"Goal: event stream p99 under 250 ms: (met|MISSED)", out), out


def test_nonsense_is_refused_before_anything_starts() -> None:
    done = _bench("--clients", "5", "--pollers", "6", "--database", "oracle")
    assert done.returncode == 2
    assert "--pollers must be between 1 and --clients" in done.stdout
    assert "--database: 'oracle' is neither sqlite nor postgresql" in done.stdout

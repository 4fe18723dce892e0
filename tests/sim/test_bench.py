"""Smoke run of `centralino bench sim`: both simulators, side by side, on a small model."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from centralino.cli import app


def test_bench_sim_prints_ours_beside_simpy() -> None:
    r = CliRunner().invoke(
        app,
        ["bench", "sim", "--customers", "3000", "--servers", "10", "--scenario", "demo", "--json"],
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    names = [run["name"] for run in data["mmc"]["runs"]]
    assert names == ["SimPy 4", "Centralino event kernel", "Centralino whole stack"]
    for run in data["mmc"]["runs"]:
        assert run["events_per_second"] > 0 and run["customers"] > 2000
    assert data["day"]["calls"] > 1000 and data["day"]["wall_seconds"] > 0


def test_bench_sim_table() -> None:
    r = CliRunner().invoke(
        app, ["bench", "sim", "--customers", "1000", "--servers", "5", "--scenario", "demo"]
    )
    assert r.exit_code == 0, r.output
    assert "SimPy" in r.output and "goal: under 30 s" in r.output


def test_bench_sim_rejects_nonsense() -> None:
    r = CliRunner().invoke(app, ["bench", "sim", "--load", "1.5"])
    assert r.exit_code == 2 and "0 < load < 1" in r.output


def test_bench_routing_prints_ours_beside_the_naive_scan() -> None:
    r = CliRunner().invoke(
        app,
        ["bench", "routing", "--operators", "300", "--queues", "30", "--decisions", "500",
         "--scenario", "", "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert [run["name"] for run in data["runs"]] == [
        "Centralino tier router",
        "naive scan of all operators",
    ]
    assert data["same_choice"] == data["decisions"] == 500
    assert all(run["p99_us"] > 0 for run in data["runs"]) and data["day"] is None


def test_bench_routing_table_and_day() -> None:
    r = CliRunner().invoke(
        app, ["bench", "routing", "--operators", "100", "--queues", "10", "--decisions", "200",
              "--scenario", "demo"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "naive scan" in r.output and "Demo center" in r.output and "s wall" in r.output

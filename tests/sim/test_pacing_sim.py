"""Pacing on the simulated network: predictive holds the cap and beats power 1:1."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from centralino.bench.dialer import run
from centralino.cli import app


def test_predictive_holds_the_abandon_cap_and_talks_more_than_power() -> None:
    power = run("power", 1.0, operators=30, hours=2.0, seed=3)
    pred = run("predictive", 1.0, operators=30, hours=2.0, seed=3)
    assert pred.abandon_rate <= 0.03
    assert pred.talk_minutes_per_operator_hour > 1.2 * power.talk_minutes_per_operator_hour
    assert pred.talk_minutes_per_operator_hour < pred.bound()


def test_power_one_to_one_almost_never_abandons() -> None:
    power = run("power", 1.0, operators=20, hours=1.0, seed=4)
    assert power.abandon_rate < 0.005  # only when an operator pauses with a line ringing


def test_bench_dialer_smoke() -> None:
    r = CliRunner().invoke(
        app, ["bench", "dialer", "--operators", "10", "--hours", "0.5", "--json"]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert [x["name"] for x in data["runs"]] == ["power 1:1", "power 2:1", "predictive", "preview"]
    assert data["bound_talk_minutes_per_operator_hour"] > 0
    r = CliRunner().invoke(app, ["bench", "dialer", "--operators", "10", "--hours", "0.5"])
    assert r.exit_code == 0 and "Upper bound" in r.output

"""Scenario files: built-ins load; every kind of mistake gives one error with file, key, reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from centralino.cli import app
from centralino.sim.runner import Simulation
from centralino.sim.scenario import ScenarioError, builtin_scenarios, load_scenario, parse_scenario

GOOD = """
[center]
hours = 1
seed = 3

[[queues]]
name = "care"

[[services]]
name = "line"
number = "+3900"
queue = "care"
arrivals = { per_hour = 60 }
talk = { dist = "exponential", mean = 120 }

[[teams]]
name = "t"
count = 3
queues = ["care"]
"""


def test_builtin_scenarios_load() -> None:
    assert {"demo", "center-1000"} <= set(builtin_scenarios())
    for name in builtin_scenarios():
        assert load_scenario(name).teams


@pytest.mark.parametrize(
    ("change", "key", "reason"),
    [
        (("hours = 1", "hours = 1\ncolour = 'red'"), "center.colour", "unknown key"),
        (("count = 3", "count = 'three'"), "teams[0].count", "valid integer"),
        (("count = 3", "count = 0"), "teams[0].count", "greater than or equal to 1"),
        (
            ('queues = ["care"]', 'queues = ["sales"]'),
            "teams[0].queues[0]",
            "no queue named 'sales'",
        ),
        (("mean = 120", "mean = -5"), "services[0].talk.mean", "greater than 0"),
        (('dist = "exponential"', 'dist = "pareto"'), "services[0].talk", "dist"),
        (("per_hour = 60", "profile = [1, 2]"), "services[0].arrivals.profile", "1 values, got 2"),
        (
            ('number = "+3900"', 'number = "+3900"\nnumber2 = 1'),
            "services[0].number2",
            "unknown key",
        ),
        (
            ("seed = 3", "seed = 3\ntimezone = 'Mars/Olympus'"),
            "center.timezone",
            "unknown time zone",
        ),
        (("[[teams]]", "[[teams]\n"), "(syntax)", "line"),
    ],
)
def test_one_clear_error_naming_file_key_and_reason(
    change: tuple[str, str], key: str, reason: str
) -> None:
    text = GOOD.replace(*change, 1)
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "day.toml")
    err = caught.value
    assert err.file == "day.toml" and err.key == key, str(err)
    assert reason in err.reason
    assert str(err).startswith(f"day.toml: {key}: ")


def test_population_shares_must_add_up() -> None:
    text = (
        GOOD
        + """
[[populations]]
name = "p"
answered = 0.5
busy = 0.2
talk = 60
"""
    )
    with pytest.raises(ScenarioError, match=r"populations\[0\]: the result shares add up to 0.7"):
        parse_scenario(text, "x.toml")


def test_missing_file_names_the_builtins(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"no such file \(built-in: .*demo"):
        load_scenario(tmp_path / "nope.toml")


def test_same_seed_same_day() -> None:
    sc = parse_scenario(GOOD)
    a = Simulation(sc).run().to_dict()
    b = Simulation(parse_scenario(GOOD)).run().to_dict()
    for d in (a, b):
        d.pop("wall_seconds")
        d.pop("events_per_second")
    assert a == b and a["calls"] > 30


def test_cli_sim_run_prints_the_figures_and_json() -> None:
    r = CliRunner().invoke(app, ["sim", "run", "demo", "--hours", "1"])
    assert r.exit_code == 0, r.output
    for words in ("Inbound queues", "Outbound campaigns", "Operators", "service level"):
        assert words in r.output
    r = CliRunner().invoke(app, ["sim", "run", "demo", "--hours", "1", "--json", "--seed", "5"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["queues"]["care"]["offered"] > 0
    assert data["campaigns"]["Energy offers"]["dials"] > 0
    assert 0 <= data["total"]["occupancy"] <= 1


def test_cli_sim_run_rejects_a_bad_file_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("count = 3", "count = -1"))
    r = CliRunner().invoke(app, ["sim", "run", str(bad)])
    assert r.exit_code == 2
    assert r.output.strip().startswith("error:") and "teams[0].count" in r.output
    assert len(r.output.strip().splitlines()) == 1

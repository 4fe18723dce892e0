"""`centralino sim`: run a scenario in virtual time and print its key figures."""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from centralino.sim.runner import SimResult, Simulation
from centralino.sim.scenario import ScenarioError, builtin_scenarios, load_scenario

app = typer.Typer(help="Simulate a call center in virtual time.", no_args_is_help=True)
out = Console(width=None if sys.stdout.isatty() else 140)  # wide tables in pipes and CI
err = Console(stderr=True)


def _pct(v: object) -> str:
    return "-" if v is None else f"{float(v) * 100:.1f}%"  # type: ignore[arg-type]


def _num(v: object, fmt: str = ".1f") -> str:
    return "-" if v is None else format(float(v), fmt)  # type: ignore[arg-type]


def print_result(res: SimResult, console: Console) -> None:
    d = res.to_dict()
    console.print(
        f"[bold]{res.scenario}[/bold]: {d['start']} to {d['end']} · {res.calls:,} calls · "
        f"{res.events:,} events in {res.wall_seconds:.2f} s",
        highlight=False,
    )
    if res.queues:
        t = Table(title="Inbound queues")
        for col in ("queue", "offered", "answered", "abandoned", "unanswered", "refused",
                    "service level", "ASA s", "abandon rate", "positive"):  # fmt: skip
            t.add_column(col, justify="left" if col == "queue" else "right")
        for name, q in res.queues.items():
            t.add_row(
                name, str(q["offered"]), str(q["answered"]), str(q["abandoned"]),
                str(q["unanswered"]), str(q["refused"]),
                f"{_pct(q['service_level'])} in {q['target_seconds']:g} s", _num(q["asa_seconds"]),
                _pct(q["abandon_rate"]), str(q["positive"]),
            )  # fmt: skip
        console.print(t)
    if res.campaigns:
        t = Table(title="Outbound campaigns")
        for col in ("campaign", "dials", "answered", "connected", "abandon rate",
                    "talk min/op h", "occupancy", "positive", "positive/h"):  # fmt: skip
            t.add_column(col, justify="left" if col == "campaign" else "right")
        for name, c in res.campaigns.items():
            t.add_row(
                name, str(c["dials"]), str(c["answered"]), str(c["connected"]),
                _pct(c["abandon_rate"]), _num(c["talk_minutes_per_operator_hour"]),
                _pct(c["occupancy"]), str(c["positive"]), _num(c["positives_per_hour"], ".2f"),
            )  # fmt: skip
        console.print(t)
    t = Table(title="Operators")
    for col in ("team", "operators", "logged h", "occupancy", "talk min/op h", "paused"):
        t.add_column(col, justify="left" if col == "team" else "right")
    for name, tm in res.teams.items():
        t.add_row(
            name, str(tm["operators"]), _num(tm["logged_hours"]), _pct(tm["occupancy"]),
            _num(tm["talk_minutes_per_operator_hour"]), _pct(tm["pause_share"]),
        )  # fmt: skip
    console.print(t)
    tot = res.total
    console.print(
        f"Total: service level {_pct(tot['service_level'])}, ASA {_num(tot['asa_seconds'])} s, "
        f"abandon {_pct(tot['abandon_rate'])} inbound / {_pct(tot['outbound_abandon_rate'])} "
        f"outbound, occupancy {_pct(tot['occupancy'])}, "
        f"talk {_num(tot['talk_minutes_per_operator_hour'])} min per operator hour, "
        f"positive outcomes {tot['positive']}",
        highlight=False,
    )


@app.command("run")
def run(
    scenario: str = typer.Argument(
        ..., help=f"A scenario file (TOML) or a built-in name: {', '.join(builtin_scenarios())}"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    seed: int | None = typer.Option(None, help="Override the scenario's seed."),
    hours: float | None = typer.Option(None, help="Override the length of the day (hours)."),
) -> None:
    """Run a day of the scenario in virtual time and print service level, ASA, abandon rate,
    occupancy, talk time per operator hour and positive outcomes."""
    try:
        sc = load_scenario(scenario)
    except ScenarioError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if seed is not None:
        sc.center.seed = seed
    if hours is not None:
        if not 0 < hours <= 24 * 31:
            err.print("[red]error:[/red] --hours: must be between 0 and 744", highlight=False)
            raise typer.Exit(2)
        sc.center.hours = hours
    sim = Simulation(sc)
    span = sim.end - sim.start
    with Progress(
        TextColumn("[bold]simulating[/bold]"), BarColumn(), TextColumn("{task.description}"),
        TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal,
    ) as bar:  # fmt: skip
        task = bar.add_task("", total=span)

        def progress(t: float) -> None:
            done = min(span, t - sim.start)
            bar.update(
                task, completed=done, description=f"{done / 3600:.1f} h of {span / 3600:g} h"
            )

        res = sim.run(progress)
    if as_json:
        out.print_json(json.dumps(res.to_dict()))
    else:
        print_result(res, out)

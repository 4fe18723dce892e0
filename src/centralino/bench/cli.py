"""`centralino bench`: benchmarks that print our figure beside the baseline in one run."""

from __future__ import annotations

import json
import sys
import time

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Benchmarks: our figure and the baseline side by side.", no_args_is_help=True
)
out = Console(width=None if sys.stdout.isatty() else 140)  # wide tables in pipes and CI


@app.command("sim")
def sim(
    customers: int = typer.Option(200_000, help="Customers through the M/M/c queue."),
    servers: int = typer.Option(50, help="Servers (operators) of the M/M/c queue."),
    load: float = typer.Option(0.9, help="Utilisation of the M/M/c queue."),
    scenario: str = typer.Option("center-1000", help="The day to time after the M/M/c race."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """The same M/M/c model in SimPy and in our simulator (events and customers per
    second side by side), then the wall time of a whole day of a large center."""
    from centralino.bench.mmc import run_kernel, run_simpy, run_stack
    from centralino.domain import erlang
    from centralino.sim.runner import Simulation
    from centralino.sim.scenario import load_scenario

    if customers < 100 or servers < 1 or not 0 < load < 1:
        out.print("[red]error:[/red] need customers >= 100, servers >= 1, 0 < load < 1")
        raise typer.Exit(2)
    mu = 1 / 180.0
    lam = load * servers * mu
    runs = [f(servers, lam, mu, customers, 42) for f in (run_simpy, run_kernel, run_stack)]
    base = runs[0]
    expected = erlang.asa_c(servers, lam / mu, 1 / mu)
    t0 = time.perf_counter()
    res = Simulation(load_scenario(scenario)).run()
    day_wall = time.perf_counter() - t0
    figures = {
        "mmc": {
            "servers": servers, "load": load, "customers": customers,
            "erlang_c_mean_wait": expected,
            "runs": [
                {"name": r.name, "customers": r.customers, "events": r.events,
                 "wall_seconds": r.wall,
                 "events_per_second": r.events_per_second,
                 "model_events_per_second": r.model_events_per_second,
                 "customers_per_second": r.customers_per_second, "mean_wait": r.mean_wait,
                 "speed_vs_simpy_events": r.events_per_second / base.events_per_second,
                 "speed_vs_simpy_model_events":
                     r.model_events_per_second / base.model_events_per_second}
                for r in runs
            ],
        },
        "day": {
            "scenario": res.scenario, "calls": res.calls, "events": res.events,
            "operators": sum(int(str(t["operators"])) for t in res.teams.values()),
            "wall_seconds": day_wall, "goal_seconds": 30.0,
        },
    }  # fmt: skip
    if as_json:
        out.print_json(json.dumps(figures))
        return
    t = Table(title=f"M/M/{servers} at {load:.0%} load, {customers:,} customers (baseline: SimPy)")
    for col in ("simulator", "wall s", "model events/s", "× SimPy", "scheduled events",
                "scheduled/s", "× SimPy", "mean wait s"):  # fmt: skip
        t.add_column(col, justify="left" if col == "simulator" else "right")
    for r in runs:
        t.add_row(
            r.name, f"{r.wall:.2f}", f"{r.model_events_per_second:,.0f}",
            f"{r.model_events_per_second / base.model_events_per_second:.1f}",
            f"{r.events:,}", f"{r.events_per_second:,.0f}",
            f"{r.events_per_second / base.events_per_second:.1f}", f"{r.mean_wait:.2f}",
        )  # fmt: skip
    out.print(t)
    out.print(
        "model events = arrivals + departures (2 per customer, the same in every run); "
        "scheduled events = what each simulator's own scheduler ran (SimPy: 6 per customer; "
        "the whole stack: every telephony event and timer of each call). Goal: the kernel at "
        "5x SimPy in model events per second.",
        highlight=False,
        soft_wrap=True,
    )
    out.print(f"Erlang C mean wait for this queue: {expected:.2f} s", highlight=False)
    d = figures["day"]
    out.print(
        f"{res.scenario}: {d['operators']:,} operators, {res.calls:,} calls, "
        f"{res.events:,} events: {day_wall:.1f} s wall (goal: under 30 s)",
        highlight=False,
        soft_wrap=True,
    )


@app.command("dialer")
def dialer(
    operators: int = typer.Option(50, help="Operators on the campaign."),
    hours: float = typer.Option(6.0, help="Length of the shift."),
    seed: int = typer.Option(5, help="Seed of the simulated day."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """One outbound shift under power 1:1 (the baseline), power 2:1 and predictive: talk
    time per operator hour, occupancy, abandon rate, positives per hour, and the bound."""
    from centralino.bench.dialer import run

    if operators < 1 or not 0 < hours <= 24:
        out.print("[red]error:[/red] need operators >= 1 and 0 < hours <= 24")
        raise typer.Exit(2)
    modes = (("power", 1.0), ("power", 2.0), ("predictive", 1.0), ("preview", 1.0))
    runs = [run(m, r, operators, hours, seed) for m, r in modes]
    base, pred = runs[0], runs[2]
    bound = pred.bound()
    figures = {
        "operators": operators, "hours": hours, "bound_talk_minutes_per_operator_hour": bound,
        "runs": [
            {"name": r.name, "talk_minutes_per_operator_hour": r.talk_minutes_per_operator_hour,
             "vs_power_1_1": r.talk_minutes_per_operator_hour / base.talk_minutes_per_operator_hour,
             "share_of_bound": r.talk_minutes_per_operator_hour / bound,
             "occupancy": r.occupancy, "abandon_rate": r.abandon_rate,
             "positives_per_hour": r.positives_per_hour, "dials": r.dials,
             "connected": r.connected, "wall_seconds": r.wall}
            for r in runs
        ],
    }  # fmt: skip
    if as_json:
        out.print_json(json.dumps(figures))
        return
    t = Table(title=f"{operators} operators, {hours:g} h, about 25% answered (baseline: power 1:1)")
    for col in ("pacing", "talk min/op h", "× power 1:1", "of bound", "occupancy",
                "abandon", "positives/op h", "dials", "connected"):  # fmt: skip
        t.add_column(col, justify="left" if col == "pacing" else "right")
    for r in runs:
        t.add_row(
            r.name, f"{r.talk_minutes_per_operator_hour:.1f}",
            f"{r.talk_minutes_per_operator_hour / base.talk_minutes_per_operator_hour:.2f}",
            f"{r.talk_minutes_per_operator_hour / bound:.1%}", f"{r.occupancy:.1%}",
            f"{r.abandon_rate:.2%}", f"{r.positives_per_hour:.2f}", f"{r.dials:,}",
            f"{r.connected:,}",
        )  # fmt: skip
    out.print(t)
    out.print(
        f"Upper bound: {bound:.1f} talk minutes per operator hour = 60 x (1 - pause share "
        f"{pred.pause_share:.1%}) x talk / (talk + wrap-up). Goals: predictive at least 1.4x "
        "power 1:1, abandon at or under 3%, within 10% of the bound. Preview: the operator "
        "reads each record for about 6 s before dialing (occupancy counts that time).",
        highlight=False,
        soft_wrap=True,
    )


@app.command("routing")
def routing(
    operators: int = typer.Option(5000, help="Operators in the center."),
    queues: int = typer.Option(500, help="Queues."),
    ready: float = typer.Option(0.2, help="Share of operators ready at any moment."),
    decisions: int = typer.Option(20_000, help="Routing decisions timed."),
    scenario: str = typer.Option(
        "center-1000", help="An inbound day to time after the race ('' for none)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Routing decision latency (call ready to be offered -> operator chosen), p50 and
    p99, beside a naive scan of the same operators; then the wall time of an inbound day."""
    from centralino.bench.routing import run
    from centralino.sim.runner import Simulation
    from centralino.sim.scenario import load_scenario

    if operators < 1 or queues < 1 or not 0 < ready <= 1 or decisions < 100:
        out.print("[red]error:[/red] need operators, queues >= 1, 0 < ready <= 1, decisions >= 100")
        raise typer.Exit(2)
    res = run(operators, queues, ready, decisions=decisions)
    day: dict[str, object] | None = None
    if scenario:
        t0 = time.perf_counter()
        sim = Simulation(load_scenario(scenario))
        result = sim.run()
        wall = time.perf_counter() - t0
        day = {
            "scenario": result.scenario,
            "operators": sum(len(ids) for ids in sim.team_ops.values()),
            "hours": sim.sc.center.hours,
            "calls": result.calls,
            "service_level": result.total.get("service_level"),
            "wall_seconds": wall,
        }
    figures = {
        "operators": operators, "queues": queues, "ready_share": ready,
        "decisions": res.decisions, "same_choice": res.agreed,
        "runs": [
            {"name": lat.name, "p50_us": lat.pct(50), "p99_us": lat.pct(99),
             "mean_us": lat.mean_us}
            for lat in (res.ours, res.naive)
        ],
        "goal_p99_us": 200.0,
        "day": day,
    }  # fmt: skip
    if as_json:
        out.print_json(json.dumps(figures))
        return
    t = Table(
        title=f"Routing decision, {operators:,} operators, {queues:,} queues, {ready:.0%} ready "
        "(baseline: naive scan)"
    )
    for col in ("router", "p50 µs", "p99 µs", "mean µs", "× faster at p99"):
        t.add_column(col, justify="left" if col == "router" else "right")
    for lat in (res.ours, res.naive):
        t.add_row(
            lat.name, f"{lat.pct(50):.1f}", f"{lat.pct(99):.1f}", f"{lat.mean_us:.1f}",
            f"{res.naive.pct(99) / lat.pct(99):.0f}",
        )  # fmt: skip
    out.print(t)
    out.print(
        f"{res.agreed:,} of {res.decisions:,} decisions chose the same operator in both. "
        "Goal: p99 under 200 µs.",
        highlight=False,
        soft_wrap=True,
    )
    if day is not None:
        out.print(
            f"{day['scenario']}: {day['operators']:,} operators, {day['hours']:g} h, "
            f"{day['calls']:,} calls: {day['wall_seconds']:.1f} s wall",
            highlight=False,
            soft_wrap=True,
        )


@app.command("events")
def events(
    clients: int = typer.Option(500, help="Operators, each with a panel on the event stream."),
    changes: int = typer.Option(2000, help="State changes timed on the event stream."),
    rate: float = typer.Option(50.0, help="State changes per second, the operators in turn."),
    pollers: int = typer.Option(50, help="Baseline: operators whose panel polls every 1 s."),
    poll_seconds: float = typer.Option(30.0, help="Baseline: how long the pollers run."),
    database: str = typer.Option("sqlite", help="sqlite or postgresql (a temporary schema)."),
    pg_url: str = typer.Option("", help="PostgreSQL URL (default: CENTRALINO_TEST_PG_URL)."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Latency from an operator's state change in the engine to its receipt by the panel:
    the event stream with --clients WebSocket clients in this process, against the real
    server; beside the panel's previous design, polling GET /api/v1/me/phone every second."""
    import asyncio
    import tempfile
    from pathlib import Path

    from centralino.bench import events as ev
    from centralino.bench.server import DEFAULT_PG, ServerError, served

    problems = []
    if clients < 1:
        problems.append("--clients must be at least 1")
    if changes < 1 or rate <= 0:
        problems.append("--changes must be at least 1 and --rate above 0")
    if not 1 <= pollers <= clients:
        problems.append("--pollers must be between 1 and --clients")
    if poll_seconds < 3:
        problems.append("--poll-seconds must be at least 3")
    if database not in ("sqlite", "postgresql"):
        problems.append(f"--database: {database!r} is neither sqlite nor postgresql")
    if problems:
        out.print(f"[red]error:[/red] {'; '.join(problems)}", highlight=False)
        raise typer.Exit(2)
    usernames: list[str] = []
    load_before = ev.load()
    try:
        ev.raise_file_limit(2 * clients + 256)
        with tempfile.TemporaryDirectory(prefix="centralino-bench-") as tmp:

            def seed(ctx):  # type: ignore[no-untyped-def]
                usernames.extend(ev.seed(ctx, clients))

            with served(database, pg_url or DEFAULT_PG, Path(tmp), seed) as server:
                stream, polling = asyncio.run(
                    ev.run(server.url, usernames, changes, rate, pollers, poll_seconds)
                )
    except (ServerError, ev.BenchError) as exc:
        out.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    load_after = ev.load()
    goal_ms = 250.0
    p99 = stream.latency.pct_ms(99) if stream.latency.samples_ns else None
    runs = [stream.figures(), polling.figures()]
    figures = {
        "database": database, "clients": clients, "rate_per_second": rate, "runs": runs,
        "goal_p99_ms": goal_ms, "goal_met": p99 is not None and p99 < goal_ms,
        "load_average_before": list(load_before), "load_average_after": list(load_after),
    }  # fmt: skip
    if as_json:
        out.print_json(json.dumps(figures))
        return
    t = Table(
        title=f"Operator panel: state change -> receipt, {clients:,} operators, {database} "
        "(baseline: polling every 1 s)"
    )
    for col in ("panel", "clients", "changes", "received", "lost", "p50 ms", "p95 ms",
                "p99 ms", "max ms", "API p50 ms", "API p99 ms"):  # fmt: skip
        t.add_column(col, justify="left" if col == "panel" else "right")
    for f in runs:
        ms = [f[k] for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "requests_p50_ms",
                             "requests_p99_ms")]  # fmt: skip
        t.add_row(
            f["name"], f"{f['clients']:,}", f"{f['changes']:,}", f"{f['received']:,}",
            f"{f['lost']:,}", *("—" if v is None else f"{v:.1f}" for v in ms),
        )  # fmt: skip
    out.print(t)
    verdict = "met" if figures["goal_met"] else "MISSED"
    out.print(
        f"Event stream: {changes:,} pauses and readies at {rate:g}/s through the API, the "
        f"operators in turn; polling: {pollers} of them changing every 2 to 4 s for "
        f"{poll_seconds:g} s. API columns: the requests that made the changes (polling: "
        f"the GETs). Goal: event stream p99 under {goal_ms:.0f} ms: {verdict}. Load average "
        f"(1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}.",
        highlight=False,
        soft_wrap=True,
    )
    if stream.mismatched or polling.mismatched:
        out.print(f"[red]{stream.mismatched} events brought another state than asked for[/red]")

"""`centralino report NAME --company C --from D --to D --out FILE`: IN-9 and OUT-9 spreadsheets.

A trusted local command, like `import`: it reads as a supervisor of the company's root
group (every group of that company, nothing of another). Exit status 0, or 2 with one
line on stderr when the options or the company are refused.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

err = Console(stderr=True)
console = Console()

_HELP = (
    "services (summary per service), queues (summary per queue), detail (per service by "
    "--by hour, day or month), operators (operators per service), operator-services "
    "(services per operator), calls (received calls), campaigns (outbound summary), "
    "campaign-lists, campaign-groups, campaign-operators (a campaign's lists, groups of "
    "operators, operators), outcomes (per campaign), operator-outcomes (per campaign and "
    "operator), presence (operators' presence and pauses per day), service-levels (met "
    "and missed, per --by bucket and for the period), all (every one: .xlsx only)"
)


def _fail(message: str) -> None:
    err.print(f"error: {message}", highlight=False, soft_wrap=True, markup=False)
    raise typer.Exit(2)


def report(
    name: str = typer.Argument(..., help=_HELP),
    company: str = typer.Option(..., "--company", help="Company id or name"),
    first: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD (company time)"),
    last: str = typer.Option(..., "--to", help="Last day, YYYY-MM-DD, included"),
    by: str = typer.Option("hour", "--by", help="Buckets of the detail: hour, day or month"),
    weekdays: str | None = typer.Option(
        None, "--weekdays", help="Days kept, 0 Monday … 6 Sunday: 0-4, or 0,2,5-6"
    ),
    hours: str | None = typer.Option(
        None, "--hours", help="Hours kept: 9-18 is 09:00 to 18:00; 9,14-18 also works"
    ),
    out: Path = typer.Option(..., "--out", help="FILE.xlsx or FILE.csv"),
) -> None:
    """Write a statistics report over a period (inbound IN-8, IN-9; outbound and presence OUT-9)."""
    from centralino.bootstrap import build_context
    from centralino.domain.errors import DomainError
    from centralino.reports.request import ReportRequest, render
    from centralino.services.trusted import company_supervisor

    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        _fail(f"--out: {out} must end in .xlsx or .csv")
    if suffix == ".csv" and name == "all":
        _fail("--out: the report 'all' has several sheets; write it to a .xlsx file")
    try:
        ctx = build_context()
        actor = company_supervisor(ctx, company, "command line")
        request = ReportRequest.parse(actor.company_id, name, first, last, by, weekdays, hours)
        chunks = request.csv_stream(ctx, actor) if suffix == ".csv" else None
        if chunks is None:
            sheets = request.sheets(ctx, actor)
            data = render(sheets, suffix[1:])
    except DomainError as exc:
        _fail(f"--{exc.field}: {exc.message}" if exc.field else exc.message)
    try:
        if chunks is not None:  # received calls: any number, written as they are read
            with out.open("w", encoding="utf-8", newline="") as f:
                for chunk in chunks:
                    f.write(chunk)
        else:
            out.write_bytes(data)
    except OSError as exc:
        _fail(f"--out: cannot write {out}: {exc.strerror or exc}")
    rows = chunks.rows if chunks is not None else sum(len(s.rows) for s in sheets)
    console.print(f"{name}: {rows} rows written to {out}", highlight=False, soft_wrap=True)

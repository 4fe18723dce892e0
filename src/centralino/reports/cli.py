"""`centralino report NAME --company C --from D --to D --out FILE`: IN-9 and OUT-9 spreadsheets.

A trusted local command, like `import`: it reads as a supervisor of the company's root
group (every group of that company, nothing of another). Exit status 0, or 2 with one
line on stderr when the options or the company are refused.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from centralino.domain.access import Principal
    from centralino.services.context import ServiceContext

err = Console(stderr=True)
console = Console()

_HELP = (
    "services (summary per service), queues (summary per queue), detail (per service by "
    "--by hour, day or month), operators (operators per service), operator-services "
    "(services per operator), calls (received calls), campaigns (outbound summary), "
    "campaign-lists, campaign-groups, campaign-operators (a campaign's lists, groups of "
    "operators, operators), outcomes (per campaign), operator-outcomes (per campaign and "
    "operator), presence (operators' presence and pauses per day), all (every one: .xlsx "
    "only)"
)


def _fail(message: str) -> None:
    err.print(f"error: {message}", highlight=False, soft_wrap=True, markup=False)
    raise typer.Exit(2)


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"{option}: {text!r} is not a date like 2026-03-29")
        raise  # unreachable: _fail exits


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
    from centralino.domain.reports import BucketBy, Filters, parse_hours, parse_ranges
    from centralino.reports.inbound import ReportQuery
    from centralino.reports.sheets import REPORTS, build
    from centralino.reports.xlsx import write_csv, write_xlsx

    if name != "all" and name not in REPORTS:
        _fail(f"unknown report {name!r}; choose one of {', '.join(REPORTS)}, all")
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        _fail(f"--out: {out} must end in .xlsx or .csv")
    if suffix == ".csv" and name == "all":
        _fail("--out: the report 'all' has several sheets; write it to a .xlsx file")
    try:
        bucket = BucketBy(by)
    except ValueError:
        _fail(f"--by: {by!r}; choose hour, day or month")
    try:
        filters = Filters(
            parse_ranges(weekdays, 0, 6, "weekdays") if weekdays else None,
            parse_hours(hours) if hours else None,
        )
        ctx = build_context()
        actor, company_id = _trusted(ctx, company)
        q = ReportQuery(company_id, _day(first, "--from"), _day(last, "--to"), bucket, filters)
        sheets = build(ctx, actor, [name], q)
    except DomainError as exc:
        _fail(f"--{exc.field}: {exc.message}" if exc.field else exc.message)
    try:
        if suffix == ".csv":
            with out.open("w", encoding="utf-8", newline="") as f:
                write_csv(f, sheets[0])
        else:
            write_xlsx(out, sheets)
    except OSError as exc:
        _fail(f"--out: cannot write {out}: {exc.strerror or exc}")
    rows = sum(len(s.rows) for s in sheets)
    console.print(f"{name}: {rows} rows written to {out}", highlight=False, soft_wrap=True)


def _trusted(ctx: ServiceContext, company: str) -> tuple[Principal, int]:
    """The command line as a supervisor of the company's root group."""
    from centralino.domain.access import Principal
    from centralino.domain.errors import NotFound
    from centralino.domain.roles import Role
    from centralino.domain.users import Grant

    with ctx.uow() as uow:
        c = uow.companies.get(int(company)) if company.isdigit() else None
        c = c or uow.companies.by_name(company)
        root = uow.groups.root_of(c.id) if c else None
    if c is None or root is None:
        raise NotFound(f"no company with the id or name {company!r}", "company")
    grant = Grant(0, 0, Role.SUPERVISOR, root.id, root.path)
    actor = Principal(0, "command line", c.id, root.id, root.path, None, (grant,))
    return actor, c.id

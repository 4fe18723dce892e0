"""`centralino import FILE --campaign ID`: import a list from the shell, with a progress bar.

Runs as the system (no user), like the other administrative commands. Exit status: 0 when
the job finished, 1 when it failed halfway, 2 when the file or the options are refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

if TYPE_CHECKING:
    from centralino.imports.pipeline import ImportJob
    from centralino.services.imports import DryRun

app = typer.Typer(help="Import a contact list into a campaign.", pretty_exceptions_enable=False)
console = Console()
err = Console(stderr=True)


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="CSV (any encoding and delimiter), xlsx, xls or ods"),
    campaign: int = typer.Option(..., "--campaign", help="Campaign id"),
    map_: list[str] = typer.Option(
        [],
        "--map",
        metavar="ROLE=COLUMN",
        help="Map a column (name or number) to a role: phone (repeat for fallback phones), "
        "name, first_name, last_name, company, email, timezone, priority. "
        "Unmapped roles are guessed; 'name=' leaves one empty.",
    ),
    list_name: str | None = typer.Option(None, "--list-name", help="Default: the file name"),
    list_priority: int = typer.Option(5, "--list-priority", min=0, max=100),
    sheet: str | None = typer.Option(None, "--sheet", help="Workbook sheet (default: first)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything, write nothing"),
    errors: Path | None = typer.Option(
        None, "--errors", help="Write the rejected rows (row, column, value, reason) here"
    ),
) -> None:
    """Import FILE into campaign ID: phones to E.164, duplicates and do-not-call rejected."""
    from centralino.bootstrap import build_context
    from centralino.domain.errors import DomainError
    from centralino.imports.mapping import parse_map_options
    from centralino.services import imports

    if not file.is_file():
        _fail(f"{file}: no such file")
    try:
        mapping = parse_map_options(map_) or None
        ctx = build_context()
        with _bar() as bar:
            task = bar.add_task("reading", total=100)
            if dry_run:
                result = imports.dry_run(
                    ctx, None, campaign, file, file.name, mapping, sheet,
                    on_progress=lambda share, rows: bar.update(
                        task, completed=int(share * 100), description=f"{rows:,} rows checked"
                    ),
                )  # fmt: skip
                bar.update(task, completed=100)
            else:

                def shown(job: ImportJob) -> None:
                    bar.update(
                        task,
                        completed=job.percent,
                        description=f"{job.rows_imported:,} imported, {job.rows_rejected:,} "
                        "rejected",
                    )

                job = imports.import_file(
                    ctx, None, campaign, file, file.name, mapping, list_name, list_priority,
                    sheet, on_progress=shown,
                )  # fmt: skip
    except DomainError as exc:
        _fail(exc.message)
    if dry_run:
        _print_dry_run(result)
        return
    _print_job(job)
    if errors is not None:
        _, chunks = imports.error_report(ctx, None, job.id)
        with errors.open("w", encoding="utf-8", newline="") as out:
            for chunk in chunks:
                out.write(chunk)
        console.print(f"rejected rows written to {errors}", highlight=False)
    if job.state.value != "done":
        raise typer.Exit(1)


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def _print_job(job: ImportJob) -> None:
    done = job.state.value == "done"
    colour = "green" if done else "red"
    console.print(
        f"[{colour}]import {job.id} {job.state.value}[/{colour}]: {job.rows_read:,} rows read, "
        f"{job.rows_imported:,} imported, {job.rows_rejected:,} rejected (list {job.list_id})",
        highlight=False,
    )
    notes = (job.message or "").split("; ")
    for note in notes[1:] if done else notes:
        console.print(f"  {note}", highlight=False)
    if job.rows_rejected:
        console.print(
            f"  rejected rows: --errors FILE, or GET /api/v1/imports/{job.id}/errors.csv",
            highlight=False,
        )


def _print_dry_run(result: DryRun) -> None:
    console.print(
        f"dry run: {result.rows_read:,} rows read, {result.rows_imported:,} would be imported, "
        f"{result.rows_rejected:,} rejected; nothing was written",
        highlight=False,
    )
    console.print(
        "mapping: "
        + "; ".join(f"{k} <- {v}" for k, v in result.mapping.items() if v not in (None, [])),
        highlight=False,
    )
    for note in result.notes:
        console.print(f"  {note}", highlight=False)
    if result.rejections:
        table = Table(title=f"first {len(result.rejections)} rejected rows")
        for col in ("row", "column", "value", "reason"):
            table.add_column(col)
        for r in result.rejections:
            table.add_row(str(r.row), r.column or "", r.value or "", r.reason)
        console.print(table)

"""The `centralino` command: serve, demo, db, user, import, report, sim, bench."""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from centralino import __version__

if TYPE_CHECKING:
    from centralino.services.context import ServiceContext

app = typer.Typer(
    name="centralino",
    help="Centralino contact center: web server, demo, database and simulation tools.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
console = Console()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"centralino {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Centralino contact center."""


def _fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(2)


def _serve(host: str, port: int, ctx: ServiceContext | None = None) -> None:
    import uvicorn

    from centralino.bootstrap import build_app, build_context

    ctx = ctx or build_context()
    uvicorn.run(build_app(ctx), host=host, port=port, log_level="info", ws="websockets-sansio")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to bind (default from CENTRALINO_BIND)"),
    port: int | None = typer.Option(None, help="Port (default from CENTRALINO_BIND)"),
) -> None:
    """Run the web server; brings an empty or older database up to date first."""
    from centralino.settings import Settings

    s = Settings()
    _serve(host or s.host, port or s.port)


@app.command()
def demo(
    host: str = typer.Option("127.0.0.1", help="Address to bind"),
    port: int = typer.Option(8000, help="Port"),
) -> None:
    """Create the demo company (once) and serve it at http://127.0.0.1:8000."""
    from centralino.bootstrap import build_context
    from centralino.demo import DEMO_COMPANY, DEMO_PASSWORD, DEMO_USERS, seed_demo

    ctx = build_context()
    ctx.settings.demo_bots = True  # bot operators and simulated callers: the demo's center
    created = seed_demo(ctx)
    table = Table(title=f"{DEMO_COMPANY}: demo users (password for all: {DEMO_PASSWORD})")
    table.add_column("username")
    table.add_column("name")
    table.add_column("role")
    for du in DEMO_USERS:
        table.add_row(du.username, du.display_name, du.role.value)
    console.print(table)
    console.print(
        ("Demo company created. " if created else "Demo company already there. ")
        + f"Open http://{host}:{port}/ and log in as one of the users above.",
        highlight=False,
    )
    _serve(host, port, ctx)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    from centralino.settings import Settings
    from centralino.store import migrate
    from centralino.store.db import make_engine

    engine = make_engine(Settings().resolved_database_url)
    migrate.upgrade(engine)
    console.print(f"database at revision {migrate.current_revision(engine)}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's revision and the newest one shipped."""
    from centralino.settings import Settings
    from centralino.store import migrate
    from centralino.store.db import make_engine

    engine = make_engine(Settings().resolved_database_url)
    console.print(
        f"current {migrate.current_revision(engine)} · head {migrate.head_revision(engine)}"
    )


@user_app.command("create")
def user_create(
    username: str = typer.Argument(..., help="Login name"),
    company: str = typer.Option(..., help="Company name"),
    role: str = typer.Option("group_admin", help="Role granted on the group"),
    group_id: int | None = typer.Option(None, help="Group id (default: the company root)"),
    display_name: str | None = typer.Option(None, help="Full name"),
    password: str | None = typer.Option(None, help="Password (asked when omitted)"),
    create_company: bool = typer.Option(False, help="Create the company if it does not exist"),
    timezone: str = typer.Option("Europe/Rome", help="Time zone of a new company"),
    locale: str = typer.Option("it", help="Language of a new company (en, it, pl)"),
) -> None:
    """Create a user from the command line (the way to make the first admin)."""
    from centralino.bootstrap import build_context
    from centralino.domain.errors import DomainError
    from centralino.domain.roles import Role
    from centralino.services import org, users
    from centralino.services.auth import check_password_policy
    from centralino.services.users import GrantRequest

    try:
        the_role = Role(role)
    except ValueError:
        _fail(f"--role: unknown role {role!r}; choose one of {', '.join(r.value for r in Role)}")
    if password is None:
        if not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Again: ") != password:
                _fail("the two passwords differ")
    ctx = build_context()
    try:
        check_password_policy(password or "", username)  # before anything is created
        with ctx.uow() as uow:
            c = uow.companies.by_name(company)
            root = uow.groups.root_of(c.id) if c else None
        if c is None or root is None:
            if not create_company:
                _fail(f"--company: no company named {company!r} (add --create-company)")
            c, root = org.create_company(ctx, None, company, timezone, locale)
        gid = group_id or root.id
        u, _ = users.create_user(
            ctx, None, group_id=gid, username=username, display_name=display_name or username,
            password=password or "", roles=[GrantRequest(the_role, gid)], trusted_company_id=c.id,
        )  # fmt: skip
    except DomainError as exc:
        where = f"{exc.field}: " if exc.field else ""
        _fail(where + exc.message)
    console.print(f"user {u.username} (id {u.id}) created in {c.name} with role {the_role.value}")


# --- sub-commands registered by feature packages (keep this block sorted) ---
# (each feature package exposes a Typer app in its cli.py and is added here)
def _register() -> None:
    from centralino.bench.cli import app as bench_app
    from centralino.imports.cli import import_file
    from centralino.reports.cli import report
    from centralino.sim.cli import app as sim_app

    app.add_typer(bench_app, name="bench")
    app.command("import")(import_file)
    app.command("report")(report)
    app.add_typer(sim_app, name="sim")


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    main()

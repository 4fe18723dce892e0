"""The `centralino` command: serve, demo, db, user, sim, bench."""

from __future__ import annotations

import typer

from centralino import __version__

app = typer.Typer(
    name="centralino",
    help="Centralino contact center: web server, demo, database and simulation tools.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


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


# --- sub-commands registered by feature packages (keep this block sorted) ---
# (each feature package exposes a Typer app in its cli.py and is added here)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

"""The `centralino` command: version, database upgrade, first admin from the shell."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from centralino import __version__
from centralino.cli import app


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CENTRALINO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CENTRALINO_PASSWORD_HASHING", "fast")
    monkeypatch.delenv("CENTRALINO_DATABASE_URL", raising=False)
    return tmp_path


def test_version() -> None:
    r = CliRunner().invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output.strip() == f"centralino {__version__}"


def test_db_upgrade_creates_the_sqlite_file(env: Path) -> None:
    r = CliRunner().invoke(app, ["db", "upgrade"])
    assert r.exit_code == 0, r.output
    assert (env / "centralino.sqlite3").exists()
    r = CliRunner().invoke(app, ["db", "current"])
    current, head = r.output.split("·")
    assert current.split()[1] == head.split()[1]


def test_user_create_makes_the_first_admin(env: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(
        app,
        [
            "user",
            "create",
            "alice",
            "--company",
            "Acme",
            "--create-company",
            "--role",
            "system_admin",
        ],
        input="a-strong-password\n",
    )
    assert r.exit_code == 0, r.output
    assert "user alice" in r.output and "system_admin" in r.output
    again = runner.invoke(
        app, ["user", "create", "alice", "--company", "Acme"], input="another-password\n"
    )
    assert again.exit_code == 2 and "username" in again.output and "taken" in again.output


def test_user_create_errors_are_one_clear_line(env: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(
        app, ["user", "create", "bob", "--company", "Nowhere"], input="a-strong-password\n"
    )
    assert r.exit_code == 2 and "--company" in r.output
    r = runner.invoke(
        app, ["user", "create", "bob", "--company", "X", "--role", "wizard"], input="pw\n"
    )
    assert r.exit_code == 2 and "unknown role" in r.output
    r = runner.invoke(
        app, ["user", "create", "bob", "--company", "X", "--create-company"], input="short\n"
    )
    assert r.exit_code == 2 and "password" in r.output
    r = runner.invoke(app, ["user", "create", "bob", "--company", "X"], input="a-strong-password\n")
    assert r.exit_code == 2 and "no company named 'X'" in r.output  # nothing was half-created

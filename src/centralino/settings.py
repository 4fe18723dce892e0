"""Settings read from CENTRALINO_* environment variables (pydantic-settings)."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CENTRALINO_", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"), description="Where the SQLite file and uploads live"
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to SQLite in the data directory"
    )
    secret_key: str | None = Field(
        default=None, description="Signing key; generated and kept in the data directory if unset"
    )
    bind: str = Field(default="127.0.0.1:8000", description="host:port the web server listens on")
    secure_cookies: bool = Field(default=False, description="Mark cookies Secure (behind HTTPS)")
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    password_hashing: Literal["standard", "fast"] = Field(
        default="standard", description="'fast' lowers argon2 cost; only for tests"
    )
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_failure_window_seconds: int = 900
    default_locale: str = "en"
    dialer: Literal["sim", "off"] = Field(
        default="sim", description="'sim': the live engine dials on the simulated network"
    )
    demo_bots: bool = Field(
        default=False,
        description="Bot operators take the calls of active campaigns and queues, and "
        "simulated callers ring every service number (demo)",
    )
    demo_callers_per_hour: float = Field(
        default=90.0, ge=0, le=36_000, description="With demo_bots: calls per hour to each service"
    )

    service_level_check_seconds: float = Field(
        default=10.0,
        ge=0,
        le=3600,
        description="Seconds between the server's service-level checks (QA-1); 0: never",
    )

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'centralino.sqlite3').resolve()}"

    @cached_property
    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key_file = self.data_dir / "secret.key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()

    @property
    def host(self) -> str:
        return self.bind.rsplit(":", 1)[0]

    @property
    def port(self) -> int:
        return int(self.bind.rsplit(":", 1)[1])

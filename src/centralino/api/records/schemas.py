"""What a campaign's records and attempts look like over the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from centralino.api.schemas_base import Out


class RecordOut(Out):
    due: bool | None  # dialable now by its schedule: manual mode flags these
    id: int
    list_id: int
    phone: str
    name: str | None
    email: str | None
    timezone: str
    priority: int
    state: str
    attempts: int
    next_at: datetime | None
    last_outcome: str | None
    assigned_user_id: int | None
    data: dict[str, Any]


class AttemptOut(Out):
    id: int
    record_id: int
    phone: str
    user_id: int | None
    dial_mode: str
    rule: dict[str, Any]
    started_at: datetime
    answered_at: datetime | None
    connected_at: datetime | None
    ended_at: datetime | None
    outcome: str | None
    abandoned: bool
    hangup_cause: str | None

"""Answers for calls and operator states."""

from __future__ import annotations

from datetime import datetime

from centralino.api.schemas_base import Out


class PhaseOut(Out):
    at: datetime
    phase: str
    detail: str


class CallOut(Out):
    id: int
    company_id: int
    group_id: int | None
    call_id: int
    direction: str
    service: str | None
    queue: str
    number: str
    user_id: int | None
    operator: str | None
    result: str
    hangup_cause: str | None
    refused_reason: str | None
    outcome: str | None
    positive: bool
    abandon_rule: str | None
    arrived_at: datetime
    welcome_at: datetime | None
    answered_at: datetime | None
    queued_at: datetime | None
    ringing_at: datetime | None
    picked_up_at: datetime | None
    transferred_at: datetime | None
    ended_at: datetime | None
    phases: list[PhaseOut]


class OperatorStateOut(Out):
    id: int
    company_id: int
    user_id: int
    username: str
    group_id: int
    state: str
    reason: str | None
    at: datetime

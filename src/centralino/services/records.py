"""A campaign's records and attempts for the people who run or commissioned it.

Both need campaigns.read on the campaign, so a client user sees only its own
campaigns' contacts and calls, like the campaigns themselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from centralino.domain.access import Principal
from centralino.domain.outbound.outcomes import RecordState
from centralino.services.campaigns import readable_campaign
from centralino.services.context import ServiceContext
from centralino.store.repos.page import Page
from centralino.store.repos.records import AttemptRow, RecordRepo, RecordRow

_NOT_DIGITS = re.compile(r"\D")
_NUMBER_LIKE = re.compile(r"^\+?[\d\s()./-]+$")


def is_due(r: RecordRow, now: datetime) -> bool:
    """Dialable now as far as its schedule goes (manual mode flags these for the operator;
    calling windows and do-not-call are still checked when it is dialed)."""
    return RecordState(r.state).dialable and (r.next_at is None or r.next_at <= now)


def record_view(r: RecordRow, now: datetime | None = None) -> dict[str, Any]:
    return {
        "due": is_due(r, now) if now is not None else None,
        "id": r.id, "list_id": r.list_id, "phone": r.phone, "name": r.name, "email": r.email,
        "timezone": r.timezone, "priority": r.priority, "state": r.state,
        "attempts": r.attempts, "next_at": r.next_at, "last_outcome": r.last_outcome,
        "assigned_user_id": r.assigned_user_id, "data": r.data,
    }  # fmt: skip


def attempt_view(a: AttemptRow) -> dict[str, Any]:
    return {
        "id": a.id, "record_id": a.record_id, "phone": a.phone, "user_id": a.user_id,
        "dial_mode": a.dial_mode, "rule": a.rule, "started_at": a.started_at,
        "answered_at": a.answered_at, "connected_at": a.connected_at, "ended_at": a.ended_at,
        "outcome": a.outcome, "abandoned": a.abandoned, "hangup_cause": a.hangup_cause,
    }  # fmt: skip


def list_records(
    ctx: ServiceContext,
    actor: Principal,
    campaign_id: int,
    limit: int,
    offset: int,
    *,
    states: Sequence[RecordState] = (),
    search: str | None = None,
) -> Page[RecordRow]:
    """Records in import order; `search` finds part of a name or, when it looks like a
    number, a run of the number's digits (333 12 finds +39 333 1234567)."""
    text = (search or "").strip()
    digits = _NOT_DIGITS.sub("", text) if _NUMBER_LIKE.match(text) else ""
    with ctx.uow() as uow:
        c = readable_campaign(uow, actor, campaign_id)
        return RecordRepo(uow.conn).page_records(
            c.id, limit, offset, states=[s.value for s in states] or None,
            search=text or None, phone_digits=digits or None,
        )  # fmt: skip


def list_attempts(
    ctx: ServiceContext,
    actor: Principal,
    campaign_id: int,
    limit: int,
    offset: int,
    *,
    record_id: int | None = None,
) -> Page[AttemptRow]:
    """Attempts newest first, each with the rule that allowed the dial."""
    with ctx.uow() as uow:
        c = readable_campaign(uow, actor, campaign_id)
        return RecordRepo(uow.conn).page_attempts(c.id, limit, offset, record_id=record_id)


def state_counts(ctx: ServiceContext, actor: Principal, campaign_id: int) -> dict[str, int]:
    """Records of the campaign by state, every state present (zero when none)."""
    with ctx.uow() as uow:
        c = readable_campaign(uow, actor, campaign_id)
        found = RecordRepo(uow.conn).state_counts(c.id)
    return {s.value: found.get(s.value, 0) for s in RecordState}


def attempt_totals(
    ctx: ServiceContext,
    actor: Principal,
    campaign_id: int,
    since: datetime,
    positive: Sequence[str] = (),
) -> dict[str, int]:
    """Attempts since a time: dialed, answered, abandoned, with a positive outcome."""
    with ctx.uow() as uow:
        c = readable_campaign(uow, actor, campaign_id)
        return RecordRepo(uow.conn).attempt_totals(c.id, since, positive)

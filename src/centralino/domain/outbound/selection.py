"""Which record to dial next (OUT-5): due callbacks first, then priority, then the
next-contact time; and whether a chosen record may be dialed now, with the rule that
allowed it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from centralino.domain.outbound.campaign import Window
from centralino.domain.outbound.compliance import CompliancePreset
from centralino.domain.outbound.windows import IsHoliday, Permit, next_allowed, permit

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True, frozen=True)
class Candidate:
    record_id: int
    phone: str
    timezone: str
    priority: int
    list_priority: int
    next_at: datetime | None
    attempts: int
    callback_due_at: datetime | None = None
    callback_user_id: int | None = None
    last_abandoned_at: datetime | None = None


def order_key(c: Candidate, now: datetime) -> tuple[int, int, int, datetime, int]:
    """Sort key: due callbacks, higher list priority, higher record priority, oldest due."""
    due_callback = c.callback_due_at is not None and c.callback_due_at <= now
    when = c.callback_due_at if due_callback and c.callback_due_at else (c.next_at or EPOCH)
    return (0 if due_callback else 1, -c.list_priority, -c.priority, when, c.record_id)


@dataclass(slots=True, frozen=True)
class Verdict:
    """May this record be dialed now? If not, when next (None: never again)."""

    allowed: bool
    rule: dict[str, str]
    retry_at: datetime | None = None


def judge(
    c: Candidate,
    now: datetime,
    windows: Sequence[Window],
    preset: CompliancePreset,
    blocked: Collection[str],
    is_holiday: IsHoliday,
    skip_holidays: bool = True,
) -> Verdict:
    """Apply, in order: do-not-call, the abandon lockout, the calling windows."""
    if c.phone in blocked:
        return Verdict(False, {"denied": "do-not-call list"}, None)
    if c.last_abandoned_at is not None:
        free_at = c.last_abandoned_at + preset.redial_lockout
        if now < free_at:
            return Verdict(
                False, {"denied": f"abandon lockout until {free_at.isoformat()}"}, free_at
            )
    got: Permit | None = permit(now, c.timezone, windows, preset, is_holiday, skip_holidays)
    if got is None:
        nxt = next_allowed(now, c.timezone, windows, preset, is_holiday, skip_holidays)
        return Verdict(False, {"denied": "outside calling windows"}, nxt)
    rule = got.as_json()
    rule["dnc"] = "checked"
    if c.last_abandoned_at is not None:
        rule["after_abandon"] = "lockout over" + (
            "; operator guaranteed" if preset.operator_guaranteed_after_abandon else ""
        )
    return Verdict(True, rule)


LEASE = timedelta(minutes=15)

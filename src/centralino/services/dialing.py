"""The dialer's persistent side: take records to dial, open and close attempts.

Every dial opens an attempt with the rule that allowed it (calling window, legal hours,
do-not-call checked, abandon lockout) in the same transaction that leases the record,
and every outcome settles the record, the attempt, do-not-call and callbacks together:
a crash loses no outcome and dials nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from centralino.domain.errors import InvalidInput, NotFound
from centralino.domain.outbound.callbacks import Callback, CallbackScope, pool_may_take
from centralino.domain.outbound.campaign import Campaign
from centralino.domain.outbound.compliance import PRESETS
from centralino.domain.outbound.outcomes import RecordState, SystemOutcome, decide
from centralino.domain.outbound.selection import LEASE, judge
from centralino.domain.outbound.windows import IsHoliday
from centralino.services.context import ServiceContext
from centralino.store.uow import UnitOfWork


def holiday_calendar(country: str | None) -> IsHoliday:
    """Public holidays of a country (the `holidays` package), as a plain function."""
    if not country:
        return lambda _d: False
    import holidays

    cal = holidays.country_holidays(country)

    def is_holiday(d: date) -> bool:
        return d in cal

    return is_holiday


@dataclass(slots=True, frozen=True)
class Claim:
    attempt_id: int
    record_id: int
    phone: str
    token: str
    rule: dict[str, str]
    callback_user_id: int | None


def _campaign(uow: UnitOfWork, campaign_id: int) -> Campaign:
    c = uow.campaigns.get(campaign_id)
    if c is None:
        raise NotFound(f"campaign {campaign_id} not found")
    return c


def claim(
    ctx: ServiceContext,
    campaign_id: int,
    wanted: int,
    user_id: int | None = None,
    pacing: str | None = None,
    *,
    present: Collection[int] = (),
    personal_only: bool = False,
    record_id: int | None = None,
) -> list[Claim]:
    """Lease up to `wanted` records allowed now and open an attempt for each; the attempt
    keeps the rule that allowed it, with the pacing rule that asked for the dial.

    A record whose due callback is personal goes to its operator (`user_id`); the pool
    (`user_id` None) takes it only when its operator is not among `present` and the
    campaign's grace time is over. `personal_only`: just the personal callbacks of
    `user_id`; `record_id`: that record alone (an operator picked it by hand)."""
    now = ctx.now()
    with ctx.uow() as uow:
        c = _campaign(uow, campaign_id)
        grace = timedelta(minutes=float(c.settings.get("callback_grace_minutes", 15)))
        preset = PRESETS[c.compliance]
        is_holiday = holiday_calendar(preset.holiday_country)
        skip = bool(c.settings.get("skip_holidays", True))
        found: list[Claim] = []
        waiting: set[int] = set()  # personal callbacks left for their operator
        scanned = 0
        while len(found) < wanted and scanned < (3 if personal_only else 20):
            limit = max(wanted * 4, 20) + len(waiting)
            batch = [
                x
                for x in uow.dialing.candidates(c.id, now, limit, record_id)
                if x.record_id not in waiting
            ]
            scanned += 1
            if not batch:
                break
            blocked = uow.dialing.blocked(c.company_id, c.id, (x.phone for x in batch))
            for cand in batch:
                if len(found) >= wanted:
                    break
                personal = cand.callback_user_id is not None and (
                    cand.callback_due_at is not None and cand.callback_due_at <= now
                )
                if personal_only and not (personal and cand.callback_user_id == user_id):
                    waiting.add(cand.record_id)
                    continue
                if personal and not pool_may_take(
                    cand.callback_user_id, cand.callback_due_at, user_id, now, present, grace
                ):
                    waiting.add(cand.record_id)
                    continue  # waits for its operator
                verdict = judge(cand, now, c.windows, preset, blocked, is_holiday, skip)
                if not verdict.allowed:
                    state = (
                        RecordState.BLOCKED if verdict.retry_at is None else RecordState.SCHEDULED
                    )
                    uow.dialing.reschedule(cand.record_id, verdict.retry_at, state)
                    continue
                token = str(uuid.uuid4())
                if not uow.dialing.lease(cand.record_id, token, now + LEASE, now):
                    continue
                rule = dict(verdict.rule)
                if pacing:  # "mode: figures", e.g. "predictive: 3.2 operators free soon, ..."
                    rule["pacing_mode"] = pacing.split(":", 1)[0][:40]
                    rule["pacing"] = pacing[:300]
                aid = uow.dialing.open_attempt(
                    c.id, cand.record_id, cand.phone, c.dial_mode.value, rule, now, user_id
                )
                found.append(
                    Claim(aid, cand.record_id, cand.phone, token, rule, cand.callback_user_id)
                )
        uow.commit()
    return found


def answered(ctx: ServiceContext, attempt_id: int) -> None:
    with ctx.uow() as uow:
        uow.dialing.mark_answered(attempt_id, ctx.now())
        uow.commit()


def connected(ctx: ServiceContext, attempt_id: int, user_id: int) -> None:
    with ctx.uow() as uow:
        uow.dialing.mark_connected(attempt_id, ctx.now(), user_id)
        uow.commit()


def finish(
    ctx: ServiceContext,
    attempt_id: int,
    outcome_code: str,
    *,
    chosen_at: datetime | None = None,
    notes: str | None = None,
    user_id: int | None = None,
    cause: str | None = None,
    callback_user_id: int | None = None,
    add_callback: bool = True,
) -> RecordState:
    """Close an attempt with an outcome and apply the outcome's rule to its record
    (`add_callback` False: the caller books the callback of a dated outcome itself)."""
    now = ctx.now()
    with ctx.uow() as uow:
        att = uow.dialing.attempt(attempt_id)
        if att is None:
            raise NotFound(f"attempt {attempt_id} not found")
        if att.ended_at is not None:
            raise InvalidInput(
                f"attempt {attempt_id} already has outcome {att.outcome!r}", "attempt_id"
            )
        c = _campaign(uow, att.campaign_id)
        outcome = uow.outcomes.get(c.id, outcome_code)
        if outcome is None:
            raise InvalidInput(f"campaign {c.id} has no outcome {outcome_code!r}", "outcome")
        rec = uow.dialing.record(att.record_id)
        preset = PRESETS[c.compliance]
        decision = decide(
            outcome, rec.attempts + 1, c.max_attempts, now, chosen_at, preset.redial_lockout
        )
        abandoned = outcome_code == SystemOutcome.ABANDONED
        uow.dialing.close_attempt(attempt_id, now, outcome_code, abandoned, cause, notes, user_id)
        uow.dialing.settle_record(rec.id, None, decision.state, decision.next_at, outcome_code)
        for cb in uow.callbacks.open_for_record(rec.id):
            uow.callbacks.close(cb.id, now)
        if decision.block_number:
            uow.dialing.add_dnc(c.company_id, c.id, rec.phone, f"outcome:{outcome_code}", now)
        if add_callback and decision.state is RecordState.CALLBACK and decision.next_at:
            scope = CallbackScope.ANYONE if callback_user_id is None else CallbackScope.COLLEAGUE
            uow.callbacks.add(
                Callback(
                    0, c.id, rec.id, decision.next_at, scope, callback_user_id, notes, user_id, now
                )
            )
        uow.commit()
    return decision.state


def recover(ctx: ServiceContext, *, sole_dialer: bool = False) -> int:
    """After a crash: close attempts whose lease ran out and reschedule their records.

    Their outcome is unknown, so they count as an attempt with a network failure and
    come back after the congestion delay; nothing is dialed twice while a lease runs.
    `sole_dialer`: the caller is the only process dialing this database and is starting,
    so every open attempt belongs to a process that died, lease or not.
    """
    now = ctx.now()
    closed = 0
    with ctx.uow() as uow:
        for row in uow.dialing.interrupted(now, leased_too=sole_dialer):
            uow.dialing.close_attempt(row.id, now, "congestion", False, "interrupted", None, None)
            uow.dialing.settle_record(
                row.record_id, row.lock_token, RecordState.SCHEDULED, now + timedelta(minutes=15),
                "congestion",
            )  # fmt: skip
            closed += 1
        uow.commit()
    return closed

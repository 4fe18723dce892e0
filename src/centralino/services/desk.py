"""The operator panel's outbound desk (OUT-2, OUT-4, OUT-5): the contact card with its
history, the wrap-up's outcome and callback checked before the call is closed, the
records an operator picks by hand, a preview skipped, and the operator's own day.

Everything is read for the caller alone and checked on the campaign's place: the
operator works the campaign (calls.handle) or reads it (campaigns.read)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from centralino.domain.access import Principal
from centralino.domain.errors import Forbidden, InvalidInput, NotFound
from centralino.domain.outbound.campaign import Campaign, DialMode
from centralino.domain.outbound.outcomes import Outcome, OutcomeKind, RecordState
from centralino.domain.roles import Permission
from centralino.services import dialing
from centralino.services.audit import record as audit
from centralino.services.campaigns import campaign_place
from centralino.services.context import ServiceContext
from centralino.store.repos.desk import Contact, DeskRepo, Pick
from centralino.store.uow import UnitOfWork

P = Permission
INBOUND_HISTORY_DAYS = 90
SKIP_DELAY = timedelta(minutes=30)  # a skipped preview comes back after this
PICKS = 50
_NOT_DIGITS = re.compile(r"\D")
_NUMBER_LIKE = re.compile(r"^\+?[\d\s()./-]+$")
BUSY_STATES = ("ringing", "reserved", "talking", "wrap_up")


def my_zone(ctx: ServiceContext, actor: Principal, user_zone: str | None) -> ZoneInfo:
    """The caller's time zone, else their company's."""
    if user_zone:
        return ZoneInfo(user_zone)
    with ctx.uow() as uow:
        company = uow.companies.get(actor.company_id)
    return ZoneInfo(company.timezone if company is not None else "UTC")


def local(at: datetime | None, zone: ZoneInfo) -> str | None:
    return None if at is None else at.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _worked_campaign(uow: UnitOfWork, actor: Principal, campaign_id: int) -> Campaign:
    """The campaign, if the caller works it or reads it (else 404)."""
    c = uow.campaigns.get(campaign_id)
    if c is None or not any(
        actor.can(p, campaign_place(c)) for p in (P.CALLS_HANDLE, P.CAMPAIGNS_READ)
    ):
        raise NotFound(f"campaign {campaign_id} not found")
    return c


def _seen_campaigns(uow: UnitOfWork, actor: Principal) -> list[Campaign]:
    found = uow.campaigns.list(actor.visibility(P.CALLS_HANDLE), 1000, 0).items
    return found + uow.campaigns.list(actor.visibility(P.CAMPAIGNS_READ), 1000, 0).items


# --- the contact card ---


def _contact_view(x: Contact, campaign: Campaign, zone: ZoneInfo) -> dict[str, Any]:
    raw = {p: x.phone_raw for p in x.phone_columns[:1]}  # the number dialed, as imported
    columns = [{"name": c, "value": x.data.get(c, raw.get(c))} for c in x.columns]
    known = set(x.columns)
    columns += [{"name": k, "value": v} for k, v in x.data.items() if k not in known]
    return {
        "record_id": x.id, "campaign_id": campaign.id, "campaign": campaign.name,
        "dial_mode": campaign.dial_mode.value, "list_id": x.list_id, "list": x.list_name,
        "name": x.name, "phone": x.phone, "email": x.email, "timezone": x.timezone,
        "state": x.state, "attempts": x.attempts, "next_at": x.next_at,
        "next_local": local(x.next_at, zone), "columns": columns,
    }  # fmt: skip


def _result(a: Any) -> str:
    if a.ended_at is None:
        return "in_progress"
    if a.connected_at is not None:
        return "talked"
    if a.abandoned:
        return "abandoned"
    return str(a.outcome or "unknown")


def _history(repo: DeskRepo, record_id: int, zone: ZoneInfo) -> dict[str, Any]:
    attempts = [
        {
            "id": a.id,
            "at": a.started_at,
            "at_local": local(a.started_at, zone),
            "operator": a.display_name,
            "result": _result(a),
            "outcome": a.outcome,
            "outcome_label": a.label or a.outcome,
            "positive": a.kind == OutcomeKind.POSITIVE,
            "notes": a.notes,
            "dial_mode": a.dial_mode,
        }
        for a in repo.attempts_of(record_id)
    ]
    callbacks = [
        {
            "id": c.id,
            "due_at": c.due_at,
            "due_local": local(c.due_at, zone),
            "scope": c.scope,
            "user_id": c.user_id,
            "operator": c.display_name,
            "booked_by": c.booked_by,
            "notes": c.notes,
            "done": c.done_at is not None,
            "done_local": local(c.done_at, zone),
        }
        for c in repo.callbacks_of(record_id)
    ]
    return {"attempts": attempts, "callbacks": callbacks}


def contact_card(
    ctx: ServiceContext, actor: Principal, record_id: int, zone: ZoneInfo
) -> dict[str, Any]:
    """A record with every imported column in the file's order, its campaign and list,
    and its history: every attempt and every callback."""
    with ctx.uow() as uow:
        repo = DeskRepo(uow.conn)
        x = repo.contact(record_id)
        if x is None:
            raise NotFound(f"record {record_id} not found", field="record_id")
        try:
            c = _worked_campaign(uow, actor, x.campaign_id)
        except NotFound:
            raise NotFound(f"record {record_id} not found", field="record_id") from None
        outcomes = [o for o in uow.outcomes.for_campaign(c.id) if not o.is_system]
        operators = uow.campaigns.operators(c.id)
        names = _display_names(uow, [uid for uid, _ in operators])
        return {
            "kind": "record", "record": _contact_view(x, c, zone),
            **_history(repo, x.id, zone),
            "outcomes": [_outcome_view(o) for o in outcomes],
            "colleagues": [
                {"user_id": uid, "name": names.get(uid, username)}
                for uid, username in operators if uid != actor.user_id
            ],
        }  # fmt: skip


def _display_names(uow: UnitOfWork, ids: list[int]) -> dict[int, str]:
    found = {}
    for uid in ids:
        u = uow.users.get(uid)
        if u is not None:
            found[uid] = u.display_name
    return found


def _outcome_view(o: Outcome) -> dict[str, Any]:
    return {
        "code": o.code, "label": o.label, "kind": o.kind.value,
        "positive": o.kind is OutcomeKind.POSITIVE, "needs_date": o.needs_date,
    }  # fmt: skip


def caller_history(
    ctx: ServiceContext, actor: Principal, number: str, zone: ZoneInfo, now: datetime
) -> dict[str, Any]:
    """An inbound caller's number: its calls of the last 90 days where the caller handles
    calls, and its records in the campaigns the caller sees."""
    since = now - timedelta(days=INBOUND_HISTORY_DAYS)
    with ctx.uow() as uow:
        repo = DeskRepo(uow.conn)
        calls = [
            {
                "at": r.arrived_at,
                "at_local": local(r.arrived_at, zone),
                "direction": r.direction,
                "service": r.service,
                "queue": r.queue,
                "result": r.result,
                "outcome": r.outcome,
                "operator": r.display_name,
            }
            for r in repo.calls_of_number(actor.visibility(P.CALLS_HANDLE), number, since)
        ]
        seen = {c.id: c for c in _seen_campaigns(uow, actor)}
        records = [
            _contact_view(x, seen[x.campaign_id], zone)
            for x in repo.contacts_by_phone(sorted(seen), number)
        ]
    return {"kind": "number", "number": number, "calls": calls, "records": records}


# --- the wrap-up: outcome and callback, checked before the call is closed ---


@dataclass(slots=True, frozen=True)
class WrapUpPlan:
    outcome: str | None
    positive: bool
    callback_at: datetime | None
    callback_for: str | None  # self, colleague, anyone
    callback_user: int | None


def plan_wrap_up(
    ctx: ServiceContext,
    actor: Principal,
    campaign_id: int,
    outcome: str | None,
    callback_at: datetime | None,
    callback_for: str | None,
    callback_user: int | None,
) -> WrapUpPlan:
    """Check the outcome and the callback against the campaign before anything is stored;
    each error names its field. A callback needs an outcome that sets a date (the first
    of the campaign's when none is chosen), so the dialer calls the record again then."""
    now = ctx.now()
    with ctx.uow() as uow:
        c = _worked_campaign(uow, actor, campaign_id)
        if not actor.can(P.CALLS_HANDLE, campaign_place(c)):
            raise Forbidden(f"you do not work campaign {c.id}")
        found = [o for o in uow.outcomes.for_campaign(c.id) if not o.is_system]
        operators = {uid for uid, _ in uow.campaigns.operators(c.id)}
    by_code = {o.code: o for o in found}
    chosen = by_code.get(outcome) if outcome else None
    if outcome and chosen is None:
        raise InvalidInput(f"campaign {c.name!r} has no outcome {outcome!r}", "outcome")
    if callback_at is None:
        if chosen is not None and chosen.needs_date:
            raise InvalidInput(
                f"outcome {chosen.label!r} needs a callback date and time", "callback.due_at"
            )
        return WrapUpPlan(outcome, chosen is not None and chosen.kind is OutcomeKind.POSITIVE,
                          None, None, None)  # fmt: skip
    if callback_at <= now:
        raise InvalidInput("the callback must be in the future", "callback.due_at")
    if chosen is None:
        chosen = next((o for o in found if o.needs_date), None)
        if chosen is None:
            raise InvalidInput(f"campaign {c.name!r} has no callback outcome", "outcome")
    elif not chosen.needs_date:
        raise InvalidInput(
            f"outcome {chosen.label!r} closes the record: choose a callback outcome to book "
            "a callback", "outcome",
        )  # fmt: skip
    who = callback_for or "self"
    user: int | None = None
    if who == "self":
        user = actor.user_id
    elif who == "colleague":
        if callback_user is None:
            raise InvalidInput("choose the colleague who calls back", "callback.user_id")
        if callback_user not in operators:
            raise InvalidInput(
                f"user {callback_user} is not an operator of campaign {c.name!r}",
                "callback.user_id",
            )
        user = callback_user
    return WrapUpPlan(chosen.code, chosen.kind is OutcomeKind.POSITIVE, callback_at, who, user)


# --- records dialed by hand, previews skipped ---


def manual_campaign(ctx: ServiceContext, actor: Principal, campaign_id: int) -> Campaign:
    with ctx.uow() as uow:
        c = _worked_campaign(uow, actor, campaign_id)
    if c.dial_mode is not DialMode.MANUAL:
        raise InvalidInput(f"campaign {c.name!r} is not dialed by hand", "campaign")
    if not actor.can(P.CALLS_HANDLE, campaign_place(c)):
        raise Forbidden(f"you do not work campaign {c.id}")
    return c


def picks(
    ctx: ServiceContext,
    actor: Principal,
    campaign_id: int,
    search: str | None,
    zone: ZoneInfo,
) -> list[dict[str, Any]]:
    """The records I may dial now: due callbacks first (flagged), then records due now;
    `search` finds part of a name or a run of the number's digits."""
    c = manual_campaign(ctx, actor, campaign_id)
    text = (search or "").strip()
    digits = _NOT_DIGITS.sub("", text) if _NUMBER_LIKE.match(text) else ""
    with ctx.uow() as uow:
        rows = DeskRepo(uow.conn).picks(
            c.id, actor.user_id, ctx.now(), PICKS, search=text or None,
            phone_digits=digits or None,
        )  # fmt: skip
    return [_pick_view(p, zone) for p in rows]


def _pick_view(p: Pick, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "record_id": p.id, "phone": p.phone, "name": p.name, "state": p.state,
        "attempts": p.attempts, "callback_due": p.callback_due_at is not None,
        "callback_local": local(p.callback_due_at, zone), "callback_notes": p.callback_notes,
        "personal": p.callback_user_id is not None,
    }  # fmt: skip


def claim_record(
    ctx: ServiceContext, actor: Principal, campaign_id: int, record_id: int
) -> dialing.Claim:
    """Lease the record I picked and open its attempt, under the dialer's rules (windows,
    legal hours, do-not-call, someone else's callback)."""
    c = manual_campaign(ctx, actor, campaign_id)
    claims = dialing.claim(
        ctx, c.id, 1, actor.user_id, f"manual: picked by operator user:{actor.user_id}",
        record_id=record_id,
    )  # fmt: skip
    if not claims:
        raise InvalidInput(
            f"record {record_id} may not be dialed now (not due, taken, outside the calling "
            "window or on a do-not-call list)", "record_id",
        )  # fmt: skip
    return claims[0]


def give_back(
    ctx: ServiceContext,
    actor: Principal,
    campaign_id: int,
    claim: dialing.Claim,
    reason: str | None,
) -> datetime:
    """A record leased but not dialed (a preview skipped, a pick that could not be dialed):
    its attempt is dropped, the record comes back later; a skip is audited with its
    reason. When it comes back."""
    now = ctx.now()
    back = now + SKIP_DELAY
    with ctx.uow() as uow:
        c = uow.campaigns.get(campaign_id)
        repo = DeskRepo(uow.conn)
        repo.drop_attempt(claim.attempt_id)
        state = (
            RecordState.CALLBACK
            if uow.callbacks.open_for_record(claim.record_id)
            else (RecordState.SCHEDULED)
        )
        repo.release(claim.record_id, claim.token, state.value, back)
        if reason is not None and c is not None:
            audit(
                uow, actor, "update", "record", claim.record_id, campaign_place(c),
                {"state": "dialing"},
                {"state": state.value, "next_at": back.isoformat(), "skipped": reason},
                now, P.CAMPAIGNS_READ,
            )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return back


# --- my day ---


def my_day(ctx: ServiceContext, actor: Principal, zone: ZoneInfo) -> dict[str, Any]:
    """Today in my zone: my calls in and out, talk time, my outcomes by label, and my
    pause time by reason (from the stored call legs, attempts and state changes)."""
    now = ctx.now()
    start = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    with ctx.uow() as uow:
        repo = DeskRepo(uow.conn)
        calls = repo.my_calls(actor.user_id, start)
        closed = repo.my_outcomes(actor.user_id, start)
        states = repo.my_states(actor.user_id, start)
    talk = sum(
        (c.ended_at - c.picked_up_at).total_seconds()
        for c in calls
        if c.picked_up_at is not None and c.ended_at is not None
    )
    outcomes: dict[str, int] = {}
    for a in closed:
        label = a.label or a.outcome or "—"
        outcomes[label] = outcomes.get(label, 0) + 1
    for c in calls:
        if c.direction == "inbound" and c.outcome:
            outcomes[c.outcome] = outcomes.get(c.outcome, 0) + 1
    pauses: dict[str, float] = {}
    for i, s in enumerate(states):
        if s.state != "paused":
            continue
        begin = max(s.at, start)
        end = states[i + 1].at if i + 1 < len(states) else now
        pauses[s.reason or ""] = pauses.get(s.reason or "", 0.0) + max(
            0.0, (end - begin).total_seconds()
        )
    return {
        "since": start, "since_local": local(start, zone),
        "calls": len(calls),
        "inbound": sum(1 for c in calls if c.direction == "inbound"),
        "outbound": sum(1 for c in calls if c.direction != "inbound"),
        "talked": sum(1 for c in calls if c.picked_up_at is not None),
        "talk_seconds": round(talk, 1),
        "outcomes": [{"label": k, "count": v} for k, v in sorted(outcomes.items())],
        "pauses": [
            {"reason": k or None, "seconds": round(v, 1)} for k, v in sorted(pauses.items())
        ],
        "pause_seconds": round(sum(pauses.values()), 1),
    }  # fmt: skip

"""The operator's outbound desk in the live engine (OUT-5): what is in my hands (a record
shown in preview, the call ringing, talking or in after-call work, with the stored attempt
the engine's `Dial.ref` carries), and the moves of preview and manual dialing.

Like `phone.py`, every function here touches the engine and must run on the thread of
the live engine's loop (`api/desk/routes.py` is `async def`); the store is read and
written in the thread pool before or after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from centralino.domain.access import Principal
from centralino.domain.errors import IllegalTransition
from centralino.domain.operators import OperatorState
from centralino.engine.center import Center, Dial
from centralino.engine.runtime import CallRun, OpRun
from centralino.live import LiveCenter
from centralino.services.dial_source import StoreDialSource
from centralino.services.dialing import Claim

S = OperatorState


@dataclass(slots=True, frozen=True)
class Hand:
    """What the operator has now: `preview` (a record shown, not dialed), or `call` (the
    call ringing to them, in hand or in after-call work)."""

    kind: str  # preview, call
    state: str
    call_id: int | None
    direction: str
    number: str
    campaign_id: int | None
    claim: Claim | None  # the stored attempt and record of an outbound dial


def _campaign_id(name: str | None) -> int | None:
    if name and name.startswith("campaign:"):
        return int(name.split(":", 1)[1])
    return None


def _me(live: LiveCenter, actor: Principal) -> tuple[Center, OpRun] | None:
    center = live.center_of(actor.company_id)
    op_id = f"user:{actor.user_id}"
    if center is None or not center.has_operator(op_id):
        return None
    return center, center.operator(op_id)


def _of_call(call: CallRun, state: str) -> Hand:
    claim = call.dial.ref if call.dial is not None else None
    camp = call.campaign
    return Hand(
        "call", state, call.record.call_id, call.record.direction, call.record.number,
        _campaign_id(camp.name if camp is not None else None),
        claim if isinstance(claim, Claim) else None,
    )  # fmt: skip


def in_hand(live: LiveCenter, actor: Principal) -> Hand | None:
    found = _me(live, actor)
    if found is None:
        return None
    center, op = found
    state = op.presence.state.value
    if op.preview is not None:
        camp = center.campaign_of(op.id)
        ref = op.preview.ref
        return Hand(
            "preview", state, None, "outbound", op.preview.number, _campaign_id(camp),
            ref if isinstance(ref, Claim) else None,
        )  # fmt: skip
    if op.call is not None:
        return _of_call(op.call, state)
    if op.offer is not None:
        return _of_call(op.offer, state)
    for call in center.calls.values():  # a record I dialed, still ringing
        if call.owner is op:
            return _of_call(call, state)
    return None


def _operator(live: LiveCenter, actor: Principal) -> tuple[Center, OpRun]:
    found = _me(live, actor)
    if found is None:
        raise IllegalTransition("you are logged out: log in first")
    return found


def dial_preview(live: LiveCenter, actor: Principal) -> None:
    center, op = _operator(live, actor)
    if op.preview is None:
        raise IllegalTransition("no record is shown to you in preview")
    center.dial_preview(op.id)


def skip_preview(live: LiveCenter, actor: Principal) -> tuple[int | None, Claim | None]:
    """Pass on the record shown; its campaign and stored claim, for the store to settle."""
    center, op = _operator(live, actor)
    if op.preview is None:
        raise IllegalTransition("no record is shown to you in preview")
    campaign = _campaign_id(center.campaign_of(op.id))
    dial = center.skip_preview(op.id)
    return campaign, dial.ref if isinstance(dial.ref, Claim) else None


def manual_campaign(live: LiveCenter, actor: Principal) -> int:
    """My campaign, if I am free to dial a record of it by hand."""
    center, op = _operator(live, actor)
    campaign = _campaign_id(center.campaign_of(op.id))
    if campaign is None:
        raise IllegalTransition("you are on no campaign")
    return campaign


def check_free(live: LiveCenter, actor: Principal, campaign_id: int) -> None:
    center, op = _operator(live, actor)
    if _campaign_id(center.campaign_of(op.id)) != campaign_id:
        raise IllegalTransition(f"you no longer work campaign {campaign_id}")
    if op.presence.state is not S.READY:
        raise IllegalTransition("you are not ready: a record is dialed only when you are free")


def dial_record(live: LiveCenter, actor: Principal, claim: Claim) -> None:
    center, op = _operator(live, actor)
    center.dial_manual(op.id, Dial(claim.phone, claim))


def note_wrap_up(
    live: LiveCenter, actor: Principal, call_id: int, chosen_at: datetime | None,
    notes: str | None,
) -> None:  # fmt: skip
    """Hand the callback date and notes of my call in after-call work to its campaign's
    source, which stores them with the outcome when the engine closes the call."""
    _center, op = _operator(live, actor)
    call = op.call
    if op.presence.state is not S.WRAP_UP or call is None or call.record.call_id != call_id:
        raise IllegalTransition("that call is no longer in your after-call work")
    source = call.campaign.source if call.campaign is not None else None
    claim = call.dial.ref if call.dial is not None else None
    if isinstance(source, StoreDialSource) and isinstance(claim, Claim):
        source.wrap_up(claim.attempt_id, chosen_at, notes)

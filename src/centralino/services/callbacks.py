"""Callbacks and assignments (OUT-4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from centralino.domain.access import Place, Principal
from centralino.domain.errors import Forbidden, InvalidInput, NotFound
from centralino.domain.outbound.callbacks import Callback, CallbackScope, booking_scope
from centralino.domain.outbound.campaign import Campaign
from centralino.domain.roles import Permission
from centralino.services.audit import record
from centralino.services.campaigns import campaign_place
from centralino.services.context import ServiceContext
from centralino.store.repos.callbacks import record_campaign
from centralino.store.uow import UnitOfWork

P = Permission


def callback_view(cb: Callback) -> dict[str, Any]:
    return {
        "record_id": cb.record_id,
        "due_at": cb.due_at.isoformat(),
        "scope": cb.scope.value,
        "user_id": cb.user_id,
        "notes": cb.notes,
    }


def _campaign_for(
    uow: UnitOfWork, actor: Principal, campaign_id: int, perm: Permission
) -> Campaign:
    """The campaign, if the actor works it (calls.handle) or manages it (campaigns.write)."""
    c = uow.campaigns.get(campaign_id)
    if c is None:
        raise NotFound(f"campaign {campaign_id} not found")
    place = campaign_place(c)
    seen = any(actor.can(p, place) for p in (P.CAMPAIGNS_READ, P.CALLS_HANDLE, P.CAMPAIGNS_WRITE))
    if not seen:
        raise NotFound(f"campaign {campaign_id} not found")
    if not actor.can(perm, place):
        raise Forbidden(f"you may not do this in campaign {campaign_id}")
    return c


def _check_operator(uow: UnitOfWork, c: Campaign, user_id: int | None) -> None:
    if user_id is None:
        return
    u = uow.users.get(user_id)
    if u is None or u.company_id != c.company_id or not u.is_active:
        raise NotFound(f"operator {user_id} not found", field="user_id")
    grants = uow.users.grants(u.id)
    perms = uow.roles.effective(c.company_id)
    if not any(P.CALLS_HANDLE in perms[g.role] for g in grants):
        raise InvalidInput(f"user {u.username} does not take calls", field="user_id")


def _check_record(uow: UnitOfWork, c: Campaign, record_id: int) -> None:
    if record_campaign(uow.conn, record_id) != c.id:
        raise NotFound(f"record {record_id} not found in campaign {c.id}", field="record_id")


def book(
    ctx: ServiceContext,
    actor: Principal,
    campaign_id: int,
    record_id: int,
    due_at: datetime,
    user_id: int | None,
    notes: str | None,
    for_self: bool = False,
) -> Callback:
    """An operator books a callback for themself, a colleague or anyone."""
    now = ctx.now()
    if due_at <= now:
        raise InvalidInput("a callback must be in the future", field="due_at")
    with ctx.uow() as uow:
        c = _campaign_for(uow, actor, campaign_id, P.CALLS_HANDLE)
        _check_record(uow, c, record_id)
        target = actor.user_id if for_self else user_id
        _check_operator(uow, c, target)
        cb = Callback(
            id=0, campaign_id=c.id, record_id=record_id, due_at=due_at,
            scope=booking_scope(actor.user_id, target), user_id=target, notes=notes,
            created_by=actor.user_id, created_at=now,
        )  # fmt: skip
        cb.id = uow.callbacks.add(cb)
        record(
            uow, actor, "create", "callback", cb.id, campaign_place(c), None, callback_view(cb),
            now, P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return cb


def assign(
    ctx: ServiceContext,
    actor: Principal,
    campaign_id: int,
    record_ids: list[int],
    user_id: int,
    due_at: datetime,
    notes: str | None,
) -> list[Callback]:
    """A team leader or admin gives records (called or not yet) to an operator for a time.

    The date, time and notes are shown to the operator when the call happens.
    """
    now = ctx.now()
    with ctx.uow() as uow:
        c = _campaign_for(uow, actor, campaign_id, P.CAMPAIGNS_WRITE)
        _check_operator(uow, c, user_id)
        made = []
        for rid in dict.fromkeys(record_ids):
            _check_record(uow, c, rid)
            for old in uow.callbacks.open_for_record(rid):  # one open callback per record
                uow.callbacks.close(old.id, now)
            cb = Callback(
                id=0, campaign_id=c.id, record_id=rid, due_at=due_at,
                scope=CallbackScope.COLLEAGUE, user_id=user_id, notes=notes,
                created_by=actor.user_id, created_at=now,
            )  # fmt: skip
            cb.id = uow.callbacks.add(cb)
            made.append(cb)
            record(
                uow, actor, "create", "callback", cb.id, campaign_place(c), None,
                callback_view(cb), now, P.CAMPAIGNS_READ,
            )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return made


def reassign(
    ctx: ServiceContext,
    actor: Principal,
    campaign_id: int,
    callback_id: int,
    changes: dict[str, Any],
) -> Callback:
    with ctx.uow() as uow:
        c = _campaign_for(uow, actor, campaign_id, P.CAMPAIGNS_WRITE)
        cb = uow.callbacks.get(callback_id)
        if cb is None or cb.campaign_id != c.id:
            raise NotFound(f"callback {callback_id} not found")
        if cb.done_at is not None:
            raise InvalidInput("this callback is already done", field="callback_id")
        before = callback_view(cb)
        user_id = changes.get("user_id", cb.user_id)
        _check_operator(uow, c, user_id)
        scope = CallbackScope.ANYONE if user_id is None else CallbackScope.COLLEAGUE
        due_at = changes.get("due_at", cb.due_at)
        uow.callbacks.reassign(cb.id, user_id, scope, due_at)
        after = uow.callbacks.get(cb.id)
        assert after is not None
        record(
            uow, actor, "update", "callback", cb.id, campaign_place(c), before,
            callback_view(after), ctx.now(), P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return after


def pending(
    ctx: ServiceContext, actor: Principal, campaign_id: int, due_only: bool, mine: bool
) -> list[Callback]:
    now = ctx.now()
    with ctx.uow() as uow:
        c = uow.campaigns.get(campaign_id)
        place = campaign_place(c) if c else Place(0, "/")
        manager = c is not None and actor.can(P.CAMPAIGNS_READ, place)
        worker = c is not None and actor.can(P.CALLS_HANDLE, place)
        if c is None or not (manager or worker):
            raise NotFound(f"campaign {campaign_id} not found")
        # Operators see their own and team callbacks; managers see all of them.
        user = actor.user_id if (mine or not manager) else None
        return uow.callbacks.pending(c.id, now if due_only else None, user)

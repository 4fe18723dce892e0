"""Outcome definitions per campaign (OUT-3): CCO defaults preloaded, admins tailor them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from centralino.domain.access import Principal
from centralino.domain.errors import Conflict, InvalidInput, NotFound
from centralino.domain.outbound.outcomes import Outcome, OutcomeKind
from centralino.domain.roles import Permission
from centralino.services.audit import record
from centralino.services.campaigns import campaign_place, readable_campaign, writable_campaign
from centralino.services.context import ServiceContext

P = Permission


def outcome_view(o: Outcome) -> dict[str, Any]:
    return {
        "code": o.code,
        "label": o.label,
        "kind": o.kind.value,
        "is_system": o.is_system,
        "retry_delay_seconds": int(o.retry_delay.total_seconds()) if o.retry_delay else None,
        "max_attempts": o.max_attempts,
        "final": o.final,
        "block_number": o.block_number,
        "needs_date": o.needs_date,
    }


def list_outcomes(ctx: ServiceContext, actor: Principal, campaign_id: int) -> list[Outcome]:
    with ctx.uow() as uow:
        c = readable_campaign(uow, actor, campaign_id)
        return uow.outcomes.for_campaign(c.id)


def _build(data: dict[str, Any], base: Outcome | None = None) -> Outcome:
    fields = outcome_view(base) if base else {}
    fields.update(data)
    kind = OutcomeKind(fields["kind"])
    if kind is OutcomeKind.SYSTEM and (base is None or not base.is_system):
        raise InvalidInput("system outcomes come from the network; pick another kind", "kind")
    delay = fields.get("retry_delay_seconds")
    return Outcome(
        code=fields["code"],
        label=fields["label"],
        kind=kind,
        is_system=base.is_system if base else False,
        retry_delay=timedelta(seconds=delay) if delay else None,
        max_attempts=fields.get("max_attempts"),
        final=bool(fields.get("final", False)),
        block_number=bool(fields.get("block_number", False)),
        needs_date=kind is OutcomeKind.CALLBACK,
    )


def create_outcome(
    ctx: ServiceContext, actor: Principal, campaign_id: int, data: dict[str, Any]
) -> Outcome:
    with ctx.uow() as uow:
        c = writable_campaign(uow, actor, campaign_id)
        if uow.outcomes.get(c.id, data["code"]) is not None:
            raise Conflict(f"the campaign already has an outcome {data['code']!r}", "code")
        o = _build(data)
        uow.outcomes.add(c.id, o)
        record(
            uow, actor, "create", "outcome", f"{c.id}:{o.code}", campaign_place(c), None,
            outcome_view(o), ctx.now(), P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return o


def update_outcome(
    ctx: ServiceContext, actor: Principal, campaign_id: int, code: str, changes: dict[str, Any]
) -> Outcome:
    with ctx.uow() as uow:
        c = writable_campaign(uow, actor, campaign_id)
        current = uow.outcomes.get(c.id, code)
        if current is None:
            raise NotFound(f"outcome {code!r} not found")
        if current.is_system and "kind" in changes:
            raise InvalidInput("the kind of a system outcome is fixed", "kind")
        o = _build({**changes, "code": code}, current)
        o = replace(o, is_system=current.is_system)
        uow.outcomes.update(c.id, o)
        record(
            uow, actor, "update", "outcome", f"{c.id}:{code}", campaign_place(c),
            outcome_view(current), outcome_view(o), ctx.now(), P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return o


def delete_outcome(ctx: ServiceContext, actor: Principal, campaign_id: int, code: str) -> None:
    with ctx.uow() as uow:
        c = writable_campaign(uow, actor, campaign_id)
        current = uow.outcomes.get(c.id, code)
        if current is None:
            raise NotFound(f"outcome {code!r} not found")
        if current.is_system:
            raise Conflict("system outcomes cannot be deleted; change their rule instead", "code")
        uow.outcomes.delete(c.id, code)
        record(
            uow, actor, "delete", "outcome", f"{c.id}:{code}", campaign_place(c),
            outcome_view(current), None, ctx.now(), P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)

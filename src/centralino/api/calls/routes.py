"""Stored call legs (/api/v1/calls) and the operator state log (/api/v1/operator-states)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query

from centralino.api.calls.schemas import CallOut, OperatorStateOut, PhaseOut
from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.pagination import Page, PageParams, page_params, to_page
from centralino.domain.call_record import CallResult
from centralino.domain.errors import InvalidInput
from centralino.services import calls
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext
from centralino.store.repos.calls import CallRow, StateRow

router = APIRouter(tags=["calls"])


def call_out(c: CallRow) -> CallOut:
    phases = [PhaseOut(at=datetime.fromisoformat(at), phase=p, detail=d) for at, p, d in c.phases]
    return CallOut(
        id=c.id, company_id=c.company_id, group_id=c.group_id, call_id=c.call_id,
        direction=c.direction, service=c.service, queue=c.queue, number=c.number,
        user_id=c.user_id, operator=c.username, result=c.result, hangup_cause=c.hangup_cause,
        refused_reason=c.refused_reason, outcome=c.outcome, positive=c.positive,
        abandon_rule=c.abandon_rule,
        phases=phases, **c.times,
    )  # fmt: skip


def state_out(s: StateRow) -> OperatorStateOut:
    return OperatorStateOut(
        id=s.id, company_id=s.company_id, user_id=s.user_id, username=s.username,
        group_id=s.group_id, state=s.state, reason=s.reason, at=s.at,
    )  # fmt: skip


def _period(since: datetime | None, until: datetime | None) -> None:
    for name, at in (("from", since), ("to", until)):
        if at is not None and at.tzinfo is None:
            raise InvalidInput(f"{name} needs a UTC offset, e.g. 2026-11-23T09:00:00Z", name)
    if since is not None and until is not None and until <= since:
        raise InvalidInput("to must be after from", "to")


@router.get(
    "/calls", response_model=Page[CallOut], openapi_extra=access("stats.read", "call"),
)  # fmt: skip
def list_calls(
    since: datetime | None = Query(None, alias="from", description="Arrived at or after"),
    until: datetime | None = Query(None, alias="to", description="Arrived before"),
    queue: str | None = Query(None, max_length=120, description="Queue or campaign name"),
    service: str | None = Query(None, max_length=120),
    result: CallResult | None = Query(
        None,
        description="Only calls that ended so, e.g. callback_requested: callers who "
        "asked to be called back instead of waiting",
    ),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    """Finished call legs, inbound and outbound, by arrival, with their phases (TEL-2);
    those of the queues and campaigns of the caller's groups."""
    _period(since, until)
    found = calls.list_calls(
        ctx, me.principal, page.limit, page.offset, since=since, until=until, queue=queue,
        service=service, result=result.value if result else None,
    )  # fmt: skip
    return to_page(found, call_out)


@router.get(
    "/operator-states", response_model=Page[OperatorStateOut],
    openapi_extra=access("stats.read", "operator_state"),
)  # fmt: skip
def list_states(
    user_id: int | None = Query(None, description="Only this operator"),
    since: datetime | None = Query(None, alias="from", description="At or after"),
    until: datetime | None = Query(None, alias="to", description="Before"),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    """Every state change of the operators of the caller's groups, oldest first (IN-4)."""
    _period(since, until)
    found = calls.list_states(
        ctx, me.principal, page.limit, page.offset, user_id=user_id, since=since, until=until
    )
    return to_page(found, state_out)

"""Whom the caller may transfer a call to: /api/v1/transfer-targets."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.transfers.schemas import ColleagueOut, TransferTargetsOut
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext
from centralino.services.transfer_targets import PresenceOf, transfer_targets

router = APIRouter(tags=["transfers"])


def _presence(request: Request, company_id: int) -> PresenceOf | None:
    live = getattr(request.app.state, "live", None)
    center = live.center_of(company_id) if live is not None else None
    if center is None:
        return None
    states = center.presences()

    def state(user_id: int) -> str | None:
        p = states.get(f"user:{user_id}")
        return p.state.value if p is not None else "logged_out"

    return state


@router.get(
    "/transfer-targets", response_model=TransferTargetsOut,
    openapi_extra=access("calls.handle", "transfer_target"),
)  # fmt: skip
def list_transfer_targets(
    request: Request,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> TransferTargetsOut:
    """Colleagues (with their live state) and queues the caller may transfer a call to:
    those of the caller's groups, and the operator supervisors of the whole company;
    an operator supervisor sees every operator and queue of the company."""
    p = me.principal
    t = transfer_targets(ctx, p, _presence(request, p.company_id))
    return TransferTargetsOut(
        items=[
            ColleagueOut(
                user_id=c.user_id, username=c.username, display_name=c.display_name,
                group_name=c.group_name, operator_supervisor=c.operator_supervisor,
                state=c.state, target=f"operator:{c.user_id}",
            )
            for c in t.operators
        ],
        queues=t.queues,
    )  # fmt: skip

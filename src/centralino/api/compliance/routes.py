"""The compliance report under /api/v1/campaigns/{campaign_id}/compliance."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from centralino.api.compliance.schemas import ComplianceOut
from centralino.api.deps import access, authenticated, get_ctx
from centralino.services import compliance
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext

router = APIRouter(tags=["compliance"])


@router.get(
    "/campaigns/{campaign_id}/compliance", response_model=ComplianceOut,
    openapi_extra=access("campaigns.read", "campaign"),
)  # fmt: skip
def compliance_report(
    campaign_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> ComplianceOut:
    """The preset, the abandon rate over the campaign, 24 h, 30 days and per 100 answered
    calls, each against the cap, and the rules that allowed the last 24 h of dials."""
    return ComplianceOut.model_validate(
        compliance.compliance_report(ctx, me.principal, campaign_id)
    )

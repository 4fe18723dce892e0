"""Campaigns under /api/v1/campaigns."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from centralino.api.campaigns.schemas import (
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    OutcomeIn,
    OutcomeOut,
    OutcomePatch,
)
from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.pagination import Page, PageParams, page_params, to_page
from centralino.domain.outbound.campaign import Campaign, CampaignState
from centralino.services import campaigns, outcomes
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext

router = APIRouter(tags=["campaigns"])


def campaign_out(
    c: Campaign, users: list[int] | None = None, teams: list[int] | None = None
) -> CampaignOut:
    data = campaigns.campaign_view(c)
    return CampaignOut(
        id=c.id, company_id=c.company_id, created_at=c.created_at, updated_at=c.updated_at,
        operator_ids=users or [], team_ids=teams or [], **data,
    )  # fmt: skip


def _body(body: CampaignIn | CampaignPatch) -> dict[str, Any]:
    data = body.model_dump(exclude_unset=True)
    if data.get("windows") is not None:
        data["windows"] = list(campaigns.windows_from(data["windows"]))
    return data


@router.get(
    "/campaigns", response_model=Page[CampaignOut],
    openapi_extra=access("campaigns.read", "campaign"),
)  # fmt: skip
def list_campaigns(
    state: CampaignState | None = Query(None),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    result = campaigns.list_campaigns(ctx, me.principal, page.limit, page.offset, state)
    return to_page(result, campaign_out)


@router.post(
    "/campaigns", response_model=CampaignOut, status_code=201,
    openapi_extra=access("campaigns.write", "campaign", body_group_field="group_id"),
)  # fmt: skip
def create_campaign(
    body: CampaignIn, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> CampaignOut:
    data = _body(body)
    data.setdefault("name", body.name)
    data.setdefault("group_id", body.group_id)
    c = campaigns.create_campaign(ctx, me.principal, data)
    return campaign_out(c, body.operator_ids, body.team_ids)


@router.get(
    "/campaigns/{campaign_id}", response_model=CampaignOut,
    openapi_extra=access("campaigns.read", "campaign"),
)  # fmt: skip
def get_campaign(
    campaign_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> CampaignOut:
    c, users, teams = campaigns.get_campaign(ctx, me.principal, campaign_id)
    return campaign_out(c, users, teams)


@router.patch(
    "/campaigns/{campaign_id}", response_model=CampaignOut,
    openapi_extra=access("campaigns.write", "campaign"),
)  # fmt: skip
def update_campaign(
    campaign_id: int,
    body: CampaignPatch,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> CampaignOut:
    campaigns.update_campaign(ctx, me.principal, campaign_id, _body(body))
    c, users, teams = campaigns.get_campaign(ctx, me.principal, campaign_id)
    return campaign_out(c, users, teams)


@router.delete(
    "/campaigns/{campaign_id}", status_code=204,
    openapi_extra=access("campaigns.write", "campaign"),
)  # fmt: skip
def delete_campaign(
    campaign_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    campaigns.delete_campaign(ctx, me.principal, campaign_id)
    return Response(status_code=204)


@router.get(
    "/campaigns/{campaign_id}/outcomes", response_model=list[OutcomeOut],
    openapi_extra=access("campaigns.read", "campaign"),
)  # fmt: skip
def list_outcomes(
    campaign_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> list[OutcomeOut]:
    found = outcomes.list_outcomes(ctx, me.principal, campaign_id)
    return [OutcomeOut(**outcomes.outcome_view(o)) for o in found]


@router.post(
    "/campaigns/{campaign_id}/outcomes", response_model=OutcomeOut, status_code=201,
    openapi_extra=access("campaigns.write", "campaign"),
)  # fmt: skip
def create_outcome(
    campaign_id: int,
    body: OutcomeIn,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> OutcomeOut:
    o = outcomes.create_outcome(ctx, me.principal, campaign_id, body.model_dump())
    return OutcomeOut(**outcomes.outcome_view(o))


@router.patch(
    "/campaigns/{campaign_id}/outcomes/{code}", response_model=OutcomeOut,
    openapi_extra=access("campaigns.write", "campaign"),
)  # fmt: skip
def update_outcome(
    campaign_id: int,
    code: str,
    body: OutcomePatch,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> OutcomeOut:
    changes = body.model_dump(exclude_unset=True)
    o = outcomes.update_outcome(ctx, me.principal, campaign_id, code, changes)
    return OutcomeOut(**outcomes.outcome_view(o))


@router.delete(
    "/campaigns/{campaign_id}/outcomes/{code}", status_code=204,
    openapi_extra=access("campaigns.write", "campaign"),
)  # fmt: skip
def delete_outcome(
    campaign_id: int,
    code: str,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> Response:
    outcomes.delete_outcome(ctx, me.principal, campaign_id, code)
    return Response(status_code=204)

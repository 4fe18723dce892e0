"""A campaign's records and attempts under /api/v1/campaigns/{campaign_id}."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query

from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.pagination import Page, PageParams, page_params, to_page
from centralino.api.records.schemas import AttemptOut, RecordOut
from centralino.domain.outbound.outcomes import RecordState
from centralino.services import records
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext
from centralino.store.repos.records import AttemptRow, RecordRow

router = APIRouter(tags=["records"])


def record_out(r: RecordRow, now: datetime) -> RecordOut:
    return RecordOut(**records.record_view(r, now))


def attempt_out(a: AttemptRow) -> AttemptOut:
    return AttemptOut(**records.attempt_view(a))


@router.get(
    "/campaigns/{campaign_id}/records", response_model=Page[RecordOut],
    openapi_extra=access("campaigns.read", "campaign"),
)  # fmt: skip
def list_records(
    campaign_id: int,
    state: list[RecordState] = Query([], description="Only records in these states"),
    q: str | None = Query(
        None, max_length=100, description="Part of the name, or digits of the number"
    ),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    """The campaign's contacts in import order, with every imported column in `data`."""
    found = records.list_records(
        ctx, me.principal, campaign_id, page.limit, page.offset, states=state, search=q
    )
    now = ctx.now()
    return to_page(found, lambda r: record_out(r, now))


@router.get(
    "/campaigns/{campaign_id}/attempts", response_model=Page[AttemptOut],
    openapi_extra=access("campaigns.read", "campaign"),
)  # fmt: skip
def list_attempts(
    campaign_id: int,
    record_id: int | None = Query(None, description="Only this record's attempts"),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    """Newest first, each with the rule that allowed the dial."""
    found = records.list_attempts(
        ctx, me.principal, campaign_id, page.limit, page.offset, record_id=record_id
    )
    return to_page(found, attempt_out)

"""Pause reasons under /api/v1/pause-reasons: one list per company."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.pagination import Page, PageParams, page_params, to_page
from centralino.api.pause_reasons.schemas import PauseReasonIn, PauseReasonOut, PauseReasonPatch
from centralino.services import pauses
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext
from centralino.store.repos.pauses import PauseReasonRow

router = APIRouter(tags=["pause reasons"])
_READ = "services.read|calls.handle"


def reason_out(r: PauseReasonRow) -> PauseReasonOut:
    return PauseReasonOut(id=r.id, **pauses.reason_view(r))


@router.get(
    "/pause-reasons", response_model=Page[PauseReasonOut],
    openapi_extra=access(_READ, "pause_reason"),
)  # fmt: skip
def list_reasons(
    company_id: int | None = Query(None, description="System admins: another company's"),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    """The company's reasons; a company with none gets the defaults (lunch, 626 break, ...)."""
    found = pauses.list_reasons(ctx, me.principal, page.limit, page.offset, company_id)
    return to_page(found, reason_out)


@router.post(
    "/pause-reasons", response_model=PauseReasonOut, status_code=201,
    openapi_extra=access("services.write", "pause_reason", body_company_field="company_id"),
)  # fmt: skip
def create_reason(
    body: PauseReasonIn,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> PauseReasonOut:
    """Needs services.write on the company's root group."""
    data = body.model_dump(exclude={"company_id"})
    return reason_out(pauses.create_reason(ctx, me.principal, data, body.company_id))


@router.get(
    "/pause-reasons/{reason_id}", response_model=PauseReasonOut,
    openapi_extra=access(_READ, "pause_reason"),
)  # fmt: skip
def get_reason(
    reason_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> PauseReasonOut:
    return reason_out(pauses.get_reason(ctx, me.principal, reason_id))


@router.patch(
    "/pause-reasons/{reason_id}", response_model=PauseReasonOut,
    openapi_extra=access("services.write", "pause_reason"),
)  # fmt: skip
def update_reason(
    reason_id: int,
    body: PauseReasonPatch,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> PauseReasonOut:
    changes = body.model_dump(exclude_unset=True)
    return reason_out(pauses.update_reason(ctx, me.principal, reason_id, changes))


@router.delete(
    "/pause-reasons/{reason_id}", status_code=204,
    openapi_extra=access("services.write", "pause_reason"),
)  # fmt: skip
def delete_reason(
    reason_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    pauses.delete_reason(ctx, me.principal, reason_id)
    return Response(status_code=204)

"""Do-not-call lists under /api/v1/dnc: the company's own list and each campaign's."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile

from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.dnc.schemas import DncImportOut, DncIn, DncOut, RejectedRowOut
from centralino.api.pagination import Page, PageParams, page_params, to_page
from centralino.services import dnc, imports
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext
from centralino.store.repos.dnc import DncEntry

router = APIRouter(tags=["do-not-call"])

_REGION = r"^[A-Za-z]{2}$"
# POSTs naming a campaign in their body: the permission matrix targets that campaign
_BODY_CAMPAIGN = {"body_campaign_field": "campaign_id"}


def entry_out(e: DncEntry) -> DncOut:
    return DncOut(
        id=e.id, company_id=e.company_id, campaign_id=e.campaign_id,
        campaign_name=e.campaign_name, phone=e.phone, source=e.source, created_at=e.created_at,
    )  # fmt: skip


@router.get(
    "/dnc", response_model=Page[DncOut], openapi_extra=access("campaigns.read", "dnc"),
)  # fmt: skip
def list_entries(
    company_id: int | None = Query(None, description="Only this company's entries"),
    campaign_id: int | None = Query(None, description="Only this campaign's list"),
    scope: Literal["company", "campaign"] | None = Query(
        None, description="Only company-wide entries, or only campaigns' entries"
    ),
    phone: str | None = Query(
        None,
        max_length=32,
        description="Numbers starting with these digits: +39 06, 0039 06, or national (06)",
    ),
    region: str | None = Query(None, pattern=_REGION, description="Country of a national search"),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    """Newest first; a client user sees only its own campaigns' lists."""
    found = dnc.list_entries(
        ctx, me.principal, page.limit, page.offset, company_id=company_id,
        campaign_id=campaign_id, company_wide=None if scope is None else scope == "company",
        phone=phone, region=region,
    )  # fmt: skip
    return to_page(found, entry_out)


@router.post(
    "/dnc", response_model=DncOut, status_code=201,
    openapi_extra=access("campaigns.write", "dnc", **_BODY_CAMPAIGN),
)  # fmt: skip
def add_entry(
    body: DncIn, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> DncOut:
    """Without campaign_id the number goes on the company-wide list, which needs
    campaigns.write on the company's root group."""
    e = dnc.add_entry(
        ctx, me.principal, body.phone, campaign_id=body.campaign_id, company_id=body.company_id,
        region=body.region,
    )  # fmt: skip
    return entry_out(e)


@router.post(
    "/dnc/import", response_model=DncImportOut,
    openapi_extra=access("campaigns.write", "dnc", **_BODY_CAMPAIGN),
)  # fmt: skip
def import_entries(
    file: UploadFile = File(
        ..., description="Numbers one a line, or CSV/xlsx/xls/ods with a phone/telefono column"
    ),
    campaign_id: int | None = Form(None, description="Empty for the company-wide list"),
    company_id: int | None = Form(None, description="System admins: another company's list"),
    region: str | None = Form(None, pattern=_REGION, description="For numbers without +"),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> DncImportOut:
    """Adds every number in one transaction; each row is added, already present or
    rejected with its reason (rows_read = added + already_present + rejected)."""
    name = Path(file.filename or "upload").name[:255] or "upload"
    path = imports.stage_upload(ctx, file.file, name)
    try:
        result = dnc.import_entries(
            ctx, me.principal, path, name, campaign_id=campaign_id, company_id=company_id,
            region=region,
        )  # fmt: skip
    finally:
        imports.remove_upload(path)
    rejections = [
        RejectedRowOut(row=r.row, value=r.value, reason=r.reason) for r in result.rejections
    ]
    return DncImportOut(
        **result.summary(),
        company_id=result.company_id,
        rejections=rejections,
        rejections_truncated=result.rejected > len(rejections),
    )


@router.get(
    "/dnc/{entry_id}", response_model=DncOut, openapi_extra=access("campaigns.read", "dnc"),
)  # fmt: skip
def get_entry(
    entry_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> DncOut:
    return entry_out(dnc.get_entry(ctx, me.principal, entry_id))


@router.delete(
    "/dnc/{entry_id}", status_code=204, openapi_extra=access("campaigns.write", "dnc"),
)  # fmt: skip
def delete_entry(
    entry_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    dnc.delete_entry(ctx, me.principal, entry_id)
    return Response(status_code=204)

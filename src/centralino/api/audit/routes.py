"""The audit log, for admins, limited to their subtree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.pagination import Page, PageParams, page_params, to_page
from centralino.services import audit
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext

router = APIRouter(tags=["audit"])


class AuditOut(BaseModel):
    id: int
    company_id: int | None
    group_path: str | None
    actor_id: int | None
    actor_name: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime

    model_config = {"from_attributes": True}


@router.get("/audit", response_model=Page[AuditOut], openapi_extra=access("audit.read", "audit"))
def list_audit(
    entity: str | None = Query(None, max_length=32),
    entity_id: str | None = Query(None, max_length=64),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    result = audit.list_entries(ctx, me.principal, page.limit, page.offset, entity, entity_id)
    return to_page(result, AuditOut.model_validate)

"""Inbound services under /api/v1/services."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.inbound_services.schemas import ServiceIn, ServiceOut, ServicePatch
from centralino.api.pagination import Page, PageParams, page_params, to_page
from centralino.services import inbound_services
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext
from centralino.store.repos.inbound_services import ServiceRow

router = APIRouter(tags=["services"])


def service_out(s: ServiceRow) -> ServiceOut:
    return ServiceOut(
        id=s.id, company_id=s.company_id, created_at=s.created_at, updated_at=s.updated_at,
        **inbound_services.service_view(s),
    )  # fmt: skip


@router.get(
    "/services", response_model=Page[ServiceOut],
    openapi_extra=access("services.read", "service"),
)  # fmt: skip
def list_services(
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    """Services the caller may see; a client user sees the ones serving its client."""
    found = inbound_services.list_services(ctx, me.principal, page.limit, page.offset)
    return to_page(found, service_out)


@router.post(
    "/services", response_model=ServiceOut, status_code=201,
    openapi_extra=access("services.write", "service", body_group_field="group_id"),
)  # fmt: skip
def create_service(
    body: ServiceIn, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> ServiceOut:
    """Each number becomes E.164 and may belong to one service of the company (else 409);
    the queue and the queues the menus lead to must exist (else 422 naming the field)."""
    data = body.model_dump(mode="json", exclude_unset=True)
    data.setdefault("group_id", body.group_id)
    return service_out(inbound_services.create_service(ctx, me.principal, data))


@router.get(
    "/services/{service_id}", response_model=ServiceOut,
    openapi_extra=access("services.read", "service"),
)  # fmt: skip
def get_service(
    service_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> ServiceOut:
    return service_out(inbound_services.get_service(ctx, me.principal, service_id))


@router.patch(
    "/services/{service_id}", response_model=ServiceOut,
    openapi_extra=access("services.write", "service"),
)  # fmt: skip
def update_service(
    service_id: int,
    body: ServicePatch,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> ServiceOut:
    """Changes only the fields sent; `numbers` replaces the whole list."""
    changes = body.model_dump(mode="json", exclude_unset=True)
    return service_out(inbound_services.update_service(ctx, me.principal, service_id, changes))


@router.delete(
    "/services/{service_id}", status_code=204,
    openapi_extra=access("services.write", "service"),
)  # fmt: skip
def delete_service(
    service_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    inbound_services.delete_service(ctx, me.principal, service_id)
    return Response(status_code=204)

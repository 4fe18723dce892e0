"""Service levels (QA-1): a service's minimum and target, and the day's standing."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Response

from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.service_levels.schemas import PolicyIn, PolicyOut, StatusOut
from centralino.domain.service_levels import ServiceLevelPolicy
from centralino.services import service_levels
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext
from centralino.services.inbound_services import service_place

router = APIRouter(tags=["service levels"])


@router.get(
    "/services/{service_id}/service-level", response_model=PolicyOut,
    openapi_extra=access("services.read", "service"),
)  # fmt: skip
def get_service_level(
    service_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> PolicyOut:
    policy = service_levels.get_policy(ctx, me.principal, service_id)
    return PolicyOut(service_id=service_id, policy=None if policy is None else policy.as_json())


@router.put(
    "/services/{service_id}/service-level", response_model=PolicyOut,
    openapi_extra=access("services.write", "service"),
)  # fmt: skip
def put_service_level(
    service_id: int,
    body: PolicyIn,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> PolicyOut:
    """Set (or replace) the service's minimum and target; 422 names the field at fault."""
    policy = ServiceLevelPolicy.from_json(body.model_dump())
    service_levels.set_policy(ctx, me.principal, service_id, policy)
    return PolicyOut(service_id=service_id, policy=policy.as_json())


@router.delete(
    "/services/{service_id}/service-level", status_code=204,
    openapi_extra=access("services.write", "service"),
)  # fmt: skip
def delete_service_level(
    service_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    """The service has no service level afterwards (also when it had none)."""
    service_levels.clear_policy(ctx, me.principal, service_id)
    return Response(status_code=204)


@router.get(
    "/service-levels", response_model=StatusOut, openapi_extra=access("stats.read", "service")
)
def service_level_status(
    company_id: int | None = Query(None, description="System admins: which company"),
    day: date | None = Query(None, description="YYYY-MM-DD; today in the company's zone"),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> StatusOut:
    """The day so far of every service the caller may read statistics of; live changes
    arrive on the event stream as `service_level.status` and `service_level.alert`."""
    company = company_id if company_id is not None else me.principal.company_id
    shown, days = service_levels.day_status(ctx, me.principal, company, day)
    items = []
    for d in days:
        place = service_place(d.service)
        items.append({**d.as_json(), "company_id": company, "group_path": place.group_path})
    alerts = service_levels.list_alerts(ctx, me.principal, company, shown)
    return StatusOut(company_id=company, day=shown.isoformat(), items=items, alerts=alerts)

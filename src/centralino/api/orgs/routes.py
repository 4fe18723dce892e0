"""Companies (system admin), groups and clients under /api/v1."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.orgs.schemas import (
    ClientIn,
    ClientOut,
    ClientPatch,
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    GroupIn,
    GroupOut,
    GroupPatch,
)
from centralino.api.pagination import Page, PageParams, page_params, to_page
from centralino.domain.org import Company, Group
from centralino.services import org
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext

router = APIRouter()


def _company(c: Company, root_id: int | None = None) -> CompanyOut:
    out = CompanyOut.model_validate(c)
    out.root_group_id = root_id
    return out


def _group(g: Group) -> GroupOut:
    return GroupOut.model_validate(g)


@router.get(
    "/companies", response_model=Page[CompanyOut], tags=["companies"],
    openapi_extra=access("authenticated", "company", note="others see only their own company"),
)  # fmt: skip
def list_companies(
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    return to_page(org.list_companies(ctx, me.principal, page.limit, page.offset), _company)


@router.post(
    "/companies", response_model=CompanyOut, status_code=201, tags=["companies"],
    openapi_extra=access("companies.manage", "company"),
)  # fmt: skip
def create_company(
    body: CompanyIn, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> CompanyOut:
    c, root = org.create_company(ctx, me.principal, body.name, body.timezone, body.locale)
    return _company(c, root.id)


@router.get(
    "/companies/{company_id}", response_model=CompanyOut, tags=["companies"],
    openapi_extra=access("authenticated", "company"),
)  # fmt: skip
def get_company(
    company_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> CompanyOut:
    return _company(org.get_company(ctx, me.principal, company_id))


@router.patch(
    "/companies/{company_id}", response_model=CompanyOut, tags=["companies"],
    openapi_extra=access("companies.manage", "company"),
)  # fmt: skip
def update_company(
    company_id: int,
    body: CompanyPatch,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> CompanyOut:
    changes = body.model_dump(exclude_unset=True)
    return _company(org.update_company(ctx, me.principal, company_id, changes))


@router.delete(
    "/companies/{company_id}", status_code=204, tags=["companies"],
    openapi_extra=access("companies.manage", "company"),
)  # fmt: skip
def delete_company(
    company_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    org.delete_company(ctx, me.principal, company_id)
    return Response(status_code=204)


@router.get(
    "/groups", response_model=Page[GroupOut], tags=["groups"],
    openapi_extra=access("groups.read", "group"),
)  # fmt: skip
def list_groups(
    within: int | None = Query(None, description="Only this group's subtree"),
    parent_id: int | None = Query(None, description="Only direct children of this group"),
    q: str | None = Query(None, max_length=120, description="Name contains"),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    result = org.list_groups(ctx, me.principal, page.limit, page.offset, within, parent_id, q)
    return to_page(result, _group)


@router.post(
    "/groups", response_model=GroupOut, status_code=201, tags=["groups"],
    openapi_extra=access("groups.write", "group", body_group_field="parent_id"),
)  # fmt: skip
def create_group(
    body: GroupIn, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> GroupOut:
    return _group(org.create_group(ctx, me.principal, body.parent_id, body.name, body.kind))


@router.get(
    "/groups/{group_id}", response_model=GroupOut, tags=["groups"],
    openapi_extra=access("groups.read", "group"),
)  # fmt: skip
def get_group(
    group_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> GroupOut:
    return _group(org.get_group(ctx, me.principal, group_id))


@router.patch(
    "/groups/{group_id}", response_model=GroupOut, tags=["groups"],
    openapi_extra=access("groups.write", "group"),
)  # fmt: skip
def update_group(
    group_id: int,
    body: GroupPatch,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> GroupOut:
    changes = body.model_dump(exclude_unset=True)
    return _group(org.update_group(ctx, me.principal, group_id, changes))


@router.delete(
    "/groups/{group_id}", status_code=204, tags=["groups"],
    openapi_extra=access("groups.write", "group"),
)  # fmt: skip
def delete_group(
    group_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    org.delete_group(ctx, me.principal, group_id)
    return Response(status_code=204)


@router.get(
    "/clients", response_model=Page[ClientOut], tags=["clients"],
    openapi_extra=access("clients.read", "client", note="a client user sees its own client"),
)  # fmt: skip
def list_clients(
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    result = org.list_clients(ctx, me.principal, page.limit, page.offset)
    return to_page(result, ClientOut.model_validate)


@router.post(
    "/clients", response_model=ClientOut, status_code=201, tags=["clients"],
    openapi_extra=access("clients.write", "client", body_group_field="group_id"),
)  # fmt: skip
def create_client(
    body: ClientIn, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> ClientOut:
    return ClientOut.model_validate(org.create_client(ctx, me.principal, body.group_id, body.name))


@router.get(
    "/clients/{client_id}", response_model=ClientOut, tags=["clients"],
    openapi_extra=access("clients.read", "client"),
)  # fmt: skip
def get_client(
    client_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> ClientOut:
    return ClientOut.model_validate(org.get_client(ctx, me.principal, client_id))


@router.patch(
    "/clients/{client_id}", response_model=ClientOut, tags=["clients"],
    openapi_extra=access("clients.write", "client"),
)  # fmt: skip
def update_client(
    client_id: int,
    body: ClientPatch,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> ClientOut:
    changes = body.model_dump(exclude_unset=True)
    return ClientOut.model_validate(org.update_client(ctx, me.principal, client_id, changes))


@router.delete(
    "/clients/{client_id}", status_code=204, tags=["clients"],
    openapi_extra=access("clients.write", "client"),
)  # fmt: skip
def delete_client(
    client_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    org.delete_client(ctx, me.principal, client_id)
    return Response(status_code=204)

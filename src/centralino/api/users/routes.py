"""Users, their role grants, forced logout and role definitions under /api/v1."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.pagination import Page, PageParams, page_params, to_page
from centralino.api.users.schemas import (
    GrantIn,
    GrantOut,
    RoleDefinitionIn,
    RoleDefinitionOut,
    UserIn,
    UserOut,
    UserPatch,
)
from centralino.domain.roles import Role
from centralino.domain.users import Grant, User
from centralino.services import auth, users
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext
from centralino.services.users import GrantRequest

router = APIRouter()


def user_out(u: User, grants: list[Grant] | None = None) -> UserOut:
    out = UserOut.model_validate(u)
    out.roles = [GrantOut.model_validate(g) for g in grants or []]
    return out


@router.get(
    "/users", response_model=Page[UserOut], tags=["users"],
    openapi_extra=access("users.read", "user"),
)  # fmt: skip
def list_users(
    within: int | None = Query(None, description="Only users in this group's subtree"),
    q: str | None = Query(None, max_length=120, description="Username or name contains"),
    role: Role | None = Query(None, description="Only users holding this role"),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    result = users.list_users(ctx, me.principal, page.limit, page.offset, within, q, role)
    return to_page(result, user_out)


@router.post(
    "/users", response_model=UserOut, status_code=201, tags=["users"],
    openapi_extra=access("users.write", "user", body_group_field="group_id"),
)  # fmt: skip
def create_user(
    body: UserIn, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> UserOut:
    u, grants = users.create_user(
        ctx,
        me.principal,
        group_id=body.group_id,
        username=body.username,
        display_name=body.display_name,
        password=body.password,
        email=body.email,
        locale=body.locale,
        timezone=body.timezone,
        client_id=body.client_id,
        roles=[GrantRequest(r.role, r.group_id) for r in body.roles],
    )
    return user_out(u, grants)


@router.get(
    "/users/{user_id}", response_model=UserOut, tags=["users"],
    openapi_extra=access("users.read", "user"),
)  # fmt: skip
def get_user(
    user_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> UserOut:
    u, grants = users.get_user(ctx, me.principal, user_id)
    return user_out(u, grants)


@router.patch(
    "/users/{user_id}", response_model=UserOut, tags=["users"],
    openapi_extra=access("users.write", "user"),
)  # fmt: skip
def update_user(
    user_id: int,
    body: UserPatch,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> UserOut:
    u = users.update_user(ctx, me.principal, user_id, body.model_dump(exclude_unset=True))
    return user_out(u, users.list_grants(ctx, me.principal, user_id))


@router.delete(
    "/users/{user_id}", status_code=204, tags=["users"],
    openapi_extra=access("users.write", "user"),
)  # fmt: skip
def delete_user(
    user_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    users.delete_user(ctx, me.principal, user_id)
    return Response(status_code=204)


@router.post(
    "/users/{user_id}/logout", status_code=204, tags=["users"],
    openapi_extra=access("users.write", "user", note="forced logout"),
)  # fmt: skip
def force_logout(
    user_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    auth.logout_everywhere(ctx, me.principal, user_id)
    return Response(status_code=204)


@router.get(
    "/users/{user_id}/roles", response_model=list[GrantOut], tags=["roles"],
    openapi_extra=access("users.read", "user"),
)  # fmt: skip
def list_grants(
    user_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> list[GrantOut]:
    return [GrantOut.model_validate(g) for g in users.list_grants(ctx, me.principal, user_id)]


@router.post(
    "/users/{user_id}/roles", response_model=GrantOut, status_code=201, tags=["roles"],
    openapi_extra=access("roles.assign", "user", body_group_field="group_id"),
)  # fmt: skip
def add_grant(
    user_id: int,
    body: GrantIn,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> GrantOut:
    g = users.add_grant(ctx, me.principal, user_id, GrantRequest(body.role, body.group_id))
    return GrantOut.model_validate(g)


@router.delete(
    "/users/{user_id}/roles/{grant_id}", status_code=204, tags=["roles"],
    openapi_extra=access("roles.assign", "grant"),
)  # fmt: skip
def remove_grant(
    user_id: int,
    grant_id: int,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> Response:
    users.remove_grant(ctx, me.principal, user_id, grant_id)
    return Response(status_code=204)


@router.get(
    "/companies/{company_id}/roles", response_model=list[RoleDefinitionOut], tags=["roles"],
    openapi_extra=access("roles.assign", "company"),
)  # fmt: skip
def list_role_definitions(
    company_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> list[RoleDefinitionOut]:
    defs = users.role_definitions(ctx, me.principal, company_id)
    return [
        RoleDefinitionOut(role=r, permissions=sorted(p, key=lambda x: x.value))
        for r, p in defs.items()
    ]


@router.put(
    "/companies/{company_id}/roles/{role}", response_model=RoleDefinitionOut, tags=["roles"],
    openapi_extra=access("roles.assign", "company", note="null permissions resets the default"),
)  # fmt: skip
def set_role_definition(
    company_id: int,
    role: Role,
    body: RoleDefinitionIn,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> RoleDefinitionOut:
    perms = frozenset(body.permissions) if body.permissions is not None else None
    result = users.set_role_definition(ctx, me.principal, company_id, role, perms)
    return RoleDefinitionOut(role=role, permissions=sorted(result, key=lambda x: x.value))

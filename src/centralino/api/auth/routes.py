"""Login, logout, the caller's own account and API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from centralino.api.auth.schemas import (
    LoginIn,
    LoginOut,
    MeOut,
    NewTokenOut,
    PasswordIn,
    TokenIn,
    TokenOut,
)
from centralino.api.deps import SESSION_COOKIE, access, authenticated, client_address, get_ctx
from centralino.api.users.routes import user_out
from centralino.domain.roles import Permission
from centralino.services import auth
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext

router = APIRouter(prefix="/auth", tags=["auth"])


def set_session_cookie(response: Response, ctx: ServiceContext, session: auth.NewSession) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=ctx.settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.secure_cookies,
        path="/",
    )


@router.post("/login", response_model=LoginOut, openapi_extra=access("public"))
def login(
    body: LoginIn, request: Request, response: Response, ctx: ServiceContext = Depends(get_ctx)
) -> LoginOut:
    """Start a cookie session; send the returned CSRF token as X-CSRF-Token on changes."""
    user = auth.authenticate(ctx, body.username, body.password, client_address(request))
    session = auth.start_session(ctx, user, client_address(request))
    set_session_cookie(response, ctx, session)
    return LoginOut(
        user=user_out(user), csrf_token=session.csrf_token, expires_at=session.expires_at
    )


@router.post("/logout", status_code=204, openapi_extra=access("authenticated"))
def logout(
    me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    if me.session_hash:
        auth.end_session(ctx, me.session_hash)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/logout-everywhere", status_code=204, openapi_extra=access("authenticated"))
def logout_everywhere(
    me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    """End every session and revoke every API token of the caller."""
    auth.logout_everywhere(ctx, me.principal, me.user.id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=MeOut, openapi_extra=access("authenticated"))
def me(me: Identity = Depends(authenticated)) -> MeOut:
    perms = sorted(p.value for p in Permission if me.principal.has_anywhere(p))
    return MeOut(
        user=user_out(me.user, list(me.principal.grants)),
        permissions=perms,
        csrf_token=me.csrf_token,
    )


@router.post("/password", status_code=204, openapi_extra=access("authenticated"))
def change_password(
    body: PasswordIn, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    """Change one's password; every other session of the account ends."""
    auth.change_password(ctx, me, body.current_password, body.new_password)
    if me.session_hash is None:
        return Response(status_code=204)
    session = auth.start_session(ctx, me.user, None)
    response = Response(status_code=204)
    set_session_cookie(response, ctx, session)
    response.headers["X-CSRF-Token"] = session.csrf_token
    return response


@router.get("/tokens", response_model=list[TokenOut], openapi_extra=access("authenticated"))
def list_tokens(
    me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> list[TokenOut]:
    return [TokenOut.model_validate(t) for t in auth.list_tokens(ctx, me)]


@router.post(
    "/tokens", response_model=NewTokenOut, status_code=201, openapi_extra=access("authenticated")
)
def create_token(
    body: TokenIn, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> NewTokenOut:
    new = auth.create_token(ctx, me, body.name, body.expires_in_days)
    return NewTokenOut(token=new.token, **TokenOut.model_validate(new.row).model_dump())


@router.delete(
    "/tokens/{token_id}", status_code=204, openapi_extra=access("authenticated", "token")
)
def revoke_token(
    token_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    auth.revoke_token(ctx, me, token_id)
    return Response(status_code=204)

"""Who is calling: bearer token or session cookie (with CSRF on unsafe methods)."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import Depends, Request

from centralino.domain.errors import Forbidden
from centralino.services import auth
from centralino.services.auth import Identity, Unauthenticated
from centralino.services.context import ServiceContext

SESSION_COOKIE = "centralino_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_ctx(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.ctx
    return ctx


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return None


def identify(ctx: ServiceContext, request: Request) -> Identity | None:
    """The caller's identity, or None; cached on the request."""
    if hasattr(request.state, "identity"):
        cached: Identity | None = request.state.identity
        return cached
    identity: Identity | None = None
    token = _bearer(request)
    if token is not None:
        identity = auth.identity_from_token(ctx, token)
        if identity is None:
            raise Unauthenticated("the bearer token is invalid, expired or revoked")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            identity = auth.identity_from_session(ctx, cookie)
    request.state.identity = identity
    return identity


def check_csrf(identity: Identity, submitted: str | None) -> None:
    if identity.csrf_token is None:  # bearer tokens are not sent by browsers on their own
        return
    if not submitted or not hmac.compare_digest(submitted, identity.csrf_token):
        raise Forbidden("missing or wrong CSRF token", field="csrf_token")


def authenticated(request: Request, ctx: ServiceContext = Depends(get_ctx)) -> Identity:
    identity = identify(ctx, request)
    if identity is None:
        raise Unauthenticated("log in or send a bearer token")
    if request.method not in SAFE_METHODS:
        check_csrf(identity, request.headers.get(CSRF_HEADER))
    return identity


def access(permission: str, resource: str | None = None, **extra: Any) -> dict[str, Any]:
    """Route metadata read by the OpenAPI document and by the permission-matrix test."""
    return {"x-access": {"permission": permission, "resource": resource, **extra}}

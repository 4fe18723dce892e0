"""Web pages: login, home, the caller's account; error pages; the admin pages are in admin.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from starlette.exceptions import HTTPException

from centralino.api import problems
from centralino.api.auth.routes import set_session_cookie
from centralino.api.deps import SESSION_COOKIE, client_address, identify
from centralino.api.schemas_base import Locale, TimeZone
from centralino.domain.errors import DomainError
from centralino.domain.roles import ROLE_LABELS
from centralino.services import auth, users
from centralino.services.auth import Throttled
from centralino.web import (
    admin,
    campaign_outcomes,
    campaigns,
    inbound,
    panel,
    setup,
    setup_lists,
    setup_orders,
    setup_queues,
    setup_scripts,
    setup_services,
    statistics,
    supervision,
)
from centralino.web.i18n import LOCALES, N_
from centralino.web.portal import portal
from centralino.web.render import (
    LANG_COOKIE,
    check_form_csrf,
    ctx_of,
    flash_redirect,
    page_identity,
    render,
)

router = APIRouter(include_in_schema=False)

# Every GET page and what it needs; the permission-matrix test requires each page here.
PAGE_ACCESS: dict[str, str] = {
    "/login": "public",
    "/": "authenticated",
    "/account": "authenticated",
}


def _safe_next(url: str | None) -> str:
    return url if url and url.startswith("/") and not url.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    if identify(ctx_of(request), request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    username: str = Form("", max_length=64),
    password: str = Form("", max_length=256),
    csrf_token: str = Form("", max_length=128),
    next: str = Form("/", max_length=512),
) -> Response:
    ctx = ctx_of(request)
    check_form_csrf(request, None, csrf_token)
    try:
        user = auth.authenticate(ctx, username, password, client_address(request))
    except Throttled as exc:
        response = render(
            request, "login.html", None, status_code=429, next=_safe_next(next),
            error=N_("Too many failed attempts. Wait a few minutes and try again."),
            username=username,
        )  # fmt: skip
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except auth.LoginFailed:
        return render(
            request, "login.html", None, status_code=401, next=_safe_next(next),
            error=N_("Wrong username or password."), username=username,
        )  # fmt: skip
    session = auth.start_session(ctx, user, client_address(request))
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, ctx, session)
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("", max_length=128)) -> Response:
    identity = identify(ctx_of(request), request)
    if identity is not None:
        check_form_csrf(request, identity, csrf_token)
        if identity.session_hash:
            auth.end_session(ctx_of(request), identity.session_hash)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/lang")
def set_language(
    request: Request,
    lang: str = Form(..., max_length=8),
    csrf_token: str = Form("", max_length=128),
    back: str = Form("/", max_length=512),
) -> Response:
    identity = identify(ctx_of(request), request)
    check_form_csrf(request, identity, csrf_token)
    if lang not in LOCALES:
        return flash_redirect(request, _safe_next(back), N_("Unsupported language."), "error")
    if identity is not None:
        users.update_preferences(ctx_of(request), identity.principal, {"locale": lang})
    response = RedirectResponse(_safe_next(back), status_code=303)
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    identity = page_identity(request)
    with ctx_of(request).uow() as uow:
        names = {
            g.group_id: getattr(uow.groups.get(g.group_id), "name", "?")
            for g in identity.principal.grants
        }
    grants = [
        {"role": ROLE_LABELS[g.role], "group": names[g.group_id], "group_id": g.group_id}
        for g in identity.principal.grants
    ]
    return render(request, "home.html", identity, grants=grants, portal=portal(request, identity))


@router.get("/account", response_class=HTMLResponse)
def account(request: Request) -> Response:
    identity = page_identity(request)
    tokens = auth.list_tokens(ctx_of(request), identity)
    new_token = request.query_params.get("new_token")
    return render(request, "account.html", identity, tokens=tokens, new_token=None, shown=new_token)


@router.post("/account/preferences")
def account_preferences(
    request: Request,
    display_name: str = Form(..., min_length=1, max_length=120),
    locale: str = Form(..., max_length=8),
    timezone: str = Form("", max_length=64),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    identity = page_identity(request)
    check_form_csrf(request, identity, csrf_token)
    try:
        loc = TypeAdapter(Locale).validate_python(locale)
        tz = TypeAdapter(TimeZone).validate_python(timezone) if timezone else None
    except ValidationError as exc:
        return flash_redirect(request, "/account", exc.errors()[0]["msg"], "error")
    users.update_preferences(
        ctx_of(request), identity.principal,
        {"display_name": display_name.strip(), "locale": loc, "timezone": tz},
    )  # fmt: skip
    return flash_redirect(request, "/account", N_("Preferences saved."))


@router.post("/account/password")
def account_password(
    request: Request,
    current_password: str = Form("", max_length=256),
    new_password: str = Form("", max_length=256),
    confirm_password: str = Form("", max_length=256),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    identity = page_identity(request)
    check_form_csrf(request, identity, csrf_token)
    if new_password != confirm_password:
        return flash_redirect(request, "/account", N_("The two new passwords differ."), "error")
    ctx = ctx_of(request)
    try:
        auth.change_password(ctx, identity, current_password, new_password)
    except DomainError as exc:
        return flash_redirect(request, "/account", exc.message, "error")
    session = auth.start_session(ctx, identity.user, client_address(request))
    message = N_("Password changed. Other sessions were ended.")
    response = flash_redirect(request, "/account", message)
    set_session_cookie(response, ctx, session)
    return response


@router.post("/account/tokens", response_class=HTMLResponse)
def account_new_token(
    request: Request,
    name: str = Form(..., min_length=1, max_length=120),
    expires_in_days: int | None = Form(None, ge=1, le=3650),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    identity = page_identity(request)
    check_form_csrf(request, identity, csrf_token)
    ctx = ctx_of(request)
    new = auth.create_token(ctx, identity, name.strip(), expires_in_days)
    tokens = auth.list_tokens(ctx, identity)
    # The secret is shown once, in this response only; it is never stored in clear.
    return render(request, "account.html", identity, tokens=tokens, new_token=new.token, shown=None)


@router.post("/account/tokens/{token_id}/revoke")
def account_revoke_token(
    request: Request, token_id: int, csrf_token: str = Form("", max_length=128)
) -> Response:
    identity = page_identity(request)
    check_form_csrf(request, identity, csrf_token)
    auth.revoke_token(ctx_of(request), identity, token_id)
    return flash_redirect(request, "/account", N_("Token revoked."))


@router.post("/account/logout-everywhere")
def account_logout_everywhere(
    request: Request, csrf_token: str = Form("", max_length=128)
) -> Response:
    identity = page_identity(request)
    check_form_csrf(request, identity, csrf_token)
    auth.logout_everywhere(ctx_of(request), identity.principal, identity.user.id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


for _pages in (
    admin,
    campaigns,
    campaign_outcomes,
    inbound,
    panel,
    setup,
    setup_queues,
    setup_scripts,
    setup_services,
    setup_lists,
    setup_orders,
    statistics,
    supervision,
):
    router.include_router(_pages.router)
    PAGE_ACCESS.update(_pages.PAGE_ACCESS)


# --- errors: problem details under /api, pages elsewhere ---


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_page(request: Request, status: int, message: str) -> Response:
    identity = None
    try:
        identity = identify(ctx_of(request), request)
    except DomainError:
        identity = None
    if status == 401:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    return render(
        request, "error.html", identity, status_code=status, status=status, message=message
    )


async def on_domain_error(request: Request, exc: DomainError) -> Response:
    if _is_api(request):
        return await problems.on_domain(request, exc)
    if (
        request.method == "POST"
        and exc.status_code in (403, 404, 409, 422)
        and request.headers.get("referer", "").startswith(str(request.base_url))
    ):
        back = request.headers["referer"][len(str(request.base_url)) - 1 :]
        return flash_redirect(request, _safe_next(back), exc.message, "error")
    return _error_page(request, exc.status_code, exc.message)


async def on_http_error(request: Request, exc: HTTPException) -> Response:
    if _is_api(request):
        return await problems.on_http(request, exc)
    detail: Any = exc.detail
    return _error_page(request, exc.status_code, detail if isinstance(detail, str) else "Error")


async def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
    if _is_api(request):
        return await problems.on_validation(request, exc)
    errors = problems.validation_errors(exc)
    message = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    referer = request.headers.get("referer", "")
    if request.method == "POST" and referer.startswith(str(request.base_url)):
        back = referer[len(str(request.base_url)) - 1 :]
        return flash_redirect(request, _safe_next(back), message, "error")
    return _error_page(request, 422, message)

"""Page rendering: one Jinja environment per language, flash messages, anonymous CSRF."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape

from centralino.api.deps import identify
from centralino.domain.errors import Forbidden
from centralino.domain.roles import Permission
from centralino.services.auth import Identity, Unauthenticated
from centralino.services.context import ServiceContext
from centralino.web.i18n import LANGUAGE_NAMES, LOCALES, N_, local_time, negotiate, translations

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANG_COOKIE = "centralino_lang"
ANON_CSRF_COOKIE = "centralino_csrf"
FLASH_COOKIE = "centralino_flash"


@dataclass(frozen=True, slots=True)
class NavItem:
    href: str
    label: str
    permission: Permission | tuple[Permission, ...] | None  # a tuple: any one of them
    staff_only: bool = False  # the center's work, not offered to a client user's portal

    def shown_to(self, identity: Identity) -> bool:
        if self.staff_only and identity.principal.client_id is not None:
            return False
        if self.permission is None:
            return True
        wanted = self.permission if isinstance(self.permission, tuple) else (self.permission,)
        return any(identity.principal.has_anywhere(p) for p in wanted)


# The organisation pages under /admin, one entry in the main navigation and their own
# sub-navigation (each shown to the roles that may open it).
ADMIN_SECTIONS: tuple[NavItem, ...] = (
    NavItem("/admin/groups", N_("Groups"), Permission.GROUPS_READ),
    NavItem("/admin/users", N_("Users"), Permission.USERS_READ),
    NavItem("/admin/clients", N_("Clients"), Permission.CLIENTS_READ),
    NavItem("/admin/audit", N_("Audit log"), Permission.AUDIT_READ),
    NavItem("/admin/companies", N_("Companies"), Permission.COMPANIES_MANAGE),
)

# Labels are msgids: translated in the template.
NAV: tuple[NavItem, ...] = (
    NavItem("/", N_("Home"), None),
    NavItem("/panel", N_("Phone"), Permission.CALLS_HANDLE),
    NavItem("/campaigns", N_("Campaigns"), Permission.CAMPAIGNS_READ),
    NavItem("/inbound", N_("Inbound"), Permission.SERVICES_READ, staff_only=True),
    NavItem("/supervision", N_("Supervision"), Permission.SUPERVISE),
    NavItem("/reports", N_("Reports"), Permission.STATS_READ),
    NavItem(
        "/setup",
        N_("Setup"),
        (Permission.SERVICES_READ, Permission.CAMPAIGNS_READ),
        staff_only=True,
    ),
    NavItem("/admin", N_("Organisation"), tuple(s.permission for s in ADMIN_SECTIONS)),
)


@cache
def environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def ctx_of(request: Request) -> ServiceContext:
    c: ServiceContext = request.app.state.ctx
    return c


def locale_of(request: Request, identity: Identity | None) -> str:
    if identity and identity.user.locale in LOCALES:
        return identity.user.locale  # type: ignore[return-value]
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LOCALES:
        return cookie  # type: ignore[return-value]
    return negotiate(
        request.headers.get("accept-language"), ctx_of(request).settings.default_locale
    )


def _serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(ctx_of(request).settings.resolved_secret_key, salt="flash")


def flash_redirect(request: Request, url: str, text: str, kind: str = "ok") -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLASH_COOKIE, _serializer(request).dumps({"k": kind, "t": text}), max_age=60,
        httponly=True, samesite="lax",
    )  # fmt: skip
    return response


def _take_flash(request: Request) -> dict[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(request).loads(raw)
    except BadSignature:
        return None
    return {"kind": str(data.get("k", "ok")), "text": str(data.get("t", ""))}


def anon_csrf(request: Request) -> str:
    token = request.cookies.get(ANON_CSRF_COOKIE)
    return token if token and len(token) >= 20 else secrets.token_urlsafe(24)


def check_form_csrf(request: Request, identity: Identity | None, submitted: str | None) -> None:
    expected = identity.csrf_token if identity else request.cookies.get(ANON_CSRF_COOKIE)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise Forbidden("the form expired or did not come from this site; reload and try again")


def page_identity(request: Request) -> Identity:
    identity = identify(ctx_of(request), request)
    if identity is None:
        raise Unauthenticated("log in to see this page")
    return identity


def require(identity: Identity, permission: Permission) -> None:
    if not identity.principal.has_anywhere(permission):
        raise Forbidden(f"this page needs the {permission.value} permission")


def user_timezone(request: Request, identity: Identity | None) -> str:
    if identity and identity.user.timezone:
        return identity.user.timezone
    if identity:
        tz = getattr(request.state, "company_tz", None)
        if tz is None:
            with ctx_of(request).uow() as uow:
                company = uow.companies.get(identity.user.company_id)
            tz = company.timezone if company else "UTC"
            request.state.company_tz = tz
        return str(tz)
    return "UTC"


def render(
    request: Request,
    template: str,
    identity: Identity | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    locale = locale_of(request, identity)
    tz = user_timezone(request, identity)
    csrf = identity.csrf_token if identity and identity.csrf_token else anon_csrf(request)
    nav = [n for n in NAV if identity and n.shown_to(identity)]
    admin_nav = [
        n for n in ADMIN_SECTIONS
        if identity and request.url.path.startswith("/admin") and n.shown_to(identity)
    ]  # fmt: skip
    html = (
        environment(locale)
        .get_template(template)
        .render(
            request=request,
            me=identity,
            nav=nav,
            admin_nav=admin_nav,
            path=request.url.path,
            csrf_token=csrf,
            locale=locale,
            languages=LANGUAGE_NAMES,
            timezone=tz,
            flash=_take_flash(request),
            when=lambda dt, fmt="medium": local_time(dt, tz, locale, fmt),
            quote=quote,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE)
    if identity is None and request.cookies.get(ANON_CSRF_COOKIE) != csrf:
        response.set_cookie(ANON_CSRF_COOKIE, csrf, httponly=True, samesite="lax")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
        "style-src 'self'; script-src 'self'; frame-ancestors 'none'"
    )
    return response

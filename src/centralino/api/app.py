"""The ASGI application: API under /api/v1, its docs, the event stream and the web pages."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from centralino import __version__
from centralino.api import problems
from centralino.api.audit.routes import router as audit_router
from centralino.api.auth.routes import router as auth_router
from centralino.api.callbacks.routes import router as callbacks_router
from centralino.api.calls.routes import router as calls_router
from centralino.api.campaigns.routes import router as campaigns_router
from centralino.api.compliance.routes import router as compliance_router
from centralino.api.desk.routes import router as desk_router
from centralino.api.dnc.routes import router as dnc_router
from centralino.api.events import router as events_router
from centralino.api.imports.routes import router as imports_router
from centralino.api.inbound_services.routes import router as inbound_services_router
from centralino.api.orders.routes import router as orders_router
from centralino.api.orgs.routes import router as orgs_router
from centralino.api.pause_reasons.routes import router as pause_reasons_router
from centralino.api.phone.routes import router as phone_router
from centralino.api.phone_bar.routes import router as phone_bar_router
from centralino.api.queues.routes import router as queues_router
from centralino.api.records.routes import router as records_router
from centralino.api.reports.routes import router as reports_router
from centralino.api.scripts.phone_routes import router as phone_script_router
from centralino.api.scripts.routes import router as scripts_router
from centralino.api.service_levels.routes import router as service_levels_router
from centralino.api.supervision.routes import router as supervision_router
from centralino.api.transfers.routes import router as transfers_router
from centralino.api.users.routes import router as users_router
from centralino.domain.errors import DomainError
from centralino.services.context import ServiceContext

API = "/api/v1"
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"


def api_router() -> APIRouter:
    router = APIRouter(prefix=API)
    routers = (
        auth_router,
        orgs_router,
        users_router,
        campaigns_router,
        imports_router,
        callbacks_router,
        dnc_router,
        records_router,
        compliance_router,
        queues_router,
        inbound_services_router,
        service_levels_router,
        reports_router,
        pause_reasons_router,
        calls_router,
        transfers_router,
        phone_router,
        phone_bar_router,
        orders_router,
        phone_script_router,
        scripts_router,
        desk_router,
        supervision_router,
        audit_router,
    )
    for r in (*routers, events_router):
        router.include_router(r)
    return router


def create_app(ctx: ServiceContext) -> FastAPI:
    app = FastAPI(
        title="Centralino API",
        version=__version__,
        description=(
            "Contact-center platform API. Authenticate with a session cookie (from "
            "`POST /api/v1/auth/login`, then send `X-CSRF-Token` on changes) or with a "
            "bearer token from `POST /api/v1/auth/tokens`. Errors are RFC 9457 problem details."
        ),
        openapi_url=f"{API}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.include_router(api_router())

    app.add_exception_handler(IntegrityError, problems.on_integrity)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, problems.on_unexpected)

    from centralino.web import pages

    app.add_exception_handler(RequestValidationError, pages.on_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, pages.on_domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, pages.on_http_error)  # type: ignore[arg-type]

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount(
        "/api/docs-assets",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="docs-assets",
    )

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=f"{API}/openapi.json",
            title="Centralino API",
            swagger_js_url="/api/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/api/docs-assets/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz(request: Request) -> Response:
        return Response("ok", media_type="text/plain")

    app.include_router(pages.router)
    return app

"""Errors as RFC 9457 problem details; every error names the field it concerns when known."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from centralino.domain.errors import DomainError

log = logging.getLogger("centralino.api")

PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


def problem(
    status: int,
    detail: str,
    request: Request,
    error_id: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{error_id or status}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        where = parts[0]
        parts = parts[1:]
        if where == "body" and parts and parts[0].isdigit() and len(parts) == 1:
            return "body"  # position inside malformed JSON
        return ".".join(parts) or where
    return ".".join(parts)


def validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        kind = err.get("type", "")
        field = _field(err.get("loc", ()))
        msg = err.get("msg", "invalid value")
        if kind == "json_invalid":
            pos = err.get("loc", ("body", "?"))[-1]
            msg = f"malformed JSON at position {pos}: {err.get('ctx', {}).get('error', msg)}"
            field = "body"
        elif kind == "extra_forbidden":
            msg = "unknown field"
        out.append({"field": field, "message": msg, "type": kind})
    return out


async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = validation_errors(exc)
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, detail, request, "invalid-input", errors)


async def on_domain(request: Request, exc: DomainError) -> JSONResponse:
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
    headers = {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return problem(exc.status_code, exc.message, request, exc.error_id, errors, headers)


async def on_http(request: Request, exc: HTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
    return problem(exc.status_code, detail, request, None, None, dict(exc.headers or {}))


async def on_integrity(request: Request, exc: IntegrityError) -> JSONResponse:
    log.warning("integrity error on %s: %s", request.url.path, exc.orig)
    return problem(
        409, "the change conflicts with data saved meanwhile; reload and try again", request,
        "conflict",
    )  # fmt: skip


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s", request.url.path)
    return problem(500, "an unexpected error occurred; it has been logged", request, "internal")

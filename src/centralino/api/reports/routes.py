"""Statistics reports (IN-8, IN-9, QA-1) under /api/v1/reports: the list, and one report
over a period as JSON, an .xlsx workbook or CSV."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from centralino.api.deps import access, authenticated, get_ctx
from centralino.domain.errors import Forbidden, NotFound
from centralino.domain.roles import Permission
from centralino.reports.request import MEDIA, ReportRequest, as_json, check_format, render
from centralino.reports.sheets import REPORTS
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext

router = APIRouter(tags=["reports"])


@router.get("/reports", openapi_extra=access("stats.read", "service"))
def list_reports(me: Identity = Depends(authenticated)) -> dict[str, Any]:
    """The reports by name, for `GET /reports/run?name=…`."""
    if not me.principal.has_anywhere(Permission.STATS_READ):
        raise Forbidden("reports need the stats.read permission")
    return {"items": [{"name": r.name, "title": r.title} for r in REPORTS.values()]}


def default_period(ctx: ServiceContext, company_id: int) -> tuple[str, str]:
    """From the first of this month to today, in the company's zone."""
    with ctx.uow() as uow:
        company = uow.companies.get(company_id)
    if company is None:
        raise NotFound(f"company {company_id} not found", "company_id")
    today = ctx.now().astimezone(ZoneInfo(company.timezone)).date()
    return today.replace(day=1).isoformat(), today.isoformat()


@router.get("/reports/run", openapi_extra=access("stats.read", "service"))
async def run_report(
    name: str = Query("services", max_length=40, description="A report's name, or all"),
    first: str | None = Query(None, alias="from", max_length=10, description="YYYY-MM-DD"),
    last: str | None = Query(None, alias="to", max_length=10, description="YYYY-MM-DD"),
    by: str = Query("hour", max_length=5, description="hour, day or month"),
    weekdays: str | None = Query(None, max_length=40, description="0 Monday … 6 Sunday: 0-4"),
    hours: str | None = Query(None, max_length=60, description="9-18 or 9,14-18"),
    format: str = Query("json", max_length=4, description="json, xlsx or csv"),
    company_id: int | None = Query(None, description="System admins: which company"),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> Response:
    """One report over whole local days (default: this month so far); the caller sees only
    the calls, services and operators of the groups it may read statistics of."""
    actor = me.principal
    company = company_id if company_id is not None else actor.company_id

    def work() -> Response:
        if not actor.has_anywhere(Permission.STATS_READ):
            raise Forbidden("reports need the stats.read permission")
        start, end = default_period(ctx, company)
        request = ReportRequest.parse(
            company, name, first or start, last or end, by, weekdays, hours
        )
        check_format(format, len(request.names))
        name_out = request.file_name(format)
        disposition = {"Content-Disposition": f'attachment; filename="{name_out}"'}
        chunks = request.csv_stream(ctx, actor) if format == "csv" else None
        if chunks is not None:  # received calls: any number, written as they are read
            return StreamingResponse(
                (c.encode("utf-8") for c in chunks), media_type=MEDIA[format], headers=disposition
            )
        sheets = request.sheets(ctx, actor)
        if format == "json":
            q = request.query
            return JSONResponse(
                {
                    "company_id": company,
                    "from": q.first.isoformat(),
                    "to": q.last.isoformat(),
                    "by": q.by.value,
                    "items": [as_json(s) for s in sheets],
                }
            )
        return Response(render(sheets, format), media_type=MEDIA[format], headers=disposition)

    return await run_in_threadpool(work)

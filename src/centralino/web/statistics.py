"""Statistics pages: the reports (IN-8, IN-9, QA-1) over a period, shown and downloaded,
and the live service-level dashboard (QA-1) with its charts and alerts.

The report page runs the same `ReportRequest` as the API and the command line; its
download buttons point at `/api/v1/reports/run` with the same fields. The dashboard's
first paint comes from `services.service_levels.day_status`; afterwards the event stream
brings `service_level.status` and `service_level.alert` (static/statistics.js), so the
page changes without reload when the server's check sees new calls.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from centralino.domain.access import Principal
from centralino.domain.errors import DomainError, InvalidInput
from centralino.domain.roles import Permission
from centralino.domain.service_levels import Criteria, ServiceLevelPolicy
from centralino.reports.request import ReportRequest, as_json
from centralino.reports.sheets import REPORTS, build
from centralino.reports.xlsx import Kind, Sheet
from centralino.services import service_levels
from centralino.services.context import ServiceContext
from centralino.services.inbound_services import service_place
from centralino.web.i18n import N_, local_time, translations
from centralino.web.render import (
    check_form_csrf,
    ctx_of,
    flash_redirect,
    locale_of,
    page_identity,
    render,
    require,
    user_timezone,
)

router = APIRouter(include_in_schema=False)
P = Permission

PAGE_ACCESS: dict[str, str] = {
    "/reports": P.STATS_READ.value,
    "/service-levels": P.STATS_READ.value,
}

MAX_ROWS = 300  # rows shown per sheet on the page; the download has them all
LEVEL_LABELS = {
    "met": N_("Target met"),
    "minimum": N_("Minimum kept, target missed"),
    "missed": N_("Minimum missed"),
    "no_calls": N_("No calls yet"),
}
CRITERION_LABELS = {
    "answered": N_("Answered in time"),
    "abandoned": N_("Abandon rate"),
    "wait": N_("Average wait"),
}


def cell(kind: str, value: Any) -> str:
    """A report value as the page shows it (the spreadsheet formats them the same way)."""
    if value is None:
        return ""
    if kind == Kind.PERCENT:
        return f"{float(value) * 100:.1f}%"
    if kind in (Kind.DURATION, Kind.LONG_DURATION):
        s = int(float(value) + 0.5)  # half up, as a spreadsheet shows it
        h, m, sec = s // 3600, s % 3600 // 60, s % 60
        return f"{h}:{m:02d}:{sec:02d}" if kind == Kind.LONG_DURATION or h else f"{m:02d}:{sec:02d}"
    if kind == Kind.LOCAL_TIME:
        return str(value)[:19].replace("T", " ")
    return str(value)


def _detail_chart(sheet: dict[str, Any]) -> dict[str, Any] | None:
    """The detail report summed over its services per bucket: received, answered, lost and
    the service level, for the chart above the table."""
    if sheet["name"] != "Detail per service":
        return None
    heads = [c["header"] for c in sheet["columns"]]
    at = {h: i for i, h in enumerate(heads)}
    per: dict[str, list[float]] = {}
    for row in sheet["rows"]:
        got = per.setdefault(row[at["Period"]], [0, 0, 0, 0])
        got[0] += row[at["Received"]] or 0
        got[1] += row[at["Answered"]] or 0
        got[2] += row[at["Lost (abandoned)"]] or 0
        got[3] += row[at["Answered in target"]] or 0
    labels = sorted(per)
    return {
        "labels": labels,
        "received": [per[k][0] for k in labels],
        "answered": [per[k][1] for k in labels],
        "lost": [per[k][2] for k in labels],
        "service_level": [
            round(100 * per[k][3] / per[k][0], 1) if per[k][0] else None for k in labels
        ],
    }


def _page_sheets(
    ctx: ServiceContext, actor: Principal, req: ReportRequest
) -> list[Sheet | tuple[str, str]]:
    """The request's sheets; with several reports ("all"), one refused for its size (the
    received calls of a long period) is its title and message in its place, the others
    shown."""
    out: list[Sheet | tuple[str, str]] = []
    for name in req.names:
        try:
            out += build(ctx, actor, [name], req.query)
        except InvalidInput as exc:
            if len(req.names) == 1:
                raise  # the report asked for: the form's error
            out.append((REPORTS[name].title, exc.message))
    return out


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    name: str | None = None,
    first: str | None = None,
    last: str | None = None,
    by: str = "hour",
    weekdays: str | None = None,
    hours: str | None = None,
) -> Response:
    me = page_identity(request)
    require(me, P.STATS_READ)
    ctx = ctx_of(request)
    company = me.principal.company_id
    from centralino.api.reports.routes import default_period

    start, end = default_period(ctx, company)
    form = {
        "name": name or "services",
        "from": first or request.query_params.get("from") or start,
        "to": last or request.query_params.get("to") or end,
        "by": by,
        "weekdays": weekdays or "",
        "hours": hours or "",
    }
    sheets: list[dict[str, Any]] = []
    error: dict[str, str] | None = None
    if name is not None:
        try:
            req = ReportRequest.parse(
                company, form["name"], form["from"], form["to"], by, weekdays or None,
                hours or None,
            )  # fmt: skip
            for sheet in _page_sheets(ctx, me.principal, req):
                if isinstance(sheet, tuple):  # a report of "all" that cannot be listed here
                    sheets.append({"name": sheet[0], "notice": sheet[1], "chart": None})
                    continue
                data = as_json(sheet)
                kinds = [c["kind"] for c in data["columns"]]
                sheets.append(
                    {
                        "name": data["name"],
                        "columns": data["columns"],
                        "rows": [
                            [cell(k, v) for k, v in zip(kinds, r, strict=True)]
                            for r in data["rows"][:MAX_ROWS]
                        ],
                        "more": max(0, len(data["rows"]) - MAX_ROWS),
                        "totals": None
                        if data["totals"] is None
                        else [cell(k, v) for k, v in zip(kinds, data["totals"], strict=True)],
                        "chart": _detail_chart(data),
                    }
                )
        except DomainError as exc:
            error = {"field": exc.field or "", "message": exc.message}
    reports = [(r.name, r.title) for r in REPORTS.values()]
    return render(
        request, "reports.html", me, form=form, reports=reports, sheets=sheets, error=error,
        chart_json=json.dumps([s["chart"] for s in sheets]), max_rows=MAX_ROWS,
    )  # fmt: skip


@router.get("/service-levels", response_class=HTMLResponse)
def service_levels_page(request: Request, day: str | None = None) -> Response:
    me = page_identity(request)
    require(me, P.STATS_READ)
    ctx = ctx_of(request)
    gettext = translations(locale_of(request, me)).gettext
    chosen: date | None = None
    if day:
        try:
            chosen = date.fromisoformat(day)
        except ValueError:
            raise InvalidInput(f"{day!r} is not a date like 2026-03-29", "day") from None
    shown, days = service_levels.day_status(ctx, me.principal, me.principal.company_id, chosen)
    items = []
    for d in days:
        data = d.as_json()
        data["writable"] = me.principal.can(P.SERVICES_WRITE, service_place(d.service))
        items.append(data)
    alerts = service_levels.list_alerts(ctx, me.principal, me.principal.company_id, shown)
    tz, locale = user_timezone(request, me), locale_of(request, me)
    for a in alerts:
        a["at_local"] = local_time(datetime.fromisoformat(a["at"]), tz, locale, "medium")
    labels = {
        "levels": {k: gettext(v) for k, v in LEVEL_LABELS.items()},
        "criteria": {k: gettext(v) for k, v in CRITERION_LABELS.items()},
        "none": gettext("No service level set"),
        "target": gettext("Target"),
        "minimum": gettext("Minimum"),
        "service_level": gettext("Service level"),
        "received": gettext("Received"),
    }
    return render(
        request, "service_levels.html", me, day=shown, items=items, alerts=alerts,
        labels=labels, data_json=json.dumps({"items": items, "labels": labels}),
        level_labels=LEVEL_LABELS, criterion_labels=CRITERION_LABELS,
        today=chosen is None,
    )  # fmt: skip


def _criteria(prefix: str, form: dict[str, str]) -> Criteria:
    def number(key: str, percent: bool = False) -> float | None:
        raw = form.get(f"{prefix}_{key}", "").strip().replace(",", ".")
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            raise InvalidInput(f"{raw!r} is not a number", f"{prefix}.{key}") from None
        return value / 100 if percent else value

    within, share = number("answer_within"), number("answered_share", percent=True)
    if within is None or share is None:
        field = "answer_within" if within is None else "answered_share"
        raise InvalidInput("give the seconds and the share of calls", f"{prefix}.{field}")
    return Criteria(
        int(within), share, number("max_abandon_rate", percent=True), number("max_average_wait")
    )


@router.post("/service-levels/{service_id}", response_class=HTMLResponse)
async def set_service_level(request: Request, service_id: int) -> Response:
    me = page_identity(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_form_csrf(request, me, form.get("csrf_token"))
    ctx = ctx_of(request)
    try:
        if form.get("action") == "clear":
            service_levels.clear_policy(ctx, me.principal, service_id)
            return flash_redirect(request, "/service-levels", N_("Service level removed."))
        policy = ServiceLevelPolicy(_criteria("minimum", form), _criteria("target", form))
        service_levels.set_policy(ctx, me.principal, service_id, policy)
    except InvalidInput as exc:
        text = f"{exc.field}: {exc.message}" if exc.field else exc.message
        return flash_redirect(request, f"/service-levels#service-{service_id}", text, "error")
    return flash_redirect(
        request, f"/service-levels#service-{service_id}", N_("Service level saved.")
    )

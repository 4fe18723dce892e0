"""The operator panel: my phone, driven from the browser through /api/v1/me/phone.

The page is a shell: app.js reads my state whenever the event stream (/api/v1/events)
says it changed, and every 15 s besides, and sends the buttons' moves to the JSON API,
so the page and any other client of the API behave the same."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from centralino.domain.roles import Permission
from centralino.web.i18n import translations
from centralino.web.inbound import STATE_LABELS
from centralino.web.render import locale_of, page_identity, render, require

router = APIRouter(include_in_schema=False)
P = Permission

PAGE_ACCESS: dict[str, str] = {"/panel": P.CALLS_HANDLE.value}


@router.get("/panel", response_class=HTMLResponse)
def panel_page(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.CALLS_HANDLE)
    gettext = translations(locale_of(request, me)).gettext
    states = {code: gettext(label) for code, label in STATE_LABELS.items()}
    return render(request, "panel.html", me, states=states)

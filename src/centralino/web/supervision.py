"""The supervision page (IN-6, OUT-5): live operators, queues, services and campaigns of
the viewer's groups, and what a supervisor does to an operator.

The page is a shell: `static/supervision.js` paints the snapshot of
`GET /api/v1/supervision`, then applies the `supervision.*` events of the event stream
(no reload, no polling) and sends the actions to `/api/v1/supervision/operators/...`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from centralino.domain.roles import Permission
from centralino.web.campaigns import MODE_LABELS
from centralino.web.i18n import translations
from centralino.web.inbound import STATE_LABELS
from centralino.web.render import locale_of, page_identity, render, require

router = APIRouter(include_in_schema=False)
P = Permission

PAGE_ACCESS: dict[str, str] = {"/supervision": P.SUPERVISE.value}


@router.get("/supervision", response_class=HTMLResponse)
def supervision_page(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.SUPERVISE)
    gettext = translations(locale_of(request, me)).gettext
    states = {code: gettext(label) for code, label in STATE_LABELS.items()}
    modes = {mode.value: gettext(label) for mode, label in MODE_LABELS.items()}
    return render(request, "supervision.html", me, states=states, modes=modes)

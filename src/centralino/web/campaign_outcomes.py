"""A campaign's own outcomes (OUT-3), beside the CCO defaults: add one with its rule (final,
retry after a delay, or block the number) and delete it. The campaign page shows them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from centralino.api.campaigns.schemas import OutcomeIn
from centralino.domain.errors import DomainError
from centralino.services import outcomes
from centralino.web.campaigns import _detail, _writable
from centralino.web.i18n import N_
from centralino.web.render import check_form_csrf, ctx_of, flash_redirect, page_identity
from centralino.web.setup import FormState, number, text

router = APIRouter(include_in_schema=False)
PAGE_ACCESS: dict[str, str] = {}
RULES = ("final", "retry", "block")


async def _form(request: Request) -> FormData:
    return await request.form()


def _read(form: FormData) -> tuple[FormState, dict[str, Any]]:
    f = FormState({
        name: text(form, name, 120)
        for name in ("code", "label", "kind", "rule", "retry_minutes", "max_attempts")
    })  # fmt: skip
    rule = f.values["rule"] if f.values["rule"] in RULES else "final"
    minutes = number(f, "retry_minutes", f.values["retry_minutes"], whole=True)
    if rule == "retry" and minutes is None and "retry_minutes" not in f.errors:
        f.error("retry_minutes", "enter the minutes before the retry")
    data = {
        "code": f.values["code"], "label": f.values["label"], "kind": f.values["kind"],
        "final": rule == "final", "block_number": rule == "block",
        "retry_delay_seconds": minutes * 60 if rule == "retry" and minutes else None,
        "max_attempts": number(f, "max_attempts", f.values["max_attempts"], whole=True),
    }  # fmt: skip
    return f, data


@router.post("/campaigns/{campaign_id}/outcomes", response_class=HTMLResponse)
def outcome_create(request: Request, campaign_id: int, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    _writable(request, me, campaign_id)
    f, data = _read(form)
    if not f.errors:
        try:
            checked = OutcomeIn.model_validate(data).model_dump()
        except ValidationError as exc:
            for e in exc.errors():
                name = str(e["loc"][0]) if e["loc"] else "form"
                name = {"retry_delay_seconds": "retry_minutes"}.get(name, name)
                f.error(name, str(e["msg"]))
    if not f.errors:
        try:
            outcomes.create_outcome(ctx_of(request), me.principal, campaign_id, checked)
        except DomainError as exc:
            f.error(
                {"retry_delay_seconds": "retry_minutes"}.get(exc.field or "", exc.field or "form"),
                exc.message,
            )
        else:
            return flash_redirect(
                request, f"/campaigns/{campaign_id}#outcomes", N_("Outcome added.")
            )
    return _detail(request, me, campaign_id, status=422, outcome_form=f)


@router.post("/campaigns/{campaign_id}/outcomes/{code}/delete")
def outcome_delete(
    request: Request, campaign_id: int, code: str, form: FormData = Depends(_form)
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    outcomes.delete_outcome(ctx_of(request), me.principal, campaign_id, code)
    return flash_redirect(request, f"/campaigns/{campaign_id}#outcomes", N_("Outcome deleted."))

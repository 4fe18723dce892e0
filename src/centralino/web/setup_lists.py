"""Company lists: pause reasons (IN-4) and do-not-call lists (OUT-2, OUT-10): the company's
own list and each campaign's, with search, one number at a time and file uploads.

They call `services.pauses` and `services.dnc`, as the API does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from centralino.domain.access import Place
from centralino.domain.errors import DomainError, InvalidInput
from centralino.domain.roles import Permission
from centralino.services import campaigns, dnc, imports, pauses
from centralino.services.auth import Identity
from centralino.services.campaigns import campaign_place
from centralino.services.dnc import entry_place
from centralino.web.i18n import N_
from centralino.web.render import check_form_csrf, ctx_of, flash_redirect, page_identity, require
from centralino.web.setup import FormState, int_or_none, number, setup_render, text

router = APIRouter(include_in_schema=False)
P = Permission
PAGE_SIZE = 50
MAX_REASONS = 200

PAGE_ACCESS: dict[str, str] = {
    "/setup/pause-reasons": P.SERVICES_READ.value,
    "/setup/dnc": P.CAMPAIGNS_READ.value,
}


async def _form(request: Request) -> FormData:
    return await request.form()


def _root(request: Request, me: Identity) -> Place | None:
    with ctx_of(request).uow() as uow:
        root = uow.groups.root_of(me.user.company_id)
    return Place(root.company_id, root.path) if root else None


# --- pause reasons ---


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds / 60:.2f}".rstrip("0").rstrip(".")


def _read_reason(form: FormData) -> tuple[FormState, dict[str, Any]]:
    f = FormState(
        {
            "code": text(form, "code", 32),
            "label": text(form, "label", 120),
            "limit_minutes": text(form, "limit_minutes", 12),
            "screen_break": text(form, "screen_break") == "on",
        }
    )
    limit = number(f, "limit_minutes", f.values["limit_minutes"], scale=60)
    data = {
        "code": f.values["code"],
        "label": f.values["label"],
        "limit_seconds": limit,
        "screen_break": f.values["screen_break"],
    }
    return f, data


def _reasons_page(
    request: Request, me: Identity, status: int = 200, new: FormState | None = None,
    edit_id: int | None = None, edit: FormState | None = None,
) -> Response:  # fmt: skip
    found = pauses.list_reasons(ctx_of(request), me.principal, MAX_REASONS, 0)
    root = _root(request, me)
    forms = {
        r.id: FormState(
            {
                "label": r.reason.label,
                "limit_minutes": _minutes(r.reason.limit_seconds),
                "screen_break": r.reason.screen_break,
            }
        )
        for r in found.items
    }
    if edit_id is not None and edit is not None:
        forms[edit_id] = edit
    return setup_render(
        request, "setup_pauses.html", me, status_code=status, reasons=found.items,
        forms=forms, open_id=edit_id, new=new or FormState({"screen_break": False}),
        minutes=_minutes,
        can_write=root is not None and me.principal.can(P.SERVICES_WRITE, root),
    )  # fmt: skip


def _reason_field(name: str | None) -> str:
    name = name or "form"
    return {"limit_seconds": "limit_minutes", "body": "form", "pause_reason": "form"}.get(
        name, name
    )


@router.get("/setup/pause-reasons", response_class=HTMLResponse)
def reasons_page(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.SERVICES_READ)
    return _reasons_page(request, me)


@router.post("/setup/pause-reasons", response_class=HTMLResponse)
def reason_create(request: Request, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    f, data = _read_reason(form)
    if not f.errors:
        try:
            pauses.create_reason(ctx_of(request), me.principal, data)
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            f.error(_reason_field(exc.field), exc.message)
        else:
            return flash_redirect(request, "/setup/pause-reasons", N_("Pause reason created."))
    return _reasons_page(request, me, status=422, new=f)


@router.post("/setup/pause-reasons/{reason_id}", response_class=HTMLResponse)
def reason_update(request: Request, reason_id: int, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    f, data = _read_reason(form)
    del data["code"]  # fixed once created
    if not f.errors:
        try:
            pauses.update_reason(ctx_of(request), me.principal, reason_id, data)
        except DomainError as exc:
            if exc.status_code in (403, 404):
                raise
            f.error(_reason_field(exc.field), exc.message)
        else:
            return flash_redirect(request, "/setup/pause-reasons", N_("Pause reason saved."))
    return _reasons_page(request, me, status=422, edit_id=reason_id, edit=f)


@router.post("/setup/pause-reasons/{reason_id}/delete")
def reason_delete(request: Request, reason_id: int, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    pauses.delete_reason(ctx_of(request), me.principal, reason_id)
    return flash_redirect(request, "/setup/pause-reasons", N_("Pause reason deleted."))


# --- do-not-call lists ---


def _lists(request: Request, me: Identity) -> tuple[list[Any], list[Any], bool]:
    """The campaigns whose list the caller may read, those whose list they may change, and
    whether they may change the company's own list."""
    readable = campaigns.list_campaigns(ctx_of(request), me.principal, 500, 0, None).items
    own = [c for c in readable if c.company_id == me.user.company_id]
    writable = [c for c in own if me.principal.can(P.CAMPAIGNS_WRITE, campaign_place(c))]
    root = _root(request, me)
    return own, writable, root is not None and me.principal.can(P.CAMPAIGNS_WRITE, root)


def _target(raw: str) -> int | None:
    """The list chosen in a form: "company" (None) or a campaign id."""
    if raw == "company":
        return None
    cid = int_or_none(raw)
    if cid is None:
        raise InvalidInput("choose a list", field="list")
    return cid


def _dnc_page(
    request: Request, me: Identity, status: int = 200, *, scope: str = "", q: str = "",
    page: int = 1, add: FormState | None = None, upload: FormState | None = None,
    result: dnc.DncImport | None = None,
) -> Response:  # fmt: skip
    ctx = ctx_of(request)
    readable, writable, company_writable = _lists(request, me)
    search_error = None
    campaign_id = int_or_none(scope)
    try:
        found = dnc.list_entries(
            ctx, me.principal, PAGE_SIZE, (page - 1) * PAGE_SIZE, company_id=me.user.company_id,
            campaign_id=campaign_id, company_wide=True if scope == "company" else None,
            phone=q or None,
        )  # fmt: skip
    except InvalidInput as exc:
        search_error = exc.message
        found = dnc.list_entries(
            ctx, me.principal, PAGE_SIZE, 0, company_id=me.user.company_id,
            campaign_id=campaign_id, company_wide=True if scope == "company" else None,
        )  # fmt: skip
    removable = {e.id for e in found.items if me.principal.can(P.CAMPAIGNS_WRITE, entry_place(e))}
    default_list = "company" if company_writable else str(writable[0].id) if writable else ""
    return setup_render(
        request, "setup_dnc.html", me, status_code=status, entries=found.items,
        total=found.total, page=page, pages=max(1, -(-found.total // PAGE_SIZE)),
        scope=scope, q=q, search_error=search_error, campaigns=readable, writable=writable,
        company_writable=company_writable, removable=removable,
        add=add or FormState({"list": default_list}),
        upload=upload or FormState({"list": default_list}), result=result,
        can_write=company_writable or bool(writable),
    )  # fmt: skip


@router.get("/setup/dnc", response_class=HTMLResponse)
def dnc_page(
    request: Request,
    scope: str = Query("", alias="list", max_length=20),
    q: str = Query("", max_length=32),
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    me = page_identity(request)
    require(me, P.CAMPAIGNS_READ)
    return _dnc_page(request, me, scope=scope, q=q.strip(), page=page)


@router.post("/setup/dnc", response_class=HTMLResponse)
def dnc_add(request: Request, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    f = FormState(
        {"phone": text(form, "phone", 64), "list": text(form, "list", 20),
         "region": text(form, "region", 2).upper()}
    )  # fmt: skip
    if not f.values["phone"]:
        f.error("phone", "enter a phone number")
    else:
        try:
            e = dnc.add_entry(
                ctx_of(request), me.principal, f.values["phone"],
                campaign_id=_target(f.values["list"]), region=f.values["region"] or None,
            )  # fmt: skip
        except DomainError as exc:
            f.error(_dnc_field(exc.field), exc.message)
        else:
            message = N_("Number added to the do-not-call list.")
            return flash_redirect(request, f"/setup/dnc?q={e.phone.lstrip('+')}", message)
    return _dnc_page(request, me, status=422, add=f)


def _dnc_field(name: str | None) -> str:
    return {"campaign_id": "list", "company_id": "list", None: "form"}.get(name, name or "form")


@router.post("/setup/dnc/import", response_class=HTMLResponse)
def dnc_import(
    request: Request,
    file: UploadFile | None = File(None),
    list_: str = Form("", alias="list", max_length=20),
    region: str = Form("", max_length=2),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    ctx = ctx_of(request)
    f = FormState({"list": list_, "region": region.strip().upper()})
    if file is None or not file.filename:
        f.error("file", "choose a file of numbers")
        return _dnc_page(request, me, status=422, upload=f)
    name = Path(file.filename).name[:255] or "upload"
    try:
        path = imports.stage_upload(ctx, file.file, name)
        try:
            result = dnc.import_entries(
                ctx, me.principal, path, name, campaign_id=_target(list_),
                region=f.values["region"] or None,
            )  # fmt: skip
        finally:
            imports.remove_upload(path)
    except DomainError as exc:
        f.error(_dnc_field(exc.field), exc.message)
        return _dnc_page(request, me, status=422, upload=f)
    scope = "company" if result.campaign_id is None else str(result.campaign_id)
    return _dnc_page(request, me, scope=scope, upload=f, result=result)


@router.post("/setup/dnc/{entry_id}/delete")
def dnc_delete(request: Request, entry_id: int, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    dnc.delete_entry(ctx_of(request), me.principal, entry_id)
    back = text(form, "back", 300)
    url = back if back.startswith("/setup/dnc") else "/setup/dnc"
    return flash_redirect(request, url, N_("Number removed from the do-not-call list."))

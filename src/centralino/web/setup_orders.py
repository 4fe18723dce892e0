"""Order forms (OUT-7, the PDA): the campaigns and their forms, and each campaign's form
editor (add, remove and reorder fields). Works without JavaScript: the row buttons post the
form as typed and come back with the change, nothing is stored until *Save the form*,
which calls `services.orders.put_form`, as the API does."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from centralino.domain.errors import DomainError
from centralino.domain.orders import MAX_FIELDS, FieldKind, OrderForm
from centralino.domain.roles import Permission
from centralino.services import campaigns, orders
from centralino.services.auth import Identity
from centralino.services.campaigns import campaign_place
from centralino.web.i18n import N_
from centralino.web.render import check_form_csrf, ctx_of, flash_redirect, page_identity, require
from centralino.web.setup import FormState, setup_render, text

router = APIRouter(include_in_schema=False)
P = Permission

PAGE_ACCESS: dict[str, str] = {
    "/setup/order-forms": P.CAMPAIGNS_READ.value,
    "/setup/order-forms/{campaign_id}": P.CAMPAIGNS_READ.value,
}

KINDS = [
    (FieldKind.TEXT.value, N_("Text")),
    (FieldKind.NUMBER.value, N_("Number")),
    (FieldKind.CHOICE.value, N_("Choice")),
    (FieldKind.DATE.value, N_("Date")),
    (FieldKind.CHECKBOX.value, N_("Checkbox")),
]
_ROW = re.compile(r"^f-(\d+)-name$")
_OP = re.compile(r"^(up|down|remove)-(\d+)$")


async def _form(request: Request) -> FormData:
    return await request.form()


@router.get("/setup/order-forms", response_class=HTMLResponse)
def order_forms_page(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.CAMPAIGNS_READ)
    ctx = ctx_of(request)
    found = campaigns.list_campaigns(ctx, me.principal, 500, 0, None)
    with ctx.uow() as uow:
        counts = uow.orders.field_counts([c.id for c in found.items])
    return setup_render(
        request, "setup_order_forms.html", me, campaigns=found.items, counts=counts,
        total=found.total,
    )  # fmt: skip


def _rows_of(form: OrderForm) -> list[FormState]:
    rows = []
    for f in form.fields:
        lo: Any = f.min_date.isoformat() if f.min_date else f.minimum
        hi: Any = f.max_date.isoformat() if f.max_date else f.maximum
        rows.append(
            FormState(
                {
                    "name": f.name, "label": f.label, "kind": f.kind.value,
                    "required": f.required, "choices": "\n".join(f.choices),
                    "pattern": f.pattern or "", "minimum": _num(lo), "maximum": _num(hi),
                }
            )
        )  # fmt: skip
    return rows


def _num(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _read_rows(form: FormData) -> list[FormState]:
    """The rows as typed, in the order the page sent them."""
    rows = []
    for key, _ in form.multi_items():
        m = _ROW.match(key)
        if m is None:
            continue
        i = m.group(1)
        rows.append(
            FormState(
                {
                    "name": text(form, f"f-{i}-name", 40),
                    "label": text(form, f"f-{i}-label", 100),
                    "kind": text(form, f"f-{i}-kind", 16) or FieldKind.TEXT.value,
                    "required": text(form, f"f-{i}-required") == "on",
                    "choices": text(form, f"f-{i}-choices", 6000),
                    "pattern": text(form, f"f-{i}-pattern", 200),
                    "minimum": text(form, f"f-{i}-minimum", 20),
                    "maximum": text(form, f"f-{i}-maximum", 20),
                }
            )
        )
    return rows


def _field_data(row: FormState) -> dict[str, Any]:
    """A row as the API's body field; a bound is a date for a date field, else a number."""
    v = row.values
    kind = v["kind"]
    data: dict[str, Any] = {
        "name": v["name"], "label": v["label"], "kind": kind, "required": v["required"],
        "choices": [c.strip() for c in v["choices"].splitlines() if c.strip()],
        "pattern": v["pattern"] or None,
    }  # fmt: skip
    for key, date_key in (("minimum", "min_date"), ("maximum", "max_date")):
        raw = v[key].strip()
        if not raw:
            continue
        if kind == FieldKind.DATE.value:
            data[date_key] = raw
            continue
        try:
            data[key] = float(raw.replace(",", "."))
        except ValueError:
            row.error(key, "enter a number")
    return data


def _editor(
    request: Request, me: Identity, campaign_id: int, rows: list[FormState] | None = None,
    status: int = 200, error: str | None = None, focus: str | None = None,
) -> Response:  # fmt: skip
    ctx = ctx_of(request)
    with ctx.uow() as uow:
        c = campaigns.readable_campaign(uow, me.principal, campaign_id)
    if rows is None:
        rows = _rows_of(orders.get_form(ctx, me.principal, campaign_id))
    return setup_render(
        request, "setup_order_form.html", me, status_code=status, campaign=c, rows=rows,
        kinds=KINDS, error=error, focus=focus, max_fields=MAX_FIELDS,
        can_write=me.principal.can(P.CAMPAIGNS_WRITE, campaign_place(c)),
    )  # fmt: skip


@router.get("/setup/order-forms/{campaign_id}", response_class=HTMLResponse)
def order_form_page(request: Request, campaign_id: int) -> Response:
    me = page_identity(request)  # a campaign the caller may not read is not found (404)
    return _editor(request, me, campaign_id)


@router.post("/setup/order-forms/{campaign_id}", response_class=HTMLResponse)
def order_form_post(
    request: Request, campaign_id: int, form: FormData = Depends(_form)
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    rows = _read_rows(form)
    op = text(form, "op", 20)
    m = _OP.match(op)
    if op == "add":
        if len(rows) < MAX_FIELDS:
            rows.append(FormState({"kind": FieldKind.TEXT.value, "required": False}))
        return _editor(request, me, campaign_id, rows, focus=f"f-{len(rows) - 1}-name")
    if m is not None:
        what, i = m.group(1), int(m.group(2))
        if 0 <= i < len(rows):
            j = {"up": i - 1, "down": i + 1}.get(what)
            if what == "remove":
                rows.pop(i)
                j = min(i, len(rows) - 1)
            elif j is not None and 0 <= j < len(rows):
                rows[i], rows[j] = rows[j], rows[i]
            else:
                j = i
            focus = f"f-{j}-name" if j is not None and j >= 0 else None
            return _editor(request, me, campaign_id, rows, focus=focus)
        return _editor(request, me, campaign_id, rows)
    fields = [_field_data(r) for r in rows]
    if any(r.errors for r in rows):
        return _editor(request, me, campaign_id, rows, status=422)
    try:
        orders.put_form(ctx_of(request), me.principal, campaign_id, fields)
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        for r in rows:
            if exc.field and r.values.get("name") == exc.field:
                r.error("row", exc.message)
                break
        else:
            return _editor(request, me, campaign_id, rows, status=422, error=exc.message)
        return _editor(request, me, campaign_id, rows, status=422)
    return flash_redirect(request, f"/setup/order-forms/{campaign_id}", N_("Order form saved."))

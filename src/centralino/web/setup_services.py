"""Service pages (IN-1, IN-2): numbers, opening hours and closed dates in the service's
zone, prompts, screen pop, and the IVR menu editor (menus, keys and their actions).

The form is read into the API's body and given to `services.inbound_services`, as the API
does; each menu and key is first checked on its own by the domain, so an error lands on
the menu or key it is about."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from centralino.api.inbound_services.schemas import ServiceIn
from centralino.domain.errors import DomainError, InvalidInput
from centralino.domain.inbound.services import KEYS, Action, ActionKind, IvrMenu
from centralino.domain.roles import Permission
from centralino.services import inbound_services, org, queues
from centralino.services.auth import Identity
from centralino.services.inbound_services import service_place
from centralino.store.repos.inbound_services import ServiceRow
from centralino.web.campaigns import DAY_LABELS, ZONES
from centralino.web.i18n import N_
from centralino.web.render import check_form_csrf, ctx_of, flash_redirect, page_identity, require
from centralino.web.setup import (
    FormState,
    group_names,
    int_or_none,
    number,
    setup_render,
    text,
    writable_groups,
)

router = APIRouter(include_in_schema=False)
P = Permission
MAX_SERVICES = 500
WINDOW_ROWS = 4
SPARE_KEYS = 2  # empty key rows under each menu, for a browser without scripts
MAX_MENUS = 50

PAGE_ACCESS: dict[str, str] = {
    "/setup/services": P.SERVICES_READ.value,
    "/setup/services/new": P.SERVICES_WRITE.value,
    "/setup/services/{service_id}": P.SERVICES_READ.value,
}

ACTION_LABELS = {
    ActionKind.QUEUE: N_("Queue"),
    ActionKind.MENU: N_("Menu"),
    ActionKind.VOICEMAIL: N_("Voicemail"),
    ActionKind.MESSAGE: N_("Message, then hang up"),
    ActionKind.HANGUP: N_("Hang up"),
    ActionKind.OPERATOR: N_("Operator code"),
}
TEXTS = (
    "name", "group_id", "client_id", "region", "queue", "timezone", "closed_prompt", "welcome",
    "moh", "whisper", "screen_pop",
)  # fmt: skip
_MENU_FIELD = re.compile(r"^m(\d+)_name$")
_KEY_FIELD = re.compile(r"^m(\d+)_o(\d+)_key$")


def _num(x: float | int) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _blank_key() -> dict[str, str]:
    return {"key": "", "kind": "queue", "target": ""}


def _blank_menu(i: int) -> dict[str, Any]:
    return {
        "idx": i, "name": "", "prompt": "", "timeout": "8", "repeats": "2",
        "invalid_prompt": "ivr_invalid", "code_digits": "3", "default_kind": "",
        "default_target": "", "options": [_blank_key() for _ in range(SPARE_KEYS)],
    }  # fmt: skip


def _padded(f: FormState) -> FormState:
    """Empty rows to type into: calling windows up to WINDOW_ROWS, keys under each menu."""
    while len(f.values["windows"]) < WINDOW_ROWS:
        f.values["windows"].append({"days": [], "start": "", "end": ""})
    for m in f.values["menus"]:
        while sum(1 for o in m["options"] if not o["key"]) < SPARE_KEYS:
            m["options"].append(_blank_key())
    if not f.values["menus"]:
        f.values["menus"].append(_blank_menu(0))
    return f


def _form_of(s: ServiceRow | None, company_tz: str) -> FormState:
    if s is None:
        values: dict[str, Any] = {name: "" for name in TEXTS}
        values.update(
            group_id=None, client_id=None, timezone=company_tz, closed_prompt="closed",
            moh="moh", numbers="", closed_dates="", windows=[], menus=[], root_menu="",
        )  # fmt: skip
        return _padded(FormState(values))
    c = s.config
    menus = []
    for i, m in enumerate(sorted(c.menus.values(), key=lambda m: (m.name != c.root_menu, m.name))):
        menus.append({
            "idx": i, "name": m.name, "prompt": m.prompt, "timeout": _num(m.timeout),
            "repeats": str(m.repeats), "invalid_prompt": m.invalid_prompt,
            "code_digits": str(m.code_digits),
            "default_kind": m.default.kind.value if m.default else "",
            "default_target": m.default.target if m.default else "",
            "options": [
                {"key": k, "kind": a.kind.value, "target": a.target}
                for k, a in sorted(m.options.items())
            ],
        })  # fmt: skip
    root = next((str(m["idx"]) for m in menus if m["name"] == c.root_menu), "")
    values = {
        "name": c.name, "group_id": s.group_id, "client_id": s.client_id, "region": "",
        "queue": c.queue or "", "timezone": c.timezone, "closed_prompt": c.closed_prompt,
        "welcome": c.welcome or "", "moh": c.moh, "whisper": c.whisper or "",
        "screen_pop": c.screen_pop or "", "numbers": "\n".join(c.numbers),
        "closed_dates": "\n".join(sorted(d.isoformat() for d in c.hours.closed_dates)),
        "windows": [w.as_json() for w in c.hours.windows], "menus": menus, "root_menu": root,
    }  # fmt: skip
    return _padded(FormState(values))


# --- reading the form ---


def _read_windows(form: FormData, f: FormState) -> list[dict[str, Any]]:
    windows = []
    i = 0
    while f"w{i}_start" in form and i < 50:
        days = sorted(
            {int(d) for d in form.getlist(f"w{i}_days") if isinstance(d, str) and d.isdigit()}
        )
        start, end = text(form, f"w{i}_start", 5), text(form, f"w{i}_end", 5)
        f.values["windows"].append({"days": days, "start": start, "end": end})
        i += 1
        if not (days or start or end):
            continue
        if not (days and start and end):
            f.error("windows", "each opening window needs its days, a start and an end")
        elif end <= start:
            f.error("windows", f"a window must end after it starts ({start}–{end})")
        windows.append({"days": days, "start": start, "end": end})
    return windows


def _action(kind: str, target: str) -> dict[str, str]:
    """An action as the API's body has it, checked by the domain (its message on error)."""
    try:
        a = Action.from_json({"kind": kind, "target": target}, "action")
    except InvalidInput as exc:
        raise InvalidInput(exc.message.removeprefix("action: "), "action") from None
    return {"kind": a.kind.value, "target": a.target}


def _read_menu(form: FormData, f: FormState, i: int) -> tuple[str, dict[str, Any]] | None:
    """One menu as typed (kept in f.values) and as the body's JSON; None when left empty."""
    m: dict[str, Any] = {"idx": i, "options": []}
    for name in ("name", "prompt", "timeout", "repeats", "invalid_prompt", "code_digits",
                 "default_kind", "default_target"):  # fmt: skip
        m[name] = text(form, f"m{i}_{name}", 200)
    rows = sorted(
        int(g.group(2)) for key in form if (g := _KEY_FIELD.match(key)) and int(g.group(1)) == i
    )
    options: dict[str, Any] = {}
    for j in rows:
        row = {k: text(form, f"m{i}_o{j}_{k}", 200) for k in ("key", "kind", "target")}
        m["options"].append(row)
        if not row["key"]:
            continue
        where = f"m{i}_o{len(m['options']) - 1}"
        if row["key"] not in KEYS:
            f.error(where, f"{row['key']!r} is not a keypad key (0–9, * or #)")
        elif row["key"] in options:
            f.error(where, f"key {row['key']} is used twice in this menu")
        else:
            try:
                options[row["key"]] = _action(row["kind"], row["target"])
            except InvalidInput as exc:
                f.error(where, exc.message)
    f.values["menus"].append(m)
    if not m["name"] and not options and not m["prompt"]:
        return None
    where = f"menu{i}"
    if not m["name"]:
        f.error(where, "a menu needs a name")
        return None
    data: dict[str, Any] = {
        "prompt": m["prompt"] or f"menu_{m['name']}",
        "options": options,
        "invalid_prompt": m["invalid_prompt"] or "ivr_invalid",
    }
    for name, whole in (("timeout", False), ("repeats", True), ("code_digits", True)):
        value = number(f, f"m{i}_{name}", m[name], whole=whole)
        if value is not None:
            data[name] = value
    if m["default_kind"]:
        try:
            data["default"] = _action(m["default_kind"], m["default_target"])
        except InvalidInput as exc:
            f.error(f"m{i}_default", exc.message)
    try:
        IvrMenu.from_json(m["name"], data, f"menus.{m['name']}")
    except InvalidInput as exc:
        f.error(where, exc.message)
    return m["name"], data


def _read_form(form: FormData) -> tuple[FormState, dict[str, Any]]:
    """The form as typed (to show again) and as the API's body; errors by field."""
    f = FormState({name: text(form, name, 2000) for name in TEXTS})
    f.values.update(
        numbers=text(form, "numbers", 4000), closed_dates=text(form, "closed_dates", 4000),
        windows=[], menus=[], root_menu=text(form, "root_menu", 8),
    )  # fmt: skip
    for name in ("group_id", "client_id"):
        f.values[name] = int_or_none(f.values[name])
    if f.values["group_id"] is None:
        f.error("group_id", "choose a group")
    numbers = [n.strip() for n in re.split(r"[\n,;]+", f.values["numbers"]) if n.strip()]
    if not numbers:
        f.error("numbers", "enter at least one number")
    dates = [d.strip() for d in re.split(r"[\s,;]+", f.values["closed_dates"]) if d.strip()]
    windows = _read_windows(form, f)
    indices = sorted(int(g.group(1)) for key in form if (g := _MENU_FIELD.match(key)))
    menus: dict[str, Any] = {}
    root = None
    for i in indices[:MAX_MENUS]:
        found = _read_menu(form, f, i)
        if found is None:
            continue
        name, data = found
        if name in menus:
            f.error(f"menu{i}", f"two menus are named {name!r}")
        menus[name] = data
        if f.values["root_menu"] == str(i):
            root = name
    v = f.values
    body: dict[str, Any] = {
        "name": v["name"], "group_id": v["group_id"] or 0, "client_id": v["client_id"],
        "numbers": numbers, "region": v["region"].upper() or None, "queue": v["queue"] or None,
        "timezone": v["timezone"] or None, "hours": {"windows": windows, "closed_dates": dates},
        "closed_prompt": v["closed_prompt"] or "closed", "welcome": v["welcome"] or None,
        "moh": v["moh"] or "moh", "whisper": v["whisper"] or None, "menus": menus,
        "root_menu": root, "screen_pop": v["screen_pop"] or None,
    }  # fmt: skip
    return f, body


_NAMED_MENU = re.compile(r"^menu '([^']*)'")


def _field(f: FormState, name: str | None, message: str = "") -> str:
    """Where a service error goes: its field, or the menu its field or message names."""
    parts = (name or "form").split(".")
    named = _NAMED_MENU.match(message)
    menu = parts[1] if parts[0] == "menus" and len(parts) > 1 else named and named.group(1)
    for m in f.values["menus"]:
        if menu and m["name"] == menu:
            return f"menu{m['idx']}"
    if parts[0] in ("options", "timeout", "code_digits", "target", "menus", "root_menu"):
        return "menus"
    return {"body": "form", "service": "form"}.get(parts[0], parts[0])


def _validate(f: FormState, body: dict[str, Any]) -> dict[str, Any]:
    """The API's own schema, so the page and the API refuse the same input."""
    if f.errors:
        return body
    try:
        return ServiceIn.model_validate(body).model_dump(mode="json")
    except ValidationError as exc:
        for e in exc.errors():
            f.error(_field(f, str(e["loc"][0]) if e["loc"] else None), str(e["msg"]))
        return body


# --- pages ---


def _entry(s: ServiceRow) -> str:
    return s.config.root_menu or s.config.queue or ""


@router.get("/setup/services", response_class=HTMLResponse)
def services_page(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.SERVICES_READ)
    found = inbound_services.list_services(ctx_of(request), me.principal, MAX_SERVICES, 0)
    clients = {c.id: c.name for c in _clients(request, me)}
    return setup_render(
        request, "setup_services.html", me, services=found.items, clients=clients,
        names=group_names(request, {s.group_id for s in found.items}),
        can_write=me.principal.has_anywhere(P.SERVICES_WRITE), days=DAY_LABELS,
    )  # fmt: skip


def _clients(request: Request, me: Identity) -> list[Any]:
    if not me.principal.has_anywhere(P.CLIENTS_READ):
        return []
    return org.list_clients(ctx_of(request), me.principal, 500, 0).items


def _company_tz(request: Request, me: Identity) -> str:
    with ctx_of(request).uow() as uow:
        company = uow.companies.get(me.user.company_id)
    return company.timezone if company else "UTC"


def _form_page(
    request: Request, me: Identity, f: FormState, s: ServiceRow | None, status: int = 200
) -> Response:
    ctx = ctx_of(request)
    company = s.company_id if s else None
    groups = [
        g for g in writable_groups(request, me.principal, P.SERVICES_WRITE)
        if company is None or g.company_id == company
    ]  # fmt: skip
    queue_names = sorted(
        q.name for q in queues.list_queues(ctx, me.principal, 500, 0).items
        if company is None or q.company_id == company
    )  # fmt: skip
    clients = [c for c in _clients(request, me) if company is None or c.company_id == company]
    can_write = s is None or me.principal.can(P.SERVICES_WRITE, service_place(s))
    saved = _form_of(s, s.config.timezone).values["menus"] if s else []
    return setup_render(
        request, "setup_service.html", me, status_code=status, service=s, form=f,
        groups=groups, clients=clients, queue_names=queue_names, can_write=can_write,
        action_kinds=list(ActionKind), action_labels=ACTION_LABELS, days=DAY_LABELS,
        zones=ZONES, keys=sorted(KEYS), saved_menus={m["name"]: m for m in saved},
    )  # fmt: skip


async def _form(request: Request) -> FormData:
    return await request.form()


@router.get("/setup/services/new", response_class=HTMLResponse)
def service_new(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.SERVICES_WRITE)
    return _form_page(request, me, _form_of(None, _company_tz(request, me)), None)


@router.post("/setup/services", response_class=HTMLResponse)
def service_create(request: Request, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    require(me, P.SERVICES_WRITE)
    f, body = _read_form(form)
    checked = _validate(f, body)
    if not f.errors:
        try:
            s = inbound_services.create_service(ctx_of(request), me.principal, checked)
        except DomainError as exc:
            f.error(_field(f, exc.field, exc.message), exc.message)
        else:
            return flash_redirect(request, f"/setup/services/{s.id}", N_("Service created."))
    return _form_page(request, me, _padded(f), None, status=422)


@router.get("/setup/services/{service_id}", response_class=HTMLResponse)
def service_page(request: Request, service_id: int) -> Response:
    me = page_identity(request)
    s = inbound_services.get_service(ctx_of(request), me.principal, service_id)
    return _form_page(request, me, _form_of(s, s.config.timezone), s)


@router.post("/setup/services/{service_id}", response_class=HTMLResponse)
def service_update(request: Request, service_id: int, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    ctx = ctx_of(request)
    s = inbound_services.get_service(ctx, me.principal, service_id)
    f, body = _read_form(form)
    checked = _validate(f, body)
    if not f.errors:
        try:
            inbound_services.update_service(ctx, me.principal, service_id, checked)
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            f.error(_field(f, exc.field, exc.message), exc.message)
        else:
            return flash_redirect(request, f"/setup/services/{service_id}", N_("Service saved."))
    return _form_page(request, me, _padded(f), s, status=422)


@router.post("/setup/services/{service_id}/delete")
def service_delete(request: Request, service_id: int, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    inbound_services.delete_service(ctx_of(request), me.principal, service_id)
    return flash_redirect(request, "/setup/services", N_("Service deleted."))

"""Campaign pages (OUT-1 to OUT-4): list, create and edit, state changes, operators and
teams, outcomes and their retry rules, list import with a confirmed mapping, live figures."""

from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_percent
from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer
from pydantic import ValidationError
from starlette.datastructures import FormData

from centralino.api.campaigns.schemas import CampaignIn, CampaignPatch
from centralino.domain.access import Principal
from centralino.domain.errors import DomainError, Forbidden, InvalidInput
from centralino.domain.org import Group
from centralino.domain.outbound.campaign import Campaign, CampaignState, DialMode
from centralino.domain.outbound.compliance import PRESETS
from centralino.domain.outbound.outcomes import Outcome, OutcomeKind, RecordState
from centralino.domain.roles import Permission, Role
from centralino.imports.mapping import Role as Column
from centralino.services import (
    callbacks,
    campaigns,
    compliance,
    imports,
    org,
    outcomes,
    records,
    users,
)
from centralino.services.auth import Identity
from centralino.services.campaigns import campaign_place
from centralino.services.context import ServiceContext
from centralino.web.i18n import N_, local_time, translations
from centralino.web.render import (
    check_form_csrf,
    ctx_of,
    flash_redirect,
    locale_of,
    page_identity,
    render,
    require,
)

router = APIRouter(include_in_schema=False)
P = Permission
PAGE_SIZE = 50
WINDOW_ROWS = 4
STALE_UPLOAD = timedelta(days=1)

PAGE_ACCESS: dict[str, str] = {
    "/campaigns": P.CAMPAIGNS_READ.value,
    "/campaigns/new": P.CAMPAIGNS_WRITE.value,
    "/campaigns/{campaign_id}": P.CAMPAIGNS_READ.value,
    "/campaigns/{campaign_id}/edit": P.CAMPAIGNS_WRITE.value,
    "/campaigns/{campaign_id}/live.json": P.CAMPAIGNS_READ.value,
}

# Labels are msgids, translated in the templates.
STATE_LABELS = {
    CampaignState.DRAFT: N_("Draft"),
    CampaignState.ACTIVE: N_("Active"),
    CampaignState.PAUSED: N_("Paused"),
    CampaignState.FINISHED: N_("Finished"),
}
MODE_LABELS = {
    DialMode.MANUAL: N_("Manual"),
    DialMode.PREVIEW: N_("Preview"),
    DialMode.POWER: N_("Power"),
    DialMode.PREDICTIVE: N_("Predictive"),
}
KIND_LABELS = {
    OutcomeKind.POSITIVE: N_("Positive"),
    OutcomeKind.NEGATIVE: N_("Negative"),
    OutcomeKind.CALLBACK: N_("Callback"),
    OutcomeKind.RETRY: N_("Retry"),
    OutcomeKind.FINAL: N_("Final"),
    OutcomeKind.SYSTEM: N_("System"),
}
COLUMN_LABELS = {
    Column.PHONE: N_("Phone"),
    Column.NAME: N_("Name"),
    Column.FIRST_NAME: N_("First name"),
    Column.LAST_NAME: N_("Last name"),
    Column.COMPANY: N_("Company"),
    Column.EMAIL: N_("Email"),
    Column.TIMEZONE: N_("Time zone"),
    Column.PRIORITY: N_("Priority"),
}
DAY_LABELS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
# What each state button does: the target state and its label; the domain guards the move.
ACTIONS = {
    "activate": (CampaignState.ACTIVE, N_("Activate")),
    "pause": (CampaignState.PAUSED, N_("Pause")),
    "finish": (CampaignState.FINISHED, N_("Finish")),
}
PATTERN_HELP = {
    "caller_id": "digits only, 3 to 20, optionally starting with + (e.g. +390212345678)",
    "default_region": "two letters, the country code (e.g. IT, PL, GB)",
    "windows": "times are hours and minutes, e.g. 09:00",
}
ZONES = (
    "Europe/Rome", "Europe/Warsaw", "Europe/London", "Europe/Berlin", "Europe/Paris",
    "Europe/Madrid", "America/New_York", "America/Chicago", "America/Los_Angeles", "UTC",
)  # fmt: skip


async def _form(request: Request) -> FormData:
    return await request.form()


def _uploads_signer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(ctx_of(request).settings.resolved_secret_key, salt="list-upload")


# --- names shown beside ids ---


def _groups(request: Request, principal: Principal, perm: Permission) -> list[Group]:
    with ctx_of(request).uow() as uow:
        return uow.groups.list(principal.visibility(perm), 5000, 0).items


def _names(
    request: Request, group_ids: set[int], client_ids: set[int]
) -> dict[str, dict[int, str]]:
    """Names of the groups and clients of campaigns the caller may read (shown, not listed)."""
    with ctx_of(request).uow() as uow:
        groups = {i: g.name for i in group_ids if (g := uow.groups.get(i)) is not None}
        clients = {i: c.name for i in client_ids if (c := uow.clients.get(i)) is not None}
    return {"groups": groups, "clients": clients}


def _clients(request: Request, principal: Principal) -> list[Any]:
    if not principal.has_anywhere(P.CLIENTS_READ):
        return []
    return org.list_clients(ctx_of(request), principal, 500, 0).items


# --- list ---


@router.get("/campaigns", response_class=HTMLResponse)
def campaigns_page(
    request: Request,
    state: CampaignState | None = Query(None),
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    me = page_identity(request)
    require(me, P.CAMPAIGNS_READ)
    ctx = ctx_of(request)
    result = campaigns.list_campaigns(ctx, me.principal, PAGE_SIZE, (page - 1) * PAGE_SIZE, state)
    counts = {c.id: record_counts(ctx, me.principal, c.id) for c in result.items}
    names = _names(
        request,
        {c.group_id for c in result.items},
        {c.client_id for c in result.items if c.client_id is not None},
    )
    return render(
        request, "campaigns.html", me, result=result, counts=counts, names=names,
        state=state, states=list(CampaignState), state_labels=STATE_LABELS,
        mode_labels=MODE_LABELS, page=page, pages=max(1, -(-result.total // PAGE_SIZE)),
        can_write=me.principal.has_anywhere(P.CAMPAIGNS_WRITE),
    )  # fmt: skip


# --- create and edit ---


@dataclass(slots=True)
class CampaignForm:
    """What the form holds, as typed, so a refused form comes back as the user left it."""

    values: dict[str, Any] = field(default_factory=dict)
    windows: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def _form_of(c: Campaign | None, company_tz: str) -> CampaignForm:
    if c is None:
        windows: list[dict[str, Any]] = [
            {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "20:00"},
            {"days": [5], "start": "10:00", "end": "19:00"},
        ]
        values: dict[str, Any] = {
            "name": "", "group_id": None, "client_id": None, "dial_mode": "preview",
            "caller_id": "", "default_region": "IT", "timezone": company_tz,
            "compliance": "it", "max_attempts": 5, "priority": 5, "positive_target": "2",
            "power_ratio": "1",
        }  # fmt: skip
    else:
        windows = [w.as_json() for w in c.windows]
        values = {
            "name": c.name, "group_id": c.group_id, "client_id": c.client_id,
            "dial_mode": c.dial_mode.value, "caller_id": c.caller_id or "",
            "default_region": c.default_region, "timezone": c.timezone,
            "compliance": c.compliance, "max_attempts": c.max_attempts,
            "priority": c.priority, "positive_target": _num(c.positive_target * 100),
            "power_ratio": _num(c.power_ratio),
        }  # fmt: skip
    while len(windows) < WINDOW_ROWS:
        windows.append({"days": [], "start": "", "end": ""})
    return CampaignForm(values, windows)


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _int_or_none(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.lstrip("-").isdigit() else None


def _read_form(form: FormData) -> tuple[CampaignForm, dict[str, Any]]:
    """The form as typed (to show again) and as data for the service; errors by field."""
    f = CampaignForm()

    def text(name: str) -> str:
        value = form.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    f.values = {
        name: text(name)
        for name in (
            "name", "group_id", "client_id", "dial_mode", "caller_id", "default_region",
            "timezone", "compliance", "max_attempts", "priority", "positive_target",
            "power_ratio",
        )
    }  # fmt: skip
    f.values["default_region"] = f.values["default_region"].upper()
    data: dict[str, Any] = {
        "name": f.values["name"],
        "dial_mode": f.values["dial_mode"] or "preview",
        "caller_id": re.sub(r"[\s.()/-]", "", f.values["caller_id"]) or None,
        "default_region": f.values["default_region"] or "IT",
        "timezone": f.values["timezone"] or None,
        "compliance": f.values["compliance"] or "it",
    }
    for name in ("group_id", "client_id"):
        f.values[name] = _int_or_none(f.values[name])
        data[name] = f.values[name]
    if data["group_id"] is None:
        f.errors["group_id"] = "choose a group"
    for name in ("max_attempts", "priority"):
        try:
            data[name] = int(f.values[name])
        except ValueError:
            f.errors[name] = "enter a whole number"
    for name, scale in (("positive_target", 0.01), ("power_ratio", 1.0)):
        try:
            data[name] = round(float(f.values[name].replace(",", ".")) * scale, 6)
        except ValueError:
            f.errors[name] = "enter a number"
    windows = []
    for i in range(WINDOW_ROWS):
        days = sorted(
            {int(d) for d in form.getlist(f"w{i}_days") if isinstance(d, str) and d.isdigit()}
        )
        start, end = text(f"w{i}_start")[:5], text(f"w{i}_end")[:5]
        f.windows.append({"days": days, "start": start, "end": end})
        if not (days or start or end):
            continue
        if not (days and start and end):
            f.errors["windows"] = "each calling window needs its days, a start and an end"
        elif end <= start:
            f.errors["windows"] = f"a window must end after it starts ({start}–{end})"
        windows.append({"days": days, "start": start, "end": end})
    data["windows"] = windows
    if not windows:
        f.errors["windows"] = "a campaign needs at least one calling window"
    return f, data


def _validate(f: CampaignForm, data: dict[str, Any], partial: bool) -> dict[str, Any]:
    """The same rules as the API, so the page and the API refuse the same input."""
    if f.errors:
        return data
    try:
        if partial:
            nullable = CampaignPatch.nullable
            data = {k: v for k, v in data.items() if v is not None or k in nullable}
            model: Any = CampaignPatch.model_validate(data)
            checked: dict[str, Any] = model.model_dump(exclude_unset=True)
        else:
            model = CampaignIn.model_validate(data)
            checked = model.model_dump(exclude={"operator_ids", "team_ids"})
    except ValidationError as exc:
        for e in exc.errors():
            loc = e["loc"][0] if e["loc"] else "form"
            name = str(loc)
            if name == "positive_target" and e["type"].startswith(("less", "greater")):
                f.errors[name] = "enter a percentage from 0 to 100"
            elif e["type"] == "string_pattern_mismatch" and name in PATTERN_HELP:
                f.errors[name] = PATTERN_HELP[name]
            else:
                f.errors.setdefault(name, str(e["msg"]).removeprefix("Value error, "))
        return data
    try:
        checked["windows"] = list(campaigns.windows_from(checked["windows"]))
    except DomainError as exc:
        f.errors["windows"] = exc.message
    return checked


def _form_page(
    request: Request, me: Identity, f: CampaignForm, c: Campaign | None, status: int = 200
) -> Response:
    groups = [
        g for g in _groups(request, me.principal, P.CAMPAIGNS_WRITE)
        if c is None or g.company_id == c.company_id
    ]  # fmt: skip
    return render(
        request, "campaign_new.html", me, status_code=status, campaign=c, form=f,
        groups=groups, clients=_clients(request, me.principal), modes=list(DialMode),
        mode_labels=MODE_LABELS, presets=PRESETS, days=DAY_LABELS, zones=ZONES,
    )  # fmt: skip


def _company_tz(request: Request, me: Identity) -> str:
    with ctx_of(request).uow() as uow:
        company = uow.companies.get(me.user.company_id)
    return company.timezone if company else "UTC"


@router.get("/campaigns/new", response_class=HTMLResponse)
def campaign_new(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.CAMPAIGNS_WRITE)
    return _form_page(request, me, _form_of(None, _company_tz(request, me)), None)


@router.post("/campaigns", response_class=HTMLResponse)
def campaign_create(request: Request, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, _text(form, "csrf_token"))
    require(me, P.CAMPAIGNS_WRITE)
    f, data = _read_form(form)
    data = _validate(f, data, partial=False)
    if not f.errors:
        try:
            c = campaigns.create_campaign(ctx_of(request), me.principal, data)
        except DomainError as exc:
            f.errors[exc.field or "form"] = exc.message
        else:
            return flash_redirect(request, f"/campaigns/{c.id}", N_("Campaign created."))
    return _form_page(request, me, f, None, status=422)


@router.get("/campaigns/{campaign_id}/edit", response_class=HTMLResponse)
def campaign_edit(request: Request, campaign_id: int) -> Response:
    me = page_identity(request)
    c = _writable(request, me, campaign_id)
    return _form_page(request, me, _form_of(c, c.timezone), c)


@router.post("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_update(
    request: Request, campaign_id: int, form: FormData = Depends(_form)
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, _text(form, "csrf_token"))
    c = _writable(request, me, campaign_id)
    f, data = _read_form(form)
    if data.get("client_id") is None:
        data["client_id"] = None
    data = _validate(f, data, partial=True)
    if not f.errors:
        try:
            campaigns.update_campaign(ctx_of(request), me.principal, campaign_id, data)
        except DomainError as exc:
            f.errors[exc.field or "form"] = exc.message
        else:
            return flash_redirect(request, f"/campaigns/{campaign_id}", N_("Campaign saved."))
    return _form_page(request, me, f, c, status=422)


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _writable(request: Request, me: Identity, campaign_id: int) -> Campaign:
    c, _, _ = campaigns.get_campaign(ctx_of(request), me.principal, campaign_id)
    if not me.principal.can(P.CAMPAIGNS_WRITE, campaign_place(c)):
        raise Forbidden(f"you may not change campaign {campaign_id}")
    return c


# --- state, members, outcomes ---


@router.post("/campaigns/{campaign_id}/state")
def campaign_state(
    request: Request,
    campaign_id: int,
    action: str = Form(..., max_length=16),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    if action not in ACTIONS:
        raise InvalidInput(f"unknown action {action!r}", field="action")
    target, _ = ACTIONS[action]
    campaigns.update_campaign(ctx_of(request), me.principal, campaign_id, {"state": target})
    messages = {
        CampaignState.ACTIVE: N_("Campaign activated."),
        CampaignState.PAUSED: N_("Campaign paused."),
        CampaignState.FINISHED: N_("Campaign finished."),
    }
    return flash_redirect(request, f"/campaigns/{campaign_id}", messages[target])


@router.post("/campaigns/{campaign_id}/members")
def campaign_members(
    request: Request,
    campaign_id: int,
    operator_ids: list[int] = Form([]),
    team_ids: list[int] = Form([]),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    changes = {"operator_ids": operator_ids, "team_ids": team_ids}
    campaigns.update_campaign(ctx_of(request), me.principal, campaign_id, changes)
    return flash_redirect(
        request, f"/campaigns/{campaign_id}#members", N_("Operators and teams saved.")
    )


@router.post("/campaigns/{campaign_id}/outcomes/{code}")
def campaign_outcome_rule(
    request: Request,
    campaign_id: int,
    code: str,
    retry_minutes: str = Form("", max_length=8),
    max_attempts: str = Form("", max_length=4),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    changes: dict[str, Any] = {}
    for name, raw, scale, limit in (
        ("retry_delay_seconds", retry_minutes, 60, 365 * 24 * 60),
        ("max_attempts", max_attempts, 1, 100),
    ):
        value = _int_or_none(raw)
        if raw.strip() and (value is None or not 1 <= value <= limit):
            raise InvalidInput(f"{name}: enter a whole number from 1 to {limit}", field=name)
        changes[name] = value * scale if value is not None else None
    outcomes.update_outcome(ctx_of(request), me.principal, campaign_id, code, changes)
    return flash_redirect(request, f"/campaigns/{campaign_id}#outcomes", N_("Retry rule saved."))


# --- detail ---


def retry_rule(o: Outcome) -> tuple[str, dict[str, Any]]:
    """The rule of an outcome in words (a msgid and its values)."""
    if o.block_number:
        return N_("number blocked for good"), {}
    if o.final:
        return N_("final: not called again"), {}
    if o.needs_date:
        return N_("at the date and time chosen"), {}
    minutes = int((o.retry_delay or timedelta(hours=2)).total_seconds() // 60)
    if minutes % 60 == 0:
        return N_("retry after %(n)s h"), {"n": minutes // 60}
    return N_("retry after %(n)s min"), {"n": minutes}


def _detail(
    request: Request, me: Identity, campaign_id: int, status: int = 200, **extra: Any
) -> Response:
    ctx = ctx_of(request)
    c, user_ids, team_ids = campaigns.get_campaign(ctx, me.principal, campaign_id)
    place = campaign_place(c)
    can_write = me.principal.can(P.CAMPAIGNS_WRITE, place)
    names = _names(request, {c.group_id, *team_ids}, {c.client_id} if c.client_id else set())
    with ctx.uow() as uow:
        operators = {u: x.display_name for u in user_ids if (x := uow.users.get(u)) is not None}
    members: dict[str, Any] = {"operators": operators, "teams": team_ids}
    if can_write:
        members["operator_choices"] = _operator_choices(request, me, c, operators)
        members["team_choices"] = [
            g for g in _groups(request, me.principal, P.CAMPAIGNS_WRITE)
            if g.company_id == c.company_id
        ]  # fmt: skip
    found = outcomes.list_outcomes(ctx, me.principal, campaign_id)
    jobs = imports.list_jobs(ctx, me.principal, campaign_id)[:10]
    pending = callbacks.pending(ctx, me.principal, campaign_id, due_only=False, mine=False)
    locale = locale_of(request, me)
    tr = translations(locale)
    figures = live_figures(ctx, me.principal, c, found, _viewer_tz(request, me), locale)
    with ctx.uow() as uow:
        wanted = {cb.user_id for cb in pending[:20] if cb.user_id is not None}
        callback_users = {u: x.display_name for u in wanted if (x := uow.users.get(u))}

    def percent(x: float) -> str:
        return str(format_percent(x, "#,##0.#%", locale=locale))

    return render(
        request, "campaign_detail.html", me, status_code=status, campaign=c, names=names,
        callback_users=callback_users, percent=percent,
        import_states={s: tr.gettext(s) for s in IMPORT_STATES},
        members=members, outcomes=found, rules={o.code: retry_rule(o) for o in found},
        jobs=jobs, callbacks=pending[:20], callbacks_total=len(pending), figures=figures,
        compliance=compliance_facts(ctx, me.principal, c, percent, tr.gettext),
        can_write=can_write, state_labels=STATE_LABELS, mode_labels=MODE_LABELS,
        kind_labels=KIND_LABELS, column_labels=COLUMN_LABELS, columns=list(Column),
        actions=_actions(c) if can_write else [], presets=PRESETS, days=DAY_LABELS,
        record_states=RECORD_STATES, **extra,
    )  # fmt: skip


def _viewer_tz(request: Request, me: Identity) -> str:
    return me.user.timezone or _company_tz(request, me)


def _actions(c: Campaign) -> list[tuple[str, str]]:
    from centralino.domain.outbound.campaign import check_transition

    allowed = []
    for action, (target, label) in ACTIONS.items():
        if target is c.state:
            continue
        try:
            check_transition(c.state, target)
        except DomainError:
            continue
        allowed.append((action, label))
    return allowed


def _operator_choices(
    request: Request, me: Identity, c: Campaign, current: dict[int, str]
) -> list[tuple[int, str]]:
    """People who take calls, visible to the caller, plus those already assigned."""
    choices = dict(current)
    if me.principal.has_anywhere(P.USERS_READ):
        ctx = ctx_of(request)
        for role in (Role.OPERATOR, Role.OPERATOR_SUPERVISOR):
            found = users.list_users(ctx, me.principal, 500, 0, None, None, role).items
            choices.update({u.id: u.display_name for u in found if u.company_id == c.company_id})
    return sorted(choices.items(), key=lambda x: x[1].casefold())


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(request: Request, campaign_id: int, job: int | None = None) -> Response:
    me = page_identity(request)
    return _detail(request, me, campaign_id, watch=job)


@router.get("/campaigns/{campaign_id}/live.json")
def campaign_live(request: Request, campaign_id: int) -> Response:
    me = page_identity(request)
    ctx = ctx_of(request)
    c, _, _ = campaigns.get_campaign(ctx, me.principal, campaign_id)
    found = outcomes.list_outcomes(ctx, me.principal, campaign_id)
    tz, locale = _viewer_tz(request, me), locale_of(request, me)
    figures = live_figures(ctx, me.principal, c, found, tz, locale)
    return JSONResponse(figures, headers={"Cache-Control": "no-store"})


# --- list import: upload, confirm the mapping, follow the job ---


def _sweep_stale_uploads(folder: Path) -> None:
    """Uploads previewed but never confirmed are dropped after a day."""
    if not folder.is_dir():
        return
    limit = time.time() - STALE_UPLOAD.total_seconds()
    for p in folder.iterdir():
        try:
            if p.is_file() and p.stat().st_mtime < limit:
                p.unlink(missing_ok=True)
        except OSError:
            continue


def _column_roles(p: imports.Preview) -> list[str]:
    """For each column, the role the mapping gives it ('' = kept as extra data)."""
    roles = [""] * len(p.columns)
    index = {name: i for i, name in reversed(list(enumerate(p.columns)))}
    for role, value in p.mapping.items():
        for name in value if isinstance(value, list) else [value]:
            if isinstance(name, str) and name in index and not roles[index[name]]:
                roles[index[name]] = role
    return roles


def _preview_page(
    request: Request, me: Identity, campaign_id: int, p: imports.Preview, token: str,
    list_name: str, status: int = 200,
) -> Response:  # fmt: skip
    return _detail(
        request, me, campaign_id, status=status, preview=p, upload_token=token,
        column_roles=_column_roles(p), list_name=list_name,
    )  # fmt: skip


@router.post("/campaigns/{campaign_id}/imports/preview", response_class=HTMLResponse)
def import_preview(
    request: Request,
    campaign_id: int,
    file: UploadFile | None = File(None),
    list_name: str = Form("", max_length=200),
    sheet: str = Form("", max_length=200),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    ctx = ctx_of(request)
    _writable(request, me, campaign_id)
    if file is None or not file.filename:
        return _detail(request, me, campaign_id, status=422, import_error="choose a file to import")
    _sweep_stale_uploads(ctx.settings.data_dir / "imports")
    name = Path(file.filename).name[:255] or "list"
    try:
        path = imports.stage_upload(ctx, file.file, name)
    except DomainError as exc:
        return _detail(request, me, campaign_id, status=exc.status_code, import_error=exc.message)
    try:
        p = imports.preview(ctx, me.principal, campaign_id, path, name, sheet.strip() or None)
    except DomainError as exc:
        imports.remove_upload(path)
        return _detail(request, me, campaign_id, status=422, import_error=exc.message)
    token = _uploads_signer(request).dumps(
        {"f": path.name, "c": campaign_id, "u": me.user.id, "n": name, "s": p.sheet}
    )
    return _preview_page(request, me, campaign_id, p, token, list_name.strip() or Path(name).stem)


def _upload_of(request: Request, me: Identity, campaign_id: int, token: str) -> dict[str, Any]:
    try:
        data = _uploads_signer(request).loads(token)
    except BadSignature:
        data = None
    folder = ctx_of(request).settings.data_dir / "imports"
    if (
        not isinstance(data, dict)
        or data.get("c") != campaign_id
        or data.get("u") != me.user.id
        or not (folder / str(data.get("f"))).is_file()
    ):
        raise InvalidInput("the uploaded file is no longer here; choose it again", field="file")
    data["path"] = folder / str(data["f"])
    return data


def _mapping_from(form: FormData) -> dict[str, object]:
    """{role: column} from one choice per column; every role is given, so none is guessed."""
    mapping: dict[str, object] = {r.value: None for r in Column}
    mapping[Column.PHONE.value] = []
    i = 0
    while f"col_{i}" in form and i < 5000:
        name, role = _text(form, f"col_{i}"), _text(form, f"role_{i}")
        if role == Column.PHONE.value:
            phones = mapping[role]
            assert isinstance(phones, list)
            phones.append(name)
        elif role in mapping:
            if mapping[role] is not None:
                raise InvalidInput(f"{role} takes one column; it was chosen twice", "mapping")
            mapping[role] = name
        i += 1
    return mapping


@router.post("/campaigns/{campaign_id}/imports", response_class=HTMLResponse)
def import_start(
    request: Request,
    campaign_id: int,
    background: BackgroundTasks,
    form: FormData = Depends(_form),
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, _text(form, "csrf_token"))
    ctx = ctx_of(request)
    upload = _upload_of(request, me, campaign_id, _text(form, "upload_token"))
    list_name = _text(form, "list_name").strip()[:200] or None
    priority = _int_or_none(_text(form, "list_priority"))
    try:
        mapping = _mapping_from(form)
        job = imports.start_import(
            ctx, me.principal, campaign_id, upload["path"], upload["n"], mapping, list_name,
            priority if priority is not None else 5, upload["s"],
        )  # fmt: skip
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        try:
            p = imports.preview(
                ctx, me.principal, campaign_id, upload["path"], upload["n"], upload["s"],
                _safe_mapping(form),
            )  # fmt: skip
        except DomainError:
            imports.remove_upload(upload["path"])
            raise exc from None
        p.mapping_error = exc.message
        return _preview_page(
            request, me, campaign_id, p, _text(form, "upload_token"), list_name or "", 422
        )
    background.add_task(_run_import, ctx, job.id, upload["path"])
    return flash_redirect(
        request, f"/campaigns/{campaign_id}?job={job.id}#import", N_("Import started.")
    )


def _safe_mapping(form: FormData) -> dict[str, object] | None:
    try:
        return _mapping_from(form)
    except DomainError:
        return None


def _run_import(ctx: Any, job_id: int, path: Path) -> None:
    try:
        imports.run_import(ctx, job_id, path)
    finally:
        imports.remove_upload(path)


@router.post("/campaigns/{campaign_id}/imports/cancel")
def import_cancel(
    request: Request,
    campaign_id: int,
    upload_token: str = Form("", max_length=4000),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, csrf_token)
    with contextlib.suppress(InvalidInput):  # already gone
        imports.remove_upload(_upload_of(request, me, campaign_id, upload_token)["path"])
    return flash_redirect(request, f"/campaigns/{campaign_id}#import", N_("Import cancelled."))


# --- live figures ---

RECORD_STATES: tuple[tuple[str, str], ...] = (
    (RecordState.NEW.value, N_("New")),
    (RecordState.SCHEDULED.value, N_("Scheduled for a retry")),
    (RecordState.CALLBACK.value, N_("Callback booked")),
    (RecordState.DIALING.value, N_("Being dialed")),
    (RecordState.DONE.value, N_("Done")),
    (RecordState.EXHAUSTED.value, N_("Attempts exhausted")),
    (RecordState.BLOCKED.value, N_("Blocked")),
)
CLOSED_STATES = (RecordState.DONE, RecordState.EXHAUSTED, RecordState.BLOCKED)
IMPORT_STATES = (N_("queued"), N_("running"), N_("done"), N_("failed"))
LAST_ATTEMPTS = 10
MIN_CONTACTS = 20  # fewer contacts than this say nothing yet about the positive rate


def record_counts(
    ctx: ServiceContext, principal: Principal, campaign_id: int, by_state: bool = False
) -> dict[str, Any]:
    """Records of a campaign: total, how many are worked to the end, and (for the campaign
    page) how many are in each state."""
    states = records.state_counts(ctx, principal, campaign_id)
    total = sum(states.values())
    closed = sum(states[s.value] for s in CLOSED_STATES)
    progress = int(100 * closed / total) if total else 0
    return {
        "total": total, "by_state": states if by_state else {}, "closed": closed,
        "progress": progress,
    }  # fmt: skip


def _today(
    ctx: ServiceContext, principal: Principal, c: Campaign, positive: set[str]
) -> tuple[dict[str, Any], list[Any]]:
    """Today's attempts (the campaign's day, in its time zone) and the newest ones."""
    local = ctx.now().astimezone(ZoneInfo(c.timezone))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    n = records.attempt_totals(ctx, principal, c.id, start, sorted(positive))
    newest = records.list_attempts(ctx, principal, c.id, LAST_ATTEMPTS, 0).items
    contacts = n["answered"] - n["abandoned"]
    today: dict[str, Any] = {
        **n,
        "contacts": contacts,
        "abandon_rate": n["abandoned"] / n["answered"] if n["answered"] else None,
        "positive_rate": n["positives"] / contacts if contacts else None,
    }
    return today, newest


def live_figures(
    ctx: ServiceContext, principal: Principal, c: Campaign, found: list[Outcome], tz: str,
    locale: str = "en",
) -> dict[str, Any]:  # fmt: skip
    """What the campaign page shows and refreshes: records, today's attempts, targets."""
    labels = {o.code: o.label for o in found}
    positive = {o.code for o in found if o.kind is OutcomeKind.POSITIVE}
    today, newest = _today(ctx, principal, c, positive)
    with ctx.uow() as uow:
        wanted = {a.user_id for a in newest if a.user_id is not None}
        operators = {u: x.display_name for u in wanted if (x := uow.users.get(u))}
    last = [
        {
            "at": a.started_at.isoformat(),
            "at_local": local_time(a.started_at, tz, locale, "HH:mm:ss"),
            "phone": a.phone,
            "outcome": a.outcome,
            "outcome_label": labels.get(a.outcome or "", a.outcome),
            "operator": operators.get(a.user_id) if a.user_id else None,
        }
        for a in newest
    ]
    rate, abandon = today["positive_rate"], today["abandon_rate"]
    return {
        "campaign_id": c.id,
        "state": c.state.value,
        "records": record_counts(ctx, principal, c.id, by_state=True),
        "today": today,
        "target": {"positive_rate": c.positive_target, "abandon_cap": c.max_abandon_rate},
        "alert": rate is not None
        and today["contacts"] >= MIN_CONTACTS
        and rate < c.positive_target,
        "abandon_alert": abandon is not None and abandon > c.max_abandon_rate,
        "last_attempts": last,
        "at": ctx.now().isoformat(),
    }


WINDOW_LABELS = {
    "campaign": N_("Abandoned over the whole campaign"),
    "24h": N_("Abandoned in the last 24 hours"),
    "30d": N_("Abandoned in the last 30 days"),
}


def compliance_facts(
    ctx: ServiceContext, principal: Principal, c: Campaign, percent: Any, gettext: Any
) -> list[dict[str, Any]]:
    """The compliance report as label/value rows; `ok` False marks a rule broken."""
    report: dict[str, Any] = compliance.compliance_report(ctx, principal, c.id)
    rows: list[dict[str, Any]] = [
        {"label": N_("Preset"), "value": report["preset"]["name"], "ok": None},
        {"label": N_("Abandon cap"), "value": percent(report["cap"]), "ok": None},
    ]
    for key, label in WINDOW_LABELS.items():
        w = report["windows"][key]
        value = gettext("%(rate)s (%(abandoned)s of %(answered)s answered)") % {
            "rate": percent(w["rate"]), "abandoned": w["abandoned"], "answered": w["answered"],
        }  # fmt: skip
        if key == report["governing_window"]:
            value += " · " + gettext("the rule of this preset")
        rows.append({"label": label, "value": value, "ok": bool(w["within_cap"])})
    worst = report["per_100_answered"]["worst"]
    if worst is not None:
        value = gettext("%(abandoned)s abandoned in calls %(first)s–%(last)s") % {
            "abandoned": worst["abandoned"], "first": worst["first_call"],
            "last": worst["last_call"],
        }  # fmt: skip
        rows.append(
            {"label": N_("Worst 100 answered calls"), "value": value, "ok": worst["within_cap"]}
        )
    rows.append(
        {"label": N_("Dials in the last 24 hours"), "value": str(report["dials_24h"]), "ok": None}
    )
    rows.append(
        {
            "label": N_("Within the cap"),
            "value": gettext("yes") if report["within_cap"] else gettext("no"),
            "ok": bool(report["within_cap"]),
        }
    )
    return rows

"""Script pages (OUT-6): the list, and the tree editor of one script (its steps, each
step's text, answer kind and options leading to the next step or the end), with a
read-only preview of the saved tree. `static/admin_scripts.js` adds and removes steps and
options; without it the form still offers one empty step and option to fill.

The form is read into the API's body, checked with the API's schema and saved through
`services.scripts`, so the page and the API refuse the same input; each error lands on
the step or option it names (`steps.s3.options.1.next` → that option's next-step field).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from centralino.api.scripts.schemas import ScriptIn
from centralino.domain.errors import DomainError
from centralino.domain.roles import Permission
from centralino.domain.scripts import CHOOSING, AnswerKind, Script
from centralino.services import campaigns, inbound_services, scripts
from centralino.services.auth import Identity
from centralino.services.scripts import script_place
from centralino.store.repos.scripts import ScriptRow
from centralino.web.i18n import N_
from centralino.web.render import check_form_csrf, ctx_of, flash_redirect, page_identity, require
from centralino.web.setup import FormState, group_names, int_or_none, setup_render, text
from centralino.web.setup import writable_groups as groups_where

router = APIRouter(include_in_schema=False)
P = Permission
MAX_SCRIPTS = 500

PAGE_ACCESS: dict[str, str] = {
    "/setup/scripts": P.CAMPAIGNS_READ.value,
    "/setup/scripts/new": P.CAMPAIGNS_WRITE.value,
    "/setup/scripts/{script_id}": P.CAMPAIGNS_READ.value,
}

KIND_LABELS = {
    AnswerKind.NONE: N_("Nothing: read, then go on"),
    AnswerKind.CHOICE: N_("A choice among options"),
    AnswerKind.YES_NO: N_("Yes or no"),
    AnswerKind.TEXT: N_("Free text"),
    AnswerKind.NUMBER: N_("A number"),
    AnswerKind.DATE: N_("A date"),
}
_STEP_KEY = re.compile(r"^step-(\d+)-(id|text|kind|required|next|outcome)$")
_OPT_KEY = re.compile(r"^step-(\d+)-opt-(\d+)-(value|label|next|outcome)$")


@dataclass(slots=True)
class StepForm:
    """One step as typed, with the form index of the step and of each of its options."""

    index: int
    values: dict[str, Any]
    options: list[tuple[int, dict[str, str]]] = field(default_factory=list)


@dataclass(slots=True)
class ScriptForm:
    state: FormState
    steps: list[StepForm]
    campaign_ids: list[int]
    service_ids: list[int]


def _form_of(s: ScriptRow | None) -> ScriptForm:
    state = FormState(
        {"name": s.name if s else "", "group_id": s.group_id if s else None,
         "first": s.script.first if s else ""}
    )  # fmt: skip
    steps: list[StepForm] = []
    if s is not None:
        for i, st in enumerate(s.script.steps):
            values = {
                "id": st.id, "text": st.text, "kind": st.kind.value, "required": st.required,
                "next": st.next or "", "outcome": st.outcome or "",
            }  # fmt: skip
            opts = [
                (j, {"value": o.value, "label": o.label, "next": o.next or "",
                     "outcome": o.outcome or ""})
                for j, o in enumerate(st.options)
            ]  # fmt: skip
            steps.append(StepForm(i, values, opts))
    else:
        steps.append(StepForm(0, {"id": "start", "text": "", "kind": "none", "required": True,
                                  "next": "", "outcome": ""}))  # fmt: skip
    return ScriptForm(
        state, steps, list(s.campaign_ids) if s else [], list(s.service_ids) if s else []
    )


def _read_form(form: FormData) -> tuple[ScriptForm, dict[str, Any]]:
    """The form as typed (to show again) and as the API's body. Rows left wholly empty
    are dropped; the rest keep their form index so errors find them."""
    state = FormState({n: text(form, n, 200) for n in ("name", "group_id", "first")})
    state.values["group_id"] = int_or_none(state.values["group_id"])
    if state.values["group_id"] is None:
        state.error("group_id", "choose a group")
    raw: dict[int, dict[str, str]] = {}
    raw_opts: dict[int, dict[int, dict[str, str]]] = {}
    for key in form:
        if m := _STEP_KEY.match(key):
            raw.setdefault(int(m[1]), {})[m[2]] = text(form, key, 2100)
        elif m := _OPT_KEY.match(key):
            raw_opts.setdefault(int(m[1]), {}).setdefault(int(m[2]), {})[m[3]] = text(form, key)
    steps: list[StepForm] = []
    for i in sorted(set(raw) | set(raw_opts)):
        v = raw.get(i, {})
        opts = [
            (j, o) for j, o in sorted(raw_opts.get(i, {}).items())
            if any(o.get(k) for k in ("value", "label", "next", "outcome"))
        ]  # fmt: skip
        if not any(v.get(k) for k in ("id", "text", "next", "outcome")) and not opts:
            continue
        values: dict[str, Any] = {
            "id": v.get("id", ""), "text": v.get("text", ""), "kind": v.get("kind") or "none",
            "required": v.get("required") == "on", "next": v.get("next", ""),
            "outcome": v.get("outcome", ""),
        }  # fmt: skip
        steps.append(StepForm(i, values, opts))
    campaign_ids = [c for c in (int_or_none(str(x)) for x in form.getlist("campaign_ids")) if c]
    service_ids = [c for c in (int_or_none(str(x)) for x in form.getlist("service_ids")) if c]
    body: dict[str, Any] = {
        "name": state.values["name"],
        "group_id": state.values["group_id"] or 0,
        "first": state.values["first"] or None,
        "steps": [_step_body(s) for s in steps],
        "campaign_ids": campaign_ids,
        "service_ids": service_ids,
    }
    return ScriptForm(state, steps, campaign_ids, service_ids), body


def _step_body(s: StepForm) -> dict[str, Any]:
    v = s.values
    choosing = v["kind"] in {k.value for k in CHOOSING}
    out: dict[str, Any] = {
        "id": v["id"], "text": v["text"], "kind": v["kind"], "required": v["required"],
        "next": None if choosing else (v["next"] or None),
        "outcome": None if choosing else (v["outcome"] or None),
        "options": [
            {"value": o.get("value", ""), "label": o.get("label") or None,
             "next": o.get("next") or None, "outcome": o.get("outcome") or None}
            for _, o in s.options
        ] if choosing else [],
    }  # fmt: skip
    return out


def _form_field(f: ScriptForm, name: str | None) -> str:
    """Where an error of the API's body goes in the form: `steps.<id or index>...` on the
    step's row (and its option's), the rest on their own field or the form."""
    parts = (name or "form").split(".")
    if parts[0] in ("name", "group_id", "first"):
        return parts[0]
    if parts[0] in ("campaign_ids", "service_ids"):
        return parts[0]
    if parts[0] != "steps" or len(parts) < 2:
        return "form"
    step = next((s for s in f.steps if s.values["id"] == parts[1]), None)
    if step is None and parts[1].isdigit() and int(parts[1]) < len(f.steps):
        step = f.steps[int(parts[1])]
    if step is None:
        return "form"
    base = f"step-{step.index}"
    rest = parts[2:]
    if not rest:
        return base
    if rest[0] == "options" and len(rest) >= 2 and rest[1].isdigit():
        j = int(rest[1])
        if j < len(step.options):
            opt = f"{base}-opt-{step.options[j][0]}"
            return f"{opt}-{rest[2]}" if len(rest) > 2 else f"{opt}-value"
        return f"{base}-options"
    if rest[0] == "options":
        return f"{base}-options"
    return f"{base}-{rest[0]}"


def _validate(f: ScriptForm, body: dict[str, Any]) -> dict[str, Any] | None:
    """The API's own schema, so the page and the API refuse the same input."""
    try:
        return ScriptIn.model_validate(body).model_dump(mode="json")
    except ValidationError as exc:
        for e in exc.errors():
            loc = ".".join(str(p) for p in e["loc"])
            f.state.error(_form_field(f, loc), str(e["msg"]))
        return None


@dataclass(slots=True)
class Node:
    """A step of the preview tree; `again` when it was shown higher up already."""

    step_id: str
    text: str
    kind: str
    outcome: str | None = None
    again: bool = False
    branches: list[tuple[str, Node | None, str | None]] = field(default_factory=list)


def preview(script: Script) -> Node:
    """The saved tree from its first step: each option (or 'then') with the step it leads
    to, or the end and its outcome."""
    shown: set[str] = set()

    def node(step_id: str) -> Node:
        st = script.step(step_id)
        n = Node(st.id, st.text, st.kind.value)
        if step_id in shown:
            n.again = True
            return n
        shown.add(step_id)
        if st.kind in CHOOSING:
            for o in st.options:
                n.branches.append((o.label, node(o.next) if o.next else None, o.outcome))
        else:
            n.branches.append(("", node(st.next) if st.next else None, st.outcome))
        return n

    return node(script.first)


# --- pages ---


@router.get("/setup/scripts", response_class=HTMLResponse)
def scripts_page(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.CAMPAIGNS_READ)
    ctx = ctx_of(request)
    found = scripts.list_scripts(ctx, me.principal, MAX_SCRIPTS, 0)
    camp, serv = _targets(request, me)
    return setup_render(
        request, "setup_scripts.html", me, scripts=found.items, total=found.total,
        names=group_names(request, {s.group_id for s in found.items}),
        campaign_names={c["id"]: c["name"] for c in camp},
        service_names={s["id"]: s["name"] for s in serv},
        can_write=me.principal.has_anywhere(P.CAMPAIGNS_WRITE),
    )  # fmt: skip


def _targets(request: Request, me: Identity) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The campaigns and services the caller sees: where a script may apply."""
    ctx = ctx_of(request)
    camp: list[dict[str, Any]] = []
    serv: list[dict[str, Any]] = []
    if me.principal.has_anywhere(P.CAMPAIGNS_READ):
        found = campaigns.list_campaigns(ctx, me.principal, 500, 0, None)
        camp = [{"id": c.id, "name": c.name, "company_id": c.company_id} for c in found.items]
    if me.principal.has_anywhere(P.SERVICES_READ):
        svc = inbound_services.list_services(ctx, me.principal, 500, 0)
        serv = [{"id": s.id, "name": s.name, "company_id": s.company_id} for s in svc.items]
    return camp, serv


def _form_page(
    request: Request, me: Identity, f: ScriptForm, s: ScriptRow | None, status: int = 200
) -> Response:
    groups = groups_where(request, me.principal, P.CAMPAIGNS_WRITE)
    camp, serv = _targets(request, me)
    if s is not None:
        groups = [g for g in groups if g.company_id == s.company_id]
        camp = [c for c in camp if c["company_id"] == s.company_id]
        serv = [x for x in serv if x["company_id"] == s.company_id]
    can_write = s is None or me.principal.can(P.CAMPAIGNS_WRITE, script_place(s))
    return setup_render(
        request, "setup_script.html", me, status_code=status, script=s, form=f.state,
        steps=f.steps, chosen_campaigns=set(f.campaign_ids), chosen_services=set(f.service_ids),
        campaigns=camp, services=serv, groups=groups, kinds=list(AnswerKind),
        kind_labels=KIND_LABELS, choosing=[k.value for k in CHOOSING], can_write=can_write,
        tree=preview(s.script) if s is not None else None,
        next_index=max((st.index for st in f.steps), default=-1) + 1,
    )  # fmt: skip


async def _form(request: Request) -> FormData:
    return await request.form()


@router.get("/setup/scripts/new", response_class=HTMLResponse)
def script_new(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.CAMPAIGNS_WRITE)
    return _form_page(request, me, _form_of(None), None)


def _save(
    request: Request, me: Identity, form: FormData, s: ScriptRow | None
) -> ScriptRow | ScriptForm:
    f, body = _read_form(form)
    checked = _validate(f, body) if not f.state.errors else None
    if checked is None:
        return f
    ctx = ctx_of(request)
    try:
        if s is None:
            return scripts.create_script(ctx, me.principal, checked)
        return scripts.update_script(ctx, me.principal, s.id, checked)
    except DomainError as exc:
        if exc.status_code == 403 and exc.field is None:
            raise
        f.state.error(_form_field(f, exc.field), exc.message)
        return f


@router.post("/setup/scripts", response_class=HTMLResponse)
def script_create(request: Request, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    require(me, P.CAMPAIGNS_WRITE)
    saved = _save(request, me, form, None)
    if isinstance(saved, ScriptRow):
        return flash_redirect(request, f"/setup/scripts/{saved.id}", N_("Script created."))
    return _form_page(request, me, saved, None, status=422)


@router.get("/setup/scripts/{script_id}", response_class=HTMLResponse)
def script_page(request: Request, script_id: int) -> Response:
    me = page_identity(request)
    s = scripts.get_script(ctx_of(request), me.principal, script_id)
    return _form_page(request, me, _form_of(s), s)


@router.post("/setup/scripts/{script_id}", response_class=HTMLResponse)
def script_update(request: Request, script_id: int, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    s = scripts.get_script(ctx_of(request), me.principal, script_id)
    saved = _save(request, me, form, s)
    if isinstance(saved, ScriptRow):
        return flash_redirect(request, f"/setup/scripts/{script_id}", N_("Script saved."))
    return _form_page(request, me, saved, s, status=422)


@router.post("/setup/scripts/{script_id}/delete")
def script_delete(request: Request, script_id: int, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    scripts.delete_script(ctx_of(request), me.principal, script_id)
    return flash_redirect(request, "/setup/scripts", N_("Script deleted."))

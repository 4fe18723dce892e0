"""Queue pages (IN-3): every setting of `QueueConfig` in one form, and the operators by tier.

They call `services.queues`, as the API does, so both refuse the same input."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from centralino.api.queues.schemas import QueueIn
from centralino.domain.errors import DomainError
from centralino.domain.inbound.queues import MAX_TIERS, OverflowKind, QueueConfig, Strategy
from centralino.domain.roles import Permission, Role
from centralino.services import queues, users
from centralino.services.auth import Identity
from centralino.services.queues import queue_place
from centralino.store.repos.queues import MemberRow, QueueRow
from centralino.web.i18n import N_
from centralino.web.inbound import STRATEGY_LABELS
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
MAX_QUEUES = 500

PAGE_ACCESS: dict[str, str] = {
    "/setup/queues": P.SERVICES_READ.value,
    "/setup/queues/new": P.SERVICES_WRITE.value,
    "/setup/queues/{queue_id}": P.SERVICES_READ.value,
}

OVERFLOW_LABELS = {
    OverflowKind.MESSAGE: N_("Play a message, then hang up"),
    OverflowKind.VOICEMAIL: N_("Voicemail"),
    OverflowKind.QUEUE: N_("Another queue"),
    OverflowKind.HANGUP: N_("Hang up"),
}
# Form fields read as numbers: (name, whole number, required, scale to the stored unit).
NUMBERS: tuple[tuple[str, bool, bool, float], ...] = (
    ("target_seconds", False, True, 1.0),
    ("max_wait", False, False, 1.0),
    ("max_length", True, False, 1.0),
    ("answer_timeout", False, True, 1.0),
    ("misses_before_pause", True, True, 1.0),
    ("tier_wait", False, True, 1.0),
    ("retry", False, True, 1.0),
    ("wrap_up_seconds", False, False, 1.0),
    ("announce_every", False, False, 1.0),
    ("blend_waiting_calls", True, False, 1.0),
    ("blend_longest_wait", False, False, 1.0),
    ("blend_service_level", False, False, 0.01),
)
TEXTS = ("name", "group_id", "strategy", "overflow_kind", "overflow_target", "moh")


def _num(x: float | int | None, scale: float = 1.0) -> str:
    if x is None:
        return ""
    return f"{x / scale:.2f}".rstrip("0").rstrip(".")


def _form_of(q: QueueRow | None) -> FormState:
    c = q.config if q else QueueConfig("new")
    values: dict[str, Any] = {
        "name": q.name if q else "", "group_id": q.group_id if q else None,
        "strategy": c.strategy.value, "overflow_kind": c.overflow.kind.value,
        "overflow_target": c.overflow.target, "moh": c.moh, "offer_callback": c.offer_callback,
        "blend_waiting_calls": _num(c.blend.waiting_calls),
        "blend_longest_wait": _num(c.blend.longest_wait),
        "blend_service_level": _num(c.blend.service_level_below, 0.01),
    }  # fmt: skip
    for name, _, _, _ in NUMBERS:
        if not name.startswith("blend_"):
            values[name] = _num(getattr(c, name))
    return FormState(values)


def _read_form(form: FormData) -> tuple[FormState, dict[str, Any]]:
    """The form as typed (to show again) and as the API's body; errors by field."""
    f = FormState({name: text(form, name, 200) for name in TEXTS})
    f.values["offer_callback"] = text(form, "offer_callback") == "on"
    got: dict[str, Any] = {}
    for name, whole, required, scale in NUMBERS:
        f.values[name] = text(form, name, 20)
        got[name] = number(f, name, f.values[name], whole=whole, scale=scale)
        if required and got[name] is None and name not in f.errors:
            f.error(name, "enter a number")
    f.values["group_id"] = int_or_none(f.values["group_id"])
    if f.values["group_id"] is None:
        f.error("group_id", "choose a group")
    body: dict[str, Any] = {
        "name": f.values["name"],
        "group_id": f.values["group_id"] or 0,
        "strategy": f.values["strategy"] or Strategy.ROUND_ROBIN.value,
        "overflow": {"kind": f.values["overflow_kind"], "target": f.values["overflow_target"]},
        "moh": f.values["moh"] or "moh",
        "offer_callback": f.values["offer_callback"],
        "blend": {
            "waiting_calls": got.pop("blend_waiting_calls"),
            "longest_wait": got.pop("blend_longest_wait"),
            "service_level_below": got.pop("blend_service_level"),
        },
        **got,
    }
    return f, body


# Where an error of the API's body goes in the form.
FIELD_OF = {"overflow": "overflow_kind", "blend": "blend", "body": "form", "queue": "form"}


def _field(name: str | None) -> str:
    name = (name or "form").split(".")[0]
    return FIELD_OF.get(name, name)


def _validate(f: FormState, body: dict[str, Any]) -> dict[str, Any]:
    """The API's own schema, so the page and the API refuse the same input."""
    if f.errors:
        return body
    try:
        return QueueIn.model_validate(body).model_dump(mode="json")
    except ValidationError as exc:
        for e in exc.errors():
            f.error(_field(str(e["loc"][0]) if e["loc"] else None), str(e["msg"]))
        return body


def _settings(checked: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in checked.items() if k not in ("name", "group_id")}


# --- pages ---


def _tiers(members: list[MemberRow]) -> list[tuple[int, list[str]]]:
    by_tier: dict[int, list[str]] = {}
    for m in members:
        by_tier.setdefault(m.tier, []).append(m.username)
    return sorted((t, sorted(names)) for t, names in by_tier.items())


@router.get("/setup/queues", response_class=HTMLResponse)
def queues_page(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.SERVICES_READ)
    ctx = ctx_of(request)
    found = queues.list_queues(ctx, me.principal, MAX_QUEUES, 0)
    members = queues.members_of(ctx, [q.id for q in found.items])
    return setup_render(
        request, "setup_queues.html", me, queues=found.items, total=found.total,
        tiers={q.id: _tiers(members[q.id]) for q in found.items},
        names=group_names(request, {q.group_id for q in found.items}),
        strategy_labels=STRATEGY_LABELS, overflow_labels=OVERFLOW_LABELS,
        can_write=me.principal.has_anywhere(P.SERVICES_WRITE),
    )  # fmt: skip


def _candidates(
    request: Request, me: Identity, q: QueueRow, members: list[MemberRow]
) -> list[dict[str, Any]]:
    """Who may sit in the queue: the operators the caller sees in the queue's company, and
    whoever is in it already."""
    ctx = ctx_of(request)
    found: dict[int, dict[str, Any]] = {}
    if me.principal.has_anywhere(P.USERS_READ):
        for role in (Role.OPERATOR, Role.OPERATOR_SUPERVISOR):
            for u in users.list_users(ctx, me.principal, 500, 0, None, None, role).items:
                if u.company_id == q.company_id:
                    found[u.id] = {"id": u.id, "username": u.username, "name": u.display_name,
                                   "group_id": u.group_id}  # fmt: skip
    with ctx.uow() as uow:
        for m in members:
            if m.user_id not in found:
                member = uow.users.get(m.user_id)
                name = member.display_name if member else m.username
                found[m.user_id] = {"id": m.user_id, "username": m.username, "name": name,
                                    "group_id": m.group_id}  # fmt: skip
    return sorted(found.values(), key=lambda x: str(x["name"]).casefold())


def _form_page(
    request: Request, me: Identity, f: FormState, q: QueueRow | None, status: int = 200,
    member_form: dict[int, str] | None = None, member_errors: dict[int, str] | None = None,
) -> Response:  # fmt: skip
    ctx = ctx_of(request)
    groups = writable_groups(request, me.principal, P.SERVICES_WRITE)
    extra: dict[str, Any] = {}
    if q is not None:
        groups = [g for g in groups if g.company_id == q.company_id]
        _, members = queues.get_queue(ctx, me.principal, q.id)
        with ctx.uow() as uow:
            used = queues.users_of_queue(uow, q.company_id, q.name)
        candidates = _candidates(request, me, q, members)
        current = {m.user_id: str(m.tier) for m in members}
        shown = {c["id"] for c in candidates}
        member_errors = {
            (uid if uid in shown else 0): message for uid, message in (member_errors or {}).items()
        }
        extra = dict(
            members=members, tiers=_tiers(members), candidates=candidates, used_by=used,
            member_form=member_form if member_form is not None else current,
            member_errors=member_errors or {},
            member_groups=group_names(request, {c["group_id"] for c in candidates}),
            can_write=me.principal.can(P.SERVICES_WRITE, queue_place(q)),
        )  # fmt: skip
    else:
        extra = {"can_write": True}
    others = [
        r.name for r in queues.list_queues(ctx, me.principal, MAX_QUEUES, 0).items
        if q is None or (r.id != q.id and r.company_id == q.company_id)
    ]  # fmt: skip
    return setup_render(
        request, "setup_queue.html", me, status_code=status, queue=q, form=f, groups=groups,
        strategies=list(Strategy), strategy_labels=STRATEGY_LABELS,
        overflow_kinds=list(OverflowKind), overflow_labels=OVERFLOW_LABELS,
        other_queues=sorted(others), tier_choices=list(range(MAX_TIERS)), **extra,
    )  # fmt: skip


async def _form(request: Request) -> FormData:
    return await request.form()


@router.get("/setup/queues/new", response_class=HTMLResponse)
def queue_new(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.SERVICES_WRITE)
    return _form_page(request, me, _form_of(None), None)


@router.post("/setup/queues", response_class=HTMLResponse)
def queue_create(request: Request, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    require(me, P.SERVICES_WRITE)
    f, body = _read_form(form)
    checked = _validate(f, body)
    if not f.errors:
        try:
            q = queues.create_queue(
                ctx_of(request), me.principal, checked["name"], checked["group_id"],
                _settings(checked),
            )  # fmt: skip
        except DomainError as exc:
            f.error(_field(exc.field), exc.message)
        else:
            return flash_redirect(request, f"/setup/queues/{q.id}", N_("Queue created."))
    return _form_page(request, me, f, None, status=422)


@router.get("/setup/queues/{queue_id}", response_class=HTMLResponse)
def queue_page(request: Request, queue_id: int) -> Response:
    me = page_identity(request)
    q, _ = queues.get_queue(ctx_of(request), me.principal, queue_id)
    return _form_page(request, me, _form_of(q), q)


@router.post("/setup/queues/{queue_id}", response_class=HTMLResponse)
def queue_update(request: Request, queue_id: int, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    ctx = ctx_of(request)
    q, _ = queues.get_queue(ctx, me.principal, queue_id)
    f, body = _read_form(form)
    checked = _validate(f, body)
    if not f.errors:
        try:
            queues.update_queue(ctx, me.principal, queue_id, checked)
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            f.error(_field(exc.field), exc.message)
        else:
            return flash_redirect(request, f"/setup/queues/{queue_id}", N_("Queue saved."))
    return _form_page(request, me, f, q, status=422)


@router.post("/setup/queues/{queue_id}/members", response_class=HTMLResponse)
def queue_members(request: Request, queue_id: int, form: FormData = Depends(_form)) -> Response:
    """One choice per operator: not in the queue, or the tier they sit in."""
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    ctx = ctx_of(request)
    q, _ = queues.get_queue(ctx, me.principal, queue_id)
    chosen: dict[int, str] = {}
    for key in form:
        uid = int_or_none(key.removeprefix("tier_")) if key.startswith("tier_") else None
        value = text(form, key, 4)
        if uid is not None and value:
            chosen[uid] = value
    pairs = [(uid, int(t)) for uid, t in chosen.items() if t.isdigit()]
    errors = {uid: "choose a tier" for uid, t in chosen.items() if not t.isdigit()}
    if not errors:
        try:
            queues.set_members(ctx, me.principal, queue_id, pairs)
        except DomainError as exc:
            if exc.status_code == 403 and not (exc.field or "").startswith("members."):
                raise
            index = int_or_none((exc.field or "").split(".")[1]) if exc.field else None
            who = pairs[index][0] if index is not None and index < len(pairs) else 0
            errors[who] = exc.message
        else:
            return flash_redirect(
                request, f"/setup/queues/{queue_id}#members", N_("Operators and tiers saved.")
            )
    return _form_page(
        request, me, _form_of(q), q, status=422, member_form=chosen, member_errors=errors
    )


@router.post("/setup/queues/{queue_id}/delete")
def queue_delete(request: Request, queue_id: int, form: FormData = Depends(_form)) -> Response:
    me = page_identity(request)
    check_form_csrf(request, me, text(form, "csrf_token"))
    queues.delete_queue(ctx_of(request), me.principal, queue_id)
    return flash_redirect(request, "/setup/queues", N_("Queue deleted."))

"""Call scripts (OUT-6): stored per owner group, applied to campaigns and services, and the
answers operators give along them in a call.

Scripts are telemarketing work, so they take the campaign permissions: reading needs
campaigns.read on the owner group, changing campaigns.write (a team leader writes the
scripts of the campaigns they run). A script may apply to campaigns the caller sees
(campaigns.read) and services the caller sees (services.read); each campaign and each
service has at most one script. The operator in a call needs nothing but calls.handle:
the script of their call is read for them. Answers are readable with stats.read where
the operator's group is, as the stored calls are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from centralino.domain.access import Place, Principal
from centralino.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from centralino.domain.roles import Permission
from centralino.domain.scripts import Script, render, step_json
from centralino.services.audit import record
from centralino.services.campaigns import campaign_place
from centralino.services.context import ServiceContext
from centralino.services.inbound_services import service_place
from centralino.services.org import place_of
from centralino.store.repos.page import Page
from centralino.store.repos.scripts import AnswersRow, ScriptRow
from centralino.store.uow import UnitOfWork

P = Permission


def script_place(s: ScriptRow) -> Place:
    return Place(s.company_id, s.group_path)


def script_view(s: ScriptRow) -> dict[str, Any]:
    return {
        "name": s.name, "group_id": s.group_id, **s.script.as_json(),
        "campaign_ids": list(s.campaign_ids), "service_ids": list(s.service_ids),
    }  # fmt: skip


def build(name: str, body: Mapping[str, Any]) -> Script:
    """The domain script from a body's `first` and `steps`; errors name the body's field."""
    return Script.from_json(name, {"first": body.get("first"), "steps": body.get("steps")})


def readable_script(uow: UnitOfWork, actor: Principal, script_id: int) -> ScriptRow:
    s = uow.scripts.get(script_id)
    if s is None or not actor.can(P.CAMPAIGNS_READ, script_place(s)):
        raise NotFound(f"script {script_id} not found")
    return s


def writable_script(uow: UnitOfWork, actor: Principal, script_id: int) -> ScriptRow:
    s = readable_script(uow, actor, script_id)
    if not actor.can(P.CAMPAIGNS_WRITE, script_place(s)):
        raise Forbidden(f"you may not change script {script_id}")
    return s


def _owner_group(uow: UnitOfWork, actor: Principal, group_id: int, company_id: int | None) -> Any:
    g = uow.groups.get(group_id)
    if (
        g is None
        or (company_id is not None and g.company_id != company_id)
        or not (actor.can(P.GROUPS_READ, place_of(g)) or actor.can(P.CAMPAIGNS_READ, place_of(g)))
    ):
        raise NotFound(f"group {group_id} not found", field="group_id")
    if not actor.can(P.CAMPAIGNS_WRITE, place_of(g)):
        raise Forbidden(f"you may not create scripts in group {g.id}", field="group_id")
    return g


def _check_links(
    uow: UnitOfWork,
    actor: Principal,
    company_id: int,
    script_id: int | None,
    campaign_ids: Sequence[int],
    service_ids: Sequence[int],
) -> None:
    """Each campaign and service exists, is the caller's to see, and has no other script."""
    for i, cid in enumerate(campaign_ids):
        c = uow.campaigns.get(cid)
        if (
            c is None
            or c.company_id != company_id
            or not actor.can(P.CAMPAIGNS_READ, campaign_place(c))
        ):
            raise NotFound(f"campaign {cid} not found", field=f"campaign_ids.{i}")
        if cid in campaign_ids[:i]:
            raise InvalidInput(f"campaign {cid} is listed twice", f"campaign_ids.{i}")
    for i, sid in enumerate(service_ids):
        s = uow.services.get(sid)
        if (
            s is None
            or s.company_id != company_id
            or not actor.can(P.SERVICES_READ, service_place(s))
        ):
            raise NotFound(f"service {sid} not found", field=f"service_ids.{i}")
        if sid in service_ids[:i]:
            raise InvalidInput(f"service {sid} is listed twice", f"service_ids.{i}")
    for kind, oid, other in uow.scripts.linked_elsewhere(script_id, campaign_ids, service_ids):
        ids = campaign_ids if kind == "campaign" else service_ids
        raise Conflict(
            f"{kind} {oid} already follows the script {other!r}: take it off there first",
            field=f"{kind}_ids.{list(ids).index(oid)}",
        )


def list_scripts(ctx: ServiceContext, actor: Principal, limit: int, offset: int) -> Page[ScriptRow]:
    if not actor.has_anywhere(P.CAMPAIGNS_READ):
        raise Forbidden("listing scripts needs the campaigns.read permission")
    with ctx.uow() as uow:
        return uow.scripts.list(actor.visibility(P.CAMPAIGNS_READ), limit, offset)


def get_script(ctx: ServiceContext, actor: Principal, script_id: int) -> ScriptRow:
    with ctx.uow() as uow:
        return readable_script(uow, actor, script_id)


def create_script(ctx: ServiceContext, actor: Principal, body: Mapping[str, Any]) -> ScriptRow:
    now = ctx.now()
    with ctx.uow() as uow:
        g = _owner_group(uow, actor, body["group_id"], None)
        script = build(body["name"], body)
        if uow.scripts.by_name(g.company_id, script.name):
            raise Conflict(f"a script named {script.name!r} already exists", field="name")
        campaign_ids = list(body.get("campaign_ids") or [])
        service_ids = list(body.get("service_ids") or [])
        _check_links(uow, actor, g.company_id, None, campaign_ids, service_ids)
        sid = uow.scripts.add(g.company_id, g.id, script, now)
        uow.scripts.set_links(sid, campaign_ids, service_ids)
        s = ScriptRow(sid, g.company_id, g.id, g.path, script, now, now, campaign_ids, service_ids)
        record(
            uow, actor, "create", "script", sid, script_place(s), None, script_view(s), now,
            P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return s


def update_script(
    ctx: ServiceContext, actor: Principal, script_id: int, changes: Mapping[str, Any]
) -> ScriptRow:
    """Changes only what is given; `first` and `steps` replace the tree together or alone."""
    now = ctx.now()
    with ctx.uow() as uow:
        s = writable_script(uow, actor, script_id)
        before = script_view(s)
        tree = s.script.as_json()
        name = changes.get("name", s.name)
        script = build(
            name, {**tree, **{k: changes[k] for k in ("first", "steps") if k in changes}}
        )
        if name != s.name and uow.scripts.by_name(s.company_id, name):
            raise Conflict(f"a script named {name!r} already exists", field="name")
        if "group_id" in changes and changes["group_id"] != s.group_id:
            g = _owner_group(uow, actor, changes["group_id"], s.company_id)
            s = replace(s, group_id=g.id, group_path=g.path)
        campaign_ids = list(changes.get("campaign_ids", s.campaign_ids))
        service_ids = list(changes.get("service_ids", s.service_ids))
        _check_links(uow, actor, s.company_id, s.id, campaign_ids, service_ids)
        s = replace(
            s, script=script, updated_at=now, campaign_ids=campaign_ids, service_ids=service_ids
        )
        uow.scripts.update(s, now)
        uow.scripts.set_links(s.id, campaign_ids, service_ids)
        record(
            uow, actor, "update", "script", s.id, script_place(s), before, script_view(s), now,
            P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return s


def delete_script(ctx: ServiceContext, actor: Principal, script_id: int) -> None:
    """Answers already given keep the script's name; their link to it goes."""
    with ctx.uow() as uow:
        s = writable_script(uow, actor, script_id)
        uow.scripts.delete(s.id)
        record(
            uow, actor, "delete", "script", s.id, script_place(s), script_view(s), None,
            ctx.now(), P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)


# --- the operator's call ---


@dataclass(slots=True, frozen=True)
class CallContext:
    """The call in the operator's hands, as the live engine tells it."""

    company_id: int
    user_id: int
    call_id: int
    started_at: datetime
    direction: str
    number: str
    service: str | None
    campaign_id: int | None
    record_id: int | None


@dataclass(slots=True)
class CallScript:
    """The script that applies to a call, the placeholders' values, and the answers so far."""

    call: CallContext
    script: ScriptRow | None
    values: dict[str, str]
    answers: AnswersRow | None


def _values(uow: UnitOfWork, call: CallContext) -> dict[str, str]:
    """Placeholders: the record's imported columns and name, the caller's number, the
    service and the campaign."""
    values: dict[str, str] = {"number": call.number, "caller": call.number}
    if call.service:
        values["service"] = call.service
    if call.campaign_id is not None:
        c = uow.campaigns.get(call.campaign_id)
        if c is not None and c.company_id == call.company_id:
            values["campaign"] = c.name
    if call.record_id is not None and call.campaign_id is not None:
        values.update(uow.scripts.contact(call.campaign_id, call.record_id))
    return values


def call_script(ctx: ServiceContext, call: CallContext) -> CallScript:
    """The script of the call's campaign, else of its service; and the answers stored."""
    with ctx.uow() as uow:
        script: ScriptRow | None = None
        if call.campaign_id is not None:
            script = uow.scripts.for_campaign(call.campaign_id)
        if script is None and call.service:
            svc = uow.services.by_name(call.company_id, call.service)
            if svc is not None:
                script = uow.scripts.for_service(svc.id)
        if script is not None and script.company_id != call.company_id:
            script = None
        answers = uow.scripts.answers_of(
            call.company_id, call.call_id, call.user_id, call.started_at
        )
        return CallScript(call, script, _values(uow, call), answers)


def save_call_answers(
    ctx: ServiceContext, call: CallContext, answers: Mapping[str, str]
) -> CallScript:
    """Store the answers of the caller's current call (only those along the path)."""
    found = call_script(ctx, call)
    if found.script is None:
        raise Conflict("no script applies to your call")
    script = found.script.script
    clean = script.clean_answers(answers)
    walk = script.walk(clean)
    row = AnswersRow(
        id=0, company_id=call.company_id, call_id=call.call_id, call_started_at=call.started_at,
        user_id=call.user_id, username="", group_path="", script_id=found.script.id,
        script_name=script.name, campaign_id=call.campaign_id, service=call.service,
        record_id=call.record_id, number=call.number, answers=clean, path=list(walk.path),
        complete=walk.complete, outcome=walk.outcome, updated_at=ctx.now(),
    )  # fmt: skip
    with ctx.uow() as uow:
        uow.scripts.save_answers(row)
        uow.commit()
    return call_script(ctx, call)


def call_script_view(cs: CallScript) -> dict[str, Any]:
    """The script of the call with each text filled, and where the answers stand."""
    out: dict[str, Any] = {
        "call_id": cs.call.call_id, "script": None, "answers": {}, "path": [],
        "current": None, "complete": False, "outcome": None,
    }  # fmt: skip
    if cs.script is None:
        return out
    script = cs.script.script
    answers = cs.answers.answers if cs.answers is not None else {}
    walk = script.walk(answers)
    steps = []
    for s in script.steps:
        view = step_json(s)
        view["text"] = render(s.text, cs.values)
        steps.append(view)
    out.update(
        script={"id": cs.script.id, "name": script.name, "first": script.first, "steps": steps},
        answers={k: answers[k] for k in walk.path if k in answers},
        path=list(walk.path),
        current=walk.current,
        complete=walk.complete,
        outcome=walk.outcome,
    )
    return out


def list_answers(
    ctx: ServiceContext,
    actor: Principal,
    call_id: int | None,
    user_id: int | None,
    limit: int,
    offset: int,
) -> Page[AnswersRow]:
    if not actor.has_anywhere(P.STATS_READ):
        raise Forbidden("reading the answers of calls needs the stats.read permission")
    with ctx.uow() as uow:
        return uow.scripts.list_answers(
            actor.visibility(P.STATS_READ), call_id, user_id, limit, offset
        )


def answers_started(at: datetime) -> datetime:
    """Call starts are kept to the millisecond, so both databases compare them equal."""
    return at.replace(microsecond=at.microsecond // 1000 * 1000)

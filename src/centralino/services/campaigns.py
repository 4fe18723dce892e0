"""Campaigns (OUT-1): who may see and run them, and their life cycle."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from centralino.domain.access import Place, Principal
from centralino.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from centralino.domain.outbound.campaign import Campaign, CampaignState, DialMode, Window
from centralino.domain.outbound.outcomes import CCO_DEFAULTS
from centralino.domain.roles import Permission
from centralino.services.audit import record
from centralino.services.context import ServiceContext
from centralino.services.org import place_of
from centralino.store.repos.page import Page
from centralino.store.uow import UnitOfWork

P = Permission
COMPLIANCE_PRESETS = ("it", "us", "uk", "custom")


def campaign_place(c: Campaign) -> Place:
    return Place(c.company_id, c.group_path, c.client_id)


def campaign_view(c: Campaign) -> dict[str, Any]:
    return {
        "name": c.name,
        "group_id": c.group_id,
        "client_id": c.client_id,
        "dial_mode": c.dial_mode.value,
        "state": c.state.value,
        "caller_id": c.caller_id,
        "default_region": c.default_region,
        "timezone": c.timezone,
        "compliance": c.compliance,
        "windows": [w.as_json() for w in c.windows],
        "max_attempts": c.max_attempts,
        "priority": c.priority,
        "positive_target": c.positive_target,
        "max_abandon_rate": c.max_abandon_rate,
        "power_ratio": c.power_ratio,
    }


def readable_campaign(uow: UnitOfWork, actor: Principal, campaign_id: int) -> Campaign:
    c = uow.campaigns.get(campaign_id)
    if c is None or not actor.can(P.CAMPAIGNS_READ, campaign_place(c)):
        raise NotFound(f"campaign {campaign_id} not found")
    return c


def writable_campaign(uow: UnitOfWork, actor: Principal, campaign_id: int) -> Campaign:
    c = readable_campaign(uow, actor, campaign_id)
    if not actor.can(P.CAMPAIGNS_WRITE, campaign_place(c)):
        raise Forbidden(f"you may not change campaign {campaign_id}")
    return c


def _check(c: Campaign) -> None:
    if c.compliance not in COMPLIANCE_PRESETS:
        raise InvalidInput(
            f"compliance must be one of {', '.join(COMPLIANCE_PRESETS)}", "compliance"
        )
    if not 0 < c.max_abandon_rate <= 0.03 and c.compliance != "custom":
        raise InvalidInput("the abandon cap must be above 0 and at most 3%", "max_abandon_rate")
    if not 0 < c.max_abandon_rate <= 1:
        raise InvalidInput("the abandon cap must be a share between 0 and 1", "max_abandon_rate")
    if not c.windows:
        raise InvalidInput("a campaign needs at least one calling window", "windows")


def _client_ok(uow: UnitOfWork, company_id: int, client_id: int | None) -> None:
    if client_id is None:
        return
    cl = uow.clients.get(client_id)
    if cl is None or cl.company_id != company_id:
        raise InvalidInput(f"no client {client_id} in this company", field="client_id")


def list_campaigns(
    ctx: ServiceContext, actor: Principal, limit: int, offset: int, state: CampaignState | None
) -> Page[Campaign]:
    if not actor.has_anywhere(P.CAMPAIGNS_READ):
        raise Forbidden("listing campaigns needs the campaigns.read permission")
    with ctx.uow() as uow:
        return uow.campaigns.list(actor.visibility(P.CAMPAIGNS_READ), limit, offset, state)


def get_campaign(
    ctx: ServiceContext, actor: Principal, campaign_id: int
) -> tuple[Campaign, list[int], list[int]]:
    with ctx.uow() as uow:
        c = readable_campaign(uow, actor, campaign_id)
        users, teams = uow.campaigns.members(c.id)
        return c, users, teams


def create_campaign(ctx: ServiceContext, actor: Principal, data: dict[str, Any]) -> Campaign:
    now = ctx.now()
    with ctx.uow() as uow:
        g = uow.groups.get(data["group_id"])
        if g is None or not (
            actor.can(P.GROUPS_READ, place_of(g)) or actor.can(P.CAMPAIGNS_READ, place_of(g))
        ):
            raise NotFound(f"group {data['group_id']} not found", field="group_id")
        if not actor.can(P.CAMPAIGNS_WRITE, place_of(g)):
            raise Forbidden(f"you may not create campaigns in group {g.id}", field="group_id")
        if uow.campaigns.by_name(g.company_id, data["name"]):
            raise Conflict(f"a campaign named {data['name']!r} already exists", field="name")
        _client_ok(uow, g.company_id, data.get("client_id"))
        company = uow.companies.get(g.company_id)
        assert company is not None
        c = Campaign(
            id=0,
            company_id=g.company_id,
            group_id=g.id,
            group_path=g.path,
            client_id=data.get("client_id"),
            name=data["name"],
            dial_mode=DialMode(data.get("dial_mode", DialMode.PREVIEW)),
            state=CampaignState.DRAFT,
            caller_id=data.get("caller_id"),
            default_region=data.get("default_region", "IT"),
            timezone=data.get("timezone") or company.timezone,
            compliance=data.get("compliance", "it"),
            windows=tuple(data.get("windows") or ()),
            max_attempts=data.get("max_attempts", 5),
            priority=data.get("priority", 5),
            positive_target=data.get("positive_target", 0.02),
            max_abandon_rate=data.get("max_abandon_rate", 0.03),
            power_ratio=data.get("power_ratio", 1.0),
            created_at=now,
            updated_at=now,
        )
        if not c.windows:
            from centralino.domain.outbound.campaign import WEEKDAYS_9_TO_8

            c.windows = WEEKDAYS_9_TO_8
        _check(c)
        c.id = uow.campaigns.add(c, now)
        for outcome in CCO_DEFAULTS:  # OUT-3: the CCO rules come preloaded
            uow.outcomes.add(c.id, outcome)
        users, teams = data.get("operator_ids") or [], data.get("team_ids") or []
        _set_members(uow, actor, c, users, teams)
        record(
            uow, actor, "create", "campaign", c.id, campaign_place(c), None, campaign_view(c), now,
            P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return c


def _set_members(
    uow: UnitOfWork, actor: Principal, c: Campaign, user_ids: list[int], team_ids: list[int]
) -> None:
    for uid in user_ids:
        u = uow.users.get(uid)
        if (
            u is None
            or u.company_id != c.company_id
            or (
                not actor.can(P.USERS_READ, Place(u.company_id, u.group_path))
                and not actor.can(P.CAMPAIGNS_WRITE, Place(u.company_id, u.group_path))
            )
        ):
            raise NotFound(f"user {uid} not found", field="operator_ids")
    for gid in team_ids:
        g = uow.groups.get(gid)
        if (
            g is None
            or g.company_id != c.company_id
            or not actor.can(P.CAMPAIGNS_WRITE, place_of(g))
        ):
            raise NotFound(f"group {gid} not found", field="team_ids")
    uow.campaigns.set_members(c.id, sorted(set(user_ids)), sorted(set(team_ids)))


def update_campaign(
    ctx: ServiceContext, actor: Principal, campaign_id: int, changes: dict[str, Any]
) -> Campaign:
    now = ctx.now()
    with ctx.uow() as uow:
        c = writable_campaign(uow, actor, campaign_id)
        before = campaign_view(c)
        if "state" in changes:
            c.move_to(CampaignState(changes.pop("state")))
        new_name = changes.get("name", c.name)
        if new_name != c.name and uow.campaigns.by_name(c.company_id, new_name):
            raise Conflict(f"a campaign named {new_name!r} already exists", "name")
        if "client_id" in changes:
            _client_ok(uow, c.company_id, changes["client_id"])
        if "group_id" in changes and changes["group_id"] != c.group_id:
            g = uow.groups.get(changes["group_id"])
            if (
                g is None
                or g.company_id != c.company_id
                or not actor.can(P.CAMPAIGNS_WRITE, place_of(g))
            ):
                raise NotFound(f"group {changes['group_id']} not found", field="group_id")
            c.group_path = g.path
        users = changes.pop("operator_ids", None)
        teams = changes.pop("team_ids", None)
        if "dial_mode" in changes:
            changes["dial_mode"] = DialMode(changes["dial_mode"])
        if "windows" in changes:
            changes["windows"] = tuple(changes["windows"])
        c = replace(c, **changes)
        _check(c)
        uow.campaigns.update(c, now)
        if users is not None or teams is not None:
            cur_users, cur_teams = uow.campaigns.members(c.id)
            _set_members(
                uow, actor, c, users if users is not None else cur_users,
                teams if teams is not None else cur_teams,
            )  # fmt: skip
        record(
            uow, actor, "update", "campaign", c.id, campaign_place(c), before, campaign_view(c),
            now, P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return c


def delete_campaign(ctx: ServiceContext, actor: Principal, campaign_id: int) -> None:
    with ctx.uow() as uow:
        c = writable_campaign(uow, actor, campaign_id)
        if c.state is not CampaignState.DRAFT:
            raise Conflict(
                "only a draft campaign can be deleted; finish it to keep its history", "state"
            )
        uow.campaigns.delete(c.id)
        record(
            uow, actor, "delete", "campaign", c.id, campaign_place(c), campaign_view(c), None,
            ctx.now(), P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)


def windows_from(data: list[dict[str, Any]]) -> tuple[Window, ...]:
    return tuple(Window.from_json(w) for w in data)

"""Campaigns and their assigned operators and teams."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from centralino.domain.access import Visibility
from centralino.domain.outbound.campaign import Campaign, CampaignState, DialMode, Window
from centralino.store.repos.page import Page, fetch_page
from centralino.store.repos.scope import subtree, visible
from centralino.store.tables import campaign_members, campaigns, groups, role_grants, users

_BASE = select(campaigns, groups.c.path).join(groups, groups.c.id == campaigns.c.group_id)
_FIELDS = (
    "company_id", "group_id", "client_id", "name", "caller_id", "default_region", "timezone",
    "compliance", "max_attempts", "priority", "positive_target", "max_abandon_rate",
    "power_ratio", "settings",
)  # fmt: skip


def _campaign(r: Any) -> Campaign:
    return Campaign(
        id=r.id,
        company_id=r.company_id,
        group_id=r.group_id,
        group_path=r.path,
        client_id=r.client_id,
        name=r.name,
        dial_mode=DialMode(r.dial_mode),
        state=CampaignState(r.state),
        caller_id=r.caller_id,
        default_region=r.default_region,
        timezone=r.timezone,
        compliance=r.compliance,
        windows=tuple(Window.from_json(w) for w in r.windows),
        max_attempts=r.max_attempts,
        priority=r.priority,
        positive_target=r.positive_target,
        max_abandon_rate=r.max_abandon_rate,
        power_ratio=r.power_ratio,
        created_at=r.created_at,
        updated_at=r.updated_at,
        settings=dict(r.settings or {}),
    )


def _values(c: Campaign) -> dict[str, Any]:
    values = {f: getattr(c, f) for f in _FIELDS}
    values["dial_mode"] = c.dial_mode.value
    values["state"] = c.state.value
    values["windows"] = [w.as_json() for w in c.windows]
    return values


class CampaignRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, c: Campaign, now: datetime) -> int:
        return int(
            self.conn.execute(
                insert(campaigns)
                .values(**_values(c), created_at=now, updated_at=now)
                .returning(campaigns.c.id)
            ).scalar_one()
        )

    def get(self, campaign_id: int) -> Campaign | None:
        r = self.conn.execute(_BASE.where(campaigns.c.id == campaign_id)).first()
        return _campaign(r) if r else None

    def by_name(self, company_id: int, name: str) -> Campaign | None:
        r = self.conn.execute(
            _BASE.where(campaigns.c.company_id == company_id, campaigns.c.name == name)
        ).first()
        return _campaign(r) if r else None

    def list(
        self, vis: Visibility, limit: int, offset: int, state: CampaignState | None = None
    ) -> Page[Campaign]:
        q = _BASE.where(visible(vis, campaigns.c.company_id, groups.c.path, campaigns.c.client_id))
        if state is not None:
            q = q.where(campaigns.c.state == state.value)
        rows, total = fetch_page(self.conn, q.order_by(campaigns.c.id), limit, offset)
        return Page([_campaign(r) for r in rows], total, limit, offset)

    def update(self, c: Campaign, now: datetime) -> None:
        self.conn.execute(
            update(campaigns).where(campaigns.c.id == c.id).values(**_values(c), updated_at=now)
        )

    def delete(self, campaign_id: int) -> None:
        self.conn.execute(delete(campaigns).where(campaigns.c.id == campaign_id))

    # --- members: operators (user_id) and teams (group_id) ---

    def members(self, campaign_id: int) -> tuple[list[int], list[int]]:
        rows = self.conn.execute(
            select(campaign_members).where(campaign_members.c.campaign_id == campaign_id)
        ).all()
        return (
            sorted(r.user_id for r in rows if r.user_id is not None),
            sorted(r.group_id for r in rows if r.group_id is not None),
        )

    def set_members(self, campaign_id: int, user_ids: list[int], group_ids: list[int]) -> None:
        self.conn.execute(
            delete(campaign_members).where(campaign_members.c.campaign_id == campaign_id)
        )
        rows = [{"campaign_id": campaign_id, "user_id": u, "group_id": None} for u in user_ids]
        rows += [{"campaign_id": campaign_id, "user_id": None, "group_id": g} for g in group_ids]
        if rows:
            self.conn.execute(insert(campaign_members), rows)

    def active(self) -> list[Campaign]:
        """Active campaigns of every company: what the live dialer works on."""
        rows = self.conn.execute(
            _BASE.where(campaigns.c.state == CampaignState.ACTIVE.value).order_by(campaigns.c.id)
        ).all()
        return [_campaign(r) for r in rows]

    def operators(self, campaign_id: int) -> list[tuple[int, str]]:
        """(id, username) of the active users holding the operator role who are assigned
        to the campaign directly or belong to an assigned team's subtree."""
        user_ids, team_ids = self.members(campaign_id)
        cond = users.c.id.in_(user_ids) if user_ids else None
        for path in self.conn.execute(
            select(groups.c.path).where(groups.c.id.in_(team_ids))
        ).scalars():
            in_team = users.c.group_id.in_(select(groups.c.id).where(subtree(groups.c.path, path)))
            cond = in_team if cond is None else cond | in_team
        if cond is None:
            return []
        operator = select(role_grants.c.user_id).where(role_grants.c.role == "operator")
        rows = self.conn.execute(
            select(users.c.id, users.c.username)
            .where(cond, users.c.is_active.is_(True), users.c.id.in_(operator))
            .order_by(users.c.id)
        ).all()
        return [(r.id, r.username) for r in rows]

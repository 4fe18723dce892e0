"""A two-company world for access tests: every role held on site S1 of company A.

Company A: root RA; sites S1 (team T1) and S2 (team T2); partner P (team PT).
Company B: root RB; site SB. Targets live in T1 (own), T2 (sibling) and SB (foreign).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from centralino.domain.access import Principal
from centralino.domain.org import Group, GroupKind
from centralino.domain.roles import Role
from centralino.services import auth, org, users
from centralino.services.context import ServiceContext
from centralino.services.users import GrantRequest

PASSWORD = "correct-horse-battery"
LOCATIONS = ("own", "sibling", "foreign")
_seq = itertools.count(1)


@dataclass
class World:
    ctx: ServiceContext
    groups: dict[str, Group] = field(default_factory=dict)
    actors: dict[Role, int] = field(default_factory=dict)
    clients: dict[str, int] = field(default_factory=dict)
    sysadmin: Principal | None = None

    @property
    def company_a(self) -> int:
        return self.groups["RA"].company_id

    @property
    def company_b(self) -> int:
        return self.groups["RB"].company_id

    def target_group(self, location: str) -> Group:
        return self.groups[{"own": "T1", "sibling": "T2", "foreign": "SB"}[location]]

    def principal(self, user_id: int) -> Principal:
        with self.ctx.uow() as uow:
            u = uow.users.get(user_id)
            assert u is not None
            return auth.load_principal(uow, u)

    def admin(self) -> Principal:
        assert self.sysadmin is not None
        return self.sysadmin

    def make_group(self, location: str) -> int:
        parent = self.target_group(location)
        return org.create_group(
            self.ctx, self.admin(), parent.id, f"g{next(_seq)}", GroupKind.TEAM
        ).id

    def make_user(self, location: str, role: Role = Role.OPERATOR) -> int:
        g = self.target_group(location)
        u, _ = users.create_user(
            self.ctx, self.admin(), group_id=g.id, username=f"u{next(_seq)}",
            display_name="Target", password=PASSWORD, roles=[GrantRequest(role, g.id)],
        )  # fmt: skip
        return u.id

    def make_client(self, location: str) -> int:
        g = self.target_group(location)
        return org.create_client(self.ctx, self.admin(), g.id, f"client{next(_seq)}").id

    def make_campaign(self, location: str) -> int:
        """A draft campaign in the location's team, commissioned by that location's client."""
        from centralino.services import campaigns

        g = self.target_group(location)
        data = {
            "name": f"campaign{next(_seq)}",
            "group_id": g.id,
            "client_id": self.clients[location],
        }
        return campaigns.create_campaign(self.ctx, self.admin(), data).id

    def make_record(
        self, campaign_id: int, phone: str | None = None, timezone: str = "Europe/Rome",
        priority: int = 5,
    ) -> int:  # fmt: skip
        """A contact in the campaign, in a list of its own (inserted directly)."""
        from sqlalchemy import insert

        from centralino.store.tables import contact_lists, records

        now = self.ctx.now()
        with self.ctx.uow() as uow:
            list_id = uow.conn.execute(
                insert(contact_lists)
                .values(
                    campaign_id=campaign_id,
                    name=f"list{next(_seq)}",
                    priority=5,
                    is_active=True,
                    columns=["phone"],
                    created_at=now,
                )
                .returning(contact_lists.c.id)
            ).scalar_one()
            rid = uow.conn.execute(
                insert(records)
                .values(
                    campaign_id=campaign_id,
                    list_id=list_id,
                    row_number=1,
                    phone=phone or f"+39060{next(_seq):07d}",
                    phone_raw="06",
                    name="Contact",
                    email=None,
                    timezone=timezone,
                    data={},
                    priority=priority,
                    state="new",
                    attempts=0,
                    created_at=now,
                )
                .returning(records.c.id)
            ).scalar_one()
            uow.commit()
        return int(rid)

    def make_callback(self, campaign_id: int) -> int:
        from centralino.domain.outbound.callbacks import Callback, CallbackScope

        rid = self.make_record(campaign_id)
        now = self.ctx.now()
        with self.ctx.uow() as uow:
            cb = Callback(0, campaign_id, rid, now, CallbackScope.ANYONE, None, None, None, now)
            cid = uow.callbacks.add(cb)
            uow.commit()
        return cid

    def make_outcome(self, campaign_id: int) -> str:
        from centralino.services import outcomes

        code = f"custom{next(_seq)}"
        data = {"code": code, "label": "Custom", "kind": "negative", "final": True}
        outcomes.create_outcome(self.ctx, self.admin(), campaign_id, data)
        return code

    def make_queue(self, location: str) -> int:
        """An inbound queue owned by the location's team."""
        from centralino.services import queues

        g = self.target_group(location)
        return queues.create_queue(self.ctx, self.admin(), f"queue{next(_seq)}", g.id, {}).id

    def make_service(self, location: str) -> int:
        """An inbound service of the location's team, serving that location's client, with
        one number and a menu that plays a message."""
        from centralino.services import inbound_services

        n = next(_seq)
        data = {
            "name": f"service{n}",
            "group_id": self.target_group(location).id,
            "client_id": self.clients[location],
            "numbers": [f"+3902{n:08d}"],
            "menus": {"main": {"options": {"1": {"kind": "message", "target": "bye"}}}},
            "root_menu": "main",
        }
        return inbound_services.create_service(self.ctx, self.admin(), data).id

    def make_pause_reason(self, location: str) -> int:
        """A pause reason of company A (own, sibling: it is company-wide) or B (foreign)."""
        from centralino.services import pauses

        company = self.company_b if location == "foreign" else self.company_a
        data = {"code": f"reason{next(_seq)}", "label": "Reason"}
        return pauses.create_reason(self.ctx, self.admin(), data, company).id

    def make_grant(self, location: str) -> tuple[int, int]:
        uid = self.make_user(location)
        g = self.target_group(location)
        grant = users.add_grant(self.ctx, self.admin(), uid, GrantRequest(Role.BACK_OFFICE, g.id))
        return uid, grant.id


def build_world(ctx: ServiceContext) -> World:
    w = World(ctx)
    ca, ra = org.create_company(ctx, None, "Company A", "Europe/Rome", "it")
    _, rb = org.create_company(ctx, None, "Company B", "Europe/Warsaw", "pl")
    admin, _ = users.create_user(
        ctx, None, group_id=ra.id, username="sysadmin", display_name="System Admin",
        password=PASSWORD, roles=[GrantRequest(Role.SYSTEM_ADMIN, ra.id)],
        trusted_company_id=ca.id,
    )  # fmt: skip
    w.groups.update(RA=ra, RB=rb)
    w.sysadmin = w.principal(admin.id)
    layout = [
        ("S1", "RA", GroupKind.SITE), ("T1", "S1", GroupKind.TEAM),
        ("S2", "RA", GroupKind.SITE), ("T2", "S2", GroupKind.TEAM),
        ("P", "RA", GroupKind.PARTNER), ("PT", "P", GroupKind.TEAM),
        ("SB", "RB", GroupKind.SITE),
    ]  # fmt: skip
    for key, parent, kind in layout:
        w.groups[key] = org.create_group(ctx, w.sysadmin, w.groups[parent].id, key, kind)
    for loc, key in (("own", "S1"), ("sibling", "S2"), ("foreign", "SB")):
        w.clients[loc] = org.create_client(ctx, w.sysadmin, w.groups[key].id, f"Client {key}").id
    w.actors[Role.SYSTEM_ADMIN] = admin.id
    for role in Role:
        if role is Role.SYSTEM_ADMIN:
            continue
        u, _ = users.create_user(
            ctx, w.sysadmin, group_id=w.groups["S1"].id, username=f"actor_{role.value}",
            display_name=f"Actor {role.value}", password=PASSWORD,
            client_id=w.clients["own"] if role is Role.CLIENT else None,
            roles=[GrantRequest(role, w.groups["S1"].id)],
        )  # fmt: skip
        w.actors[role] = u.id
    return w

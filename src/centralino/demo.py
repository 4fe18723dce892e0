"""The demo company: two sites, a partner center, a client, a user for every role, a
predictive campaign worked by bot operators, and an inbound customer line (a number, a
service with an IVR, a two-tier queue with the partner center as second tier, a sales
queue that blends in the campaign's bots) answered by bot operators."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from centralino.demo_scripts import seed_demo_scripts
from centralino.domain.access import Principal
from centralino.domain.org import GroupKind
from centralino.domain.outbound.campaign import CampaignState, DialMode, Window
from centralino.domain.roles import Role
from centralino.domain.service_levels import Criteria, ServiceLevelPolicy
from centralino.services import (
    campaigns,
    imports,
    inbound_services,
    orders,
    org,
    queues,
    service_levels,
    users,
)
from centralino.services.context import ServiceContext
from centralino.services.users import GrantRequest

DEMO_COMPANY = "Centralino Demo"
DEMO_PASSWORD = "demo-password"
DEMO_CAMPAIGN = "Acme Energia: offerta casa"
DEMO_BOTS = 12
DEMO_NUMBER = "+390699990000"
DEMO_SERVICE = "Acme Energia: servizio clienti"
# QA-1: what the client bought: 80% within 20 s, at most 5% lost, 15 s average wait; under
# 70% within 30 s or over 10% lost the contract's minimum is missed.
DEMO_SERVICE_LEVEL = ServiceLevelPolicy(
    minimum=Criteria(30, 0.70, max_abandon_rate=0.10),
    target=Criteria(20, 0.80, max_abandon_rate=0.05, max_average_wait=15),
)
CARE_QUEUE, SALES_QUEUE = "Assistenza", "Commerciale"
# OUT-7: the demo campaign's order form (PDA), as an energy reseller's would be.
DEMO_ORDER_FORM: list[dict[str, object]] = [
    {"name": "offerta", "label": "Offerta", "kind": "choice", "required": True,
     "choices": ["Casa Luce", "Casa Gas", "Casa Luce + Gas"]},
    {"name": "potenza_kw", "label": "Potenza kW", "kind": "number", "required": True,
     "minimum": 1.5, "maximum": 30},
    {"name": "iban", "label": "IBAN", "kind": "text", "required": True,
     "pattern": r"IT\d{2}[A-Z]\d{10}[0-9A-Z]{12}"},
    {"name": "data_attivazione", "label": "Data attivazione", "kind": "date"},
    {"name": "consenso_privacy", "label": "Consenso privacy", "kind": "checkbox",
     "required": True},
]  # fmt: skip
CARE_BOTS, PARTNER_BOTS = 6, 3


@dataclass(slots=True, frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    group: str  # key into the groups created below


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "Alessandra Admin", Role.SYSTEM_ADMIN, "root"),
    DemoUser("groupadmin", "Giorgio Group-Admin", Role.GROUP_ADMIN, "root"),
    DemoUser("teamleader", "Teresa Team-Leader", Role.TEAM_LEADER, "milano"),
    DemoUser("backoffice", "Bruno Back-Office", Role.BACK_OFFICE, "milano"),
    DemoUser("operator", "Olga Operatore", Role.OPERATOR, "vendite"),
    DemoUser("operator2", "Oscar Operatore", Role.OPERATOR, "vendite"),
    DemoUser("fieldagent", "Fabio Field-Agent", Role.FIELD_AGENT, "roma"),
    DemoUser("fieldsupervisor", "Flavia Field-Supervisor", Role.FIELD_AGENT_SUPERVISOR, "roma"),
    DemoUser("client", "Carla Client (Acme Energia)", Role.CLIENT, "root"),
    DemoUser("supervisor", "Sergio Supervisor", Role.SUPERVISOR, "root"),
    DemoUser("opsupervisor", "Ottavia Operator-Supervisor", Role.OPERATOR_SUPERVISOR, "milano"),
    DemoUser("partneradmin", "Piotr Partner-Admin", Role.GROUP_ADMIN, "partner"),
    DemoUser("partneroperator", "Paulina Partner-Operator", Role.OPERATOR, "partner_team"),
)


def seed_demo(ctx: ServiceContext) -> bool:
    """Create the demo company once; returns False when it already exists."""
    with ctx.uow() as uow:
        if uow.companies.by_name(DEMO_COMPANY) is not None:
            return False
    company, root = org.create_company(ctx, None, DEMO_COMPANY, "Europe/Rome", "it")
    admin_seed = DEMO_USERS[0]
    admin, _ = users.create_user(
        ctx, None, group_id=root.id, username=admin_seed.username,
        display_name=admin_seed.display_name, password=DEMO_PASSWORD,
        roles=[GrantRequest(Role.SYSTEM_ADMIN, root.id)], trusted_company_id=company.id,
    )  # fmt: skip
    with ctx.uow() as uow:
        from centralino.services.auth import load_principal

        actor = load_principal(uow, admin)
    groups = {"root": root}
    layout = [
        ("milano", "root", "Milano", GroupKind.SITE),
        ("sala1", "milano", "Sala 1", GroupKind.ROOM),
        ("vendite", "sala1", "Team Vendite", GroupKind.TEAM),
        ("roma", "root", "Roma", GroupKind.SITE),
        ("helpdesk", "roma", "Help desk", GroupKind.TEAM),
        ("home", "roma", "Home workers", GroupKind.HOME),
        ("partner", "root", "Partner Bari", GroupKind.PARTNER),
        ("partner_team", "partner", "Bari Outbound", GroupKind.TEAM),
    ]
    for key, parent, name, kind in layout:
        groups[key] = org.create_group(ctx, actor, groups[parent].id, name, kind)
    client = org.create_client(ctx, actor, root.id, "Acme Energia")
    for du in DEMO_USERS[1:]:
        g = groups[du.group]
        users.create_user(
            ctx, actor, group_id=g.id, username=du.username, display_name=du.display_name,
            password=DEMO_PASSWORD, client_id=client.id if du.role is Role.CLIENT else None,
            roles=[GrantRequest(du.role, g.id)],
        )  # fmt: skip
    campaign_id = seed_demo_campaign(ctx, actor, groups["vendite"].id, client.id)
    seed_demo_inbound(ctx, actor, groups["helpdesk"].id, groups["partner_team"].id,
                      groups["vendite"].id, client.id)  # fmt: skip
    seed_demo_scripts(
        ctx, actor, campaign_id, groups["vendite"].id, DEMO_SERVICE, groups["helpdesk"].id
    )
    return True


def seed_demo_inbound(
    ctx: ServiceContext, actor: Principal, care_team: int, partner_team: int, sales_team: int,
    client_id: int,
) -> None:  # fmt: skip
    """The customer line: number → service (welcome, IVR) → the care queue, tier 0 the
    Rome help desk, tier 1 the Bari partner after 20 s; or the sales queue, worked by
    four of the campaign's bots while a caller waits (blending)."""
    care_bots = _bots(ctx, actor, care_team, "care", "Bot help desk", CARE_BOTS)
    partner_bots = _bots(ctx, actor, partner_team, "bari", "Bot Bari", PARTNER_BOTS)
    care = queues.create_queue(
        ctx, actor, CARE_QUEUE, care_team,
        {"strategy": "round_robin", "target_seconds": 20, "tier_wait": 20, "max_wait": 300,
         "overflow": {"kind": "voicemail", "target": "assistenza"}, "announce_every": 60,
         "wrap_up_seconds": 60},
    )  # fmt: skip
    # Oscar (operator2) takes the help desk's calls as well as the campaign's (blended):
    # a person who logs in as operator2 gets both; until then a bot works his line.
    with ctx.uow() as uow:
        oscar = uow.users.by_username("operator2")
    people = [oscar.id] if oscar is not None else []
    tiers = [(u, 0) for u in [*care_bots, *people]] + [(u, 1) for u in partner_bots]
    queues.set_members(ctx, actor, care.id, tiers)
    sales = queues.create_queue(
        ctx, actor, SALES_QUEUE, sales_team,
        {"strategy": "longest_idle", "target_seconds": 30, "max_wait": 180,
         "overflow": {"kind": "queue", "target": CARE_QUEUE}, "blend": {"waiting_calls": 1}},
    )  # fmt: skip
    with ctx.uow() as uow:
        blended = [
            u.id for u in (uow.users.by_username(f"bot{i:02d}") for i in range(1, 5))
            if u is not None
        ]  # fmt: skip
    queues.set_members(ctx, actor, sales.id, [(u, 0) for u in blended])
    service = inbound_services.create_service(
        ctx, actor,
        {"name": DEMO_SERVICE, "group_id": care_team, "client_id": client_id,
         "numbers": [DEMO_NUMBER], "queue": CARE_QUEUE, "timezone": "Europe/Rome",
         "welcome": "benvenuto", "whisper": "whisper_acme",
         "screen_pop": "https://crm.example.com/acme?caller={caller}&call={call_id}",
         "menus": {
             "main": {"prompt": "menu_principale", "options": {
                 "1": {"kind": "queue", "target": CARE_QUEUE},
                 "2": {"kind": "queue", "target": SALES_QUEUE},
                 "3": {"kind": "menu", "target": "info"},
                 "9": {"kind": "operator", "target": CARE_QUEUE}},
                 "default": {"kind": "queue", "target": CARE_QUEUE}},
             "info": {"prompt": "menu_info", "options": {
                 "1": {"kind": "message", "target": "orari_apertura"},
                 "2": {"kind": "voicemail", "target": "info"}},
                 "default": {"kind": "queue", "target": CARE_QUEUE}}},
         "root_menu": "main"},
    )  # fmt: skip
    service_levels.set_policy(ctx, actor, service.id, DEMO_SERVICE_LEVEL)


def _bots(
    ctx: ServiceContext, actor: Principal, group_id: int, prefix: str, name: str, count: int
) -> list[int]:
    """Bot operators `<prefix>01` … in the group; their user ids."""
    return [
        users.create_user(
            ctx, actor, group_id=group_id, username=f"{prefix}{i:02d}",
            display_name=f"{name} {i:02d}", password=DEMO_PASSWORD,
            roles=[GrantRequest(Role.OPERATOR, group_id)],
        )[0].id
        for i in range(1, count + 1)
    ]  # fmt: skip


def _demo_list(path: Path, rows: int, seed: int = 7) -> None:
    """A contact list as a client would send it: Italian mobiles, names, a city column."""
    rng = random.Random(seed)
    first = ["Giulia", "Marco", "Anna", "Luca", "Sara", "Paolo", "Chiara", "Davide", "Elena"]
    last = ["Rossi", "Bianchi", "Esposito", "Romano", "Colombo", "Ricci", "Greco", "Bruno"]
    cities = ["Milano", "Roma", "Napoli", "Torino", "Bari", "Bologna", "Firenze"]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Nome", "Cognome", "Cellulare", "Città"])
        seen: set[str] = set()
        while len(seen) < rows:
            number = f"3{rng.choice('234789')}{rng.randrange(10**8):08d}"
            if number in seen:
                continue
            seen.add(number)
            w.writerow([rng.choice(first), rng.choice(last), number, rng.choice(cities)])


def seed_demo_campaign(ctx: ServiceContext, actor: Principal, team_id: int, client_id: int) -> int:
    """A predictive campaign worked by bot operators: active, with a list of 3,000 contacts.

    Its compliance preset is `custom` with a window over the whole week, so the demo
    dials at any hour; real campaigns take their country's preset (Italy by default).
    """
    _bots(ctx, actor, team_id, "bot", "Bot operator", DEMO_BOTS)
    c = campaigns.create_campaign(
        ctx, actor, {
            "name": DEMO_CAMPAIGN, "group_id": team_id, "client_id": client_id,
            "dial_mode": DialMode.PREDICTIVE, "compliance": "custom",
            "caller_id": "+390212345678", "default_region": "IT",
            "windows": [Window(frozenset(range(7)), time(0, 0), time(23, 59))],
            "max_attempts": 4, "team_ids": [team_id],
        },
    )  # fmt: skip
    data_dir = ctx.settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "demo-list.csv"
    _demo_list(path, 3000)
    imports.import_file(ctx, actor, c.id, path, "clienti-acme.csv")
    path.unlink()
    orders.put_form(ctx, actor, c.id, DEMO_ORDER_FORM)
    campaigns.update_campaign(ctx, actor, c.id, {"state": CampaignState.ACTIVE.value})
    return c.id

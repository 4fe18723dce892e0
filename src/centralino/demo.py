"""The demo company: two sites, a partner center, a client and a user for every role."""

from __future__ import annotations

from dataclasses import dataclass

from centralino.domain.org import GroupKind
from centralino.domain.roles import Role
from centralino.services import org, users
from centralino.services.context import ServiceContext
from centralino.services.users import GrantRequest

DEMO_COMPANY = "Centralino Demo"
DEMO_PASSWORD = "demo-password"


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
    return True

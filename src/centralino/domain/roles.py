"""Roles of ORG-2 as permission sets; each role is granted on a group subtree."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    """What a grant allows inside its subtree. `*.read` never implies `*.write`."""

    COMPANIES_MANAGE = "companies.manage"
    GROUPS_READ = "groups.read"
    GROUPS_WRITE = "groups.write"
    USERS_READ = "users.read"
    USERS_WRITE = "users.write"
    ROLES_ASSIGN = "roles.assign"
    CLIENTS_READ = "clients.read"
    CLIENTS_WRITE = "clients.write"
    AUDIT_READ = "audit.read"
    REALTIME_READ = "realtime.read"
    CAMPAIGNS_READ = "campaigns.read"
    CAMPAIGNS_WRITE = "campaigns.write"
    SERVICES_READ = "services.read"
    SERVICES_WRITE = "services.write"
    STATS_READ = "stats.read"
    CALLS_HANDLE = "calls.handle"
    CALLS_ALL_QUEUES = "calls.all_queues"
    SUPERVISE = "supervise"
    BACKOFFICE = "backoffice"
    CALENDAR_OWN = "calendar.own"
    CALENDAR_MANAGE = "calendar.manage"


class Role(StrEnum):
    SYSTEM_ADMIN = "system_admin"
    GROUP_ADMIN = "group_admin"
    TEAM_LEADER = "team_leader"
    BACK_OFFICE = "back_office"
    OPERATOR = "operator"
    FIELD_AGENT = "field_agent"
    FIELD_AGENT_SUPERVISOR = "field_agent_supervisor"
    CLIENT = "client"
    SUPERVISOR = "supervisor"
    OPERATOR_SUPERVISOR = "operator_supervisor"


P = Permission

_ADMIN = frozenset(p for p in Permission if p is not P.COMPANIES_MANAGE)

DEFAULT_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SYSTEM_ADMIN: frozenset(Permission),
    Role.GROUP_ADMIN: _ADMIN,
    Role.TEAM_LEADER: frozenset(
        {
            P.GROUPS_READ,
            P.USERS_READ,
            P.CLIENTS_READ,
            P.REALTIME_READ,
            P.CAMPAIGNS_READ,
            P.CAMPAIGNS_WRITE,
            P.SERVICES_READ,
            P.STATS_READ,
            P.SUPERVISE,
        }
    ),
    Role.BACK_OFFICE: frozenset({P.GROUPS_READ, P.CAMPAIGNS_READ, P.BACKOFFICE}),
    Role.OPERATOR: frozenset({P.CALLS_HANDLE}),
    Role.FIELD_AGENT: frozenset({P.CALENDAR_OWN}),
    Role.FIELD_AGENT_SUPERVISOR: frozenset(
        {P.GROUPS_READ, P.USERS_READ, P.CALENDAR_OWN, P.CALENDAR_MANAGE}
    ),
    Role.CLIENT: frozenset({P.CAMPAIGNS_READ, P.SERVICES_READ, P.STATS_READ}),
    Role.SUPERVISOR: frozenset(
        {
            P.GROUPS_READ,
            P.USERS_READ,
            P.REALTIME_READ,
            P.CAMPAIGNS_READ,
            P.SERVICES_READ,
            P.STATS_READ,
            P.SUPERVISE,
        }
    ),
    Role.OPERATOR_SUPERVISOR: frozenset({P.CALLS_HANDLE, P.CALLS_ALL_QUEUES, P.REALTIME_READ}),
}

# Permissions whose objects a client user sees only when linked to its own client.
CLIENT_SCOPED: frozenset[Permission] = frozenset({P.CAMPAIGNS_READ, P.SERVICES_READ, P.STATS_READ})


def _label(text: str) -> str:
    """Marks a label for translation (extracted by Babel, translated by the web layer)."""
    return text


ROLE_LABELS: dict[Role, str] = {
    Role.SYSTEM_ADMIN: _label("System admin"),
    Role.GROUP_ADMIN: _label("Group admin"),
    Role.TEAM_LEADER: _label("Team leader"),
    Role.BACK_OFFICE: _label("Back office"),
    Role.OPERATOR: _label("Operator"),
    Role.FIELD_AGENT: _label("Field agent"),
    Role.FIELD_AGENT_SUPERVISOR: _label("Field-agent supervisor"),
    Role.CLIENT: _label("Client"),
    Role.SUPERVISOR: _label("Supervisor"),
    Role.OPERATOR_SUPERVISOR: _label("Operator-supervisor"),
}

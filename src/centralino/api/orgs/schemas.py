"""Request and response bodies for companies, groups and clients."""

from __future__ import annotations

from datetime import datetime

from centralino.api.schemas_base import Body, Locale, Name, Out, Patch, TimeZone
from centralino.domain.org import GroupKind


class CompanyIn(Body):
    name: Name
    timezone: TimeZone = "Europe/Rome"
    locale: Locale = "it"


class CompanyPatch(Patch):
    name: Name | None = None
    timezone: TimeZone | None = None
    locale: Locale | None = None
    is_active: bool | None = None


class CompanyOut(Out):
    id: int
    name: str
    timezone: str
    locale: str
    is_active: bool
    created_at: datetime
    root_group_id: int | None = None


class GroupIn(Body):
    parent_id: int
    name: Name
    kind: GroupKind = GroupKind.TEAM


class GroupPatch(Patch):
    name: Name | None = None
    kind: GroupKind | None = None
    parent_id: int | None = None


class GroupOut(Out):
    id: int
    company_id: int
    parent_id: int | None
    name: str
    kind: GroupKind
    path: str
    depth: int
    created_at: datetime


class ClientIn(Body):
    group_id: int
    name: Name


class ClientPatch(Patch):
    group_id: int | None = None
    name: Name | None = None


class ClientOut(Out):
    id: int
    company_id: int
    group_id: int
    name: str
    created_at: datetime

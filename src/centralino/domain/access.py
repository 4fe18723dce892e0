"""Who may do what where: a principal's grants checked against an object's place.

An object has a place: its company, its group path and, for client-facing objects,
the client it serves. A grant allows its role's permissions on its group's
subtree; a system admin's grant reaches every company. A client user's grants
reach only objects linked to its own client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from centralino.domain.org import is_within
from centralino.domain.roles import CLIENT_SCOPED, DEFAULT_PERMISSIONS, Permission, Role
from centralino.domain.users import Grant


@dataclass(slots=True, frozen=True)
class Place:
    """Where an object sits, for access checks."""

    company_id: int
    group_path: str
    client_id: int | None = None


@dataclass(slots=True, frozen=True)
class Visibility:
    """The rows a principal may see for one permission, in a form the store turns into SQL."""

    all_companies: bool
    company_id: int
    paths: tuple[str, ...]
    client_paths: tuple[str, ...] = ()
    client_id: int | None = None

    @property
    def nothing(self) -> bool:
        return not self.all_companies and not self.paths and not self.client_paths


def minimal_paths(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter one, so queries stay small."""
    kept: list[str] = []
    for p in sorted(set(paths), key=len):
        if not any(is_within(p, k) for k in kept):
            kept.append(p)
    return tuple(sorted(kept))


@dataclass(slots=True, frozen=True)
class Principal:
    user_id: int
    username: str
    company_id: int
    group_id: int
    group_path: str
    client_id: int | None
    grants: tuple[Grant, ...]
    role_permissions: Mapping[Role, frozenset[Permission]] = field(
        default_factory=lambda: DEFAULT_PERMISSIONS
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    @property
    def is_system_admin(self) -> bool:
        return Role.SYSTEM_ADMIN in self.roles

    def _perms(self, role: Role) -> frozenset[Permission]:
        return self.role_permissions.get(role, frozenset())

    def has_anywhere(self, perm: Permission) -> bool:
        return any(perm in self._perms(g.role) for g in self.grants)

    def can(self, perm: Permission, place: Place) -> bool:
        for g in self.grants:
            if perm not in self._perms(g.role):
                continue
            if g.role is Role.SYSTEM_ADMIN:
                return True
            if place.company_id != self.company_id or not is_within(place.group_path, g.group_path):
                continue
            if g.role is Role.CLIENT and perm in CLIENT_SCOPED:
                if self.client_id is not None and place.client_id == self.client_id:
                    return True
                continue
            return True
        return False

    def visibility(self, perm: Permission) -> Visibility:
        paths: list[str] = []
        client_paths: list[str] = []
        for g in self.grants:
            if perm not in self._perms(g.role):
                continue
            if g.role is Role.SYSTEM_ADMIN:
                return Visibility(all_companies=True, company_id=self.company_id, paths=())
            if g.role is Role.CLIENT and perm in CLIENT_SCOPED:
                if self.client_id is not None:
                    client_paths.append(g.group_path)
            else:
                paths.append(g.group_path)
        return Visibility(
            all_companies=False,
            company_id=self.company_id,
            paths=minimal_paths(paths),
            client_paths=minimal_paths(client_paths),
            client_id=self.client_id,
        )

    def permissions_at(self, place: Place) -> frozenset[Permission]:
        """Every permission this principal holds at a place."""
        return frozenset(p for p in Permission if self.can(p, place))

    def may_grant(self, role: Role, place: Place) -> bool:
        """Grant a role only where one may assign roles and only with powers one holds there.

        This keeps a group admin from minting a system admin or a broader admin than itself.
        """
        if not self.can(Permission.ROLES_ASSIGN, place):
            return False
        if role is Role.SYSTEM_ADMIN:
            return self.is_system_admin
        return self._perms(role) <= self.permissions_at(place)

    def may_manage_user(self, target_place: Place, target_grants: Iterable[Grant]) -> bool:
        """Change or remove a user only if one could have granted each of its roles."""
        if not self.can(Permission.USERS_WRITE, target_place):
            return False
        return all(
            self.may_grant(
                g.role, Place(target_place.company_id, g.group_path, target_place.client_id)
            )
            for g in target_grants
        )

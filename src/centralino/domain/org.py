"""Companies and the group tree (ORG-1).

A group's `path` is the chain of ids from the company root, e.g. "/1/4/9/": the
subtree of a group is every group whose path starts with its path, which the
store answers with one indexed prefix query at any depth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from centralino.domain.errors import Conflict, InvalidInput


class GroupKind(StrEnum):
    COMPANY = "company"
    SITE = "site"
    ROOM = "room"
    SHIFT = "shift"
    TEAM = "team"
    HOME = "home"
    PARTNER = "partner"


@dataclass(slots=True)
class Company:
    id: int
    name: str
    timezone: str
    locale: str
    created_at: datetime
    is_active: bool = True


@dataclass(slots=True)
class Group:
    id: int
    company_id: int
    parent_id: int | None
    name: str
    kind: GroupKind
    path: str
    created_at: datetime

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent (excluding this group)."""
        return [int(p) for p in self.path.strip("/").split("/")[:-1]]

    def contains(self, path: str) -> bool:
        return is_within(path, self.path)


def child_path(parent_path: str, group_id: int) -> str:
    return f"{parent_path}{group_id}/"


def root_path(group_id: int) -> str:
    return f"/{group_id}/"


def is_within(path: str, scope_path: str) -> bool:
    """True when `path` is `scope_path` itself or lies under it."""
    return path.startswith(scope_path)


def check_move(group: Group, new_parent: Group) -> None:
    """A group may move only inside its company and never under itself or a descendant."""
    if group.parent_id is None:
        raise InvalidInput("the company's root group cannot be moved", field="parent_id")
    if new_parent.company_id != group.company_id:
        raise InvalidInput("a group cannot move to another company", field="parent_id")
    if is_within(new_parent.path, group.path):
        raise Conflict(
            f"cannot move group {group.id} under its own descendant {new_parent.id}",
            field="parent_id",
        )


def check_kind_under(kind: GroupKind, parent: Group | None) -> None:
    if kind is GroupKind.COMPANY and parent is not None:
        raise InvalidInput("only a company's root group has kind 'company'", field="kind")
    if kind is not GroupKind.COMPANY and parent is None:
        raise InvalidInput("a group needs a parent group", field="parent_id")

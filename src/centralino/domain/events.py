"""Events published on the bus: what happened, where, and who may see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from centralino.domain.access import Place, Principal
from centralino.domain.roles import Permission


@dataclass(slots=True, frozen=True)
class Event:
    """`permission` at `place` is what a subscriber needs to receive this event; an event
    with a `user_id` (the operator's own phone session) goes to that user only."""

    kind: str
    at: datetime
    place: Place | None
    permission: Permission
    payload: dict[str, Any] = field(default_factory=dict)
    user_id: int | None = None

    def visible_to(self, principal: Principal) -> bool:
        if self.user_id is not None:
            return principal.user_id == self.user_id
        if self.place is None:
            return principal.is_system_admin
        return principal.can(self.permission, self.place)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "at": self.at.isoformat(),
            "company_id": self.place.company_id if self.place else None,
            "group_path": self.place.group_path if self.place else None,
            "payload": self.payload,
        }

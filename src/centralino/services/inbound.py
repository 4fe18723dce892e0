"""A company's whole inbound configuration, as the engine takes it (`load_inbound`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from centralino.domain.inbound.pauses import DEFAULT_REASONS, PauseReason
from centralino.domain.inbound.queues import QueueConfig
from centralino.domain.inbound.services import ServiceConfig
from centralino.store.uow import UnitOfWork


@dataclass(slots=True)
class InboundSetup:
    """What `Center` needs: `add_queue` each queue, `add_service` each service,
    `add_operator(username, memberships[username])`, and the pause reasons."""

    queues: list[QueueConfig] = field(default_factory=list)
    memberships: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    services: list[ServiceConfig] = field(default_factory=list)
    pause_reasons: list[PauseReason] = field(default_factory=list)
    user_ids: dict[str, int] = field(default_factory=dict)  # username -> user id of members

    @property
    def empty(self) -> bool:
        return not self.queues and not self.services


def load_inbound(uow: UnitOfWork, company_id: int) -> InboundSetup:
    """Queues, operators' (queue, tier) by username (active users only), services with
    their numbers, and pause reasons: the stored ones, or `DEFAULT_REASONS` when the
    company has none stored yet. Reads only."""
    stored = [r.reason for r in uow.pause_reasons.of_company(company_id)]
    return InboundSetup(
        queues=[q.config for q in uow.queues.of_company(company_id)],
        memberships=uow.queues.memberships(company_id),
        services=[s.config for s in uow.services.of_company(company_id)],
        pause_reasons=stored or list(DEFAULT_REASONS),
        user_ids=uow.queues.member_ids(company_id),
    )

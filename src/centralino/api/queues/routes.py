"""Inbound queues under /api/v1/queues."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.pagination import Page, PageParams, page_params, to_page
from centralino.api.queues.schemas import MemberOut, MembersIn, QueueIn, QueueOut, QueuePatch
from centralino.services import queues
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext
from centralino.store.repos.queues import MemberRow, QueueRow

router = APIRouter(tags=["queues"])


def member_out(m: MemberRow) -> MemberOut:
    return MemberOut(user_id=m.user_id, username=m.username, group_id=m.group_id, tier=m.tier)


def queue_out(q: QueueRow, members: list[MemberRow] | None = None) -> QueueOut:
    return QueueOut(
        id=q.id, company_id=q.company_id, created_at=q.created_at, updated_at=q.updated_at,
        members=[member_out(m) for m in members or []], **queues.queue_view(q),
    )  # fmt: skip


def _settings(body: QueueIn | QueuePatch) -> dict[str, Any]:
    """What the body sets, as QueueConfig's JSON (name and owner group aside)."""
    return body.model_dump(mode="json", exclude_unset=True, exclude={"name", "group_id"})


@router.get(
    "/queues", response_model=Page[QueueOut], openapi_extra=access("services.read", "queue"),
)  # fmt: skip
def list_queues(
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    """Queues the caller may see, each with its members by tier."""
    found = queues.list_queues(ctx, me.principal, page.limit, page.offset)
    members = queues.members_of(ctx, [q.id for q in found.items])
    return to_page(found, lambda q: queue_out(q, members[q.id]))


@router.post(
    "/queues", response_model=QueueOut, status_code=201,
    openapi_extra=access("services.write", "queue", body_group_field="group_id"),
)  # fmt: skip
def create_queue(
    body: QueueIn, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> QueueOut:
    q = queues.create_queue(ctx, me.principal, body.name, body.group_id, _settings(body))
    return queue_out(q)


@router.get(
    "/queues/{queue_id}", response_model=QueueOut,
    openapi_extra=access("services.read", "queue"),
)  # fmt: skip
def get_queue(
    queue_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> QueueOut:
    return queue_out(*queues.get_queue(ctx, me.principal, queue_id))


@router.patch(
    "/queues/{queue_id}", response_model=QueueOut,
    openapi_extra=access("services.write", "queue"),
)  # fmt: skip
def update_queue(
    queue_id: int,
    body: QueuePatch,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> QueueOut:
    """Changes only the fields sent; a queue a service uses keeps its name."""
    changes = body.model_dump(mode="json", exclude_unset=True)
    queues.update_queue(ctx, me.principal, queue_id, changes)
    return queue_out(*queues.get_queue(ctx, me.principal, queue_id))


@router.delete(
    "/queues/{queue_id}", status_code=204, openapi_extra=access("services.write", "queue"),
)  # fmt: skip
def delete_queue(
    queue_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    queues.delete_queue(ctx, me.principal, queue_id)
    return Response(status_code=204)


@router.put(
    "/queues/{queue_id}/members", response_model=list[MemberOut],
    openapi_extra=access("services.write", "queue"),
)  # fmt: skip
def set_members(
    queue_id: int,
    body: MembersIn,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> list[MemberOut]:
    """Replace the queue's operators: each user in one tier (0 the highest)."""
    pairs = [(m.user_id, m.tier) for m in body.members]
    return [member_out(m) for m in queues.set_members(ctx, me.principal, queue_id, pairs)]

"""Call scripts under /api/v1/scripts, and the answers of calls under /api/v1/script-answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.pagination import Page, PageParams, page_params, to_page
from centralino.api.scripts.schemas import AnswersOut, ScriptIn, ScriptOut, ScriptPatch
from centralino.services import scripts
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext
from centralino.store.repos.scripts import AnswersRow, ScriptRow

router = APIRouter(tags=["scripts"])


def script_out(s: ScriptRow) -> ScriptOut:
    return ScriptOut.model_validate(
        {
            "id": s.id, "company_id": s.company_id, "created_at": s.created_at,
            "updated_at": s.updated_at, **scripts.script_view(s),
        }
    )  # fmt: skip


def answers_out(a: AnswersRow) -> AnswersOut:
    return AnswersOut.model_validate(a)


@router.get(
    "/scripts", response_model=Page[ScriptOut], openapi_extra=access("campaigns.read", "script")
)
def list_scripts(
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    """Scripts the caller may see, by name."""
    return to_page(scripts.list_scripts(ctx, me.principal, page.limit, page.offset), script_out)


@router.post(
    "/scripts", response_model=ScriptOut, status_code=201,
    openapi_extra=access("campaigns.write", "script", body_group_field="group_id"),
)  # fmt: skip
def create_script(
    body: ScriptIn, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> ScriptOut:
    """A tree of steps; errors name the step and option: `steps.s3.options.1.next`."""
    return script_out(scripts.create_script(ctx, me.principal, body.model_dump(mode="json")))


@router.get(
    "/scripts/{script_id}", response_model=ScriptOut,
    openapi_extra=access("campaigns.read", "script"),
)  # fmt: skip
def get_script(
    script_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> ScriptOut:
    return script_out(scripts.get_script(ctx, me.principal, script_id))


@router.patch(
    "/scripts/{script_id}", response_model=ScriptOut,
    openapi_extra=access("campaigns.write", "script"),
)  # fmt: skip
def update_script(
    script_id: int,
    body: ScriptPatch,
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> ScriptOut:
    """Changes only the fields sent; `steps` replaces the whole tree."""
    changes = body.model_dump(mode="json", exclude_unset=True)
    return script_out(scripts.update_script(ctx, me.principal, script_id, changes))


@router.delete(
    "/scripts/{script_id}", status_code=204, openapi_extra=access("campaigns.write", "script")
)
def delete_script(
    script_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    """Answers already given stay, with the script's name."""
    scripts.delete_script(ctx, me.principal, script_id)
    return Response(status_code=204)


@router.get(
    "/script-answers", response_model=Page[AnswersOut],
    openapi_extra=access("stats.read", "script_answers"),
)  # fmt: skip
def list_answers(
    call_id: int | None = Query(None, description="The engine's id of the call"),
    user_id: int | None = Query(None, description="The operator"),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
    page: PageParams = Depends(page_params),
) -> dict[str, Any]:
    """What operators answered along scripts in calls, newest first, for the operators in
    the caller's groups."""
    found = scripts.list_answers(ctx, me.principal, call_id, user_id, page.limit, page.offset)
    return to_page(found, answers_out)

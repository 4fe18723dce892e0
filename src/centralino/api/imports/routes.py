"""List imports: upload to a campaign, follow the job, download the rejected rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Response, UploadFile
from fastapi.responses import StreamingResponse

from centralino.api.deps import access, authenticated, get_ctx
from centralino.api.imports.schemas import ImportJobOut, PreviewOut
from centralino.domain.errors import InvalidInput
from centralino.imports.pipeline import ImportJob
from centralino.services import imports
from centralino.services.auth import Identity
from centralino.services.context import ServiceContext

router = APIRouter(tags=["imports"])

_MAPPING_HELP = (
    "JSON object {role: column}: phone takes a column or a list tried in order, e.g. "
    '{"phone": ["Cellulare", "Telefono"], "name": "Nominativo"}; roles left out are guessed, '
    "null leaves one empty"
)


def job_out(job: ImportJob) -> ImportJobOut:
    return ImportJobOut(
        id=job.id, campaign_id=job.campaign_id, list_id=job.list_id, filename=job.filename,
        state=job.state.value, percent=job.percent, rows_read=job.rows_read,
        rows_imported=job.rows_imported, rows_rejected=job.rows_rejected, message=job.message,
        mapping=job.mapping, created_at=job.created_at, finished_at=job.finished_at,
        errors_url=f"/api/v1/imports/{job.id}/errors.csv",
    )  # fmt: skip


def _mapping(raw: str | None) -> dict[str, Any] | None:
    if raw is None or not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"mapping is not valid JSON: {exc.msg}", field="mapping") from exc
    if not isinstance(value, dict):
        raise InvalidInput("mapping must be a JSON object {role: column}", field="mapping")
    return value


def _staged(ctx: ServiceContext, file: UploadFile) -> tuple[Path, str]:
    name = Path(file.filename or "upload").name[:255] or "upload"
    return imports.stage_upload(ctx, file.file, name), name


def _run(ctx: ServiceContext, job_id: int, path: Path) -> None:
    try:
        imports.run_import(ctx, job_id, path)
    finally:
        imports.remove_upload(path)


@router.post(
    "/campaigns/{campaign_id}/imports", response_model=ImportJobOut, status_code=201,
    openapi_extra=access("campaigns.write", "campaign"),
)  # fmt: skip
def upload(
    campaign_id: int,
    response: Response,
    background: BackgroundTasks,
    file: UploadFile = File(..., description="CSV, xlsx, xls or ods"),
    mapping: str | None = Form(None, max_length=20_000, description=_MAPPING_HELP),
    list_name: str | None = Form(None, max_length=200, description="Default: the file name"),
    list_priority: int = Form(5, ge=0, le=100),
    sheet: str | None = Form(None, max_length=200, description="Default: the first sheet"),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> ImportJobOut:
    """Check the file and the mapping now (422 naming the problem), then import it in
    the background: follow `GET /imports/{id}` for the percent."""
    path, name = _staged(ctx, file)
    try:
        job = imports.start_import(
            ctx, me.principal, campaign_id, path, name, _mapping(mapping), list_name,
            list_priority, sheet,
        )  # fmt: skip
    except BaseException:
        imports.remove_upload(path)
        raise
    background.add_task(_run, ctx, job.id, path)
    response.headers["Location"] = f"/api/v1/imports/{job.id}"
    return job_out(job)


@router.post(
    "/campaigns/{campaign_id}/imports/preview", response_model=PreviewOut,
    openapi_extra=access("campaigns.write", "campaign"),
)  # fmt: skip
def preview(
    campaign_id: int,
    file: UploadFile = File(..., description="CSV, xlsx, xls or ods"),
    mapping: str | None = Form(None, max_length=20_000, description=_MAPPING_HELP),
    sheet: str | None = Form(None, max_length=200),
    me: Identity = Depends(authenticated),
    ctx: ServiceContext = Depends(get_ctx),
) -> PreviewOut:
    """The columns, the guessed mapping and the first rows; nothing is imported."""
    path, name = _staged(ctx, file)
    try:
        p = imports.preview(ctx, me.principal, campaign_id, path, name, sheet, _mapping(mapping))
    finally:
        imports.remove_upload(path)
    return PreviewOut(
        filename=p.filename, kind=p.kind, sheet=p.sheet, encoding=p.encoding,
        delimiter=p.delimiter, header_row=p.header_row, columns=p.columns, mapping=p.mapping,
        mapping_error=p.mapping_error, rows=p.rows, notes=p.notes,
    )  # fmt: skip


@router.get(
    "/campaigns/{campaign_id}/imports", response_model=list[ImportJobOut],
    openapi_extra=access("campaigns.read", "campaign"),
)  # fmt: skip
def list_imports(
    campaign_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> list[ImportJobOut]:
    """The campaign's last 100 imports, newest first."""
    return [job_out(j) for j in imports.list_jobs(ctx, me.principal, campaign_id)]


@router.get(
    "/imports/{job_id}", response_model=ImportJobOut,
    openapi_extra=access("campaigns.read", "import"),
)  # fmt: skip
def get_import(
    job_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> ImportJobOut:
    return job_out(imports.get_job(ctx, me.principal, job_id))


@router.get(
    "/imports/{job_id}/errors.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "row, column, value, reason"}},
    openapi_extra=access("campaigns.write", "import"),
)  # fmt: skip
def error_report(
    job_id: int, me: Identity = Depends(authenticated), ctx: ServiceContext = Depends(get_ctx)
) -> StreamingResponse:
    """Every rejected row with its reason, in file order, as CSV (UTF-8 with BOM)."""
    job, chunks = imports.error_report(ctx, me.principal, job_id)
    stem = Path(job.filename).stem or "import"
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_ascii(stem)}-errors.csv"'},
    )


def _ascii(name: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)

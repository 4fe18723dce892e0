"""Bodies for list imports (the upload itself is multipart: a file and form fields)."""

from __future__ import annotations

from datetime import datetime

from centralino.api.schemas_base import Out


class ImportJobOut(Out):
    id: int
    campaign_id: int
    list_id: int
    filename: str
    state: str
    percent: int
    rows_read: int
    rows_imported: int
    rows_rejected: int
    message: str | None
    mapping: dict[str, object]
    created_at: datetime
    finished_at: datetime | None
    errors_url: str


class PreviewOut(Out):
    filename: str
    kind: str
    sheet: str | None
    encoding: str | None
    delimiter: str | None
    header_row: int
    columns: list[str]
    mapping: dict[str, object]
    mapping_error: str | None
    rows: list[list[str]]
    notes: list[str]

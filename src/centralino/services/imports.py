"""List import (OUT-2): check the file and the mapping, then read it in batches.

Each batch is one transaction holding its records, its rejections and the job's counters,
so at every commit imported + rejected = rows read, and a job that stops halfway says
exactly how far it got. The job was authorised when it was created; running it needs no
principal (it runs in the background or from the command line).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import secrets
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import count, islice
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection

from centralino.domain.access import Principal
from centralino.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from centralino.domain.events import Event
from centralino.domain.outbound.campaign import Campaign
from centralino.domain.roles import Permission
from centralino.imports.mapping import ColumnMapping, guess_mapping, resolve_mapping
from centralino.imports.phones import PhoneNormalizer
from centralino.imports.pipeline import (
    BATCH_ROWS,
    DEFAULT_PRIORITY,
    FIRST_BATCH_ROWS,
    ImportJob,
    ImportState,
    Rejection,
    RowProcessor,
    SeenPhones,
    process_rows_into,
    rejection,
)
from centralino.imports.readers import ListFile, cell_text
from centralino.services.audit import record
from centralino.services.campaigns import campaign_place, readable_campaign, writable_campaign
from centralino.services.context import ServiceContext
from centralino.store.repos.imports import ImportRepo, PreparedRecords, RecordRows
from centralino.store.uow import UnitOfWork

P = Permission
log = logging.getLogger("centralino.imports")

PREVIEW_ROWS = 10
SAMPLE_ROWS = 50
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
REPORT_PAGE = 5000
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
ProgressCallback = Callable[[ImportJob], None]


class TooLarge(DomainError):
    status_code = 413
    error_id = "too-large"


@dataclass(slots=True)
class Preview:
    """What the file looks like before importing: columns, the guessed mapping, rows."""

    filename: str
    kind: str
    sheet: str | None
    encoding: str | None
    delimiter: str | None
    header_row: int
    columns: list[str]
    mapping: dict[str, object]
    rows: list[list[str]]
    notes: list[str]
    mapping_error: str | None = None


@dataclass(slots=True)
class DryRun:
    """What an import would do, without writing anything."""

    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    mapping: dict[str, object] = field(default_factory=dict)


# --- access ---


def _campaign(uow: UnitOfWork, actor: Principal | None, campaign_id: int, write: bool) -> Campaign:
    if actor is None:  # the command line and jobs already authorised
        c = uow.campaigns.get(campaign_id)
        if c is None:
            raise NotFound(f"campaign {campaign_id} not found", field="campaign")
        return c
    if write:
        return writable_campaign(uow, actor, campaign_id)
    return readable_campaign(uow, actor, campaign_id)


def _job_and_campaign(
    uow: UnitOfWork, actor: Principal | None, job_id: int, write: bool
) -> tuple[ImportJob, Campaign]:
    job = ImportRepo(uow.conn).get_job(job_id)
    if job is None:
        raise NotFound(f"import {job_id} not found")
    try:
        c = _campaign(uow, actor, job.campaign_id, write)
    except NotFound:
        raise NotFound(f"import {job_id} not found") from None
    except Forbidden:
        raise Forbidden(f"you may not see the rejected rows of import {job_id}") from None
    return job, c


# --- files ---


def stage_upload(ctx: ServiceContext, source: IO[bytes], filename: str) -> Path:
    """Copy an uploaded file under the data directory; refuses files over the size cap."""
    folder = ctx.settings.data_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    safe = _SAFE_NAME.sub("_", Path(filename).name)[-80:] or "list"
    target = folder / f"{secrets.token_hex(8)}-{safe}"
    copied = 0
    with target.open("wb") as out:
        while chunk := source.read(1024 * 1024):
            copied += len(chunk)
            if copied > MAX_UPLOAD_BYTES:
                out.close()
                target.unlink(missing_ok=True)
                raise TooLarge(
                    f"{filename}: the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB; "
                    "split it into several lists",
                    field="file",
                )
            out.write(chunk)
    return target


def _sample(lf: ListFile, n: int) -> tuple[list[tuple[int, list[Any]]], Iterator[Any]]:
    rows = lf.rows
    taken = []
    for row in rows:
        taken.append(row)
        if len(taken) >= n:
            break
    return taken, rows


def _open(path: Path, filename: str, sheet: str | None) -> ListFile:
    return ListFile(path, filename, sheet)


# --- use cases ---


def preview(
    ctx: ServiceContext,
    actor: Principal | None,
    campaign_id: int,
    path: Path,
    filename: str,
    sheet: str | None = None,
    mapping: Mapping[str, object] | None = None,
    rows: int = PREVIEW_ROWS,
) -> Preview:
    """Columns, guessed (or given) mapping and the first rows; nothing is written."""
    with ctx.uow() as uow:
        _campaign(uow, actor, campaign_id, write=True)
    with _open(path, filename, sheet) as lf:
        sample, _ = _sample(lf, max(rows, SAMPLE_ROWS))
        error = None
        try:
            found = resolve_mapping(lf.header, mapping, [c for _, c in sample]).as_json()
        except InvalidInput as exc:
            error = exc.message
            found = guess_mapping(lf.header, [c for _, c in sample]).as_json()
        return Preview(
            filename=filename, kind=lf.kind, sheet=lf.sheet, encoding=lf.encoding,
            delimiter=lf.delimiter, header_row=lf.header_row, columns=list(lf.header),
            mapping=found, rows=[[cell_text(c) for c in cells] for _, cells in sample[:rows]],
            notes=list(lf.notes), mapping_error=error,
        )  # fmt: skip


def start_import(
    ctx: ServiceContext,
    actor: Principal | None,
    campaign_id: int,
    path: Path,
    filename: str,
    mapping: Mapping[str, object] | None = None,
    list_name: str | None = None,
    list_priority: int = DEFAULT_PRIORITY,
    sheet: str | None = None,
) -> ImportJob:
    """Check the file and the mapping, then create the list and its queued job.

    Problems with the file as a whole (unreadable, no header, no phone column) are
    refused here, before anything is created."""
    if not 0 <= list_priority <= 100:
        raise InvalidInput("list priority must be from 0 to 100", field="list_priority")
    with ctx.uow() as uow:
        _campaign(uow, actor, campaign_id, write=True)
    with _open(path, filename, sheet) as lf:
        sample, _ = _sample(lf, SAMPLE_ROWS)
        resolved = resolve_mapping(lf.header, mapping, [c for _, c in sample])
        header, chosen_sheet = list(lf.header), lf.sheet
    now = ctx.now()
    name = (list_name or Path(filename).stem or "list").strip()[:200]
    with ctx.uow() as uow:
        c = _campaign(uow, actor, campaign_id, write=True)
        repo = ImportRepo(uow.conn)
        list_id = repo.add_list(c.id, name, list_priority, header, now)
        job = ImportJob(
            id=0, list_id=list_id, campaign_id=c.id,
            created_by=actor.user_id if actor else None, filename=filename[:255],
            state=ImportState.QUEUED,
            mapping={"columns": resolved.as_json(), "sheet": chosen_sheet},
            bytes_total=path.stat().st_size, bytes_done=0, rows_read=0, rows_imported=0,
            rows_rejected=0, message=None, created_at=now, finished_at=None,
        )  # fmt: skip
        job.id = repo.add_job(job)
        after = {"name": name, "priority": list_priority, "file": filename, "import_job": job.id}
        record(
            uow, actor, "create", "contact_list", list_id, campaign_place(c), None, after, now,
            P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return job


def run_import(
    ctx: ServiceContext,
    job_id: int,
    path: Path,
    on_progress: ProgressCallback | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportJob:
    """Read the file in batches into the job's list; a file problem found on the way
    fails the job with its message (what was committed before stays, and is counted)."""
    with ctx.uow() as uow:
        repo = ImportRepo(uow.conn)
        job = repo.get_job(job_id, for_update=True)
        if job is None:
            raise NotFound(f"import {job_id} not found")
        c = uow.campaigns.get(job.campaign_id)
        assert c is not None
        job.move_to(ImportState.RUNNING)
        repo.save_job(job)
        uow.commit()
    try:
        with _open(path, job.filename, _str(job.mapping.get("sheet"))) as lf:
            columns = job.mapping.get("columns")
            mapping = resolve_mapping(lf.header, columns if isinstance(columns, dict) else None)
            _run_batches(ctx, job, c, lf, mapping, on_progress, batch_rows)
            notes = lf.all_notes()
        summary = f"{job.rows_imported} imported, {job.rows_rejected} rejected of {job.rows_read}"
        job.message = "; ".join([summary, *notes])
        _finish(ctx, job, c, ImportState.DONE)
    except InvalidInput as exc:
        job.message = (
            f"{exc.message} (stopped after {job.rows_read} rows: {job.rows_imported} imported, "
            f"{job.rows_rejected} rejected)"
        )
        _finish(ctx, job, c, ImportState.FAILED)
    except Exception:
        log.exception("import %s failed", job_id)
        job.message = (
            f"internal error after {job.rows_read} rows ({job.rows_imported} imported, "
            f"{job.rows_rejected} rejected); the administrator can find it in the log"
        )
        _finish(ctx, job, c, ImportState.FAILED)
        raise
    if on_progress:
        on_progress(job)
    return job


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _processor(c: Campaign, lf: ListFile, mapping: ColumnMapping, out: RecordRows) -> RowProcessor:
    return RowProcessor(
        mapping, PhoneNormalizer(c.default_region), c.timezone,
        extra_name=lf.extra_column_name, text_cells=lf.kind == "csv", ascii_json=out.ascii_json,
    )  # fmt: skip


def _do_not_call(
    repo: ImportRepo, c: Campaign, batch: PreparedRecords, any_entries: bool | None = None
) -> tuple[PreparedRecords, list[Rejection]]:
    """Numbers on the company's or the campaign's do-not-call list become rejections;
    returns the batch without them."""
    if any_entries is False or not batch:
        return batch, []
    blocked = repo.do_not_call(c.company_id, c.id, batch.phones(), any_entries)
    if not blocked:
        return batch, []
    keep: list[int] = []
    rejected: list[Rejection] = []
    for i, (row, phone, raw, column) in enumerate(batch.placed):
        scope = blocked.get(phone)
        if scope is None:
            keep.append(i)
            continue
        where = "the company's" if scope == "company" else "this campaign's"
        rejected.append(rejection(row, column, raw, f"on {where} do-not-call list"))
    return batch.only(keep), rejected


def _already_there(
    repo: ImportRepo, c: Campaign, list_id: int | None, batch: PreparedRecords, phones: set[str]
) -> list[Rejection]:
    """Why each of `phones` (found in the campaign) was not imported."""
    if not phones:
        return []
    existing = repo.existing(c.id, sorted(phones))
    out = []
    for row, phone, raw, column in batch.placed:
        if phone not in phones:
            continue
        old = existing.get(phone)
        if old is None:
            reason = "already in the campaign (added by someone else meanwhile)"
        elif old.list_id == list_id:
            reason = f"same number as row {old.row_number} of this file"
        else:
            reason = f"already in the campaign (list {old.list_name!r}, row {old.row_number})"
        out.append(rejection(row, column, raw, reason))
    return out


def _run_batches(
    ctx: ServiceContext,
    job: ImportJob,
    c: Campaign,
    lf: ListFile,
    mapping: ColumnMapping,
    on_progress: ProgressCallback | None,
    batch_rows: int,
) -> None:
    """Reading and checking the next batch, and preparing its rows for the database,
    overlaps with writing the ones before. On PostgreSQL two writers, each with its own
    connection, write consecutive batches at the same time (the server then works on two
    cores), but each batch commits only after the one before it has: the job's counters
    and what is in the database always cover the file's first rows, and a failed batch
    takes the one after it down with it. SQLite, one writer at a time anyway, gets one.
    Batches start small, so writing starts early, and grow to `batch_rows`."""
    out = RecordRows(ctx.engine.dialect.name, c.id, job.list_id)
    processor = _processor(c, lf, mapping, out)
    seen = SeenPhones()  # the whole file: about 100 bytes a number
    parallel = _WRITERS if ctx.engine.dialect.name == "postgresql" else 1
    pending: deque[Future[None]] = deque()
    rows, size = lf.rows, min(FIRST_BATCH_ROWS, batch_rows)
    counters = threading.Lock()  # the job's counters change and are shown under it
    with ExitStack() as stack:
        writers = [
            stack.enter_context(_BatchWriter(ctx, job, c, counters)) for _ in range(parallel)
        ]
        pool = stack.enter_context(
            ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="import-writer")
        )
        try:
            for k in count():
                # rows are checked a chunk at a time as they are read, and the contacts
                # become their rows for the database at once: a batch holds no contacts
                now = ctx.now()
                prepared = out.batch(now)
                rejected = process_rows_into(processor, islice(rows, size), seen, prepared.extend)
                read = len(prepared) + len(rejected)  # every row is one or the other
                if not read:
                    break
                share = lf.progress()
                if len(pending) == parallel:
                    pending.popleft().result()
                    if on_progress:
                        with counters:
                            on_progress(job)
                previous = pending[-1] if pending else None
                write = writers[k % parallel]
                pending.append(pool.submit(write, read, prepared, rejected, share, now, previous))
                size = min(2 * size, batch_rows)
            while pending:
                pending.popleft().result()
                if on_progress:
                    with counters:
                        on_progress(job)
        finally:
            _drain(pending)  # what was read before a problem is written and counted


_WRITERS = 2


class _EarlierBatchFailed(Exception):
    """A batch was not committed because the one before it failed."""


class _EarlierBatchPending(Exception):
    """The batch before has not committed in time; this one was rolled back."""


def _drain(pending: deque[Future[None]]) -> None:
    """Wait for the batches still being written, in order; the first failure is raised
    (the batches after it fail because of it, and are not)."""
    first: BaseException | None = None
    while pending:
        exc = pending.popleft().exception()
        if first is None and exc is not None and not isinstance(exc, _EarlierBatchFailed):
            first = exc
    if first is not None:
        raise first


class _BatchWriter:
    """Writes batches of one import, each in one transaction: its records, its
    rejections and the job's counters. Its connection serves the whole import (taken at
    its first batch). A batch commits only once the batch before it (`previous`) has,
    and the job's counters change only then, so they always say what is in the
    database.

    Waiting for the batch before happens with this batch's rows inserted. Should that
    batch be waiting, in turn, for a lock held by someone who waits for one of these rows
    (another import of the same numbers), the database could not see the circle: so the
    wait is bounded (`PATIENCE` seconds), after which this batch is rolled back and
    written again once the one before is done."""

    PATIENCE = 10.0

    def __init__(
        self, ctx: ServiceContext, job: ImportJob, c: Campaign, counters: threading.Lock
    ) -> None:
        self.ctx, self.job, self.c, self.counters = ctx, job, c, counters
        self.conn: Connection | None = None

    def __enter__(self) -> _BatchWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.conn is not None:
            self.conn.close()

    def __call__(
        self,
        rows: int,
        prepared: PreparedRecords,
        rejected: list[Rejection],
        share: float,
        now: datetime,
        previous: Future[None] | None = None,
    ) -> None:
        try:
            self._write(rows, prepared, rejected, share, now, previous, self.PATIENCE)
        except _EarlierBatchPending:
            assert previous is not None
            if previous.exception() is not None:  # this batch holds nothing now: no hurry
                raise _EarlierBatchFailed from None
            self._write(rows, prepared, rejected, share, now, None, None)

    def _write(
        self,
        rows: int,
        prepared: PreparedRecords,
        rejected: list[Rejection],
        share: float,
        now: datetime,
        previous: Future[None] | None,
        patience: float | None,
    ) -> None:
        ctx, job, c = self.ctx, self.job, self.c
        if self.conn is None:
            self.conn = ctx.engine.connect()
        with self.conn.begin():  # commits at the end of the block, rolls back on error
            repo = ImportRepo(self.conn)
            any_dnc = repo.begin_batch(c.company_id, c.id)
            prepared, blocked = _do_not_call(repo, c, prepared, any_dnc)
            skipped = repo.add_prepared(prepared)
            rejected = rejected + blocked + _already_there(repo, c, job.list_id, prepared, skipped)
            imported = len(prepared) - len(skipped)
            assert imported + len(rejected) == rows, "every row is imported or rejected"
            if previous is not None:
                try:
                    failed = previous.exception(timeout=patience)
                except TimeoutError:
                    raise _EarlierBatchPending from None
                if failed is not None:
                    raise _EarlierBatchFailed
            after = replace(  # the counters as the batch before left them, and this one
                job,
                rows_read=job.rows_read + rows,
                rows_imported=job.rows_imported + imported,
                rows_rejected=job.rows_rejected + len(rejected),
                bytes_done=int(job.bytes_total * share),
            )
            repo.end_batch(job.id, rejected, after)
        with self.counters:
            job.rows_read, job.rows_imported = after.rows_read, after.rows_imported
            job.rows_rejected, job.bytes_done = after.rows_rejected, after.bytes_done
            event = _progress_event(job, campaign_place(c), now)
        ctx.bus.publish(event)


def _progress_event(job: ImportJob, place: Any, now: Any) -> Event:
    return Event(
        kind="import_job.progress",
        at=now,
        place=place,
        permission=P.CAMPAIGNS_READ,
        payload={
            "id": job.id,
            "campaign_id": job.campaign_id,
            "state": job.state.value,
            "percent": job.percent,
            "rows_read": job.rows_read,
            "rows_imported": job.rows_imported,
            "rows_rejected": job.rows_rejected,
        },
    )


def _finish(ctx: ServiceContext, job: ImportJob, c: Campaign, state: ImportState) -> None:
    now = ctx.now()
    job.move_to(state)
    job.finished_at = now
    if state is ImportState.DONE:
        job.bytes_done = job.bytes_total
    with ctx.uow() as uow:
        ImportRepo(uow.conn).save_job(job)
        after = job_view(job)
        record(
            uow, None, "update", "import_job", job.id, campaign_place(c), None, after, now,
            P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.events.append(_progress_event(job, campaign_place(c), now))
        uow.commit()
    ctx.publish(uow)


def import_file(
    ctx: ServiceContext,
    actor: Principal | None,
    campaign_id: int,
    path: Path,
    filename: str | None = None,
    mapping: Mapping[str, object] | None = None,
    list_name: str | None = None,
    list_priority: int = DEFAULT_PRIORITY,
    sheet: str | None = None,
    on_progress: ProgressCallback | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportJob:
    """Create the job and run it now (the command line, tests, benchmarks)."""
    name = filename or path.name
    job = start_import(
        ctx, actor, campaign_id, path, name, mapping, list_name, list_priority, sheet
    )
    return run_import(ctx, job.id, path, on_progress, batch_rows)


def dry_run(
    ctx: ServiceContext,
    actor: Principal | None,
    campaign_id: int,
    path: Path,
    filename: str | None = None,
    mapping: Mapping[str, object] | None = None,
    sheet: str | None = None,
    keep_rejections: int = 100,
    on_progress: Callable[[float, int], None] | None = None,
) -> DryRun:
    """Everything an import checks, nothing written: counts and the first rejections."""
    with ctx.uow() as uow:
        c = _campaign(uow, actor, campaign_id, write=True)
    out = DryRun()
    with _open(path, filename or path.name, sheet) as lf:
        sample, rest = _sample(lf, SAMPLE_ROWS)
        resolved = resolve_mapping(lf.header, mapping, [x for _, x in sample])
        out.mapping = resolved.as_json()
        checked = RecordRows(None, c.id, 0)  # only what rejections need
        processor = _processor(c, lf, resolved, checked)
        seen = SeenPhones()  # the whole file: nothing reaches the database
        rows = _prepend(sample, rest)
        while True:
            batch = checked.batch(ctx.now())
            rejected = process_rows_into(processor, islice(rows, BATCH_ROWS), seen, batch.extend)
            if not batch and not rejected:
                break
            read = len(batch) + len(rejected)
            with ctx.uow() as uow:
                repo = ImportRepo(uow.conn)
                batch, blocked = _do_not_call(repo, c, batch)
                there = set(repo.existing(c.id, batch.phones()))
                rejected += blocked + _already_there(repo, c, None, batch, there)
            out.rows_read += read
            out.rows_imported += len(batch) - len(there)
            out.rows_rejected += len(rejected)
            room = keep_rejections - len(out.rejections)
            if room > 0:
                out.rejections += sorted(rejected, key=lambda r: r.row)[:room]
            if on_progress:
                on_progress(lf.progress(), out.rows_read)
        out.notes = lf.all_notes()
    return out


def _prepend(first: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from rest


def get_job(ctx: ServiceContext, actor: Principal | None, job_id: int) -> ImportJob:
    with ctx.uow() as uow:
        job, _ = _job_and_campaign(uow, actor, job_id, write=False)
        return job


def list_jobs(ctx: ServiceContext, actor: Principal | None, campaign_id: int) -> list[ImportJob]:
    with ctx.uow() as uow:
        c = _campaign(uow, actor, campaign_id, write=False)
        return ImportRepo(uow.conn).jobs_of_campaign(c.id)


def error_report(
    ctx: ServiceContext, actor: Principal | None, job_id: int
) -> tuple[ImportJob, Iterator[str]]:
    """The job and its rejected rows as CSV text chunks (row, column, value, reason).

    Access is checked now; the rows are read page by page while the caller sends them."""
    with ctx.uow() as uow:
        job, _ = _job_and_campaign(uow, actor, job_id, write=True)

    def chunks() -> Iterator[str]:
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\r\n")
        buf.write("\ufeff")  # so Excel reads the accents right
        out.writerow(["row", "column", "value", "reason"])
        after = 0
        while True:
            with ctx.uow() as uow:
                page = ImportRepo(uow.conn).rejections(job_id, after, REPORT_PAGE)
            for r in page:
                out.writerow([r.row, r.column or "", _no_formula(r.value or ""), r.reason])
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
            if len(page) < REPORT_PAGE:
                return
            after = page[-1].row

    return job, chunks()


def _no_formula(value: str) -> str:
    """Cells a spreadsheet would run as formulas are quoted (CSV injection); phone numbers
    such as +39 333... stay as they are."""
    if value[:1] in ("=", "@", "\t", "\r") or (
        value[:1] in ("+", "-") and not re.fullmatch(r"[+-][\d\s().\-/]*", value)
    ):
        return "'" + value
    return value


def job_view(job: ImportJob) -> dict[str, Any]:
    return {
        "list_id": job.list_id,
        "campaign_id": job.campaign_id,
        "filename": job.filename,
        "state": job.state.value,
        "percent": job.percent,
        "rows_read": job.rows_read,
        "rows_imported": job.rows_imported,
        "rows_rejected": job.rows_rejected,
        "message": job.message,
    }


def remove_upload(path: Path) -> None:
    path.unlink(missing_ok=True)

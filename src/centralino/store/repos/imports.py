"""Contact lists, import jobs, imported records and rejections (OUT-2).

Records go in by batch. PostgreSQL takes them through COPY (many times faster than
INSERT): straight into `records`, or, when some numbers of the batch are already in the
campaign, into a temporary table and then INSERT ... SELECT ... ON CONFLICT DO NOTHING.
SQLite takes them through the driver's executemany with ON CONFLICT DO NOTHING. Either
way the numbers skipped are returned, so a duplicate, even one added meanwhile by a
concurrent import, is reported, never an error.

The rows themselves (COPY text, or SQLite parameters) are prepared by `RecordRows` from
the contacts of a few hundred rows at a time, column by column, ahead of the transaction,
so an import can build them for the next batch while the last one is being written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from typing import Any

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.dialects import sqlite

from centralino.domain.outbound.outcomes import RecordState
from centralino.imports.pipeline import (
    Contact,
    Contacts,
    ImportJob,
    ImportState,
    JsonObjects,
    Rejection,
)
from centralino.store.repos.dnc import DncRepo
from centralino.store.tables import (
    contact_lists,
    import_jobs,
    import_rejections,
    records,
)

_IN_CHUNK = 2000  # bound parameters per IN (...) query
_ANY_DNC = text(
    "SELECT EXISTS (SELECT 1 FROM dnc_entries WHERE company_id = :company"
    " AND (campaign_id IS NULL OR campaign_id = :campaign))"
)
_RECORD_COLUMNS = (
    "campaign_id, list_id, row_number, phone, phone_raw, name, email, timezone, data,"
    " priority, state, attempts, created_at"
)
_COPY_RECORDS = f"COPY records ({_RECORD_COLUMNS}) FROM STDIN"
# the same columns as records, so the same COPY text serves both
_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS import_stage_records (campaign_id integer,"
    " list_id integer, row_number integer, phone varchar(20), phone_raw varchar(64),"
    " name varchar(200), email varchar(254), timezone varchar(64), data json,"
    " priority integer, state varchar(16), attempts integer, created_at timestamptz)"
)
_COPY_STAGE = f"COPY import_stage_records ({_RECORD_COLUMNS}) FROM STDIN"
_FROM_STAGE = (
    f"INSERT INTO records ({_RECORD_COLUMNS}) SELECT {_RECORD_COLUMNS}"
    " FROM import_stage_records ON CONFLICT (campaign_id, phone) DO NOTHING RETURNING phone"
)
# a batch of an import on PostgreSQL: what can go in one round trip does (psycopg pipeline)
_SAVEPOINT = "import_records"
_ANY_DNC_PG = (
    "SELECT EXISTS (SELECT 1 FROM dnc_entries WHERE company_id = %(company)s"
    " AND (campaign_id IS NULL OR campaign_id = %(campaign)s))"
)
_INSERT_REJECTION_PG = (
    "INSERT INTO import_rejections (job_id, row_number, column_name, value, reason)"
    " VALUES (%s, %s, %s, %s, %s)"
)
_UPDATE_JOB_PG = (
    "UPDATE import_jobs SET state = %(state)s, bytes_done = %(bytes_done)s,"
    " rows_read = %(rows_read)s, rows_imported = %(rows_imported)s,"
    " rows_rejected = %(rows_rejected)s, message = %(message)s, finished_at = %(finished_at)s"
    " WHERE id = %(id)s"
)
# more go by COPY: two round trips more, but far less work per row (executemany in a
# pipeline costs about 0.2 ms a row in Python)
_PIPELINED_REJECTIONS = 10
_INSERT_SQLITE = (
    f"INSERT INTO records ({_RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (campaign_id, phone) DO NOTHING"
)
_COPY_REJECTIONS = (
    "COPY import_rejections (job_id, row_number, column_name, value, reason) FROM STDIN"
)
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str | None) -> str:
    """A value in COPY's text format: NULL as \\N, backslash and line breaks escaped."""
    if value is None:
        return "\\N"
    return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(value) else value


Placed = tuple[int, str, str, str]
"""(row, number, raw number, phone column) of a prepared record: what a rejection needs."""


class PreparedRecords:
    """A batch's records ready for the database, filled a chunk of contacts at a time
    (`extend`) so that no contact outlives its chunk (a batch holds only strings, numbers
    and plain tuples, which the garbage collector need not look at).

    Per record: `placed` (what a rejection needs) and `rows`, its COPY text line
    (PostgreSQL) or parameter tuple (SQLite); none for a dry run."""

    __slots__ = ("_payload", "_rows", "campaign_id", "list_id", "placed", "rows")

    def __init__(
        self, campaign_id: int, list_id: int, rows: Callable[[Contacts], list[Any]] | None
    ) -> None:
        self.campaign_id = campaign_id
        self.list_id = list_id
        self.placed: list[Placed] = []
        self.rows: list[Any] = []
        self._rows = rows
        self._payload: bytes | None = None

    def extend(self, contacts: Contacts) -> None:
        self.placed += zip(
            contacts.row, contacts.phone, contacts.phone_raw, contacts.phone_column, strict=True
        )
        if self._rows is not None:
            self.rows += self._rows(contacts)

    def __len__(self) -> int:
        return len(self.placed)

    def phones(self) -> list[str]:
        return [p[1] for p in self.placed]

    @property
    def payload(self) -> bytes:
        """The COPY text of all the rows, encoded (PostgreSQL)."""
        if self._payload is None:
            self._payload = "".join(self.rows).encode()
        return self._payload

    def only(self, keep: Sequence[int]) -> PreparedRecords:
        """The same with only the records at the indexes `keep` (in order)."""
        if len(keep) == len(self.placed):
            return self
        out = PreparedRecords(self.campaign_id, self.list_id, self._rows)
        out.placed = [self.placed[i] for i in keep]
        out.rows = [self.rows[i] for i in keep] if self.rows else []
        return out


class RecordRows:
    """Turns contacts into the rows of `records` for one list, without a connection:
    COPY text for PostgreSQL, parameter tuples for SQLite; `dialect` None (a dry run)
    keeps only what rejections need. The `data` JSON comes with the contacts, ASCII-only
    for SQLite (`ascii_json`, as SQLAlchemy would write it)."""

    def __init__(self, dialect: str | None, campaign_id: int, list_id: int) -> None:
        self.dialect = dialect
        self.campaign_id = campaign_id
        self.list_id = list_id
        self.ascii_json = dialect != "postgresql"
        self._json = JsonObjects(ensure_ascii=self.ascii_json)

    def batch(self, now: datetime) -> PreparedRecords:
        """An empty batch whose records are created at `now`."""
        if now.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        now = now.astimezone(UTC)
        rows: Callable[[Contacts], list[Any]] | None = None
        if self.dialect == "postgresql":
            rows = self._copy_lines(now)
        elif self.dialect is not None:
            rows = self._sqlite_params(now)
        return PreparedRecords(self.campaign_id, self.list_id, rows)

    def prepare(self, contacts: Iterable[Contact], now: datetime) -> PreparedRecords:
        batch = self.batch(now)
        batch.extend(Contacts.of(contacts, self._json))
        return batch

    def _copy_lines(self, now: datetime) -> Callable[[Contacts], list[str]]:
        head = f"{self.campaign_id}\t{self.list_id}\t"
        tail = f"\t{RecordState.NEW.value}\t0\t{now.isoformat()}\n"
        special = _COPY_SPECIAL.search

        def lines(cs: Contacts) -> list[str]:
            raws: list[str] = cs.phone_raw
            if special("".join(raws)):
                raws = list(map(_copy_text, raws))
            names, emails = _copy_texts(cs.name), _copy_texts(cs.email)
            data = cs.data  # JSON: no tab or line break is left unescaped, only backslashes
            if "\\" in "".join(data):
                data = [d.replace("\\", "\\\\") for d in data]
            return [
                f"{head}{row}\t{phone}\t{raw}\t{name}\t{email}\t{zone}\t{json}\t{priority}{tail}"
                for row, phone, raw, name, email, zone, json, priority in zip(
                    cs.row, cs.phone, raws, names, emails, cs.timezone, data, cs.priority,
                    strict=True,
                )
            ]  # fmt: skip

        return lines

    def _sqlite_params(self, now: datetime) -> Callable[[Contacts], list[tuple[Any, ...]]]:
        dialect = sqlite.dialect()
        process = records.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        created = process(now) if process is not None else now
        campaign, lst, new = self.campaign_id, self.list_id, RecordState.NEW.value

        def params(cs: Contacts) -> list[tuple[Any, ...]]:
            return list(
                zip(
                    repeat(campaign), repeat(lst), cs.row, cs.phone, cs.phone_raw, cs.name,
                    cs.email, cs.timezone, cs.data, cs.priority, repeat(new), repeat(0),
                    repeat(created),
                )
            )  # fmt: skip

        return params


def _copy_texts(values: list[str | None]) -> list[str]:
    """`_copy_text` of each value, without a call for most of them."""
    present = list(filter(None, values))
    if _COPY_SPECIAL.search("".join(present)):
        return list(map(_copy_text, values))
    if len(present) == len(values):
        return present
    return ["\\N" if v is None else v for v in values]


@dataclass(slots=True, frozen=True)
class ExistingRecord:
    list_id: int
    list_name: str
    row_number: int


def _job(r: Any) -> ImportJob:
    return ImportJob(
        id=r.id,
        list_id=r.list_id,
        campaign_id=r.campaign_id,
        created_by=r.created_by,
        filename=r.filename,
        state=ImportState(r.state),
        mapping=r.mapping,
        bytes_total=r.bytes_total,
        bytes_done=r.bytes_done,
        rows_read=r.rows_read,
        rows_imported=r.rows_imported,
        rows_rejected=r.rows_rejected,
        message=r.message,
        created_at=r.created_at,
        finished_at=r.finished_at,
    )


def _job_values(job: ImportJob) -> dict[str, Any]:
    """What `save_job` writes, by column (and the id)."""
    return {
        "id": job.id, "state": job.state.value, "bytes_done": job.bytes_done,
        "rows_read": job.rows_read, "rows_imported": job.rows_imported,
        "rows_rejected": job.rows_rejected,
        "message": job.message[:1000] if job.message else None,
        "finished_at": job.finished_at,
    }  # fmt: skip


def _chunks(items: Sequence[str], size: int = _IN_CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class ImportRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._savepoint = False  # the batch's savepoint for the records' COPY is taken

    # --- lists and jobs ---

    def add_list(
        self, campaign_id: int, name: str, priority: int, columns: list[str], now: datetime
    ) -> int:
        return int(
            self.conn.execute(
                insert(contact_lists)
                .values(
                    campaign_id=campaign_id, name=name, priority=priority, is_active=True,
                    columns=columns, created_at=now,
                )
                .returning(contact_lists.c.id)
            ).scalar_one()
        )  # fmt: skip

    def add_job(self, job: ImportJob) -> int:
        return int(
            self.conn.execute(
                insert(import_jobs)
                .values(
                    list_id=job.list_id, campaign_id=job.campaign_id, created_by=job.created_by,
                    filename=job.filename, state=job.state.value, mapping=job.mapping,
                    bytes_total=job.bytes_total, bytes_done=job.bytes_done,
                    rows_read=job.rows_read, rows_imported=job.rows_imported,
                    rows_rejected=job.rows_rejected, message=job.message,
                    created_at=job.created_at, finished_at=job.finished_at,
                )
                .returning(import_jobs.c.id)
            ).scalar_one()
        )  # fmt: skip

    def get_job(self, job_id: int, for_update: bool = False) -> ImportJob | None:
        q = select(import_jobs).where(import_jobs.c.id == job_id)
        if for_update and self.conn.dialect.name == "postgresql":
            q = q.with_for_update()
        r = self.conn.execute(q).first()
        return _job(r) if r else None

    def jobs_of_campaign(self, campaign_id: int, limit: int = 100) -> list[ImportJob]:
        rows = self.conn.execute(
            select(import_jobs)
            .where(import_jobs.c.campaign_id == campaign_id)
            .order_by(import_jobs.c.id.desc())
            .limit(limit)
        ).all()
        return [_job(r) for r in rows]

    def save_job(self, job: ImportJob) -> None:
        values = _job_values(job)
        del values["id"]
        self.conn.execute(update(import_jobs).where(import_jobs.c.id == job.id).values(values))

    def list_name(self, list_id: int) -> str | None:
        return self.conn.execute(
            select(contact_lists.c.name).where(contact_lists.c.id == list_id)
        ).scalar()

    # --- checks ---

    def existing(self, campaign_id: int, phones: Sequence[str]) -> dict[str, ExistingRecord]:
        """Numbers of `phones` already in the campaign, with the list and row they came from."""
        found: dict[str, ExistingRecord] = {}
        for chunk in _chunks(phones):
            r, cl = records.c, contact_lists.c
            rows = self.conn.execute(
                select(r.phone, r.list_id, r.row_number, cl.name)
                .join(contact_lists, cl.id == r.list_id)
                .where(r.campaign_id == campaign_id, r.phone.in_(chunk))
            ).all()
            for row in rows:
                found[row.phone] = ExistingRecord(row.list_id, row.name, row.row_number)
        return found

    def do_not_call(
        self,
        company_id: int,
        campaign_id: int,
        phones: Sequence[str],
        any_entries: bool | None = None,
    ) -> dict[str, str]:
        """Numbers of `phones` on a do-not-call list: 'company' or 'campaign' scope.

        `any_entries` is what `begin_batch` said (whether there is any number on the
        lists at all); None asks."""
        if not phones:
            return {}
        scope = {"company": company_id, "campaign": campaign_id}
        if any_entries is None:
            any_entries = bool(self.conn.execute(_ANY_DNC, scope).scalar())
        if not any_entries:
            return {}
        return DncRepo(self.conn).listed(company_id, campaign_id, phones)

    # --- a batch of an import ---

    def begin_batch(self, company_id: int, campaign_id: int) -> bool:
        """Open a batch of an import in the connection's transaction: it commits without
        waiting for the disk (`fast_commit`) and, on PostgreSQL, keeps a savepoint for the
        records' COPY. Returns whether the company has any do-not-call number for the
        campaign (pass it to `do_not_call`). One round trip on PostgreSQL."""
        scope = {"company": company_id, "campaign": campaign_id}
        if self.conn.dialect.name != "postgresql":
            return bool(self.conn.execute(_ANY_DNC, scope).scalar())
        raw = self._raw()
        with raw.pipeline():
            raw.execute("SET LOCAL synchronous_commit TO OFF")
            any_dnc = raw.execute(_ANY_DNC_PG, scope)
            raw.execute(f"SAVEPOINT {_SAVEPOINT}")
        self._savepoint = True
        row = any_dnc.fetchone()
        return bool(row and row[0])

    def end_batch(self, job_id: int, rejected: Sequence[Rejection], counters: ImportJob) -> None:
        """Close a batch: its rejections and the job's counters (`counters`, saved as
        `save_job` does), in one round trip on PostgreSQL; the caller commits."""
        if self.conn.dialect.name != "postgresql":
            self.add_rejections(job_id, rejected)
            self.save_job(counters)
            return
        if counters.finished_at is not None and counters.finished_at.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        raw = self._raw()
        rows = [(job_id, r.row, r.column, r.value, r.reason) for r in rejected]
        if len(rows) > _PIPELINED_REJECTIONS:
            self.add_rejections(job_id, rejected)
            rows = []
        with raw.pipeline(), raw.cursor() as cur:
            if self._savepoint:
                cur.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
            if rows:
                cur.executemany(_INSERT_REJECTION_PG, rows)
            cur.execute(_UPDATE_JOB_PG, _job_values(counters))
        self._savepoint = False

    def _raw(self) -> Any:
        raw = self.conn.connection.driver_connection
        assert raw is not None
        return raw

    # --- writes ---

    def add_records(
        self, campaign_id: int, list_id: int, contacts: Sequence[Contact], now: datetime
    ) -> set[str]:
        """Insert the contacts, skipping numbers already in the campaign; returns those
        skipped (the caller asks `existing` where they came from)."""
        rows = RecordRows(self.conn.dialect.name, campaign_id, list_id)
        return self.add_prepared(rows.prepare(contacts, now))

    def add_prepared(self, prepared: PreparedRecords) -> set[str]:
        """`add_records` for rows prepared beforehand by `RecordRows` (same dialect)."""
        if not prepared:
            return set()
        assert len(prepared.rows) == len(prepared), "rows prepared for a dry run"
        if self.conn.dialect.name == "postgresql":
            import psycopg

            assert isinstance(prepared.rows[0], str), "rows prepared for another database"
            # a new list usually has no number already in the campaign: COPY straight in
            if self._savepoint:  # taken by begin_batch, in the same round trip as others
                try:
                    self._copy_in(_COPY_RECORDS, prepared.payload)
                    return set()
                except psycopg.errors.UniqueViolation:
                    self._raw().execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                    return self._copy_staged(prepared)
            try:
                with self.conn.begin_nested():
                    self._copy_in(_COPY_RECORDS, prepared.payload)
                return set()
            except psycopg.errors.UniqueViolation:
                return self._copy_staged(prepared)
        return self._insert(prepared)

    def fast_commit(self) -> None:
        """Batches of an import need not wait for the disk: a crash loses whole batches
        together with the job's counters, never one without the other."""
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(text("SET LOCAL synchronous_commit TO OFF"))

    def _copy_in(self, statement: str, payload: bytes) -> None:
        raw = self.conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur, cur.copy(statement) as copy:
            copy.write(payload)

    def _copy_staged(self, prepared: PreparedRecords) -> set[str]:
        """COPY into a temporary table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING
        (when some numbers are already in the campaign)."""
        raw = self._raw()
        with raw.cursor() as cur:
            cur.execute(_STAGE)
            with cur.copy(_COPY_STAGE) as copy:
                copy.write(prepared.payload)
            cur.execute(_FROM_STAGE)
            inserted = {r[0] for r in cur.fetchall()}
            cur.execute("TRUNCATE import_stage_records")
        return set(prepared.phones()) - inserted

    def _insert(self, prepared: PreparedRecords) -> set[str]:
        """The driver's executemany; only when fewer rows went in than were given (some
        numbers already in the campaign) are the skipped ones looked for. The
        transaction holds SQLite's write lock, so no one adds a number meanwhile."""
        raw = self.conn.connection.driver_connection
        assert raw is not None
        cur = raw.cursor()
        try:
            cur.executemany(_INSERT_SQLITE, prepared.rows)
            added = cur.rowcount
        finally:
            cur.close()
        if added == len(prepared):
            return set()
        # ours are those with this list and row; any other record of the number came first
        ours = {(phone, row) for row, phone, _, _ in prepared.placed}
        skipped: set[str] = set()
        r = records.c
        for chunk in _chunks(prepared.phones()):
            found = self.conn.execute(
                select(r.phone, r.list_id, r.row_number).where(
                    r.campaign_id == prepared.campaign_id, r.phone.in_(chunk)
                )
            ).all()
            skipped.update(
                x.phone
                for x in found
                if x.list_id != prepared.list_id or (x.phone, x.row_number) not in ours
            )
        return skipped

    def add_rejections(self, job_id: int, rejected: Iterable[Rejection]) -> None:
        rows = [(job_id, r.row, r.column, r.value, r.reason) for r in rejected]
        if not rows:
            return
        if self.conn.dialect.name == "postgresql":
            raw = self.conn.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cur, cur.copy(_COPY_REJECTIONS) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        self.conn.execute(
            insert(import_rejections),
            [
                {"job_id": j, "row_number": n, "column_name": c, "value": v, "reason": why}
                for j, n, c, v, why in rows
            ],
        )

    def rejections(self, job_id: int, after_row: int, limit: int) -> list[Rejection]:
        """A page of the error report, in file order (keyset on row, then id)."""
        rows = self.conn.execute(
            select(import_rejections)
            .where(import_rejections.c.job_id == job_id, import_rejections.c.row_number > after_row)
            .order_by(import_rejections.c.row_number, import_rejections.c.id)
            .limit(limit)
        ).all()
        return [Rejection(r.row_number, r.column_name, r.value, r.reason) for r in rows]

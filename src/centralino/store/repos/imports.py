"""Contact lists, import jobs, imported records and rejections (OUT-2).

Records go in by batch. PostgreSQL takes them through COPY (many times faster than
INSERT): straight into `records`, or, when some numbers of the batch are already in the
campaign, into a temporary table and then INSERT ... SELECT ... ON CONFLICT DO NOTHING.
SQLite takes them through the driver's executemany with ON CONFLICT DO NOTHING. Either
way the numbers skipped are returned, so a duplicate, even one added meanwhile by a
concurrent import, is reported, never an error.

The rows themselves (COPY text, or SQLite parameters, with the `data` JSON) are prepared
by `RecordRows` ahead of the transaction, so an import can build them for the next batch
while the last one is being written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

from sqlalchemy import Connection, insert, or_, select, text, update
from sqlalchemy.dialects import sqlite

from centralino.domain.outbound.outcomes import RecordState
from centralino.imports.pipeline import Contact, ImportJob, ImportState, Rejection
from centralino.store.tables import (
    contact_lists,
    dnc_entries,
    import_jobs,
    import_rejections,
    records,
)

_IN_CHUNK = 2000  # bound parameters per IN (...) query
_ANY_DNC = text(
    "SELECT EXISTS (SELECT 1 FROM dnc_entries WHERE company_id = :company"
    " AND (campaign_id IS NULL OR campaign_id = :campaign))"
)
_DNC_PROBE = text(
    "SELECT p.phone, d.campaign_id FROM unnest(string_to_array(:phones, ',')) AS p(phone)"
    " CROSS JOIN LATERAL (SELECT campaign_id FROM dnc_entries"
    " WHERE company_id = :company AND phone = p.phone"
    " AND (campaign_id IS NULL OR campaign_id = :campaign)"
    " ORDER BY campaign_id NULLS FIRST LIMIT 1) AS d"
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
    " name varchar(200), email varchar(254), timezone varchar(64), data jsonb,"
    " priority integer, state varchar(16), attempts integer, created_at timestamptz)"
)
_COPY_STAGE = f"COPY import_stage_records ({_RECORD_COLUMNS}) FROM STDIN"
_FROM_STAGE = (
    f"INSERT INTO records ({_RECORD_COLUMNS}) SELECT {_RECORD_COLUMNS}"
    " FROM import_stage_records ON CONFLICT (campaign_id, phone) DO NOTHING RETURNING phone"
)
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


class JsonObjects:
    """`json.dumps` of {str: str} dicts with the key texts computed once: the same text
    (default separators), for a fraction of the time."""

    def __init__(self, ensure_ascii: bool) -> None:
        self._encode = encode_basestring_ascii if ensure_ascii else encode_basestring
        self._keys: dict[str, str] = {}

    def dumps(self, data: dict[str, str]) -> str:
        if not data:
            return "{}"
        keys, encode = self._keys, self._encode
        try:
            return "{" + ", ".join([keys[k] + encode(v) for k, v in data.items()]) + "}"
        except KeyError:
            for k in data:
                if k not in keys:
                    keys[k] = encode(k) + ": "
            return self.dumps(data)


@dataclass(slots=True)
class PreparedRecords:
    """A batch's contacts with their rows for the database, in the same order."""

    campaign_id: int
    list_id: int
    contacts: list[Contact]
    rows: list[Any]
    """COPY text lines (PostgreSQL) or parameter tuples (SQLite)."""
    payload: bytes | None = None
    """The COPY text of all the rows, encoded (PostgreSQL)."""

    def only(self, keep: Sequence[Contact]) -> PreparedRecords:
        """The same without the contacts left out of `keep` (which keeps their order)."""
        if len(keep) == len(self.contacts):
            return self
        wanted = {id(c) for c in keep}
        pairs = [(c, r) for c, r in zip(self.contacts, self.rows, strict=True) if id(c) in wanted]
        rows = [r for _, r in pairs]
        payload = "".join(rows).encode() if self.payload is not None else None
        return PreparedRecords(self.campaign_id, self.list_id, [c for c, _ in pairs], rows, payload)


class RecordRows:
    """Turns contacts into the rows of `records` for one list, without a connection:
    COPY text for PostgreSQL, parameter tuples for SQLite (JSON text as SQLAlchemy
    would write it)."""

    def __init__(self, dialect: str, campaign_id: int, list_id: int) -> None:
        self.dialect = dialect
        self.campaign_id = campaign_id
        self.list_id = list_id
        self._json = JsonObjects(ensure_ascii=dialect != "postgresql")

    def prepare(self, contacts: list[Contact], now: datetime) -> PreparedRecords:
        if now.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        now = now.astimezone(UTC)
        if self.dialect == "postgresql":
            lines = self._copy_lines(contacts, now)
            payload = "".join(lines).encode()
            return PreparedRecords(self.campaign_id, self.list_id, contacts, lines, payload)
        params = self._sqlite_params(contacts, now)
        return PreparedRecords(self.campaign_id, self.list_id, contacts, params)

    def _copy_lines(self, contacts: list[Contact], now: datetime) -> list[str]:
        head = f"{self.campaign_id}\t{self.list_id}\t"
        tail = f"\t{RecordState.NEW.value}\t0\t{now.isoformat()}\n"
        dumps, special, text = self._json.dumps, _COPY_SPECIAL.search, _copy_text
        lines = []
        for c in contacts:
            raw, name, email = c.phone_raw, c.name, c.email
            if special(f"{raw}{name}{email}"):
                raw, name, email = text(raw), text(name), text(email)
            else:
                name = "\\N" if name is None else name
                email = "\\N" if email is None else email
            data = dumps(c.data)
            if "\\" in data:
                data = data.replace("\\", "\\\\")
            lines.append(
                f"{head}{c.row}\t{c.phone}\t{raw}\t{name}\t{email}\t{c.timezone}\t{data}"
                f"\t{c.priority}{tail}"
            )
        return lines

    def _sqlite_params(self, contacts: list[Contact], now: datetime) -> list[Any]:
        dialect = sqlite.dialect()
        process = records.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        created = process(now) if process is not None else now
        campaign, lst, new, dumps = (
            self.campaign_id,
            self.list_id,
            RecordState.NEW.value,
            self._json.dumps,
        )
        return [
            (
                campaign, lst, c.row, c.phone, c.phone_raw, c.name, c.email, c.timezone,
                dumps(c.data), c.priority, new, 0, created,
            )
            for c in contacts
        ]  # fmt: skip


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


def _chunks(items: Sequence[str], size: int = _IN_CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class ImportRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

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
        self.conn.execute(
            update(import_jobs)
            .where(import_jobs.c.id == job.id)
            .values(
                state=job.state.value, bytes_done=job.bytes_done, rows_read=job.rows_read,
                rows_imported=job.rows_imported, rows_rejected=job.rows_rejected,
                message=job.message[:1000] if job.message else None,
                finished_at=job.finished_at,
            )
        )  # fmt: skip

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
        self, company_id: int, campaign_id: int, phones: Sequence[str]
    ) -> dict[str, str]:
        """Numbers of `phones` on a do-not-call list: 'company' or 'campaign' scope."""
        if not phones:
            return {}
        scope = {"company": company_id, "campaign": campaign_id}
        if not self.conn.execute(_ANY_DNC, scope).scalar():
            return {}
        if self.conn.dialect.name == "postgresql":
            # one index probe per number, whatever the planner thinks of the table's size;
            # the numbers travel as one string (E.164 has no commas), cheaper than an array
            rows = self.conn.execute(_DNC_PROBE, {"phones": ",".join(phones), **scope}).all()
            return {r.phone: "company" if r.campaign_id is None else "campaign" for r in rows}
        found: dict[str, str] = {}
        for chunk in _chunks(phones):
            rows = self.conn.execute(
                select(dnc_entries.c.phone, dnc_entries.c.campaign_id).where(
                    dnc_entries.c.company_id == company_id,
                    or_(
                        dnc_entries.c.campaign_id.is_(None),
                        dnc_entries.c.campaign_id == campaign_id,
                    ),
                    dnc_entries.c.phone.in_(chunk),
                )
            ).all()
            for r in rows:
                if found.get(r.phone) != "company":
                    found[r.phone] = "company" if r.campaign_id is None else "campaign"
        return found

    # --- writes ---

    def add_records(
        self, campaign_id: int, list_id: int, contacts: Sequence[Contact], now: datetime
    ) -> set[str]:
        """Insert the contacts, skipping numbers already in the campaign; returns those
        skipped (the caller asks `existing` where they came from)."""
        rows = RecordRows(self.conn.dialect.name, campaign_id, list_id)
        return self.add_prepared(rows.prepare(list(contacts), now))

    def add_prepared(self, prepared: PreparedRecords) -> set[str]:
        """`add_records` for rows prepared beforehand by `RecordRows` (same dialect)."""
        if not prepared.contacts:
            return set()
        if self.conn.dialect.name == "postgresql":
            import psycopg

            assert prepared.payload is not None, "rows prepared for another database"
            try:  # a new list usually has no number already in the campaign: COPY straight in
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
        raw = self.conn.connection.driver_connection
        assert raw is not None and prepared.payload is not None
        with raw.cursor() as cur:
            cur.execute(_STAGE)
            with cur.copy(_COPY_STAGE) as copy:
                copy.write(prepared.payload)
            cur.execute(_FROM_STAGE)
            inserted = {r[0] for r in cur.fetchall()}
            cur.execute("TRUNCATE import_stage_records")
        return {c.phone for c in prepared.contacts} - inserted

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
        if added == len(prepared.contacts):
            return set()
        # ours are those with this list and row; any other record of the number came first
        ours = {(c.phone, c.row) for c in prepared.contacts}
        skipped: set[str] = set()
        r = records.c
        for chunk in _chunks([c.phone for c in prepared.contacts]):
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

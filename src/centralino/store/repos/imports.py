"""Contact lists, import jobs, imported records and rejections (OUT-2).

Records go in by batch. PostgreSQL takes them through COPY (many times faster than
INSERT): straight into `records`, or, when some numbers of the batch are already in the
campaign, into a temporary table and then INSERT ... SELECT ... ON CONFLICT DO NOTHING.
SQLite takes multi-row INSERTs with ON CONFLICT DO NOTHING. Either way the numbers
skipped are returned, so a duplicate, even one added meanwhile by a concurrent import,
is reported, never an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
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
_STAGE_COLUMNS = (
    "row_number", "phone", "phone_raw", "name", "email", "timezone", "data", "priority",
)  # fmt: skip
_COPY_RECORDS = (
    "COPY records (campaign_id, list_id, row_number, phone, phone_raw, name, email, timezone,"
    " data, priority, state, attempts, created_at) FROM STDIN"
)
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
_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS import_stage (row_number integer, phone varchar(20),"
    " phone_raw varchar(64), name varchar(200), email varchar(254), timezone varchar(64),"
    " data jsonb, priority integer)"
)


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
        if not contacts:
            return set()
        if self.conn.dialect.name == "postgresql":
            import psycopg

            try:  # a new list usually has no number already in the campaign: COPY straight in
                with self.conn.begin_nested():
                    self._copy_direct(campaign_id, list_id, contacts, now)
                return set()
            except psycopg.errors.UniqueViolation:
                return self._copy(campaign_id, list_id, contacts, now)
        return self._insert(campaign_id, list_id, contacts, now)

    def fast_commit(self) -> None:
        """Batches of an import need not wait for the disk: a crash loses whole batches
        together with the job's counters, never one without the other."""
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(text("SET LOCAL synchronous_commit TO OFF"))

    def _copy_direct(
        self, campaign_id: int, list_id: int, contacts: Sequence[Contact], now: datetime
    ) -> None:
        raw = self.conn.connection.driver_connection
        assert raw is not None
        new, dumps = RecordState.NEW.value, json.dumps
        with raw.cursor() as cur, cur.copy(_COPY_RECORDS) as copy:
            write = copy.write_row
            for c in contacts:
                write((
                    campaign_id, list_id, c.row, c.phone, c.phone_raw, c.name, c.email,
                    c.timezone, dumps(c.data, ensure_ascii=False), c.priority, new, 0, now,
                ))  # fmt: skip

    def _copy(
        self, campaign_id: int, list_id: int, contacts: Sequence[Contact], now: datetime
    ) -> set[str]:
        """COPY into a temporary table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING
        (when some numbers are already in the campaign)."""
        raw = self.conn.connection.driver_connection
        assert raw is not None
        dumps = json.dumps
        with raw.cursor() as cur:
            cur.execute(_STAGE)
            with cur.copy(f"COPY import_stage ({', '.join(_STAGE_COLUMNS)}) FROM STDIN") as copy:
                write = copy.write_row
                for c in contacts:
                    write((
                        c.row, c.phone, c.phone_raw, c.name, c.email, c.timezone,
                        dumps(c.data, ensure_ascii=False), c.priority,
                    ))  # fmt: skip
            cur.execute(
                "INSERT INTO records (campaign_id, list_id, row_number, phone, phone_raw, name,"
                " email, timezone, data, priority, state, attempts, created_at)"
                " SELECT %(campaign)s, %(list)s, row_number, phone, phone_raw, name, email,"
                " timezone, data, priority, %(state)s, 0, %(now)s FROM import_stage"
                " ON CONFLICT (campaign_id, phone) DO NOTHING RETURNING phone",
                {"campaign": campaign_id, "list": list_id, "state": RecordState.NEW.value,
                 "now": now},
            )  # fmt: skip
            inserted = {r[0] for r in cur.fetchall()}
            cur.execute("TRUNCATE import_stage")
        return {c.phone for c in contacts} - inserted

    def _insert(
        self, campaign_id: int, list_id: int, contacts: Sequence[Contact], now: datetime
    ) -> set[str]:
        stmt = (
            sqlite.insert(records)
            .on_conflict_do_nothing(index_elements=["campaign_id", "phone"])
            .returning(records.c.phone)
        )
        new = RecordState.NEW.value
        params = [
            {
                "campaign_id": campaign_id, "list_id": list_id, "row_number": c.row,
                "phone": c.phone, "phone_raw": c.phone_raw, "name": c.name, "email": c.email,
                "timezone": c.timezone, "data": c.data, "priority": c.priority, "state": new,
                "attempts": 0, "created_at": now,
            }
            for c in contacts
        ]  # fmt: skip
        inserted = {r.phone for r in self.conn.execute(stmt, params)}
        return {c.phone for c in contacts} - inserted

    def add_rejections(self, job_id: int, rejected: Iterable[Rejection]) -> None:
        params = [
            {
                "job_id": job_id,
                "row_number": r.row,
                "column_name": r.column,
                "value": r.value,
                "reason": r.reason,
            }
            for r in rejected
        ]
        if params:
            self.conn.execute(insert(import_rejections), params)

    def rejections(self, job_id: int, after_row: int, limit: int) -> list[Rejection]:
        """A page of the error report, in file order (keyset on row, then id)."""
        rows = self.conn.execute(
            select(import_rejections)
            .where(import_rejections.c.job_id == job_id, import_rejections.c.row_number > after_row)
            .order_by(import_rejections.c.row_number, import_rejections.c.id)
            .limit(limit)
        ).all()
        return [Rejection(r.row_number, r.column_name, r.value, r.reason) for r in rows]

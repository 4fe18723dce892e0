"""From a row of cells to a contact or a rejection with its reason: no I/O.

Every row read becomes exactly one of the two, which is what lets the job promise
imported + rejected = rows read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import islice
from typing import TypeVar
from zoneinfo import available_timezones

from centralino.domain.errors import IllegalTransition
from centralino.imports.mapping import ColumnMapping, Role
from centralino.imports.phones import PhoneError, PhoneNormalizer
from centralino.imports.readers import Cell, Row, cell_text

BATCH_ROWS = 20000  # rows per transaction of an import
FIRST_BATCH_ROWS = 2500  # the first batch: small, so writing starts early
DEFAULT_PRIORITY = 5
MAX_PRIORITY = 100
MAX_NAME = 200
MAX_EMAIL = 254
MAX_RAW_PHONE = 64
MAX_VALUE = 500  # of a value in the error report
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?00)?$", re.IGNORECASE)
_ZONES = {z.casefold(): z for z in available_timezones()}
T = TypeVar("T")


class ImportState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


_MOVES: dict[ImportState, frozenset[ImportState]] = {
    ImportState.QUEUED: frozenset({ImportState.RUNNING, ImportState.FAILED}),
    ImportState.RUNNING: frozenset({ImportState.DONE, ImportState.FAILED}),
    ImportState.DONE: frozenset(),
    ImportState.FAILED: frozenset(),
}


def check_transition(current: ImportState, target: ImportState) -> None:
    if target not in _MOVES[current]:
        raise IllegalTransition(
            f"an import job cannot go from {current.value} to {target.value}", field="state"
        )


@dataclass(slots=True)
class ImportJob:
    id: int
    list_id: int
    campaign_id: int
    created_by: int | None
    filename: str
    state: ImportState
    mapping: dict[str, object]
    bytes_total: int
    bytes_done: int
    rows_read: int
    rows_imported: int
    rows_rejected: int
    message: str | None
    created_at: datetime
    finished_at: datetime | None

    @property
    def percent(self) -> int:
        """How far the job is: 100 only once it has finished."""
        if self.state in (ImportState.DONE, ImportState.FAILED):
            return 100
        if self.bytes_total <= 0:
            return 0
        return min(99, int(100 * self.bytes_done / self.bytes_total))

    def move_to(self, target: ImportState) -> None:
        check_transition(self.state, target)
        self.state = target


@dataclass(slots=True)
class Contact:
    row: int
    phone: str
    phone_raw: str
    name: str | None
    email: str | None
    timezone: str
    priority: int
    data: dict[str, str] = field(default_factory=dict)
    phone_column: str = ""


@dataclass(slots=True, frozen=True)
class Rejection:
    row: int
    column: str | None
    value: str | None
    reason: str


def rejection(row: int, column: str | None, value: str | None, reason: str) -> Rejection:
    if value is not None and len(value) > MAX_VALUE:
        value = value[: MAX_VALUE - 1] + "…"
    return Rejection(row, column[:200] if column else column, value, reason[:300])


def timezone_from_text(text: str) -> str | None:
    """An IANA zone from a cell: 'europe/rome', 'Europe/Rome', 'UTC+1', '+01:00'."""
    found = _ZONES.get(text.strip().casefold())
    if found:
        return found
    m = _OFFSET.match(text.strip())
    if m:
        hours = int(m.group(2))
        if hours == 0:
            return "Etc/UTC"
        if hours <= 14:
            sign = "-" if m.group(1) == "+" else "+"  # Etc/GMT signs are inverted
            return f"Etc/GMT{sign}{hours}"
    return None


class RowProcessor:
    """Turns rows into contacts for one campaign: its default region, zone and priority.

    `text_cells` says every cell is a str (a CSV file), which lets the hot loop skip the
    per-cell type checks."""

    def __init__(
        self,
        mapping: ColumnMapping,
        phones: PhoneNormalizer,
        default_timezone: str,
        default_priority: int = DEFAULT_PRIORITY,
        extra_name: Callable[[int], str] | None = None,
        text_cells: bool = False,
    ) -> None:
        self.mapping = mapping
        self.headers = mapping.headers
        self.phones = phones
        self.default_timezone = default_timezone
        self.default_priority = default_priority
        self.text_cells = text_cells
        self._extra_name = extra_name or (lambda i: f"column {i + 1}")
        get = mapping.get
        self._name, self._first = get(Role.NAME), get(Role.FIRST_NAME)
        self._last = get(Role.LAST_NAME)
        self._company, self._email = get(Role.COMPANY), get(Role.EMAIL)
        self._tz, self._priority = get(Role.TIMEZONE), get(Role.PRIORITY)
        # columns whose value lands in a field of its own instead of the record's data
        self._own_field = frozenset(
            i for i in (self._name, self._email, self._tz, self._priority) if i is not None
        )
        # per phone column used: the (index, key) of the columns kept in the record's data
        self._plans = {
            used: tuple(
                (i, h) for i, h in enumerate(self.headers) if i != used and i not in self._own_field
            )
            for used in mapping.phones
        }
        self._zone_choice: dict[tuple[str, ...], str] = {}

    def process(self, row: int, cells: list[Cell]) -> Contact | Rejection:
        if not cells:
            return rejection(row, None, None, "empty row")
        n = len(cells)
        phone = None
        used = -1
        failure: Rejection | None = None
        normalise = self.phones.normalise
        for i in self.mapping.phones:
            value = cells[i] if i < n else None
            if value is None or value == "":
                continue
            try:
                phone = normalise(value)
            except PhoneError as exc:
                if failure is None:
                    failure = rejection(row, self.headers[i], cell_text(value), exc.reason)
                continue
            used = i
            break
        if phone is None:
            if all(cell_text(c) == "" for c in cells):
                return rejection(row, None, None, "empty row")
            if failure is not None:
                return failure
            first = self.mapping.phones[0]
            return rejection(row, self.headers[first], "", "no phone number")

        headers, known = self.headers, len(self.headers)
        plan = self._plans[used]
        data: dict[str, str]
        text_row = self.text_cells and n >= known  # the usual CSV row: no calls, no checks
        if text_row:
            data = {key: text for i, key in plan if (text := cells[i].strip())}  # type: ignore[union-attr]
        else:
            data = {}
            for i, key in plan:
                if i >= n:
                    break
                value = cells[i]
                text = value.strip() if isinstance(value, str) else cell_text(value)
                if text:
                    data[key] = text
        if n > known:  # values past the header: columns with no name
            for i in range(known, n):
                value = cells[i]
                text = value.strip() if isinstance(value, str) else cell_text(value)
                if text:
                    data[self._extra_name(i)] = text
        if phone.extension:
            data["extension" if "extension" not in data else "phone extension"] = phone.extension

        timezone = self.default_timezone
        zones = phone.zones
        if zones:
            timezone = self._zone_choice.get(zones) or self._choose_zone(zones)
        if self._tz is not None and self._tz < n:
            text = cell_text(cells[self._tz])
            if text:
                zone = timezone_from_text(text)
                if zone is None:
                    return rejection(
                        row, headers[self._tz], text,
                        "unknown time zone: use a name such as Europe/Rome or an offset "
                        "such as UTC+1",
                    )  # fmt: skip
                timezone = zone

        priority = self.default_priority
        if self._priority is not None and self._priority < n:
            raw = cells[self._priority]
            text = cell_text(raw)
            if text:
                try:
                    priority = int(float(raw)) if isinstance(raw, float) else int(text)
                except ValueError:
                    priority = -1
                if not 0 <= priority <= MAX_PRIORITY or (
                    isinstance(raw, float) and not raw.is_integer()
                ):
                    return rejection(
                        row, headers[self._priority], text,
                        f"priority must be a whole number from 0 to {MAX_PRIORITY}",
                    )  # fmt: skip

        if text_row:
            texts: list[str] = cells  # type: ignore[assignment]
            name = texts[self._name].strip() if self._name is not None else ""
            if not name:
                first_name = texts[self._first].strip() if self._first is not None else ""
                last_name = texts[self._last].strip() if self._last is not None else ""
                name = (
                    f"{first_name} {last_name}"
                    if first_name and last_name
                    else first_name or last_name
                )
            if not name and self._company is not None:
                name = texts[self._company].strip()
            email_text = texts[self._email].strip() if self._email is not None else ""
        else:
            name = self._text(cells, self._name)
            if not name:
                first_name = self._text(cells, self._first)
                last_name = self._text(cells, self._last)
                name = (
                    f"{first_name} {last_name}"
                    if first_name and last_name
                    else first_name or last_name
                )
            if not name:
                name = self._text(cells, self._company)
            email_text = self._text(cells, self._email)
        if name and len(name) > MAX_NAME:
            if self._name is not None:
                data[headers[self._name]] = name  # the whole name stays visible
            name = name[: MAX_NAME - 1] + "…"

        email = email_text or None
        if email and (len(email) > MAX_EMAIL or not _EMAIL.match(email)):
            assert self._email is not None
            data[headers[self._email]] = email  # kept for the operator, not as an address
            email = None

        value = cells[used]
        raw_phone = value.strip() if isinstance(value, str) else cell_text(value)
        return Contact(
            row, phone.e164, raw_phone[:MAX_RAW_PHONE], name or None, email, timezone, priority,
            data, headers[used],
        )  # fmt: skip

    def _choose_zone(self, zones: tuple[str, ...]) -> str:
        """The campaign's zone when the number's prefix allows it, else the prefix's first."""
        chosen = self.default_timezone if self.default_timezone in zones else zones[0]
        self._zone_choice[zones] = chosen
        return chosen

    @staticmethod
    def _text(cells: list[Cell], i: int | None) -> str:
        if i is None or i >= len(cells):
            return ""
        value = cells[i]
        return value.strip() if isinstance(value, str) else cell_text(value)


class SeenPhones:
    """Numbers already met in the file, with the row of their first appearance; keys are
    integers, so a million numbers take about 100 MB."""

    def __init__(self) -> None:
        self._rows: dict[int, int] = {}

    def first_row(self, phone: str) -> int | None:
        return self._rows.get(int(phone[1:]))

    def add(self, phone: str, row: int) -> None:
        self._rows.setdefault(int(phone[1:]), row)

    def claim(self, phone: str, row: int) -> int | None:
        """The row the number was first met in, or None (and `row` is now its first)."""
        first = self._rows.setdefault(int(phone[1:]), row)
        return None if first == row else first

    def clear(self) -> None:
        self._rows.clear()

    def __len__(self) -> int:
        return len(self._rows)


def process_rows(
    processor: RowProcessor, rows: Iterable[Row], seen: SeenPhones
) -> tuple[list[Contact], list[Rejection]]:
    """Contacts and rejections of a batch; a number met before in the file is rejected."""
    contacts: list[Contact] = []
    rejected = process_rows_into(processor, rows, seen, contacts.append)
    return contacts, rejected


def process_rows_into(
    processor: RowProcessor,
    rows: Iterable[Row],
    seen: SeenPhones,
    keep: Callable[[Contact], object],
) -> list[Rejection]:
    """`process_rows` handing each contact to `keep` as soon as it is made (so it need not
    outlive its row); returns the rejections."""
    rejected: list[Rejection] = []
    process, claim, refuse = processor.process, seen.claim, rejected.append
    for num, cells in rows:
        result = process(num, cells)
        if isinstance(result, Rejection):
            refuse(result)
            continue
        first = claim(result.phone, num)
        if first is not None:
            reason = f"same number as row {first} of this file"
            refuse(rejection(num, result.phone_column, result.phone_raw, reason))
            continue
        keep(result)
    return rejected


def batches(rows: Iterable[T], size: int = BATCH_ROWS) -> Iterator[list[T]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk

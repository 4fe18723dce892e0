"""From a row of cells to a contact or a rejection with its reason: no I/O.

Every row read becomes exactly one of the two, which is what lets the job promise
imported + rejected = rows read. `RowProcessor.process` says how, one row at a time; an
import takes rows a chunk at a time (`process_rows_into`), and the usual rows of a CSV
file are checked column by column there, to the same results.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import compress, islice, repeat
from json.encoder import encode_basestring, encode_basestring_ascii
from operator import attrgetter, itemgetter
from typing import Any, TypeVar
from zoneinfo import available_timezones

from phonenumbers.tzdata import TIMEZONE_LONGEST_PREFIX

from centralino.domain.errors import IllegalTransition
from centralino.imports.mapping import ColumnMapping, Role
from centralino.imports.phones import PhoneError, PhoneNormalizer, zones_for
from centralino.imports.readers import Cell, Row, cell_text

BATCH_ROWS = 20000  # rows per transaction of an import
FIRST_BATCH_ROWS = 2500  # the first batch: small, so writing starts early
# rows checked together, column by column: a few hundred rows alive at once keep the
# garbage collector from scanning them again and again
CHUNK_ROWS = 500
_CACHE_LIMIT = 50_000
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


class JsonObjects:
    """`json.dumps` of {str: str} dicts with the key texts computed once: the same text
    (default separators), for a fraction of the time."""

    def __init__(self, ensure_ascii: bool) -> None:
        self.encode = encode_basestring_ascii if ensure_ascii else encode_basestring
        self._keys: dict[str, str] = {}

    def key(self, k: str) -> str:
        """The text a key and its colon take."""
        found = self._keys.get(k)
        if found is None:
            found = self._keys[k] = self.encode(k) + ": "
        return found

    def dumps(self, data: dict[str, str]) -> str:
        if not data:
            return "{}"
        keys, encode = self._keys, self.encode
        try:
            return "{" + ", ".join([keys[k] + encode(v) for k, v in data.items()]) + "}"
        except KeyError:
            for k in data:
                self.key(k)
            return self.dumps(data)


@dataclass(slots=True)
class Contacts:
    """Contacts of consecutive rows, column by column and in file order; `data` holds
    the JSON text of each one's other columns. What a batch of records is made of."""

    row: list[int] = field(default_factory=list)
    phone: list[str] = field(default_factory=list)
    phone_raw: list[str] = field(default_factory=list)
    name: list[str | None] = field(default_factory=list)
    email: list[str | None] = field(default_factory=list)
    timezone: list[str] = field(default_factory=list)
    priority: list[int] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    phone_column: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, contacts: Iterable[Contact], json: JsonObjects) -> Contacts:
        out = cls()
        for c in contacts:
            out.add(c, json.dumps(c.data))
        return out

    def add(self, c: Contact, data: str) -> None:
        self.row.append(c.row)
        self.phone.append(c.phone)
        self.phone_raw.append(c.phone_raw)
        self.name.append(c.name)
        self.email.append(c.email)
        self.timezone.append(c.timezone)
        self.priority.append(c.priority)
        self.data.append(data)
        self.phone_column.append(c.phone_column)

    def extend(self, other: Contacts) -> None:
        for column, more in zip(self._columns(), other._columns(), strict=True):
            column.extend(more)

    def without(self, drop: Sequence[int]) -> Contacts:
        """The same without the contacts at the indexes `drop`."""
        if not drop:
            return self
        keep = [True] * len(self.row)
        for i in drop:
            keep[i] = False
        return Contacts(*(list(compress(column, keep)) for column in self._columns()))

    def _columns(self) -> tuple[list[Any], ...]:
        return (
            self.row, self.phone, self.phone_raw, self.name, self.email, self.timezone,
            self.priority, self.data, self.phone_column,
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.row)


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
        ascii_json: bool = False,
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
        self.json = JsonObjects(ensure_ascii=ascii_json)
        # a CSV file's rows, whose column names are all different (as a list's are)
        self._by_column = text_cells and len(set(self.headers)) == len(self.headers)
        # the fast path's caches: zone by the number's first digits, zone and priority
        # by the text of their cells (None: that text is refused)
        self._zone_of_prefix: dict[str, str] = {}
        self._zone_of_text: dict[str, str | None] = {}
        self._priority_of_text: dict[str, int | None] = {}

    def process_chunk(self, rows: Sequence[Row]) -> tuple[Contacts, list[Rejection]]:
        """`process` of consecutive rows, the same results in file order (contacts as
        columns): the usual rows of a CSV file column by column, the others one by one."""
        if not self._by_column:
            return self._one_by_one(rows)
        known = len(self.headers)
        cells = [c for _, c in rows]
        usual: Sequence[Row] = rows
        if not all(map(known.__eq__, map(len, cells))):
            usual = [r for r in rows if len(r[1]) == known]
            cells = [c for _, c in usual]
        if not usual:
            return self._one_by_one(rows)
        found, ok = self._columns(cells, [n for n, _ in usual])
        if all(ok) and len(usual) == len(rows):
            return found, []
        # the rest one by one; then the contacts in file order again
        slow = [r for r, fast in zip(usual, ok, strict=True) if not fast]
        if len(usual) < len(rows):
            taken = {n for n, _ in usual}
            slow += [r for r in rows if r[0] not in taken]
            slow.sort(key=itemgetter(0))
        others, rejected = self._one_by_one(slow)
        if not all(ok):
            found = found.without([i for i, fast in enumerate(ok) if not fast])
        if others:
            found = _merged(found, others)
        return found, rejected

    def _one_by_one(self, rows: Iterable[Row]) -> tuple[Contacts, list[Rejection]]:
        out, rejected, dumps = Contacts(), [], self.json.dumps
        for num, cells in rows:
            result = self.process(num, cells)
            if isinstance(result, Rejection):
                rejected.append(result)
            else:
                out.add(result, dumps(result.data))
        return out, rejected

    def _columns(self, cells: list[list[Cell]], nums: list[int]) -> tuple[Contacts, list[bool]]:
        """Rows of text cells as wide as the header, column by column: the contacts they
        make and, per row, whether it made one here. A row this path does not settle
        exactly as `process` would (a number not in a usual spelling, or invalid; a name
        too long; an email that is not one; a refused zone or priority) is left to it."""
        n = len(cells)
        stripped: dict[int, list[str]] = {}

        def column(i: int) -> list[str]:
            found = stripped.get(i)
            if found is None:
                found = stripped[i] = list(map(str.strip, map(itemgetter(i), cells)))
            return found

        used = self.mapping.phones[0]
        raw = column(used)
        phones = list(map(self.phones.fast_e164, raw))
        ok = list(map(bool, phones))
        if max(map(len, raw)) > MAX_RAW_PHONE:
            raw = [r[:MAX_RAW_PHONE] for r in raw]

        zone_of, end = self._zone_of_prefix, 1 + TIMEZONE_LONGEST_PREFIX
        if len(zone_of) > _CACHE_LIMIT:
            zone_of.clear()
        zones = [
            (zone_of.get(p[1:end]) or self._zone_of(p)) if p is not None else "" for p in phones
        ]
        if self._tz is not None:
            for k, text in enumerate(column(self._tz)):
                if text:
                    zone = self._zone_text(text)
                    if zone is None:
                        ok[k] = False
                    else:
                        zones[k] = zone
        priorities = [self.default_priority] * n
        if self._priority is not None:
            for k, text in enumerate(column(self._priority)):
                if text:
                    value = self._priority_text(text)
                    if value is None:
                        ok[k] = False
                    else:
                        priorities[k] = value

        names = column(self._name) if self._name is not None else None
        if names is None or not all(names):
            first = column(self._first) if self._first is not None else None
            last = column(self._last) if self._last is not None else None
            if first is not None and last is not None:
                built = [
                    f"{a} {b}" if a and b else a or b for a, b in zip(first, last, strict=True)
                ]
            else:
                built = first or last or [""] * n
            if self._company is not None:
                built = [b or c for b, c in zip(built, column(self._company), strict=True)]
            names = built if names is None else [a or b for a, b in zip(names, built, strict=True)]
        if max(map(len, names)) > MAX_NAME:
            for k, name in enumerate(names):
                if len(name) > MAX_NAME:
                    ok[k] = False
        emails: list[str] = column(self._email) if self._email is not None else [""] * n
        given = list(filter(None, emails))
        if given and not (all(map(_EMAIL.match, given)) and max(map(len, given)) <= MAX_EMAIL):
            for k, email in enumerate(emails):
                if email and (len(email) > MAX_EMAIL or not _EMAIL.match(email)):
                    ok[k] = False

        data = self._data(self._plans[used], column, n)

        out = Contacts(
            row=nums, phone=phones, phone_raw=raw,  # type: ignore[arg-type]  # None where not ok
            name=[x or None for x in names], email=[x or None for x in emails],
            timezone=zones, priority=priorities, data=data,
            phone_column=[self.headers[used]] * n,
        )  # fmt: skip
        return out, ok

    def _data(
        self, plan: tuple[tuple[int, str], ...], column: Callable[[int], list[str]], n: int
    ) -> list[str]:
        """The JSON text of the data of each row: what `json.dumps` gives for the dict of
        `process` (its non-empty values, in the columns' order)."""
        if not plan:
            return ["{}"] * n
        encode, key = self.json.encode, self.json.key
        values = [column(i) for i, _ in plan]
        if all(map(all, values)):  # the usual row: every value there, one template
            template = "{" + ", ".join(key(h).replace("%", "%%") + "%s" for _, h in plan) + "}"
            return list(map(template.__mod__, zip(*(map(encode, v) for v in values), strict=True)))
        parts = [
            [prefix + encode(v) if v else "" for v in vs]
            for prefix, vs in zip((key(h) for _, h in plan), values, strict=True)
        ]
        return [
            "{" + x + "}"
            for x in map(", ".join, map(filter, repeat(None), zip(*parts, strict=True)))
        ]

    def _zone_of(self, e164: str) -> str:
        """The zone of a number (`process`'s choice), remembered by its first digits."""
        zones = zones_for(e164)
        zone = (self._zone_choice.get(zones) or self._choose_zone(zones)) if zones else ""
        zone = zone or self.default_timezone
        self._zone_of_prefix[e164[1 : 1 + TIMEZONE_LONGEST_PREFIX]] = zone
        return zone

    def _zone_text(self, text: str) -> str | None:
        if text not in self._zone_of_text:
            if len(self._zone_of_text) > _CACHE_LIMIT:
                self._zone_of_text.clear()
            self._zone_of_text[text] = timezone_from_text(text)
        return self._zone_of_text[text]

    def _priority_text(self, text: str) -> int | None:
        """A priority cell's text as `process` reads it (a text cell), None if refused."""
        if text not in self._priority_of_text:
            if len(self._priority_of_text) > _CACHE_LIMIT:
                self._priority_of_text.clear()
            try:
                value: int | None = int(text)
            except ValueError:
                value = None
            if value is not None and not 0 <= value <= MAX_PRIORITY:
                value = None
            self._priority_of_text[text] = value
        return self._priority_of_text[text]

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

    def claim_all(self, phones: Sequence[str], rows: Sequence[int]) -> list[tuple[int, int]]:
        """`claim` of each number in order: (index, first row) of those met before."""
        firsts = list(map(self._rows.setdefault, [int(p[1:]) for p in phones], rows))
        if firsts == rows:
            return []
        return [(i, f) for i, (f, r) in enumerate(zip(firsts, rows, strict=True)) if f != r]

    def clear(self) -> None:
        self._rows.clear()

    def __len__(self) -> int:
        return len(self._rows)


def process_rows(
    processor: RowProcessor, rows: Iterable[Row], seen: SeenPhones
) -> tuple[Contacts, list[Rejection]]:
    """Contacts and rejections of a batch; a number met before in the file is rejected."""
    contacts = Contacts()
    rejected = process_rows_into(processor, rows, seen, contacts.extend)
    return contacts, rejected


def process_rows_into(
    processor: RowProcessor,
    rows: Iterable[Row],
    seen: SeenPhones,
    keep: Callable[[Contacts], object],
    chunk: int = CHUNK_ROWS,
) -> list[Rejection]:
    """`process_rows` handing the contacts to `keep` a chunk of rows at a time, as soon
    as they are made (so no row outlives its chunk); returns the rejections, in file
    order."""
    rejected: list[Rejection] = []
    it = iter(rows)
    while some := list(islice(it, chunk)):
        contacts, refused = processor.process_chunk(some)
        repeated = seen.claim_all(contacts.phone, contacts.row)
        if repeated:
            refused += [
                rejection(
                    contacts.row[i], contacts.phone_column[i], contacts.phone_raw[i],
                    f"same number as row {first} of this file",
                )
                for i, first in repeated
            ]  # fmt: skip
            refused.sort(key=_ROW)
            contacts = contacts.without([i for i, _ in repeated])
        rejected += refused
        if contacts:
            keep(contacts)
    return rejected


_ROW = attrgetter("row")


def _merged(a: Contacts, b: Contacts) -> Contacts:
    """The contacts of both, in file order (each already is)."""
    out = Contacts()
    ca, cb = a._columns(), b._columns()
    i = j = 0
    while i < len(a) or j < len(b):
        if j == len(b) or (i < len(a) and a.row[i] < b.row[j]):
            source, k = ca, i
            i += 1
        else:
            source, k = cb, j
            j += 1
        for column, values in zip(out._columns(), source, strict=True):
            column.append(values[k])
    return out


def batches(rows: Iterable[T], size: int = BATCH_ROWS) -> Iterator[list[T]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk

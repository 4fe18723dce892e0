"""Rows of a list checked a chunk at a time, and prepared for the database ahead of the
transaction: the same contacts and rejections as row by row, the `data` JSON, COPY text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from centralino.imports.mapping import guess_mapping
from centralino.imports.phones import PhoneNormalizer
from centralino.imports.pipeline import (
    Contact,
    Contacts,
    JsonObjects,
    Rejection,
    RowProcessor,
    SeenPhones,
    process_rows_into,
    rejection,
)
from centralino.imports.readers import Cell, Row
from centralino.store.repos.imports import RecordRows

TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)


@given(st.dictionaries(TEXT, TEXT, max_size=8))
def test_prepared_json_is_json_dumps(data: dict[str, str]) -> None:
    assert JsonObjects(ensure_ascii=True).dumps(data) == json.dumps(data)
    assert JsonObjects(ensure_ascii=False).dumps(data) == json.dumps(data, ensure_ascii=False)


def _unescape(field: str) -> str | None:
    """COPY text format, read back."""
    if field == "\\N":
        return None
    out, i = [], 0
    while i < len(field):
        ch = field[i]
        if ch == "\\":
            nxt = field[i + 1]
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[nxt])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@given(raw=TEXT, name=st.none() | TEXT, email=st.none() | TEXT, data=st.dictionaries(TEXT, TEXT))
def test_copy_lines_read_back_as_the_contact(
    raw: str, name: str | None, email: str | None, data: dict[str, str]
) -> None:
    c = Contact(7, "+393331234567", raw, name, email, "Europe/Rome", 5, data, "tel")
    now = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    prepared = RecordRows("postgresql", 3, 4).prepare([c], now)
    (line,) = prepared.rows
    assert line.endswith("\n") and prepared.payload == line.encode()
    fields = line[:-1].split("\t")
    assert len(fields) == 13
    values = [_unescape(f) for f in fields]
    assert values[:8] == ["3", "4", "7", "+393331234567", raw, name, email, "Europe/Rome"]
    assert json.loads(values[8] or "") == data
    assert values[9:12] == ["5", "new", "0"]
    assert datetime.fromisoformat(values[12] or "") == now


def test_only_keeps_the_rows_of_the_contacts_kept() -> None:
    cs = [
        Contact(i, f"+3933312345{i:02d}", "x", None, None, "Europe/Rome", 5, {}, "tel")
        for i in range(4)
    ]
    prepared = RecordRows("postgresql", 1, 1).prepare(cs, datetime.now(UTC))
    assert len(prepared) == 4 and prepared.phones() == [c.phone for c in cs]
    assert prepared.placed[2] == (2, "+393331234502", "x", "tel")
    kept = prepared.only([1, 3])
    assert kept.placed == [prepared.placed[1], prepared.placed[3]]
    assert kept.rows == [prepared.rows[1], prepared.rows[3]]
    assert kept.payload == (prepared.rows[1] + prepared.rows[3]).encode()
    assert prepared.only(range(4)) is prepared
    sqlite = RecordRows("sqlite", 1, 1).prepare(cs, datetime.now(UTC))
    assert sqlite.rows[0][:4] == (1, 1, 0, "+393331234500")
    assert json.loads(sqlite.rows[0][8]) == {} and sqlite.only([0]).rows == sqlite.rows[:1]
    dry = RecordRows(None, 1, 0).prepare(cs, datetime.now(UTC))
    assert dry.rows == [] and dry.only([0, 2]).placed == [dry.placed[0], dry.placed[2]]


# --- chunks of rows, column by column, against `process` row by row ---

HEADERS = [
    "Nome", "Cognome", "Telefono", "Cellulare", "E-mail", "Ragione sociale", "Nominativo",
    "Fuso orario", "Priorità", "Note", "Città", "Sconto %s",
]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from([
        "", " ", "  Mario ", "Anna", "Rossi", "+39 333 123 4567", "3331234567", "333.123.4567",
        "0039 333-1234568", "+48 601 234 567", "0612345678", "n/d", "333 123 4567 int. 12",
        "3,93331234567E+11", "+39 333 123 4567 ", "0000000", "+44 20 7946 0958", "06 1234567",
        "mario@example.it", "non ha", "a@b", "x@y.z", "@example.it", "Europe/Rome", "utc+1",
        "Mars/Olympus", "5", "100", "101", "-1", "1_0", " 7 ", "x" * 201, "a\tb", "c\\d",
        'quote "q"', "line\nbreak", "Forlì", "Łódź", "\u2028", "é" * 250, "y" * 198,
        "333" + " " * 60 + "1234569", "Luca", "Rossi Srl", "", "10%s",
    ]),
    st.text(max_size=8),
)  # fmt: skip


@st.composite
def lists(draw: st.DrawFn) -> tuple[list[str], list[Row]]:
    headers = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8, unique=True))
    width = len(headers)
    rows: list[Row] = []
    for num in range(2, 2 + draw(st.integers(1, 12))):
        shape = draw(st.sampled_from(["usual"] * 6 + ["short", "long", "empty"]))
        n = {"usual": width, "short": max(width - 1, 0), "long": width + 1, "empty": 0}[shape]
        rows.append((num, [draw(VALUES) for _ in range(n)]))
    return headers, rows


def _row_by_row(processor: RowProcessor, rows: list[Row]) -> tuple[Contacts, list[Rejection]]:
    out, rejected = Contacts(), []
    for num, cells in rows:
        result = processor.process(num, cells)
        if isinstance(result, Rejection):
            rejected.append(result)
        else:
            out.add(result, processor.json.dumps(result.data))
    return out, rejected


def _processor(headers: list[str], ascii_json: bool = False) -> RowProcessor:
    mapping = guess_mapping(headers)
    return RowProcessor(
        mapping, PhoneNormalizer("IT"), "Europe/Rome", text_cells=True, ascii_json=ascii_json
    )


@settings(max_examples=600)
@given(lists(), st.booleans())
def test_a_chunk_gives_what_row_by_row_gives(
    listed: tuple[list[str], list[Row]], ascii_json: bool
) -> None:
    headers, rows = listed
    assume(guess_mapping(headers).phones)
    chunked = _processor(headers, ascii_json).process_chunk(rows)
    assert chunked == _row_by_row(_processor(headers, ascii_json), rows)
    for data in chunked[0].data:
        json.loads(data)


@settings(max_examples=200)
@given(lists(), st.integers(1, 5))
def test_repeated_numbers_are_rejected_across_chunks(
    listed: tuple[list[str], list[Row]], chunk: int
) -> None:
    headers, rows = listed
    assume(guess_mapping(headers).phones)
    kept = Contacts()
    rejected = process_rows_into(_processor(headers), rows, SeenPhones(), kept.extend, chunk)
    # the reference: row by row, as the import did before it took rows a chunk at a time
    expected, refused = Contacts(), []
    first_rows: dict[str, int] = {}
    processor = _processor(headers)
    for num, cells in rows:
        result = processor.process(num, cells)
        if isinstance(result, Rejection):
            refused.append(result)
        elif result.phone in first_rows:
            reason = f"same number as row {first_rows[result.phone]} of this file"
            refused.append(rejection(num, result.phone_column, result.phone_raw, reason))
        else:
            first_rows[result.phone] = num
            expected.add(result, processor.json.dumps(result.data))
    assert (kept, rejected) == (expected, refused)


def test_a_chunk_of_usual_rows_keeps_the_file_order_around_the_others() -> None:
    headers = ["Nominativo", "Telefono", "E-mail", "Note"]
    rows: list[tuple[int, list[Cell]]] = [
        (2, ["Anna", "333 123 4567", "anna@example.it", "a"]),
        (3, ["Ugo", "06 1234567 int. 12", "", ""]),  # an extension: row by row
        (4, ["Eva", "n/d", "", ""]),
        (5, ["Pia", "3331234568", "non ha", ""]),  # not an address: row by row
        (6, ["Ada", "3331234569", "", "", "extra"]),  # wider than the header
        (7, ["Tom", "+48 601 234 567", "", "b"]),
    ]
    contacts, rejected = _processor(headers).process_chunk(rows)
    assert contacts.row == [2, 3, 5, 6, 7] and [r.row for r in rejected] == [4]
    assert contacts.timezone[-1] == "Europe/Warsaw"
    assert contacts.name == ["Anna", "Ugo", "Pia", "Ada", "Tom"]
    assert json.loads(contacts.data[0]) == {"Note": "a"}
    assert json.loads(contacts.data[1]) == {"extension": "12"}
    assert json.loads(contacts.data[2]) == {"E-mail": "non ha"}
    assert json.loads(contacts.data[3]) == {"column 5": "extra"}


@given(st.lists(st.tuples(st.none() | TEXT, st.none() | TEXT, TEXT), max_size=5))
def test_a_chunk_makes_the_lines_contact_by_contact_would(
    values: list[tuple[str | None, str | None, str]],
) -> None:
    cs = [
        Contact(i + 2, f"+3933312345{i:02d}", raw, name, None, "Europe/Rome", 5, {"k": name or ""})
        for i, (name, _, raw) in enumerate(values)
    ]
    now = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    for dialect in ("postgresql", "sqlite"):
        whole = RecordRows(dialect, 3, 4).prepare(cs, now)
        one_by_one = RecordRows(dialect, 3, 4).batch(now)
        for c in cs:
            one_by_one.extend(Contacts.of([c], JsonObjects(ensure_ascii=dialect == "sqlite")))
        assert whole.rows == one_by_one.rows and whole.placed == one_by_one.placed


def test_a_chunk_at_the_limits_gives_what_row_by_row_gives() -> None:
    headers = ["Nominativo", "Telefono", "E-mail", "Fuso orario", "Priorità"]
    rows: list[Row] = [
        (2, ["n" * 200, "3331234561", "a@b.it", "", ""]),
        (3, ["n" * 201, "3331234562", "", "", ""]),  # the whole name kept in the data
        (4, ["Eva", "333" + " " * 70 + "1234563", "", "utc+1", "0"]),  # raw number cut
        (5, ["Ugo", "3331234564", "e" * 250 + "@example.it", "", "100"]),  # too long
        (6, ["Pia", "3331234565", "", "Mars/Olympus", ""]),
        (7, ["Ada", "3331234566", "", "", "101"]),
    ]
    chunked = _processor(headers).process_chunk(rows)
    assert chunked == _row_by_row(_processor(headers), rows)
    contacts, rejected = chunked
    assert [r.row for r in rejected] == [6, 7] and contacts.timezone[2] == "Etc/GMT-1"
    assert len(contacts.name[1] or "") == 200 and len(contacts.phone_raw[2]) == 64

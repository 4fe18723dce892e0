"""Rows for the database prepared ahead of the transaction: the `data` JSON and COPY text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from centralino.imports.pipeline import Contact
from centralino.store.repos.imports import JsonObjects, RecordRows

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

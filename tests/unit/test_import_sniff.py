"""Encoding, delimiter and file-kind detection for list files."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from centralino.imports.sniff import FileKind, detect_delimiter, detect_encoding, file_kind

TEXT = "Nome;Città;Telefono\nNiccolò;Forlì;333 1234567\nŁucja;Kraków;+48 601 234 567\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        ("Nome;Città\nNiccolò;Forlì\n".encode("utf-16-le"), "utf-16-le"),
        ("Nome;Città\nNiccolò;Forlì; 5 €\n".encode("cp1252"), "cp1252"),
        (b"Nome;Citt\xe0\nx\x81y\n", "latin-1"),
        (b"plain ascii,only\n1,2\n", "utf-8"),
    ],
)
def test_encoding(data: bytes, expected: str) -> None:
    assert detect_encoding(data) == expected


def test_a_multibyte_character_cut_by_the_sample_is_still_utf8() -> None:
    data = ("x" * 99 + "à").encode()
    assert detect_encoding(data[:-1], complete=False) == "utf-8"


def test_mostly_utf8_with_a_windows_line_is_utf8() -> None:
    data = "città\nForlì\nCantù\n".encode() + "Cefalù\n".encode("cp1252")
    assert detect_encoding(data) == "utf-8"


@given(st.text(alphabet="àèéìòùÀÈÉÌÒÙçÇ€ abcdefgh;,\n0123456789", min_size=1, max_size=200))
def test_windows_1252_text_is_never_taken_for_utf8(text: str) -> None:
    """Bytes that are not UTF-8 are read back exactly; a few Windows-1252 strings are
    also valid UTF-8 ('Ç€' is C7 80, UTF-8 for 'ǀ'), and then either reading may win."""
    data = text.encode("cp1252")
    found = detect_encoding(data)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert data.decode(found) == text
    else:
        assert data.decode(found) in (text, data.decode("utf-8"))


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["a,b,c", "1,2,3"], ","),
        (["a;b;c", "1;2,5;3"], ";"),
        (["a\tb", "1\t2"], "\t"),
        (["a|b", "1|2"], "|"),
        (['"Rossi, Mario";333', '"Bianchi, Anna";334'], ";"),
        (["telefono", "3331234567"], ","),
        ([], ","),
        (["nome;telefono;note", "Mario;333;a, b, c", "Anna;334;"], ";"),
    ],
)
def test_delimiter(lines: list[str], expected: str) -> None:
    assert detect_delimiter(lines) == expected


def test_file_kind_by_content() -> None:
    assert file_kind(b"PK\x03\x04rest") is FileKind.ZIP
    assert file_kind(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") is FileKind.OLE
    assert file_kind(b"nome,telefono") is FileKind.TEXT


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["telefono;note", '3331234567;"', "a", "a", '"'], ";"),
        (["telefono;indirizzo;nome", '333;"Via Roma 1', 'Milano";Mario', '334;"x";Anna'], ";"),
        (['nome,"note', 'su due righe",tel', "Mario,,333", "Anna,x,334"], ","),
    ],
)
def test_values_over_several_lines_are_one_row_for_the_delimiter(
    lines: list[str], expected: str
) -> None:
    assert detect_delimiter(lines) == expected


@given(
    st.lists(
        st.lists(st.text(alphabet='ab ,;|\t"\n1', max_size=8), min_size=2, max_size=4),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([",", ";", "\t", "|"]),
)
def test_a_file_written_by_a_csv_writer_is_split_by_its_delimiter(
    rows: list[list[str]], delimiter: str
) -> None:
    import csv
    import io

    width = len(rows[0])
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, quoting=csv.QUOTE_ALL).writerows(
        (row + [""] * width)[:width] for row in rows
    )
    assert detect_delimiter(buf.getvalue().splitlines()) == delimiter


def test_a_short_windows_1252_file_whose_first_line_is_also_utf8() -> None:
    """Found by the property above: 'Ç€' (C7 80) is valid UTF-8, 'À' (C0) is not; with the
    whole file in hand its last line counts too, and the file is read as Windows-1252."""
    data = "Ç€\nÀ".encode("cp1252")
    assert data.decode(detect_encoding(data)) == "Ç€\nÀ"

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
    data = text.encode("cp1252")
    found = detect_encoding(data)
    assert data.decode(found) == text or (data.isascii() and found == "utf-8")


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

"""What kind of file a list is, its text encoding and its delimiter.

Lists reach us from Excel on Windows (Windows-1252, `;` in Italian and Polish locales,
UTF-16 for "Unicode text"), from LibreOffice and CRMs (UTF-8, with or without BOM, `,`),
and from other tools (tab). Detection looks at the first bytes only, so it is cheap.
"""

from __future__ import annotations

import codecs
from enum import StrEnum

SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


class FileKind(StrEnum):
    TEXT = "text"  # CSV, TSV, TXT
    ZIP = "zip"  # xlsx, xlsm, ods
    OLE = "ole"  # xls (BIFF inside an OLE2 compound file)


def file_kind(head: bytes) -> FileKind:
    """By content, not by name: a `.csv` that is really an xlsx is read as one."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return FileKind.ZIP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return FileKind.OLE
    return FileKind.TEXT


def detect_encoding(sample: bytes, complete: bool = True) -> str:
    """A Python codec name: utf-8-sig, utf-16, utf-8, cp1252 or latin-1.

    UTF-8 is tried first because text in other encodings almost never decodes as UTF-8;
    when the sample is only the start of the file (`complete` false), a multi-byte
    character cut at its end is not held against it.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _utf16_without_bom(sample):
        return "utf-16-le"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(sample, complete):
        return "utf-8"
    if _CP1252_UNDEFINED.intersection(sample):
        return "latin-1"
    return "cp1252"


def _mostly_utf8(sample: bytes, complete: bool) -> bool:
    """A UTF-8 file with a few lines pasted from a Windows-1252 one: most lines with
    accented letters still decode as UTF-8 (Windows-1252 text almost never does)."""
    good = bad = 0
    lines = sample.split(b"\n")
    for line in lines if complete else lines[:-1]:  # the last line of a sample may be cut
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad += 1
    return good > bad


def _utf16_without_bom(sample: bytes) -> bool:
    """Mostly-ASCII UTF-16-LE text has a zero in every odd byte."""
    head = sample[:2000]
    if len(head) < 8:
        return False
    odd = head[1::2]
    return odd.count(0) > 0.9 * len(odd) and head[0::2].count(0) < 0.1 * len(odd)


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the sample lines into the same number of fields most often.

    Quoted text is skipped, so commas inside "Rossi, Mario" do not count. With no
    candidate at all the file has a single column, read with `,`.
    """
    rows = [line for line in _records(lines) if line.strip()][:50]
    if not rows:
        return ","
    best, best_score = ",", (0.0, 0)
    for d in DELIMITERS:
        counts = [_count_outside_quotes(line, d) for line in rows]
        if not any(counts):
            continue
        mode = max(set(counts), key=lambda c: (counts.count(c), c))
        if mode == 0:
            continue
        consistency = counts.count(mode) / len(counts)
        score = (consistency, mode)
        if score > best_score:
            best, best_score = d, score
    return best


def _records(lines: list[str]) -> list[str]:
    """The lines joined where a quoted value goes on over a line break ("Via Roma 1
    <newline> Milano"), so such a value does not look like rows of its own. A quote opens
    a value only at the start of a field, as for the CSV reader (the inch mark in 32"
    does not); lines after a value that never closes stay as they are."""
    records: list[str] = []
    pending: list[str] = []
    inside = False
    for line in lines:
        inside = _ends_inside_quotes(line, inside)
        if inside:
            pending.append(line)
        elif pending:
            records.append("\n".join([*pending, line]))
            pending = []
        else:
            records.append(line)
    return records + pending


def _ends_inside_quotes(line: str, inside: bool) -> bool:
    """Whether a quoted value is still open at the end of `line` (`inside`: one was open
    at its start). Any candidate delimiter may start a field."""
    at_start = not inside
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if inside:
            if ch == '"':
                if i + 1 < n and line[i + 1] == '"':
                    i += 1  # "" is a quote inside the value
                else:
                    inside = False
            at_start = False
        elif ch == '"' and at_start:
            inside = True
            at_start = False
        else:
            at_start = ch in DELIMITERS
        i += 1
    return inside


def _count_outside_quotes(line: str, delimiter: str) -> int:
    if '"' not in line:
        return line.count(delimiter)
    n, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            n += 1
    return n


def encoding_label(codec: str) -> str:
    return {
        "utf-8": "UTF-8",
        "utf-8-sig": "UTF-8 with BOM",
        "utf-16": "UTF-16",
        "utf-16-le": "UTF-16",
        "cp1252": "Windows-1252",
        "latin-1": "Latin-1",
    }.get(codec, codec)

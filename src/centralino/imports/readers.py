"""Read a list file row by row: CSV streamed line by line, spreadsheets through calamine.

Every row keeps the number a person sees when opening the file (the header is usually
row 1). Blank rows inside the data are yielded as empty rows, so they are reported rather
than lost; blank rows after the last contact are not rows of the list and only counted.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from itertools import chain
from pathlib import Path
from types import TracebackType
from typing import IO, cast

import python_calamine

from centralino.domain.errors import InvalidInput
from centralino.imports.sniff import (
    DELIMITER_NAMES,
    SAMPLE_BYTES,
    FileKind,
    detect_delimiter,
    detect_encoding,
    encoding_label,
    file_kind,
)

Cell = str | float | int | bool | datetime | date | time | timedelta | None
Row = tuple[int, list[Cell]]

MAX_COLUMNS = 1000
MAX_HEADER_LENGTH = 200
_TITLE_LOOKAHEAD = 10
_DATA_LIKE = re.compile(r"^[+\d][\d\s()./-]{5,}$")
_SPACES = re.compile(r"\s+")
_READ_CHUNK = 1024 * 1024


class ImportFileError(InvalidInput):
    """The file cannot be read as a list; the message names the file and what is wrong."""

    error_id = "bad-import-file"

    def __init__(self, filename: str, problem: str, row: int | None = None) -> None:
        where = f", row {row}" if row is not None else ""
        super().__init__(f"{filename}{where}: {problem}", field="file")
        self.filename = filename
        self.problem = problem
        self.row = row


def cell_text(value: Cell) -> str:
    """A cell as the text a person expects: 393331234567.0 reads 393331234567."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e17:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def is_blank(cells: list[Cell]) -> bool:
    for c in cells:
        if c is None:
            continue
        if not isinstance(c, str) or (c and not c.isspace()):
            return False
    return True


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class ListFile:
    """An open list: its header, its rows (an iterator, read once) and what was noticed.

    Use as a context manager; `progress()` tells how far the rows have been read (0 to 1).
    """

    header: list[str]
    header_row: int
    kind: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    def __init__(self, path: Path, filename: str | None = None, sheet: str | None = None) -> None:
        self.path = Path(path)
        self.filename = filename or self.path.name
        self.size = self.path.stat().st_size
        self.notes: list[str] = []
        self.trailing_blank = 0
        self.formula_cells = 0
        self._closers: list[Callable[[], None]] = []
        self._progress: Callable[[], float] = lambda: 0.0
        self._undecoded_lines = 0
        self._merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
        self._first_col = 0
        if self.size == 0:
            raise ImportFileError(self.filename, "the file is empty")
        with self.path.open("rb") as f:
            head = f.read(SAMPLE_BYTES)
        kind = file_kind(head)
        try:
            text = kind is FileKind.TEXT
            raw = self._open_text(head) if text else self._open_workbook(kind, sheet)
            self._rows = self._find_header(raw)
        except BaseException:
            self.close()
            raise

    # --- public ---

    @property
    def rows(self) -> Iterator[Row]:
        return self._rows

    def extra_column_name(self, index: int) -> str:
        """The name of a column past the header (a value with no column name above it)."""
        return f"column {self._column_label(index)}"

    def progress(self) -> float:
        return min(max(self._progress(), 0.0), 1.0)

    def all_notes(self) -> list[str]:
        """What the reader noticed, for the job's message (complete once rows are read)."""
        notes = list(self.notes)
        if self._undecoded_lines:
            label = encoding_label(self.encoding or "")
            notes.append(
                f"{self._undecoded_lines} lines were not valid {label} and were read as "
                "Windows-1252: check accented letters in them"
            )
        if self.trailing_blank:
            notes.append(f"{self.trailing_blank} empty rows after the last contact were ignored")
        return notes

    def close(self) -> None:
        for close in reversed(self._closers):
            close()
        self._closers.clear()

    def __enter__(self) -> ListFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- text ---

    def _open_text(self, head: bytes) -> Iterator[list[Cell]]:
        self.kind = "csv"
        if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
            raise ImportFileError(self.filename, "the file is empty")
        encoding = detect_encoding(head, complete=len(head) < SAMPLE_BYTES)
        if b"\x00" in head and not encoding.startswith("utf-16"):
            raise ImportFileError(
                self.filename,
                "this is neither a text (CSV) file nor an Excel or OpenDocument spreadsheet",
            )
        self.encoding = encoding
        sample = head.decode(encoding, errors="replace")
        self.delimiter = detect_delimiter(sample.splitlines()[:50])
        f = self.path.open("rb")
        self._closers.append(f.close)
        self._progress = lambda: 1.0 if f.closed else f.tell() / self.size
        if encoding.startswith("utf-16"):
            text = io.TextIOWrapper(f, encoding=encoding, newline="")
            self._closers.append(text.close)
            lines: Iterator[str] = iter(text)
        else:
            lines = self._decoded_lines(f, encoding, old_mac=b"\n" not in head and b"\r" in head)
        self.notes.append(
            f"read as {encoding_label(encoding)} text separated by "
            f"{DELIMITER_NAMES.get(self.delimiter, self.delimiter)}"
        )
        # the C reader itself: its errors become ImportFileError where the rows are numbered
        return cast(Iterator[list[Cell]], csv.reader(lines, delimiter=self.delimiter or ","))

    def _decoded_lines(self, f: IO[bytes], encoding: str, old_mac: bool) -> Iterator[str]:
        """Lines decoded a block of about a megabyte at a time; a block that is not valid
        in the file's encoding is decoded line by line, so a file that is UTF-8 except for
        a few lines pasted from elsewhere is read whole (those lines as Windows-1252, and
        said so). Lines end at LF only, as in the file (CR LF stays for the CSV reader)."""
        primary = "utf-8" if encoding == "utf-8-sig" else encoding
        if old_mac:
            return self._lines_one_by_one(_split_cr(f), primary)
        return chain.from_iterable(self._decoded_blocks(f, primary))

    def _decoded_blocks(self, f: IO[bytes], primary: str) -> Iterator[Iterator[str]]:
        first = True
        for block in _whole_lines(f):
            try:
                text = block.decode(primary)
            except UnicodeDecodeError:
                lines = block.split(b"\n")
                last = lines.pop()
                raws = [raw + b"\n" for raw in lines]
                if last:
                    raws.append(last)
                text = "".join(self._lines_one_by_one(iter(raws), primary))
            if first:
                text = text.removeprefix("\ufeff")
                first = False
            yield io.StringIO(text, newline="\n")

    def _lines_one_by_one(self, source: Iterator[bytes], primary: str) -> Iterator[str]:
        first = True
        for raw in source:
            try:
                line = raw.decode(primary)
            except UnicodeDecodeError:
                self._undecoded_lines += 1
                line = raw.decode("cp1252", errors="replace")
            if first:
                line = line.removeprefix("\ufeff")
                first = False
            yield line

    def _read_error(self, exc: Exception, row: int) -> ImportFileError:
        """A CSV or decoding problem met while reading `row`, as the file's error."""
        if isinstance(exc, csv.Error):
            return ImportFileError(self.filename, _csv_problem(exc), row)
        label = encoding_label(self.encoding or "")
        return ImportFileError(self.filename, f"not valid {label} text", row)

    # --- spreadsheets ---

    def _open_workbook(self, kind: FileKind, sheet: str | None) -> Iterator[list[Cell]]:
        suffix = self.path.suffix.lower() or Path(self.filename).suffix.lower()
        try:
            wb = python_calamine.CalamineWorkbook.from_path(str(self.path))
        except python_calamine.PasswordError as exc:
            raise ImportFileError(
                self.filename, "the workbook is password-protected: save a copy without password"
            ) from exc
        except (python_calamine.CalamineError, OSError, ValueError) as exc:
            raise ImportFileError(self.filename, _damaged(kind, exc)) from exc
        self._closers.append(wb.close)
        self.kind = "xls" if kind is FileKind.OLE else ("ods" if _is_ods(self.path) else "xlsx")
        if suffix in (".xls",) and kind is FileKind.ZIP:
            self.notes.append("the file is named .xls but is an xlsx/ods workbook; read as such")
        try:
            names = [m.name for m in wb.sheets_metadata if str(m.typ).endswith("WorkSheet")]
            chosen = self._pick_sheet(wb, names, sheet)
            others = [n for n in names if n != chosen.name]
        except python_calamine.CalamineError as exc:
            raise ImportFileError(self.filename, _damaged(kind, exc)) from exc
        self.sheet = chosen.name
        self.notes.append(f"read sheet {chosen.name!r}")
        if others:
            self.notes.append(
                f"the workbook has other sheets ({', '.join(others)}) that were not read; "
                "choose one with the sheet option"
            )
        self._merged = list(chosen.merged_cell_ranges or [])
        start = chosen.start or (0, 0)
        self._first_col = start[1]
        end = chosen.end or (0, 0)
        total = max(end[0] + 1, 1)
        if kind is FileKind.ZIP:
            self.formula_cells = _count_formulas(self.path)
            if self.formula_cells:
                self.notes.append(
                    f"the workbook has {self.formula_cells} formula cells: their saved results "
                    "were read; a program that wrote formulas without results leaves them "
                    "empty or 0 (open the file in Excel or LibreOffice and save it again)"
                )
        done = [0]
        self._progress = lambda: done[0] / total

        def rows() -> Iterator[list[Cell]]:
            try:
                for row in chosen.iter_rows():
                    done[0] += 1
                    yield list(row)
            except python_calamine.CalamineError as exc:
                raise ImportFileError(self.filename, _damaged(kind, exc), done[0]) from exc

        return rows()

    def _pick_sheet(
        self, wb: python_calamine.CalamineWorkbook, names: list[str], sheet: str | None
    ) -> python_calamine.CalamineSheet:
        """The sheet asked for, else the first worksheet with data."""
        if sheet is not None:
            if sheet not in wb.sheet_names:
                raise ImportFileError(
                    self.filename,
                    f"no sheet named {sheet!r}; the sheets are: {', '.join(wb.sheet_names)}",
                )
            return wb.get_sheet_by_name(sheet)
        for name in names or wb.sheet_names:
            candidate = wb.get_sheet_by_name(name)
            if candidate.height > 0:
                return candidate
        raise ImportFileError(self.filename, "every sheet of the workbook is empty")

    # --- header and rows ---

    def _find_header(self, raw: Iterator[list[Cell]]) -> Iterator[Row]:
        """Numbers the rows and reads the header: the first row with two or more values
        (a title above it, in one cell, is skipped and said so); returns the data rows."""
        numbered: Iterator[Row] = enumerate(raw, start=1)
        seen: list[Row] = []
        header: Row | None = None
        last = 0
        try:
            for num, cells in numbered:
                last = num
                if is_blank(cells):
                    if seen:
                        seen.append((num, cells))
                    continue
                seen.append((num, cells))
                if sum(1 for c in cells if cell_text(c)) >= 2:
                    header = (num, cells)
                    break
                if sum(1 for _, c in seen if not is_blank(c)) >= _TITLE_LOOKAHEAD:
                    break
        except (csv.Error, UnicodeDecodeError) as exc:
            raise self._read_error(exc, last + 1) from exc
        non_blank = [(n, c) for n, c in seen if not is_blank(c)]
        if not non_blank:
            raise ImportFileError(self.filename, "the file has no rows")
        if header is None:  # a single-column list: its first row is the header
            header = non_blank[0]
        titles = [(n, c) for n, c in non_blank if n < header[0]]
        for n, c in titles:
            text = next(cell_text(x) for x in c if cell_text(x))
            self.notes.append(
                f"row {n} ({text[:60]!r}) looks like a title and was skipped; "
                f"the column names are in row {header[0]}"
            )
        self.header_row = header[0]
        self.header = self._header_names(header[1], header[0])
        held = [(n, c) for n, c in seen if n > header[0]]
        return self._data_rows(held, numbered, last)

    def _header_names(self, cells: list[Cell], row: int) -> list[str]:
        texts = [_SPACES.sub(" ", cell_text(c))[:MAX_HEADER_LENGTH] for c in cells]
        merged_from = self._merged_header_sources(row)
        while texts and not texts[-1] and (len(texts) - 1) not in merged_from:
            texts.pop()
        if len(texts) > MAX_COLUMNS:
            raise ImportFileError(
                self.filename, f"{len(texts)} columns; at most {MAX_COLUMNS} are read", row
            )
        data_like = [t for c, t in zip(cells, texts, strict=False) if _looks_like_data(c, t)]
        if data_like and len(data_like) * 2 >= len([t for t in texts if t]):
            raise ImportFileError(
                self.filename,
                f"the first row holds data ({data_like[0]!r}), not column names: add a row "
                "with the column names, for example: telefono;nome",
                row,
            )
        names: list[str] = []
        taken: set[str] = set()
        for i, text in enumerate(texts):
            name = text
            merged = not name and i in merged_from and bool(texts[merged_from[i]])
            if merged:
                name = texts[merged_from[i]]
            if not name:
                name = f"column {self._column_label(i)}"
            base, k = name, 2
            while name.casefold() in taken:
                name = f"{base} ({k})"
                k += 1
            taken.add(name.casefold())
            names.append(name)
            if merged:
                self.notes.append(
                    f"header cells {self._cell_ref(merged_from[i], row)} and "
                    f"{self._cell_ref(i, row)} are merged; the column under "
                    f"{self._cell_ref(i, row)} is named {name!r}"
                )
        return names

    def _merged_header_sources(self, row: int) -> dict[int, int]:
        """For header cells covered by a merge, the index of the merge's first cell."""
        found: dict[int, int] = {}
        for (r0, c0), (r1, c1) in self._merged:
            if r0 <= row - 1 <= r1:
                for c in range(c0 + 1, c1 + 1):
                    found[c - self._first_col] = c0 - self._first_col
        return found

    def _column_label(self, index: int) -> str:
        if self.kind == "csv":
            return str(index + 1)
        return column_letter(index + self._first_col)

    def _cell_ref(self, index: int, row: int) -> str:
        return f"{column_letter(index + self._first_col)}{row}"

    def _data_rows(self, held: list[Row], rest: Iterator[Row], last: int) -> Iterator[Row]:
        """Blank rows are held back until a contact follows them: trailing ones are not
        rows of the list (spreadsheets often carry formatted empty rows at the end).

        `last` is the number of the last row read before (a reading problem is in the
        row after it)."""
        blank_start, blank_count = 0, 0
        num = last
        try:
            for num, cells in chain(held, rest):
                if cells:
                    first = cells[0]  # text in the first cell: surely not blank, no call
                    if (type(first) is str and first and not first.isspace()) or not is_blank(
                        cells
                    ):
                        if blank_count:
                            for k in range(blank_count):
                                yield blank_start + k, []
                            blank_count = 0
                        yield num, cells
                        continue
                if blank_count == 0:
                    blank_start = num
                blank_count += 1
        except (csv.Error, UnicodeDecodeError) as exc:
            raise self._read_error(exc, num + 1) from exc
        self.trailing_blank = blank_count


def _looks_like_data(cell: Cell, text: str) -> bool:
    if isinstance(cell, bool):
        return False
    if isinstance(cell, int | float | datetime | date):
        return True
    return bool(_DATA_LIKE.match(text))


def _split_cr(f: IO[bytes]) -> Iterator[bytes]:
    """Lines of a file that ends them with a bare CR (classic Mac)."""
    rest = b""
    while chunk := f.read(_READ_CHUNK):
        parts = (rest + chunk).split(b"\r")
        rest = parts.pop()
        for p in parts:
            yield p + b"\r\n"
    if rest:
        yield rest


def _whole_lines(f: IO[bytes]) -> Iterator[bytes]:
    """The file in blocks of about _READ_CHUNK bytes that end with a line (LF); a line
    longer than that is one block."""
    pieces: list[bytes] = []
    while chunk := f.read(_READ_CHUNK):
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            pieces.append(chunk)
            continue
        pieces.append(chunk[:cut])
        yield b"".join(pieces)
        pieces = [chunk[cut:]] if cut < len(chunk) else []
    if pieces:
        yield b"".join(pieces)


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            'a quoted value never ends (a stray " character?) or a value is longer than '
            f"{csv.field_size_limit()} characters"
        )
    if "new-line character" in text:
        return "a line break inside a value that is not quoted"
    if "NUL" in text:
        return "the file contains NUL bytes: it is not a text file"
    return f"not readable as CSV ({text})"


def _damaged(kind: FileKind, exc: BaseException) -> str:
    what = "an Excel 97-2003 (xls)" if kind is FileKind.OLE else "an xlsx or ods"
    return (
        f"looks like {what} workbook but is damaged or truncated ({exc}); "
        "open it in Excel or LibreOffice, save it again and re-upload"
    )


def _is_ods(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return "content.xml" in z.namelist() and "xl/workbook.xml" not in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _count_formulas(path: Path) -> int:
    """Formula cells in the workbook's sheets, counted in the raw XML (calamine gives
    only the saved results)."""
    count = 0
    try:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    needles: tuple[bytes, ...] = (b"<f>", b"<f ", b"<x:f>", b"<x:f ")
                elif name == "content.xml":
                    needles = (b"table:formula=",)
                else:
                    continue
                count += _count_in_member(z, name, needles)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return 0
    return count


def _count_in_member(z: zipfile.ZipFile, name: str, needles: tuple[bytes, ...]) -> int:
    n, tail = 0, b""
    keep = max(len(x) for x in needles) - 1
    with z.open(name) as member:
        while chunk := member.read(_READ_CHUNK):
            data = tail + chunk
            n += sum(data.count(x) for x in needles)
            tail = data[-keep:]
            n -= sum(tail.count(x) for x in needles)  # counted again with the next chunk
    return n + sum(tail.count(x) for x in needles)


def open_list(path: Path, filename: str | None = None, sheet: str | None = None) -> ListFile:
    """Open a list file for reading; raises ImportFileError with a readable reason."""
    return ListFile(path, filename, sheet)

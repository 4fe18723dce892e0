"""Tables as spreadsheets (xlsxwriter) and CSV (IN-9).

A `Sheet` is columns of a kind and rows of plain values; the kind chooses the cell
format: durations are seconds shown as mm:ss (hours:mm:ss for totals), ratios as
percentages, local times as dates. The header is bold and frozen, a totals row closes
the sheet. CSV gives the same columns with durations in seconds and ratios as fractions,
for other programs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import xlsxwriter  # type: ignore[import-untyped]


def N_(text: str) -> str:
    """Marks a header, a sheet's or a report's name as text the pages translate (the
    spreadsheets themselves are written in English)."""
    return text


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    DURATION = "duration"  # seconds, shown [mm]:ss
    LONG_DURATION = "long_duration"  # seconds, shown [h]:mm:ss
    PERCENT = "percent"  # a ratio from 0 to 1
    LOCAL_TIME = "local_time"  # an aware datetime in the company's zone


_FORMATS: dict[Kind, dict[str, Any]] = {
    Kind.TEXT: {},
    Kind.INT: {"num_format": "0"},
    Kind.DURATION: {"num_format": "[mm]:ss"},
    Kind.LONG_DURATION: {"num_format": "[h]:mm:ss"},
    Kind.PERCENT: {"num_format": "0.0%"},
    Kind.LOCAL_TIME: {"num_format": "yyyy-mm-dd hh:mm:ss"},
}
_WIDTHS = {Kind.INT: 11, Kind.DURATION: 10, Kind.LONG_DURATION: 12, Kind.PERCENT: 10}


@dataclass(slots=True, frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT


@dataclass(slots=True)
class Sheet:
    name: str  # at most 31 characters, as Excel wants
    columns: Sequence[Column]
    rows: Sequence[Sequence[object]]
    totals: Sequence[object] | None = None  # first cell is the label


XLSX_ROWS = 1_048_576  # a worksheet's rows in Excel and LibreOffice, the header included


def too_long(sheets: Sequence[Sheet]) -> Sheet | None:
    """The first sheet whose header, rows and totals do not fit in one worksheet."""
    for sheet in sheets:
        if 1 + len(sheet.rows) + (sheet.totals is not None) > XLSX_ROWS:
            return sheet
    return None


def write_xlsx(target: str | Path | IO[bytes], sheets: Sequence[Sheet]) -> None:
    """One workbook with a worksheet per sheet; ValueError for a sheet too long for a
    worksheet (xlsxwriter would drop the rows past the last one without a word)."""
    long = too_long(sheets)
    if long is not None:
        raise ValueError(
            f"sheet {long.name!r} has {len(long.rows):,} rows, more than a worksheet holds"
        )
    book = xlsxwriter.Workbook(target, {"remove_timezone": True, "in_memory": True})
    header = book.add_format({"bold": True, "bg_color": "#DDE4EE", "bottom": 1, "text_wrap": True})
    total_style = {"bold": True, "top": 1}
    fmts = {k: book.add_format(v) for k, v in _FORMATS.items()}
    total_fmts = {k: book.add_format({**v, **total_style}) for k, v in _FORMATS.items()}
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name[:31])
        for c, col in enumerate(sheet.columns):
            ws.write_string(0, c, col.header, header)
            width = max(_WIDTHS.get(col.kind, 14), min(len(col.header) + 2, 40))
            if col.kind is Kind.LOCAL_TIME:
                width = 20
            ws.set_column(c, c, width)
        ws.freeze_panes(1, 0)
        for r, row in enumerate(sheet.rows, start=1):
            _write_row(ws, r, sheet.columns, row, fmts)
        if sheet.totals is not None:
            _write_row(ws, len(sheet.rows) + 1, sheet.columns, sheet.totals, total_fmts)
        if sheet.rows:
            ws.autofilter(0, 0, len(sheet.rows), len(sheet.columns) - 1)
    book.close()


def _write_row(
    ws: Any, r: int, columns: Sequence[Column], row: Sequence[object], fmts: dict[Kind, Any]
) -> None:
    for c, (col, value) in enumerate(zip(columns, row, strict=True)):
        fmt = fmts[col.kind]
        if value is None:
            ws.write_blank(r, c, None, fmt)
        elif isinstance(value, str):
            ws.write_string(r, c, value, fmt)
        elif col.kind in (Kind.DURATION, Kind.LONG_DURATION) and isinstance(value, int | float):
            ws.write_number(r, c, value / 86400, fmt)
        elif col.kind is Kind.LOCAL_TIME and isinstance(value, datetime):
            ws.write_datetime(r, c, value.replace(tzinfo=None), fmt)
        elif isinstance(value, int | float):
            ws.write_number(r, c, value, fmt)
        else:
            ws.write_string(r, c, str(value), fmt)


def csv_value(kind: Kind, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        text = f"{value:.4f}" if kind is Kind.PERCENT else f"{value:.3f}"
        return text.rstrip("0").rstrip(".")
    return str(value)


class CsvChunks:
    """A sheet as CSV text in chunks, the rows written as they come (a stream of any
    length; iterate once); the totals are asked for after the last row, and `rows` counts
    the rows written so far."""

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Iterable[Sequence[object]],
        totals: Callable[[], Sequence[object] | None] = lambda: None,
        rows_per_chunk: int = 2000,
    ) -> None:
        self.columns, self._rows, self._totals = columns, rows, totals
        self.rows_per_chunk = rows_per_chunk
        self.rows = 0

    def __iter__(self) -> Iterator[str]:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow([c.header for c in self.columns])
        for row in self._rows:
            w.writerow([csv_value(c.kind, v) for c, v in zip(self.columns, row, strict=True)])
            self.rows += 1
            if self.rows % self.rows_per_chunk == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        last = self._totals()
        if last is not None:
            w.writerow([csv_value(c.kind, v) for c, v in zip(self.columns, last, strict=True)])
        yield out.getvalue()


def write_csv(out: IO[str], sheet: Sheet) -> None:
    """The sheet as CSV (comma, UTF-8), header first, totals last."""
    for chunk in CsvChunks(sheet.columns, sheet.rows, lambda: sheet.totals):
        out.write(chunk)

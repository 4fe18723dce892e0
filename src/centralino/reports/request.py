"""One report request from text (command line, API, page): checked, with errors naming the
option, then run to sheets and written as .xlsx, .csv or JSON."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from centralino.domain.access import Principal
from centralino.domain.errors import InvalidInput
from centralino.domain.reports import BucketBy, Filters, parse_hours, parse_ranges
from centralino.reports import inbound
from centralino.reports.inbound import ReportQuery
from centralino.reports.sheets import REPORTS, build, calls_csv
from centralino.reports.xlsx import (
    XLSX_ROWS,
    CsvChunks,
    Kind,
    Sheet,
    csv_value,
    too_long,
    write_csv,
    write_xlsx,
)
from centralino.services.context import ServiceContext

FORMATS = ("xlsx", "csv", "json")
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date like 2026-03-29", option) from None


@dataclass(slots=True, frozen=True)
class ReportRequest:
    names: tuple[str, ...]
    query: ReportQuery

    @classmethod
    def parse(
        cls,
        company_id: int,
        name: str,
        first: str,
        last: str,
        by: str = "hour",
        weekdays: str | None = None,
        hours: str | None = None,
    ) -> ReportRequest:
        """`name` is a report of `REPORTS` or "all"; errors name the option at fault."""
        if name != "all" and name not in REPORTS:
            raise InvalidInput(
                f"unknown report {name!r}; choose one of {', '.join(REPORTS)}, all", "name"
            )
        try:
            bucket = BucketBy(by)
        except ValueError:
            raise InvalidInput(f"{by!r}: choose hour, day or month", "by") from None
        filters = Filters(
            parse_ranges(weekdays, 0, 6, "weekdays") if weekdays else None,
            parse_hours(hours) if hours else None,
        )
        q = ReportQuery(
            company_id, parse_day(first, "from"), parse_day(last, "to"), bucket, filters
        )
        if q.last < q.first:
            raise InvalidInput("the period ends before it starts", "to")
        if (q.last - q.first).days > 366:
            raise InvalidInput("a report covers at most 366 days", "to")
        return cls(tuple(REPORTS) if name == "all" else (name,), q)

    def sheets(self, ctx: ServiceContext, actor: Principal) -> list[Sheet]:
        return build(ctx, actor, list(self.names), self.query)

    def csv_stream(self, ctx: ServiceContext, actor: Principal) -> CsvChunks | None:
        """The received calls as CSV chunks read as they are written, any number of them
        (the access checked first); None for the other reports, which are small."""
        if self.names != ("calls",):
            return None
        return calls_csv(inbound.received_calls_stream(ctx, actor, self.query))

    def file_name(self, fmt: str) -> str:
        q = self.query
        name = "all" if len(self.names) > 1 else self.names[0]
        return f"centralino-{name}-{q.first.isoformat()}-{q.last.isoformat()}.{fmt}"


def check_format(fmt: str, sheets: int) -> None:
    """xlsx and json take any number of sheets; CSV one."""
    if fmt not in FORMATS:
        raise InvalidInput(f"{fmt!r}: choose xlsx, csv or json", "format")
    if fmt == "csv" and sheets != 1:
        raise InvalidInput("several sheets need the xlsx format", "format")


def render(sheets: Sequence[Sheet], fmt: str) -> bytes:
    """The sheets as an .xlsx workbook, or the one sheet as CSV (UTF-8)."""
    check_format(fmt, len(sheets))
    long = too_long(sheets) if fmt == "xlsx" else None
    if long is not None:
        raise InvalidInput(
            f"the sheet {long.name!r} has {len(long.rows):,} rows, more than a spreadsheet "
            f"holds ({XLSX_ROWS - 2:,} with its header and totals): download that report as "
            "CSV, or choose a shorter period",
            "format",
        )
    if fmt == "csv":
        text = io.StringIO()
        write_csv(text, sheets[0])
        return text.getvalue().encode("utf-8")
    out = io.BytesIO()
    write_xlsx(out, sheets)
    return out.getvalue()


def _json_value(kind: Kind, value: object) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if kind is Kind.TEXT:
        return value if isinstance(value, str) else csv_value(kind, value)
    return value


def as_json(sheet: Sheet) -> dict[str, Any]:
    """A sheet for a web page or an API client: durations in seconds, ratios 0 to 1."""
    kinds = [c.kind for c in sheet.columns]
    return {
        "name": sheet.name,
        "columns": [{"header": c.header, "kind": c.kind.value} for c in sheet.columns],
        "rows": [[_json_value(k, v) for k, v in zip(kinds, r, strict=True)] for r in sheet.rows],
        "totals": None
        if sheet.totals is None
        else [_json_value(k, v) for k, v in zip(kinds, sheet.totals, strict=True)],
    }

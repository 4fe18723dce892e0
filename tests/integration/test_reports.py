"""Inbound reports (IN-8, IN-9) on SQLite and PostgreSQL: every figure against a
hand-computed fixture, local buckets across a daylight-saving change, weekday and hour
filters, spreadsheets read back, the CLI, partner isolation, and the simulator's own KPIs
recomputed from the stored call legs.

The fixture day is Tuesday 2026-11-24 in Europe/Rome (UTC+1): local 09:00 is 08:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from centralino.cli import app
from centralino.domain.access import Principal
from centralino.domain.call_record import CallRecord, CallResult
from centralino.domain.errors import Forbidden, InvalidInput, NotFound
from centralino.domain.reports import BucketBy, Filters
from centralino.domain.roles import Role
from centralino.reports import inbound, request, xlsx
from centralino.reports import sheets as sheets_mod
from centralino.reports.inbound import ReportQuery
from centralino.reports.sheets import build
from centralino.reports.xlsx import XLSX_ROWS, Column, Sheet, too_long, write_csv, write_xlsx
from centralino.services import calls, queues, users
from centralino.services.context import ServiceContext
from centralino.services.users import GrantRequest
from world import PASSWORD, World, build_world

R = CallResult


def at(day: int, hh: int, mm: int, ss: float = 0.0) -> float:
    """Clock seconds of a local time in November 2026 in Rome (UTC+1)."""
    return datetime(2026, 11, day, hh - 1, mm, tzinfo=UTC).timestamp() + ss


def leg(
    call_id: int, service: str | None, queue: str, arrived: float, result: CallResult,
    queued: float | None = None, picked: float | None = None, ended: float | None = None,
    operator: str | None = None, refused_reason: str | None = None,
    direction: str = "inbound",
) -> CallRecord:  # fmt: skip
    """A record with offsets in seconds: queued after arrival, picked after queue entry,
    ended after pickup (or after queue entry when not answered)."""
    r = CallRecord(call_id, direction, queue, f"+39333{call_id:07d}", arrived, service=service)
    r.result, r.operator, r.refused_reason = result, operator, refused_reason
    if queued is not None:
        r.queued_at = arrived + queued
        if picked is not None:
            r.picked_up_at = r.queued_at + picked
    base = r.picked_up_at if r.picked_up_at is not None else (r.queued_at or arrived)
    r.ended_at = None if ended is None else base + ended
    r.phase(arrived, "arrival", "")
    return r


class Fixture:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.w: World = build_world(ctx)
        w, admin = self.w, self.w.admin()
        self.company = w.company_a
        t1, pt = w.groups["T1"].id, w.groups["PT"].id
        queues.create_queue(ctx, admin, "Care", t1, {"target_seconds": 20})
        queues.create_queue(ctx, admin, "Sales", t1, {"target_seconds": 15})
        queues.create_queue(ctx, admin, "Partner", pt, {})  # target 20 by default
        self.a, self.b = self._name(w.make_user("own")), self._name(w.make_user("own"))
        users.create_user(
            ctx, admin, group_id=pt, username="partner_op", display_name="Partner operator",
            password=PASSWORD, roles=[GrantRequest(Role.OPERATOR, pt)],
        )  # fmt: skip
        sup, _ = users.create_user(
            ctx, admin, group_id=w.groups["P"].id, username="partner_sup",
            display_name="Partner supervisor", password=PASSWORD,
            roles=[GrantRequest(Role.SUPERVISOR, w.groups["P"].id)],
        )  # fmt: skip
        self.partner = w.principal(sup.id)
        self.p = "partner_op"
        a, b, p = self.a, self.b, self.p
        care, sales, part = "Care line", "Sales line", "Partner line"
        records = [
            leg(1, care, "Care", at(24, 9, 0), R.TALKED, 10, 15, 120, a),
            leg(2, care, "Care", at(24, 9, 10), R.TALKED, 10, 30, 200, b),
            leg(3, care, "Care", at(24, 9, 20), R.ABANDONED, 10, None, 45),
            leg(4, care, "Care", at(24, 10, 5), R.TIMED_OUT, 5, None, 240),
            leg(5, care, "Care", at(24, 10, 30), R.TALKED, 5, 20, 100, a),
            leg(6, care, "Care", at(24, 7, 30), R.REFUSED, None, None, 8, None, "closed"),
            leg(7, care, "Care", at(24, 10, 40), R.REFUSED, None, None, 2, None,
                "queue Care full (40 waiting)"),
            leg(8, care, "Care", at(24, 11, 30), R.TALKED, 5, 12, 30, p),  # the partner answers
            leg(9, care, "Care", at(25, 9, 15), R.TALKED, 5, 5, 50, a),  # Wednesday
            leg(10, sales, "Sales", at(24, 9, 5), R.TALKED, 8, 15, 60, b),
            leg(11, sales, "Sales", at(24, 11, 0), R.VOICEMAIL, 8, None, 100),
            leg(12, part, "Partner", at(24, 9, 30), R.TALKED, 5, 10, 90, p),
            leg(13, None, "", at(24, 12, 0), R.REFUSED, None, None, 0, None,
                "no service on +390200000000"),
            leg(14, care, "Care", at(24, 12, 30), R.UNFINISHED, 5),  # still waiting at the stop
            leg(15, None, "Renewals", at(24, 9, 0), R.TALKED, 1, 1, 10, a, direction="outbound"),
            leg(16, care, "Care", at(26, 9, 0), R.TALKED, 5, 5, 50, a),  # after the period
            leg(17, care, "Care", at(23, 23, 59, 59.5), R.TALKED, 5, 5, 50, a),  # before it
            # served by the IVR alone: a message from the menu, a hang-up in the menu
            leg(18, care, "Care", at(24, 9, 40), R.MESSAGE, None, None, 30),
            leg(19, care, "Care", at(24, 10, 50), R.ABANDONED, None, None, 12),
        ]  # fmt: skip
        with ctx.uow() as uow:
            calls.save_calls(uow, self.company, records)
            uow.commit()

    def _name(self, user_id: int) -> str:
        with self.ctx.uow() as uow:
            u = uow.users.get(user_id)
            assert u is not None
            return u.username

    def query(self, **kw: object) -> ReportQuery:
        return ReportQuery(self.company, date(2026, 11, 24), date(2026, 11, 25), **kw)  # type: ignore[arg-type]


@pytest.fixture
def fx(ctx: ServiceContext) -> Fixture:
    return Fixture(ctx)


def figures(row: inbound.SummaryRow | inbound.BucketRow) -> tuple[object, ...]:
    f, s = row.figures, row.figures.stats
    return (
        f.received, s.answered, s.answered_in_target, s.unanswered, s.abandoned, s.refused,
        f.refused_closed, f.refused_full, s.talk, f.average_talk, f.average_wait,
        f.service_level,
    )  # fmt: skip


def test_service_summary_every_figure(fx: Fixture) -> None:
    rows = inbound.service_summary(fx.ctx, fx.w.admin(), fx.query())
    got = {r.name: figures(r) for r in rows}
    assert list(got) == ["(no service)", "Care line", "Partner line", "Sales line"]
    # received answered in-target unanswered lost refused closed full talk avg-talk avg-wait SL
    assert got["Care line"] == (7, 5, 4, 1, 1, 2, 1, 1, 500.0, 100.0, 16.4, 4 / 7)
    assert got["Sales line"] == (2, 1, 1, 1, 0, 0, 0, 0, 60.0, 60.0, 15.0, 0.5)
    assert got["Partner line"] == (1, 1, 1, 0, 0, 0, 0, 0, 90.0, 90.0, 10.0, 1.0)
    assert got["(no service)"] == (0, 0, 0, 0, 0, 1, 0, 0, 0.0, None, None, None)
    # the message and the hang-up in the menu (calls 18, 19) never reached a queue: apart,
    # not in the received calls nor the service level (the service-level check's terms)
    assert {r.name: r.figures.stats.ivr for r in rows} == {
        "(no service)": 0, "Care line": 2, "Partner line": 0, "Sales line": 0,
    }  # fmt: skip


def test_each_queue_is_judged_against_its_own_target(fx: Fixture) -> None:
    # a 15 s wait is within Sales' 15 s; the Care call answered after 20 s is within 20 s
    rows = {r.name: r for r in inbound.queue_summary(fx.ctx, fx.w.admin(), fx.query())}
    assert list(rows) == ["", "Care", "Partner", "Sales"]
    assert rows["Care"].figures.stats.target_seconds == 20
    assert rows["Sales"].figures.stats.target_seconds == 15
    assert figures(rows["Care"]) == (7, 5, 4, 1, 1, 2, 1, 1, 500.0, 100.0, 16.4, 4 / 7)


def test_detail_by_hour_of_one_day(fx: Fixture) -> None:
    q = ReportQuery(fx.company, date(2026, 11, 24), date(2026, 11, 24), BucketBy.HOUR)
    rows = inbound.service_detail(fx.ctx, fx.w.admin(), q)
    care = [r for r in rows if r.service == "Care line"]
    assert len(care) == 24 and len(rows) == 4 * 24  # every hour of every service with calls
    by_label = {r.bucket.label[11:16]: figures(r) for r in care}
    assert by_label["07:00"] == (0, 0, 0, 0, 0, 1, 1, 0, 0.0, None, None, None)
    assert by_label["09:00"] == (3, 2, 1, 0, 1, 0, 0, 0, 320.0, 160.0, 22.5, 1 / 3)
    assert by_label["10:00"] == (2, 1, 1, 1, 0, 1, 0, 1, 100.0, 100.0, 20.0, 0.5)
    assert by_label["11:00"] == (1, 1, 1, 0, 0, 0, 0, 0, 30.0, 30.0, 12.0, 1.0)
    assert by_label["12:00"][0] == 0  # the unfinished call is neither answered nor lost
    assert {k for k, v in by_label.items() if v[0] or v[5]} == {"07:00", "09:00", "10:00", "11:00"}


def test_detail_by_day_and_month(fx: Fixture) -> None:
    days = inbound.service_detail(fx.ctx, fx.w.admin(), fx.query(by=BucketBy.DAY))
    care = {r.bucket.label: figures(r)[:3] for r in days if r.service == "Care line"}
    assert care == {"2026-11-24": (6, 4, 3), "2026-11-25": (1, 1, 1)}
    months = inbound.service_detail(fx.ctx, fx.w.admin(), fx.query(by=BucketBy.MONTH))
    assert [(r.service, r.bucket.label, r.figures.received) for r in months] == [
        ("(no service)", "2026-11", 0), ("Care line", "2026-11", 7),
        ("Partner line", "2026-11", 1), ("Sales line", "2026-11", 2),
    ]  # fmt: skip


def test_weekday_and_hour_filters(fx: Fixture) -> None:
    wednesday = fx.query(filters=Filters(weekdays=frozenset({2})))
    rows = inbound.service_summary(fx.ctx, fx.w.admin(), wednesday)
    assert [(r.name, r.figures.received, r.figures.stats.talk) for r in rows] == [
        ("Care line", 1, 50.0)
    ]
    nine = fx.query(filters=Filters(hours=frozenset({9})))
    got = {r.name: figures(r)[:5] for r in inbound.service_summary(fx.ctx, fx.w.admin(), nine)}
    assert got == {
        "Care line": (4, 3, 2, 0, 1),  # calls 1, 2, 3 on Tuesday and 9 on Wednesday
        "Partner line": (1, 1, 1, 0, 0),
        "Sales line": (1, 1, 1, 0, 0),
    }
    hourly = inbound.service_detail(fx.ctx, fx.w.admin(), fx.query(by=BucketBy.HOUR,
                                    filters=Filters(frozenset({1}), frozenset({9, 10}))))  # fmt: skip
    assert sorted({r.bucket.label for r in hourly}) == [
        "2026-11-24 09:00 +01:00",
        "2026-11-24 10:00 +01:00",
    ]


def test_operators_per_service_and_services_per_operator(fx: Fixture) -> None:
    a, b, p = fx.a, fx.b, fx.p
    rows = inbound.operators_per_service(fx.ctx, fx.w.admin(), fx.query())
    got = {(r.service, r.operator): (r.answered, r.talk, r.average_talk, r.average_wait)
           for r in rows}  # fmt: skip
    assert got == {
        ("Care line", a): (3, 270.0, 90.0, pytest.approx(40 / 3)),
        ("Care line", b): (1, 200.0, 200.0, 30.0),
        ("Care line", p): (1, 30.0, 30.0, 12.0),
        ("Partner line", p): (1, 90.0, 90.0, 10.0),
        ("Sales line", b): (1, 60.0, 60.0, 15.0),
    }
    assert [(r.service, r.operator) for r in rows] == sorted(got)
    per_op = inbound.services_per_operator(fx.ctx, fx.w.admin(), fx.query())
    assert [(r.operator, r.service) for r in per_op] == sorted((o, s) for s, o in got)


def test_received_calls_one_row_each(fx: Fixture) -> None:
    rows = inbound.received_calls(fx.ctx, fx.w.admin(), fx.query())
    by_arrival = [6, 1, 10, 2, 3, 12, 18, 4, 5, 7, 19, 11, 8, 13, 14, 9]  # call ids
    assert [int(r.number[-2:]) for r in rows] == by_arrival
    first = rows[1]
    assert first.arrived.isoformat() == "2026-11-24T09:00:00+01:00"
    assert (first.service, first.queue, first.operator) == ("Care line", "Care", fx.a)
    assert first.result == "talked"
    assert (first.wait, first.talk) == (15.0, 120.0)
    assert (rows[0].result, rows[0].refused_reason, rows[0].wait) == ("refused", "closed", None)
    assert rows[-3].service == "(no service)"


def test_received_calls_over_the_limit_are_refused_with_their_number(
    fx: Fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A period holding more calls than the report lists is refused before any is read,
    naming how many; the count is the caller's own calls (a partner's limit is reached by
    its own calls only)."""
    monkeypatch.setattr(inbound, "MAX_LISTED", 15)
    with pytest.raises(InvalidInput) as e:
        inbound.received_calls(fx.ctx, fx.w.admin(), fx.query())
    assert e.value.field == "to"
    assert (
        "holds 16 calls, more than the received-calls list holds (15): download it as CSV"
        in str(e.value)
    )
    monkeypatch.setattr(inbound, "MAX_LISTED", 16)
    assert len(inbound.received_calls(fx.ctx, fx.w.admin(), fx.query())) == 16
    monkeypatch.setattr(inbound, "MAX_LISTED", 1)
    assert len(inbound.received_calls(fx.ctx, fx.partner, fx.query())) == 1


def test_received_calls_as_csv_stream_past_the_limit_with_the_sheet_s_text(
    fx: Fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CSV of the received calls is written as the legs are read, with no limit: the
    same text as the sheet's CSV, byte for byte, in several chunks; the command writes it
    past the limit too, and says how many rows."""
    import io

    import centralino.bootstrap

    full = io.StringIO()
    write_csv(
        full, sheets_mod.calls_sheet(inbound.received_calls(fx.ctx, fx.w.admin(), fx.query()))
    )
    monkeypatch.setattr(inbound, "MAX_LISTED", 3)
    req = request.ReportRequest.parse(fx.company, "calls", "2026-11-24", "2026-11-25")
    chunks = req.csv_stream(fx.ctx, fx.w.admin())
    assert chunks is not None
    assert "".join(chunks) == full.getvalue() and full.getvalue().count("\n") == 18
    sheet = sheets_mod.calls_sheet(
        list(inbound.received_calls_stream(fx.ctx, fx.w.admin(), fx.query()))
    )
    parts = list(xlsx.CsvChunks(sheet.columns, sheet.rows, lambda: sheet.totals, rows_per_chunk=5))
    assert len(parts) == 4 and "".join(parts) == full.getvalue()  # 5 + 5 + 5 + 1 and totals
    small = xlsx.CsvChunks(sheets_mod.CALLS_COLUMNS, [], lambda: None, rows_per_chunk=1)
    assert list(small) == [",".join(c.header for c in sheets_mod.CALLS_COLUMNS) + "\n"]
    assert (
        request.ReportRequest.parse(fx.company, "services", "2026-11-24", "2026-11-25").csv_stream(
            fx.ctx, fx.w.admin()
        )
        is None
    )  # the other reports are built whole
    with pytest.raises(Forbidden):  # the access is checked before the first row
        req.csv_stream(fx.ctx, fx.w.principal(fx.w.actors[Role.OPERATOR]))
    monkeypatch.setattr(centralino.bootstrap, "build_context", lambda: fx.ctx)
    out = tmp_path / "calls.csv"
    r = CliRunner().invoke(app, ["report", "calls", "--company", str(fx.company), "--from",
                                 "2026-11-24", "--to", "2026-11-25", "--out", str(out)])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert f"calls: 16 rows written to {out}" in r.output
    assert out.read_text(encoding="utf-8") == full.getvalue()
    r = CliRunner().invoke(app, ["report", "calls", "--company", str(fx.company), "--from",
                                 "2026-11-24", "--to", "2026-11-25", "--out", str(tmp_path / "c.xlsx")])  # fmt: skip
    assert r.exit_code != 0 and "holds 16 calls" in r.output and "CSV" in r.output


def test_a_partner_report_holds_no_parent_data(fx: Fixture) -> None:
    q = fx.query()
    summary = inbound.service_summary(fx.ctx, fx.partner, q)
    assert [(r.name, figures(r)) for r in summary] == [
        ("Partner line", (1, 1, 1, 0, 0, 0, 0, 0, 90.0, 90.0, 10.0, 1.0))
    ]
    # the partner's operator answered a call of the parent's Care queue: not theirs to see
    ops = inbound.operators_per_service(fx.ctx, fx.partner, q)
    assert [(r.service, r.operator, r.answered) for r in ops] == [("Partner line", fx.p, 1)]
    assert [r.service for r in inbound.received_calls(fx.ctx, fx.partner, q)] == ["Partner line"]
    detail = inbound.service_detail(fx.ctx, fx.partner, q)
    assert {r.service for r in detail} == {"Partner line"}
    sheets = build(fx.ctx, fx.partner, ["all"], q)
    text = repr([s.rows for s in sheets])
    assert "Care" not in text and "Sales" not in text and "no service" not in text


def test_who_may_read_reports(fx: Fixture) -> None:
    operator = fx.w.principal(fx.w.actors[Role.OPERATOR])
    with pytest.raises(Forbidden):
        inbound.service_summary(fx.ctx, operator, fx.query())
    with pytest.raises(NotFound):  # another company's statistics do not exist for them
        inbound.service_summary(fx.ctx, fx.partner, ReportQuery(fx.w.company_b, date(2026, 11, 24), date(2026, 11, 24)))  # fmt: skip
    team_leader: Principal = fx.w.principal(fx.w.actors[Role.TEAM_LEADER])  # S1: Care, Sales
    names = [r.name for r in inbound.service_summary(fx.ctx, team_leader, fx.query())]
    assert names == ["Care line", "Sales line"]


def test_calls_across_the_autumn_change_of_time(ctx: ServiceContext) -> None:
    w = build_world(ctx)
    t = lambda *a: datetime(2026, 10, 25, *a, tzinfo=UTC).timestamp()  # noqa: E731
    records = [
        leg(1, "S", "Q", t(0, 30), R.TALKED, 1, 1, 10),  # 02:30 summer time
        leg(2, "S", "Q", t(1, 30), R.TALKED, 1, 1, 10),  # 02:30 winter time
        leg(3, "S", "Q", t(1, 45), R.ABANDONED, 1, None, 5),  # 02:45 winter time
        leg(4, "S", "Q", t(22, 30), R.TALKED, 1, 1, 10),  # 23:30 on the 25th
        leg(5, "S", "Q", t(23, 30), R.TALKED, 1, 1, 10),  # 00:30 on the 26th
    ]
    with ctx.uow() as uow:
        calls.save_calls(uow, w.company_a, records)
        uow.commit()
    q = ReportQuery(w.company_a, date(2026, 10, 25), date(2026, 10, 25), BucketBy.HOUR)
    rows = inbound.service_detail(ctx, w.admin(), q)
    assert len(rows) == 25
    got = {r.bucket.label: (r.figures.received, r.figures.stats.answered) for r in rows
           if r.figures.received}  # fmt: skip
    assert got == {
        "2026-10-25 02:00 +02:00": (1, 1),
        "2026-10-25 02:00 +01:00": (2, 1),
        "2026-10-25 23:00 +01:00": (1, 1),
    }
    q = ReportQuery(w.company_a, date(2026, 10, 25), date(2026, 10, 26), BucketBy.DAY)
    days = {r.bucket.label: r.figures.received for r in inbound.service_detail(ctx, w.admin(), q)}
    assert days == {"2026-10-25": 4, "2026-10-26": 1}
    sunday_2am = Filters(frozenset({6}), frozenset({2}))
    q = ReportQuery(w.company_a, date(2026, 10, 25), date(2026, 10, 26), filters=sunday_2am)
    assert [r.figures.received for r in inbound.service_summary(ctx, w.admin(), q)] == [3]


def test_spreadsheet_and_csv_read_back(fx: Fixture, tmp_path: Path) -> None:
    sheets = build(fx.ctx, fx.w.admin(), ["all"], fx.query())
    assert [s.name for s in sheets][:7] == [  # then the outbound ones
        "Service summary", "Queue summary", "Detail per service", "Operators per service",
        "Services per operator", "Received calls", "Service levels",
    ]  # fmt: skip
    path = tmp_path / "r.xlsx"
    write_xlsx(path, sheets)
    book = CalamineWorkbook.from_path(str(path))
    summary = book.get_sheet_by_name("Service summary").to_python()
    assert summary[0][:3] == ["Service", "Received", "Answered"]
    care = next(r for r in summary if r[0] == "Care line")
    assert care[1:9] == [7, 5, 4, 1, 1, 2, 1, 1]
    assert summary[0][9] == "Ended in the IVR" and care[9] == 2
    assert care[10:13] == [timedelta(seconds=500), timedelta(seconds=100), timedelta(seconds=16.4)]
    assert care[13] == pytest.approx(4 / 7)
    total = summary[-1]
    assert total[0] == "Total" and total[1:10] == [10, 7, 6, 2, 1, 3, 1, 1, 2]
    assert total[10] == timedelta(seconds=650)
    assert total[11].total_seconds() == pytest.approx(650 / 7, abs=1e-3)  # to the millisecond
    assert total[13] == pytest.approx(6 / 10)
    assert summary[1][0] == "(no service)" and summary[1][11:14] == ["", "", ""]  # no averages
    calls_ = book.get_sheet_by_name("Received calls").to_python()
    assert calls_[2][:3] == [datetime(2026, 11, 24, 9, 0), "+01:00", "Care line"]
    assert calls_[-1][0] == "Total: 16 calls"
    ops = book.get_sheet_by_name("Operators per service").to_python()
    assert ops[-1][:4] == ["Total", "", 7, timedelta(seconds=650)]
    import io

    out = io.StringIO()
    write_csv(out, sheets[0])
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Service,Received,Answered,Answered in target,")
    assert lines[2] == "Care line,7,5,4,1,1,2,1,1,2,500,100,16.4,0.5714"
    assert lines[-1].startswith("Total,10,7,6,")


class _Rows:
    """A sheet's rows that only say how many they are (a million rows of a real report
    would take minutes to build here)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> list[object]:
        raise AssertionError("no row should be written")


def test_a_sheet_longer_than_a_worksheet_is_refused_not_cut(tmp_path: Path) -> None:
    """xlsxwriter drops rows past the 1,048,576th without a word: the request is refused,
    naming the sheet, and CSV (no such limit) is offered; the largest sheet that fits
    still goes through the check."""
    cols = [Column("Arrived")]
    fits = Sheet("Received calls", cols, _Rows(XLSX_ROWS - 2), totals=["Total"])
    request.check_format("xlsx", 1)
    assert too_long([fits]) is None
    over = Sheet("Received calls", cols, _Rows(XLSX_ROWS - 1), totals=["Total"])
    assert too_long([fits, over]) is over
    with pytest.raises(InvalidInput) as e:
        request.render([over], "xlsx")
    assert e.value.field == "format"
    assert "'Received calls' has 1,048,575 rows" in str(e.value) and "CSV" in str(e.value)
    with pytest.raises(ValueError, match="more than a worksheet holds"):
        write_xlsx(tmp_path / "x.xlsx", [over])
    assert not (tmp_path / "x.xlsx").exists()


def test_cli_writes_a_report(fx: Fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import centralino.bootstrap

    monkeypatch.setattr(centralino.bootstrap, "build_context", lambda: fx.ctx)
    runner = CliRunner()
    out = tmp_path / "detail.xlsx"
    r = runner.invoke(app, [
        "report", "detail", "--company", "Company A", "--from", "2026-11-24", "--to",
        "2026-11-25", "--by", "day", "--weekdays", "0-4", "--hours", "9-12", "--out", str(out),
    ])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert f"detail: 6 rows written to {out}" in r.output  # 3 services, 2 days
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Detail per service").to_python()
    care = [row[:4] for row in rows if row[0] == "Care line"]
    assert care == [["Care line", "2026-11-24", 6, 4], ["Care line", "2026-11-25", 1, 1]]
    csv_out = tmp_path / "services.csv"
    r = runner.invoke(app, ["report", "services", "--company", str(fx.company), "--from",
                            "2026-11-24", "--to", "2026-11-25", "--out", str(csv_out)])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "Care line,7,5,4,1,1,2,1,1,2,500,100,16.4,0.5714" in csv_out.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "unknown report 'nope'"),
        (["services", "--out", "x.pdf"], "must end in .xlsx or .csv"),
        (["all", "--out", "x.csv"], "several sheets"),
        (["services", "--by", "week"], "--by: 'week'"),
        (["services", "--from", "24/11/2026"], "--from: '24/11/2026' is not a date"),
        (["services", "--to", "2026-11-01"], "--to: the period ends before it starts"),
        (["services", "--weekdays", "1-9"], "--weekdays: '1-9'"),
        (["services", "--hours", "18-9"], "--hours: '18-9'"),
        (["services", "--company", "Nobody"], "--company: no company with the id or name"),
    ],
)
def test_cli_errors_are_one_line(
    fx: Fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    import centralino.bootstrap

    monkeypatch.setattr(centralino.bootstrap, "build_context", lambda: fx.ctx)
    base = {"--company": "Company A", "--from": "2026-11-24", "--to": "2026-11-25",
            "--out": str(tmp_path / "r.xlsx")}  # fmt: skip
    given = dict(zip(args[1::2], args[2::2], strict=True))
    argv = ["report", args[0]]
    for k, v in {**base, **given}.items():
        argv += [k, v if k != "--out" or "/" in v else str(tmp_path / v)]
    r = CliRunner().invoke(app, argv)
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert len(r.output.strip().splitlines()) == 1


SIM_DAY = """
[center]
name = "Report equivalence"
date = 2026-10-25
timezone = "Europe/Rome"
open = 08:00:00
hours = 3
seed = 5
drain_minutes = 30

[[queues]]
name = "care"
target_seconds = 20
max_wait = 120
max_length = 3
answer_timeout = 10
overflow = { kind = "voicemail", target = "care" }

[[queues]]
name = "sales"
target_seconds = 10
strategy = "fewest_calls"

[[services]]
name = "Line"
number = "+390699000"
queue = "care"
ivr = [
  { key = "1", queue = "care", share = 0.7 },
  { key = "2", queue = "sales", share = 0.3 },
]
arrivals = { per_hour = 140 }
talk = { dist = "exponential", mean = 150 }
patience = { dist = "exponential", mean = 90 }

[[teams]]
name = "Care"
count = 4
queues = ["care"]
wrap_up = { dist = "exponential", mean = 15 }

[[teams]]
name = "Sales"
count = 2
queues = ["sales"]
"""


def test_a_simulated_day_has_the_same_kpis_in_the_reports(ctx: ServiceContext) -> None:
    """The simulator's per-queue KPIs equal those the reports compute from the legs it stored."""
    from centralino.sim.runner import Simulation
    from centralino.sim.scenario import parse_scenario

    w = build_world(ctx)
    sc = parse_scenario(SIM_DAY)
    for sq in sc.queues:
        queues.create_queue(ctx, w.admin(), sq.name, w.groups["T1"].id,
                            {"target_seconds": sq.target_seconds})  # fmt: skip
    stored: list[CallRecord] = []
    result = Simulation(sc, on_record=stored.append).run()
    with ctx.uow() as uow:
        calls.save_calls(uow, w.company_a, stored)
        uow.commit()
    q = ReportQuery(w.company_a, date(2026, 10, 25), date(2026, 10, 25))
    rows = {r.name: r.figures for r in inbound.queue_summary(ctx, w.admin(), q)}
    for name, sim in result.queues.items():
        f = rows[name]
        ours = f.stats.summary()
        assert (f.received, f.stats.answered, f.stats.abandoned, f.stats.unanswered,
                f.stats.refused) == (sim["offered"], sim["answered"], sim["abandoned"],
                                     sim["unanswered"], sim["refused"]), name  # fmt: skip
        for key in ("service_level", "asa_seconds", "abandon_rate", "average_talk_seconds"):
            assert ours[key] == pytest.approx(sim[key], abs=1e-5), (name, key)
        assert f.service_level == pytest.approx(sim["service_level"], abs=1e-9)
    care = result.queues["care"]
    # the day exercised every kind of call
    assert care["answered"] and care["abandoned"] and care["unanswered"] and care["refused"]
    assert rows["care"].refused_full == care["refused"]  # the engine's reason is understood

"""List import on SQLite and PostgreSQL: every row read is imported or rejected with a
reason, bad files get one clear message, and nothing is silently dropped."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from centralino.domain.errors import Forbidden, NotFound
from centralino.domain.roles import Role
from centralino.imports.mapping import MappingError
from centralino.imports.pipeline import ImportState
from centralino.imports.readers import ImportFileError
from centralino.services import imports
from centralino.services.context import ServiceContext
from centralino.store.tables import contact_lists, import_jobs, import_rejections, records
from world import World, build_world


@pytest.fixture
def world(ctx: ServiceContext) -> World:
    return build_world(ctx)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[Any]], build: Any = None) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Contatti")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    if build:
        build(wb, ws)
    wb.close()
    return path


def write_ods(path: Path, rows: list[list[Any]]) -> Path:
    """A minimal OpenDocument spreadsheet, written by hand (no office suite needed)."""
    cells = []
    for row in rows:
        out = []
        for v in row:
            if isinstance(v, float | int):
                out.append(
                    f'<table:table-cell office:value-type="float" office:value="{v}">'
                    f"<text:p>{v}</text:p></table:table-cell>"
                )
            else:
                out.append(
                    f'<table:table-cell office:value-type="string"><text:p>{v}</text:p>'
                    "</table:table-cell>"
                )
        cells.append(f"<table:table-row>{''.join(out)}</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Lista">'
        f"{''.join(cells)}</table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return path


def stored(ctx: ServiceContext, campaign_id: int) -> dict[str, Any]:
    with ctx.uow() as uow:
        rows = uow.conn.execute(select(records).where(records.c.campaign_id == campaign_id)).all()
    return {r.phone: r for r in rows}


def report(ctx: ServiceContext, job_id: int) -> list[list[str]]:
    _, chunks = imports.error_report(ctx, None, job_id)
    text = "".join(chunks).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def assert_accounted(ctx: ServiceContext, job_id: int) -> Any:
    with ctx.uow() as uow:
        job = uow.conn.execute(select(import_jobs).where(import_jobs.c.id == job_id)).one()
        n_rej = uow.conn.execute(
            select(func.count()).where(import_rejections.c.job_id == job_id)
        ).scalar_one()
        n_rec = uow.conn.execute(
            select(func.count()).where(records.c.list_id == job.list_id)
        ).scalar_one()
    assert job.rows_imported + job.rows_rejected == job.rows_read
    assert n_rej == job.rows_rejected and n_rec == job.rows_imported
    return job


# --- CSV ---


def test_csv_import_normalises_keeps_extra_columns_and_reports_rejections(
    ctx: ServiceContext, world: World, tmp_path: Path
) -> None:
    cid = world.make_campaign("own")
    world.make_record(cid, phone="+390612345678")  # already in the campaign from another list
    now = ctx.now()
    with ctx.uow() as uow:
        company = world.company_a
        uow.dialing.add_dnc(company, None, "+393330000001", "test", now)
        uow.dialing.add_dnc(company, cid, "+393330000002", "test", now)
        uow.commit()
    f = write(
        tmp_path / "lista marzo.csv",
        "Nome;Cognome;Telefono;E-mail;Città;Note\n"
        "Mario;Rossi;333 123 4567;mario@example.it;Forlì;richiamare\n"
        "Anna;Bianchi;+39 333-765.4321 int. 12;non ha;Roma;\n"
        "Luca;Verdi;3,93331112222E+11;;Bari;\n"
        "Eva;Neri;3331234567;;;duplicate of row 2\n"
        ";;;;;\n"
        "Ugo;Gialli;ciao;;;\n"
        "Pia;Blu;0612345678;;;in the campaign already\n"
        "Ada;Rosa;333 0000001;;;company DNC\n"
        "Ivo;Viola;+393330000002;;;campaign DNC\n"
        "Zoe;Mora;;;;no number\n"
        "Tom;Smith;+48 601 234 567;;;Polish\n",
    )
    job = imports.import_file(ctx, None, cid, f)
    assert job.state is ImportState.DONE and job.percent == 100
    assert (job.rows_read, job.rows_imported, job.rows_rejected) == (11, 4, 7)
    assert "semicolon" in (job.message or "") and "UTF-8" in (job.message or "")
    assert_accounted(ctx, job.id)
    got = stored(ctx, cid)
    mario = got["+393331234567"]
    assert mario.name == "Mario Rossi" and mario.email == "mario@example.it"
    assert mario.timezone == "Europe/Rome" and mario.state == "new" and mario.row_number == 2
    assert mario.data == {
        "Nome": "Mario",
        "Cognome": "Rossi",
        "Città": "Forlì",
        "Note": "richiamare",
    }
    assert mario.phone_raw == "333 123 4567"
    anna = got["+393337654321"]
    assert anna.email is None and anna.data["E-mail"] == "non ha" and anna.data["extension"] == "12"
    assert "+393331112222" in got
    assert got["+48601234567"].timezone == "Europe/Warsaw"
    with ctx.uow() as uow:
        lst = uow.conn.execute(select(contact_lists).where(contact_lists.c.id == job.list_id)).one()
    assert lst.name == "lista marzo" and lst.columns[:3] == ["Nome", "Cognome", "Telefono"]
    rows = report(ctx, job.id)
    assert rows[0] == ["row", "column", "value", "reason"]
    by_row = {int(r[0]): r for r in rows[1:]}
    assert set(by_row) == {5, 6, 7, 8, 9, 10, 11}
    assert by_row[5][1:] == ["Telefono", "3331234567", "same number as row 2 of this file"]
    assert by_row[6][3] == "empty row"
    assert by_row[7][1:3] == ["Telefono", "ciao"] and "letters" in by_row[7][3]
    assert "already in the campaign" in by_row[8][3]
    assert by_row[9][3] == "on the company's do-not-call list"
    assert by_row[10][3] == "on this campaign's do-not-call list"
    assert by_row[11][3] == "no phone number"


def test_batches_find_duplicates_across_batches_and_report_progress(
    ctx: ServiceContext, world: World, tmp_path: Path
) -> None:
    cid = world.make_campaign("own")
    lines = ["telefono"] + [f"33312345{i % 7:02d}" for i in range(20)]
    f = write(tmp_path / "l.csv", "\n".join(lines) + "\n")
    seen: list[tuple[int, int]] = []
    job = imports.import_file(
        ctx, None, cid, f, batch_rows=3, on_progress=lambda j: seen.append((j.percent, j.rows_read))
    )
    assert (job.rows_imported, job.rows_rejected) == (7, 13)
    assert seen == sorted(seen) and seen[-1] == (100, 20) and len(seen) >= 7
    reasons = {r[0]: r[3] for r in report(ctx, job.id)[1:]}
    assert reasons["9"] == "same number as row 2 of this file"  # a later batch, from the database
    assert_accounted(ctx, job.id)


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("cp1252", ";"), ("utf-8-sig", ","), ("utf-16", "\t"), ("latin-1", "|"), ("utf-8", "\t")],
)
def test_encodings_and_delimiters(
    ctx: ServiceContext, world: World, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    cid = world.make_campaign("own")
    rows = [["Nominativo", "Cellulare", "Città"], ["Niccolò Àlberti", "3331234567", "Forlì"]]
    text = "\r\n".join(delimiter.join(r) for r in rows) + "\r\n"
    job = imports.import_file(ctx, None, cid, write(tmp_path / "x.csv", text, encoding))
    r = stored(ctx, cid)["+393331234567"]
    assert r.name == "Niccolò Àlberti" and r.data == {"Città": "Forlì"}
    assert job.rows_imported == 1


def test_a_few_lines_in_another_encoding_are_read_and_said(
    ctx: ServiceContext, world: World, tmp_path: Path
) -> None:
    cid = world.make_campaign("own")
    data = "telefono,città\n3331234567,Forlì\n".encode() + "3331234568,Cefalù\n".encode("cp1252")
    (tmp_path / "mixed.csv").write_bytes(data)
    job = imports.import_file(ctx, None, cid, tmp_path / "mixed.csv")
    assert job.rows_imported == 2 and "1 lines were not valid UTF-8" in (job.message or "")
    assert stored(ctx, cid)["+393331234568"].data == {"città": "Cefalù"}


def test_trailing_empty_rows_are_not_rows_but_said(
    ctx: ServiceContext, world: World, tmp_path: Path
) -> None:
    cid = world.make_campaign("own")
    job = imports.import_file(ctx, None, cid, write(tmp_path / "t.csv", "tel\n3331234567\n\n\n,\n"))
    assert (job.rows_read, job.rows_imported) == (1, 1)
    assert "3 empty rows after the last contact were ignored" in (job.message or "")


def test_sixty_columns_are_all_kept(ctx: ServiceContext, world: World, tmp_path: Path) -> None:
    cid = world.make_campaign("own")
    header = ["telefono"] + [f"campo {i}" for i in range(1, 60)]
    row = ["3331234567"] + [f"v{i}" for i in range(1, 60)]
    f = write(tmp_path / "wide.csv", ",".join(header) + "\n" + ",".join(row) + ",extra\n")
    job = imports.import_file(ctx, None, cid, f)
    data = stored(ctx, cid)["+393331234567"].data
    assert len(data) == 60 and data["campo 59"] == "v59" and data["column 61"] == "extra"
    with ctx.uow() as uow:
        cols = uow.conn.execute(
            select(contact_lists.c.columns).where(contact_lists.c.id == job.list_id)
        ).scalar_one()
    assert len(cols) == 60


# --- bad files: one clear message naming the file, nothing created ---


def _nothing_created(ctx: ServiceContext) -> None:
    with ctx.uow() as uow:
        assert uow.conn.execute(select(func.count()).select_from(import_jobs)).scalar_one() == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"\n\n  \n", "the file is empty"),
        (b";;;\n;;\n", "the file has no rows"),
        (b"3331234567,Mario\n3331234568,Anna\n", "the first row holds data ('3331234567')"),
        (b"\x00\x01\x02binary\x00junk" * 10, "neither a text (CSV) file nor"),
        (b'telefono,nome\n3331234567,"Mario\n' + b"x" * 140_000, "bad.csv, row 2: a quoted value"),
    ],
)
def test_unreadable_text_files(
    ctx: ServiceContext, world: World, tmp_path: Path, content: bytes, expected: str
) -> None:
    cid = world.make_campaign("own")
    (tmp_path / "bad.csv").write_bytes(content)
    with pytest.raises(ImportFileError) as err:
        imports.import_file(ctx, None, cid, tmp_path / "bad.csv")
    assert str(err.value).startswith("bad.csv") and expected in str(err.value)
    _nothing_created(ctx)


def test_a_problem_found_halfway_fails_the_job_and_keeps_the_count(
    ctx: ServiceContext, world: World, tmp_path: Path
) -> None:
    cid = world.make_campaign("own")
    good = "".join(f"33312{i:05d},x\n" for i in range(80))
    f = write(
        tmp_path / "half.csv",
        "telefono,nome\n" + good + '3339999999,"never closed\n' + "x" * 140_000,
    )
    job = imports.import_file(ctx, None, cid, f, batch_rows=30)
    assert job.state is ImportState.FAILED
    assert job.message and job.message.startswith("half.csv, row 82: a quoted value never ends")
    assert "stopped after 60 rows: 60 imported, 0 rejected" in job.message
    assert_accounted(ctx, job.id)


def test_missing_phone_column(ctx: ServiceContext, world: World, tmp_path: Path) -> None:
    cid = world.make_campaign("own")
    f = write(tmp_path / "n.csv", "Nome,Città\nMario,Roma\n")
    with pytest.raises(MappingError) as err:
        imports.import_file(ctx, None, cid, f)
    assert "no phone column" in str(err.value) and "'Nome', 'Città'" in str(err.value)
    _nothing_created(ctx)
    with pytest.raises(MappingError, match="no column named 'Tel'"):
        imports.import_file(ctx, None, cid, f, mapping={"phone": "Tel"})
    with pytest.raises(MappingError, match="unknown role 'telefono'"):
        imports.import_file(ctx, None, cid, f, mapping={"telefono": "Nome"})


def test_explicit_mapping_overrides_the_guess(
    ctx: ServiceContext, world: World, tmp_path: Path
) -> None:
    cid = world.make_campaign("own")
    f = write(tmp_path / "m.csv", "Telefono,Altro numero,Nome\n,3331234567,Mario\n")
    job = imports.import_file(ctx, None, cid, f, mapping={"phone": ["Telefono", "Altro numero"]})
    r = stored(ctx, cid)["+393331234567"]
    assert r.name == "Mario" and job.mapping["columns"]["phone"] == ["Telefono", "Altro numero"]


def test_truncated_xlsx(ctx: ServiceContext, world: World, tmp_path: Path) -> None:
    cid = world.make_campaign("own")
    good = write_xlsx(tmp_path / "ok.xlsx", [["telefono"], ["3331234567"]])
    (tmp_path / "cut.xlsx").write_bytes(good.read_bytes()[:700])
    with pytest.raises(ImportFileError) as err:
        imports.import_file(ctx, None, cid, tmp_path / "cut.xlsx")
    assert str(err.value).startswith("cut.xlsx: ")
    assert "damaged or truncated" in str(err.value)
    _nothing_created(ctx)


# --- spreadsheets ---


def test_xlsx_numbers_as_floats_lost_zeros_and_merged_headers(
    ctx: ServiceContext, world: World, tmp_path: Path
) -> None:
    cid = world.make_campaign("own")

    def build(wb: Any, ws: Any) -> None:
        ws.merge_range("A1:D1", "Lista clienti novembre")
        ws.merge_range("C2:D2", "Telefono")

    f = write_xlsx(
        tmp_path / "lista.xlsx",
        [
            [None, None, None, None],
            ["Nome", "Priorità", None, None],
            ["Mario", 7, 393331234567, None],
            ["Anna", 3, 612345678, 3331112222],  # 06... stored as a number: the 0 is lost
            ["Luca", "alta", 3337778888, None],
            ["Eva", 1.5, 3337778899, None],
        ],
        build,
    )
    job = imports.import_file(ctx, None, cid, f)
    got = stored(ctx, cid)
    assert got["+393331234567"].priority == 7 and got["+393331234567"].phone_raw == "393331234567"
    assert got["+390612345678"].data == {"Telefono (2)": "3331112222"}
    assert (job.rows_imported, job.rows_rejected) == (2, 2)
    msg = job.message or ""
    assert "row 1 ('Lista clienti novembre') looks like a title" in msg
    assert "header cells C2 and D2 are merged" in msg
    reasons = {r[0]: r[3] for r in report(ctx, job.id)[1:]}
    assert reasons == {
        "5": "priority must be a whole number from 0 to 100",
        "6": "priority must be a whole number from 0 to 100",
    }


def test_formula_cells_without_results_are_rejected_with_the_reason(
    ctx: ServiceContext, world: World, tmp_path: Path
) -> None:
    cid = world.make_campaign("own")

    def build(wb: Any, ws: Any) -> None:
        ws.write_formula("B2", '="333"&"1234567"', None, "3331234567")  # saved result: imported
        ws.write_formula("B3", '="333"&"7654321"')  # never calculated: XlsxWriter saves 0

    f = write_xlsx(tmp_path / "f.xlsx", [["nome", "telefono"], ["Mario"], ["Anna"]], build)
    job = imports.import_file(ctx, None, cid, f)
    assert (job.rows_imported, job.rows_rejected) == (1, 1)
    assert "the workbook has 2 formula cells" in (job.message or "")
    (row,) = report(ctx, job.id)[1:]
    assert row[:3] == ["3", "telefono", "0"] and "formula" in row[3]


def test_ods(ctx: ServiceContext, world: World, tmp_path: Path) -> None:
    cid = world.make_campaign("own")
    f = write_ods(tmp_path / "l.ods", [["Imię", "Numer telefonu"], ["Jan", 48601234567]])
    job = imports.import_file(ctx, None, cid, f)
    assert job.rows_imported == 1
    r = stored(ctx, cid)["+48601234567"]
    assert r.name == "Jan" and r.timezone == "Europe/Warsaw"


def test_dry_run_writes_nothing(ctx: ServiceContext, world: World, tmp_path: Path) -> None:
    cid = world.make_campaign("own")
    f = write(tmp_path / "d.csv", "tel\n3331234567\n3331234567\nxx\n")
    out = imports.dry_run(ctx, None, cid, f)
    assert (out.rows_read, out.rows_imported, out.rows_rejected) == (3, 1, 2)
    assert [r.row for r in out.rejections] == [3, 4]
    assert stored(ctx, cid) == {}
    _nothing_created(ctx)


def test_preview_shows_columns_guess_and_rows(
    ctx: ServiceContext, world: World, tmp_path: Path
) -> None:
    cid = world.make_campaign("own")
    f = write(tmp_path / "p.csv", "Nome;Cellulare\nMario;333 1234567\n")
    p = imports.preview(ctx, None, cid, f, "p.csv")
    assert p.columns == ["Nome", "Cellulare"] and p.mapping["phone"] == ["Cellulare"]
    assert p.rows == [["Mario", "333 1234567"]] and p.delimiter == ";"


def test_access(ctx: ServiceContext, world: World, tmp_path: Path) -> None:
    own, sibling = world.make_campaign("own"), world.make_campaign("sibling")
    f = write(tmp_path / "a.csv", "tel\n3331234567\n")
    leader = world.principal(world.actors[Role.TEAM_LEADER])
    operator = world.principal(world.actors[Role.OPERATOR])
    job = imports.import_file(ctx, leader, own, f)
    assert imports.get_job(ctx, leader, job.id).rows_imported == 1
    with pytest.raises(NotFound):
        imports.import_file(ctx, leader, sibling, f)
    with pytest.raises(NotFound):
        imports.get_job(ctx, operator, job.id)
    back_office = world.principal(world.actors[Role.BACK_OFFICE])
    assert imports.get_job(ctx, back_office, job.id).id == job.id
    with pytest.raises(Forbidden):
        imports.error_report(ctx, back_office, job.id)
    with pytest.raises(Forbidden):
        imports.import_file(ctx, back_office, own, f)


# --- the guarantee, over generated files ---

PHONE_CELLS = st.one_of(
    st.sampled_from(["3331234567", "+39 333 1234568", "0039 06 1234567", "612345678", "x", ""]),
    st.integers(min_value=3330000000, max_value=3330000040).map(str),
    st.integers(min_value=3330000000, max_value=3330000040).map(lambda n: f"{39}{n}.0"),
    st.text(alphabet="0123456789 +-.()abc", max_size=16),
)
ROWS = st.lists(
    st.tuples(PHONE_CELLS, st.text(alphabet="abcàèé ;,\"'\n", max_size=12)), max_size=40
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS, batch=st.integers(min_value=1, max_value=12), excel=st.booleans())
def test_imported_plus_rejected_is_rows_read(
    ctx: ServiceContext, world: World, tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str]], batch: int, excel: bool,
) -> None:  # fmt: skip
    cid = world.make_campaign("own")
    folder = tmp_path_factory.mktemp("gen")
    if excel:
        f = write_xlsx(folder / "g.xlsx", [["telefono", "note"], *[list(r) for r in rows]])
    else:
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";")
        w.writerow(["telefono", "note"])
        w.writerows(rows)
        f = write(folder / "g.csv", buf.getvalue())
    try:
        job = imports.import_file(ctx, None, cid, f, batch_rows=batch)
    except ImportFileError as exc:  # only a file with no row at all may be refused
        assert not any(a.strip() or b.strip() for a, b in rows), exc
        return
    row = assert_accounted(ctx, job.id)
    assert row.state == "done"
    rejected = report(ctx, job.id)[1:]
    assert all(r[3] for r in rejected) and len(rejected) == job.rows_rejected
    numbers = [int(r[0]) for r in rejected]
    assert len(numbers) == len(set(numbers))  # one reason per row


# --- the command line ---


def test_cli_imports_with_a_progress_bar_and_writes_the_error_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from centralino.bootstrap import build_context
    from centralino.imports.cli import app
    from centralino.services import campaigns
    from centralino.settings import Settings

    monkeypatch.setenv("CENTRALINO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CENTRALINO_PASSWORD_HASHING", "fast")
    monkeypatch.delenv("CENTRALINO_DATABASE_URL", raising=False)
    ctx = build_context(Settings())
    w = build_world(ctx)
    cid = campaigns.create_campaign(
        ctx, w.admin(), {"name": "cli", "group_id": w.groups["T1"].id}
    ).id
    f = write(tmp_path / "l.csv", "Nome;Cell;Note\nMario;333 1234567;x\nAnna;abc;\n")
    runner = CliRunner()
    r = runner.invoke(app, [str(f), "--campaign", str(cid), "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "1 would be imported, 1 rejected; nothing was written" in r.output
    errors = tmp_path / "errors.csv"
    r = runner.invoke(app, [str(f), "--campaign", str(cid), "--errors", str(errors)])
    assert r.exit_code == 0, r.output
    assert "2 rows read, 1 imported, 1 rejected" in r.output
    assert "3,Cell,abc,letters in a phone number" in errors.read_text(encoding="utf-8-sig")
    r = runner.invoke(app, [str(f), "--campaign", str(cid), "--map", "phone=Tel"])
    assert r.exit_code == 2 and "no column named 'Tel'" in r.output
    r = runner.invoke(app, [str(tmp_path / "missing.csv"), "--campaign", str(cid)])
    assert r.exit_code == 2 and "no such file" in r.output
    r = runner.invoke(app, [str(f), "--campaign", "999"])
    assert r.exit_code == 2 and "campaign 999 not found" in r.output


# --- awkward values survive the fast writers (COPY text, prepared JSON) ---


def test_tabs_backslashes_quotes_and_line_breaks_in_values_are_kept(
    ctx: ServiceContext, world: World, tmp_path: Path
) -> None:
    cid = world.make_campaign("own")
    awkward = 'a\tb \\ c "d" \\N e\r\nf\ng \u2028 h 😀 \x7f'
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(["Nominativo", "Telefono", "Note", "Città \\"])
    for i in range(5):
        w.writerow([f"Mario {i}", f"333 765432{i}", "", "Roma"])
    w.writerow([awkward, "333 1234567", awkward, "Forlì"])
    w.writerow(["Anna \\N", "\\N 3331234568", "", "\\"])
    job = imports.import_file(ctx, None, cid, write(tmp_path / "odd.csv", buf.getvalue()))
    assert (job.rows_imported, job.rows_rejected) == (6, 1), job.message
    got = stored(ctx, cid)["+393331234567"]
    assert got.name == awkward.strip() and got.data == {
        "Note": awkward.strip(),
        "Città \\": "Forlì",
    }
    assert got.phone_raw == "333 1234567" and got.email is None
    (row,) = report(ctx, job.id)[1:]
    assert row[:3] == ["8", "Telefono", "\\N 3331234568"]
    assert stored(ctx, cid)["+393337654320"].data == {"Città \\": "Roma"}


def test_numbers_already_in_the_campaign_are_reported_from_any_batch(
    ctx: ServiceContext, world: World, tmp_path: Path
) -> None:
    """The fallback of the fast writers: a batch with a number already there."""
    cid = world.make_campaign("own")
    first = write(tmp_path / "a.csv", "tel;nome\n3331234567;Mario\n3331234568;Anna\n")
    imports.import_file(ctx, None, cid, first, list_name="prima")
    lines = ["tel;nome"] + [f"33312346{i:02d};x{i}" for i in range(10)] + ["3331234568;y"]
    job = imports.import_file(
        ctx, None, cid, write(tmp_path / "b.csv", "\n".join(lines)), batch_rows=4
    )
    assert (job.rows_imported, job.rows_rejected) == (10, 1)
    (row,) = report(ctx, job.id)[1:]
    assert row[0] == "12" and row[3] == "already in the campaign (list 'prima', row 3)"
    assert stored(ctx, cid)["+393331234568"].name == "Anna"
    assert_accounted(ctx, job.id)


def test_a_large_file_with_lines_in_another_encoding_far_apart(
    ctx: ServiceContext, world: World, tmp_path: Path
) -> None:
    """Decoding goes by blocks of about a megabyte: a bad line in any block is read as
    Windows-1252 and counted, the other lines of its block stay UTF-8."""
    cid = world.make_campaign("own")
    out = io.BytesIO()
    out.write("\ufeffTelefono;Città;Note\n".encode())
    for i in range(40_000):
        line = f"33{i:08d};Forlì;{'x' * 40}\n"
        out.write(line.encode("cp1252" if i in (5, 25_000, 39_999) else "utf-8"))
    (tmp_path / "big.csv").write_bytes(out.getvalue()[:-1])  # no line break at the end
    job = imports.import_file(ctx, None, cid, tmp_path / "big.csv")
    assert (job.rows_read, job.rows_imported) == (40_000, 40_000), job.message
    assert "3 lines were not valid UTF-8" in (job.message or "")
    got = stored(ctx, cid)
    assert {got[f"+3933{i:08d}"].data["Città"] for i in (4, 5, 25_000, 39_999)} == {"Forlì"}


# --- batches written side by side still commit in file order ---


def test_batches_commit_in_file_order_even_when_an_earlier_one_is_slow(
    ctx: ServiceContext, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from centralino.store.repos.imports import ImportRepo

    cid = world.make_campaign("own")
    lines = ["telefono"] + [f"3331{i:06d}" for i in range(40)]
    f = write(tmp_path / "l.csv", "\n".join(lines) + "\n")
    saved: list[int] = []
    lock = threading.Lock()
    begin, end = ImportRepo.begin_batch, ImportRepo.end_batch

    started: list[int] = []

    def slow_first(self: ImportRepo, company_id: int, campaign_id: int) -> bool:
        with lock:
            started.append(len(started))
            first = len(started) == 1
        if first:
            time.sleep(0.3)  # the next batch, on the other writer, is done long before
        return begin(self, company_id, campaign_id)

    def record(self: ImportRepo, job_id: int, rejected: Any, counters: Any) -> None:
        with lock:
            saved.append(counters.rows_read)
        end(self, job_id, rejected, counters)

    monkeypatch.setattr(ImportRepo, "begin_batch", slow_first)
    monkeypatch.setattr(ImportRepo, "end_batch", record)
    progress: list[int] = []
    job = imports.import_file(
        ctx, None, cid, f, batch_rows=8, on_progress=lambda j: progress.append(j.rows_read)
    )
    assert job.state is ImportState.DONE and job.rows_imported == 40
    assert saved == [8, 16, 24, 32, 40]  # each batch's counters after the one before
    assert progress == sorted(progress) and progress[-1] == 40
    assert_accounted(ctx, job.id)


def test_a_failed_batch_stops_the_import_and_the_batches_after_it(
    ctx: ServiceContext, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from centralino.store.repos.imports import ImportRepo

    cid = world.make_campaign("own")
    lines = ["telefono"] + [f"3332{i:06d}" for i in range(40)]
    f = write(tmp_path / "l.csv", "\n".join(lines) + "\n")
    calls = []
    add = ImportRepo.add_prepared

    def fail_second(self: ImportRepo, prepared: Any) -> set[str]:
        calls.append(prepared.placed[0][0])
        if prepared.placed[0][0] == 10:  # the second batch: rows 10 to 17
            raise RuntimeError("disk full")
        return add(self, prepared)

    monkeypatch.setattr(ImportRepo, "add_prepared", fail_second)
    with pytest.raises(RuntimeError, match="disk full"):
        imports.import_file(ctx, None, cid, f, batch_rows=8)
    with ctx.uow() as uow:
        job = uow.conn.execute(select(import_jobs)).one()
    assert job.state == "failed" and job.rows_read == 8, job.message
    assert "internal error after 8 rows (8 imported, 0 rejected)" in job.message
    assert sorted(stored(ctx, cid)) == [f"+393332{i:06d}" for i in range(8)]
    assert_accounted(ctx, job.id)


def test_a_slow_earlier_batch_makes_the_next_one_start_again_after_it(
    ctx: ServiceContext, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch waits a bounded time for the one before, then rolls back and is written
    again once that one has committed: same result, same order."""
    import time

    from centralino.services.imports import _BatchWriter
    from centralino.store.repos.imports import ImportRepo

    cid = world.make_campaign("own")
    lines = ["telefono;nome"] + [f"3334{i:06d};n{i}" for i in range(24)] + ["3334000003;dup"]
    f = write(tmp_path / "l.csv", "\n".join(lines) + "\n")
    begin = ImportRepo.begin_batch
    calls: list[int] = []

    def slow_first(self: ImportRepo, company_id: int, campaign_id: int) -> bool:
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.6)
        return begin(self, company_id, campaign_id)

    monkeypatch.setattr(ImportRepo, "begin_batch", slow_first)
    monkeypatch.setattr(_BatchWriter, "PATIENCE", 0.1)
    job = imports.import_file(ctx, None, cid, f, batch_rows=8)
    assert (job.rows_read, job.rows_imported, job.rows_rejected) == (25, 24, 1)
    assert stored(ctx, cid)["+393334000010"].name == "n10"
    (row,) = report(ctx, job.id)[1:]
    assert row[0] == "26" and row[3] == "same number as row 5 of this file"
    assert_accounted(ctx, job.id)
    if ctx.engine.dialect.name == "postgresql":
        assert len(calls) > 4  # the second batch began twice (or more)


def test_a_lock_circle_through_two_writers_is_broken(
    ctx: ServiceContext, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batch 1 waits for a number someone else is inserting; that someone then waits for
    a number of batch 2, which waits for batch 1 to commit first. The database cannot
    see this circle (one link is in Python): batch 2 gives up after a while, and all ends
    well, the two numbers rejected as already in the campaign."""
    import threading

    from sqlalchemy import insert

    from centralino.services.imports import _BatchWriter
    from centralino.store.repos.imports import ImportRepo

    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("one writer on SQLite")
    cid = world.make_campaign("own")
    world.make_record(cid, phone="+393335999999")
    with ctx.uow() as uow:
        other_list = uow.conn.execute(
            select(records.c.list_id).where(records.c.phone == "+393335999999")
        ).scalar_one()
    q, p = "+393335000003", "+393335000012"  # rows 5 (batch 1) and 14 (batch 2)
    lines = ["telefono"] + [f"3335{i:06d}" for i in range(20)]
    f = write(tmp_path / "l.csv", "\n".join(lines) + "\n")
    add = ImportRepo.add_prepared
    batch_2_in = threading.Event()

    def signal(self: ImportRepo, prepared: Any) -> set[str]:
        out = add(self, prepared)
        if p in prepared.phones():
            batch_2_in.set()
        return out

    monkeypatch.setattr(ImportRepo, "add_prepared", signal)
    monkeypatch.setattr(_BatchWriter, "PATIENCE", 1.0)

    def row(phone: str) -> dict[str, Any]:
        return {
            "campaign_id": cid, "list_id": other_list, "row_number": 7, "phone": phone,
            "phone_raw": phone, "timezone": "Europe/Rome", "data": {}, "priority": 5,
            "state": "new", "attempts": 0, "created_at": ctx.now(),
        }  # fmt: skip

    done: list[Any] = []
    with ctx.engine.connect() as someone:
        someone.exec_driver_sql("SET statement_timeout = '30s'")  # begins the transaction
        someone.execute(insert(records).values(row(q)))
        worker = threading.Thread(
            target=lambda: done.append(imports.import_file(ctx, None, cid, f, batch_rows=8))
        )
        worker.start()
        assert batch_2_in.wait(20)
        someone.execute(insert(records).values(row(p)))  # waits for batch 2 to give up
        someone.commit()
    worker.join(30)
    assert done, "the import did not finish"
    job = done[0]
    assert (job.rows_read, job.rows_imported, job.rows_rejected) == (20, 18, 2)
    reasons = {r[0]: r[3] for r in report(ctx, job.id)[1:]}
    assert set(reasons) == {"5", "14"}
    assert all(r.startswith("already in the campaign (list 'list") for r in reasons.values())
    assert_accounted(ctx, job.id)


def test_batches_commit_without_waiting_for_the_disk_only_themselves(
    ctx: ServiceContext, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """synchronous_commit is off in each batch's transaction (SET LOCAL), nowhere else."""
    from sqlalchemy import text

    from centralino.store.repos.imports import ImportRepo

    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    cid = world.make_campaign("own")
    lines = ["telefono"] + [f"3336{i:06d}" for i in range(30)]
    f = write(tmp_path / "l.csv", "\n".join(lines) + "\n")
    seen: list[str] = []
    add = ImportRepo.add_prepared

    def look(self: ImportRepo, prepared: Any) -> set[str]:
        seen.append(self.conn.execute(text("SHOW synchronous_commit")).scalar_one())
        return add(self, prepared)

    monkeypatch.setattr(ImportRepo, "add_prepared", look)
    job = imports.import_file(ctx, None, cid, f, batch_rows=8)
    assert job.rows_imported == 30 and seen == ["off"] * 4
    with ctx.engine.connect() as conn:
        assert conn.execute(text("SHOW synchronous_commit")).scalar_one() == "on"


def test_many_rejections_in_a_batch_keep_their_values(
    ctx: ServiceContext, world: World, tmp_path: Path
) -> None:
    """A batch's rejections go by COPY when there are many: values with tabs, quotes,
    backslashes and line breaks come back as they were."""
    cid = world.make_campaign("own")
    odd = ["a\tb", 'q"q', "back\\slash \\N", "two\nlines", "x" * 600, "ünï cødé", "=1+2"]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(["telefono", "nome"])
    for i in range(40):
        w.writerow([f"{odd[i % len(odd)]} {i}", f"n{i}"])
    w.writerow(["3331234567", "ok"])
    job = imports.import_file(ctx, None, cid, write(tmp_path / "bad.csv", buf.getvalue()))
    assert (job.rows_imported, job.rows_rejected) == (1, 40)
    rows = report(ctx, job.id)[1:]
    assert [int(r[0]) for r in rows] == list(range(2, 42))
    values = [r[2] for r in rows]
    assert (
        values[0] == "a\tb 0" and values[2] == "back\\slash \\N 2" and values[3] == "two\nlines 3"
    )
    assert values[4].endswith("…") and len(values[4]) == 500 and values[6] == "'=1+2 6"
    assert_accounted(ctx, job.id)

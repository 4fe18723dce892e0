"""List imports over HTTP: multipart upload, job percent, error report, preview, bad input."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient
from helpers import bearer, login, problem

from centralino.services.context import ServiceContext
from world import build_world

CSV = "Nome;Cellulare;Città\nMario;333 1234567;Forlì\nAnna;abc;Roma\nEva;333 1234567;\n"


def _setup(ctx: ServiceContext, client: TestClient) -> tuple[int, dict[str, str]]:
    w = build_world(ctx)
    cid = w.make_campaign("own")
    return cid, login(client, "actor_team_leader")


def _file(text: str = CSV, name: str = "lista.csv") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, text.encode("utf-8"), "text/csv")}


def test_upload_runs_the_job_and_reports_rejections(
    ctx: ServiceContext, client: TestClient
) -> None:
    cid, h = _setup(ctx, client)
    r = client.post(f"/api/v1/campaigns/{cid}/imports", files=_file(), headers=h)
    assert r.status_code == 201, r.text
    job = r.json()
    assert r.headers["location"] == f"/api/v1/imports/{job['id']}"
    assert job["mapping"]["columns"]["phone"] == ["Cellulare"]
    r = client.get(f"/api/v1/imports/{job['id']}")  # the job ran after the response
    body = r.json()
    assert body["state"] == "done" and body["percent"] == 100
    assert (body["rows_read"], body["rows_imported"], body["rows_rejected"]) == (3, 1, 2)
    assert "semicolon" in body["message"]
    r = client.get(body["errors_url"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="lista-errors.csv"' in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows == [
        ["row", "column", "value", "reason"],
        ["3", "Cellulare", "abc", "letters in a phone number"],
        ["4", "Cellulare", "333 1234567", "same number as row 2 of this file"],
    ]
    listed = client.get(f"/api/v1/campaigns/{cid}/imports").json()
    assert [j["id"] for j in listed] == [job["id"]]


def test_upload_with_mapping_list_name_and_priority(
    ctx: ServiceContext, client: TestClient
) -> None:
    cid, h = _setup(ctx, client)
    text = "Tel;Altro;Chi\n;333 1234567;Mario\n"
    form = {
        "mapping": json.dumps({"phone": ["Tel", "Altro"], "name": "Chi"}),
        "list_name": "Novembre",
        "list_priority": "9",
    }
    r = client.post(f"/api/v1/campaigns/{cid}/imports", files=_file(text), data=form, headers=h)
    assert r.status_code == 201, r.text
    job = client.get(f"/api/v1/imports/{r.json()['id']}").json()
    assert job["rows_imported"] == 1 and job["mapping"]["columns"]["name"] == "Chi"


def test_bearer_tokens_need_no_csrf(ctx: ServiceContext, client: TestClient) -> None:
    w = build_world(ctx)
    cid = w.make_campaign("own")
    h = bearer(client, "actor_group_admin")
    r = client.post(f"/api/v1/campaigns/{cid}/imports", files=_file(), headers=h)
    assert r.status_code == 201, r.text


def test_bad_files_and_mappings_are_problems_naming_the_file(
    ctx: ServiceContext, client: TestClient
) -> None:
    cid, h = _setup(ctx, client)
    url = f"/api/v1/campaigns/{cid}/imports"
    body = problem(client.post(url, files=_file("", "vuoto.csv"), headers=h), 422)
    assert body["detail"] == "vuoto.csv: the file is empty"
    assert body["errors"] == [{"field": "file", "message": body["detail"]}]
    body = problem(client.post(url, files=_file("Nome;Città\nMario;Roma\n"), headers=h), 422)
    assert "no phone column" in body["detail"] and body["errors"][0]["field"] == "mapping"
    body = problem(client.post(url, files=_file(), data={"mapping": "{phone: x"}, headers=h), 422)
    assert body["detail"].startswith("mapping is not valid JSON")
    body = problem(client.post(url, files=_file(), data={"mapping": "[1]"}, headers=h), 422)
    assert "JSON object" in body["detail"]
    xlsx = {"file": ("cut.xlsx", b"PK\x03\x04" + b"\x00" * 200, "application/octet-stream")}
    body = problem(client.post(url, files=xlsx, headers=h), 422)
    assert body["detail"].startswith("cut.xlsx: ") and "damaged or truncated" in body["detail"]
    body = problem(client.post(url, headers=h), 422)
    assert body["errors"][0]["field"] == "file"
    problem(client.post(url, files=_file(), data={"list_priority": "500"}, headers=h), 422)
    assert client.get(f"/api/v1/campaigns/{cid}/imports").json() == []
    assert list((ctx.settings.data_dir / "imports").iterdir()) == []  # uploads cleaned up


def test_preview_guesses_without_importing(ctx: ServiceContext, client: TestClient) -> None:
    cid, h = _setup(ctx, client)
    r = client.post(f"/api/v1/campaigns/{cid}/imports/preview", files=_file(), headers=h)
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["columns"] == ["Nome", "Cellulare", "Città"] and p["delimiter"] == ";"
    assert p["mapping"]["phone"] == ["Cellulare"] and p["mapping_error"] is None
    assert p["rows"][0] == ["Mario", "333 1234567", "Forlì"] and p["encoding"] == "utf-8"
    r = client.post(
        f"/api/v1/campaigns/{cid}/imports/preview",
        files=_file("a;b\n1;2\n"), headers=h,
    )  # fmt: skip
    assert r.status_code == 200 and "no phone column" in r.json()["mapping_error"]
    assert client.get(f"/api/v1/campaigns/{cid}/imports").json() == []


def test_other_campaigns_and_jobs_are_not_found(ctx: ServiceContext, client: TestClient) -> None:
    w = build_world(ctx)
    own, sibling = w.make_campaign("own"), w.make_campaign("sibling")
    h = login(client, "sysadmin")
    job = client.post(f"/api/v1/campaigns/{sibling}/imports", files=_file(), headers=h).json()
    client.cookies.clear()
    h = login(client, "actor_team_leader")
    problem(client.post(f"/api/v1/campaigns/{sibling}/imports", files=_file(), headers=h), 404)
    problem(client.get(f"/api/v1/imports/{job['id']}"), 404)
    problem(client.get(f"/api/v1/imports/{job['id']}/errors.csv"), 404)
    problem(client.get("/api/v1/imports/999999"), 404)
    assert own

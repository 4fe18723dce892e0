"""Do-not-call lists over HTTP: add, search, page, delete, multipart import, bad input."""

from __future__ import annotations

from fastapi.testclient import TestClient
from helpers import login, problem

from centralino.services.context import ServiceContext
from world import World, build_world


def _setup(ctx: ServiceContext, client: TestClient) -> tuple[World, int, dict[str, str]]:
    w = build_world(ctx)
    return w, w.make_campaign("own"), login(client, "sysadmin")


def test_add_search_page_and_delete(ctx: ServiceContext, client: TestClient) -> None:
    w, cid, h = _setup(ctx, client)
    r = client.post("/api/v1/dnc", json={"phone": "06 1234 5678"}, headers=h)
    assert r.status_code == 201, r.text
    company = r.json()
    assert company["phone"] == "+390612345678" and company["campaign_id"] is None
    assert company["source"] == "manual" and company["company_id"] == w.company_a
    r = client.post(
        "/api/v1/dnc", json={"phone": "601 234 567", "campaign_id": cid, "region": "PL"}, headers=h
    )
    assert r.status_code == 201, r.text
    assert r.json()["phone"] == "+48601234567" and r.json()["campaign_id"] == cid
    for i in range(3):
        client.post(
            "/api/v1/dnc", json={"phone": f"+39333000000{i}", "campaign_id": cid}, headers=h
        )

    listed = client.get("/api/v1/dnc", params={"limit": 2}).json()
    assert listed["total"] == 5 and len(listed["items"]) == 2
    by_campaign = client.get("/api/v1/dnc", params={"campaign_id": cid}).json()
    assert by_campaign["total"] == 4
    assert client.get("/api/v1/dnc", params={"scope": "company"}).json()["total"] == 1
    found = client.get("/api/v1/dnc", params={"phone": "333 000"}).json()  # national, IT
    assert found["total"] == 3
    found = client.get("/api/v1/dnc", params={"phone": "+48"}).json()
    assert [e["phone"] for e in found["items"]] == ["+48601234567"]
    problem(client.get("/api/v1/dnc", params={"phone": "abc"}), 422)

    url = f"/api/v1/dnc/{company['id']}"
    assert client.get(url).json()["phone"] == "+390612345678"
    assert client.delete(url, headers=h).status_code == 204
    problem(client.get(url), 404)
    audit = client.get("/api/v1/audit", params={"entity": "dnc_entry"}).json()
    assert sorted(a["action"] for a in audit["items"]) == ["create"] * 5 + ["delete"]


def test_bad_input_and_duplicates(ctx: ServiceContext, client: TestClient) -> None:
    w, _, h = _setup(ctx, client)
    assert client.post("/api/v1/dnc", json={"phone": "+390612345678"}, headers=h).status_code == 201
    body = problem(client.post("/api/v1/dnc", json={"phone": "0612345678"}, headers=h), 409)
    assert "already" in body["detail"]
    problem(client.post("/api/v1/dnc", json={"phone": "not a phone"}, headers=h), 422)
    problem(client.post("/api/v1/dnc", json={"phone": "1", "extra": 1}, headers=h), 422)
    problem(client.post("/api/v1/dnc", json={"phone": "06", "campaign_id": 999999}, headers=h), 404)
    other = w.make_campaign("foreign")
    body = {"phone": "+390612345678", "campaign_id": other, "company_id": w.company_a}
    problem(client.post("/api/v1/dnc", json=body, headers=h), 422)


def test_team_leader_keeps_campaign_lists_but_not_the_company_list(
    ctx: ServiceContext, client: TestClient
) -> None:
    _, cid, _ = _setup(ctx, client)
    client.cookies.clear()
    h = login(client, "actor_team_leader")
    body = problem(client.post("/api/v1/dnc", json={"phone": "+390612345678"}, headers=h), 403)
    assert "root group" in body["detail"]
    r = client.post("/api/v1/dnc", json={"phone": "+390612345678", "campaign_id": cid}, headers=h)
    assert r.status_code == 201, r.text


def test_import_reports_added_present_and_rejected(ctx: ServiceContext, client: TestClient) -> None:
    _, cid, h = _setup(ctx, client)
    text = "numer;imie\n601 234 567;Jan\n601234567;Ola\nxyz;Ewa\n"
    files = {"file": ("opt-out.csv", text.encode(), "text/csv")}
    r = client.post(
        "/api/v1/dnc/import", files=files, data={"campaign_id": str(cid), "region": "PL"}, headers=h
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert (
        report["rows_read"],
        report["added"],
        report["already_present"],
        report["rejected"],
    ) == (
        3,
        1,
        1,
        1,
    )
    assert report["campaign_id"] == cid and report["region"] == "PL"
    assert report["rejections"] == [
        {"row": 4, "value": "xyz", "reason": "letters in a phone number"}
    ]
    assert report["rejections_truncated"] is False
    entries = client.get("/api/v1/dnc", params={"campaign_id": cid}).json()["items"]
    assert [(e["phone"], e["source"]) for e in entries] == [("+48601234567", "import:opt-out.csv")]

    bare = {"file": ("registro.txt", b"0612345678\r\n0612345679\r\n", "text/plain")}
    report = client.post("/api/v1/dnc/import", files=bare, headers=h).json()
    assert (report["added"], report["campaign_id"]) == (2, None)
    empty = {"file": ("empty.txt", b"", "text/plain")}
    problem(client.post("/api/v1/dnc/import", files=empty, headers=h), 422)
    problem(
        client.post("/api/v1/dnc/import", files=bare, data={"region": "X1"}, headers=h),
        422,
    )

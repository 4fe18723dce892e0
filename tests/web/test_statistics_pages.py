"""The statistics pages over HTTP on both databases: a report shown with its chart data and
download links, errors naming the field, the service-level dashboard with its verdicts,
the service-level form (saved, refused with the field, removed) and who sees what."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from test_campaign_pages import csrf_of, page_login

from centralino.domain.call_record import CallRecord, CallResult
from centralino.domain.roles import Role
from centralino.services import calls, inbound_services, queues, service_levels, users
from centralino.services.context import ServiceContext
from centralino.services.users import GrantRequest
from world import PASSWORD, World, build_world


def at(hh: int, mm: int) -> float:
    """Clock seconds of a local time on Monday 2026-11-23 in Rome (UTC+1)."""
    return datetime(2026, 11, 23, hh - 1, mm, tzinfo=UTC).timestamp()


def leg(
    n: int, service: str, queue: str, arrived: float, wait: float, answered: bool
) -> CallRecord:
    r = CallRecord(n, "inbound", queue, f"+39333{n:07d}", arrived, service=service)
    r.queued_at = arrived
    if answered:
        r.result, r.picked_up_at, r.ended_at = (
            CallResult.TALKED,
            arrived + wait,
            arrived + wait + 90,
        )
    else:
        r.result, r.ended_at = CallResult.ABANDONED, arrived + wait
    return r


@pytest.fixture
def world(ctx: ServiceContext) -> World:
    w = build_world(ctx)
    admin = w.admin()
    t1, pt = w.groups["T1"].id, w.groups["PT"].id
    queues.create_queue(ctx, admin, "Care", t1, {"target_seconds": 20})
    queues.create_queue(ctx, admin, "Partner", pt, {})
    for name, group, queue, number in (
        ("Care line", t1, "Care", "+390211110000"),
        ("Partner line", pt, "Partner", "+390211110001"),
    ):
        inbound_services.create_service(
            ctx, admin, {"name": name, "group_id": group, "numbers": [number], "queue": queue}
        )
    users.create_user(
        ctx, admin, group_id=w.groups["P"].id, username="partner_sup",
        display_name="Partner supervisor", password=PASSWORD,
        roles=[GrantRequest(Role.SUPERVISOR, w.groups["P"].id)],
    )  # fmt: skip
    records = [
        leg(1, "Care line", "Care", at(9, 0), 5, True),
        leg(2, "Care line", "Care", at(9, 10), 12, True),
        leg(3, "Care line", "Care", at(10, 5), 45, False),
        leg(4, "Partner line", "Partner", at(9, 30), 3, True),
    ]
    with ctx.uow() as uow:
        calls.save_calls(uow, w.company_a, records)
        uow.commit()
    return w


def _service_id(ctx: ServiceContext, w: World, name: str) -> int:
    with ctx.uow() as uow:
        s = uow.services.by_name(w.company_a, name)
        assert s is not None
        return s.id


def test_a_report_is_shown_with_its_chart_and_download_links(
    client: TestClient, world: World
) -> None:
    page_login(client, "actor_supervisor")
    html = client.get("/reports").text
    assert 'name="name"' in html and 'value="2026-11-01"' in html  # this month by default
    assert 'formaction="/api/v1/reports/run"' in html and 'value="xlsx"' in html
    r = client.get("/reports", params={"name": "detail", "from": "2026-11-23", "to": "2026-11-23"})
    assert r.status_code == 200
    html = r.text
    assert "Detail per service" in html and "Care line" in html
    assert "Partner line" not in html  # the supervisor of S1 does not read the partner
    charts = json.loads(re.search(r'id="chart-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    chart = charts[0]
    # every hour of the day; 09:00 (2 received, 2 answered within 20 s) and 10:00 (1 lost)
    assert len(chart["labels"]) == 24 and chart["labels"][9] == "2026-11-23 09:00 +01:00"
    pick = [chart[k][9:11] for k in ("received", "answered", "lost", "service_level")]
    assert pick == [[2, 1], [2, 0], [0, 1], [100.0, 0.0]]
    assert sum(chart["received"]) == 3 and chart["service_level"][8] is None
    assert '<script src="/static/vendor/chart.umd.js"' in html
    assert client.get("/static/vendor/chart.umd.js").status_code == 200  # served by the app
    # durations and percentages as in the spreadsheet
    r = client.get(
        "/reports", params={"name": "services", "from": "2026-11-23", "to": "2026-11-23"}
    )
    assert "66.7%" in r.text and "00:09" in r.text  # 2 of 3 in target; wait (5+12)/2 = 8.5 s
    bad = client.get("/reports", params={"name": "services", "hours": "18-9"}).text
    assert 'role="alert"' in bad and "<strong>hours</strong>" in bad
    assert 'id="r-hours" name="hours" value="18-9"' in bad  # what was entered stays


def test_all_reports_show_the_others_when_the_received_calls_are_too_many(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A period with more calls than the list holds: "all" shows every other sheet and,
    in the received calls' place, why and what to do; that report alone is the form's
    error."""
    from centralino.reports import inbound

    monkeypatch.setattr(inbound, "MAX_LISTED", 2)
    page_login(client, "actor_supervisor")
    period = {"from": "2026-11-23", "to": "2026-11-23"}
    html = client.get("/reports", params={"name": "all", **period}).text
    assert 'role="alert"' not in html
    assert "Detail per service" in html and "Service summary" in html and "Presence" in html
    notice = re.search(r'<p class="flash note" role="status">(.*?)</p>', html, re.S)
    assert notice is not None
    assert "holds 3 calls" in notice.group(1) and "download it as CSV" in notice.group(1)
    alone = client.get("/reports", params={"name": "calls", **period}).text
    assert 'role="alert"' in alone and "<strong>to</strong>" in alone and "holds 3 calls" in alone


def test_the_dashboard_shows_verdicts_and_the_form_sets_the_level(
    client: TestClient, world: World, ctx: ServiceContext
) -> None:
    care = _service_id(ctx, world, "Care line")
    page_login(client, "actor_group_admin")
    html = client.get("/service-levels").text
    assert "Care line" in html and "No service level set" in html and "Partner line" not in html
    token = csrf_of(html)
    form = {
        "csrf_token": token, "action": "save",
        "target_answer_within": "20", "target_answered_share": "80",
        "target_max_abandon_rate": "5", "target_max_average_wait": "",
        "minimum_answer_within": "30", "minimum_answered_share": "70",
        "minimum_max_abandon_rate": "", "minimum_max_average_wait": "",
    }  # fmt: skip
    r = client.post(f"/service-levels/{care}", data=form, follow_redirects=False)
    assert r.status_code == 303
    policy = service_levels.get_policy(ctx, world.admin(), care)
    assert policy is not None and policy.target.answered_share == pytest.approx(0.8)
    assert policy.target.max_abandon_rate == pytest.approx(0.05)
    assert policy.minimum.max_abandon_rate is None
    html = client.get("/service-levels").text
    # 3 offered: 2 within 20 s (66.7% < 70%): the minimum is missed
    assert "sl-level sl-missed" in html and "Minimum missed" in html
    data = json.loads(re.search(r'id="sl-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    item = next(i for i in data["items"] if i["service"] == "Care line")
    assert [(h["hour"], h["offered"]) for h in item["hours"]] == [(9, 2), (10, 1)]
    # a target easier than the minimum: refused, the field named, nothing stored
    worse = {**form, "target_answered_share": "60"}
    r = client.post(f"/service-levels/{care}", data=worse)
    assert "target.answered_share" in r.text
    assert service_levels.get_policy(ctx, world.admin(), care) == policy
    r = client.post(f"/service-levels/{care}", data={"csrf_token": token, "action": "clear"})
    assert "Service level removed." in r.text
    assert service_levels.get_policy(ctx, world.admin(), care) is None
    # without the CSRF token nothing changes
    r = client.post(f"/service-levels/{care}", data={**form, "csrf_token": "forged"})
    assert r.status_code == 403 and service_levels.get_policy(ctx, world.admin(), care) is None


def test_who_sees_which_services(client: TestClient, world: World, ctx: ServiceContext) -> None:
    page_login(client, "partner_sup")
    html = client.get("/service-levels").text
    assert "Partner line" in html and "Care line" not in html
    assert "Set the service level" not in html  # a supervisor reads, does not change
    care = _service_id(ctx, world, "Care line")
    token = csrf_of(html)
    r = client.post(
        f"/service-levels/{care}",
        data={"csrf_token": token, "action": "save", "target_answer_within": "20",
              "target_answered_share": "80", "minimum_answer_within": "30",
              "minimum_answered_share": "70"},
    )  # fmt: skip
    assert r.status_code == 404  # the parent's service does not exist for the partner
    client.cookies.clear()
    page_login(client, "actor_operator")
    assert client.get("/reports").status_code == 403
    assert client.get("/service-levels").status_code == 403


def test_the_client_portal_shows_its_own_campaigns_and_services_only(
    client: TestClient, world: World, ctx: ServiceContext
) -> None:
    from centralino.services import campaigns

    own = world.make_campaign("own")  # commissioned by the actor_client's client
    other = world.make_campaign("own")
    campaigns.update_campaign(ctx, world.admin(), other, {"client_id": None})
    care = _service_id(ctx, world, "Care line")
    inbound_services.update_service(ctx, world.admin(), care, {"client_id": world.clients["own"]})
    page_login(client, "actor_client")
    html = client.get("/").text
    assert 'id="portal-campaigns"' in html and 'id="portal-services"' in html
    assert f'href="/campaigns/{own}"' in html and f'href="/campaigns/{other}"' not in html
    assert "Care line" in html and "Partner line" not in html
    # the figures of its service today: 3 received, 2 of 3 within 20 s
    assert "66.7%" in html
    # everybody else sees no portal
    client.cookies.clear()
    page_login(client, "actor_supervisor")
    assert 'id="portal-campaigns"' not in client.get("/").text

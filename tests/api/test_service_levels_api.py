"""Service levels (QA-1) on SQLite and PostgreSQL: a service's minimum and target, the day's
figures and verdict against a hand-computed fixture, the live check's alerts (stored,
published, not repeated after a restart), the period verdicts, who sees what, and the API.

The day is Monday 2026-11-23 in Europe/Rome (UTC+1); the test clock says 10:00 local.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import login, problem

from centralino.domain.call_record import CallRecord, CallResult
from centralino.domain.reports import BucketBy
from centralino.domain.roles import Role
from centralino.domain.service_levels import Criteria, ServiceLevelPolicy
from centralino.reports import inbound
from centralino.reports.inbound import ReportQuery
from centralino.services import calls, inbound_services, queues, service_levels, users
from centralino.services.context import ServiceContext
from centralino.services.users import GrantRequest
from world import PASSWORD, World, build_world

R = CallResult
POLICY = ServiceLevelPolicy(
    minimum=Criteria(30, 0.70, max_abandon_rate=0.10),
    target=Criteria(20, 0.80, max_abandon_rate=0.05, max_average_wait=15),
)


def at(day: int, hh: int, mm: int) -> float:
    """Clock seconds of a local time in November 2026 in Rome (UTC+1)."""
    return datetime(2026, 11, day, hh - 1, mm, tzinfo=UTC).timestamp()


_ids = iter(range(1, 10_000))


def leg(service: str, queue: str, arrived: float, wait: float, answered: bool = True) -> CallRecord:
    """A call queued on arrival; answered after `wait` s (talk 60 s) or abandoned then."""
    n = next(_ids)
    r = CallRecord(n, "inbound", queue, f"+39333{n:07d}", arrived, service=service)
    r.queued_at = arrived
    if answered:
        r.result, r.picked_up_at, r.ended_at = R.TALKED, arrived + wait, arrived + wait + 60
    else:
        r.result, r.ended_at = R.ABANDONED, arrived + wait
    return r


class Fixture:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.w: World = build_world(ctx)
        w, admin = self.w, self.w.admin()
        self.company = w.company_a
        t1, pt = w.groups["T1"].id, w.groups["PT"].id
        queues.create_queue(ctx, admin, "Care", t1, {"target_seconds": 20})
        queues.create_queue(ctx, admin, "Partner", pt, {})
        self.care = self._service("Care line", t1, "Care", "+390211110000")
        self.partner_line = self._service("Partner line", pt, "Partner", "+390211110001")
        sup, _ = users.create_user(
            ctx, admin, group_id=w.groups["P"].id, username="partner_sup",
            display_name="Partner supervisor", password=PASSWORD,
            roles=[GrantRequest(Role.SUPERVISOR, w.groups["P"].id)],
        )  # fmt: skip
        self.partner = w.principal(sup.id)

    def _service(self, name: str, group: int, queue: str, number: str) -> int:
        data = {"name": name, "group_id": group, "numbers": [number], "queue": queue}
        return inbound_services.create_service(self.ctx, self.w.admin(), data).id

    def save(self, records: list[CallRecord]) -> None:
        with self.ctx.uow() as uow:
            calls.save_calls(uow, self.company, records)
            uow.commit()


@pytest.fixture
def fx(ctx: ServiceContext) -> Fixture:
    return Fixture(ctx)


def _by_name(days: list[service_levels.ServiceDay]) -> dict[str, dict[str, Any]]:
    return {d.service.name: d.as_json() for d in days}


def test_the_day_figures_and_verdict_match_the_hand_computed_ones(fx: Fixture) -> None:
    service_levels.set_policy(fx.ctx, fx.w.admin(), fx.care, POLICY)
    fx.save(
        [
            leg("Care line", "Care", at(23, 9, 0), 5),
            leg("Care line", "Care", at(23, 9, 10), 10),
            leg("Care line", "Care", at(23, 9, 20), 25),  # within the minimum's 30 s only
            leg("Care line", "Care", at(23, 9, 30), 40, answered=False),
            leg("Care line", "Care", at(23, 8, 5), 2),  # the 08:00 hour
            leg("Care line", "Care", at(22, 9, 0), 99, answered=False),  # the day before
            leg("Partner line", "Partner", at(23, 9, 0), 3),
        ]
    )
    day, days = service_levels.day_status(fx.ctx, fx.w.admin(), fx.company)
    assert day == date(2026, 11, 23)
    got = _by_name(days)
    assert set(got) == {"Care line", "Partner line"}
    care = got["Care line"]
    # 5 offered: 4 answered (waits 5, 10, 25, 2), 1 abandoned after 40 s
    assert care["figures"] == {
        "offered": 5, "answered": 4, "abandoned": 1, "refused": 0,
        "service_level": pytest.approx(3 / 5), "service_level_minimum": pytest.approx(4 / 5),
        "abandon_rate": pytest.approx(1 / 5), "average_wait": pytest.approx(42 / 4),
    }  # fmt: skip
    verdict = care["verdict"]
    # share: 80% in 30 s keeps the minimum (70%), 60% in 20 s misses the target (80%);
    # abandon 20% is over the minimum's 10%: missed; wait 10.5 s under 15 s: met
    assert verdict["level"] == "missed"
    assert [(c["criterion"], c["level"]) for c in verdict["checks"]] == [
        ("answered", "minimum"), ("abandoned", "missed"), ("wait", "met"),
    ]  # fmt: skip
    assert [(h["hour"], h["offered"], h["level"]) for h in care["hours"]] == [
        (8, 1, "met"), (9, 4, "missed"),
    ]  # fmt: skip
    # no service level set: figures against 20 s, no verdict
    assert got["Partner line"]["verdict"] is None and got["Partner line"]["policy"] is None
    assert got["Partner line"]["figures"]["service_level"] == 1.0


def test_a_partner_sees_only_its_own_services(fx: Fixture) -> None:
    service_levels.set_policy(fx.ctx, fx.w.admin(), fx.care, POLICY)
    fx.save(
        [leg("Care line", "Care", at(23, 9, 0), 5), leg("Partner line", "Partner", at(23, 9, 1), 5)]
    )
    _, days = service_levels.day_status(fx.ctx, fx.partner, fx.company)
    assert [d.service.name for d in days] == ["Partner line"]
    rows = service_levels.period_rows(
        fx.ctx, fx.partner, fx.company, date(2026, 11, 23), date(2026, 11, 23), BucketBy.DAY
    )
    assert rows == []  # its own service has no service level; the parent's is not shown
    assert service_levels.list_alerts(fx.ctx, fx.partner, fx.company) == []


def test_the_live_check_stores_and_publishes_each_change_once(
    fx: Fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    service_levels.set_policy(fx.ctx, fx.w.admin(), fx.care, POLICY)
    published: list[Any] = []
    monkeypatch.setattr(fx.ctx.bus, "publish", published.append)
    watch = service_levels.Watch(fx.ctx)
    fx.save([leg("Care line", "Care", at(23, 9, 0), w) for w in (5, 8, 10, 12)])
    first = watch.tick()
    assert [e.kind for e in first] == ["service_level.status", "service_level.alert"]
    assert first[1].payload["level"] == "met" and first[1].payload["previous"] == "no_calls"
    assert watch.tick() == []  # nothing new: nothing sent
    fx.save(
        [
            leg("Care line", "Care", at(23, 9, 40), 40, answered=False),
            leg("Care line", "Care", at(23, 9, 41), 50, answered=False),
            leg("Care line", "Care", at(23, 9, 42), 25),
        ]
    )
    second = watch.tick()
    alert = second[-1]
    assert alert.kind == "service_level.alert"
    assert (alert.payload["previous"], alert.payload["level"]) == ("met", "missed")
    assert alert.place is not None and alert.place.group_path == fx.w.groups["T1"].path
    # a restarted server resumes from the stored verdict: a status, no second alert
    again = service_levels.Watch(fx.ctx).tick()
    assert [e.kind for e in again] == ["service_level.status"]
    stored = service_levels.list_alerts(fx.ctx, fx.w.admin(), fx.company)
    assert [(a["previous"], a["level"]) for a in stored] == [("met", "missed"), ("no_calls", "met")]
    # the partner's supervisor may not read the parent's service: no event for them
    assert not any(e.visible_to(fx.partner) for e in [*first, *second, *again])
    assert published == [*first, *second, *again]


def test_the_live_check_adds_the_new_legs_to_the_day_it_keeps(
    fx: Fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each tick reads only the legs stored since the last one (none: nothing is read) and
    its day equals the whole day counted again; a changed service level counts the day
    again."""
    service_levels.set_policy(fx.ctx, fx.w.admin(), fx.care, POLICY)
    reads: list[Any] = []
    real = service_levels.legs_of_services
    monkeypatch.setattr(
        service_levels, "legs_of_services",
        lambda *a, **k: reads.append(a[5] if len(a) > 5 else None) or real(*a, **k),
    )  # fmt: skip
    watch = service_levels.Watch(fx.ctx)

    def kept() -> dict[str, Any]:
        return {sd.service.name: sd.as_json() for sd in watch._seen[fx.company].days.values()}

    def whole() -> dict[str, Any]:
        _, days = service_levels.day_status(fx.ctx, fx.w.admin(), fx.company)
        return {sd.service.name: sd.as_json() for sd in days}

    fx.save(
        [leg("Care line", "Care", at(23, 9, 0), 5), leg("Partner line", "Partner", at(23, 9, 1), 3)]
    )
    watch.tick()
    assert reads[-1][0] == 0 and kept() == whole()  # the whole day, the first time
    reads.clear()
    assert watch.tick() == [] and reads == []  # nothing stored since: nothing read
    for minute, wait in ((10, 30), (20, 4), (30, 60)):
        fx.save([leg("Care line", "Care", at(23, 9, minute), wait, answered=wait < 50),
                 leg("Care line", "Care", at(22, 9, minute), 2)])  # fmt: skip
        watch.tick()
        after, upto = reads[-1]
        assert after > 0 and upto > after  # only the legs stored since
        assert kept() == whole()
    care = kept()["Care line"]["figures"]
    assert (care["offered"], care["answered"], care["abandoned"]) == (4, 3, 1)
    reads.clear()
    service_levels.set_policy(fx.ctx, fx.w.admin(), fx.care, POLICY)  # the same again
    assert watch.tick() == [] and reads == []
    easier = ServiceLevelPolicy(minimum=Criteria(60, 0.5), target=Criteria(60, 0.7))
    service_levels.set_policy(fx.ctx, fx.w.admin(), fx.care, easier)
    assert watch.tick() and reads[-1][0] == 0 and kept() == whole()  # counted again
    service_levels.clear_policy(fx.ctx, fx.w.admin(), fx.care)  # no level left: not watched
    assert watch.tick() == [] and fx.company not in watch._seen


def test_period_verdicts_per_day_and_for_the_whole_period(fx: Fixture) -> None:
    service_levels.set_policy(fx.ctx, fx.w.admin(), fx.care, POLICY)
    fx.save(
        [
            leg("Care line", "Care", at(23, 9, 0), 5),
            leg("Care line", "Care", at(23, 9, 5), 6),
            leg("Care line", "Care", at(24, 9, 0), 28),
            leg("Care line", "Care", at(24, 9, 1), 29),
            leg("Care line", "Care", at(24, 9, 2), 50, answered=False),
        ]
    )
    rows = service_levels.period_rows(
        fx.ctx, fx.w.admin(), fx.company, date(2026, 11, 23), date(2026, 11, 24), BucketBy.DAY
    )
    got = [(r.service, r.bucket, r.tally.at_target.offered, r.tally.verdict().level.value)  # type: ignore[union-attr]
           for r in rows]  # fmt: skip
    assert got == [
        ("Care line", "2026-11-23", 2, "met"),
        # 0 of 3 within 20 s, 2 of 3 within 30 s (67% < 70%), a third abandoned
        ("Care line", "2026-11-24", 3, "missed"),
        ("Care line", "", 5, "missed"),  # 2 of 5 within 20 s, 4 of 5 within 30 s, 20% lost
    ]


def test_the_api_sets_checks_and_reports_service_levels(
    fx: Fixture, client: TestClient, ctx: ServiceContext
) -> None:
    csrf = login(client, "actor_group_admin")
    url = f"/api/v1/services/{fx.care}/service-level"
    assert client.get(url).json() == {"service_id": fx.care, "policy": None}
    bad = {
        "minimum": {"answer_within": 30, "answered_share": 0.7},
        "target": {"answer_within": 20, "answered_share": 0.6},
    }
    body = problem(client.put(url, json=bad, headers=csrf), 422)
    assert "target.answered_share" in str(body)
    body = problem(client.put(url, json={**bad, "extra": 1}, headers=csrf), 422)
    good = {"minimum": POLICY.minimum.as_json(), "target": POLICY.target.as_json()}
    r = client.put(url, json=good, headers=csrf)
    assert r.status_code == 200, r.text
    assert client.get(url).json()["policy"] == POLICY.as_json()
    fx.save([leg("Care line", "Care", at(23, 9, 0), 5)])
    status = client.get("/api/v1/service-levels").json()
    assert status["day"] == "2026-11-23"
    care = next(i for i in status["items"] if i["service"] == "Care line")
    assert care["verdict"]["level"] == "met" and care["group_path"] == fx.w.groups["T1"].path
    # the audit trail has the change
    audit = client.get("/api/v1/audit", params={"entity": "service_level"}).json()["items"]
    assert any(a["entity"] == "service_level" for a in audit)
    assert client.delete(url, headers=csrf).status_code == 204
    assert client.get(url).json()["policy"] is None
    # a team leader reads it but may not change it; an operator does not even see it
    client.cookies.clear()
    problem(client.put(url, json=good, headers=login(client, "actor_team_leader")), 403)
    client.cookies.clear()
    problem(client.put(url, json=good, headers=login(client, "actor_operator")), 404)


def test_the_service_level_spreadsheet(fx: Fixture, tmp_path: Any) -> None:
    from python_calamine import CalamineWorkbook

    from centralino.reports.inbound import ReportQuery
    from centralino.reports.sheets import build
    from centralino.reports.xlsx import write_xlsx

    service_levels.set_policy(fx.ctx, fx.w.admin(), fx.care, POLICY)
    fx.save([leg("Care line", "Care", at(23, 9, 0), 5), leg("Care line", "Care", at(23, 9, 1), 29)])
    q = ReportQuery(fx.company, date(2026, 11, 23), date(2026, 11, 23), BucketBy.DAY)
    out = tmp_path / "sl.xlsx"
    write_xlsx(out, build(fx.ctx, fx.w.admin(), ["service-levels"], q))
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Service levels").to_python()
    assert rows[0][:3] == ["Service", "Period", "Received"]
    day, whole = rows[1], rows[2]
    assert day[:6] == ["Care line", "2026-11-23", 2, 2, 0, 0.5]  # 1 of 2 within 20 s
    assert day[6:9] == ["80% in 20 s", 1.0, "70% in 30 s"]
    assert day[15:] == ["minimum kept, target missed", "answered: minimum, wait: minimum"]
    assert whole[1] == "Whole period" and whole[2] == 2


def test_reports_over_the_api_as_json_xlsx_and_csv(fx: Fixture, client: TestClient) -> None:
    from python_calamine import CalamineWorkbook

    service_levels.set_policy(fx.ctx, fx.w.admin(), fx.care, POLICY)
    fx.save(
        [leg("Care line", "Care", at(23, 9, 0), 5), leg("Partner line", "Partner", at(23, 9, 1), 7)]
    )
    login(client, "actor_group_admin")
    names = [r["name"] for r in client.get("/api/v1/reports").json()["items"]]
    assert {"services", "detail", "calls", "service-levels"} <= set(names)
    # JSON: the month so far by default (the test clock: 2026-11-23)
    r = client.get("/api/v1/reports/run", params={"name": "services"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["from"], body["to"]) == ("2026-11-01", "2026-11-23")
    rows = body["items"][0]["rows"]
    assert [row[:2] for row in rows] == [["Care line", 1]]  # the admin of S1: not the partner
    # xlsx, several sheets
    r = client.get("/api/v1/reports/run", params={"name": "all", "format": "xlsx",
                                                   "from": "2026-11-23", "to": "2026-11-23"})  # fmt: skip
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    book = CalamineWorkbook.from_filelike(__import__("io").BytesIO(r.content))
    assert "Service levels" in book.sheet_names
    # CSV of one report
    r = client.get("/api/v1/reports/run", params={"name": "service-levels", "format": "csv",
                                                   "by": "day"})  # fmt: skip
    assert r.status_code == 200 and r.text.splitlines()[1].startswith("Care line,2026-11-23,1,")
    # the received calls as CSV are streamed, past the list's limit; as JSON or xlsx refused
    limit = pytest.MonkeyPatch()
    limit.setattr(inbound, "MAX_LISTED", 0)
    try:
        r = client.get("/api/v1/reports/run", params={"name": "calls", "format": "csv"})
        assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
        lines = r.text.splitlines()
        assert lines[0].startswith("Arrived,UTC offset,Service") and lines[-1].startswith(
            "Total: 1 calls"
        )
        assert [line.split(",")[2] for line in lines[1:-1]] == ["Care line"]  # not the partner's
        for fmt in ("json", "xlsx"):
            body = problem(
                client.get("/api/v1/reports/run", params={"name": "calls", "format": fmt}), 422
            )
            assert "holds 1 calls" in str(body) and "to" in str(body), body
    finally:
        limit.undo()
    # errors name the parameter
    for params, field in [
        ({"name": "nope"}, "name"),
        ({"from": "2026-13-01"}, "from"),
        ({"from": "2026-11-20", "to": "2026-11-01"}, "to"),
        ({"by": "week"}, "by"),
        ({"weekdays": "8"}, "weekdays"),
        ({"hours": "18-9"}, "hours"),
        ({"format": "pdf"}, "format"),
        ({"name": "all", "format": "csv"}, "format"),
    ]:
        body = problem(client.get("/api/v1/reports/run", params=params), 422)
        assert field in str(body), (params, body)
    # the partner's supervisor: its own service only
    client.cookies.clear()
    login(client, "partner_sup")
    rows = client.get("/api/v1/reports/run", params={"name": "services"}).json()["items"][0]["rows"]
    assert [row[0] for row in rows] == ["Partner line"]


def test_calls_the_ivr_served_alone_are_not_judged_in_the_check_nor_the_reports(
    fx: Fixture,
) -> None:
    service_levels.set_policy(fx.ctx, fx.w.admin(), fx.care, POLICY)
    message = CallRecord(9001, "inbound", "", "+393330000001", at(23, 9, 0), service="Care line")
    message.result, message.ended_at = R.MESSAGE, at(23, 9, 1)  # the opening-hours message
    hung_up = CallRecord(
        9002, "inbound", "Care", "+393330000002", at(23, 9, 2), service="Care line"
    )
    hung_up.result, hung_up.ended_at = R.ABANDONED, at(23, 9, 3)  # in the menu
    closed = CallRecord(9003, "inbound", "Care", "+393330000003", at(23, 9, 4), service="Care line")
    closed.result, closed.refused_reason, closed.ended_at = R.REFUSED, "closed", at(23, 9, 4)
    fx.save([message, hung_up, closed, leg("Care line", "Care", at(23, 9, 5), 4),
             leg("Care line", "Care", at(23, 9, 6), 50, answered=False)])  # fmt: skip
    _, days = service_levels.day_status(fx.ctx, fx.w.admin(), fx.company)
    care = _by_name(days)["Care line"]
    assert care["figures"]["offered"] == 2 and care["figures"]["refused"] == 1
    assert care["figures"]["service_level"] == pytest.approx(1 / 2)
    # the reports count them the same way: the IVR's calls apart, one service level
    q = ReportQuery(fx.company, date(2026, 11, 23), date(2026, 11, 23))
    (row,) = [r for r in inbound.service_summary(fx.ctx, fx.w.admin(), q) if r.name == "Care line"]
    assert (row.figures.received, row.figures.stats.ivr, row.figures.stats.refused) == (2, 2, 1)
    assert row.figures.service_level == care["figures"]["service_level"]


def test_a_client_user_sees_the_reports_and_levels_of_its_own_services(
    fx: Fixture, client: TestClient
) -> None:
    """The client portal's statistics: the services serving its client, nothing else."""
    inbound_services.update_service(
        fx.ctx, fx.w.admin(), fx.care, {"client_id": fx.w.clients["own"]}
    )
    service_levels.set_policy(fx.ctx, fx.w.admin(), fx.care, POLICY)
    fx.save(
        [leg("Care line", "Care", at(23, 9, 0), 5), leg("Partner line", "Partner", at(23, 9, 1), 7)]
    )
    login(client, "actor_client")
    rows = client.get("/api/v1/reports/run", params={"name": "services"}).json()["items"][0]["rows"]
    assert [row[:2] for row in rows] == [["Care line", 1]]
    calls_rows = client.get("/api/v1/reports/run", params={"name": "calls"}).json()["items"][0][
        "rows"
    ]
    assert len(calls_rows) == 1 and calls_rows[0][2] == "Care line"
    status = client.get("/api/v1/service-levels").json()
    assert [i["service"] for i in status["items"]] == ["Care line"]
    # another client's user of the same company sees none of it
    other = fx.w.clients["sibling"]
    users.create_user(
        fx.ctx, fx.w.admin(), group_id=fx.w.groups["S2"].id, username="other_client",
        display_name="Other client", password=PASSWORD, client_id=other,
        roles=[GrantRequest(Role.CLIENT, fx.w.groups["S2"].id)],
    )  # fmt: skip
    client.cookies.clear()
    login(client, "other_client")
    rows = client.get("/api/v1/reports/run", params={"name": "services"}).json()["items"][0]["rows"]
    assert rows == []
    assert client.get("/api/v1/service-levels").json()["items"] == []

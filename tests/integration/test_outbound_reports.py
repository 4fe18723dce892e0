"""Outbound and presence reports (OUT-9) on SQLite and PostgreSQL: every figure against a
hand-computed fixture of attempts and operator states, a pause across midnight, the
spring change of time, a state still open at the end of the period, partner isolation,
the spreadsheets read back and the CLI.

The fixture days are Tuesday 2026-11-24 and Wednesday 25 in Europe/Rome (UTC+1).
Campaign Alpha (group T1, target 25 %) has lists L1 and L2; Beta belongs to the partner
(group PT, target 2 %). Operators: a (team T1), b (team T2), p (the partner's team PT).

| # | campaign, list | day time | operator | answered | connected | talk | outcome |
|---|---|---|---|---|---|---|---|
| 1 | Alpha L1 | 24 09:00 | a | +10 | +12 | 120 | positive |
| 2 | Alpha L1 | 24 09:10 | a | +5 | +6 | 30 | not_interested |
| 3 | Alpha L2 | 24 09:20 | b | +8 | +9 | 200 | completed |
| 4 | Alpha L2 | 24 09:30 | - | - | - | - | no_answer |
| 5 | Alpha L1 | 24 09:40 | - | +10 | - | - | abandoned |
| 6 | Alpha L1 | 24 10:00 | b | +5 | +5 | 45 | wrong_person |
| 7 | Alpha L2 | 25 09:00 | a | +5 | +6 | 60 | positive |
| 8 | Alpha L2 | 24 11:00 | b | +5 | +6 | open | (in progress) |
| 9 | Alpha L1 | 24 11:30 | p | +5 | +6 | 100 | completed |
| 10 | Beta LP | 24 09:00 | p | +5 | +6 | 90 | positive |
| 11 | Beta LP | 24 10:00 | p | +4 | +5 | 20 | not_interested |
| 12 | Alpha L1 | 23 23:30 | a | +5 | +6 | 50 | positive (before the period) |
| 13 | Alpha L1 | 26 09:00 | a | +5 | +6 | 50 | positive (after it) |
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import insert
from typer.testing import CliRunner

from centralino.cli import app
from centralino.domain.errors import Forbidden
from centralino.domain.reports import Filters
from centralino.domain.roles import Role
from centralino.reports.inbound import ReportQuery
from centralino.reports.outbound import OutboundBy, OutboundRow, outbound_report
from centralino.reports.presence import presence_report
from centralino.reports.sheets import REPORTS, build
from centralino.reports.xlsx import write_csv, write_xlsx
from centralino.services import calls, campaigns, users
from centralino.services.context import ServiceContext
from centralino.services.users import GrantRequest
from centralino.store.tables import contact_lists, records
from support import FakeClock
from world import PASSWORD, World, build_world

ROME = ZoneInfo("Europe/Rome")
MIN = 60.0


def local(day: int, hh: int, mm: int, month: int = 11, ss: int = 0) -> datetime:
    """An instant given in Rome's wall-clock time (2026)."""
    return datetime(2026, month, day, hh, mm, ss, tzinfo=ROME).astimezone(UTC)


def secs(day: int, hh: int, mm: int, month: int = 11) -> float:
    """The same instant in clock seconds, as presence times are."""
    return local(day, hh, mm, month).timestamp()


class Fixture:
    def __init__(self, ctx: ServiceContext, clock: FakeClock) -> None:
        clock.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
        self.ctx, self.clock = ctx, clock
        self.w: World = build_world(ctx)
        w, admin = self.w, self.w.admin()
        self.company = w.company_a
        t1, t2, pt = w.groups["T1"].id, w.groups["T2"].id, w.groups["PT"].id
        self.alpha = campaigns.create_campaign(
            ctx, admin, {"name": "Alpha", "group_id": t1, "positive_target": 0.25}
        ).id
        self.beta = campaigns.create_campaign(ctx, admin, {"name": "Beta", "group_id": pt}).id
        self.ids: dict[str, int] = {}
        for name, group in (("a", t1), ("b", t2), ("p", pt)):
            u, _ = users.create_user(
                ctx, admin, group_id=group, username=name, display_name=name.upper(),
                password=PASSWORD, roles=[GrantRequest(Role.OPERATOR, group)],
            )  # fmt: skip
            self.ids[name] = u.id
        sup, _ = users.create_user(
            ctx, admin, group_id=w.groups["P"].id, username="partner_sup",
            display_name="Partner supervisor", password=PASSWORD,
            roles=[GrantRequest(Role.SUPERVISOR, w.groups["P"].id)],
        )  # fmt: skip
        self.partner = w.principal(sup.id)
        l1, l2 = self._list(self.alpha, "L1"), self._list(self.alpha, "L2")
        lp = self._list(self.beta, "LP")
        A, B = self.alpha, self.beta
        self.n = 0
        plan: list[tuple[int, int, datetime, str | None, float | None, float | None,
                         float | None, str | None]] = [
            (A, l1, local(24, 9, 0), "a", 10, 12, 120, "positive"),
            (A, l1, local(24, 9, 10), "a", 5, 6, 30, "not_interested"),
            (A, l2, local(24, 9, 20), "b", 8, 9, 200, "completed"),
            (A, l2, local(24, 9, 30), None, None, None, 30, "no_answer"),
            (A, l1, local(24, 9, 40), None, 10, None, 3, "abandoned"),
            (A, l1, local(24, 10, 0), "b", 5, 5, 45, "wrong_person"),
            (A, l2, local(25, 9, 0), "a", 5, 6, 60, "positive"),
            (A, l2, local(24, 11, 0), "b", 5, 6, None, None),
            (A, l1, local(24, 11, 30), "p", 5, 6, 100, "completed"),
            (B, lp, local(24, 9, 0), "p", 5, 6, 90, "positive"),
            (B, lp, local(24, 10, 0), "p", 4, 5, 20, "not_interested"),
            (A, l1, local(23, 23, 30), "a", 5, 6, 50, "positive"),
            (A, l1, local(26, 9, 0), "a", 5, 6, 50, "positive"),
        ]  # fmt: skip
        with ctx.uow() as uow:
            for cid, lid, start, op, answered, connected, talk, outcome in plan:
                rid = self._record(uow, cid, lid)
                user = self.ids[op] if op else None
                aid = uow.dialing.open_attempt(cid, rid, "+39060000000", "predictive", {}, start,
                                               None)  # fmt: skip
                if answered is not None:
                    uow.dialing.mark_answered(aid, start + timedelta(seconds=answered))
                if connected is not None and user is not None:
                    uow.dialing.mark_connected(aid, start + timedelta(seconds=connected), user)
                if outcome is not None and talk is not None:
                    base = connected if connected is not None else 0
                    end = start + timedelta(seconds=base + talk)
                    uow.dialing.close_attempt(aid, end, outcome, outcome == "abandoned", None,
                                              None, user)  # fmt: skip
            uow.commit()
        self._states()

    def _list(self, campaign_id: int, name: str) -> int:
        with self.ctx.uow() as uow:
            lid = uow.conn.execute(
                insert(contact_lists).values(
                    campaign_id=campaign_id, name=name, priority=5, is_active=True,
                    columns=["phone"], created_at=self.ctx.now(),
                ).returning(contact_lists.c.id)
            ).scalar_one()  # fmt: skip
            uow.commit()
        return int(lid)

    def _record(self, uow: Any, campaign_id: int, list_id: int) -> int:
        self.n += 1
        return int(
            uow.conn.execute(
                insert(records).values(
                    campaign_id=campaign_id, list_id=list_id, row_number=self.n,
                    phone=f"+3906{self.n:08d}", phone_raw="06", name="Contact", email=None,
                    timezone="Europe/Rome", data={}, priority=5, state="done", attempts=1,
                    created_at=self.ctx.now(),
                ).returning(records.c.id)
            ).scalar_one()
        )  # fmt: skip

    def _states(self) -> None:
        log = [
            ("a", "ready", None, local(24, 8, 0)),
            ("a", "talking", None, local(24, 9, 0)),
            ("a", "wrap_up", None, local(24, 9, 10)),
            ("a", "ready", None, local(24, 9, 12)),
            ("a", "paused", "screen_break", local(24, 10, 0)),  # 20 min, limit 15: over
            ("a", "ready", None, local(24, 10, 20)),
            ("a", "paused", "lunch", local(24, 12, 0)),  # 30 min, limit 60
            ("a", "ready", None, local(24, 12, 30)),
            ("a", "logged_out", None, local(24, 13, 0)),
            ("a", "ready", None, local(24, 23, 0)),
            ("a", "paused", "coffee", local(24, 23, 50)),  # 30 min over midnight, limit 10
            ("a", "ready", None, local(25, 0, 20)),
            ("a", "logged_out", None, local(25, 1, 0)),
            ("b", "ready", None, local(24, 9, 0)),
            ("b", "paused", None, local(24, 9, 30)),  # 15 min without a reason
            ("b", "ready", None, local(24, 9, 45)),
            ("b", "reserved", None, local(24, 11, 0)),
            ("b", "talking", None, local(24, 11, 1)),
            ("b", "wrap_up", None, local(24, 11, 11)),
            ("b", "logged_out", None, local(24, 11, 15)),
            ("p", "logged_out", None, local(23, 18, 0)),
            ("p", "ready", None, local(24, 9, 0)),
            ("p", "paused", "training", local(24, 9, 30)),  # 30 min, no limit
            ("p", "ready", None, local(24, 10, 0)),  # and logged in to the end of the period
        ]
        with self.ctx.uow() as uow:
            calls.log_states(uow, self.company, [(u, s, r, at.timestamp()) for u, s, r, at in log])
            uow.commit()

    def query(self, **kw: Any) -> ReportQuery:
        return ReportQuery(self.company, date(2026, 11, 24), date(2026, 11, 25), **kw)


@pytest.fixture
def fx(ctx: ServiceContext, clock: FakeClock) -> Fixture:
    return Fixture(ctx, clock)


def figures(r: OutboundRow) -> tuple[object, ...]:
    f = r.figures
    return (
        f.attempts, f.answered, f.contacts, f.abandoned, f.abandon_rate, f.positive,
        f.positive_rate, r.target_met, f.talk, f.average_talk, f.negative_talk,
    )  # fmt: skip


def presence_of(r: OutboundRow) -> tuple[object, ...]:
    return (len(r.operators), r.presence.logged_in, r.presence.paused, r.presence.pause_count)


# presence over both days, in seconds: a 6 h + 1 h, b 2 h 15, p 15 h + 24 h
A_LOGGED, B_LOGGED, P_LOGGED = 420 * MIN, 135 * MIN, 2340 * MIN
A_PAUSED, B_PAUSED, P_PAUSED = 80 * MIN, 15 * MIN, 30 * MIN


def test_campaign_summary_every_figure(fx: Fixture) -> None:
    rep = outbound_report(fx.ctx, fx.w.admin(), fx.query(), OutboundBy.CAMPAIGN)
    got = {r.campaign: figures(r) for r in rep.rows}
    assert list(got) == ["Alpha", "Beta"]
    # attempts answered contacts abandoned rate positive rate met talk avg negative-talk
    assert got["Alpha"] == (9, 8, 6, 1, 1 / 8, 2, 2 / 6, True, 555.0, 92.5, 75.0)
    assert got["Beta"] == (2, 2, 2, 0, 0.0, 1, 0.5, True, 110.0, 55.0, 20.0)
    alpha, beta = rep.rows
    assert (alpha.target, beta.target) == (0.25, 0.02)
    assert {c: t.count for c, t in alpha.figures.outcomes.items()} == {
        "positive": 2, "not_interested": 1, "completed": 2, "no_answer": 1, "abandoned": 1,
        "wrong_person": 1, "": 1,
    }  # fmt: skip
    assert presence_of(alpha) == (
        3,
        A_LOGGED + B_LOGGED + P_LOGGED,
        A_PAUSED + B_PAUSED + P_PAUSED,
        5,
    )
    assert presence_of(beta) == (1, P_LOGGED, P_PAUSED, 1)
    # the whole: each operator's presence once, though p worked on both campaigns
    assert (rep.total.attempts, rep.total.contacts, rep.total.positive, rep.total.talk) == (
        11,
        8,
        3,
        665.0,
    )
    assert rep.presence.logged_in == A_LOGGED + B_LOGGED + P_LOGGED
    assert len(rep.operators) == 3


def test_per_list_group_and_operator(fx: Fixture) -> None:
    admin, q = fx.w.admin(), fx.query()
    lists = {
        (r.campaign, r.name): figures(r)
        for r in outbound_report(fx.ctx, admin, q, OutboundBy.LIST).rows
    }
    assert lists == {
        ("Alpha", "L1"): (5, 5, 4, 1, 0.2, 1, 0.25, True, 295.0, 73.75, 75.0),
        ("Alpha", "L2"): (4, 3, 2, 0, 0.0, 1, 0.5, True, 260.0, 130.0, 0.0),
        ("Beta", "LP"): (2, 2, 2, 0, 0.0, 1, 0.5, True, 110.0, 55.0, 20.0),
    }
    group_rows = outbound_report(fx.ctx, admin, q, OutboundBy.GROUP).rows
    groups = {(r.campaign, r.name): figures(r) for r in group_rows}
    assert list(groups) == [("Alpha", "PT"), ("Alpha", "T1"), ("Alpha", "T2"),
                            ("Alpha", "(no operator)"), ("Beta", "PT")]  # fmt: skip
    assert groups[("Alpha", "T1")] == (3, 3, 3, 0, 0.0, 2, 2 / 3, True, 210.0, 70.0, 30.0)
    assert groups[("Alpha", "T2")] == (3, 3, 2, 0, 0.0, 0, 0.0, False, 245.0, 122.5, 45.0)
    assert groups[("Alpha", "PT")] == (1, 1, 1, 0, 0.0, 0, 0.0, False, 100.0, 100.0, 0.0)
    assert groups[("Alpha", "(no operator)")] == (2, 1, 0, 1, 1.0, 0, None, None, 0.0, None, 0.0)
    ops = {
        (r.campaign, r.name): r for r in outbound_report(fx.ctx, admin, q, OutboundBy.OPERATOR).rows
    }
    assert {k: figures(r) for k, r in ops.items() if k[1] != "(no operator)"} == {
        ("Alpha", "a"): groups[("Alpha", "T1")],
        ("Alpha", "b"): groups[("Alpha", "T2")],
        ("Alpha", "p"): groups[("Alpha", "PT")],
        ("Beta", "p"): (2, 2, 2, 0, 0.0, 1, 0.5, True, 110.0, 55.0, 20.0),
    }
    assert [ops[("Alpha", n)].group for n in "abp"] == ["T1", "T2", "PT"]
    assert presence_of(ops[("Alpha", "a")]) == (1, A_LOGGED, A_PAUSED, 3)
    assert presence_of(ops[("Alpha", "b")]) == (1, B_LOGGED, B_PAUSED, 1)
    assert presence_of(ops[("Alpha", "(no operator)")]) == (0, 0.0, 0.0, 0)


def test_abandon_rate_is_the_compliance_reports(fx: Fixture) -> None:
    from centralino.services.compliance import compliance_report

    whole = compliance_report(fx.ctx, fx.w.admin(), fx.alpha)["windows"]["campaign"]  # type: ignore[index]
    q = ReportQuery(fx.company, date(2026, 11, 23), date(2026, 11, 26))  # every attempt
    alpha = outbound_report(fx.ctx, fx.w.admin(), q, OutboundBy.CAMPAIGN).rows[0]
    assert (
        (alpha.figures.answered, alpha.figures.abandoned)
        == (whole["answered"], whole["abandoned"])
        == (10, 1)
    )


def test_hour_filter_keeps_attempts_by_local_start(fx: Fixture) -> None:
    q = fx.query(filters=Filters(hours=frozenset({9})))
    rows = {
        r.campaign: r.figures
        for r in outbound_report(fx.ctx, fx.w.admin(), q, OutboundBy.CAMPAIGN).rows
    }
    assert (rows["Alpha"].attempts, rows["Beta"].attempts) == (6, 1)  # 1-5 and 7; 10


def test_presence_per_operator_and_day(fx: Fixture) -> None:
    rep = presence_report(fx.ctx, fx.w.admin(), fx.query())
    got = {(r.operator, r.day.isoformat()): r.presence for r in rep.rows}
    assert list(got) == [("a", "2026-11-24"), ("a", "2026-11-25"), ("b", "2026-11-24"),
                         ("p", "2026-11-24"), ("p", "2026-11-25")]  # fmt: skip
    a24 = got[("a", "2026-11-24")]
    assert a24.first_login == secs(24, 8, 0)
    assert a24.last_logout == secs(25, 0, 0)  # logged in across midnight
    assert (a24.logged_in, a24.ready, a24.connecting, a24.talking, a24.wrap_up, a24.paused) == (
        360 * MIN,
        288 * MIN,
        0.0,
        10 * MIN,
        2 * MIN,
        60 * MIN,
    )
    assert a24.pause_time == {"screen_break": 20 * MIN, "lunch": 30 * MIN, "coffee": 10 * MIN}
    assert a24.pauses == {"screen_break": 1, "lunch": 1, "coffee": 1}
    assert a24.over_limit == {"screen_break": 1, "lunch": 0, "coffee": 1}  # coffee: 30 min in all
    a25 = got[("a", "2026-11-25")]
    assert (a25.first_login, a25.last_logout) == (secs(25, 0, 0), secs(25, 1, 0))
    assert (a25.logged_in, a25.ready, a25.paused) == (60 * MIN, 40 * MIN, 20 * MIN)
    assert (a25.pause_time, a25.pause_count) == ({"coffee": 20 * MIN}, 0)  # counted on the 24th
    b24 = got[("b", "2026-11-24")]
    assert (b24.first_login, b24.last_logout) == (secs(24, 9, 0), secs(24, 11, 15))
    assert (b24.logged_in, b24.ready, b24.connecting, b24.talking, b24.wrap_up, b24.paused) == (
        135 * MIN,
        105 * MIN,
        1 * MIN,
        10 * MIN,
        4 * MIN,
        15 * MIN,
    )
    assert (b24.pauses, b24.over_limit) == ({"": 1}, {"": 0})
    p24, p25 = got[("p", "2026-11-24")], got[("p", "2026-11-25")]
    assert (p24.logged_in, p24.ready, p24.paused, p24.pauses) == (
        900 * MIN,
        870 * MIN,
        30 * MIN,
        {"training": 1},
    )
    assert (p25.logged_in, p25.first_login, p25.last_logout) == (
        1440 * MIN,
        secs(25, 0, 0),
        secs(26, 0, 0),
    )
    assert [(r.code, r.label, r.limit_seconds) for r in rep.reasons] == [
        ("screen_break", "Screen break (626)", 900.0), ("lunch", "Lunch", 3600.0),
        ("coffee", "Coffee", 600.0), ("training", "Training", None), ("", "(no reason)", None),
    ]  # fmt: skip


def test_a_state_open_at_the_end_counts_up_to_now(fx: Fixture) -> None:
    fx.clock.now = local(25, 12, 0)
    rep = presence_report(fx.ctx, fx.w.admin(), fx.query())
    got = {(r.operator, r.day.isoformat()): r.presence for r in rep.rows}
    p25 = got[("p", "2026-11-25")]
    assert (p25.logged_in, p25.last_logout) == (720 * MIN, secs(25, 12, 0))
    assert got[("a", "2026-11-25")].logged_in == 60 * MIN


def test_presence_within_the_kept_hours(fx: Fixture) -> None:
    q = fx.query(filters=Filters(weekdays=frozenset({1}), hours=frozenset({9, 10, 11})))
    rep = presence_report(fx.ctx, fx.w.admin(), q)
    a24 = next(r.presence for r in rep.rows if r.operator == "a")
    assert [r.day.isoformat() for r in rep.rows] == ["2026-11-24"] * 3  # Tuesday only
    assert (a24.first_login, a24.last_logout) == (secs(24, 9, 0), secs(24, 12, 0))
    assert (a24.logged_in, a24.ready, a24.paused) == (180 * MIN, 148 * MIN, 20 * MIN)
    assert a24.pauses == {"screen_break": 1}  # lunch starts at 12:00, outside


def test_spring_change_of_time(ctx: ServiceContext, clock: FakeClock) -> None:
    """29 March 2026 has 23 hours in Rome: a lunch from 01:30 (+01:00) to 03:30 (+02:00)
    lasts one hour, and a coffee open at the end of the day is judged on its whole length."""
    clock.now = datetime(2026, 4, 1, tzinfo=UTC)
    w = build_world(ctx)
    uid = w.make_user("own")
    with ctx.uow() as uow:
        name = uow.users.get(uid).username  # type: ignore[union-attr]
        log = [
            ("ready", None, local(28, 22, 0, 3)),
            ("paused", "lunch", local(29, 1, 30, 3)),
            ("ready", None, local(29, 3, 30, 3)),
            ("paused", "coffee", local(29, 23, 55, 3)),
            ("ready", None, local(30, 0, 30, 3)),
            ("logged_out", None, local(30, 2, 0, 3)),
        ]
        calls.log_states(uow, w.company_a, [(name, s, r, at.timestamp()) for s, r, at in log])
        uow.commit()
    q = ReportQuery(w.company_a, date(2026, 3, 28), date(2026, 3, 29))
    rows = {r.day.isoformat(): r.presence for r in presence_report(ctx, w.admin(), q).rows}
    d28, d29 = rows["2026-03-28"], rows["2026-03-29"]
    assert (d28.logged_in, d28.first_login) == (120 * MIN, secs(28, 22, 0, 3))
    assert d29.logged_in == 23 * 60 * MIN
    assert (d29.first_login, d29.last_logout) == (secs(29, 0, 0, 3), secs(30, 0, 0, 3))
    assert d29.pause_time == {"lunch": 60 * MIN, "coffee": 5 * MIN}
    assert d29.ready == (23 * 60 - 65) * MIN
    assert (d29.pauses, d29.over_limit) == ({"lunch": 1, "coffee": 1}, {"lunch": 0, "coffee": 1})


def test_a_partner_report_holds_no_parent_data(fx: Fixture) -> None:
    q = fx.query()
    rows = outbound_report(fx.ctx, fx.partner, q, OutboundBy.OPERATOR).rows
    # p also worked on the parent's Alpha: that campaign is not the partner's to see
    assert [(r.campaign, r.name, figures(r)) for r in rows] == [
        ("Beta", "p", (2, 2, 2, 0, 0.0, 1, 0.5, True, 110.0, 55.0, 20.0))
    ]
    assert presence_of(rows[0]) == (1, P_LOGGED, P_PAUSED, 1)
    assert {r.operator for r in presence_report(fx.ctx, fx.partner, q).rows} == {"p"}
    names = ["campaigns", "campaign-lists", "campaign-groups", "campaign-operators", "outcomes",
             "operator-outcomes", "presence"]  # fmt: skip
    sheets = build(fx.ctx, fx.partner, names, q)
    text = repr([[s.rows, s.totals] for s in sheets])
    assert "Beta" in text and "'p'" in text
    for foreign in ("Alpha", "L1", "L2", "'a'", "'b'", "T1", "T2", "(no operator)", "completed"):
        assert foreign not in text, foreign
    # the parent's team leader of S1 sees Alpha, and only operator a's presence (team T1)
    leader = fx.w.principal(fx.w.actors[Role.TEAM_LEADER])
    assert [r.campaign for r in outbound_report(fx.ctx, leader, q, OutboundBy.CAMPAIGN).rows] == [
        "Alpha"
    ]
    alpha = outbound_report(fx.ctx, leader, q, OutboundBy.CAMPAIGN).rows[0]
    assert figures(alpha)[0] == 9 and alpha.presence.logged_in == A_LOGGED
    assert {r.operator for r in presence_report(fx.ctx, leader, q).rows} == {"a"}


def test_a_client_sees_only_its_own_campaigns(fx: Fixture) -> None:
    client = fx.w.principal(fx.w.actors[Role.CLIENT])  # client of S1, on S1
    q = fx.query()
    assert outbound_report(fx.ctx, client, q, OutboundBy.CAMPAIGN).rows == []  # Alpha: no client
    with fx.ctx.uow() as uow:
        from sqlalchemy import update

        from centralino.store.tables import campaigns as campaigns_table

        uow.conn.execute(update(campaigns_table).where(campaigns_table.c.id == fx.alpha)
                         .values(client_id=fx.w.clients["own"]))  # fmt: skip
        uow.commit()
    assert [r.campaign for r in outbound_report(fx.ctx, client, q, OutboundBy.CAMPAIGN).rows] == [
        "Alpha"
    ]


def test_who_may_read(fx: Fixture) -> None:
    operator = fx.w.principal(fx.ids["a"])
    for name in ("campaigns", "outcomes", "presence"):
        with pytest.raises(Forbidden):
            REPORTS[name].build(fx.ctx, operator, fx.query())


def test_sheets_read_back(fx: Fixture, tmp_path: Path) -> None:
    sheets = build(fx.ctx, fx.w.admin(), ["all"], fx.query())
    names = [s.name for s in sheets]
    assert names[7:] == [  # after the six inbound reports and the service levels
        "Campaign summary", "Campaigns per list", "Campaigns per group",
        "Campaigns per operator", "Outcomes per campaign", "Outcomes per operator",
        "Presence and pauses",
    ]  # fmt: skip
    path = tmp_path / "r.xlsx"
    write_xlsx(path, sheets)
    book = CalamineWorkbook.from_path(str(path))
    s = book.get_sheet_by_name("Campaign summary").to_python()
    assert s[0][:10] == ["Campaign", "Attempts", "Answered", "Contacts", "Abandoned", "Abandon rate",
                         "Positive", "Positive rate", "Positive target", "Target met"]  # fmt: skip
    alpha = s[1]
    assert alpha[:5] == ["Alpha", 9, 8, 6, 1]
    assert alpha[5:9] == [0.125, 2, pytest.approx(1 / 3), 0.25]
    assert alpha[9] == "yes"
    assert alpha[10:13] == [timedelta(seconds=555), timedelta(seconds=92.5), timedelta(seconds=75)]
    assert alpha[13:] == [3, timedelta(minutes=2895), timedelta(minutes=125), 5]
    total = s[-1]
    assert total[:5] == ["Total", 11, 10, 8, 1]
    assert total[8:10] == ["", ""]  # the campaigns' targets differ
    assert total[13:] == [3, timedelta(minutes=2895), timedelta(minutes=125), 5]
    ops = book.get_sheet_by_name("Campaigns per operator").to_python()
    assert ops[0][:3] == ["Campaign", "Operator", "Group"]
    assert [r[:4] for r in ops[1:-1]] == [
        ["Alpha", "a", "T1", 3], ["Alpha", "b", "T2", 3], ["Alpha", "p", "PT", 1],
        ["Alpha", "(no operator)", "", 2], ["Beta", "p", "PT", 2],
    ]  # fmt: skip
    out = book.get_sheet_by_name("Outcomes per campaign").to_python()
    assert out[0] == ["Campaign", "Outcome", "Label", "Kind", "Count", "Share", "Contacts",
                      "Total talk", "Average talk"]  # fmt: skip
    assert [r[:5] for r in out[1:8]] == [  # in the campaign's order of outcomes
        ["Alpha", "no_answer", "No answer", "system", 1],
        ["Alpha", "abandoned", "Abandoned (no operator)", "system", 1],
        ["Alpha", "positive", "Positive (sale, appointment, consent)", "positive", 2],
        ["Alpha", "not_interested", "Not interested", "negative", 1],
        ["Alpha", "completed", "End of handling", "final", 2],
        ["Alpha", "wrong_person", "Wrong person", "negative", 1],
        ["Alpha", "", "(in progress)", "", 1],
    ]
    assert out[3][5:] == [pytest.approx(2 / 9), 2, timedelta(seconds=180), timedelta(seconds=90)]
    assert out[-1][:1] == ["Total"] and out[-1][4:7] == [11, 1.0, 8]
    per_op = book.get_sheet_by_name("Outcomes per operator").to_python()
    b_rows = [r for r in per_op if r[:2] == ["Alpha", "b"]]
    assert [(r[3], r[6], r[7]) for r in b_rows] == [
        ("completed", 1, pytest.approx(1 / 3)), ("wrong_person", 1, pytest.approx(1 / 3)),
        ("", 1, pytest.approx(1 / 3)),
    ]  # fmt: skip
    assert b_rows[1][9:] == [timedelta(seconds=45), timedelta(seconds=45)]
    pres = book.get_sheet_by_name("Presence and pauses").to_python()
    head = pres[0]
    assert head[:13] == ["Operator", "Group", "Day", "First login", "Last logout", "Logged in",
                         "Ready", "Ringing or connecting", "In call", "After-call work", "Paused",
                         "Pauses", "Pauses over limit"]  # fmt: skip
    assert head[13:16] == ["Screen break (626)", "Screen break (626): pauses",
                           "Screen break (626): over limit"]  # fmt: skip
    a24 = pres[1]
    # calamine reads a date-time at midnight back as a date
    assert a24[:5] == ["a", "T1", "2026-11-24", datetime(2026, 11, 24, 8, 0), date(2026, 11, 25)]
    assert a24[5:13] == [timedelta(hours=6), timedelta(minutes=288), timedelta(0),
                         timedelta(minutes=10), timedelta(minutes=2), timedelta(hours=1), 3, 2]  # fmt: skip
    assert a24[13:16] == [timedelta(minutes=20), 1, 1]
    coffee = head.index("Coffee")
    assert a24[coffee : coffee + 3] == [timedelta(minutes=10), 1, 1]
    assert pres[2][coffee : coffee + 3] == [timedelta(minutes=20), 0, 0]
    totals = pres[-1]
    assert totals[0] == "Total" and totals[5] == timedelta(minutes=2895)
    assert totals[11:13] == [5, 2]
    text = io.StringIO()
    write_csv(text, sheets[names.index("Presence and pauses")])
    lines = text.getvalue().splitlines()
    assert lines[1].startswith(
        "a,T1,2026-11-24,2026-11-24T08:00:00+01:00,2026-11-25T00:00:00+01:00,21600,17280,0,600,120,3600,3,2,1200,1,1,"
    )


def test_cli_writes_outbound_reports(
    fx: Fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import centralino.bootstrap

    monkeypatch.setattr(centralino.bootstrap, "build_context", lambda: fx.ctx)
    runner = CliRunner()
    out = tmp_path / "campaigns.xlsx"
    args = ["--company", "Company A", "--from", "2026-11-24", "--to", "2026-11-25"]
    r = runner.invoke(app, ["report", "campaign-lists", *args, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert f"campaign-lists: 3 rows written to {out}" in r.output
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Campaigns per list").to_python()
    assert [row[:4] for row in rows[1:]] == [
        ["Alpha", "L1", 5, 5],
        ["Alpha", "L2", 4, 3],
        ["Beta", "LP", 2, 2],
        ["Total", "", 11, 10],
    ]
    csv_out = tmp_path / "outcomes.csv"
    r = runner.invoke(app, ["report", "outcomes", *args, "--out", str(csv_out)])
    assert r.exit_code == 0, r.output
    lines = csv_out.read_text().splitlines()
    assert lines[0] == "Campaign,Outcome,Label,Kind,Count,Share,Contacts,Total talk,Average talk"
    assert (
        'Alpha,positive,"Positive (sale, appointment, consent)",positive,2,0.2222,2,180,90' in lines
    )
    assert lines[-1] == "Total,,,,11,1,8,665,83.125"
    r = runner.invoke(app, ["report", "all", *args, "--out", str(tmp_path / "all.xlsx")])
    assert r.exit_code == 0, r.output
    book = CalamineWorkbook.from_path(str(tmp_path / "all.xlsx"))
    assert "Presence and pauses" in book.sheet_names


def test_many_operators_are_filtered_after_the_query(
    fx: Fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past MAX_IDS operators the SQL reads every visible one; the figures stay the same."""
    from centralino.reports import presence

    want = [
        presence_of(r)
        for r in outbound_report(fx.ctx, fx.w.admin(), fx.query(), OutboundBy.CAMPAIGN).rows
    ]
    monkeypatch.setattr(presence, "MAX_IDS", 0)
    rows = outbound_report(fx.ctx, fx.w.admin(), fx.query(), OutboundBy.CAMPAIGN).rows
    assert [presence_of(r) for r in rows] == want
    beta = presence.presence_report(fx.ctx, fx.w.admin(), fx.query(), {fx.ids["p"]})
    assert {r.operator for r in beta.rows} == {"p"}


@pytest.mark.parametrize("now", [datetime(2026, 11, 26, 12, 0, tzinfo=UTC), local(25, 12, 0)])
def test_presence_totals_in_sql_equal_the_days_added_up(fx: Fixture, now: datetime) -> None:
    """Without filters the totals are summed in SQL; a filter that keeps every day and hour
    takes the path through the days: the same time per state and reason, same pauses."""
    from centralino.reports.presence import presence_totals

    fx.clock.now = now
    everyone = set(fx.ids.values())
    in_sql = presence_totals(fx.ctx, fx.w.admin(), fx.query(), everyone)
    every_day = fx.query(filters=Filters(weekdays=frozenset(range(7))))
    by_days = presence_totals(fx.ctx, fx.w.admin(), every_day, everyone)
    assert set(in_sql) == set(by_days) == everyone
    for uid in everyone:
        a, b = in_sql[uid], by_days[uid]
        assert (a.time, a.pause_time, a.pauses) == (b.time, b.pause_time, b.pauses), uid
    assert in_sql[fx.ids["a"]].pauses == {"screen_break": 1, "lunch": 1, "coffee": 1}

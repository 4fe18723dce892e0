"""The hourly roll-up `call_hours` (IN-8) on SQLite and PostgreSQL: after legs saved in
several batches (the same hours, queues and operators met again), its sums equal the
figures counted from the legs themselves, per service, queue, hour and operator, with a
partner's visibility too; the migration fills it from legs already stored; a zone with a
half-hour offset is counted from the legs, in its own local hours."""

from __future__ import annotations

import importlib
import random
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text

from centralino.domain.access import Principal
from centralino.domain.call_record import CallRecord, CallResult
from centralino.domain.reports import TALLY, BucketBy, Figures, Filters
from centralino.domain.roles import Role
from centralino.reports import inbound
from centralino.reports.inbound import ReportQuery
from centralino.services import calls, org, queues
from centralino.services.context import ServiceContext
from centralino.store.tables import call_hours, operator_days, service_hours
from world import World, build_world

R = CallResult
DAY = datetime(2026, 11, 24, tzinfo=UTC).timestamp()  # local 01:00 in Rome


def _legs(operators: list[str], n: int, seed: int = 3) -> list[CallRecord]:
    """Random inbound legs of every kind over two days, and a few outbound ones."""
    rnd = random.Random(seed)
    kinds = [R.TALKED] * 6 + [R.ABANDONED, R.TIMED_OUT, R.VOICEMAIL, R.CALLBACK_REQUESTED,
                              R.MESSAGE, R.REFUSED, R.REFUSED, R.UNFINISHED]  # fmt: skip
    out = []
    for i in range(n):
        queue, service = rnd.choice([("Care", "Care line"), ("Sales", "Sales line"),
                                     ("Partner", "Partner line"), ("Gone", None)])  # fmt: skip
        arrived = DAY + rnd.randrange(2 * 86400) + rnd.random()
        r = CallRecord(i, "inbound", queue, f"+3933{i:08d}", arrived, service=service)
        r.result = rnd.choice(kinds)
        if rnd.random() < 0.05:  # the IVR alone: a message, a voicemail, a hang-up in the menu
            r.result = rnd.choice([R.MESSAGE, R.VOICEMAIL, R.ABANDONED])
            r.ended_at = arrived + 20
        elif r.result is R.REFUSED:
            r.refused_reason = rnd.choice(["closed", f"queue {queue} full (9 waiting)", "other"])
            r.ended_at = arrived + 3
        else:
            r.queued_at = arrived + 2
            wait = rnd.choice([5.0, 15.0, 20.0, 30.0, rnd.random() * 60])
            if r.result is R.TALKED or (r.result is R.UNFINISHED and rnd.random() < 0.5):
                r.picked_up_at = r.queued_at + wait
                r.operator = rnd.choice(operators)
                r.ended_at = None if r.result is R.UNFINISHED else r.picked_up_at + 60
                r.positive = rnd.random() < 0.3
            elif r.result is not R.UNFINISHED:
                r.ended_at = r.queued_at + wait
        if i % 97 == 0:
            r.direction = "outbound"
        out.append(r)
    return out


def _world(ctx: ServiceContext) -> tuple[World, list[str]]:
    w = build_world(ctx)
    admin, t1, pt = w.admin(), w.groups["T1"].id, w.groups["PT"].id
    queues.create_queue(ctx, admin, "Care", t1, {"target_seconds": 20})
    queues.create_queue(ctx, admin, "Sales", t1, {"target_seconds": 15})
    queues.create_queue(ctx, admin, "Partner", pt, {"target_seconds": 30})
    names = []
    for location in ("own", "own", "sibling"):
        user_id = w.make_user(location)
        with ctx.uow() as uow:
            u = uow.users.get(user_id)
            assert u is not None
            names.append(u.username)
    return w, [*names, "nobody_stored"]


def _save(ctx: ServiceContext, company: int, records: list[CallRecord], sizes: list[int]) -> None:
    i = 0
    for size in sizes * (len(records) // sum(sizes) + 1):
        if i >= len(records):
            break
        with ctx.uow() as uow:
            calls.save_calls(uow, company, records[i : i + size])
            uow.commit()
        i += size


def _values(f: Figures) -> tuple[Any, ...]:
    s = f.stats
    ints = (s.offered, s.answered, s.answered_in_target, s.abandoned, s.unanswered, s.refused,
            s.positive, f.refused_closed, f.refused_full, s.target_seconds)  # fmt: skip
    # the legs' times are read back to the microsecond: each sum is off by well under 1 ms
    return ints + tuple(pytest.approx(x, abs=1e-3) for x in (s.wait_answered, s.wait_all, s.talk))


def _both(
    ctx: ServiceContext,
    actor: Principal,
    q: ReportQuery,
    keys: list[str],
    leg_key: Any,
    roll_key: Any,
) -> tuple[dict[Any, tuple[Any, ...]], dict[Any, tuple[Any, ...]]]:
    rolled = inbound.sums(ctx, actor, q, keys)
    assert rolled is not None
    data = inbound.load_calls(ctx, actor, q)
    raw = inbound._figures(data, data.legs, leg_key)
    return (
        {k: _values(f) for k, f in rolled.figures(roll_key).items()},
        {k: _values(f) for k, f in raw.items()},
    )


def test_the_roll_up_equals_the_legs_after_many_saves(ctx: ServiceContext) -> None:
    w, operators = _world(ctx)
    records = _legs(operators, 1500)
    _save(ctx, w.company_a, records, [1, 7, 50, 200])
    q = ReportQuery(w.company_a, date(2026, 11, 24), date(2026, 11, 25))
    team_leader = w.principal(w.actors[Role.TEAM_LEADER])  # sees Care and Sales only
    for actor in (w.admin(), team_leader):
        got, want = _both(ctx, actor, q, ["service"], inbound._service, inbound._service_of)
        assert got == want and got
        got, want = _both(ctx, actor, q, ["queue"], lambda g: g.record.queue, lambda r: r.queue)
        assert got == want
        got, want = _both(
            ctx, actor, q, ["service", "hour"],
            lambda g: (inbound._service(g), g.record.arrived_at // 3600 * 3600),
            lambda r: (inbound._service_of(r), r.hour.timestamp()),
        )  # fmt: skip
        assert got == want and len(got) > 40
    # operators: only answered legs, by username (None: not a stored user)
    rolled = inbound.sums(ctx, w.admin(), q, ["service", "operator"], answered=True)
    assert rolled is not None
    data = inbound.load_calls(ctx, w.admin(), q)
    answered = [g for g in data.legs if g.record.picked_up_at is not None]
    raw = inbound._figures(data, answered, lambda g: (inbound._service(g), g.record.operator))
    # (the rows of no stored user hold the unanswered calls too: only the answered count)
    answered_only = lambda v: (v[1], v[2], v[6], v[-3], v[-1])  # noqa: E731
    got = {k: answered_only(_values(f)) for k, f in rolled.figures(
        lambda r: (inbound._service_of(r), r.operator or inbound.NO_OPERATOR)).items()}  # fmt: skip
    assert got == {k: answered_only(_values(f)) for k, f in raw.items()}
    assert {op for _, op in got} == {*operators[:3], inbound.NO_OPERATOR}
    # filters: weekday and hour spans give what the legs kept by their local time give
    kept = ReportQuery(w.company_a, date(2026, 11, 24), date(2026, 11, 25),
                       filters=Filters(frozenset({2}), frozenset({0, 9, 10, 23})))  # fmt: skip
    got, want = _both(ctx, w.admin(), kept, ["service"], inbound._service, inbound._service_of)
    assert got == want and got


def test_the_roll_up_has_one_row_per_key_and_only_inbound_legs(ctx: ServiceContext) -> None:
    w, operators = _world(ctx)
    records = _legs(operators, 600)
    _save(ctx, w.company_a, records, [13])
    _save(ctx, w.company_a, records[:100], [100])  # the same legs again: every figure doubles
    with ctx.uow() as uow:
        offered, refused, ivr = uow.conn.execute(
            select(*(func.sum(call_hours.c[f]) for f in ("offered", "refused", "ivr")))
        ).one()
    inbound_legs = [r for r in records if r.direction == "inbound"]
    twice = inbound_legs + [r for r in records[:100] if r.direction == "inbound"]
    assert refused == sum(r.result is R.REFUSED for r in twice)
    assert offered == sum(
        r.result is not R.REFUSED
        and not (r.result is R.UNFINISHED and r.picked_up_at is None)
        and r.queued_at is not None
        for r in twice
    )
    assert (
        ivr
        == sum(r.result not in (R.REFUSED, R.UNFINISHED) and r.queued_at is None for r in twice)
        > 0
    )


def test_the_migration_fills_the_roll_up_from_stored_legs(ctx: ServiceContext) -> None:
    w, operators = _world(ctx)
    _save(ctx, w.company_a, _legs(operators, 400), [400])
    order = [call_hours.c[c] for c in ("company_id", "hour", "service", "queue", "group_id",
                                       "user_id")]  # fmt: skip
    with ctx.engine.begin() as conn:
        before = conn.execute(select(call_hours).order_by(*order)).all()
        conn.execute(delete(call_hours))
        migration = importlib.import_module("centralino.store.migrations.versions.0005_call_hours")
        migration._fill(conn)
        after = conn.execute(select(call_hours).order_by(*order)).all()
    assert len(after) == len(before) > 0
    for a, b in zip(after, before, strict=True):
        assert a[:6] == b[:6]
        assert list(a[6:]) == [pytest.approx(x, abs=1e-3) for x in b[6:]]
    assert [c.name for c in call_hours.c][6:] == [*TALLY[:6], "refused_closed", "refused_full",
                                                  *TALLY[6:9], "positive", "ivr"]  # fmt: skip
    assert sum(r.ivr for r in after) > 0


def test_the_service_roll_up_is_the_operator_roll_up_without_the_operator(
    ctx: ServiceContext,
) -> None:
    w, operators = _world(ctx)
    records = _legs(operators, 500)
    _save(ctx, w.company_a, records, [200, 300])
    _save(ctx, w.company_a, records[:150], [150])  # rows already there are summed in place
    key = ("company_id", "hour", "service", "queue", "group_id")
    figures = [c.name for c in service_hours.c][len(key) :]
    summed = (
        select(*(call_hours.c[k] for k in key), *(func.sum(call_hours.c[f]) for f in figures))
        .group_by(*(call_hours.c[k] for k in key))
        .order_by(*(call_hours.c[k] for k in key))
    )
    order = [service_hours.c[k] for k in key]
    with ctx.engine.begin() as conn:
        want = conn.execute(summed).all()
        got = conn.execute(select(service_hours).order_by(*order)).all()
        conn.execute(delete(service_hours))
        migration = importlib.import_module(
            "centralino.store.migrations.versions.0006_service_hours"
        )
        conn.execute(text(migration.FILL))
        filled = conn.execute(select(service_hours).order_by(*order)).all()
        per_operator = conn.execute(select(func.count()).select_from(call_hours)).scalar_one()
    assert 1 < len(want) < per_operator
    assert len(got) == len(want) == len(filled)
    for a, b in zip(got, want, strict=True):
        assert a[:5] == b[:5]
        assert list(a[5:]) == [pytest.approx(x, abs=1e-6) for x in b[5:]]
    known = [figures.index(f) for f in migration._FIGURES]  # the figures of its revision
    for a, b in zip(filled, want, strict=True):
        assert a[:5] == b[:5]
        assert [a[5 + i] for i in known] == [pytest.approx(b[5 + i], abs=1e-6) for i in known]


def test_the_day_roll_up_is_the_operator_roll_up_by_utc_day(ctx: ServiceContext) -> None:
    w, operators = _world(ctx)
    records = _legs(operators, 500)
    _save(ctx, w.company_a, records, [120, 380])
    _save(ctx, w.company_a, records[:90], [90])  # rows already there are summed in place
    rest = ("service", "queue", "group_id", "user_id")
    figures = [c.name for c in operator_days.c][6:]
    with ctx.engine.begin() as conn:
        want: dict[tuple[Any, ...], list[float]] = {}
        for r in conn.execute(select(call_hours)):
            key = (r.company_id, r.hour.date(), *(r._mapping[k] for k in rest))
            sums = want.setdefault(key, [0] * len(figures))
            for i, f in enumerate(figures):
                sums[i] += r._mapping[f]
        got = {
            (r.company_id, r.day.date(), *(r._mapping[k] for k in rest)): r
            for r in conn.execute(select(operator_days))
        }
        assert all(r.day.hour == 0 and r.day.tzinfo is not None for r in got.values())
        conn.execute(delete(operator_days))
        migration = importlib.import_module(
            "centralino.store.migrations.versions.0012_operator_days"
        )
        conn.execute(text(migration.fill_sql(conn.dialect.name)))
        filled = {
            (r.company_id, r.day.date(), *(r._mapping[k] for k in rest)): r
            for r in conn.execute(select(operator_days))
        }
        hours = conn.execute(select(func.count()).select_from(call_hours)).scalar_one()
    assert {d for _, d, *_ in want} == {date(2026, 11, 24), date(2026, 11, 25)}
    assert len(want) < hours
    for rows, names in ((got, figures), (filled, migration._FIGURES)):  # those of its revision
        assert rows.keys() == want.keys()
        for k, r in rows.items():
            assert r.day == datetime(*k[1].timetuple()[:3], tzinfo=UTC)
            assert [r._mapping[f] for f in names] == [
                pytest.approx(want[k][figures.index(f)], abs=1e-6) for f in names
            ]


ROLL_UPS = (call_hours, service_hours, operator_days)


def roll_up_rows(conn: Any) -> list[list[tuple[Any, ...]]]:
    """Every row of each roll-up, sorted."""
    return [sorted(tuple(r) for r in conn.execute(select(t))) for t in ROLL_UPS]


def assert_same_roll_ups(
    after: list[list[tuple[Any, ...]]], before: list[list[tuple[Any, ...]]]
) -> None:
    for table, rows_after, rows_before in zip(ROLL_UPS, after, before, strict=True):
        assert len(rows_after) == len(rows_before), table.name
        for x, y in zip(rows_after, rows_before, strict=True):
            # the legs' times are read back to the microsecond: summed times differ by less
            assert list(x) == [pytest.approx(v, abs=1e-3) if isinstance(v, float) else v
                               for v in y], table.name  # fmt: skip


def test_the_roll_ups_counted_again_from_the_legs_are_those_kept_as_they_came(
    ctx: ServiceContext,
) -> None:
    """Migration 0013 (the IVR's own figure) counts the three roll-ups again from the legs:
    the same rows as the batches built them, IVR-only calls apart."""
    w, operators = _world(ctx)
    _save(ctx, w.company_a, _legs(operators, 700, seed=5), [1, 90, 300])
    with ctx.engine.begin() as conn:
        before = roll_up_rows(conn)
        conn.execute(delete(call_hours))  # lost rows come back; stale ones go
        conn.execute(service_hours.update().values(offered=service_hours.c.offered + 1))
        calls.refill_roll_ups(conn)
        after = roll_up_rows(conn)
    assert all(before)
    assert_same_roll_ups(after, before)
    assert sum(r[-1] for r in before[0]) > 0  # ivr, the last figure of each roll-up


def test_operator_reports_over_many_days_read_days_and_the_hours_at_the_ends(
    ctx: ServiceContext,
) -> None:
    """Local days 23–26 in Rome: UTC 22 23:00 … 26 23:00, so the whole UTC days 23–25
    from the day roll-up and the hours of the 22nd and 26th from the hourly one; the same
    figures as the legs, for every operator and service, with weekday filters too (Tuesday
    and Thursday: local days, hours only; Monday to Wednesday: whole UTC days again)."""
    w, operators = _world(ctx)
    records = _legs(operators, 900, seed=8)
    _save(ctx, w.company_a, records, [300])
    # legs on the hours at both ends of the period, kept apart from the whole days
    for i, at in enumerate((datetime(2026, 11, 22, 23, 30, tzinfo=UTC),
                            datetime(2026, 11, 26, 22, 10, tzinfo=UTC))):  # fmt: skip
        r = CallRecord(5000 + i, "inbound", "Care", "+39330", at.timestamp(), service="Care line")
        r.result, r.queued_at = R.TALKED, at.timestamp() + 1
        r.picked_up_at, r.ended_at = r.queued_at + 4, r.queued_at + 70
        r.operator = operators[0]
        records.append(r)
        _save(ctx, w.company_a, [r], [1])
    for filters in (Filters(), Filters(frozenset({1, 3})), Filters(frozenset({0, 1, 2}))):
        q = ReportQuery(w.company_a, date(2026, 11, 23), date(2026, 11, 26), filters=filters)
        for actor in (w.admin(), w.principal(w.actors[Role.TEAM_LEADER])):
            rolled = inbound.sums(ctx, actor, q, ["service", "operator"], answered=True)
            assert rolled is not None
            data = inbound.load_calls(ctx, actor, q)
            answered = [g for g in data.legs if g.record.picked_up_at is not None]
            raw = inbound._figures(
                data, answered, lambda g: (inbound._service(g), g.record.operator)
            )
            answered_only = lambda v: (v[1], v[2], v[6], v[-3], v[-1])  # noqa: E731
            got = {
                k: answered_only(_values(f))
                for k, f in rolled.figures(
                    lambda r: (inbound._service_of(r), r.operator or inbound.NO_OPERATOR)
                ).items()
            }
            assert got == {k: answered_only(_values(f)) for k, f in raw.items()} and got
    rows = inbound.operators_per_service(
        ctx, w.admin(), ReportQuery(w.company_a, date(2026, 11, 23), date(2026, 11, 23))
    )
    assert [(r.service, r.operator, r.answered) for r in rows] == [("Care line", operators[0], 1)]


def test_a_half_hour_zone_is_counted_from_the_legs_in_its_local_hours(
    ctx: ServiceContext,
) -> None:
    w = build_world(ctx)
    company, _ = org.create_company(ctx, None, "Pune", "Asia/Kolkata", "en")  # UTC+05:30
    base = datetime(2026, 11, 24, 3, 40, tzinfo=UTC).timestamp()  # 09:10 local
    legs = []
    for i, minutes in enumerate((0, 30, 45)):  # 09:10, 09:40, 09:55: one local hour
        r = CallRecord(i, "inbound", "Q", "+9100", base + minutes * 60, service="S")
        r.result, r.queued_at = R.ABANDONED, base + minutes * 60 + 1
        r.ended_at = r.queued_at + 10
        legs.append(r)
    with ctx.uow() as uow:
        calls.save_calls(uow, company.id, legs)
        uow.commit()
    q = ReportQuery(company.id, date(2026, 11, 24), date(2026, 11, 24), BucketBy.HOUR)
    assert inbound.sums(ctx, w.admin(), q, ["service"]) is None
    rows = inbound.service_detail(ctx, w.admin(), q)
    got = {r.bucket.label: r.figures.received for r in rows if r.figures.received}
    assert got == {"2026-11-24 09:00 +05:30": 3}
    assert [r.figures.stats.abandoned for r in inbound.service_summary(ctx, w.admin(), q)] == [3]

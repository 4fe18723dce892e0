"""The inbound store on SQLite and PostgreSQL: the engine's whole configuration in one
read, numbers unique per company, default pause reasons, call legs and states written
in batches and read back in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from centralino.domain.call_record import CallRecord, CallResult
from centralino.domain.inbound.pauses import DEFAULT_REASONS, PauseReason
from centralino.domain.inbound.queues import Strategy
from centralino.domain.roles import Permission
from centralino.services import calls, inbound_services, pauses, queues
from centralino.services.context import ServiceContext
from centralino.services.inbound import load_inbound
from centralino.store.tables import calls as calls_t
from centralino.store.tables import queue_members, service_numbers
from world import World, build_world

T0 = 1_795_424_400.5  # 2026-11-23 09:00:00.5 UTC


def _setup(ctx: ServiceContext) -> tuple[World, int, int, int]:
    w = build_world(ctx)
    admin = w.admin()
    t1 = w.groups["T1"].id
    sales = queues.create_queue(ctx, admin, "Sales", t1, {"strategy": "fewest_calls"})
    queues.create_queue(ctx, admin, "Backup", w.groups["PT"].id, {})
    a, b = w.make_user("own"), w.make_user("own")
    queues.set_members(ctx, admin, sales.id, [(a, 0), (b, 1)])
    data = {
        "name": "Care", "group_id": t1, "numbers": ["02 1234 5678"], "queue": "Sales",
        "menus": {"m": {"options": {"2": {"kind": "queue", "target": "Backup"}}}},
        "root_menu": "m",
    }  # fmt: skip
    svc = inbound_services.create_service(ctx, admin, data)
    return w, sales.id, a, svc.id


def test_load_inbound_gives_the_engine_everything(ctx: ServiceContext) -> None:
    w, _, a, _ = _setup(ctx)
    with ctx.uow() as uow:
        setup = load_inbound(uow, w.company_a)
        a_name = uow.users.get(a).username  # type: ignore[union-attr]
    assert [q.name for q in setup.queues] == ["Sales", "Backup"]
    assert setup.queues[0].strategy is Strategy.FEWEST_CALLS
    assert setup.memberships[a_name] == [("Sales", 0)]
    assert sorted(t for v in setup.memberships.values() for _, t in v) == [0, 1]
    (svc,) = setup.services
    assert svc.numbers == ("+390212345678",) and svc.queues() == {"Sales", "Backup"}
    assert setup.pause_reasons == list(DEFAULT_REASONS)  # none stored: the defaults
    with ctx.uow() as uow:
        assert load_inbound(uow, w.company_b).queues == []


def test_default_pause_reasons_are_stored_once(ctx: ServiceContext) -> None:
    w = build_world(ctx)
    admin = w.admin()
    assert pauses.list_reasons(ctx, admin, 50, 0).total == len(DEFAULT_REASONS)
    with ctx.uow() as uow:
        uow.pause_reasons.seed(w.company_a, DEFAULT_REASONS)  # a second first reader
        uow.commit()
    assert pauses.list_reasons(ctx, admin, 50, 0).total == len(DEFAULT_REASONS)
    pauses.create_reason(ctx, admin, {"code": "prayer", "label": "Prayer", "limit_seconds": 600})
    with ctx.uow() as uow:
        reasons = load_inbound(uow, w.company_a).pause_reasons
        assert uow.pause_reasons.of_company(w.company_b) == []
    assert reasons[-1] == PauseReason("prayer", "Prayer", 600.0)


def test_a_number_belongs_to_one_service_per_company(ctx: ServiceContext) -> None:
    w, _, _, svc_id = _setup(ctx)
    with ctx.uow() as uow, pytest.raises(IntegrityError):
        uow.conn.execute(
            insert(service_numbers).values(
                company_id=w.company_a, service_id=svc_id, number="+390212345678"
            )
        )
    # the same number in another company is another line
    queues.create_queue(ctx, w.admin(), "Sales", w.groups["SB"].id, {})
    data = {"name": "Care", "group_id": w.groups["SB"].id, "numbers": ["+390212345678"],
            "queue": "Sales"}  # fmt: skip
    other = inbound_services.create_service(ctx, w.admin(), data)
    assert other.company_id == w.company_b and other.config.numbers == ("+390212345678",)


def test_members_go_with_their_queue_and_user(ctx: ServiceContext) -> None:
    w, sales_id, a, svc_id = _setup(ctx)
    from centralino.services import users

    users.delete_user(ctx, w.admin(), a)
    with ctx.uow() as uow:
        assert len(uow.queues.members([sales_id])[sales_id]) == 1
    inbound_services.delete_service(ctx, w.admin(), svc_id)
    queues.delete_queue(ctx, w.admin(), sales_id)
    with ctx.uow() as uow:
        left = uow.conn.execute(select(queue_members.c.id)).all()
    assert left == []


def test_call_legs_round_trip(ctx: ServiceContext) -> None:
    w, _, a, _ = _setup(ctx)
    with ctx.uow() as uow:
        op = uow.users.get(a).username  # type: ignore[union-attr]
    talked = CallRecord(7, "inbound", "Sales", "+393331234567", T0, welcome_at=T0 + 1)
    talked.service, talked.operator, talked.result = "Care", op, CallResult.TALKED
    talked.queued_at, talked.ringing_at, talked.picked_up_at = T0 + 9, T0 + 10, T0 + 14.25
    talked.ended_at, talked.hangup_cause, talked.outcome = T0 + 200, "normal", "sold"
    talked.phase(T0, "arrival", "+393331234567")
    talked.phase(T0 + 14.25, "pickup", op)
    refused = CallRecord(8, "inbound", "Nowhere", "+393330000000", T0 + 5)
    refused.result, refused.refused_reason = CallResult.REFUSED, "no service on +3902"
    outbound = CallRecord(9, "outbound", "unknown campaign", "+393330000001", T0 + 6)
    outbound.operator = "nobody-known"
    with ctx.uow() as uow:
        assert calls.save_calls(uow, w.company_a, [talked, refused, outbound]) == 3
        assert calls.log_states(uow, w.company_a, [(op, "ready", None, T0),
                                                   ("bot99", "ready", None, T0)]) == 1  # fmt: skip
        uow.commit()
    with ctx.uow() as uow:
        rows = uow.conn.execute(select(calls_t).order_by(calls_t.c.call_id)).all()
        page = uow.calls.list(w.admin().visibility(Permission.STATS_READ), 10, 0)
        states = uow.operator_states.list(w.admin().visibility(Permission.STATS_READ), 10, 0)
    assert [r.group_id for r in rows] == [w.groups["T1"].id, w.groups["RA"].id, w.groups["RA"].id]
    assert rows[0].user_id == a and rows[2].user_id is None
    got = page.items[0]
    assert got.times["picked_up_at"] == datetime(2026, 11, 23, 9, 0, 14, 750000, tzinfo=UTC)
    assert got.times["arrived_at"].tzinfo == UTC and got.times["answered_at"] is None
    assert got.phases == [
        ("2026-11-23T09:00:00.500+00:00", "arrival", "+393331234567"),
        ("2026-11-23T09:00:14.750+00:00", "pickup", op),
    ]
    assert (got.result, got.outcome, got.service, got.username) == ("talked", "sold", "Care", op)
    assert page.items[1].refused_reason == "no service on +3902"
    assert [(s.username, s.state) for s in states.items] == [(op, "ready")]
    assert states.items[0].at == datetime(2026, 11, 23, 9, 0, 0, 500000, tzinfo=UTC)

"""The dialer's persistent side on SQLite and PostgreSQL: windows, do-not-call, leases,
outcomes, recovery after a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from centralino.domain.outbound.outcomes import RecordState
from centralino.services import dialing
from centralino.services.context import ServiceContext
from centralino.store.tables import attempts, callbacks, dnc_entries, records
from support import FakeClock
from world import World, build_world


def state_of(ctx: ServiceContext, rid: int) -> tuple[str, datetime | None, int]:
    with ctx.uow() as uow:
        r = uow.conn.execute(select(records).where(records.c.id == rid)).one()
    return r.state, r.next_at, r.attempts


def setup(ctx: ServiceContext) -> tuple[World, int]:
    w = build_world(ctx)
    return w, w.make_campaign("own")


def test_claim_records_the_rule_and_leases_the_record(ctx: ServiceContext) -> None:
    w, cid = setup(ctx)  # the clock says Monday 10:00 in Rome
    rid = w.make_record(cid)
    claims = dialing.claim(ctx, cid, 5)
    assert [c.record_id for c in claims] == [rid]
    rule = claims[0].rule
    assert (
        rule["preset"] == "it" and rule["legal_hours"] == "09:00-20:00" and rule["dnc"] == "checked"
    )
    assert state_of(ctx, rid)[0] == "dialing"
    with ctx.uow() as uow:
        att = uow.conn.execute(select(attempts).where(attempts.c.id == claims[0].attempt_id)).one()
    assert att.rule == rule and att.ended_at is None
    assert dialing.claim(ctx, cid, 5) == []  # never the same record twice at the same time


def test_outside_the_window_the_record_waits_for_its_own_morning(ctx: ServiceContext) -> None:
    w, cid = setup(ctx)
    ny = w.make_record(cid, timezone="America/New_York")  # 04:00 there
    assert dialing.claim(ctx, cid, 5) == []
    state, next_at, _ = state_of(ctx, ny)
    assert state == "scheduled" and next_at == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 09:00 NY


def test_do_not_call_is_enforced_at_dial_time(ctx: ServiceContext) -> None:
    w, cid = setup(ctx)
    rid = w.make_record(cid, phone="+390612345678")
    with ctx.uow() as uow:  # added after the import: the import check is not enough
        uow.conn.execute(
            insert(dnc_entries).values(
                company_id=w.company_a,
                campaign_id=None,
                phone="+390612345678",
                source="registro opposizioni",
                created_at=ctx.now(),
            )
        )
        uow.commit()
    assert dialing.claim(ctx, cid, 5) == []
    assert state_of(ctx, rid)[0] == "blocked"


def test_due_callbacks_and_priorities_come_first(ctx: ServiceContext, clock: FakeClock) -> None:
    w, cid = setup(ctx)
    low = w.make_record(cid, priority=1)
    high = w.make_record(cid, priority=9)
    called_back = w.make_record(cid, priority=0)
    with ctx.uow() as uow:
        uow.conn.execute(
            insert(callbacks).values(
                campaign_id=cid,
                record_id=called_back,
                due_at=clock.now - timedelta(minutes=1),
                scope="anyone",
                created_at=clock.now,
            )
        )
        uow.commit()
    order = [c.record_id for c in dialing.claim(ctx, cid, 3)]
    assert order == [called_back, high, low]


def test_outcomes_settle_record_dnc_and_callbacks(ctx: ServiceContext, clock: FakeClock) -> None:
    w, cid = setup(ctx)
    busy, wrong, later = (w.make_record(cid) for _ in range(3))
    claims = {c.record_id: c for c in dialing.claim(ctx, cid, 3)}
    assert dialing.finish(ctx, claims[busy].attempt_id, "busy") is RecordState.SCHEDULED
    assert state_of(ctx, busy) == ("scheduled", clock.now + timedelta(hours=2), 1)
    assert dialing.finish(ctx, claims[wrong].attempt_id, "invalid") is RecordState.BLOCKED
    when = clock.now + timedelta(days=2)
    state = dialing.finish(
        ctx, claims[later].attempt_id, "new_contact", chosen_at=when, notes="call after 6"
    )
    assert state is RecordState.CALLBACK
    with ctx.uow() as uow:
        dnc = uow.conn.execute(select(dnc_entries.c.source)).scalars().all()
        cbs = uow.conn.execute(select(callbacks).where(callbacks.c.record_id == later)).all()
    assert dnc == ["outcome:invalid"]
    assert len(cbs) == 1 and cbs[0].due_at == when and cbs[0].notes == "call after 6"


def test_abandoned_number_is_locked_out(ctx: ServiceContext, clock: FakeClock) -> None:
    w, cid = setup(ctx)
    rid = w.make_record(cid)
    claim = dialing.claim(ctx, cid, 1)[0]
    dialing.answered(ctx, claim.attempt_id)
    dialing.finish(ctx, claim.attempt_id, "abandoned")
    _, next_at, _ = state_of(ctx, rid)
    assert next_at is not None and next_at - clock.now >= timedelta(days=7)  # Italy's lockout
    with ctx.uow() as uow:
        assert uow.dialing.abandon_counts(cid, None) == (1, 1)


def test_crash_mid_call_loses_nothing_and_dials_nothing_twice(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    w, cid = setup(ctx)
    rid = w.make_record(cid)
    claim = dialing.claim(ctx, cid, 1)[0]
    # the process dies here; a new one starts
    assert dialing.recover(ctx) == 0  # the lease still runs: the call may still be up
    assert dialing.claim(ctx, cid, 1) == []
    clock.advance(16 * 60)
    assert dialing.recover(ctx) == 1
    state, next_at, tries = state_of(ctx, rid)
    assert state == "scheduled" and tries == 1 and next_at is not None
    with ctx.uow() as uow:
        att = uow.conn.execute(select(attempts).where(attempts.c.id == claim.attempt_id)).one()
    assert att.outcome == "congestion" and att.hangup_cause == "interrupted"


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    blocked=st.lists(st.booleans(), min_size=1, max_size=8),
    zones=st.lists(
        st.sampled_from(["Europe/Rome", "America/New_York", "Asia/Tokyo"]), min_size=8, max_size=8
    ),
    hour=st.integers(0, 23),
)
def test_never_dials_a_blocked_or_out_of_window_number(
    ctx: ServiceContext, clock: FakeClock, blocked: list[bool], zones: list[str], hour: int
) -> None:
    from support import wipe

    wipe(ctx.engine)
    clock.now = datetime(2026, 11, 23, hour, 0, tzinfo=UTC)
    w, cid = setup(ctx)
    phones = {}
    for i, is_blocked in enumerate(blocked):
        phone = f"+3906555{i:04d}"
        phones[w.make_record(cid, phone=phone, timezone=zones[i])] = (phone, is_blocked, zones[i])
        if is_blocked:
            with ctx.uow() as uow:
                uow.conn.execute(
                    insert(dnc_entries).values(
                        company_id=w.company_a,
                        campaign_id=cid,
                        phone=phone,
                        source="t",
                        created_at=clock.now,
                    )
                )
                uow.commit()
    from zoneinfo import ZoneInfo

    for claim in dialing.claim(ctx, cid, len(blocked)):
        phone, is_blocked, zone = phones[claim.record_id]
        assert not is_blocked
        local = clock.now.astimezone(ZoneInfo(zone))
        assert (local.weekday() < 5 and 9 <= local.hour < 20) or (
            local.weekday() == 5 and 10 <= local.hour < 19
        )


def test_a_personal_callback_waits_for_its_operator_then_passes_to_the_team(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    from centralino.domain.outbound.callbacks import Callback, CallbackScope

    world, cid = setup(ctx)
    owner = world.make_user("own")
    rid = world.make_record(cid, "+393331112222")
    with ctx.uow() as uow:
        uow.callbacks.add(
            Callback(
                0, cid, rid, ctx.now(), CallbackScope.COLLEAGUE, owner, "call back", None, ctx.now()
            )
        )
        uow.conn.execute(
            records.update().where(records.c.id == rid).values(state="callback", priority=9)
        )
        uow.commit()
    # The owner is logged in: the pool leaves it alone, the owner gets it first.
    assert rid not in [c.record_id for c in dialing.claim(ctx, cid, 50, present={owner})]
    mine = dialing.claim(ctx, cid, 1, user_id=owner, personal_only=True)
    assert [c.record_id for c in mine] == [rid] and mine[0].callback_user_id == owner


def test_an_absent_operators_callback_goes_to_the_pool_after_the_grace_time(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    from centralino.domain.outbound.callbacks import Callback, CallbackScope

    world, cid = setup(ctx)
    owner = world.make_user("own")
    rid = world.make_record(cid, "+393331113333")
    with ctx.uow() as uow:
        uow.callbacks.add(
            Callback(0, cid, rid, ctx.now(), CallbackScope.COLLEAGUE, owner, None, None, ctx.now())
        )
        uow.commit()
    assert rid not in [c.record_id for c in dialing.claim(ctx, cid, 50, present=set())]
    clock.advance(16 * 60)  # past the 15-minute default grace, the owner still absent
    assert rid in [c.record_id for c in dialing.claim(ctx, cid, 50, present=set())]

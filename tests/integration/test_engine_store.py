"""The engine dialing a stored campaign: records leased, attempts with their rule,
outcomes settled, do-not-call honoured (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

from centralino.domain.outbound.outcomes import RecordState
from centralino.domain.outbound.pacing import PredictivePacer
from centralino.engine.center import Center
from centralino.engine.clock import VirtualClock
from centralino.services import campaigns, dnc
from centralino.services.context import ServiceContext
from centralino.services.dial_source import StoreDialSource
from centralino.store.tables import attempts, records
from centralino.telephony.port import EventKind
from centralino.telephony.sim.network import Fate, SimNetwork
from world import build_world

KINDS = [EventKind.ANSWERED, EventKind.BUSY, EventKind.NO_ANSWER, EventKind.INVALID_NUMBER]


def run_campaign(ctx: ServiceContext, predictive: bool) -> tuple[int, list[str], str]:
    world = build_world(ctx)
    cid = world.make_campaign("own")
    campaigns.update_campaign(ctx, world.admin(), cid, {"state": "active"})
    phones = [f"+3933100{i:05d}" for i in range(40)]
    for p in phones:
        world.make_record(cid, p)
    blocked = phones[7]
    dnc.add_entry(ctx, world.admin(), blocked, campaign_id=cid)
    fates = {
        p: Fate(KINDS[i % 4], ring=5.0, talk=30.0, patience=30.0) for i, p in enumerate(phones)
    }
    clock = VirtualClock(0.0)
    net = SimNetwork(clock, fates.__getitem__)
    center = Center(clock, net, lambda r: None)
    center.wrap_up_listeners.append(
        lambda op, rec: clock.call_later(5.0, center.finish_wrap_up, op, "not_interested")
    )
    pacer = PredictivePacer() if predictive else None
    center.add_campaign("c", StoreDialSource(ctx, cid, lambda _op: None), predictive=pacer)
    for op in ("a", "b", "c"):
        center.add_operator(op, (), "c")
        net.register_endpoint(op)
        center.login(op)
    clock.run(until=3600.0)
    return cid, phones, blocked


def check(ctx: ServiceContext, cid: int, phones: list[str], blocked: str, mode: str) -> None:
    with ctx.engine.connect() as conn:
        att = conn.execute(select(attempts).where(attempts.c.campaign_id == cid)).all()
        recs = {
            r.phone: r for r in conn.execute(select(records).where(records.c.campaign_id == cid))
        }
    dialed = [a.phone for a in att]
    assert blocked not in dialed
    assert sorted(dialed) == sorted(
        p for p in phones if p != blocked
    )  # each once: retries wait 2 h
    assert all(a.ended_at is not None for a in att)
    assert all(a.rule["dnc"] == "checked" and a.rule["pacing_mode"] == mode for a in att)
    by_outcome = {a.phone: a.outcome for a in att}
    for i, p in enumerate(phones):
        if p == blocked:
            continue
        kind = KINDS[i % 4]
        expected = {
            EventKind.ANSWERED: ("not_interested", RecordState.DONE),
            EventKind.BUSY: ("busy", RecordState.SCHEDULED),
            EventKind.NO_ANSWER: ("no_answer", RecordState.SCHEDULED),
            EventKind.INVALID_NUMBER: ("invalid", RecordState.BLOCKED),
        }[kind]
        if by_outcome[p] == "abandoned":  # predictive may abandon; then it is rescheduled
            assert kind is EventKind.ANSWERED and recs[p].state == RecordState.SCHEDULED
            continue
        assert (by_outcome[p], recs[p].state) == (expected[0], expected[1].value), p


def test_power_dialing_a_stored_campaign(ctx: ServiceContext) -> None:
    cid, phones, blocked = run_campaign(ctx, predictive=False)
    check(ctx, cid, phones, blocked, "power")


def test_predictive_dialing_a_stored_campaign(ctx: ServiceContext) -> None:
    cid, phones, blocked = run_campaign(ctx, predictive=True)
    check(ctx, cid, phones, blocked, "warming up")

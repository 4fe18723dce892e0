"""What live supervision (IN-6, OUT-5) reads from the store: where each operator, queue,
service and campaign sits (its place decides who sees it), today's stored inbound
figures to start from, each active campaign's progress and its rates today, in the last
hour and in the last 15 minutes, and the access check of a supervisor's action.

The feed (`centralino.supervision`) calls `load_facts` once per live-engine pass; the
rates come from the attempts table, which the dialer writes at every step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from centralino.domain.access import Place, Principal
from centralino.domain.errors import Forbidden, NotFound
from centralino.domain.kpis import InboundStats
from centralino.domain.outbound.campaign import Campaign
from centralino.domain.outbound.outcomes import OutcomeKind
from centralino.domain.roles import Permission
from centralino.services.context import ServiceContext
from centralino.store.repos.records import RecordRepo
from centralino.store.tables import groups, service_hours, users
from centralino.store.uow import UnitOfWork

P = Permission
HOUR = timedelta(hours=1)
QUARTER = timedelta(minutes=15)
CLOSED = ("done", "exhausted", "blocked")  # record states worked to the end
MIN_CONTACTS = 20  # fewer contacts than this say nothing yet about the positive rate


@dataclass(slots=True, frozen=True)
class Person:
    username: str
    name: str
    place: Place


@dataclass(slots=True, frozen=True)
class Rates:
    """Attempts answered by a person and abandoned, since a time."""

    answered: int = 0
    abandoned: int = 0

    @property
    def rate(self) -> float | None:
        return self.abandoned / self.answered if self.answered else None


@dataclass(slots=True)
class CampaignFacts:
    id: int
    name: str
    place: Place
    mode: str
    positive_target: float
    abandon_cap: float
    records_total: int = 0
    records_done: int = 0
    contacts_today: int = 0
    positives_today: int = 0
    today: Rates = field(default_factory=Rates)
    hour: Rates = field(default_factory=Rates)
    quarter: Rates = field(default_factory=Rates)

    @property
    def positive_rate(self) -> float | None:
        return self.positives_today / self.contacts_today if self.contacts_today else None

    @property
    def alert(self) -> bool:
        """Under its positive-rate target, once there are enough contacts to tell."""
        rate = self.positive_rate
        return (
            rate is not None and self.contacts_today >= MIN_CONTACTS and rate < self.positive_target
        )


@dataclass(slots=True)
class Facts:
    """One company as the store has it at one engine pass."""

    timezone: str = "UTC"
    people: dict[int, Person] = field(default_factory=dict)
    queues: dict[str, tuple[Place, str]] = field(default_factory=dict)  # name -> place, group
    services: dict[str, tuple[Place, tuple[str, ...]]] = field(default_factory=dict)  # numbers
    campaigns: dict[int, CampaignFacts] = field(default_factory=dict)


def day_start(now: datetime, timezone: str) -> datetime:
    """Local midnight of `now` in the zone, as an aware datetime."""
    local = now.astimezone(ZoneInfo(timezone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def load_facts(ctx: ServiceContext, company_id: int, user_ids: set[int]) -> Facts:
    """Places, names and campaign figures of one company (blocking reads)."""
    now = ctx.now()
    with ctx.uow() as uow:
        company = uow.companies.get(company_id)
        facts = Facts(timezone=company.timezone if company else "UTC")
        facts.people = _people(uow, company_id, user_ids)
        root = uow.groups.root_of(company_id)
        names = {g.id: g.name for g in uow.groups.subtree(root.path)} if root else {}
        for q in uow.queues.of_company(company_id):
            facts.queues[q.name] = (
                Place(company_id, q.group_path),
                names.get(q.group_id, ""),
            )
        for s in uow.services.of_company(company_id):
            facts.services[s.name] = (
                Place(company_id, s.group_path, s.client_id),
                tuple(s.config.numbers),
            )
        start = day_start(now, facts.timezone)
        for c in uow.campaigns.active():
            if c.company_id == company_id:
                facts.campaigns[c.id] = _campaign_facts(uow, c, start, now)
    return facts


def _people(uow: UnitOfWork, company_id: int, user_ids: set[int]) -> dict[int, Person]:
    if not user_ids:
        return {}
    rows = uow.conn.execute(
        select(users.c.id, users.c.username, users.c.display_name, groups.c.path)
        .join(groups, groups.c.id == users.c.group_id)
        .where(users.c.id.in_(sorted(user_ids)), users.c.company_id == company_id)
    ).all()
    return {r.id: Person(r.username, r.display_name, Place(company_id, r.path)) for r in rows}


def load_people(ctx: ServiceContext, company_id: int, user_ids: set[int]) -> dict[int, Person]:
    """Names and places of operators who came into the engine since the last pass."""
    with ctx.uow() as uow:
        return _people(uow, company_id, user_ids)


def _campaign_facts(uow: UnitOfWork, c: Campaign, start: datetime, now: datetime) -> CampaignFacts:
    repo = RecordRepo(uow.conn)
    positive = sorted(
        o.code for o in uow.outcomes.for_campaign(c.id) if o.kind is OutcomeKind.POSITIVE
    )
    states = repo.state_counts(c.id)
    today = repo.attempt_totals(c.id, start, positive)
    hour = repo.attempt_totals(c.id, now - HOUR, ())
    quarter = repo.attempt_totals(c.id, now - QUARTER, ())
    return CampaignFacts(
        id=c.id, name=c.name, place=Place(c.company_id, c.group_path, c.client_id),
        mode=c.dial_mode.value, positive_target=c.positive_target,
        abandon_cap=c.max_abandon_rate, records_total=sum(states.values()),
        records_done=sum(states.get(s, 0) for s in CLOSED),
        contacts_today=today["answered"] - today["abandoned"],
        positives_today=today["positives"],
        today=Rates(today["answered"], today["abandoned"]),
        hour=Rates(hour["answered"], hour["abandoned"]),
        quarter=Rates(quarter["answered"], quarter["abandoned"]),
    )  # fmt: skip


def inbound_today(
    ctx: ServiceContext, company_id: int, targets: dict[str, float]
) -> dict[tuple[str, str], InboundStats]:
    """Today's stored inbound figures per (service, queue), from the hourly roll-up without
    the operator (`service_hours`): the start the feed adds each finished call to. The day
    starts at the local midnight's hour."""
    with ctx.uow() as uow:
        company = uow.companies.get(company_id)
        tz = company.timezone if company else "UTC"
        since = day_start(ctx.now(), tz).replace(minute=0)
        tally = ("offered", "answered", "answered_in_target", "abandoned", "unanswered")
        rows = uow.conn.execute(
            select(
                service_hours.c.service, service_hours.c.queue,
                *(func.sum(service_hours.c[t]).label(t) for t in tally),
            )
            .where(service_hours.c.company_id == company_id, service_hours.c.hour >= since)
            .group_by(service_hours.c.service, service_hours.c.queue)
        ).all()  # fmt: skip
    out: dict[tuple[str, str], InboundStats] = {}
    for r in rows:
        stats = InboundStats(targets.get(r.queue, 20.0), since=since.timestamp())
        for t in tally:
            setattr(stats, t, int(getattr(r, t) or 0))
        out[(r.service, r.queue)] = stats
    return out


def target_operator(ctx: ServiceContext, actor: Principal, user_id: int) -> Person:
    """The operator a supervisor acts on: 404 unless the actor sees them live, 403 unless
    the actor may supervise them (a team leader in their subtree only)."""
    with ctx.uow() as uow:
        u = uow.users.get(user_id)
        group = uow.groups.get(u.group_id) if u is not None else None
    if u is None or group is None:
        raise NotFound(f"operator {user_id} not found", "user_id")
    place = Place(u.company_id, group.path)
    if not actor.can(P.REALTIME_READ, place):
        raise NotFound(f"operator {user_id} not found", "user_id")
    if not actor.can(P.SUPERVISE, place):
        raise Forbidden(f"you may not supervise operator {user_id}")
    return Person(u.username, u.display_name, place)

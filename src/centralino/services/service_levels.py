"""Service levels (QA-1): each service's minimum and target, today's standing of every
visible service, the live check that raises alerts, and the verdicts of a period.

Visibility is the service's: whoever may read statistics where a service lives (its
group, and for a client user its client) sees its calls' figures here, whichever queue
and operators took them. The figures are `kpis.InboundStats` over the stored legs of the
service, counted against the minimum's and the target's "answered within N s"
(`ServiceLevelPolicy.counters`), so they are the reports' and the simulator's figures,
over the calls offered to a queue (one the IVR served alone is no operator's business).

The live check (`Watch.tick`, every few seconds in the server, see `watch.py`) keeps each
company's day: it reads nothing when no leg was stored, only the legs stored since the last
check when some were, and the whole day again on a new day or when a service level or a
service changed (a day of a large center is some 330,000 legs); it stores each
change of a service's verdict in `service_level_alerts` (nothing is lost across a
restart: the last stored verdict of the day is where it starts again), and publishes
`service_level.status` (the day so far) and `service_level.alert` (the change) on the
bus with the service's place, so each reaches only those who may read that service.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from centralino.domain.access import Principal
from centralino.domain.call_record import CallRecord
from centralino.domain.errors import Forbidden, NotFound
from centralino.domain.events import Event
from centralino.domain.kpis import InboundStats
from centralino.domain.reports import BucketBy, Period, bucket_of
from centralino.domain.roles import Permission
from centralino.domain.service_levels import Level, ServiceLevelPolicy, Verdict
from centralino.reports.inbound import legs_of_services
from centralino.services.audit import record
from centralino.services.context import ServiceContext
from centralino.services.inbound_services import service_place, writable_service
from centralino.services.trusted import company_supervisor
from centralino.store.repos.inbound_services import ServiceRow
from centralino.store.tables import calls
from centralino.store.uow import UnitOfWork

P = Permission
log = logging.getLogger(__name__)
DEFAULT_WITHIN = 20  # seconds: the figures of a service without a service level


# -- the policy of one service ---------------------------------------------------------


def get_policy(ctx: ServiceContext, actor: Principal, service_id: int) -> ServiceLevelPolicy | None:
    with ctx.uow() as uow:
        s = uow.services.get(service_id)
        if s is None or not actor.can(P.SERVICES_READ, service_place(s)):
            raise NotFound(f"service {service_id} not found")
        return uow.service_levels.get(service_id)


def set_policy(
    ctx: ServiceContext, actor: Principal, service_id: int, policy: ServiceLevelPolicy
) -> ServiceLevelPolicy:
    policy.validate()
    now = ctx.now()
    with ctx.uow() as uow:
        s = writable_service(uow, actor, service_id)
        before = uow.service_levels.get(service_id)
        uow.service_levels.put(service_id, s.company_id, policy, now)
        _audit(uow, actor, s, "update", before, policy, now)
        uow.commit()
    ctx.publish(uow)
    return policy


def clear_policy(ctx: ServiceContext, actor: Principal, service_id: int) -> None:
    now = ctx.now()
    with ctx.uow() as uow:
        s = writable_service(uow, actor, service_id)
        before = uow.service_levels.get(service_id)
        if before is None:
            return
        uow.service_levels.delete(service_id)
        _audit(uow, actor, s, "delete", before, None, now)
        uow.commit()
    ctx.publish(uow)


def _audit(
    uow: UnitOfWork,
    actor: Principal,
    s: ServiceRow,
    action: str,
    before: ServiceLevelPolicy | None,
    after: ServiceLevelPolicy | None,
    now: datetime,
) -> None:
    record(
        uow, actor, action, "service_level", s.id, service_place(s),
        None if before is None else before.as_json(), None if after is None else after.as_json(),
        now, P.SERVICES_READ,
    )  # fmt: skip


# -- a service's figures over a span -----------------------------------------------------


@dataclass(slots=True)
class Tally:
    """The calls of one service counted against the minimum's and the target's N."""

    policy: ServiceLevelPolicy | None
    at_minimum: InboundStats
    at_target: InboundStats

    @classmethod
    def of(cls, policy: ServiceLevelPolicy | None) -> Tally:
        if policy is None:
            return cls(None, InboundStats(DEFAULT_WITHIN), InboundStats(DEFAULT_WITHIN))
        lo, hi = policy.counters()
        return cls(policy, lo, hi)

    def add(self, r: CallRecord) -> None:
        """Count a call as the reports do (`InboundStats.add`): one served by the IVR alone
        (a message, a voicemail from the menu, a hang-up in it) was never offered to an
        operator and counts apart, as does a refused one."""
        self.at_minimum.add(r)
        self.at_target.add(r)

    def verdict(self) -> Verdict | None:
        return None if self.policy is None else self.policy.judge(self.at_minimum, self.at_target)

    def figures(self) -> dict[str, Any]:
        t, lo = self.at_target, self.at_minimum
        return {
            "offered": t.offered,
            "answered": t.answered,
            "abandoned": t.abandoned,
            "refused": t.refused,
            "service_level": t.answered_in_target / t.offered if t.offered else None,
            "service_level_minimum": lo.answered_in_target / lo.offered if lo.offered else None,
            "abandon_rate": t.abandoned / t.offered if t.offered else None,
            "average_wait": t.wait_answered / t.answered if t.answered else None,
        }


def verdict_json(v: Verdict | None) -> dict[str, Any] | None:
    if v is None:
        return None
    return {
        "level": v.level.value,
        "checks": [
            {
                "criterion": c.criterion.value,
                "value": c.value,
                "minimum": c.minimum,
                "target": c.target,
                "level": c.level.value,
            }
            for c in v.checks
        ],
    }


@dataclass(slots=True)
class ServiceDay:
    """One visible service's day so far: totals, and the same per local hour (the chart)."""

    service: ServiceRow
    total: Tally
    hours: dict[int, Tally] = field(default_factory=dict)

    def add(self, r: CallRecord, hour: int) -> None:
        self.total.add(r)
        t = self.hours.get(hour)
        if t is None:
            t = self.hours[hour] = Tally.of(self.total.policy)
        t.add(r)

    @property
    def level(self) -> Level | None:
        v = self.total.verdict()
        return None if v is None else v.level

    def as_json(self) -> dict[str, Any]:
        s, policy = self.service, self.total.policy
        return {
            "service_id": s.id,
            "service": s.name,
            "policy": None if policy is None else policy.as_json(),
            "figures": self.total.figures(),
            "verdict": verdict_json(self.total.verdict()),
            "hours": [
                {"hour": h, **t.figures(), "level": _level(t.verdict())}
                for h, t in sorted(self.hours.items())
            ],
        }


def _level(v: Verdict | None) -> str | None:
    return None if v is None else v.level.value


def _readable_services(
    uow: UnitOfWork, actor: Principal, company_id: int
) -> tuple[ZoneInfo, list[ServiceRow]]:
    if not actor.has_anywhere(P.STATS_READ):
        raise Forbidden("service levels need the stats.read permission")
    company = uow.companies.get(company_id)
    vis = actor.visibility(P.STATS_READ)
    if company is None or (not vis.all_companies and vis.company_id != company_id):
        raise NotFound(f"company {company_id} not found", "company")
    seen = [
        s for s in uow.services.of_company(company_id) if actor.can(P.STATS_READ, service_place(s))
    ]
    return ZoneInfo(company.timezone), sorted(seen, key=lambda s: s.name.casefold())


def day_status(
    ctx: ServiceContext, actor: Principal, company_id: int, day: date | None = None
) -> tuple[date, list[ServiceDay]]:
    """Every service the actor may read statistics of, on `day` (today in the company's
    zone if not given): figures so far, verdict against its service level, hour by hour."""
    with ctx.uow() as uow:
        tz, services = _readable_services(uow, actor, company_id)
        policies = uow.service_levels.of_company(company_id)
    day = day or ctx.now().astimezone(tz).date()
    out = {s.name: ServiceDay(s, Tally.of(policies.get(s.id))) for s in services}
    _add_legs(ctx, company_id, day, tz, out)
    return day, list(out.values())


def _add_legs(
    ctx: ServiceContext,
    company_id: int,
    day: date,
    tz: ZoneInfo,
    days: dict[str, ServiceDay],
    ids: tuple[int, int] | None = None,
) -> None:
    """Count the legs of `day` (those stored with an id in `ids` only, if given) into
    the days of their services."""
    period = Period(day, day, tz)
    for r in legs_of_services(ctx, company_id, period.start, period.end, days, ids):
        local = datetime.fromtimestamp(r.arrived_at, tz)
        days[r.service or ""].add(r, local.hour)


# -- the verdicts of a period (the report) ----------------------------------------------


@dataclass(slots=True, frozen=True)
class PeriodRow:
    service: str
    bucket: str  # the day, month or hour label; "" for the whole period
    tally: Tally


def period_rows(
    ctx: ServiceContext, actor: Principal, company_id: int, first: date, last: date, by: BucketBy
) -> list[PeriodRow]:
    """Per service with a service level: each bucket of the period that had calls, then
    the whole period (bucket "")."""
    with ctx.uow() as uow:
        tz, services = _readable_services(uow, actor, company_id)
        policies = uow.service_levels.of_company(company_id)
    period = Period(first, last, tz)
    judged = {s.name: policies[s.id] for s in services if s.id in policies}
    buckets: dict[str, dict[str, Tally]] = {name: {} for name in judged}
    totals = {name: Tally.of(p) for name, p in judged.items()}
    for r in legs_of_services(ctx, company_id, period.start, period.end, judged):
        name = r.service or ""
        label = bucket_of(datetime.fromtimestamp(r.arrived_at, UTC), tz, by).label
        per = buckets[name]
        t = per.get(label)
        if t is None:
            t = per[label] = Tally.of(judged[name])
        t.add(r)
        totals[name].add(r)
    rows: list[PeriodRow] = []
    for name in judged:
        rows += [PeriodRow(name, label, t) for label, t in buckets[name].items()]
        rows.append(PeriodRow(name, "", totals[name]))
    return rows


# -- alerts ---------------------------------------------------------------------------


def list_alerts(
    ctx: ServiceContext, actor: Principal, company_id: int, day: date | None = None
) -> list[dict[str, Any]]:
    """The verdict changes of the day (today if not given) of the services the actor may
    read statistics of, newest first."""
    with ctx.uow() as uow:
        tz, _ = _readable_services(uow, actor, company_id)
        day = day or ctx.now().astimezone(tz).date()
        period = Period(day, day, tz)
        rows = uow.service_levels.alerts(
            actor.visibility(P.STATS_READ), company_id, period.start, period.end
        )
    return [
        {
            "id": a.id,
            "service_id": a.service_id,
            "service": a.service,
            "at": a.at.isoformat(),
            "level": a.level,
            "previous": a.previous,
            "checks": a.details,
        }
        for a in rows
    ]


@dataclass(slots=True)
class _Seen:
    """A company's day as the check last counted it: kept and added to while the day,
    the service levels and the services stay the same."""

    key: tuple[Any, ...]  # the day, the policies, the services (id, name, place)
    last_leg: int
    levels: dict[int, str]
    days: dict[str, ServiceDay]


class Watch:
    """The live check of every company that has service levels (see the module's doc)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._seen: dict[int, _Seen] = {}

    def tick(self) -> list[Event]:
        """Check every company once; store the alerts and publish; return the events."""
        with self.ctx.uow() as uow:
            companies = uow.service_levels.companies()
        events: list[Event] = []
        for company_id in companies:
            try:
                events += self.check(company_id)
            except Exception:  # one company's failure must not stop the others' alerts
                log.exception("service level check of company %s failed", company_id)
        for gone in set(self._seen) - set(companies):
            del self._seen[gone]
        for e in events:
            self.ctx.bus.publish(e)
        return events

    def check(self, company_id: int) -> list[Event]:
        """Nothing when no leg was stored and nothing changed since the last check; the
        legs stored since added to the day kept from it; the whole day counted again on
        a new day, a changed service level or a changed service."""
        actor = company_supervisor(self.ctx, company_id, "service level check")
        with self.ctx.uow() as uow:
            tz, services = _readable_services(uow, actor, company_id)
            last_leg = uow.conn.execute(
                select(func.coalesce(func.max(calls.c.id), 0)).where(
                    calls.c.company_id == company_id
                )
            ).scalar_one()
            policies = uow.service_levels.of_company(company_id)
        day = self.ctx.now().astimezone(tz).date()
        key = (
            day,
            sorted((k, v.as_json()) for k, v in policies.items()),
            [(s.id, s.name, service_place(s)) for s in services],
        )
        seen = self._seen.get(company_id)
        if seen is not None and seen.key == key:
            if seen.last_leg == last_leg:
                return []
            _add_legs(self.ctx, company_id, day, tz, seen.days, (seen.last_leg, last_leg))
            seen.last_leg = last_leg
        else:
            days = {s.name: ServiceDay(s, Tally.of(policies.get(s.id))) for s in services}
            _add_legs(self.ctx, company_id, day, tz, days, (0, last_leg))
            levels = (
                seen.levels
                if seen is not None and seen.key[0] == day
                else self._last_levels(actor, company_id, day)
            )
            seen = self._seen[company_id] = _Seen(key, last_leg, levels, days)
        services_days = list(seen.days.values())
        now = self.ctx.now()
        events: list[Event] = []
        with self.ctx.uow() as uow:
            for sd in services_days:
                verdict = sd.total.verdict()
                if verdict is None:
                    continue
                place = service_place(sd.service)
                payload = sd.as_json()
                events.append(Event("service_level.status", now, place, P.STATS_READ, payload))
                level, previous = (
                    verdict.level.value,
                    seen.levels.get(sd.service.id, Level.NO_CALLS),
                )
                if level == previous:
                    continue
                seen.levels[sd.service.id] = level
                details = verdict_json(verdict)["checks"]  # type: ignore[index]
                alert_id = uow.service_levels.add_alert(
                    company_id, sd.service.id, now, level, previous, details
                )
                events.append(
                    Event(
                        "service_level.alert", now, place, P.STATS_READ,
                        {"id": alert_id, "service_id": sd.service.id, "service": sd.service.name,
                         "at": now.isoformat(), "level": level, "previous": previous,
                         "checks": details},
                    )
                )  # fmt: skip
            uow.commit()
        return events

    def _last_levels(self, actor: Principal, company_id: int, day: date) -> dict[int, str]:
        """Each service's last stored verdict of the day: where a restarted check resumes."""
        out: dict[int, str] = {}
        for a in reversed(list_alerts(self.ctx, actor, company_id, day)):
            out[a["service_id"]] = a["level"]
        return out

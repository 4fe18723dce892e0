"""Outbound statistics (OUT-9) per campaign, list, group and operator, from `attempts`.

The source is the dialer's ledger `attempts`, not the outbound legs in `calls`: an
attempt is opened by `services.dialing.claim` in the transaction that leases its record
and settled by `dialing.finish` with the outcome the record's retry rule acted on, so it
carries the record (hence the list), the campaign by id (a leg only names it), the
operator put through (`connected`), whether the call was answered by a person and whether
it was abandoned. Every dial has one, whoever dials (the live engine, a preview through the
API), while legs are written by the live engine alone, in batches, without record or
list. The compliance report reads the same table, so the abandon rates agree.

One `SUM … GROUP BY` per report: attempts started in the period's kept hours, per key,
operator and outcome; the outcomes are folded into each row in Python. An attempt
belongs to its campaign's group (and client): a viewer sees the campaigns of the groups
where they may read statistics, with every operator's work on them, and no other
campaign. A group row is the operator's team (the user's group now); the dials no
operator took (unanswered, abandoned) are the row "(no operator)". Presence and pauses
are those of the operators of the row whom the viewer may see (`reports.presence`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from centralino.domain.access import Principal
from centralino.domain.outbound.statistics import OutboundFigures, OutcomeTally
from centralino.domain.presence import DayPresence
from centralino.domain.reports import hour_ranges
from centralino.domain.roles import Permission
from centralino.reports.inbound import ReportQuery, report_period
from centralino.reports.presence import presence_totals
from centralino.services.context import ServiceContext
from centralino.store.durations import seconds_between
from centralino.store.repos.compliance import ABANDONED, ANSWERED
from centralino.store.repos.scope import visible
from centralino.store.tables import (
    attempts,
    campaigns,
    contact_lists,
    groups,
    outcomes,
    records,
    users,
)

NO_OPERATOR = "(no operator)"
IN_PROGRESS = "(in progress)"


class OutboundBy(StrEnum):
    CAMPAIGN = "campaign"
    LIST = "list"
    GROUP = "group"
    OPERATOR = "operator"


@dataclass(slots=True)
class OutboundRow:
    """A campaign, or one of its lists, groups or operators, over the period."""

    campaign_id: int
    campaign: str
    target: float  # the campaign's positive-rate target
    name: str = ""  # the list, group or operator ("" for a campaign row)
    group: str = ""  # an operator's group
    figures: OutboundFigures = field(default_factory=OutboundFigures)
    operators: set[int] = field(default_factory=set)  # users who took its calls
    presence: DayPresence = field(default_factory=DayPresence)  # theirs, summed

    @property
    def target_met(self) -> bool | None:
        return self.figures.target_met(self.target)


@dataclass(slots=True)
class OutboundReport:
    """The rows, and the whole period as one row (each operator's presence counted once)."""

    rows: list[OutboundRow]
    total: OutboundFigures
    operators: set[int]
    presence: DayPresence


def _one(col: Any, name: str | None = None) -> Any:
    """A column that has one value per group, taken without grouping by it."""
    return func.min(col).label(name or col.name)


def _sum(cond: Any) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def outbound_report(
    ctx: ServiceContext, actor: Principal, q: ReportQuery, by: OutboundBy, presence: bool = True
) -> OutboundReport:
    """The visible campaigns' attempts of the period per `by`, by campaign then name, with
    the presence of their operators unless `presence` is False."""
    period = report_period(ctx, actor, q)
    spans = hour_ranges(period, q.filters)
    if not spans:
        return OutboundReport([], OutboundFigures(), set(), DayPresence())
    vis = actor.visibility(Permission.STATS_READ)
    a = attempts
    owner = groups.alias("owner")  # the campaign's group
    team = groups.alias("team")  # the operator's group
    contact = and_(a.c.connected_at.is_not(None), a.c.ended_at.is_not(None), ~ABANDONED)
    talk = func.coalesce(seconds_between(a.c.connected_at, a.c.ended_at), 0.0)
    source = (
        a.join(campaigns, campaigns.c.id == a.c.campaign_id)
        .join(owner, owner.c.id == campaigns.c.group_id)
        .outerjoin(
            outcomes,
            and_(outcomes.c.campaign_id == a.c.campaign_id, outcomes.c.code == a.c.outcome),
        )
    )
    # grouped by ids only, the names taken with MIN (one per id): narrow keys sort in memory
    keys: list[Any] = [campaigns.c.id]
    names: list[Any] = [_one(campaigns.c.name, "name"), _one(campaigns.c.positive_target)]
    if by is OutboundBy.LIST:
        source = source.join(records, records.c.id == a.c.record_id).join(
            contact_lists, contact_lists.c.id == records.c.list_id
        )
        keys.append(contact_lists.c.id.label("key"))
        names.append(_one(contact_lists.c.name, "key_name"))
    elif by in (OutboundBy.GROUP, OutboundBy.OPERATOR):
        source = source.outerjoin(users, users.c.id == a.c.user_id).outerjoin(
            team, team.c.id == users.c.group_id
        )
        if by is OutboundBy.GROUP:
            keys.append(team.c.id.label("key"))
            names.append(_one(team.c.name, "key_name"))
        else:
            keys.append(users.c.id.label("key"))
            names += [_one(users.c.username, "key_name"), _one(team.c.name, "team")]
    outcome_cols = [_one(outcomes.c.label), _one(outcomes.c.kind), _one(outcomes.c.position)]
    stmt = (
        select(
            *keys,
            *names,
            a.c.user_id,
            a.c.outcome,
            *outcome_cols,
            func.count().label("n"),
            _sum(ANSWERED).label("answered"),
            _sum(contact).label("contacts"),
            _sum(ABANDONED).label("abandoned"),
            func.coalesce(func.sum(case((contact, talk), else_=0.0)), 0.0).label("talk"),
        )
        .select_from(source)
        .where(
            campaigns.c.company_id == q.company_id,
            visible(vis, campaigns.c.company_id, owner.c.path, campaigns.c.client_id),
            or_(*(and_(a.c.started_at >= s, a.c.started_at < e) for s, e in spans)),
        )
        .group_by(*keys, a.c.user_id, a.c.outcome)
    )
    with ctx.uow() as uow:
        found = uow.conn.execute(stmt).all()
    rows: dict[tuple[int, Any], OutboundRow] = {}
    for r in found:
        key = getattr(r, "key", None) if by is not OutboundBy.CAMPAIGN else None
        row = rows.get((r.id, key))
        if row is None:
            row = rows[(r.id, key)] = OutboundRow(r.id, r.name, float(r.positive_target))
            if by is not OutboundBy.CAMPAIGN:
                row.name = r.key_name if key is not None else NO_OPERATOR
                row.group = getattr(r, "team", None) or ""
        code = r.outcome or ""
        tally = OutcomeTally(
            r.label or code or IN_PROGRESS, r.kind,
            r.position if r.position is not None else 1 << 30, int(r.n), int(r.contacts),
            round(float(r.talk), 3),
        )  # fmt: skip
        row.figures.add(tally, code, int(r.answered), int(r.abandoned))
        if r.user_id is not None:
            row.operators.add(r.user_id)
    out = sorted(rows.values(), key=lambda x: (x.campaign, x.name == NO_OPERATOR, x.name))
    everyone: set[int] = set().union(*(r.operators for r in out))
    per_user = presence_totals(ctx, actor, q, everyone) if everyone and presence else {}
    for row in out:
        row.presence = summed(per_user, row.operators)
    total = OutboundFigures.combined(r.figures for r in out)
    return OutboundReport(out, total, everyone, summed(per_user, everyone))


def summed(per_user: dict[int, DayPresence], user_ids: Collection[int]) -> DayPresence:
    """The presence of some operators added up (those not seen count nothing)."""
    total = DayPresence()
    for u in user_ids:
        p = per_user.get(u)
        if p is not None:
            total.add(p)
    return total

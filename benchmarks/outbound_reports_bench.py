"""Outbound and presence report speed (OUT-9) over one month of generated attempts and
operator states, with every campaign's figures checked against a recount in Python of
the raw attempt rows, and the operators' presence summed in SQL against their days
added up in Python.

    python benchmarks/outbound_reports_bench.py --attempts 1000000 --backend postgresql
    python benchmarks/outbound_reports_bench.py --attempts 300000 --backend sqlite

The data: one company (Europe/Rome), 20 campaigns of 5 lists each, `--operators` in 10
teams, November 2026. Each record is dialed about three times; 35% of the dials are
answered by a person, 3% of those abandoned, the others put through to an operator and
closed with a positive (10%), negative or final outcome after 30 to 400 s of talk; 0.1%
still in progress. Each operator works every weekday 08:00-17:00 with pauses (626
screen break, lunch, coffee) between cycles of ready, reserved, talking and after-call
work, about 400 state changes a day. Rows go in by COPY (PostgreSQL) or executemany
(SQLite), in their own schema or temporary file, dropped at the end.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from reports_bench import DEFAULT_PG, _context, _drop, _insert, _ts

CAMPAIGNS, LISTS, TEAMS = 20, 5, 10
FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)
ROME = ZoneInfo("Europe/Rome")
CHUNK = 100_000
NEGATIVE = ("not_interested", "wrong_person", "do_not_call")
UNANSWERED = ("no_answer", "busy", "voicemail", "invalid", "congestion")


class Center:
    def __init__(self, ctx: Any, operators: int) -> None:
        from sqlalchemy import insert

        from centralino.domain.org import GroupKind
        from centralino.domain.roles import Role
        from centralino.services import auth, campaigns, org, users
        from centralino.services.users import GrantRequest
        from centralino.store.tables import contact_lists

        company, root = org.create_company(ctx, None, "Bench", "Europe/Rome", "it")
        admin, _ = users.create_user(
            ctx, None, group_id=root.id, username="bench", display_name="Bench",
            password="bench-password-1", roles=[GrantRequest(Role.SYSTEM_ADMIN, root.id)],
            trusted_company_id=company.id,
        )  # fmt: skip
        with ctx.uow() as uow:
            self.principal = auth.load_principal(uow, uow.users.get(admin.id))
        self.company_id = company.id
        teams = [
            org.create_group(ctx, self.principal, root.id, f"Team {i}", GroupKind.TEAM).id
            for i in range(TEAMS)
        ]
        self.operators: list[int] = []
        for i in range(operators):
            team = teams[i % TEAMS]
            op, _ = users.create_user(
                ctx, self.principal, group_id=team, username=f"op{i:04d}",
                display_name=f"Operator {i}", password="bench-password-1",
                roles=[GrantRequest(Role.OPERATOR, team)],
            )  # fmt: skip
            self.operators.append(op.id)
        self.campaigns: list[int] = []
        self.lists: list[tuple[int, int]] = []  # (campaign, list)
        self.positive_target: dict[int, float] = {}
        for i in range(CAMPAIGNS):
            c = campaigns.create_campaign(
                ctx, self.principal,
                {"name": f"Campaign {i:02d}", "group_id": teams[i % TEAMS],
                 "positive_target": 0.02 + 0.01 * (i % 5)},
            )  # fmt: skip
            self.campaigns.append(c.id)
            self.positive_target[c.id] = c.positive_target
            with ctx.uow() as uow:
                for k in range(LISTS):
                    lid = uow.conn.execute(
                        insert(contact_lists).values(
                            campaign_id=c.id, name=f"List {i:02d}-{k}", priority=5,
                            is_active=True, columns=["phone"], created_at=ctx.now(),
                        ).returning(contact_lists.c.id)
                    ).scalar_one()  # fmt: skip
                    self.lists.append((c.id, int(lid)))
                uow.commit()


RECORD_COLS = (
    "id", "campaign_id", "list_id", "row_number", "phone", "phone_raw", "timezone", "data",
    "priority", "state", "attempts", "created_at",
)  # fmt: skip
ATTEMPT_COLS = (
    "campaign_id", "record_id", "user_id", "phone", "dial_mode", "rule", "started_at",
    "answered_at", "connected_at", "ended_at", "outcome", "abandoned",
)  # fmt: skip
STATE_COLS = ("company_id", "user_id", "state", "reason", "at")


def _period() -> tuple[float, float]:
    start = datetime.combine(FIRST, datetime.min.time(), ROME).timestamp()
    end = datetime.combine(LAST + timedelta(days=1), datetime.min.time(), ROME).timestamp()
    return start, end


def _attempts(center: Center, n: int, pg: bool, rnd: random.Random) -> tuple[list[Any], list[Any]]:
    start, end = _period()
    records, rows = [], []
    per_record = 3
    for i in range(0, n, per_record):
        rid = len(records) + 1
        cid, lid = rnd.choice(center.lists)
        phone = f"+39{rid:010d}"
        records.append((rid, cid, lid, rid, phone, phone, "Europe/Rome", "{}", 5, "scheduled",
                        per_record, _ts(start, pg)))  # fmt: skip
        for _ in range(min(per_record, n - i)):
            at = round(rnd.uniform(start, end - 600), 3)
            answered = connected = ended = None
            user = None
            abandoned = False
            r = rnd.random()
            if r < 0.001:
                outcome = None  # still ringing or talking
            elif r < 0.35:
                answered = at + round(rnd.uniform(3, 20), 3)
                if rnd.random() < 0.03:
                    outcome, abandoned, ended = "abandoned", True, answered + 3
                else:
                    user = rnd.choice(center.operators)
                    connected = answered + 0.5
                    ended = connected + round(rnd.uniform(30, 400), 3)
                    p = rnd.random()
                    outcome = (
                        "positive" if p < 0.1 else rnd.choice(NEGATIVE) if p < 0.7 else "completed"
                    )
            else:
                outcome = rnd.choice(UNANSWERED)
                ended = at + round(rnd.uniform(5, 40), 3)
            rows.append((cid, rid, user, phone, "predictive", "{}", _ts(at, pg), _ts(answered, pg),
                         _ts(connected, pg), _ts(ended, pg), outcome, abandoned))  # fmt: skip
    return records, rows


def _states(center: Center, pg: bool, rnd: random.Random) -> list[Any]:
    rows = []
    day = FIRST
    while day <= LAST:
        if day.weekday() < 5:
            for user in center.operators:
                t = datetime.combine(day, datetime.min.time(), ROME).timestamp() + 8 * 3600
                t += rnd.uniform(0, 900)
                stop = t + 9 * 3600
                out = [("ready", None, t)]
                pauses = iter([("screen_break", 900), ("lunch", 3600), ("coffee", 600),
                               ("screen_break", 900)])  # fmt: skip
                cycle = 0
                while t < stop:
                    t += rnd.uniform(5, 120)
                    out.append(("reserved", None, t))
                    t += 5
                    out.append(("talking", None, t))
                    t += rnd.uniform(30, 400)
                    out.append(("wrap_up", None, t))
                    t += rnd.uniform(5, 60)
                    out.append(("ready", None, t))
                    cycle += 1
                    if cycle % 25 == 0:
                        reason, limit = next(pauses, ("coffee", 600))
                        out.append(("paused", reason, t))
                        t += limit * rnd.uniform(0.7, 1.3)
                        out.append(("ready", None, t))
                out.append(("logged_out", None, t))
                rows += [(center.company_id, user, s, r, _ts(at, pg)) for s, r, at in out]
        day += timedelta(days=1)
    return rows


def generate(ctx: Any, center: Center, n: int) -> tuple[int, int]:
    pg = ctx.engine.dialect.name == "postgresql"
    rnd = random.Random(7)
    records, attempts = _attempts(center, n, pg, rnd)
    states = _states(center, pg, rnd)
    raw = ctx.engine.raw_connection()
    try:
        cur = raw.cursor()
        for table, cols, data in (("records", RECORD_COLS, records),
                                  ("attempts", ATTEMPT_COLS, attempts),
                                  ("operator_states", STATE_COLS, states)):  # fmt: skip
            for i in range(0, len(data), CHUNK):
                _insert(cur, table, cols, data[i : i + CHUNK], pg)
                raw.commit()
        if pg:
            raw.driver_connection.autocommit = True  # type: ignore[attr-defined]
            for table in ("records", "attempts", "operator_states"):
                cur.execute(f"VACUUM ANALYZE {table}")
            for table in ("campaigns", "contact_lists", "outcomes", "users", "groups"):
                cur.execute(f"ANALYZE {table}")  # else the planner guesses 1 campaign
            raw.driver_connection.autocommit = False  # type: ignore[attr-defined]
        else:
            cur.execute("ANALYZE")
            raw.commit()
    finally:
        raw.close()
    return len(attempts), len(states)


def recount(ctx: Any, center: Center) -> dict[int, tuple[Any, ...]]:
    """Each campaign's figures from its raw attempts, one Python pass."""
    from sqlalchemy import select

    from centralino.store.tables import attempts

    per: dict[int, list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0.0, 0.0])
    a = attempts.c
    with ctx.uow() as uow:
        for r in uow.conn.execute(select(a.campaign_id, a.outcome, a.abandoned, a.answered_at,
                                         a.connected_at, a.ended_at)):  # fmt: skip
            f = per[r.campaign_id]
            f[0] += 1
            f[1] += r.answered_at is not None or r.abandoned
            f[3] += bool(r.abandoned)
            if r.connected_at is not None and r.ended_at is not None and not r.abandoned:
                talk = (r.ended_at - r.connected_at).total_seconds()
                f[2] += 1
                f[5] += talk
                f[4] += r.outcome == "positive"
                if r.outcome in NEGATIVE:
                    f[6] += talk
    return {c: tuple(v) for c, v in per.items()}


def _timed(fn: Any, runs: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times[0], min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--attempts", type=int, default=100_000)
    ap.add_argument("--operators", type=int, default=100)
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    ap.add_argument("--pg-url", default=DEFAULT_PG)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from centralino.reports.inbound import ReportQuery
    from centralino.reports.outbound import OutboundBy, outbound_report
    from centralino.reports.sheets import REPORTS

    with tempfile.TemporaryDirectory() as tmp:
        ctx, schema = _context(args.backend, args.pg_url, Path(tmp))
        try:
            start = time.perf_counter()
            center = Center(ctx, args.operators)
            n, states = generate(ctx, center, args.attempts)
            print(f"{args.backend}: {CAMPAIGNS} campaigns, {CAMPAIGNS * LISTS} lists, "
                  f"{args.operators:,} operators; {n:,} attempts and {states:,} state changes "
                  f"generated in {time.perf_counter() - start:.1f} s", flush=True)  # fmt: skip
            q = ReportQuery(center.company_id, FIRST, LAST)
            print(f"\n{'report':22}{'first':>9}{'best':>9}{'rows':>8}")
            for name in ("campaigns", "campaign-lists", "campaign-operators", "operator-outcomes",
                         "presence"):  # fmt: skip
                first, best, sheet = _timed(
                    lambda n=name: REPORTS[n].build(ctx, center.principal, q), args.runs
                )
                print(f"{name:22}{first:8.3f}s{best:8.3f}s{len(sheet.rows):8,}", flush=True)
            rows = outbound_report(ctx, center.principal, q, OutboundBy.CAMPAIGN).rows
            base = recount(ctx, center)
            bad = []
            for r in rows:
                f = r.figures
                ours = (f.attempts, f.answered, f.contacts, f.abandoned, f.positive)
                theirs = base[r.campaign_id]
                slack = 0.01 * max(1, f.contacts)  # SQLite: 1 ms per call
                if ours != theirs[:5] or max(abs(f.talk - theirs[5]),
                                             abs(f.negative_talk - theirs[6])) > slack:  # fmt: skip
                    bad.append(f"{r.campaign}: {ours, f.talk, f.negative_talk} != {theirs}")
            from centralino.domain.reports import Filters
            from centralino.reports.presence import presence_totals

            ops = set(center.operators)
            in_sql = presence_totals(ctx, center.principal, q, ops)
            every_day = ReportQuery(center.company_id, FIRST, LAST,
                                    filters=Filters(weekdays=frozenset(range(7))))  # fmt: skip
            by_days = presence_totals(ctx, center.principal, every_day, ops)
            for u in ops:
                x, y = in_sql.get(u), by_days.get(u)
                if (
                    x is None
                    or y is None
                    or x.pauses != y.pauses
                    or any(abs(x.time.get(st, 0.0) - y.time.get(st, 0.0)) > 0.01 for st in x.time)
                ):
                    bad.append(f"presence of user {u}: SQL and days disagree")
            if len(rows) != len(base) or bad:
                print("\nDISAGREE: " + "; ".join(bad))
                sys.exit(1)
            print("\nevery campaign's figures equal the recount of its attempts;")
            print("the operators' presence summed in SQL equals their days added up")
        finally:
            ctx.engine.dispose()
            _drop(args.pg_url, schema)


if __name__ == "__main__":
    if "--profile" in sys.argv:
        import cProfile

        sys.argv.remove("--profile")
        cProfile.run("main()", sort="cumulative")
    else:
        main()

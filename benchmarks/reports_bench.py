"""Inbound report speed (IN-8, IN-9): the hourly detail per service and the operators per
service over one month of generated call legs, ours (the hourly roll-ups `service_hours`
and, per operator, `call_hours`) beside a plain GROUP BY over the raw `calls` rows
computing the same figures, in the same run; the two must agree.

    python benchmarks/reports_bench.py --rows 10000000 --backend postgresql
    python benchmarks/reports_bench.py --rows 1000000 --backend sqlite

Goal: under 1 s on PostgreSQL for 10,000,000 legs. The data: one company (Europe/Rome),
50 services each with its own queue (targets 15, 20 or 30 s), 1,000 operators (20 per
queue), November 2026; 80% answered, 8% lost, 6% ended by the system, 4% refused (closed
or queue full), 1% ended in the IVR, 1% still waiting. Legs go in by COPY (PostgreSQL) or
executemany (SQLite); the roll-up rows are computed by the code `save_calls` uses
(`services.calls.hour_tallies`, then `store.repos.calls.without_operator` and `by_day`) as
the legs are generated. Everything lives in its own schema (PostgreSQL) or temporary file
(SQLite), dropped at the end, unless `--keep WHERE` names a schema or file to keep it in
for `--reuse WHERE` (10,000,000 legs take a quarter of an hour to generate).
"""

from __future__ import annotations

import argparse
import io
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

DEFAULT_PG = os.environ.get(
    "CENTRALINO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SERVICES = 50
OPERATORS = 1000
FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)
CHUNK = 100_000
UNANSWERED = ("timed_out", "voicemail", "callback_requested", "message")
CALL_COLUMNS = (
    "company_id", "group_id", "call_id", "direction", "service", "queue", "number", "user_id",
    "result", "refused_reason", "positive", "arrived_at", "queued_at", "picked_up_at",
    "ended_at", "phases",
)  # fmt: skip


def _context(  # type: ignore[no-untyped-def]
    backend: str, pg_url: str, workdir: Path, where: str | None = None, fresh: bool = True
):
    """The context on a new schema or file (or `where`, left as it is unless `fresh`)."""
    from sqlalchemy import text

    from centralino.bootstrap import build_context
    from centralino.settings import Settings
    from centralino.store import migrate
    from centralino.store.db import make_engine

    settings = Settings(
        data_dir=workdir, secret_key="bench-secret-key-0123456789", password_hashing="fast"
    )
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{where or workdir / 'bench.sqlite3'}")
        schema = None
    else:
        schema = where or f"bench_reports_{os.getpid()}"
        if fresh:
            admin = make_engine(pg_url)
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            admin.dispose()
        engine = make_engine(pg_url, connect_args={"options": f"-csearch_path={schema}"})
    migrate.upgrade(engine)
    return build_context(settings, engine=engine), schema


def _drop(pg_url: str, schema: str | None) -> None:
    if schema is None:
        return
    from sqlalchemy import text

    from centralino.store.db import make_engine

    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


class Center:
    """The company, its queues and operators, and a principal that reads everything."""

    def __init__(self, ctx: Any, reuse: bool = False) -> None:
        if reuse:
            self._load(ctx)
            return
        from centralino.domain.roles import Role
        from centralino.services import auth, org, queues, users
        from centralino.services.users import GrantRequest

        company, root = org.create_company(ctx, None, "Bench", "Europe/Rome", "it")
        admin, _ = users.create_user(
            ctx, None, group_id=root.id, username="bench", display_name="Bench",
            password="bench-password-1", roles=[GrantRequest(Role.SYSTEM_ADMIN, root.id)],
            trusted_company_id=company.id,
        )  # fmt: skip
        with ctx.uow() as uow:
            u = uow.users.get(admin.id)
            self.principal = auth.load_principal(uow, u)
        self.company_id, self.group_id = company.id, root.id
        self.queues = [f"Queue {i:02d}" for i in range(SERVICES)]
        self.services = [f"Service {i:02d}" for i in range(SERVICES)]
        self.targets = {q: (15.0, 20.0, 30.0)[i % 3] for i, q in enumerate(self.queues)}
        for q in self.queues:
            queues.create_queue(
                ctx, self.principal, q, root.id, {"target_seconds": self.targets[q]}
            )
        self.operators: list[int] = []
        for i in range(OPERATORS):
            op, _ = users.create_user(
                ctx, self.principal, group_id=root.id, username=f"op{i:04d}",
                display_name=f"Operator {i}", password="bench-password-1",
                roles=[GrantRequest(Role.OPERATOR, root.id)],
            )  # fmt: skip
            self.operators.append(op.id)

    def _load(self, ctx: Any) -> None:
        """The center of a kept benchmark (`--keep`), read back."""
        from centralino.services import auth

        with ctx.uow() as uow:
            u = uow.users.by_username("bench")
            if u is None:
                raise SystemExit("no benchmark center there: run once with --keep first")
            self.principal = auth.load_principal(uow, u)
            self.company_id, self.group_id = u.company_id, u.group_id
        self.queues = [f"Queue {i:02d}" for i in range(SERVICES)]
        self.services = [f"Service {i:02d}" for i in range(SERVICES)]
        self.targets = {q: (15.0, 20.0, 30.0)[i % 3] for i, q in enumerate(self.queues)}


def _legs(center: Center, rows: int, seed: int = 11) -> Iterator[list[Any]]:
    """Chunks of (record, owner) pairs: times on whole milliseconds and waits on x.x5 s,
    so no wait sits on a target and both sides judge every call alike."""
    from zoneinfo import ZoneInfo

    from centralino.domain.call_record import CallRecord, CallResult
    from centralino.domain.reports import Period
    from centralino.store.repos.calls import CallOwner

    period = Period(FIRST, LAST, ZoneInfo("Europe/Rome"))
    start, span = period.start.timestamp(), period.end.timestamp() - period.start.timestamp()
    rnd = random.Random(seed)
    per_queue = OPERATORS // SERVICES
    chunk: list[Any] = []
    for i in range(rows):
        k = rnd.randrange(SERVICES)
        arrived = start + math.floor(rnd.random() * span * 1000) / 1000
        rec = CallRecord(i, "inbound", center.queues[k], f"+39333{i:07d}", arrived,
                         service=center.services[k])  # fmt: skip
        user = None
        u = rnd.random()
        rec.queued_at = arrived + 3.0
        wait = round(rnd.expovariate(1 / 20), 1) + 0.05
        if u < 0.80:
            rec.result = CallResult.TALKED
            rec.picked_up_at = rec.queued_at + wait
            rec.ended_at = rec.picked_up_at + round(rnd.expovariate(1 / 180), 3)
            rec.positive = u < 0.2
            user = center.operators[k * per_queue + rnd.randrange(per_queue)]
        elif u < 0.88:
            rec.result, rec.ended_at = CallResult.ABANDONED, rec.queued_at + wait
        elif u < 0.94:
            rec.result = CallResult(UNANSWERED[int(u * 1000) % 4])
            rec.ended_at = rec.queued_at + wait
        elif u < 0.98:
            rec.result, rec.queued_at, rec.ended_at = CallResult.REFUSED, None, arrived + 5
            rec.refused_reason = "closed" if u < 0.965 else f"queue {rec.queue} full (40 waiting)"
        elif u < 0.99:  # served by the IVR alone: a message, or a hang-up in the menu
            rec.result = CallResult.MESSAGE if u < 0.985 else CallResult.ABANDONED
            rec.queued_at, rec.ended_at = None, arrived + 30
        else:
            rec.result = CallResult.UNFINISHED
        chunk.append((rec, CallOwner(center.group_id, user)))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _ts(at: float | None, pg: bool) -> str | None:
    if at is None:
        return None
    d = datetime.fromtimestamp(at, UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return d + "+00" if pg else d


def _call_row(company_id: int, rec: Any, owner: Any, pg: bool) -> tuple[Any, ...]:
    return (
        company_id, owner.group_id, rec.call_id, "inbound", rec.service, rec.queue, rec.number,
        owner.user_id, rec.result.value, rec.refused_reason, rec.positive,
        _ts(rec.arrived_at, pg), _ts(rec.queued_at, pg), _ts(rec.picked_up_at, pg),
        _ts(rec.ended_at, pg), "[]",
    )  # fmt: skip


def _copy_text(rows: list[tuple[Any, ...]]) -> str:
    out = io.StringIO()
    for row in rows:
        out.write(
            "\t".join(
                "\\N" if v is None else ("t" if v else "f") if isinstance(v, bool) else str(v)
                for v in row
            )
        )
        out.write("\n")
    return out.getvalue()


def generate(ctx: Any, center: Center, rows: int) -> tuple[int, dict[str, int]]:
    """Write the legs and their roll-ups; the legs and the rows of each roll-up."""
    from centralino.services.calls import hour_tallies
    from centralino.store.repos.calls import by_day, without_operator
    from centralino.store.tables import call_hours, operator_days, service_hours

    pg = ctx.engine.dialect.name == "postgresql"
    tallies: dict[Any, dict[str, float | int]] = {}
    raw = ctx.engine.raw_connection()
    try:
        cur = raw.cursor()
        for chunk in _legs(center, rows):
            for key, t in hour_tallies(chunk, center.targets).items():
                have = tallies.get(key)
                if have is None:
                    tallies[key] = t
                else:
                    for name, v in t.items():
                        have[name] += v
            data = [_call_row(center.company_id, rec, owner, pg) for rec, owner in chunk]
            _insert(cur, "calls", CALL_COLUMNS, data, pg)
            raw.commit()
        per_operator = [
            {
                "company_id": center.company_id, "hour": hour, "service": service,
                "queue": queue, "group_id": group, "user_id": user, **t,
            }
            for (hour, service, queue, group, user), t in tallies.items()
        ]  # fmt: skip
        counts = {}
        for table, rows_in in (
            (call_hours, per_operator),
            (service_hours, without_operator(per_operator)),
            (operator_days, by_day(per_operator)),
        ):
            cols = tuple(c.name for c in table.c)
            data = [
                tuple(_ts(v.timestamp(), pg) if isinstance(v, datetime) else v
                      for v in (r[c] for c in cols))
                for r in rows_in
            ]  # fmt: skip
            for i in range(0, len(data), CHUNK):
                _insert(cur, table.name, cols, data[i : i + CHUNK], pg)
            counts[table.name] = len(data)
        raw.commit()
        if pg:
            raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            for table_name in ("calls", *counts):
                cur.execute(f"VACUUM ANALYZE {table_name}")
            raw.driver_connection.autocommit = False  # type: ignore[union-attr]
        else:
            cur.execute("ANALYZE")
            raw.commit()
    finally:
        raw.close()
    return rows, counts


def _insert(cur: Any, table: str, cols: tuple[str, ...], data: list[Any], pg: bool) -> None:
    if pg:
        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            copy.write(_copy_text(data))
    else:
        marks = ", ".join("?" * len(cols))
        cur.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", data)


# --- the baseline: one plain GROUP BY over the raw legs, the definitions in SQL ---

_DIALECT = {
    "postgresql": {
        "hour": "date_trunc('hour', c.arrived_at AT TIME ZONE 'UTC')",
        "seconds": "EXTRACT(EPOCH FROM ({b}) - ({a}))",
        "target": "(q.settings->>'target_seconds')::float",
    },
    "sqlite": {
        "hour": "substr(c.arrived_at, 1, 13)",
        "seconds": "(julianday({b}) - julianday({a})) * 86400.0",
        "target": "json_extract(q.settings, '$.target_seconds')",
    },
}

_LEGS = """
WITH legs AS (
  SELECT c.service, c.user_id, {hour} AS hour, c.result, c.refused_reason,
         c.picked_up_at IS NOT NULL AND c.result <> 'refused' AS answered,
         c.result <> 'refused' AND NOT (c.result = 'unfinished' AND c.picked_up_at IS NULL)
           AND c.queued_at IS NOT NULL AS offered,
         c.result NOT IN ('refused', 'unfinished') AND c.queued_at IS NULL AS ivr,
         COALESCE({wait}, 0) AS wait, COALESCE({talk}, 0) AS talk,
         COALESCE({target}, 20) AS target
  FROM calls c LEFT JOIN queues q ON q.company_id = c.company_id AND q.name = c.queue
  WHERE c.company_id = :company AND c.direction = 'inbound'
    AND c.arrived_at >= :start AND c.arrived_at < :end
)
"""

DETAIL_SQL = (
    _LEGS
    + """
SELECT service, hour,
  SUM(CASE WHEN offered THEN 1 ELSE 0 END) AS received,
  SUM(CASE WHEN answered THEN 1 ELSE 0 END) AS answered,
  SUM(CASE WHEN answered AND wait <= target THEN 1 ELSE 0 END) AS in_target,
  SUM(CASE WHEN offered AND NOT answered AND result IN {unanswered} THEN 1 ELSE 0 END)
    AS unanswered,
  SUM(CASE WHEN offered AND NOT answered AND result NOT IN {unanswered} THEN 1 ELSE 0 END)
    AS lost,
  SUM(CASE WHEN result = 'refused' THEN 1 ELSE 0 END) AS refused,
  SUM(CASE WHEN result = 'refused' AND refused_reason = 'closed' THEN 1 ELSE 0 END) AS closed,
  SUM(CASE WHEN result = 'refused' AND refused_reason LIKE 'queue %'
      AND refused_reason LIKE '% full (%' THEN 1 ELSE 0 END) AS queue_full,
  SUM(CASE WHEN ivr THEN 1 ELSE 0 END) AS ivr,
  SUM(CASE WHEN answered THEN talk ELSE 0 END) AS talk,
  SUM(CASE WHEN answered THEN wait ELSE 0 END) AS wait_answered
FROM legs GROUP BY service, hour
"""
)

OPERATORS_SQL = (
    _LEGS
    + """
SELECT legs.service, u.username AS operator, COUNT(*) AS answered, SUM(talk) AS talk,
       SUM(wait) AS wait_answered
FROM legs LEFT JOIN users u ON u.id = legs.user_id
WHERE answered
GROUP BY legs.service, u.username
"""
)


def _sql(template: str, dialect: str) -> str:
    d = _DIALECT[dialect]
    return template.format(
        hour=d["hour"],
        wait=d["seconds"].format(a="c.queued_at", b="COALESCE(c.picked_up_at, c.ended_at)"),
        talk=d["seconds"].format(a="c.picked_up_at", b="c.ended_at"),
        target=d["target"],
        unanswered="(" + ", ".join(f"'{r}'" for r in UNANSWERED) + ")",
    )


def baseline(ctx: Any, center: Center, template: str) -> list[Any]:
    from zoneinfo import ZoneInfo

    from sqlalchemy import text

    from centralino.domain.reports import Period

    period = Period(FIRST, LAST, ZoneInfo("Europe/Rome"))
    with ctx.engine.connect() as conn:
        return conn.execute(
            text(_sql(template, ctx.engine.dialect.name)).bindparams(
                company=center.company_id, start=period.start, end=period.end
            )
        ).all()


def ours_detail(ctx: Any, center: Center) -> list[Any]:
    from centralino.domain.reports import BucketBy
    from centralino.reports import inbound

    q = inbound.ReportQuery(center.company_id, FIRST, LAST, BucketBy.HOUR)
    return inbound.service_detail(ctx, center.principal, q)


def ours_operators(ctx: Any, center: Center) -> list[Any]:
    from centralino.reports import inbound

    q = inbound.ReportQuery(center.company_id, FIRST, LAST)
    return inbound.operators_per_service(ctx, center.principal, q)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-3)


def agree_detail(ours: list[Any], base: list[Any]) -> str | None:
    """None when every non-empty (service, hour) has the same figures on both sides."""
    got = {}
    for r in ours:
        f, s = r.figures, r.figures.stats
        if f.received or s.refused or s.ivr:
            got[(r.service, r.bucket.start.strftime("%Y-%m-%d %H"))] = (
                f.received, s.answered, s.answered_in_target, s.unanswered, s.abandoned,
                s.refused, f.refused_closed, f.refused_full, s.ivr, s.talk, s.wait_answered,
            )  # fmt: skip
    want = {}
    for r in base:
        if not (r.received or r.refused or r.ivr):
            continue  # only calls still waiting: no figure to show
        hour = r.hour if isinstance(r.hour, str) else r.hour.strftime("%Y-%m-%d %H")
        want[(r.service, hour.replace("T", " "))] = (
            r.received, r.answered, r.in_target, r.unanswered, r.lost, r.refused, r.closed,
            r.queue_full, r.ivr, float(r.talk), float(r.wait_answered),
        )  # fmt: skip
    if got.keys() != want.keys():
        return f"{len(got)} service-hours beside {len(want)}"
    for k, g in got.items():
        w = want[k]
        if g[:9] != w[:9] or not (_close(g[9], w[9]) and _close(g[10], w[10])):
            return f"{k}: ours {g}, GROUP BY {w}"
    return None


def agree_operators(ours: list[Any], base: list[Any]) -> str | None:
    got = {(r.service, r.operator): (r.answered, r.talk, r.average_wait * r.answered)
           for r in ours}  # fmt: skip
    want = {(r.service, r.operator): (r.answered, float(r.talk), float(r.wait_answered))
            for r in base}  # fmt: skip
    if got.keys() != want.keys():
        return f"{len(got)} service-operators beside {len(want)}"
    for k, g in got.items():
        w = want[k]
        if g[0] != w[0] or not (_close(g[1], w[1]) and _close(g[2], w[2])):
            return f"{k}: ours {g}, GROUP BY {w}"
    return None


def timed(fn: Callable[[], list[Any]], runs: int) -> tuple[float, float, list[Any]]:
    """First and best of `runs` wall times, and the result."""
    times, result = [], []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times[0], min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    ap.add_argument("--pg-url", default=DEFAULT_PG)
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each report (best shown)")
    ap.add_argument(
        "--keep", metavar="WHERE", help="keep the generated data: a PostgreSQL schema name or "
        "an SQLite file, for --reuse (generating 10,000,000 legs takes a quarter of an hour)",
    )  # fmt: skip
    ap.add_argument("--reuse", metavar="WHERE", help="time the data kept by --keep WHERE")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        where = args.reuse or args.keep
        if args.keep and args.backend == "sqlite":
            Path(args.keep).unlink(missing_ok=True)
        elif args.keep:
            _drop(args.pg_url, args.keep)
        ctx, schema = _context(args.backend, args.pg_url, Path(tmp), where, not args.reuse)
        try:
            if args.reuse:
                center = Center(ctx, reuse=True)
                print(f"{args.backend}: the data kept in {args.reuse}", flush=True)
            else:
                start = time.perf_counter()
                center = Center(ctx)
                setup = time.perf_counter() - start
                start = time.perf_counter()
                legs, counts = generate(ctx, center, args.rows)
                gen = time.perf_counter() - start
                print(
                    f"{args.backend}: {SERVICES} services, {OPERATORS:,} operators in "
                    f"{setup:.1f} s; generated {legs:,} legs and the roll-up rows ("
                    + ", ".join(f"{n:,} {name}" for name, n in counts.items())
                    + f") in {gen:.1f} s ({legs / gen:,.0f} legs/s)",
                    flush=True,
                )
            bad = []
            print(f"\n{'report':34}{'ours first':>12}{'ours best':>11}{'GROUP BY':>11}{'rows':>9}")
            for name, ours, template, agree in (
                ("hourly detail per service", ours_detail, DETAIL_SQL, agree_detail),
                ("operators per service", ours_operators, OPERATORS_SQL, agree_operators),
            ):
                first, best, rows = timed(lambda o=ours: o(ctx, center), args.runs)  # type: ignore[misc]
                _, b_best, base = timed(
                    lambda t=template: baseline(ctx, center, t),
                    min(args.runs, 2),  # type: ignore[misc]
                )
                print(
                    f"{name:34}{first:11.3f}s{best:10.3f}s{b_best:10.3f}s{len(rows):9,}", flush=True
                )
                problem = agree(rows, base)
                if problem:
                    bad.append(f"{name}: {problem}")
            print()
            if bad:
                print("DISAGREE: " + "; ".join(bad))
                sys.exit(1)
            print("ours and GROUP BY agree on every figure")
            print("goal: under 1 s on PostgreSQL for 10,000,000 legs")
        finally:
            ctx.engine.dispose()
            if not where:
                _drop(args.pg_url, schema)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    main()

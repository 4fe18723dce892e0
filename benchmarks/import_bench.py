"""List import speed: our import (sniff, map, E.164, duplicates, do-not-call, records) of
a generated CSV, on SQLite and PostgreSQL, beside a bare PostgreSQL COPY of the same file.

    python benchmarks/import_bench.py --rows 1000000
    python benchmarks/import_bench.py --rows 100000 --backend sqlite

Goal (OUT-2): at least 50,000 rows/s into PostgreSQL with normalisation, under 400 MB
peak memory for a 1,000,000-row CSV. Each run happens in a child process, so its peak
resident memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_PG = os.environ.get(
    "CENTRALINO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
CITIES = ["Roma", "Milano", "Forlì", "Napoli", "Torino", "Bari", "Cefalù", "Bologna"]
NAMES = ["Mario", "Anna", "Luca", "Giulia", "Niccolò", "Chiara", "Paolo", "Sara"]
SURNAMES = ["Rossi", "Bianchi", "Verdi", "Esposito", "Colombo", "Ricci", "Marino"]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A realistic list: Italian numbers in the usual spellings, 1% bad, 0.5% repeated."""
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("Nome;Cognome;Telefono;E-mail;Città;Note;Codice cliente\n")
        for i in range(rows):
            n = 3_200_000_000 + i
            if rnd.random() < 0.005 and i > 10:
                n = 3_200_000_000 + rnd.randrange(i)  # a duplicate
            s = str(n)
            spelling = i % 4
            if spelling == 0:
                phone = f"+39 {s[:3]} {s[3:6]} {s[6:]}"
            elif spelling == 1:
                phone = s
            elif spelling == 2:
                phone = f"0039 {s[:3]}-{s[3:]}"
            else:
                phone = f"{s[:3]}.{s[3:6]}.{s[6:]}"
            if rnd.random() < 0.01:
                phone = "n/d"
            name, surname = rnd.choice(NAMES), rnd.choice(SURNAMES)
            f.write(
                f"{name};{surname};{phone};{name.lower()}.{surname.lower()}{i}@example.it;"
                f"{rnd.choice(CITIES)};cliente dal {2000 + i % 25};C{i:08d}\n"
            )


def _context(backend: str, pg_url: str, workdir: Path):  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from centralino.bootstrap import build_context
    from centralino.settings import Settings
    from centralino.store.db import make_engine

    settings = Settings(data_dir=workdir, secret_key="bench-secret-key-0123456789")
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{workdir / 'bench.sqlite3'}")
        return build_context(settings, engine=engine), None
    schema = f"bench_import_{os.getpid()}"
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    engine = make_engine(pg_url, connect_args={"options": f"-csearch_path={schema}"})
    return build_context(settings, engine=engine), schema


def _campaign(ctx) -> int:  # type: ignore[no-untyped-def]
    from centralino.domain.roles import Role
    from centralino.services import auth, campaigns, org, users
    from centralino.services.users import GrantRequest

    company, root = org.create_company(ctx, None, "Bench", "Europe/Rome", "it")
    admin, _ = users.create_user(
        ctx, None, group_id=root.id, username="bench", display_name="Bench",
        password="bench-password-1", roles=[GrantRequest(Role.SYSTEM_ADMIN, root.id)],
        trusted_company_id=company.id,
    )  # fmt: skip
    with ctx.uow() as uow:
        u = uow.users.get(admin.id)
        principal = auth.load_principal(uow, u)
    return campaigns.create_campaign(ctx, principal, {"name": "Bench", "group_id": root.id}).id


def _drop(pg_url: str, schema: str | None) -> None:
    if schema is None:
        return
    from sqlalchemy import text

    from centralino.store.db import make_engine

    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def run_import(backend: str, csv_path: str, pg_url: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from centralino.services import imports

    with tempfile.TemporaryDirectory() as tmp:
        ctx, schema = _context(backend, pg_url, Path(tmp))
        try:
            cid = _campaign(ctx)
            start = time.perf_counter()
            job = imports.import_file(ctx, None, cid, Path(csv_path))
            seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            out.put((job.rows_read, job.rows_imported, job.rows_rejected, seconds, peak))
        finally:
            ctx.engine.dispose()
            _drop(pg_url, schema)


def run_copy(csv_path: str, pg_url: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """The floor: PostgreSQL's own COPY of the raw file into an unindexed text table."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(pg_url).set(drivername="postgresql")
    dsn = url.render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TEMP TABLE raw_list (nome text, cognome text, telefono text, email text, "
            "citta text, note text, codice text)"
        )
        start = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy("COPY raw_list FROM STDIN (FORMAT csv, HEADER true, DELIMITER ';')") as copy,
            open(csv_path, "rb") as f,
        ):
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        seconds = time.perf_counter() - start
        n = conn.execute("SELECT count(*) FROM raw_list").fetchone()[0]  # type: ignore[index]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put((n, n, 0, seconds, peak))


def _child(target, *args):  # type: ignore[no-untyped-def]
    ctx = multiprocessing.get_context("spawn")  # a fresh process: its own peak memory
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    result = q.get()
    p.join()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--backend", choices=["both", "sqlite", "postgresql"], default="both")
    ap.add_argument("--pg-url", default=DEFAULT_PG)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "list.csv"
        start = time.perf_counter()
        generate(csv_path, args.rows)
        size = csv_path.stat().st_size / 2**20
        print(
            f"generated {args.rows:,} rows ({size:.1f} MB) in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        runs: list[tuple[str, tuple[int, int, int, float, float]]] = []
        backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
        for b in backends:
            runs.append((f"import into {b}", _child(run_import, b, str(csv_path), args.pg_url)))
            _print(*runs[-1])
        if "postgresql" in backends:
            runs.append(("bare COPY, PostgreSQL", _child(run_copy, str(csv_path), args.pg_url)))
            _print(*runs[-1])
    print()
    print(f"{'':28}{'rows/s':>12}{'seconds':>10}{'peak MB':>10}{'imported':>12}{'rejected':>10}")
    for label, (read, imported, rejected, seconds, peak) in runs:
        print(
            f"{label:28}{read / seconds:12,.0f}{seconds:10.2f}{peak:10.0f}"
            f"{imported:12,}{rejected:10,}"
        )
    print("goal: >= 50,000 rows/s into PostgreSQL, < 400 MB peak for 1,000,000 rows")


def _print(label: str, r: tuple[int, int, int, float, float]) -> None:
    read, imported, rejected, seconds, peak = r
    print(
        f"{label}: {read:,} rows in {seconds:.2f} s = {read / seconds:,.0f} rows/s, "
        f"peak {peak:.0f} MB ({imported:,} imported, {rejected:,} rejected)",
        flush=True,
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    main()

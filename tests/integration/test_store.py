"""The store on SQLite and PostgreSQL: migrations, subtree queries, moves, time, atomicity."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select

from centralino.domain.access import Visibility
from centralino.domain.errors import Conflict
from centralino.domain.org import GroupKind
from centralino.domain.roles import Permission
from centralino.services import org
from centralino.services.context import ServiceContext
from centralino.store import migrate
from centralino.store.tables import audit_log, metadata
from world import build_world


def test_migrations_match_the_tables(engine: Engine) -> None:
    assert migrate.current_revision(engine) == migrate.head_revision(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision(engine)


def test_datetimes_come_back_as_utc(ctx: ServiceContext) -> None:
    company, _ = org.create_company(ctx, None, "Tz Co", "Europe/Rome", "it")
    with ctx.uow() as uow:
        c = uow.companies.get(company.id)
    assert c is not None and c.created_at == ctx.now() and c.created_at.tzinfo == UTC


def test_naive_datetimes_are_refused(ctx: ServiceContext) -> None:
    with ctx.uow() as uow, pytest.raises(Exception, match="naive"):
        uow.companies.add("Naive", "UTC", "en", datetime(2026, 1, 1))


def test_subtree_query_at_any_depth(ctx: ServiceContext) -> None:
    w = build_world(ctx)
    parent = w.groups["T1"]
    chain = []
    for depth in range(12):
        parent = org.create_group(ctx, w.admin(), parent.id, f"level{depth}", GroupKind.TEAM)
        chain.append(parent.id)
    with ctx.uow() as uow:
        sub = uow.groups.subtree(w.groups["S1"].path)
        vis = Visibility(False, w.company_a, (w.groups["S1"].path,))
        listed = uow.groups.list(vis, 500, 0).items
    ids = {g.id for g in sub}
    assert set(chain) <= ids and w.groups["T1"].id in ids and w.groups["T2"].id not in ids
    assert {g.id for g in listed} == ids


def test_move_rewrites_every_descendant_path(ctx: ServiceContext) -> None:
    w = build_world(ctx)
    a = org.create_group(ctx, w.admin(), w.groups["T1"].id, "A", GroupKind.TEAM)
    b = org.create_group(ctx, w.admin(), a.id, "B", GroupKind.TEAM)
    org.update_group(ctx, w.admin(), a.id, {"parent_id": w.groups["T2"].id})
    with ctx.uow() as uow:
        moved_b = uow.groups.get(b.id)
    assert moved_b is not None
    assert moved_b.path == f"{w.groups['T2'].path}{a.id}/{b.id}/"
    with pytest.raises(Conflict):
        org.update_group(ctx, w.admin(), a.id, {"parent_id": b.id})
    with ctx.uow() as uow:
        unchanged = uow.groups.get(a.id)
    assert unchanged is not None and unchanged.parent_id == w.groups["T2"].id


def test_failed_change_leaves_no_audit_row(ctx: ServiceContext) -> None:
    w = build_world(ctx)
    with ctx.uow() as uow:
        before = len(uow.conn.execute(select(audit_log.c.id)).all())
    with pytest.raises(Conflict):
        org.create_group(ctx, w.admin(), w.groups["RA"].id, "S1", GroupKind.SITE)
    with ctx.uow() as uow:
        after = len(uow.conn.execute(select(audit_log.c.id)).all())
    assert after == before


def test_every_change_is_audited_with_before_and_after(ctx: ServiceContext) -> None:
    w = build_world(ctx)
    g = org.update_group(ctx, w.admin(), w.groups["T1"].id, {"name": "Team One"})
    with ctx.uow() as uow:
        page = uow.audit.list(w.admin().visibility(Permission.AUDIT_READ), 5, 0, "group", str(g.id))
    entry = page.items[0]
    assert entry.action == "update" and entry.actor_name == "sysadmin"
    assert entry.before is not None and entry.before["name"] == "T1"
    assert entry.after is not None and entry.after["name"] == "Team One"


def test_concurrent_creates_of_the_same_name_leave_one(ctx: ServiceContext) -> None:
    """Two writers race for one group name: one wins, the other gets a conflict."""
    w = build_world(ctx)
    results: list[str] = []

    def create() -> None:
        try:
            org.create_group(ctx, w.admin(), w.groups["S1"].id, "Racing", GroupKind.TEAM)
            results.append("ok")
        except Exception as exc:
            results.append(type(exc).__name__)

    threads = [threading.Thread(target=create) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1
    with ctx.uow() as uow:
        kids = [g for g in uow.groups.list_children(w.groups["S1"].id) if g.name == "Racing"]
    assert len(kids) == 1

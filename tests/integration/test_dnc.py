"""Do-not-call lists on SQLite and PostgreSQL: numbers added after the import are never
dialed, company-wide and per campaign; outcomes that block a number; bulk import
accounting; who may change which list; every change audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from centralino.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from centralino.domain.roles import Role
from centralino.services import dialing, dnc
from centralino.services.context import ServiceContext
from centralino.store.tables import audit_log, dnc_entries, records
from world import World, build_world


def state_of(ctx: ServiceContext, rid: int) -> str:
    with ctx.uow() as uow:
        return str(uow.conn.execute(select(records.c.state).where(records.c.id == rid)).scalar())


def claimed(ctx: ServiceContext, cid: int) -> set[int]:
    return {c.record_id for c in dialing.claim(ctx, cid, 50)}


@pytest.fixture
def w(ctx: ServiceContext) -> World:
    return build_world(ctx)


def test_numbers_added_after_the_import_are_never_dialed(ctx: ServiceContext, w: World) -> None:
    cid, other = w.make_campaign("own"), w.make_campaign("own")
    company_wide = w.make_record(cid, phone="+390612345678")
    this_campaign = w.make_record(cid, phone="+393331234567")
    free = w.make_record(cid, phone="+393339999999")
    elsewhere = w.make_record(other, phone="+393331234567")  # blocked only in `cid`
    also_company = w.make_record(other, phone="+390612345678")
    admin = w.admin()
    e1 = dnc.add_entry(ctx, admin, "06 1234 5678")  # national format, company's region (IT)
    e2 = dnc.add_entry(ctx, admin, "0039 333 123 4567", campaign_id=cid)
    assert (e1.phone, e1.campaign_id) == ("+390612345678", None)
    assert (e2.phone, e2.campaign_id) == ("+393331234567", cid) and e2.campaign_name
    assert claimed(ctx, cid) == {free}
    assert state_of(ctx, company_wide) == state_of(ctx, this_campaign) == "blocked"
    assert claimed(ctx, other) == {elsewhere}
    assert state_of(ctx, also_company) == "blocked"


def test_an_outcome_that_blocks_puts_the_number_on_the_campaign_list(
    ctx: ServiceContext, w: World
) -> None:
    """Beyond the settled record (test_dialing_store): the entry is listed, can be found by
    prefix, and keeps the number from being dialed even if the record is reopened."""
    cid = w.make_campaign("own")
    rid = w.make_record(cid, phone="+390655501234")
    claim = dialing.claim(ctx, cid, 1)[0]
    dialing.finish(ctx, claim.attempt_id, "fax")
    page = dnc.list_entries(ctx, w.admin(), 50, 0, campaign_id=cid, phone="06 555")
    assert [(e.phone, e.source, e.campaign_id) for e in page.items] == [
        ("+390655501234", "outcome:fax", cid)
    ]
    with ctx.uow() as uow:  # someone reopens the record by hand
        uow.conn.execute(records.update().where(records.c.id == rid).values(state="scheduled"))
        uow.commit()
    assert claimed(ctx, cid) == set()
    assert state_of(ctx, rid) == "blocked"


def test_the_same_number_is_listed_once_per_list(ctx: ServiceContext, w: World) -> None:
    """NULL campaign ids never meet the unique constraint, so the code keeps them unique."""
    cid = w.make_campaign("own")
    admin = w.admin()
    dnc.add_entry(ctx, admin, "+390612345678")
    with pytest.raises(Conflict):
        dnc.add_entry(ctx, admin, "06 12345678")
    dnc.add_entry(ctx, admin, "+390612345678", campaign_id=cid)  # another list
    with pytest.raises(Conflict):
        dnc.add_entry(ctx, admin, "+390612345678", campaign_id=cid)
    with ctx.uow() as uow:
        assert uow.conn.execute(select(dnc_entries.c.campaign_id)).scalars().all() in (
            [None, cid],
            [cid, None],
        )
    with pytest.raises(InvalidInput) as bad:
        dnc.add_entry(ctx, admin, "12ab")
    assert bad.value.field == "phone"
    with pytest.raises(InvalidInput):
        dnc.add_entry(ctx, admin, "06 1234 5678", region="ZZ")


def test_who_may_change_which_list(ctx: ServiceContext, w: World) -> None:
    own, sibling = w.make_campaign("own"), w.make_campaign("sibling")
    leader = w.principal(w.actors[Role.TEAM_LEADER])  # on site S1, not on the company root
    client = w.principal(w.actors[Role.CLIENT])
    with pytest.raises(Forbidden):
        dnc.add_entry(ctx, leader, "+390612345678")  # company-wide needs the root
    with pytest.raises(NotFound):
        dnc.add_entry(ctx, leader, "+390612345678", campaign_id=sibling)
    with pytest.raises(Forbidden):
        dnc.add_entry(ctx, client, "+390612345678", campaign_id=own)
    mine = dnc.add_entry(ctx, leader, "+390612345678", campaign_id=own)
    company = dnc.add_entry(ctx, w.admin(), "+390699999999")
    theirs = dnc.add_entry(ctx, w.admin(), "+390688888888", campaign_id=sibling)
    # reading: the leader and the client see their campaign's entry only
    for who in (leader, client):
        assert [e.id for e in dnc.list_entries(ctx, who, 50, 0).items] == [mine.id]
        with pytest.raises(NotFound):
            dnc.get_entry(ctx, who, theirs.id)
    with pytest.raises(NotFound):
        dnc.delete_entry(ctx, leader, company.id)
    with pytest.raises(Forbidden):
        dnc.delete_entry(ctx, client, mine.id)
    admin_sees = dnc.list_entries(ctx, w.admin(), 50, 0, company_id=w.company_a)
    assert {e.id for e in admin_sees.items} == {mine.id, company.id, theirs.id}
    only_company = dnc.list_entries(ctx, w.admin(), 50, 0, company_wide=True)
    assert [e.id for e in only_company.items] == [company.id]
    dnc.delete_entry(ctx, leader, mine.id)
    with ctx.uow() as uow:
        audit = uow.conn.execute(
            select(audit_log.c.action, audit_log.c.entity, audit_log.c.actor_name)
            .where(audit_log.c.entity == "dnc_entry")
            .order_by(audit_log.c.id)
        ).all()
    assert [tuple(a) for a in audit] == [
        ("create", "dnc_entry", "actor_team_leader"),
        ("create", "dnc_entry", "sysadmin"),
        ("create", "dnc_entry", "sysadmin"),
        ("delete", "dnc_entry", "actor_team_leader"),
    ]


def test_import_reports_every_row(ctx: ServiceContext, w: World, tmp_path: Path) -> None:
    cid = w.make_campaign("own")
    rid = w.make_record(cid, phone="+393331234567")
    dnc.add_entry(ctx, w.admin(), "+390612345678", campaign_id=cid)
    f = tmp_path / "opposizioni.csv"
    f.write_text(
        "Nome;Telefono;Note\n"
        "Mario;333 1234567;\n"  # added (and blocks the record imported before)
        "Anna;06 12345678;\n"  # already on the list
        "Eva;abc;\n"  # rejected
        "Pia;;richiamare\n"  # no number: rejected
        ";;\n"  # a blank row is not a row of the list
        "Ugo;+39 333 123 4567;\n"  # same number as row 2 of this file
        "Ada;+48 601 234 567;\n"  # another country, added
    )
    result = dnc.import_entries(ctx, w.admin(), f, f.name, campaign_id=cid)
    assert (result.rows_read, result.added, result.already_present, result.rejected) == (6, 2, 2, 2)
    assert [(r.row, r.value, r.reason) for r in result.rejections] == [
        (4, "abc", "letters in a phone number"),
        (5, "", "no phone number"),
    ]
    assert claimed(ctx, cid) == set() and state_of(ctx, rid) == "blocked"
    again = dnc.import_entries(ctx, w.admin(), f, f.name, campaign_id=cid)
    assert (again.added, again.already_present, again.rejected) == (0, 4, 2)
    with ctx.uow() as uow:
        audit = uow.conn.execute(
            select(audit_log.c.entity_id, audit_log.c.after).where(audit_log.c.entity == "dnc_list")
        ).all()
    assert len(audit) == 1  # the second import changed nothing
    assert audit[0].entity_id == f"campaign:{cid}" and audit[0].after["added"] == 2


def test_import_of_bare_numbers_to_the_company_list(
    ctx: ServiceContext, w: World, tmp_path: Path
) -> None:
    f = tmp_path / "registro.txt"
    lines = [f"+39 06 {i:08d}" for i in range(1, 2501)] + ["", "0612", "+390600000001"]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = dnc.import_entries(ctx, w.admin(), f, "registro.txt")
    assert (result.rows_read, result.added, result.already_present, result.rejected) == (
        2502,
        2500,
        1,
        1,
    )
    assert result.rejections[0].row == 2502  # line numbers, the blank line counted
    page = dnc.list_entries(ctx, w.admin(), 10, 0, company_wide=True, phone="+39 06 0000 1")
    assert page.total == 1000  # +39060000 1000..1999
    with ctx.uow() as uow:
        sources = set(uow.conn.execute(select(dnc_entries.c.source)).scalars())
    assert sources == {"import:registro.txt"}


def test_import_needs_a_phone_column(ctx: ServiceContext, w: World, tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("Nome;Città\nMario;Roma\n")
    with pytest.raises(InvalidInput, match="no column of phone numbers"):
        dnc.import_entries(ctx, w.admin(), f, f.name)
    leader = w.principal(w.actors[Role.TEAM_LEADER])
    f.write_text("+390612345678\n")
    with pytest.raises(Forbidden):
        dnc.import_entries(ctx, leader, f, f.name)

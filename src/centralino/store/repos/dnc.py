"""Do-not-call entries: a company's own list (no campaign) and each campaign's list.

The unique constraint on (company, campaign, phone) lets equal company-wide rows through
on both databases (NULL differs from NULL), so every insert checks the scope first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, insert, or_, select, text
from sqlalchemy.orm import aliased

from centralino.domain.access import Visibility
from centralino.store.repos.page import Page, fetch_page
from centralino.store.repos.scope import visible
from centralino.store.tables import campaigns, dnc_entries, groups

_CHUNK = 900  # below SQLite's bound-parameter limit with room for the other conditions
_PROBE = text(
    "SELECT p.phone, d.campaign_id FROM unnest(string_to_array(:phones, ',')) AS p(phone)"
    " CROSS JOIN LATERAL (SELECT campaign_id FROM dnc_entries"
    " WHERE company_id = :company AND phone = p.phone"
    " AND (campaign_id IS NULL OR campaign_id = :campaign)"
    " ORDER BY campaign_id NULLS FIRST LIMIT 1) AS d"
)


@dataclass(slots=True, frozen=True)
class DncEntry:
    """One blocked number; `group_path` and `client_id` place it for access checks (the
    campaign's, or the company root's for a company-wide entry)."""

    id: int
    company_id: int
    campaign_id: int | None
    campaign_name: str | None
    phone: str
    source: str
    created_at: datetime
    group_path: str
    client_id: int | None


_root = aliased(groups, name="root")
_camp_group = aliased(groups, name="camp_group")
_BASE = (
    select(
        dnc_entries,
        campaigns.c.name.label("campaign_name"),
        campaigns.c.client_id,
        _camp_group.c.path.label("campaign_path"),
        _root.c.path.label("root_path"),
    )
    .join(_root, and_(_root.c.company_id == dnc_entries.c.company_id, _root.c.parent_id.is_(None)))
    .outerjoin(campaigns, campaigns.c.id == dnc_entries.c.campaign_id)
    .outerjoin(_camp_group, _camp_group.c.id == campaigns.c.group_id)
)


def _entry(r: Any) -> DncEntry:
    return DncEntry(
        id=r.id,
        company_id=r.company_id,
        campaign_id=r.campaign_id,
        campaign_name=r.campaign_name,
        phone=r.phone,
        source=r.source,
        created_at=r.created_at,
        group_path=r.root_path if r.campaign_id is None else r.campaign_path,
        client_id=r.client_id,
    )


def _scope(company_id: int, campaign_id: int | None) -> ColumnElement[bool]:
    return and_(
        dnc_entries.c.company_id == company_id,
        dnc_entries.c.campaign_id.is_(None)
        if campaign_id is None
        else dnc_entries.c.campaign_id == campaign_id,
    )


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class DncRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def blocked(self, company_id: int, campaign_id: int, phones: Iterable[str]) -> set[str]:
        """Numbers of `phones` that may not be called for this campaign (either list)."""
        return set(self.listed(company_id, campaign_id, sorted(set(phones))))

    def listed(self, company_id: int, campaign_id: int, phones: Sequence[str]) -> dict[str, str]:
        """Numbers of `phones` on a list that applies to the campaign, each with the list
        that has it: 'company' (which wins when both do) or 'campaign'."""
        if not phones:
            return {}
        if self.conn.dialect.name == "postgresql":
            # one index probe per number, whatever the planner thinks of the table's size;
            # the numbers travel as one string (E.164 has no commas), cheaper than an array
            scope = {"company": company_id, "campaign": campaign_id}
            rows = self.conn.execute(_PROBE, {"phones": ",".join(phones), **scope}).all()
            return {r.phone: "company" if r.campaign_id is None else "campaign" for r in rows}
        found: dict[str, str] = {}
        for chunk in _chunks(phones):
            rows = self.conn.execute(
                select(dnc_entries.c.phone, dnc_entries.c.campaign_id).where(
                    dnc_entries.c.company_id == company_id,
                    or_(
                        dnc_entries.c.campaign_id.is_(None),
                        dnc_entries.c.campaign_id == campaign_id,
                    ),
                    dnc_entries.c.phone.in_(chunk),
                )
            ).all()
            for r in rows:
                if found.get(r.phone) != "company":
                    found[r.phone] = "company" if r.campaign_id is None else "campaign"
        return found

    def present(self, company_id: int, campaign_id: int | None, phones: Sequence[str]) -> set[str]:
        """Numbers of `phones` already on exactly this list."""
        found: set[str] = set()
        for chunk in _chunks(sorted(set(phones))):
            rows = self.conn.execute(
                select(dnc_entries.c.phone).where(
                    _scope(company_id, campaign_id), dnc_entries.c.phone.in_(chunk)
                )
            ).all()
            found.update(r.phone for r in rows)
        return found

    def add(
        self, company_id: int, campaign_id: int | None, phone: str, source: str, now: datetime
    ) -> int | None:
        """Put a number on a list; None when it was already there."""
        if self.present(company_id, campaign_id, [phone]):
            return None
        return int(
            self.conn.execute(
                insert(dnc_entries)
                .values(
                    company_id=company_id,
                    campaign_id=campaign_id,
                    phone=phone,
                    source=source[:64],
                    created_at=now,
                )
                .returning(dnc_entries.c.id)
            ).scalar_one()
        )

    def add_many(
        self,
        company_id: int,
        campaign_id: int | None,
        phones: Sequence[str],
        source: str,
        now: datetime,
    ) -> set[str]:
        """Put numbers on a list; returns those that were already there (nothing added)."""
        already = self.present(company_id, campaign_id, phones)
        new = [p for p in dict.fromkeys(phones) if p not in already]
        if new:
            self.conn.execute(
                insert(dnc_entries),
                [
                    {
                        "company_id": company_id,
                        "campaign_id": campaign_id,
                        "phone": p,
                        "source": source[:64],
                        "created_at": now,
                    }
                    for p in new
                ],
            )
        return already

    def get(self, entry_id: int) -> DncEntry | None:
        r = self.conn.execute(_BASE.where(dnc_entries.c.id == entry_id)).first()
        return _entry(r) if r else None

    def find(self, company_id: int, campaign_id: int | None, phone: str) -> DncEntry | None:
        r = self.conn.execute(
            _BASE.where(_scope(company_id, campaign_id), dnc_entries.c.phone == phone)
        ).first()
        return _entry(r) if r else None

    def delete(self, entry_id: int) -> None:
        self.conn.execute(delete(dnc_entries).where(dnc_entries.c.id == entry_id))

    def list(
        self,
        vis: Visibility,
        limit: int,
        offset: int,
        *,
        company_id: int | None = None,
        campaign_id: int | None = None,
        company_wide: bool | None = None,
        phone_prefixes: Sequence[str] | None = None,
    ) -> Page[DncEntry]:
        """Entries the visibility allows, newest first.

        A company-wide entry sits at the company root and serves no client; a campaign
        entry sits where its campaign does, with the campaign's client.
        """
        d = dnc_entries
        seen = or_(
            and_(d.c.campaign_id.is_(None), visible(vis, d.c.company_id, _root.c.path)),
            and_(
                d.c.campaign_id.is_not(None),
                visible(vis, campaigns.c.company_id, _camp_group.c.path, campaigns.c.client_id),
            ),
        )
        q = _BASE.where(seen)
        if company_id is not None:
            q = q.where(d.c.company_id == company_id)
        if campaign_id is not None:
            q = q.where(d.c.campaign_id == campaign_id)
        if company_wide is True:
            q = q.where(d.c.campaign_id.is_(None))
        elif company_wide is False:
            q = q.where(d.c.campaign_id.is_not(None))
        if phone_prefixes:  # '+' and digits only: nothing to escape
            q = q.where(or_(*(d.c.phone.like(f"{p}%") for p in phone_prefixes)))
        q = q.order_by(d.c.created_at.desc(), d.c.id.desc())
        rows, total = fetch_page(self.conn, q, limit, offset)
        return Page([_entry(r) for r in rows], total, limit, offset)

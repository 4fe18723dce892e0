"""Do-not-call lists (OUT-2, OUT-10): the company's own list and each campaign's list.

The dialer checks both before every dial (`services/dialing.claim`), so a number added
here is never called again, whatever was imported before. A company-wide entry sits at
the company root: changing it needs campaigns.write there, the power to change every
campaign of the company; a campaign entry needs campaigns.write on its campaign.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.core import get_global
from phonenumbers import PhoneMetadata

from centralino.domain.access import Place, Principal
from centralino.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from centralino.domain.org import Company
from centralino.domain.outbound.campaign import Campaign
from centralino.domain.roles import Permission
from centralino.imports.mapping import Role as ColumnRole
from centralino.imports.mapping import role_of_header
from centralino.imports.phones import PhoneError, PhoneNormalizer
from centralino.imports.readers import Cell, cell_text, open_list
from centralino.imports.sniff import SAMPLE_BYTES, FileKind, detect_encoding, file_kind
from centralino.services.audit import record
from centralino.services.campaigns import campaign_place, readable_campaign
from centralino.services.context import ServiceContext
from centralino.store.repos.dnc import DncEntry
from centralino.store.repos.page import Page
from centralino.store.uow import UnitOfWork

P = Permission
DEFAULT_REGION = "IT"
BATCH = 1000
MAX_REPORTED = 1000  # rejections listed in an import's answer; all are counted
_NUMBER_LINE = re.compile(r"^\+?[\d\s()./-]{5,}$")
_NOT_DIGITS = re.compile(r"\D")


def company_region(company: Company) -> str:
    """The company's country from its time zone (Europe/Rome: IT), else Italy."""
    territories: Mapping[str, str] = get_global("zone_territories")
    region = territories.get(company.timezone, DEFAULT_REGION)
    return region if PhoneMetadata.metadata_for_region(region) else DEFAULT_REGION


def entry_place(e: DncEntry) -> Place:
    return Place(e.company_id, e.group_path, e.client_id)


def entry_view(e: DncEntry) -> dict[str, Any]:
    return {
        "company_id": e.company_id,
        "campaign_id": e.campaign_id,
        "phone": e.phone,
        "source": e.source,
    }


@dataclass(slots=True, frozen=True)
class _Target:
    """The list a change goes to: a company's own list or a campaign's."""

    company_id: int
    campaign: Campaign | None
    place: Place
    region: str

    @property
    def campaign_id(self) -> int | None:
        return self.campaign.id if self.campaign else None

    @property
    def label(self) -> str:
        if self.campaign is None:
            return f"company:{self.company_id}"
        return f"campaign:{self.campaign.id}"


def _company_root(uow: UnitOfWork, actor: Principal, company_id: int | None) -> _Target:
    cid = actor.company_id if company_id is None else company_id
    company = uow.companies.get(cid)
    root = uow.groups.root_of(cid)
    if company is None or root is None or not (actor.is_system_admin or cid == actor.company_id):
        raise NotFound(f"company {cid} not found", field="company_id")
    return _Target(cid, None, Place(cid, root.path), company_region(company))


def _target(
    uow: UnitOfWork,
    actor: Principal,
    campaign_id: int | None,
    company_id: int | None,
    region: str | None,
    permission: Permission,
) -> _Target:
    """Where an entry goes (or which list is read), with the caller's right checked."""
    if campaign_id is not None:
        c = readable_campaign(uow, actor, campaign_id)
        if company_id is not None and company_id != c.company_id:
            raise InvalidInput(f"campaign {c.id} is not in company {company_id}", "company_id")
        if not actor.can(permission, campaign_place(c)):
            raise Forbidden(
                f"changing the do-not-call list of campaign {c.id} needs {permission.value}",
                field="campaign_id",
            )
        t = _Target(c.company_id, c, campaign_place(c), c.default_region)
    else:
        t = _company_root(uow, actor, company_id)
        if not actor.can(permission, t.place):
            raise Forbidden(
                f"the company-wide do-not-call list needs {permission.value} on the company's "
                "root group; add the number to a campaign's list instead",
                field="campaign_id",
            )
    if region is not None:
        t = _Target(t.company_id, t.campaign, t.place, region.upper())
    return t


def _normaliser(region: str) -> PhoneNormalizer:
    try:
        return PhoneNormalizer(region)
    except ValueError as exc:
        raise InvalidInput(f"unknown region {region!r}", field="region") from exc


def phone_prefixes(text: str, region: str) -> list[str]:
    """What a search for `text` may mean: an international prefix (+39 06, 0039 06, 3906)
    or, without + or 00, also a national one in `region` (06 12: +39 06 12)."""
    raw = text.strip()
    digits = _NOT_DIGITS.sub("", raw)
    if not digits:
        raise InvalidInput("search by the digits a number starts with", field="phone")
    if raw.startswith("+"):
        return [f"+{digits}"]
    if raw.startswith("00"):
        return [f"+{digits[2:]}"] if len(digits) > 2 else ["+"]
    found = [f"+{digits}"]
    meta = PhoneMetadata.metadata_for_region(region.upper())
    if meta is not None:
        national = digits
        prefix = meta.national_prefix or ""
        if prefix and national.startswith(prefix):
            national = national[len(prefix) :]
        found.append(f"+{meta.country_code}{national}")
    return list(dict.fromkeys(found))


# --- reading ---


def list_entries(
    ctx: ServiceContext,
    actor: Principal,
    limit: int,
    offset: int,
    *,
    company_id: int | None = None,
    campaign_id: int | None = None,
    company_wide: bool | None = None,
    phone: str | None = None,
    region: str | None = None,
) -> Page[DncEntry]:
    """Entries the caller may see: company-wide ones need campaigns.read on the company
    root, a campaign's ones campaigns.read on the campaign (a client user: its own)."""
    if not actor.has_anywhere(P.CAMPAIGNS_READ):
        raise Forbidden("listing do-not-call entries needs the campaigns.read permission")
    with ctx.uow() as uow:
        search_region = region
        if campaign_id is not None:
            c = readable_campaign(uow, actor, campaign_id)
            search_region = search_region or c.default_region
        if search_region is None:
            company = uow.companies.get(company_id or actor.company_id)
            search_region = company_region(company) if company else DEFAULT_REGION
        prefixes = phone_prefixes(phone, search_region) if phone else None
        return uow.dnc.list(
            actor.visibility(P.CAMPAIGNS_READ), limit, offset, company_id=company_id,
            campaign_id=campaign_id, company_wide=company_wide, phone_prefixes=prefixes,
        )  # fmt: skip


def _readable_entry(uow: UnitOfWork, actor: Principal, entry_id: int) -> DncEntry:
    e = uow.dnc.get(entry_id)
    if e is None or not actor.can(P.CAMPAIGNS_READ, entry_place(e)):
        raise NotFound(f"do-not-call entry {entry_id} not found")
    return e


def get_entry(ctx: ServiceContext, actor: Principal, entry_id: int) -> DncEntry:
    with ctx.uow() as uow:
        return _readable_entry(uow, actor, entry_id)


# --- changes ---


def add_entry(
    ctx: ServiceContext,
    actor: Principal,
    phone: str,
    *,
    campaign_id: int | None = None,
    company_id: int | None = None,
    region: str | None = None,
    source: str = "manual",
) -> DncEntry:
    """Put one number on the company's list (no campaign) or on a campaign's list."""
    now = ctx.now()
    with ctx.uow() as uow:
        t = _target(uow, actor, campaign_id, company_id, region, P.CAMPAIGNS_WRITE)
        try:
            e164 = _normaliser(t.region).normalise(phone).e164
        except PhoneError as exc:
            raise InvalidInput(f"{phone!r}: {exc.reason}", field="phone") from exc
        if uow.dnc.add(t.company_id, t.campaign_id, e164, source, now) is None:
            where = "the company's" if t.campaign is None else f"campaign {t.campaign_id}'s"
            raise Conflict(f"{e164} is already on {where} do-not-call list", field="phone")
        entry = uow.dnc.find(t.company_id, t.campaign_id, e164)
        assert entry is not None
        record(
            uow, actor, "create", "dnc_entry", entry.id, entry_place(entry), None,
            entry_view(entry), now, P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return entry


def delete_entry(ctx: ServiceContext, actor: Principal, entry_id: int) -> None:
    with ctx.uow() as uow:
        e = _readable_entry(uow, actor, entry_id)
        if not actor.can(P.CAMPAIGNS_WRITE, entry_place(e)):
            scope = "the company-wide list" if e.campaign_id is None else "this campaign's list"
            raise Forbidden(f"you may not remove numbers from {scope}")
        uow.dnc.delete(e.id)
        record(
            uow, actor, "delete", "dnc_entry", e.id, entry_place(e), entry_view(e), None,
            ctx.now(), P.CAMPAIGNS_READ,
        )  # fmt: skip
        uow.commit()
    ctx.publish(uow)


# --- bulk import ---


@dataclass(slots=True, frozen=True)
class RejectedRow:
    row: int
    value: str
    reason: str


@dataclass(slots=True)
class DncImport:
    """What an import did: rows_read = added + already_present + rejected."""

    filename: str
    company_id: int
    campaign_id: int | None
    region: str
    rows_read: int = 0
    added: int = 0
    already_present: int = 0
    rejected: int = 0
    rejections: list[RejectedRow] = field(default_factory=list)

    def reject(self, row: int, value: str, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_REPORTED:
            self.rejections.append(RejectedRow(row, value[:100], reason))

    def summary(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "campaign_id": self.campaign_id,
            "region": self.region,
            "rows_read": self.rows_read,
            "added": self.added,
            "already_present": self.already_present,
            "rejected": self.rejected,
        }


def _plain_lines(path: Path, head: bytes) -> Iterator[tuple[int, Cell]] | None:
    """A text file of bare numbers, one a line (no header), or None for anything else."""
    if file_kind(head) is not FileKind.TEXT:
        return None
    encoding = detect_encoding(head, complete=len(head) < SAMPLE_BYTES)
    first = next(
        (ln for ln in head.decode(encoding, errors="replace").splitlines() if ln.strip()), ""
    )
    if not _NUMBER_LINE.match(first.strip().strip("\"'\ufeff")):
        return None

    def lines() -> Iterator[tuple[int, Cell]]:
        with path.open(encoding=encoding, errors="replace", newline=None) as f:
            for n, line in enumerate(f, start=1):
                text = line.strip().strip("\"'\ufeff").strip()
                if text:
                    yield n, text

    return lines()


def _column_rows(path: Path, filename: str) -> Iterator[tuple[int, Cell]]:
    """The phone column of a CSV or spreadsheet with a header (phone, telefono, numer...)."""
    with open_list(path, filename) as lf:
        phone_cols = [i for i, h in enumerate(lf.header) if role_of_header(h) is ColumnRole.PHONE]
        if phone_cols:
            col = phone_cols[0]
        elif len(lf.header) == 1:
            col = 0
        else:
            raise InvalidInput(
                f"{filename}: no column of phone numbers (name it phone, telefono or numer); "
                f"the columns are: {', '.join(lf.header)}",
                field="file",
            )
        for num, cells in lf.rows:
            if not cells:
                continue  # a blank row between numbers
            yield num, cells[col] if col < len(cells) else None


def numbers_in(path: Path, filename: str) -> Iterator[tuple[int, Cell]]:
    """(row, cell) for each number of an uploaded list, in file order."""
    with path.open("rb") as f:
        head = f.read(SAMPLE_BYTES)
    if not head.strip():
        raise InvalidInput(f"{filename}: the file is empty", field="file")
    plain = _plain_lines(path, head)
    return plain if plain is not None else _column_rows(path, filename)


def import_entries(
    ctx: ServiceContext,
    actor: Principal,
    path: Path,
    filename: str,
    *,
    campaign_id: int | None = None,
    company_id: int | None = None,
    region: str | None = None,
) -> DncImport:
    """Add every number of a file to one list in one transaction (the Registro Pubblico
    delle Opposizioni, a client's opt-outs); each row is added, already present or
    rejected with its reason."""
    now = ctx.now()
    source = f"import:{Path(filename).name}"
    with ctx.uow() as uow:
        t = _target(uow, actor, campaign_id, company_id, region, P.CAMPAIGNS_WRITE)
        normaliser = _normaliser(t.region)
        result = DncImport(filename, t.company_id, t.campaign_id, t.region)
        batch: list[str] = []

        def flush() -> None:
            if batch:
                before = len(batch)
                already = uow.dnc.add_many(t.company_id, t.campaign_id, batch, source, now)
                added = len(set(batch) - already)
                result.added += added
                result.already_present += before - added
                batch.clear()

        for row, value in numbers_in(path, filename):
            result.rows_read += 1
            try:
                batch.append(normaliser.normalise(value).e164)
            except PhoneError as exc:
                result.reject(row, cell_text(value), exc.reason)
                continue
            if len(batch) >= BATCH:
                flush()
        flush()
        if result.added:
            record(
                uow, actor, "update", "dnc_list", t.label, t.place, None, result.summary(), now,
                P.CAMPAIGNS_READ,
            )  # fmt: skip
        uow.commit()
    ctx.publish(uow)
    return result

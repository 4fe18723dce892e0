"""Call scripts (OUT-6), the campaigns and services they apply to, and the answers of calls."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from centralino.domain.access import Visibility
from centralino.domain.scripts import Script
from centralino.store.repos.page import Page, fetch_page
from centralino.store.repos.scope import visible
from centralino.store.tables import (
    groups,
    records,
    script_answers,
    script_links,
    scripts,
    users,
)


@dataclass(slots=True)
class ScriptRow:
    """A stored script: its owner group, its tree, and where it applies."""

    id: int
    company_id: int
    group_id: int
    group_path: str
    script: Script
    created_at: datetime
    updated_at: datetime
    campaign_ids: list[int] = field(default_factory=list)
    service_ids: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.script.name


@dataclass(slots=True)
class AnswersRow:
    """What an operator answered along a script in one call."""

    id: int
    company_id: int
    call_id: int
    call_started_at: datetime
    user_id: int
    username: str
    group_path: str
    script_id: int | None
    script_name: str
    campaign_id: int | None
    service: str | None
    record_id: int | None
    number: str
    answers: dict[str, str]
    path: list[str]
    complete: bool
    outcome: str | None
    updated_at: datetime


_BASE = select(scripts, groups.c.path).join(groups, groups.c.id == scripts.c.group_id)
_ANSWERS = (
    select(script_answers, users.c.username, groups.c.path)
    .join(users, users.c.id == script_answers.c.user_id)
    .join(groups, groups.c.id == users.c.group_id)
)


def _script(r: Any) -> ScriptRow:
    return ScriptRow(
        id=r.id, company_id=r.company_id, group_id=r.group_id, group_path=r.path,
        script=Script.from_json(r.name, r.body), created_at=r.created_at,
        updated_at=r.updated_at,
    )  # fmt: skip


def _answers(r: Any) -> AnswersRow:
    return AnswersRow(
        id=r.id, company_id=r.company_id, call_id=r.call_id, call_started_at=r.call_started_at,
        user_id=r.user_id, username=r.username, group_path=r.path, script_id=r.script_id,
        script_name=r.script_name, campaign_id=r.campaign_id, service=r.service,
        record_id=r.record_id, number=r.number, answers=dict(r.answers), path=list(r.path),
        complete=r.complete, outcome=r.outcome, updated_at=r.updated_at,
    )  # fmt: skip


class ScriptRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _with_links(self, rows: list[ScriptRow]) -> list[ScriptRow]:
        if not rows:
            return rows
        by_id = {s.id: s for s in rows}
        links = self.conn.execute(
            select(script_links)
            .where(script_links.c.script_id.in_(list(by_id)))
            .order_by(script_links.c.id)
        ).all()
        for link in links:
            s = by_id[link.script_id]
            if link.campaign_id is not None:
                s.campaign_ids.append(link.campaign_id)
            if link.service_id is not None:
                s.service_ids.append(link.service_id)
        return rows

    def add(self, company_id: int, group_id: int, script: Script, now: datetime) -> int:
        return int(
            self.conn.execute(
                insert(scripts)
                .values(
                    company_id=company_id, group_id=group_id, name=script.name,
                    body=script.as_json(), created_at=now, updated_at=now,
                )
                .returning(scripts.c.id)
            ).scalar_one()
        )  # fmt: skip

    def get(self, script_id: int) -> ScriptRow | None:
        r = self.conn.execute(_BASE.where(scripts.c.id == script_id)).first()
        return self._with_links([_script(r)])[0] if r else None

    def by_name(self, company_id: int, name: str) -> ScriptRow | None:
        r = self.conn.execute(
            _BASE.where(scripts.c.company_id == company_id, scripts.c.name == name)
        ).first()
        return self._with_links([_script(r)])[0] if r else None

    def list(self, vis: Visibility, limit: int, offset: int) -> Page[ScriptRow]:
        q = _BASE.where(visible(vis, scripts.c.company_id, groups.c.path))
        rows, total = fetch_page(self.conn, q.order_by(scripts.c.name, scripts.c.id), limit, offset)
        return Page(self._with_links([_script(r) for r in rows]), total, limit, offset)

    def update(self, row: ScriptRow, now: datetime) -> None:
        self.conn.execute(
            update(scripts)
            .where(scripts.c.id == row.id)
            .values(
                group_id=row.group_id, name=row.script.name, body=row.script.as_json(),
                updated_at=now,
            )
        )  # fmt: skip

    def delete(self, script_id: int) -> None:
        self.conn.execute(delete(scripts).where(scripts.c.id == script_id))

    def set_links(
        self, script_id: int, campaign_ids: Sequence[int], service_ids: Sequence[int]
    ) -> None:
        """Replace where the script applies."""
        self.conn.execute(delete(script_links).where(script_links.c.script_id == script_id))
        rows = [
            {"script_id": script_id, "campaign_id": c, "service_id": None} for c in campaign_ids
        ]
        rows += [
            {"script_id": script_id, "campaign_id": None, "service_id": s} for s in service_ids
        ]
        if rows:
            self.conn.execute(insert(script_links), rows)

    def linked_elsewhere(
        self, script_id: int | None, campaign_ids: Sequence[int], service_ids: Sequence[int]
    ) -> builtins.list[tuple[str, int, str]]:
        """(kind, id, other script's name) of the campaigns and services another script has."""
        if not campaign_ids and not service_ids:
            return []
        q = (
            select(script_links.c.campaign_id, script_links.c.service_id, scripts.c.name)
            .join(scripts, scripts.c.id == script_links.c.script_id)
            .where(
                script_links.c.campaign_id.in_(list(campaign_ids))
                | script_links.c.service_id.in_(list(service_ids))
            )
        )
        if script_id is not None:
            q = q.where(script_links.c.script_id != script_id)
        out: builtins.list[tuple[str, int, str]] = []
        for r in self.conn.execute(q).all():
            if r.campaign_id is not None:
                out.append(("campaign", r.campaign_id, r.name))
            else:
                out.append(("service", r.service_id, r.name))
        return out

    def for_campaign(self, campaign_id: int) -> ScriptRow | None:
        return self._linked(script_links.c.campaign_id == campaign_id)

    def for_service(self, service_id: int) -> ScriptRow | None:
        return self._linked(script_links.c.service_id == service_id)

    def _linked(self, cond: Any) -> ScriptRow | None:
        r = self.conn.execute(
            _BASE.join(script_links, script_links.c.script_id == scripts.c.id).where(cond)
        ).first()
        return self._with_links([_script(r)])[0] if r else None

    def contact(self, campaign_id: int, record_id: int) -> dict[str, str]:
        """A record's values for placeholders: its imported columns, name, email, phone."""
        r = self.conn.execute(
            select(records.c.name, records.c.email, records.c.phone, records.c.data).where(
                records.c.id == record_id, records.c.campaign_id == campaign_id
            )
        ).first()
        if r is None:
            return {}
        out = {str(k): str(v) for k, v in (r.data or {}).items()}
        out.update({k: v for k, v in (("name", r.name), ("email", r.email)) if v})
        out["phone"] = r.phone
        return out

    # --- answers ---

    def answers_of(
        self, company_id: int, call_id: int, user_id: int, started_at: datetime
    ) -> AnswersRow | None:
        r = self.conn.execute(
            _ANSWERS.where(
                script_answers.c.company_id == company_id,
                script_answers.c.call_id == call_id,
                script_answers.c.user_id == user_id,
                script_answers.c.call_started_at == started_at,
            )
        ).first()
        return _answers(r) if r else None

    def save_answers(self, row: AnswersRow) -> None:
        """Insert or replace the answers of (company, call, user, call start)."""
        values = {
            "script_id": row.script_id, "script_name": row.script_name,
            "campaign_id": row.campaign_id, "service": row.service, "record_id": row.record_id,
            "number": row.number, "answers": row.answers, "path": row.path,
            "complete": row.complete, "outcome": row.outcome, "updated_at": row.updated_at,
        }  # fmt: skip
        found = self.answers_of(row.company_id, row.call_id, row.user_id, row.call_started_at)
        if found is None:
            self.conn.execute(
                insert(script_answers).values(
                    company_id=row.company_id, call_id=row.call_id,
                    call_started_at=row.call_started_at, user_id=row.user_id, **values,
                )
            )  # fmt: skip
        else:
            self.conn.execute(
                update(script_answers).where(script_answers.c.id == found.id).values(**values)
            )

    def list_answers(
        self, vis: Visibility, call_id: int | None, user_id: int | None, limit: int, offset: int
    ) -> Page[AnswersRow]:
        """Answers of calls whose operator the visibility reaches, newest first."""
        q = _ANSWERS.where(visible(vis, script_answers.c.company_id, groups.c.path))
        if call_id is not None:
            q = q.where(script_answers.c.call_id == call_id)
        if user_id is not None:
            q = q.where(script_answers.c.user_id == user_id)
        q = q.order_by(script_answers.c.updated_at.desc(), script_answers.c.id.desc())
        rows, total = fetch_page(self.conn, q, limit, offset)
        return Page([_answers(r) for r in rows], total, limit, offset)

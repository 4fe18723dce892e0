"""The figures a compliance report proves: answered and abandoned attempts over windows
and per block of answered calls, and the rules that allowed each dial.

An abandoned call was answered by definition, so it counts as answered even where the
answer time is missing: the rate is never flattered by a lost timestamp.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, or_, select

from centralino.store.tables import attempts

# The rule keys a dial decision is grouped by (services/dialing writes them; the local
# time of each call and the pacing figures are left out, they differ for every call).
RULE_KEYS = (
    "preset", "day_kind", "legal_hours", "campaign_window", "dnc", "after_abandon", "pacing_mode",
)  # fmt: skip

# The abandon rate's terms, shared with the outbound reports (abandoned / answered).
ABANDONED = attempts.c.abandoned.is_(True)
ANSWERED = or_(attempts.c.answered_at.is_not(None), ABANDONED)
_ABANDONED = func.coalesce(func.sum(case((ABANDONED, 1), else_=0)), 0)


@dataclass(slots=True, frozen=True)
class Block:
    """One block of answered calls in answer order: block 0 holds calls 1 to `size`."""

    index: int
    answered: int
    abandoned: int


class ComplianceRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def abandon_counts(self, campaign_id: int, since: datetime | None = None) -> tuple[int, int]:
        """(answered, abandoned) attempts started since a time (None: the whole campaign)."""
        q = select(func.count(), _ABANDONED).where(attempts.c.campaign_id == campaign_id, ANSWERED)
        if since is not None:
            q = q.where(attempts.c.started_at >= since)
        answered, abandoned = self.conn.execute(q).one()
        return int(answered), int(abandoned)

    def blocks(self, campaign_id: int, size: int) -> list[Block]:
        """Answered calls numbered in answer order and cut into blocks of `size`."""
        numbered = (
            select(
                attempts.c.abandoned,
                func.row_number()
                .over(
                    order_by=(
                        func.coalesce(attempts.c.answered_at, attempts.c.started_at),
                        attempts.c.id,
                    )
                )
                .label("n"),
            )
            .where(attempts.c.campaign_id == campaign_id, ANSWERED)
            .subquery()
        )
        index = ((numbered.c.n - 1) // size).label("block")
        rows = self.conn.execute(
            select(
                index,
                func.count(),
                func.coalesce(func.sum(case((numbered.c.abandoned.is_(True), 1), else_=0)), 0),
            )
            .group_by(index)
            .order_by(index)
        ).all()
        return [Block(int(b), int(n), int(a)) for b, n, a in rows]

    def rules(
        self, campaign_id: int, since: datetime, keys: Sequence[str] = RULE_KEYS
    ) -> list[tuple[dict[str, Any], int]]:
        """How many dials each rule allowed since a time, most used first."""
        fields = [attempts.c.rule[k].as_string().label(k) for k in keys]
        rows = self.conn.execute(
            select(*fields, func.count().label("n"))
            .where(attempts.c.campaign_id == campaign_id, attempts.c.started_at >= since)
            .group_by(*fields)
        ).all()
        found = [
            ({k: v for k, v in zip(keys, r[: len(keys)], strict=True) if v is not None}, int(r.n))
            for r in rows
        ]
        # in Python: the databases disagree on where NULLs sort
        return sorted(found, key=lambda x: (-x[1], sorted(x[0].items())))

"""call_hours: the inbound call legs summed per UTC hour, service, queue, group, operator

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-08

The roll-up is filled from the stored legs here, with the code that keeps it afterwards
(services.calls.hour_tallies: kpis.InboundStats per key), each queue's current target.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None

_BATCH = 20_000


def upgrade() -> None:
    op.create_table(
        "call_hours",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service", sa.String(length=120), nullable=False),
        sa.Column("queue", sa.String(length=120), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("offered", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("answered_in_target", sa.Integer(), nullable=False),
        sa.Column("abandoned", sa.Integer(), nullable=False),
        sa.Column("unanswered", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("refused_closed", sa.Integer(), nullable=False),
        sa.Column("refused_full", sa.Integer(), nullable=False),
        sa.Column("wait_answered", sa.Float(), nullable=False),
        sa.Column("wait_all", sa.Float(), nullable=False),
        sa.Column("talk", sa.Float(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_call_hours_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "company_id",
            "hour",
            "service",
            "queue",
            "group_id",
            "user_id",
            name=op.f("pk_call_hours"),
        ),
    )
    _fill(op.get_bind())


def _fill(conn: sa.Connection) -> None:
    from centralino.domain.call_record import CallRecord, CallResult
    from centralino.services.calls import DEFAULT_TARGET, hour_tallies
    from centralino.store.repos.calls import CallOwner, CallRepo
    from centralino.store.tables import calls, queues

    def seconds(at: datetime | None) -> float | None:
        return None if at is None else at.timestamp()

    targets: dict[int, dict[str, float]] = {}
    for q in conn.execute(sa.select(queues.c.company_id, queues.c.name, queues.c.settings)):
        target = (q.settings or {}).get("target_seconds", DEFAULT_TARGET)
        targets.setdefault(q.company_id, {})[q.name] = float(target)
    repo, last = CallRepo(conn), 0
    cols = [calls.c[n] for n in (
        "id", "company_id", "group_id", "user_id", "call_id", "service", "queue", "number",
        "result", "refused_reason", "positive", "arrived_at", "queued_at", "picked_up_at",
        "ended_at",
    )]  # fmt: skip
    while True:
        rows = conn.execute(
            sa.select(*cols)
            .where(calls.c.id > last, calls.c.direction == "inbound")
            .order_by(calls.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        per: dict[int, list[tuple[CallRecord, CallOwner]]] = {}
        for r in rows:
            rec = CallRecord(
                r.call_id, "inbound", r.queue, r.number, r.arrived_at.timestamp(),
                queued_at=seconds(r.queued_at), picked_up_at=seconds(r.picked_up_at),
                ended_at=seconds(r.ended_at), result=CallResult(r.result),
                positive=r.positive, service=r.service, refused_reason=r.refused_reason,
            )  # fmt: skip
            per.setdefault(r.company_id, []).append((rec, CallOwner(r.group_id, r.user_id)))
        for company_id, legs in per.items():
            repo.add_hours(company_id, hour_tallies(legs, targets.get(company_id, {})))


def downgrade() -> None:
    op.drop_table("call_hours")

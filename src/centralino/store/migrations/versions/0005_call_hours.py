"""call_hours: the inbound call legs summed per UTC hour, service, queue, group, operator

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-08

The roll-up is filled from the stored legs here, with the code that keeps it afterwards
(services.calls.hour_tallies: kpis.InboundStats per key), each queue's current target.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


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
    from centralino.services.calls import refill_roll_ups

    refill_roll_ups(conn)  # at this revision: call_hours alone, without the later figures


def downgrade() -> None:
    op.drop_table("call_hours")

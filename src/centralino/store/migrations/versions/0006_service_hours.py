"""service_hours: the hourly roll-up without the operator, for the service reports

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

Filled from `call_hours` by one INSERT … SELECT … GROUP BY; kept afterwards by
`store.repos.calls.CallRepo.add_hours` beside `call_hours`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_KEY = ("company_id", "hour", "service", "queue", "group_id")
_FIGURES = (
    "offered", "answered", "answered_in_target", "abandoned", "unanswered", "refused",
    "refused_closed", "refused_full", "wait_answered", "wait_all", "talk", "positive",
)  # fmt: skip
_FLOATS = {"wait_answered", "wait_all", "talk"}
FILL = (
    f"INSERT INTO service_hours ({', '.join(_KEY)}, {', '.join(_FIGURES)}) "
    f"SELECT {', '.join(_KEY)}, {', '.join(f'SUM({f})' for f in _FIGURES)} "
    f"FROM call_hours GROUP BY {', '.join(_KEY)}"
)


def upgrade() -> None:
    op.create_table(
        "service_hours",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service", sa.String(length=120), nullable=False),
        sa.Column("queue", sa.String(length=120), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        *(
            sa.Column(f, sa.Float() if f in _FLOATS else sa.Integer(), nullable=False)
            for f in _FIGURES
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_service_hours_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(*_KEY, name=op.f("pk_service_hours")),
    )
    op.execute(FILL)


def downgrade() -> None:
    op.drop_table("service_hours")

"""operator_days: `call_hours` by UTC day, for the operator reports over long periods

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

Filled from `call_hours` by one INSERT … SELECT … GROUP BY (the hour cut to its UTC day);
kept afterwards by `store.repos.calls.CallRepo.add_hours` beside `call_hours`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_KEY = ("company_id", "day", "service", "queue", "group_id", "user_id")
_FIGURES = (
    "offered", "answered", "answered_in_target", "abandoned", "unanswered", "refused",
    "refused_closed", "refused_full", "wait_answered", "wait_all", "talk", "positive",
)  # fmt: skip
_FLOATS = {"wait_answered", "wait_all", "talk"}
# The UTC day of a stored hour: PostgreSQL keeps timestamptz; SQLite the UTC text
# "YYYY-MM-DD HH:MM:SS.ffffff" that SQLAlchemy writes.
_DAY = {
    "postgresql": "date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
    "sqlite": "substr(hour, 1, 10) || ' 00:00:00.000000'",
}


def fill_sql(dialect: str) -> str:
    """The statement that fills `operator_days` from `call_hours`."""
    rest = ", ".join(_KEY[2:])
    return (
        f"INSERT INTO operator_days ({', '.join(_KEY)}, {', '.join(_FIGURES)}) "
        f"SELECT company_id, {_DAY[dialect]}, {rest}, "
        f"{', '.join(f'SUM({f})' for f in _FIGURES)} "
        f"FROM call_hours GROUP BY company_id, {_DAY[dialect]}, {rest}"
    )


def upgrade() -> None:
    op.create_table(
        "operator_days",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service", sa.String(length=120), nullable=False),
        sa.Column("queue", sa.String(length=120), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        *(
            sa.Column(f, sa.Float() if f in _FLOATS else sa.Integer(), nullable=False)
            for f in _FIGURES
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_operator_days_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(*_KEY, name=op.f("pk_operator_days")),
    )
    op.execute(fill_sql(op.get_bind().dialect.name))


def downgrade() -> None:
    op.drop_table("operator_days")

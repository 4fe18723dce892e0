"""records.data as json, not jsonb, on PostgreSQL

The contact's other columns are only ever read whole (nothing queries inside them), so
PostgreSQL need not take them apart into jsonb on every imported row; json keeps the
text as written (and the file's column order). SQLite stores JSON as text either way.

It comes after 0004, which was written first: a database already at 0004 gets it too.

Revision ID: 0003
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column(
        "records",
        "data",
        type_=postgresql.JSON(astext_type=sa.Text()),
        existing_type=postgresql.JSONB(astext_type=sa.Text()),
        existing_nullable=False,
        postgresql_using="data::json",
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column(
        "records",
        "data",
        type_=postgresql.JSONB(astext_type=sa.Text()),
        existing_type=postgresql.JSON(astext_type=sa.Text()),
        existing_nullable=False,
        postgresql_using="data::jsonb",
    )

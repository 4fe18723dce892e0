"""scripts, script_links and script_answers: OUT-6 call scripts, the campaigns and
services they apply to, and the answers given in each call

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def _json() -> Any:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _fk(table: str, column: str, target: str, ondelete: str | None = "CASCADE") -> Any:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "scripts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("body", _json(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("scripts", "company_id", "companies"),
        _fk("scripts", "group_id", "groups", None),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scripts")),
        sa.UniqueConstraint("company_id", "name", name="uq_scripts_company_name"),
    )
    op.create_index("ix_scripts_group_id", "scripts", ["group_id"])
    op.create_table(
        "script_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("script_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        _fk("script_links", "script_id", "scripts"),
        _fk("script_links", "campaign_id", "campaigns"),
        _fk("script_links", "service_id", "services"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_script_links")),
        sa.UniqueConstraint("campaign_id", name="uq_script_links_campaign_id"),
        sa.UniqueConstraint("service_id", name="uq_script_links_service_id"),
    )
    op.create_index("ix_script_links_script_id", "script_links", ["script_id"])
    op.create_table(
        "script_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("call_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("script_id", sa.Integer(), nullable=True),
        sa.Column("script_name", sa.String(length=80), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("service", sa.String(length=120), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("answers", _json(), nullable=False),
        sa.Column("path", _json(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("script_answers", "company_id", "companies"),
        _fk("script_answers", "user_id", "users"),
        _fk("script_answers", "script_id", "scripts", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_script_answers")),
        sa.UniqueConstraint(
            "company_id", "call_id", "user_id", "call_started_at", name="uq_script_answers_call"
        ),
    )
    op.create_index(
        "ix_script_answers_company_id_updated_at", "script_answers", ["company_id", "updated_at"]
    )


def downgrade() -> None:
    op.drop_table("script_answers")
    op.drop_table("script_links")
    op.drop_table("scripts")

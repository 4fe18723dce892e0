"""ivr: the calls the IVR served alone, a figure of their own in the three roll-ups

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05

A call that ended before any queue (an IVR message or voicemail, a hang-up in the welcome
or the menu) was counted as received and unanswered or lost; it is now counted apart, as
the service-level check always did, so the reports and the check share one definition.
The roll-ups are counted again from the stored legs (`services.calls.refill_roll_ups`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_TABLES = ("call_hours", "service_hours", "operator_days")


def upgrade() -> None:
    from centralino.services.calls import refill_roll_ups

    for table in _TABLES:
        op.add_column(table, sa.Column("ivr", sa.Integer(), nullable=False, server_default="0"))
    refill_roll_ups(op.get_bind())


def downgrade() -> None:
    # the calls the IVR served alone are then in no figure of the roll-ups: the code of
    # the revision below counts them again only for the legs it stores
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("ivr")

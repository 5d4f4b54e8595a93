"""Urgent alerts waiting to be delivered: one row per report and alert channel. The reference and
the channel's name only; when it was delivered, how often it was tried, and the kind of the last
failure (an exception's class name, never its message).

Revision ID: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade():
    op.create_table(
        "alert_outbox",
        sa.Column("reference", sa.String(16), primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("next_try_at", sa.DateTime, nullable=False, index=True),
        sa.Column("claimed_until", sa.DateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("delivered_at", sa.DateTime, nullable=True),
        sa.Column("last_failure", sa.String(64), nullable=True),
    )


def downgrade():
    op.drop_table("alert_outbox")

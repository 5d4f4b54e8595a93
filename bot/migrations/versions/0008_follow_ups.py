"""Follow-up by reference code: for each report, a check of its follow-up code (a hash; the code
itself is only in the sealed report and with the person), and what the person may read later (the
status and a reviewer's reply), encrypted under a key only the code gives. Attempts are counted
to throttle guessing, by a keyed hash of the conversation and the hour, never by who.

Revision ID: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade():
    op.create_table(
        "follow_ups",
        sa.Column("report_id", sa.String(36), sa.ForeignKey("sealed_reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("verifier", sa.String(64), nullable=False),
        sa.Column("view_nonce", sa.LargeBinary, nullable=True),
        sa.Column("view", sa.LargeBinary, nullable=True),
    )
    op.create_table(
        "follow_up_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("who", sa.String(64), nullable=False, index=True),
    )


def downgrade():
    op.drop_table("follow_up_attempts")
    op.drop_table("follow_ups")

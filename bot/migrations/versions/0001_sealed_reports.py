"""Sealed reports and their wrapped data keys.

Only ciphertext and what a reviewer needs to find a report (reference code, day received)
is stored in the clear.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "sealed_reports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        # A hash of the conversation's draft id: the same draft submitted twice is one report.
        sa.Column("submission_key", sa.String(64), nullable=False, unique=True),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("nonce", sa.LargeBinary, nullable=False),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "report_keys",
        sa.Column("report_id", sa.String(36), sa.ForeignKey("sealed_reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("key_id", sa.String(16), primary_key=True),
        sa.Column("suite", sa.String(32), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
    )


def downgrade():
    op.drop_table("report_keys")
    op.drop_table("sealed_reports")

"""Case work on reports: status, owner, comments, referrals and links, each entry sealed to every
reviewer like a report. The table holds ciphertext, the report it belongs to and when it was
written; who wrote it and what it says are inside the seal.

Revision ID: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade():
    op.create_table(
        "case_entries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("report_id", sa.String(36), sa.ForeignKey("sealed_reports.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("written_at", sa.DateTime, nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("nonce", sa.LargeBinary, nullable=False),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("wrapped_keys", sa.Text, nullable=False),
    )


def downgrade():
    op.drop_table("case_entries")

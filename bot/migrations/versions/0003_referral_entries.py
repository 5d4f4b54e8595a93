"""The imported referral directory (replaced whole by `bot directory import`).

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    op.create_table(
        "referral_entries",
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("country", sa.String(2), nullable=False, index=True),
        sa.Column("entry", sa.Text, nullable=False),
    )


def downgrade():
    op.drop_table("referral_entries")

"""Encrypted conversation state (Rasa's tracker), one row per pseudonymous conversation.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.create_table(
        "conversation_states",
        sa.Column("conversation_key", sa.String(64), primary_key=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("nonce", sa.LargeBinary, nullable=False),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False, index=True),
    )


def downgrade():
    op.drop_table("conversation_states")

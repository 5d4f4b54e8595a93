"""Telegram: which updates were handled (each once), and the message ids /exit must delete.

Neither table holds a chat id, a user id or any text: update ids, message ids, and the
pseudonymous conversation key.

Revision ID: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade():
    op.create_table(
        "telegram_updates",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("received_at", sa.DateTime, nullable=False, index=True),
    )
    op.create_table(
        "telegram_messages",
        sa.Column("conversation_key", sa.String(64), primary_key=True),
        sa.Column("message_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("sent_at", sa.DateTime, nullable=False, index=True),
    )


def downgrade():
    op.drop_table("telegram_messages")
    op.drop_table("telegram_updates")

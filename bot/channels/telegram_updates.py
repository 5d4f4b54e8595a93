"""What a Telegram update means for the assistant, without Rasa.

``read(update)`` turns python-telegram-bot's ``Update`` into an ``Inbound`` message for the
dialogue, or a polite ``Refusal`` (group chats, photos, voice, stickers, documents, edits).
``Ledger`` remembers which update ids were handled, so a delivery Telegram repeats is handled
once, and which message ids /exit must delete (Telegram lets a bot delete both sides of a
private chat for 48 hours). Neither stores a chat id, a user id or any text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Column, DateTime, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import database
from bot.database import Base

COMMANDS = {"/start": "/greet", "/help": "/help", "/language": "/change_language", "/stop": "/stop",
            "/exit": "/exit_chat"}
DELETABLE_FOR = timedelta(hours=48)


@dataclass
class Inbound:
    text: str
    chat_id: int
    user_id: int
    message_id: int | None = None
    callback_query_id: str | None = None
    metadata: dict = field(default_factory=dict)
    language_hint: str | None = None


@dataclass
class Refusal:
    reason: str  # message key: "telegram_private_only", "telegram_text_only", "telegram_edited"
    chat_id: int


def read(update) -> Inbound | Refusal | None:
    """None for updates that need no answer (e.g. a bot's own membership changes)."""
    if update.callback_query:
        query = update.callback_query
        message = query.message
        if message is None or message.chat.type != "private":
            return None
        return Inbound(text=query.data or "", chat_id=message.chat.id, user_id=query.from_user.id,
                       callback_query_id=query.id, language_hint=query.from_user.language_code)
    if update.edited_message:
        chat = update.edited_message.chat
        return Refusal("telegram_edited", chat.id) if chat.type == "private" else None
    message = update.message
    if message is None or message.from_user is None:
        return None
    if message.chat.type != "private":
        return Refusal("telegram_private_only", message.chat.id)
    hint = message.from_user.language_code
    if message.location:
        return Inbound(text="/inform", chat_id=message.chat.id, user_id=message.from_user.id,
                       message_id=message.message_id, language_hint=hint,
                       metadata={"location": {"latitude": message.location.latitude,
                                              "longitude": message.location.longitude}})
    if message.text is None:  # photo, voice, sticker, document, video...: not stored, not read
        return Refusal("telegram_text_only", message.chat.id)
    text = message.text
    command = text.split()[0].split("@")[0].lower() if text.startswith("/") else None
    if command in COMMANDS:
        text = COMMANDS[command]
    elif text.startswith("/"):
        text = text.lstrip("/")  # an unknown command is ordinary text, never an intent
    return Inbound(text=text, chat_id=message.chat.id, user_id=message.from_user.id,
                   message_id=message.message_id, language_hint=hint)


class TelegramUpdate(Base):
    __tablename__ = "telegram_updates"
    update_id = Column(BigInteger, primary_key=True, autoincrement=False)
    received_at = Column(DateTime, nullable=False, index=True)


class TelegramMessage(Base):
    __tablename__ = "telegram_messages"
    conversation_key = Column(String(64), primary_key=True)
    message_id = Column(BigInteger, primary_key=True, autoincrement=False)
    sent_at = Column(DateTime, nullable=False, index=True)


class Ledger:
    def __init__(self, database_url: str):
        database.upgrade(database_url)
        self.engine = database.engine(database_url)

    def claim(self, update_id: int) -> bool:
        """True if this update is new (and now ours to handle); False if seen before."""
        try:
            with Session(self.engine) as session, session.begin():
                session.add(TelegramUpdate(update_id=update_id, received_at=datetime.utcnow()))
            return True
        except IntegrityError:
            return False

    def release(self, update_id: int) -> None:
        """Handling failed: forget the claim so Telegram's retry is handled."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(TelegramUpdate).where(TelegramUpdate.update_id == update_id))

    def remember_messages(self, conversation_key: str, message_ids: list[int]) -> None:
        now = datetime.utcnow()
        with Session(self.engine) as session, session.begin():
            for message_id in message_ids:
                session.merge(TelegramMessage(conversation_key=conversation_key, message_id=message_id, sent_at=now))
            # Older than 48 hours: Telegram will not delete them any more, so nothing to keep.
            session.execute(delete(TelegramMessage).where(TelegramMessage.sent_at < now - DELETABLE_FOR))
            session.execute(delete(TelegramUpdate).where(TelegramUpdate.received_at < now - timedelta(hours=25)))

    def take_messages(self, conversation_key: str) -> list[int]:
        """The message ids of this conversation still deletable, forgotten as they are handed out."""
        with Session(self.engine) as session, session.begin():
            ids = list(session.scalars(select(TelegramMessage.message_id).where(
                TelegramMessage.conversation_key == conversation_key,
                TelegramMessage.sent_at >= datetime.utcnow() - DELETABLE_FOR)))
            session.execute(delete(TelegramMessage).where(TelegramMessage.conversation_key == conversation_key))
        return sorted(ids)

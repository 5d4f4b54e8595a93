"""Conversation state at rest: encrypted, deleted when the conversation ends or expires.

Rasa must read a conversation back between messages. What it stores is sealed with AES-256-GCM
under the server's state key, bound (associated data) to the pseudonymous conversation id, so a
row copied to another conversation does not open. Several keys may be configured: the first seals,
every one opens, so keys rotate without losing live conversations.
"""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, DateTime, LargeBinary, String, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot import database
from bot.database import Base
from bot.state import state_json
from bot.state.server_keys import ServerSecrets


class ConversationState(Base):
    __tablename__ = "conversation_states"
    conversation_key = Column(String(64), primary_key=True)
    key_id = Column(String(32), nullable=False)
    nonce = Column(LargeBinary, nullable=False)
    ciphertext = Column(LargeBinary, nullable=False)
    updated_at = Column(DateTime, nullable=False, index=True)


class StateError(Exception):
    """State that cannot be opened: altered, moved, or sealed with a key no longer configured."""


_TABLE = ConversationState.__table__
_READ = select(_TABLE.c.key_id, _TABLE.c.nonce, _TABLE.c.ciphertext, _TABLE.c.updated_at).where(
    _TABLE.c.conversation_key == bindparam("key"))


def _upsert(dialect: str):
    """One statement that writes a conversation's row whether or not it exists (both databases
    have one), instead of the ORM's read, then insert or update: every message writes its row, so
    this is on every message's path (issue 16)."""
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    if insert is None:
        return None
    statement = insert(_TABLE)
    return statement.on_conflict_do_update(
        index_elements=[_TABLE.c.conversation_key],
        set_={c: statement.excluded[c] for c in ("key_id", "nonce", "ciphertext", "updated_at")})


def _aad(conversation_key: str) -> bytes:
    return f"thb-conversation|{conversation_key}".encode()


class ConversationStates:
    def __init__(self, database_url: str, secrets: ServerSecrets, keep_hours: float, migrate: bool = True):
        if migrate:
            database.upgrade(database_url)
        self.engine = database.engine(database_url)
        self.writing = database.writing(database_url)
        self.secrets, self.keep = secrets, timedelta(hours=keep_hours)
        self._upsert = _upsert(self.engine.dialect.name)
        self._next_purge = 0.0

    def purge_if_due(self, every_seconds: float = 60) -> int:
        """purge_expired() at most once a minute: reading an expired row deletes it anyway."""
        if time.monotonic() < self._next_purge:
            return 0
        self._next_purge = time.monotonic() + every_seconds
        return self.purge_expired()

    def put(self, conversation_key: str, plaintext: bytes, updated_at: datetime | None = None) -> None:
        key_id, key = self.secrets.active_state_key
        nonce = os.urandom(12)
        row = dict(conversation_key=conversation_key, key_id=key_id, nonce=nonce,
                   ciphertext=AESGCM(key).encrypt(nonce, plaintext, _aad(conversation_key)),
                   updated_at=updated_at or datetime.utcnow())
        with self.writing:
            if self._upsert is None:
                with Session(self.engine) as session, session.begin():
                    session.merge(ConversationState(**row))
                return
            with self.engine.begin() as connection:
                connection.execute(self._upsert, row)

    def get(self, conversation_key: str) -> bytes | None:
        with self.engine.connect() as connection:
            row = connection.execute(_READ, {"key": conversation_key}).first()
        if row is None:
            return None
        if row.updated_at < datetime.utcnow() - self.keep:
            self.delete(conversation_key)  # expired: gone, whatever happens next
            return None
        key = self.secrets.state_key(row.key_id)
        if key is None:
            raise StateError(f"conversation state sealed with key {row.key_id!r}, which is not configured")
        try:
            return AESGCM(key).decrypt(row.nonce, row.ciphertext, _aad(conversation_key))
        except Exception as exc:
            raise StateError("conversation state could not be opened (altered or moved)") from exc

    def delete(self, conversation_key: str) -> None:
        with self.writing, Session(self.engine) as session, session.begin():
            session.execute(delete(ConversationState).where(ConversationState.conversation_key == conversation_key))

    def purge_expired(self) -> int:
        """Delete every conversation not touched for longer than the keep period."""
        with self.writing, Session(self.engine) as session, session.begin():
            result = session.execute(delete(ConversationState).where(
                ConversationState.updated_at < datetime.utcnow() - self.keep))
            return result.rowcount or 0

    def keys(self) -> list[str]:
        with Session(self.engine) as session:
            return list(session.scalars(select(ConversationState.conversation_key)))

    def reseal_all(self) -> int:
        """Re-encrypt every live conversation under the active key (after a key rotation)."""
        count = 0
        for key in self.keys():
            with Session(self.engine) as session:
                row = session.get(ConversationState, key)
                last_active = row.updated_at if row else None
            plaintext = self.get(key)
            if plaintext is not None:
                self.put(key, plaintext, updated_at=last_active)  # re-sealing does not extend its life
                count += 1
        return count


SESSION_START = "action_session_start"  # Rasa's action that opens each session


def latest_session(events: list) -> list[dict]:
    """A stored conversation's events (Rasa's dialogue as JSON) from its latest session's start
    on: what Rasa's stores give as the tracker (get_trackers_for_conversation_sessions)."""
    events = [e for e in events if isinstance(e, dict)]
    for i in range(len(events) - 1, 0, -1):
        if events[i].get("event") == "action" and events[i].get("name") == SESSION_START:
            return events[i:]
    return events


def whole_conversation(states: ConversationStates, conversation_key: str, this_turn: list[dict]) -> list[dict]:
    """The conversation's events as the reviewer's transcript needs them: what is stored, then
    what this turn added (the action server is sent only this turn's events,
    bot/channels/action_calls.py). An event already stored is not counted twice."""
    stored = states.get(conversation_key)
    stored = latest_session(state_json.loads(stored).get("events") or []) if stored is not None else []
    seen = {(e.get("event"), e.get("timestamp")) for e in stored}
    return stored + [e for e in this_turn if (e.get("event"), e.get("timestamp")) not in seen]

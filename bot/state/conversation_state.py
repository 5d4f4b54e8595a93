"""Conversation state at rest: encrypted, deleted when the conversation ends or expires.

Rasa must read a conversation back between messages. What it stores is sealed with AES-256-GCM
under the server's state key, bound (associated data) to the pseudonymous conversation id, so a
row copied to another conversation does not open. Several keys may be configured: the first seals,
every one opens, so keys rotate without losing live conversations.

So that what is read and written per message stays bounded however long the conversation
(issue 16), Rasa's tracker keeps only the last few turns (bot/state/tracker_store.py); the
person's and the assistant's earlier messages, which only the reviewer's transcript needs, are
sealed in batches as *lines*, each bound to its conversation and place, written in the same
transaction as the state and deleted with it.
"""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, DateTime, Integer, LargeBinary, String, bindparam, delete, func, insert, select, update
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


class ConversationLine(Base):
    __tablename__ = "conversation_lines"
    conversation_key = Column(String(64), primary_key=True)
    seq = Column(Integer, primary_key=True, autoincrement=False)
    key_id = Column(String(32), nullable=False)
    nonce = Column(LargeBinary, nullable=False)
    ciphertext = Column(LargeBinary, nullable=False)
    created_at = Column(DateTime, nullable=False, index=True)


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


_LINES = ConversationLine.__table__


def _line_aad(conversation_key: str, seq: int) -> bytes:
    # Bound to its conversation and its place: a batch moved or reordered does not open.
    return f"thb-conversation-line|{conversation_key}|{seq}".encode()


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

    def _seal(self, plaintext: bytes, aad: bytes) -> dict:
        key_id, key = self.secrets.active_state_key
        nonce = os.urandom(12)
        return dict(key_id=key_id, nonce=nonce, ciphertext=AESGCM(key).encrypt(nonce, plaintext, aad))

    def _open(self, row, aad: bytes, what: str) -> bytes:
        key = self.secrets.state_key(row.key_id)
        if key is None:
            raise StateError(f"{what} sealed with key {row.key_id!r}, which is not configured")
        try:
            return AESGCM(key).decrypt(row.nonce, row.ciphertext, aad)
        except Exception as exc:
            raise StateError(f"{what} could not be opened (altered or moved)") from exc

    def put(self, conversation_key: str, plaintext: bytes, updated_at: datetime | None = None,
            lines: bytes | None = None, forget_lines: bool = False) -> None:
        """Seal and write the state; in the same transaction forget the conversation's lines
        (``forget_lines``: it ended, or a new session began) and add ``lines`` after the rest."""
        row = dict(conversation_key=conversation_key, updated_at=updated_at or datetime.utcnow(),
                   **self._seal(plaintext, _aad(conversation_key)))
        with self.writing, self.engine.begin() as connection:
            if forget_lines:
                connection.execute(delete(_LINES).where(_LINES.c.conversation_key == conversation_key))
            if lines is not None:
                seq = 1 + connection.execute(select(func.coalesce(func.max(_LINES.c.seq), 0)).where(
                    _LINES.c.conversation_key == conversation_key)).scalar_one()
                connection.execute(insert(_LINES), dict(
                    conversation_key=conversation_key, seq=seq, created_at=row["updated_at"],
                    **self._seal(lines, _line_aad(conversation_key, seq))))
            if self._upsert is not None:
                connection.execute(self._upsert, row)
            elif not connection.execute(update(_TABLE).where(_TABLE.c.conversation_key == conversation_key)
                                        .values(**row)).rowcount:
                connection.execute(insert(_TABLE), row)

    def get(self, conversation_key: str) -> bytes | None:
        with self.engine.connect() as connection:
            row = connection.execute(_READ, {"key": conversation_key}).first()
        if row is None:
            return None
        if row.updated_at < datetime.utcnow() - self.keep:
            self.delete(conversation_key)  # expired: gone, whatever happens next
            return None
        return self._open(row, _aad(conversation_key), "conversation state")

    def lines(self, conversation_key: str) -> list[bytes]:
        """The conversation's sealed batches of earlier messages, opened, in order."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(_LINES).where(_LINES.c.conversation_key == conversation_key)
                                      .order_by(_LINES.c.seq)).all()
        return [self._open(r, _line_aad(conversation_key, r.seq), "conversation lines") for r in rows]

    def delete(self, conversation_key: str) -> None:
        with self.writing, self.engine.begin() as connection:
            connection.execute(delete(_LINES).where(_LINES.c.conversation_key == conversation_key))
            connection.execute(delete(_TABLE).where(_TABLE.c.conversation_key == conversation_key))

    def purge_expired(self) -> int:
        """Delete every conversation not touched for longer than the keep period, with its lines
        (and any line whose conversation is gone)."""
        with self.writing, self.engine.begin() as connection:
            result = connection.execute(delete(_TABLE).where(_TABLE.c.updated_at < datetime.utcnow() - self.keep))
            connection.execute(delete(_LINES).where(_LINES.c.conversation_key.not_in(select(_TABLE.c.conversation_key))))
            return result.rowcount or 0

    def keys(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.scalars(select(_TABLE.c.conversation_key)))

    def reseal_all(self) -> int:
        """Re-encrypt every live conversation, and its lines, under the active key (after a key
        rotation)."""
        count = 0
        for key in self.keys():
            with Session(self.engine) as session:
                row = session.get(ConversationState, key)
                last_active = row.updated_at if row else None
            plaintext = self.get(key)
            if plaintext is not None:
                self.put(key, plaintext, updated_at=last_active)  # re-sealing does not extend its life
                self._reseal_lines(key)
                count += 1
        return count

    def _reseal_lines(self, conversation_key: str) -> None:
        with self.writing, self.engine.begin() as connection:
            rows = connection.execute(select(_LINES).where(_LINES.c.conversation_key == conversation_key)).all()
            for r in rows:
                aad = _line_aad(conversation_key, r.seq)
                connection.execute(update(_LINES).where(_LINES.c.conversation_key == conversation_key,
                                                        _LINES.c.seq == r.seq)
                                   .values(**self._seal(self._open(r, aad, "conversation lines"), aad)))


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
    """The conversation's events as the reviewer's transcript needs them: its earlier lines,
    what the tracker holds, then what this turn added (the action server is sent only this turn's events,
    bot/channels/action_calls.py). An event already stored is not counted twice."""
    stored = states.get(conversation_key)
    if stored is None:
        return list(this_turn)
    earlier = [e for batch in states.lines(conversation_key) for e in state_json.loads(batch)]
    stored = earlier + latest_session(state_json.loads(stored).get("events") or [])
    seen = {(e.get("event"), e.get("timestamp")) for e in stored}
    return stored + [e for e in this_turn if (e.get("event"), e.get("timestamp")) not in seen]

"""Console sessions, in memory only: who is logged in, their CSRF token, and, for a reviewer, the
private key unlocked for this session and the reports it opened.

Security decision: nothing of a session is written anywhere. The unlocked key and the opened
reports live in this process's memory and are dropped at logout, at expiry, and when the console
stops; the cookie carries only a random token.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

IDLE_SECONDS = 15 * 60  # a console left open is locked after 15 minutes without a request
MAX_SECONDS = 8 * 60 * 60  # and every session ends after a working day


@dataclass
class Session:
    token: str
    name: str
    role: str
    csrf: str
    started: float
    seen: float
    previous_visit: str = ""  # the account's last visit before this session: what is "new"
    key: Any = None  # the reviewer's PrivateKey, once unlocked
    opened: dict = field(default_factory=dict)  # reference -> triage.Item, while the key is unlocked
    failed: int = 0  # reports the key could not open

    def drop_key(self) -> None:
        self.key = None
        self.opened, self.failed = {}, 0


class Sessions:
    def __init__(self, idle: float = IDLE_SECONDS, longest: float = MAX_SECONDS):
        self.idle, self.longest = idle, longest
        self._by_token: dict[str, Session] = {}
        self._lock = threading.Lock()

    def start(self, name: str, role: str, previous_visit: str = "") -> Session:
        now = time.monotonic()
        session = Session(secrets.token_urlsafe(32), name, role, secrets.token_urlsafe(32), now, now, previous_visit)
        with self._lock:
            # One session per account: logging in again ends the other one (and its unlocked key).
            for token, other in list(self._by_token.items()):
                if other.name == name:
                    other.drop_key()
                    del self._by_token[token]
            self._by_token[session.token] = session
        return session

    def get(self, token: str | None) -> Session | None:
        if not token:
            return None
        now = time.monotonic()
        with self._lock:
            session = self._by_token.get(token)
            if session is None:
                return None
            if now - session.seen > self.idle or now - session.started > self.longest:
                session.drop_key()
                del self._by_token[token]
                return None
            session.seen = now
            return session

    def end(self, token: str) -> None:
        with self._lock:
            session = self._by_token.pop(token, None)
        if session:
            session.drop_key()

    def end_all_of(self, name: str) -> None:
        with self._lock:
            for token, session in list(self._by_token.items()):
                if session.name == name:
                    session.drop_key()
                    del self._by_token[token]

"""The audit trail: every console sign-in, report opened, export, case entry, key operation and
retention run, appended to one hash-chained table in the reports' database.

Each entry's hash covers the previous entry's hash and everything in the entry, so an entry
edited, deleted or moved breaks the chain at that point, and ``verify`` names where. Deleting the
last entries leaves a shorter, still consistent chain: every place that writes or verifies keeps
an *anchor* (the last sequence number and hash it saw, in a file of its own), and ``verify``
checks that the chain still holds each anchor. Whoever can write the database and every anchor
could still rewrite the whole trail; keep an anchor off the database host (the reviewer's console
keeps one).

Entries hold no report content: who, what kind of event, which reference or key, and counts.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, String, Text, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from bot import database
from bot.database import Base

GENESIS = "0" * 64
EVENTS = frozenset({
    "sign_in", "sign_in_refused", "sign_out", "key_unlocked", "report_opened", "reports_opened",
    "export", "case_entry", "account_added", "account_disabled", "account_enabled", "second_factor_reset",
    "key_added", "key_removed", "key_access_revoked", "reports_rewrapped", "directory_imported",
    "retention_run", "report_expired", "audit_verified", "insights_viewed", "insights_exported",
})


class AuditEntry(Base):
    __tablename__ = "audit_trail"
    seq = Column(Integer, primary_key=True, autoincrement=False)
    at = Column(String(32), nullable=False)
    actor = Column(String(64), nullable=False)
    event = Column(String(40), nullable=False)
    subject = Column(String(200), nullable=False)
    detail = Column(Text, nullable=False)
    prev_hash = Column(String(64), nullable=False)
    hash = Column(String(64), nullable=False, unique=True)


def entry_hash(seq: int, at: str, actor: str, event: str, subject: str, detail: str, prev_hash: str) -> str:
    fields = [str(seq), at, actor, event, subject, detail, prev_hash]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()


def _detail(detail: dict[str, Any] | None) -> str:
    # Security decision: the detail is for counts, formats and statuses, never a person's words.
    for key, value in (detail or {}).items():
        if isinstance(value, str) and len(value) > 64:
            raise ValueError(f"audit detail {key!r} is too long to be anything but content")
    return json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class AuditTrail:
    def __init__(self, engine, anchor: Path | None = None):
        self.engine = engine
        self.anchor = anchor

    def append(self, actor: str, event: str, subject: str = "", detail: dict[str, Any] | None = None) -> int:
        """Append one entry; returns its sequence number. Concurrent writers each get their own
        number: a clash on the number is retried with the new head."""
        if event not in EVENTS:
            raise ValueError(f"unknown audit event {event!r}")
        text = _detail(detail)
        for attempt in range(20):
            try:
                # One writer of this process at a time (on SQLite, two threads that both read the
                # head and then write make one of them fail with "database is locked").
                with database.writing(str(self.engine.url)), Session(self.engine) as session, session.begin():
                    head = session.execute(select(AuditEntry.seq, AuditEntry.hash)
                                           .order_by(AuditEntry.seq.desc()).limit(1)).first()
                    seq, prev = (head.seq + 1, head.hash) if head else (1, GENESIS)
                    at = datetime.now(timezone.utc).isoformat(timespec="seconds")
                    digest = entry_hash(seq, at, actor[:64], event, subject[:200], text, prev)
                    session.add(AuditEntry(seq=seq, at=at, actor=actor[:64], event=event, subject=subject[:200],
                                           detail=text, prev_hash=prev, hash=digest))
            except IntegrityError:
                continue  # another writer took this number: read the new head and try again
            except OperationalError:
                time.sleep(0.01 * (attempt + 1))  # another process holds SQLite's lock: wait, then again
                continue
            self._keep_anchor(seq, digest)
            return seq
        raise RuntimeError("the audit trail could not be appended to")

    def entries(self, limit: int | None = None) -> list[AuditEntry]:
        with Session(self.engine) as session:
            query = select(AuditEntry).order_by(AuditEntry.seq.desc())
            if limit:
                query = query.limit(limit)
            return list(session.scalars(query))

    def verify(self) -> "Verdict":
        problems: list[str] = []
        with Session(self.engine) as session:
            rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        previous, expected = GENESIS, 1
        by_seq = {}
        for row in rows:
            if row.seq != expected:
                problems.append(f"entries {expected} to {row.seq - 1} are missing" if row.seq > expected
                                else f"entry {row.seq} is out of order")
            if row.prev_hash != previous:
                problems.append(f"entry {row.seq} does not follow the entry before it (deleted, inserted or reordered)")
            if entry_hash(row.seq, row.at, row.actor, row.event, row.subject, row.detail, row.prev_hash) != row.hash:
                problems.append(f"entry {row.seq} was altered")
            previous, expected = row.hash, row.seq + 1
            by_seq[row.seq] = row.hash
        anchor = self._read_anchor()
        if anchor and by_seq.get(anchor[0]) != anchor[1]:
            problems.append(f"entry {anchor[0]}, seen here before, is gone or changed: the trail was cut or rewritten")
        if not problems and rows:
            self._keep_anchor(rows[-1].seq, rows[-1].hash)
        return Verdict(len(rows), problems)

    def _read_anchor(self) -> tuple[int, str] | None:
        if not self.anchor or not self.anchor.exists():
            return None
        try:
            seq, digest = self.anchor.read_text(encoding="utf-8").split()
            return int(seq), digest
        except ValueError:
            return (0, "unreadable anchor")

    def _keep_anchor(self, seq: int, digest: str) -> None:
        if not self.anchor:
            return
        known = self._read_anchor()
        if known and known[0] >= seq:
            return
        self.anchor.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.anchor.with_name(f".{self.anchor.name}.{os.getpid()}.part")
        temporary.write_text(f"{seq} {digest}\n", encoding="utf-8")
        os.replace(temporary, self.anchor)


@dataclass(frozen=True)
class Verdict:
    entries: int
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems

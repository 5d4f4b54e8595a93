"""Follow-up by reference code: a person who sent a report comes back with its reference and the
follow-up code they were given, and adds information, reads what the reviewers left for them, or
withdraws the report.

Security decisions:
- The reference alone (8 characters, read out and written down) opens nothing. The follow-up code
  has 100 random bits; the server keeps only a hash of it, bound to the reference.
- What the person may read later (the status, a reviewer's reply) is encrypted under a key derived
  from the code: the server cannot read it, only a person holding the code, or a reviewer, who
  finds the code inside the sealed report.
- What the person adds is sealed to the reviewers like the report, and linked to it.
- A wrong code and an unknown reference are the same to the caller (``None``); attempts are
  counted per conversation and overall, and refused beyond the limits, right or wrong.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Column, DateTime, ForeignKey, Integer, LargeBinary, String, delete, func, select
from sqlalchemy.orm import Session

from bot.database import Base
from bot.reports.store import REFERENCE_ALPHABET

CODE_LENGTH = 20  # 100 bits
PER_CONVERSATION, OVERALL, WINDOW = 5, 200, timedelta(hours=1)
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})  # Crockford's forgiving reading


class FollowUpRow(Base):
    __tablename__ = "follow_ups"
    report_id = Column(String(36), ForeignKey("sealed_reports.id", ondelete="CASCADE"), primary_key=True)
    reference = Column(String(16), nullable=False, unique=True)
    verifier = Column(String(64), nullable=False)
    view_nonce = Column(LargeBinary, nullable=True)
    view = Column(LargeBinary, nullable=True)


class AttemptRow(Base):
    __tablename__ = "follow_up_attempts"
    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime, nullable=False, index=True)
    who = Column(String(64), nullable=False, index=True)


def new_code() -> str:
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalised(code: str) -> str | None:
    """The code as typed ("k7qm 2xpd-9hft…", an O for a zero), or None when it cannot be one."""
    cleaned = "".join(c for c in (code or "").upper().translate(_READ_AS) if c.isalnum())
    return cleaned if len(cleaned) == CODE_LENGTH and all(c in REFERENCE_ALPHABET for c in cleaned) else None


def verifier(reference: str, code: str) -> str:
    return hashlib.sha256(f"thb-follow-up|{reference}|{code}".encode()).hexdigest()


def _view_key(reference: str, code: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=f"thb-follow-up-view|{reference}".encode()).derive(code.encode())


def row_for(report_id: str, reference: str, code: str) -> FollowUpRow:
    """The row stored with a new report (in the report's transaction)."""
    return FollowUpRow(report_id=report_id, reference=reference, verifier=verifier(reference, normalised(code)))


@dataclass(frozen=True)
class Access:
    report_id: str
    reference: str
    code: str  # normalised


class Throttled(Exception):
    """Too many attempts: for this conversation, or for everyone at once."""


class FollowUps:
    def __init__(self, engine, key: bytes):
        self.engine = engine
        self.key = key  # to count a conversation's attempts without keeping who it was

    def _who(self, conversation: str) -> str:
        return hmac.new(self.key, f"follow-up|{conversation}".encode(), hashlib.sha256).hexdigest()

    def open(self, conversation: str, reference: str, code: str, counted: bool = True) -> Access | None:
        """The report's access when the code is right; None when it is wrong, or the reference
        unknown, alike. Raises Throttled past the limits, whatever was typed."""
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        who = self._who(conversation)
        with Session(self.engine) as session, session.begin():
            session.execute(delete(AttemptRow).where(AttemptRow.at < now - WINDOW))
            mine = session.scalar(select(func.count()).select_from(AttemptRow).where(AttemptRow.who == who))
            everyone = session.scalar(select(func.count()).select_from(AttemptRow))
            if counted:  # later steps of one visit carry the code already opened: no new guess
                if mine >= PER_CONVERSATION or everyone >= OVERALL:
                    raise Throttled()
                session.add(AttemptRow(at=now, who=who))
            row = session.execute(select(FollowUpRow.report_id, FollowUpRow.reference, FollowUpRow.verifier)
                                  .where(FollowUpRow.reference == (reference or "").upper())).first()
        clean = normalised(code)
        # The same work for an unknown reference as for a known one: no answer is faster.
        expected = row.verifier if row else verifier("R-0000-0000", "0" * CODE_LENGTH)
        given = verifier((reference or "").upper(), clean or "")
        if not hmac.compare_digest(expected, given) or row is None or clean is None:
            return None
        return Access(row.report_id, row.reference, clean)

    def view(self, access: Access) -> dict:
        """What the reviewers left for the person: {"status": ..., "reply": ...}, or {}."""
        with Session(self.engine) as session:
            row = session.get(FollowUpRow, access.report_id)
        if row is None or row.view is None:
            return {}
        try:
            data = AESGCM(_view_key(access.reference, access.code)).decrypt(
                row.view_nonce, row.view, access.reference.encode())
            value = json.loads(data)
            return value if isinstance(value, dict) else {}
        except Exception:  # altered, or written with another code: nothing to show
            return {}


def write_view(engine, report_id: str, reference: str, code: str, status: str, reply: str) -> None:
    """A reviewer's console writes what the person will read (the code is in the sealed report)."""
    clean = normalised(code)
    if clean is None:
        raise ValueError("not a follow-up code")
    nonce = os.urandom(12)
    data = json.dumps({"status": status, "reply": reply}, ensure_ascii=False).encode("utf-8")
    sealed = AESGCM(_view_key(reference, clean)).encrypt(nonce, data, reference.encode())
    with Session(engine) as session, session.begin():
        row = session.get(FollowUpRow, report_id)
        if row is not None:
            row.view_nonce, row.view = nonce, sealed


def add_information(book, access: Access, text: str, recipients) -> None:
    """What the person adds, sealed to the reviewers and linked to the report."""
    from bot.reports import casework

    book.write(access.report_id, casework.entry("addition", casework.REPORTER, text=text), recipients)


def withdraw(book, access: Access, recipients) -> None:
    """The person withdraws the report: the reviewers see it in the case, sealed."""
    from bot.reports import casework

    book.write(access.report_id, casework.entry("withdrawn", casework.REPORTER), recipients)


def carry_out(settings, conversation: str, follow: list, op: dict) -> tuple[bool, dict]:
    """What a conversation coming back to a report asked for: (throttled, what the person may
    read). Whether the code was right is never returned: the person is answered the same."""
    from bot.reports.casework import CaseBook
    from bot.reports.submission import recipients_for, store_for

    store = store_for(settings)
    follow_ups = FollowUps(store.engine, b"thb-follow-up-attempts")
    reference, code = (follow + ["", ""])[:2]
    kind = op.get("op")
    try:
        access = follow_ups.open(conversation, reference, code, counted=kind == "open")
    except Throttled:
        return True, {}
    if access is None:
        return False, {}
    if kind == "add" or (kind == "open" and op.get("text")):
        add_information(CaseBook(store), access, op.get("text") or "", recipients_for(settings, store))
    elif kind == "withdraw":
        withdraw(CaseBook(store), access, recipients_for(settings, store))
    elif kind == "view":
        return False, follow_ups.view(access)
    return False, {}

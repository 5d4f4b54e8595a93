"""The report store: sealed reports in, sealed reports out. Nothing here sees plaintext."""
from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import Column, Date, ForeignKey, Integer, LargeBinary, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, relationship

from bot import database
from bot.database import Base
from bot.reports.sealing import Sealed

# Crockford's base32 without the letters people confuse (I, L, O, U): easy to read out and write.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class SealedReport(Base):
    __tablename__ = "sealed_reports"
    id = Column(String(36), primary_key=True)
    reference = Column(String(16), nullable=False, unique=True)
    submission_key = Column(String(64), nullable=False, unique=True)
    received_on = Column(Date, nullable=False)
    schema_version = Column(Integer, nullable=False)
    nonce = Column(LargeBinary, nullable=False)
    ciphertext = Column(LargeBinary, nullable=False)
    keys = relationship("ReportKey", cascade="all, delete-orphan", lazy="selectin")

    def sealed(self) -> Sealed:
        return Sealed(
            self.id, self.schema_version, self.nonce, self.ciphertext,
            {k.key_id: (k.suite, k.wrapped_key) for k in self.keys},
            self.reference, self.received_on.isoformat(),
        )


class ReportKey(Base):
    __tablename__ = "report_keys"
    report_id = Column(String(36), ForeignKey("sealed_reports.id", ondelete="CASCADE"), primary_key=True)
    key_id = Column(String(16), primary_key=True)
    suite = Column(String(32), nullable=False)
    wrapped_key = Column(LargeBinary, nullable=False)


# A reference as it appears in a message: not the tail of a follow-up code's group ("K7QR-2XPD-…").
REFERENCE_IN_TEXT = re.compile(r"(?<![0-9A-Z-])R-[0-9A-Z]{4}-[0-9A-Z]{4}(?![0-9A-Z-])")


def new_reference() -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"R-{code[:4]}-{code[4:]}"


def submission_key(draft_id: str) -> str:
    return hashlib.sha256(f"draft:{draft_id}".encode()).hexdigest()


@dataclass(frozen=True)
class Receipt:
    report_id: str
    reference: str
    created: bool  # False when this draft had been stored already
    trial: bool = False  # sealed to the trial key: anyone with the server's files can open it
    alert: bool = False  # urgent (danger now, minors, exploitation going on): the reviewers on duty are told
    follow_up_code: str = ""  # given to the person with the reference: both are needed to come back


class ReportStore:
    def __init__(self, database_url: str, migrate: bool = True):
        self.url = database_url
        if migrate:
            database.upgrade(database_url)
        self.engine = database.engine(database_url)

    def find(self, draft_id: str) -> Receipt | None:
        with Session(self.engine) as session:
            row = session.execute(
                select(SealedReport.id, SealedReport.reference).where(
                    SealedReport.submission_key == submission_key(draft_id)
                )
            ).first()
        return Receipt(row.id, row.reference, created=False) if row else None

    def submit(self, draft_id: str, seal, alert_channels: tuple[str, ...] = (), follow_up_code: str = "") -> Receipt:
        """Store one report for ``draft_id``, exactly once.

        ``seal(report_id, reference, received_on)`` returns the Sealed report, with the reference
        and the ISO date received bound into it; it is called only when the
        draft is not stored yet. The report and its wrapped keys go in one transaction: never
        half a report. So do its urgent alerts (``alert_channels``): no urgent report is stored
        without the alerts that announce it, and none is announced that was not stored.
        """
        from bot.reports import follow_up
        from bot.reports.alert_outbox import PendingAlert

        existing = self.find(draft_id)
        if existing:
            return existing
        for _ in range(5):
            report_id, reference = str(uuid.uuid4()), new_reference()
            received_on = datetime.now(timezone.utc).date()
            sealed: Sealed = seal(report_id, reference, received_on.isoformat())
            row = SealedReport(
                id=report_id, reference=reference, submission_key=submission_key(draft_id),
                received_on=received_on, schema_version=sealed.schema_version,
                nonce=sealed.nonce, ciphertext=sealed.ciphertext,
                keys=[ReportKey(key_id=k, suite=s, wrapped_key=w) for k, (s, w) in sealed.wrapped_keys.items()],
            )
            try:
                with Session(self.engine) as session, session.begin():
                    session.add(row)
                    session.flush()  # the report first: what follows refers to it
                    now = datetime.now(timezone.utc).replace(tzinfo=None)
                    session.add_all([PendingAlert(reference=reference, channel=channel, created_at=now,
                                                  next_try_at=now, attempts=0) for channel in alert_channels])
                    if follow_up_code:
                        session.add(follow_up.row_for(report_id, reference, follow_up_code))
                return Receipt(report_id, reference, created=True, alert=bool(alert_channels),
                               follow_up_code=follow_up_code)
            except IntegrityError:
                existing = self.find(draft_id)  # a concurrent confirmation stored it first
                if existing:
                    return existing
                # otherwise the reference collided (1 in 10^12): draw another
        raise RuntimeError("could not store the report")

    def store_held(self, key: str, sealed: Sealed, received_on: date, alert_channels: tuple[str, ...],
                   follow_up_verifier: str | None) -> bool:
        """Store a report sealed while the database was down (``report_outbox``), in one
        transaction with its alerts and follow-up hash; False if its draft is stored already."""
        from bot.reports.alert_outbox import PendingAlert
        from bot.reports.follow_up import FollowUpRow

        with Session(self.engine) as session:
            if session.execute(select(SealedReport.id).where(SealedReport.submission_key == key)).first():
                return False
        row = SealedReport(
            id=sealed.report_id, reference=sealed.reference, submission_key=key, received_on=received_on,
            schema_version=sealed.schema_version, nonce=sealed.nonce, ciphertext=sealed.ciphertext,
            keys=[ReportKey(key_id=k, suite=s, wrapped_key=w) for k, (s, w) in sealed.wrapped_keys.items()])
        try:
            with Session(self.engine) as session, session.begin():
                session.add(row)
                session.flush()
                now = datetime.now(timezone.utc).replace(tzinfo=None)
                session.add_all([PendingAlert(reference=sealed.reference, channel=channel, created_at=now,
                                              next_try_at=now, attempts=0) for channel in alert_channels])
                if follow_up_verifier:
                    session.add(FollowUpRow(report_id=sealed.report_id, reference=sealed.reference,
                                            verifier=follow_up_verifier))
        except IntegrityError:
            with Session(self.engine) as session:  # another server stored this draft first
                if session.execute(select(SealedReport.id).where(SealedReport.submission_key == key)).first():
                    return False
            raise
        return True

    def all(self, since: date | None = None) -> list[SealedReport]:
        with Session(self.engine) as session:
            query = select(SealedReport).order_by(SealedReport.received_on, SealedReport.reference)
            if since:
                query = query.where(SealedReport.received_on >= since)
            return list(session.scalars(query))

    def key_ids(self) -> set[str]:
        """Every reviewer key id any stored report is sealed to."""
        with Session(self.engine) as session:
            return set(session.scalars(select(ReportKey.key_id).distinct()))

    def count(self) -> int:
        return len(self.all())

    def add_wrapped_key(self, report_id: str, key_id: str, suite: str, wrapped: bytes) -> bool:
        """Give one more reviewer access to a report; False if that reviewer had it already."""
        try:
            with Session(self.engine) as session, session.begin():
                session.add(ReportKey(report_id=report_id, key_id=key_id, suite=suite, wrapped_key=wrapped))
            return True
        except IntegrityError:
            return False

    def revoke(self, key_id: str) -> tuple[int, int]:
        """Destroy one reviewer's wrapped keys, except where it is a report's only key.

        Returns (kept, revoked): a report nobody else can open is never made unreadable by a
        revocation; retention is the way such a report ends.
        """
        kept = revoked = 0
        with Session(self.engine) as session, session.begin():
            for row in session.scalars(select(SealedReport)):
                mine = [k for k in row.keys if k.key_id == key_id]
                if not mine:
                    continue
                if len(row.keys) == 1:
                    kept += 1
                    continue
                for k in mine:
                    session.delete(k)
                revoked += 1
        return kept, revoked

"""Urgent alerts waiting to be delivered, kept in the database so that none is lost to a restart
and none is sent twice by two action servers: an outbox, one row per report and channel.

A row is *claimed* for a short lease before it is sent (one UPDATE that only one process can win),
marked delivered after, and on failure tried again later, waiting longer each time.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Column, DateTime, Integer, String, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.database import Base

LEASE = timedelta(seconds=60)  # a sender that died mid-send frees the row after this
FIRST_RETRY, LONGEST_WAIT = timedelta(seconds=5), timedelta(minutes=15)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class PendingAlert(Base):
    __tablename__ = "alert_outbox"
    reference = Column(String(16), primary_key=True)
    channel = Column(String(16), primary_key=True)
    created_at = Column(DateTime, nullable=False)
    next_try_at = Column(DateTime, nullable=False, index=True)
    claimed_until = Column(DateTime, nullable=True)
    attempts = Column(Integer, nullable=False, default=0)
    delivered_at = Column(DateTime, nullable=True)
    last_failure = Column(String(64), nullable=True)


class Outbox:
    def __init__(self, engine):
        self.engine = engine

    def enqueue(self, reference: str, channels: list[str]) -> int:
        """One alert per channel for this report; enqueuing again adds nothing."""
        added = 0
        for channel in channels:
            try:
                with Session(self.engine) as session, session.begin():
                    now = _now()
                    session.add(PendingAlert(reference=reference, channel=channel, created_at=now, next_try_at=now,
                                             attempts=0))
                added += 1
            except IntegrityError:
                pass  # this report's alert on this channel is queued or sent already
        return added

    def claim_due(self, limit: int = 20) -> list[tuple[str, str]]:
        """(reference, channel) of alerts due now that this process alone may send."""
        now = _now()
        with Session(self.engine) as session:
            due = list(session.execute(
                select(PendingAlert.reference, PendingAlert.channel).where(
                    PendingAlert.delivered_at.is_(None), PendingAlert.next_try_at <= now,
                    or_(PendingAlert.claimed_until.is_(None), PendingAlert.claimed_until < now),
                ).order_by(PendingAlert.created_at).limit(limit)))
        claimed = []
        for reference, channel in due:
            with Session(self.engine) as session, session.begin():
                won = session.execute(update(PendingAlert).where(and_(
                    PendingAlert.reference == reference, PendingAlert.channel == channel,
                    PendingAlert.delivered_at.is_(None),
                    or_(PendingAlert.claimed_until.is_(None), PendingAlert.claimed_until < now),
                )).values(claimed_until=now + LEASE)).rowcount
            if won == 1:
                claimed.append((reference, channel))
        return claimed

    def delivered(self, reference: str, channel: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(update(PendingAlert).where(PendingAlert.reference == reference,
                                                       PendingAlert.channel == channel)
                            .values(delivered_at=_now(), claimed_until=None,
                                    attempts=PendingAlert.attempts + 1))

    def failed(self, reference: str, channel: str, kind: str) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(PendingAlert, (reference, channel))
            if row is None or row.delivered_at is not None:
                return
            row.attempts += 1
            wait = min(FIRST_RETRY * (2 ** (row.attempts - 1)), LONGEST_WAIT)
            row.next_try_at, row.claimed_until, row.last_failure = _now() + wait, None, kind[:64]

    def rows(self) -> list[PendingAlert]:
        with Session(self.engine) as session:
            return list(session.scalars(select(PendingAlert).order_by(PendingAlert.created_at)))

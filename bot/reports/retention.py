"""Retention: reports older than the retention period are crypto-shredded.

Their wrapped data keys are destroyed first (after which no reviewer key can open them, in any
backup made from now on), then the rows are removed (their sealed case work with them); SQLite overwrites freed pages
(secure_delete). Each expiry leaves an audit line naming the reference and dates only.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from bot.reports.store import ReportKey, ReportStore, SealedReport


def audit(path: Path, event: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **event}) + "\n")


# No retention shorter than this: a mistyped 0 or -1 would otherwise shred every report at once.
MIN_DAYS = 30


def apply(store: ReportStore, days: int, audit_path: Path, today: date | None = None, trail=None) -> list[str]:
    """Shred every report received more than ``days`` days ago; return their references."""
    if not isinstance(days, int) or days < MIN_DAYS:
        raise ValueError(f"a retention period under {MIN_DAYS} days is refused (asked: {days})")
    cutoff = (today or datetime.now(timezone.utc).date()) - timedelta(days=days)
    with Session(store.engine) as session:
        expired = list(session.execute(
            select(SealedReport.id, SealedReport.reference, SealedReport.received_on)
            .where(SealedReport.received_on < cutoff)))
    for report_id, reference, received_on in expired:
        with Session(store.engine) as session, session.begin():
            session.execute(delete(ReportKey).where(ReportKey.report_id == report_id))
        with Session(store.engine) as session, session.begin():
            session.execute(delete(SealedReport).where(SealedReport.id == report_id))
        audit(audit_path, {"event": "report_expired", "reference": reference,
                           "received_on": received_on.isoformat(), "retention_days": days})
        if trail is not None:
            trail.append("retention", "report_expired", reference, {"received_on": received_on.isoformat(), "days": days})
    if expired and store.engine.dialect.name == "postgresql":
        # PostgreSQL keeps deleted rows (wrapped keys included) in the table files until vacuumed:
        # VACUUM FULL rewrites both tables without them. The WAL and old table files on disk may
        # keep copies until PostgreSQL recycles them (docs/THREAT_MODEL.md).
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("report_keys", "case_entries", "sealed_reports"):
                connection.execute(text(f"VACUUM FULL {table}"))
    return [reference for _, reference, _ in expired]

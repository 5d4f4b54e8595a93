"""Case work on a report, in the standard's terms: status (``cas_Status``), owner
(``cas_CaseOwner``), comments (``cco_CaseComment``), outgoing referrals (``cas_ReferredOrganisation``,
``cas_OutgoingReferralDate``, ``cas_OutgoingReferralDetails``) and links between reports about the
same situation.

Every entry is appended, never changed, and sealed like a report: to every reviewer's public key
(and the writer's), so what one reviewer writes every other can read, and the database holds only
ciphertext. The case as it stands is the entries folded in order.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable

from sqlalchemy import Column, DateTime, ForeignKey, Integer, LargeBinary, String, Text, select
from sqlalchemy.orm import Session

from bot.database import Base
from bot.reports.sealing import PrivateKey, PublicKey, Sealed, SealError, b64, open_sealed, seal, unb64
from bot.reports.store import ReportStore

# cas_Status's picklist (HTCDS 2.0). A report nobody has triaged yet has no status: "New".
STATUSES = ("Active", "FollowUp", "Closed", "ClosedReferred")
NEW = "New"
OPEN = (NEW, "Active", "FollowUp")
# cas_ReasonForOutgoingReferral's picklist.
REFERRAL_REASONS = ("AdditionalServicesRequired", "MigrationOrChangeOfLocation", "Other")
KINDS = ("status", "owner", "comment", "referral", "link", "unlink", "export", "reply",
         "addition", "withdrawn")  # the last two: written by the person who reported, coming back
REPORTER = "the person who reported"
# Bounds on what one entry may hold: a comment is a note, not a second report.
MAX_TEXT = 4000
MAX_NAME = 200


class CaseEntryRow(Base):
    __tablename__ = "case_entries"
    id = Column(String(36), primary_key=True)
    report_id = Column(String(36), ForeignKey("sealed_reports.id", ondelete="CASCADE"), nullable=False, index=True)
    written_at = Column(DateTime, nullable=False)
    schema_version = Column(Integer, nullable=False)
    nonce = Column(LargeBinary, nullable=False)
    ciphertext = Column(LargeBinary, nullable=False)
    wrapped_keys = Column(Text, nullable=False)

    def sealed(self) -> Sealed:
        keys = {k: (suite, unb64(w)) for k, (suite, w) in json.loads(self.wrapped_keys).items()}
        return Sealed(self.id, self.schema_version, self.nonce, self.ciphertext, keys, _bound_to(self.report_id), "")


def _bound_to(report_id: str) -> str:
    # Security decision: the entry's seal names its report (associated data), so whoever can write
    # the database cannot move a comment or a "Closed" from one report to another: it would not open.
    return f"case-of:{report_id}"


class CaseWorkError(ValueError):
    """An entry a reviewer cannot write: a value outside the standard's picklist, too long, empty."""


def _text(value: Any, limit: int, what: str, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise CaseWorkError(f"{what} is empty")
    if len(text) > limit:
        raise CaseWorkError(f"{what} is longer than {limit} characters")
    return text


def entry(kind: str, by: str, **values: Any) -> dict[str, Any]:
    """One checked entry, ready to seal."""
    if kind not in KINDS:
        raise CaseWorkError(f"unknown entry {kind!r}")
    out: dict[str, Any] = {"kind": kind, "by": _text(by, MAX_NAME, "the reviewer's name"),
                           "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    if kind == "status":
        if values.get("status") not in STATUSES:
            raise CaseWorkError("a status is one of " + ", ".join(STATUSES))
        out["status"] = values["status"]
        out["reason"] = _text(values.get("reason"), MAX_TEXT, "the reason", required=False)
    elif kind == "owner":
        out["owner"] = _text(values.get("owner"), MAX_NAME, "the owner", required=False)
    elif kind == "comment":
        out["text"] = _text(values.get("text"), MAX_TEXT, "the comment")
    elif kind == "referral":
        out["organisation"] = _text(values.get("organisation"), MAX_NAME, "the organisation")
        on = values.get("date") or date.today().isoformat()
        try:
            out["date"] = date.fromisoformat(on).isoformat()
        except (TypeError, ValueError) as exc:
            raise CaseWorkError("the referral date is not a date (YYYY-MM-DD)") from exc
        reason = values.get("reason") or "Other"
        if reason not in REFERRAL_REASONS:
            raise CaseWorkError("a referral's reason is one of " + ", ".join(REFERRAL_REASONS))
        out["reason"] = reason
        out["details"] = _text(values.get("details"), MAX_TEXT, "the details", required=False)
    elif kind in ("link", "unlink"):
        out["reference"] = _text(values.get("reference"), 16, "the linked reference")
    elif kind == "export":
        out["format"] = _text(values.get("format"), 20, "the format")
    elif kind in ("addition", "reply"):
        out["text"] = _text(values.get("text"), MAX_TEXT, "the text")
    return out


@dataclass
class CaseFile:
    """A report's case as it stands after its entries, oldest first."""

    status: str = NEW
    closure_reason: str = ""
    owner: str = ""
    comments: list[dict] = field(default_factory=list)
    referrals: list[dict] = field(default_factory=list)
    links: set[str] = field(default_factory=set)
    additions: list[dict] = field(default_factory=list)  # what the person added, coming back
    reply: str = ""  # the latest reply a reviewer left for the person
    withdrawn: bool = False  # the person withdrew the report
    history: list[dict] = field(default_factory=list)
    unreadable: int = 0  # entries this key cannot open (sealed before it was a reviewer's)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @classmethod
    def of(cls, entries: Iterable[dict], unreadable: int = 0) -> "CaseFile":
        case = cls(unreadable=unreadable)
        for e in entries:
            case.history.append(e)
            kind = e.get("kind")
            if kind == "status" and e.get("status") in STATUSES:
                case.status = e["status"]
                case.closure_reason = e.get("reason", "") if e["status"].startswith("Closed") else ""
            elif kind == "owner":
                case.owner = e.get("owner", "")
            elif kind == "comment":
                case.comments.append(e)
            elif kind == "referral":
                case.referrals.append(e)
            elif kind == "link":
                case.links.add(e.get("reference", ""))
            elif kind == "unlink":
                case.links.discard(e.get("reference", ""))
            elif kind == "addition":
                case.additions.append(e)
            elif kind == "reply":
                case.reply = e.get("text", "")
            elif kind == "withdrawn":
                case.withdrawn = True
        return case


class CaseBook:
    """The case entries of every report, in the report store's database."""

    def __init__(self, store: ReportStore):
        self.store = store

    def write(self, report_id: str, value: dict[str, Any], recipients: list[PublicKey]) -> str:
        return self.write_many([(report_id, value)], recipients)[0]

    def write_many(self, entries: list[tuple[str, dict[str, Any]]], recipients: list[PublicKey]) -> list[str]:
        """Seal and store entries (report id, entry) in one transaction: all or none."""
        rows, ids = [], []
        for report_id, value in entries:
            entry_id = str(uuid.uuid4())
            ids.append(entry_id)
            plaintext = json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
            sealed = seal(entry_id, plaintext, recipients, _bound_to(report_id), "")
            rows.append(CaseEntryRow(
                id=entry_id, report_id=report_id, written_at=datetime.now(timezone.utc).replace(tzinfo=None),
                schema_version=sealed.schema_version, nonce=sealed.nonce, ciphertext=sealed.ciphertext,
                wrapped_keys=json.dumps({k: [s, b64(w)] for k, (s, w) in sealed.wrapped_keys.items()})))
        with Session(self.store.engine) as session, session.begin():
            session.add_all(rows)
        return ids

    def read_all(self, key: PrivateKey) -> dict[str, CaseFile]:
        """Every report's case, by report id, opened with ``key``."""
        opened: dict[str, list[dict]] = {}
        unreadable: dict[str, int] = {}
        with Session(self.store.engine) as session:
            rows = list(session.scalars(select(CaseEntryRow).order_by(CaseEntryRow.written_at, CaseEntryRow.id)))
        for row in rows:
            try:
                value = json.loads(open_sealed(row.sealed(), key))
                if not isinstance(value, dict):
                    raise ValueError
            except (SealError, ValueError, KeyError, TypeError):
                unreadable[row.report_id] = unreadable.get(row.report_id, 0) + 1
                continue
            opened.setdefault(row.report_id, []).append(value)
        ids = set(opened) | set(unreadable)
        return {i: CaseFile.of(opened.get(i, []), unreadable.get(i, 0)) for i in ids}

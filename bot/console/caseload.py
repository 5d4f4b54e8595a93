"""A reviewer's caseload: the reports their key opens, with each case as it stands, and the case
work they write (sealed to every reviewer). The web pages call this; so could a test or a script."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.reports import casework, exports, follow_up, htcds, reviewer_keys
from bot.reports.audit_trail import AuditTrail
from bot.reports.review import opened
from bot.reports.sealing import PrivateKey, PublicKey
from bot.reports.store import ReportStore
from bot.reports.triage import Item, is_new


# The case's status as the person who reported is told it: no more than they need.
FOR_THE_PERSON = {"New": "received", "Active": "active", "FollowUp": "active", "Closed": "closed",
                  "ClosedReferred": "closed"}


@dataclass
class Caseload:
    settings: Settings
    store: ReportStore

    @classmethod
    def for_settings(cls, settings: Settings) -> "Caseload":
        return cls(settings, ReportStore(settings.database_url))

    @property
    def book(self) -> casework.CaseBook:
        return casework.CaseBook(self.store)

    @property
    def trail(self) -> AuditTrail:
        # The console keeps its own anchor of the trail, off the database host.
        return AuditTrail(self.store.engine, anchor=self.settings.console_dir / "audit-anchor")

    def open_all(self, key: PrivateKey, previous_visit: str = "") -> tuple[dict[str, Item], int]:
        """Every report this key opens, by reference, and how many it could not open."""
        ids = {row.reference: row.id for row in self.store.all()}
        cases = self.book.read_all(key)
        items: dict[str, Item] = {}
        failed = 0
        for one in opened(self.store, key):
            if isinstance(one, tuple):
                failed += 1
                continue
            report_id = ids.get(one.reference, "")
            item = Item(report_id, one.reference, one.received_on, one.report,
                        cases.get(report_id) or casework.CaseFile())
            item.new = is_new(item.submitted_at, previous_visit)
            items[one.reference] = item
        return items, failed

    def recipients(self, writer: PrivateKey) -> list[PublicKey]:
        """Who case work is sealed to: every configured reviewer, and the writer, who must be able
        to read what they wrote even before their key is configured on the server."""
        try:
            keys = reviewer_keys.recipients(self.settings.reviewer_keys_dir, self.settings.trial_key_dir,
                                            self.settings.trial_mode)
        except reviewer_keys.NoReviewerKey:
            keys = []
        mine = writer.public_key()
        return keys + ([mine] if all(k.key_id != mine.key_id for k in keys) else [])

    def write(self, item: Item, key: PrivateKey, kind: str, by: str, **values) -> dict:
        """Check, seal and store one entry; the item's case is updated in memory too."""
        value = casework.entry(kind, by, **values)
        # Recorded before it is written: an entry is never made without its trace.
        self.trail.append(by, "case_entry", item.reference,
                          {"kind": kind, **({"status": value["status"]} if kind == "status" else {})})
        self.book.write(item.report_id, value, self.recipients(key))
        item.case = casework.CaseFile.of([*item.case.history, value], item.case.unreadable)
        code = item.report.get("follow_up_code")
        if kind in ("status", "reply") and isinstance(code, str) and code:
            # What the person reads when they come back with their reference and code.
            follow_up.write_view(self.store.engine, item.report_id, item.reference, code,
                                 FOR_THE_PERSON.get(item.case.status, "received"), item.case.reply)
        return value

    def export(self, items: list[Item], key: PrivateKey, by: str, fmt: str, with_contact: bool,
               folder: Path) -> Path:
        """The items as linked HTCDS records, written for the owner only; each report's case
        records that it was exported, and the exports log names who, when, which and where."""
        self.trail.append(by, "export", f"{len(items)} report(s)",
                          {"format": fmt, "with_contact_details": with_contact, "references": [i.reference for i in items]})
        tables = htcds.merged([htcds.records(i.report, i.reference, i.received_on, i.case,
                                             with_contact=with_contact) for i in items])
        target = exports.write(folder, tables, fmt, {"exported_by": by, "reports": len(items),
                                                     "with_contact_details": with_contact})
        # Each report's case records the export, all in one transaction.
        values = [(item, casework.entry("export", by, format=fmt)) for item in items]
        self.book.write_many([(item.report_id, value) for item, value in values], self.recipients(key))
        for item, value in values:
            item.case = casework.CaseFile.of([*item.case.history, value], item.case.unreadable)
        exports.record(folder / "exports.log", {"by": by, "format": fmt, "file": str(target),
                                                "references": [i.reference for i in items],
                                                "with_contact_details": with_contact})
        return target

"""What reviewers do with sealed reports: open them with their private key, list, export."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from bot.reports import htcds
from bot.reports.sealing import PrivateKey, SealError, open_sealed
from bot.reports.store import ReportStore


@dataclass
class OpenedReport:
    reference: str
    received_on: str
    report: dict[str, Any]

    def htcds(self) -> dict[str, Any]:
        return htcds.export(self.report, self.reference, self.received_on)


def opened(store: ReportStore, key: PrivateKey) -> Iterator[OpenedReport | tuple[str, str]]:
    """Each report opened, or (reference, reason) for one this key cannot open or read: one
    broken or planted row is named, and every other report still opens."""
    for row in store.all():
        try:
            plaintext = open_sealed(row.sealed(), key)
        except SealError as exc:
            yield (row.reference, str(exc))
            continue
        try:
            report = json.loads(plaintext)
        except ValueError:
            report = None
        if not isinstance(report, dict) or not isinstance(report.get("answers", {}), dict):
            yield (row.reference, "not a report this version can read")
            continue
        yield OpenedReport(row.reference, row.received_on.isoformat(), report)


# Security decision: whatever a report or a key file holds is shown to a reviewer's terminal as
# text, never as control: C0 and C1 controls (escape sequences that clear the screen, move the
# cursor or set the title), DEL, and the bidirectional and invisible format characters that
# reorder or hide what is shown are printed as visible escapes.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
REFERENCE = re.compile(r"^R-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def shown(value: Any, limit: int | None = None) -> str:
    """``value`` as safe one-line terminal text, cut at ``limit`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False) if value is not None else ""
    text = text.replace("\n", " ").replace("\r", " ").replace("\t", " ")
    if limit is not None:
        text = text[:limit]
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shown_reference(reference: Any) -> str:
    return reference if isinstance(reference, str) and REFERENCE.match(reference) else f"(malformed reference {shown(reference, 40)})"


def listing_line(item: OpenedReport | tuple[str, str]) -> str:
    """One line of ``bot review list``: never raises, never prints a control character."""
    if isinstance(item, tuple):
        return f"{shown_reference(item[0])}  (cannot open: {shown(item[1], 80)})"
    try:
        r = item.report
        urgent = ("TRIAL " if r.get("sealed_to_trial_key") is True else "") + ("URGENT " if r.get("urgent") is True else "")
        narrative = (r.get("answers") or {}).get("narrative") or ""
        return (f"{shown_reference(item.reference)}  {shown(item.received_on, 10)}  {urgent}{shown(r.get('kind'), 30)}  "
                f"[{shown(r.get('language'), 5)}]  {shown(narrative, 60)}")
    except Exception:  # a report of an unexpected shape is named, never the end of the list
        return f"{shown_reference(item.reference)}  (cannot read this report's fields)"

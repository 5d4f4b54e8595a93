"""What reviewers do with sealed reports: open them with their private key, list, export."""
from __future__ import annotations

import json
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
    """Each report opened, or (reference, reason) for one this key cannot open."""
    for row in store.all():
        try:
            plaintext = open_sealed(row.sealed(), key)
        except SealError as exc:
            yield (row.reference, str(exc))
            continue
        yield OpenedReport(row.reference, row.received_on.isoformat(), json.loads(plaintext))

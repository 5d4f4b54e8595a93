"""Reports sealed while the database was down: held on the action server's disk, stored later, once.

A person who confirms a report while the database cannot be written is not asked to come back:
the report is sealed to the reviewers as always, given its reference, and held in this outbox, a
folder of files, one per report. Each file is encrypted again under the server's state key (AES-256-GCM,
bound to its name), so not even its reference, dates or alert channels lie readable on disk; the
report inside is sealed to the reviewers and opens for no one else.

``flush`` stores what is held, each report exactly once: the store's unique submission key
refuses a second copy (the same draft confirmed again after the database came back, or two
servers flushing at once), and a file is deleted only after its report is in the database.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import threading
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.reports import follow_up
from bot.reports.sealing import Sealed
from bot.reports.store import Receipt, ReportStore, new_reference, submission_key

logger = logging.getLogger(__name__)
SUFFIX = ".held"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _aad(name: str) -> bytes:
    return f"thb-report-outbox|{name}".encode()


class ReportOutbox:
    def __init__(self, folder: Path, key: bytes):
        self.folder, self.key = Path(folder), key
        self._lock = threading.Lock()

    def _path(self, draft_id: str) -> Path:
        return self.folder / f"{submission_key(draft_id)}{SUFFIX}"

    def hold(self, draft_id: str, seal, alert_channels: tuple[str, ...] = (), follow_up_code: str = "") -> Receipt:
        """Seal the report now, with its reference, and keep it until the database takes it.
        Raises (disk full, folder unwritable) if it cannot be kept: the caller then says so."""
        held = self.pending(draft_id)
        if held:
            return held
        report_id, reference = str(uuid.uuid4()), new_reference()
        received_on = datetime.now(timezone.utc).date()
        sealed: Sealed = seal(report_id, reference, received_on.isoformat())
        entry = {
            "submission_key": submission_key(draft_id), "report_id": report_id, "reference": reference,
            "received_on": received_on.isoformat(), "schema_version": sealed.schema_version,
            "nonce": _b64(sealed.nonce), "ciphertext": _b64(sealed.ciphertext),
            "keys": {k: [s, _b64(w)] for k, (s, w) in sealed.wrapped_keys.items()},
            "alert_channels": list(alert_channels),
            # the hash the server keeps of the follow-up code, never the code
            "follow_up_verifier": follow_up.row_for(report_id, reference, follow_up_code).verifier
            if follow_up_code else None,
        }
        path = self._path(draft_id)
        nonce = os.urandom(12)
        blob = nonce + AESGCM(self.key).encrypt(nonce, json.dumps(entry).encode(), _aad(path.name))
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        # Written whole, flushed to the disk and renamed: a held report is never half a file.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
                f.flush()
                os.fsync(f.fileno())
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return Receipt(report_id, reference, created=True, alert=bool(alert_channels), follow_up_code=follow_up_code)

    def _read(self, path: Path) -> dict:
        blob = path.read_bytes()
        return json.loads(AESGCM(self.key).decrypt(blob[:12], blob[12:], _aad(path.name)))

    def pending(self, draft_id: str) -> Receipt | None:
        """The receipt of this draft's report if it is held here."""
        path = self._path(draft_id)
        if not path.is_file():
            return None
        entry = self._read(path)
        return Receipt(entry["report_id"], entry["reference"], created=False)

    def count(self) -> int:
        return len(list(self.folder.glob(f"*{SUFFIX}"))) if self.folder.is_dir() else 0

    def flush(self, store: ReportStore) -> int:
        """Store every held report not yet in the database; returns how many were stored now.
        A report that cannot be stored stays held, for the next try."""
        if not self.count():
            return 0
        stored = 0
        with self._lock:
            for path in sorted(self.folder.glob(f"*{SUFFIX}")):
                entry = self._read(path)
                sealed = Sealed(entry["report_id"], entry["schema_version"], base64.b64decode(entry["nonce"]),
                                base64.b64decode(entry["ciphertext"]),
                                {k: (s, base64.b64decode(w)) for k, (s, w) in entry["keys"].items()},
                                entry["reference"], entry["received_on"])
                created = store.store_held(entry["submission_key"], sealed, date.fromisoformat(entry["received_on"]),
                                           tuple(entry["alert_channels"]), entry["follow_up_verifier"])
                path.unlink()  # in the database now (stored here, or already there)
                stored += created
        if stored:
            logger.info("stored %d report(s) held while the database was down", stored)
        return stored

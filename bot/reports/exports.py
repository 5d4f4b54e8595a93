"""Exports of opened reports: written for their owner only, and each one recorded."""
from __future__ import annotations

import json
import os
import secrets
from datetime import datetime, timezone
from pathlib import Path

from bot.reports import htcds


class ExportRefused(Exception):
    pass


def write_private(target: Path, text: str) -> None:
    """Write opened reports to a new file only its owner can read.

    Security decision: never through a symbolic link (it could point anywhere), and never into an
    existing file's inode (it keeps its old, maybe wider, mode and other links to it): the text
    goes to a new file, mode 600, which then takes the name in one step.
    """
    if target.is_symlink():
        raise ExportRefused(f"{target} is a symbolic link: the export is not written through it.")
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def write(folder: Path, tables: dict[str, list[dict]], fmt: str, meta: dict) -> Path:
    """Write ``tables`` (htcds.records, merged) as one JSON file or a folder of CSV files, one per
    table, in a new place under ``folder`` (mode 700); return where."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"htcds-{stamp()}"
    if fmt == "json":
        target = folder / f"{name}.json"
        write_private(target, json.dumps({"standard": htcds.STANDARD, **meta, **tables},
                                         ensure_ascii=False, indent=2) + "\n")
        return target
    if fmt == "csv":
        target = folder / name
        target.mkdir(mode=0o700)
        for table, text in htcds.csv_tables(tables).items():
            write_private(target / f"{table}.csv", text)
        return target
    raise ExportRefused(f"unknown format {fmt!r}")


def record(log: Path, entry: dict) -> None:
    """One line per export in the exports log beside them (who, when, which reports, where):
    references and counts, never content."""
    log.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(json.dumps({"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **entry},
                           ensure_ascii=False) + "\n")

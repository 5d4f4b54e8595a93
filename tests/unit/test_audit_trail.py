"""The audit trail is appended to only: an edit, a deletion, a reordering or a cut is found, and
named; `bot review audit verify` fails on it."""
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.reports.audit_trail import AuditEntry, AuditTrail, entry_hash
from bot.reports.store import ReportStore

ROOT = Path(__file__).resolve().parents[2]
BOT = str(Path(sys.executable).with_name("bot"))


@pytest.fixture
def trail(tmp_path):
    store = ReportStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    trail = AuditTrail(store.engine, anchor=tmp_path / "anchor")
    for i in range(6):
        trail.append("alice", "report_opened", f"R-AAAA-000{i}")
    return trail


def change(trail, statement):
    with Session(trail.engine) as session, session.begin():
        session.execute(statement)


def test_an_untouched_trail_is_intact(trail):
    verdict = trail.verify()
    assert verdict.intact and verdict.entries == 6
    assert [e.seq for e in trail.entries(limit=3)] == [6, 5, 4]


def test_an_edited_entry_is_found(trail):
    change(trail, update(AuditEntry).where(AuditEntry.seq == 3).values(actor="mallory"))
    assert trail.verify().problems == ["entry 3 was altered"]


def test_an_edit_with_its_hash_recomputed_breaks_the_next_link(trail):
    with Session(trail.engine) as session, session.begin():
        row = session.get(AuditEntry, 3)
        row.subject = "R-ZZZZ-ZZZZ"
        row.hash = entry_hash(row.seq, row.at, row.actor, row.event, row.subject, row.detail, row.prev_hash)
    assert trail.verify().problems == ["entry 4 does not follow the entry before it (deleted, inserted or reordered)"]


def test_a_deleted_entry_is_found(trail):
    change(trail, delete(AuditEntry).where(AuditEntry.seq == 2))
    problems = trail.verify().problems
    assert "entries 2 to 2 are missing" in problems and any("entry 3 does not follow" in p for p in problems)


def test_reordered_entries_are_found(trail):
    change(trail, text("UPDATE audit_trail SET seq = 100 WHERE seq = 2"))
    change(trail, text("UPDATE audit_trail SET seq = 2 WHERE seq = 5"))
    change(trail, text("UPDATE audit_trail SET seq = 5 WHERE seq = 100"))
    assert not trail.verify().intact


def test_a_cut_at_the_end_is_found_by_the_anchor(trail):
    assert trail.verify().intact  # the anchor now holds entry 6
    change(trail, delete(AuditEntry).where(AuditEntry.seq >= 5))
    assert trail.verify().problems == ["entry 6, seen here before, is gone or changed: the trail was cut or rewritten"]


def test_no_content_and_no_unknown_event(trail):
    with pytest.raises(ValueError):
        trail.append("alice", "comment", "R-AAAA-0000")
    with pytest.raises(ValueError):
        trail.append("alice", "case_entry", "R-AAAA-0000", {"text": "the girls were taken to the farm near the river, " * 2})


def test_the_command_fails_on_a_tampered_trail(tmp_path):
    import os

    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path / "var")}
    settings = Settings.from_env(env)
    trail = AuditTrail(ReportStore(settings.database_url).engine)
    for _ in range(3):
        trail.append("bob", "sign_in", "reviewer")
    ok = subprocess.run([BOT, "review", "audit", "verify"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "intact: 3 entries" in ok.stdout
    change(trail, update(AuditEntry).where(AuditEntry.seq == 1).values(event="sign_out"))
    bad = subprocess.run([BOT, "review", "audit", "verify"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "entry 1 was altered" in bad.stderr
    shown = subprocess.run([BOT, "review", "audit", "show"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert shown.stdout.count("bob") == 3


def write_at_once(trail, writers: int = 4, each: int = 25) -> None:
    """``writers`` threads appending ``each`` entries to one trail at the same time."""
    import threading

    def write(name):
        for _ in range(each):
            trail.append(name, "report_opened", "R-BBBB-0000")

    threads = [threading.Thread(target=write, args=(f"reviewer-{i}",)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_writers_at_once_each_get_a_place_in_one_chain(trail):
    write_at_once(trail)
    verdict = trail.verify()
    assert verdict.intact and verdict.entries == 6 + 100

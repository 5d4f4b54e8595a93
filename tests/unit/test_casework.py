"""Case work is sealed to every reviewer, bound to its report, checked against the standard's
picklists, and folds into the case as it stands; the triage queue puts the most urgent first."""
import json
import time

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.console.caseload import Caseload
from bot.reports import casework, reviewer_keys
from bot.reports.casework import CaseEntryRow, CaseWorkError
from bot.reports.submission import submit_report
from bot.reports.triage import Filters, queue


@pytest.fixture
def desk(tmp_path):
    env = {"BOT_DATA_DIR": str(tmp_path / "var"), "BOT_REVIEWER_KEYS_DIR": str(tmp_path / "reviewers")}
    settings = Settings.from_env(env)
    keys = {}
    for name in ("alice", "bob"):
        reviewer_keys.write_pair(tmp_path / name, name, f"{name} passphrase!", suite="x25519")
        settings.reviewer_keys_dir.mkdir(parents=True, exist_ok=True)
        (settings.reviewer_keys_dir / f"{name}.pub.json").write_text((tmp_path / name / f"{name}.pub.json").read_text())
        keys[name] = reviewer_keys.read_private(tmp_path / name / f"{name}.key.json", f"{name} passphrase!")
    return settings, keys


def submit(settings, draft, **answers):
    slots = {"path": "report", "consent": "yes", "narrative": f"story {draft}", "draft_id": draft, **answers}
    return submit_report(settings, slots, "en", []).reference


def test_what_one_reviewer_writes_every_other_reads(desk):
    settings, keys = desk
    reference = submit(settings, "d1")
    caseload = Caseload.for_settings(settings)
    items, failed = caseload.open_all(keys["alice"])
    assert failed == 0
    caseload.write(items[reference], keys["alice"], "comment", "alice", text="COMMENT-CANARY called the shelter")
    caseload.write(items[reference], keys["alice"], "status", "alice", status="FollowUp")
    bobs, _ = caseload.open_all(keys["bob"])
    case = bobs[reference].case
    assert case.status == "FollowUp" and case.comments[0]["text"].startswith("COMMENT-CANARY")
    with Session(caseload.store.engine) as session:
        stored = b"".join(r.ciphertext + r.wrapped_keys.encode() for r in session.scalars(select(CaseEntryRow)))
    assert b"CANARY" not in stored and b"FollowUp" not in stored and b"alice" not in stored


def test_an_entry_moved_to_another_report_does_not_open(desk):
    settings, keys = desk
    first, second = submit(settings, "d1"), submit(settings, "d2")
    caseload = Caseload.for_settings(settings)
    items, _ = caseload.open_all(keys["alice"])
    caseload.write(items[first], keys["alice"], "status", "alice", status="Closed", reason="resolved")
    with Session(caseload.store.engine) as session, session.begin():
        session.execute(update(CaseEntryRow).values(report_id=items[second].report_id))
    again, _ = caseload.open_all(keys["alice"])
    assert again[second].case.status == "New" and again[second].case.unreadable == 1
    assert again[first].case.status == "New"


@pytest.mark.parametrize("kind,values", [
    ("status", {"status": "Done"}), ("status", {"status": None}),
    ("referral", {"organisation": "IOM", "reason": "Because"}), ("referral", {"organisation": "IOM", "date": "30/11/2026"}),
    ("referral", {"organisation": " "}), ("comment", {"text": ""}), ("comment", {"text": "x" * 4001}),
    ("delete", {}),
])
def test_entries_outside_the_standards_picklists_or_bounds_are_refused(kind, values):
    with pytest.raises(CaseWorkError):
        casework.entry(kind, "alice", **values)


def test_the_case_folds_its_entries_in_order():
    entries = [casework.entry("status", "a", status="Active"), casework.entry("owner", "a", owner="bob"),
               casework.entry("link", "a", reference="R-AAAA-BBBB"), casework.entry("status", "b", status="Closed", reason="done"),
               casework.entry("unlink", "a", reference="R-AAAA-BBBB"), casework.entry("status", "b", status="FollowUp")]
    case = casework.CaseFile.of(entries)
    assert (case.status, case.owner, case.links, case.closure_reason, case.is_open) == ("FollowUp", "bob", set(), "", True)


def test_the_queue_puts_danger_then_minors_then_ongoing_then_the_longest_waiting_first(desk):
    settings, keys = desk
    plain_old = submit(settings, "a")
    ongoing = submit(settings, "b", stage="Exploitation")
    minors = submit(settings, "c", minors="yes", narrative="Two girls at the Zākhō crossing")
    danger = submit(settings, "d", immediate_danger="yes")
    time.sleep(1.05)  # reports are timed to the second
    plain_new = submit(settings, "e")
    closed_danger = submit(settings, "f", immediate_danger="yes")
    caseload = Caseload.for_settings(settings)
    items, _ = caseload.open_all(keys["bob"])
    caseload.write(items[closed_danger], keys["bob"], "status", "bob", status="Closed")
    order = [i.reference for i in queue(items.values(), Filters(status="all"))]
    assert order == [danger, minors, ongoing, plain_old, plain_new, closed_danger]
    assert closed_danger not in [i.reference for i in queue(items.values())]  # open only, by default
    assert [i.reference for i in queue(items.values(), Filters(search="zakho GIRLS"))] == [minors]
    assert [i.reference for i in queue(items.values(), Filters(urgent_only=True, status="all"))] == [danger, closed_danger]


def test_the_export_is_mode_600_recorded_and_leaves_contact_details_out(desk, tmp_path):
    settings, keys = desk
    reference = submit(settings, "d1", contact_preference="contact", contact_details="CONTACT-CANARY")
    caseload = Caseload.for_settings(settings)
    items, _ = caseload.open_all(keys["alice"])
    target = caseload.export([items[reference]], keys["alice"], "alice", "json", False, tmp_path / "exports")
    assert target.stat().st_mode & 0o777 == 0o600 and (tmp_path / "exports").stat().st_mode & 0o777 == 0o700
    assert "CONTACT-CANARY" not in target.read_text()
    assert json.loads(target.read_text())["cases"][0]["x_Reference"] == reference
    log = (tmp_path / "exports" / "exports.log").read_text()
    assert reference in log and "alice" in log and "CANARY" not in log
    again, _ = caseload.open_all(keys["bob"])
    assert [e["kind"] for e in again[reference].case.history] == ["export"]

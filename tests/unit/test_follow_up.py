"""Follow-up by reference code, below the conversation: the code opens, nothing else does, the same
way; guessing is throttled; what the person reads later is readable with the code only; what they
add is sealed to the reviewers."""
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.console.caseload import Caseload
from bot.reports import casework, follow_up, reviewer_keys
from bot.reports.follow_up import FollowUpRow, FollowUps, Throttled
from bot.reports.submission import recipients_for, submit_report


@pytest.fixture
def sent(tmp_path):
    env = {"BOT_DATA_DIR": str(tmp_path / "var"), "BOT_REVIEWER_KEYS_DIR": str(tmp_path / "reviewers")}
    reviewer_keys.write_pair(tmp_path / "reviewers", "alice", "alice passphrase!", suite="x25519")
    settings = Settings.from_env(env)
    receipt = submit_report(settings, {"path": "report", "consent": "yes", "narrative": "a van at night",
                                       "draft_id": "d1"}, "en", [])
    key = reviewer_keys.read_private(tmp_path / "reviewers" / "alice.key.json", "alice passphrase!")
    caseload = Caseload.for_settings(settings)
    return settings, receipt, key, caseload, FollowUps(caseload.store.engine, b"k" * 32)


def test_the_code_opens_and_nothing_else_does(sent):
    settings, receipt, key, caseload, follow_ups = sent
    code = receipt.follow_up_code
    assert len(follow_up.normalised(code)) == 20 and receipt.reference not in code
    access = follow_ups.open("conv-1", receipt.reference, code.lower().replace("-", " ").replace("0", "O"))
    assert access and access.reference == receipt.reference
    other = follow_up.new_code()
    assert follow_ups.open("conv-2", receipt.reference, other) is None  # wrong code
    assert follow_ups.open("conv-2", "R-0000-0000", code) is None  # unknown reference, same answer
    assert follow_ups.open("conv-2", receipt.reference, "") is None
    with Session(caseload.store.engine) as session:
        stored = session.scalar(select(FollowUpRow))
    assert follow_up.normalised(code) not in repr(stored.verifier)  # a hash, not the code


def test_guessing_is_throttled_per_conversation_and_overall(sent, monkeypatch):
    settings, receipt, key, caseload, follow_ups = sent
    for _ in range(follow_up.PER_CONVERSATION):
        assert follow_ups.open("guesser", receipt.reference, follow_up.new_code()) is None
    with pytest.raises(Throttled):
        follow_ups.open("guesser", receipt.reference, receipt.follow_up_code)  # right, but too late
    assert follow_ups.open("someone else", receipt.reference, receipt.follow_up_code)
    monkeypatch.setattr(follow_up, "OVERALL", follow_up.PER_CONVERSATION + 1)
    with pytest.raises(Throttled):
        follow_ups.open("a third", receipt.reference, receipt.follow_up_code)


def test_what_the_person_reads_later_needs_the_code(sent):
    settings, receipt, key, caseload, follow_ups = sent
    access = follow_ups.open("c", receipt.reference, receipt.follow_up_code)
    assert follow_ups.view(access) == {}
    items, _ = caseload.open_all(key)
    item = items[receipt.reference]
    assert item.report["follow_up_code"] == receipt.follow_up_code  # the reviewers have it, sealed
    follow_up.write_view(caseload.store.engine, item.report_id, receipt.reference, item.report["follow_up_code"],
                         "active", "REPLY-CANARY we have passed it to the local team")
    assert follow_ups.view(access) == {"status": "active", "reply": "REPLY-CANARY we have passed it to the local team"}
    with Session(caseload.store.engine) as session:
        row = session.scalar(select(FollowUpRow))
    assert b"REPLY-CANARY" not in row.view
    forged = follow_up.Access(access.report_id, access.reference, follow_up.normalised(follow_up.new_code()))
    assert follow_ups.view(forged) == {}


def test_what_the_person_adds_is_sealed_to_the_reviewers_and_linked(sent):
    settings, receipt, key, caseload, follow_ups = sent
    access = follow_ups.open("c", receipt.reference, receipt.follow_up_code)
    recipients = recipients_for(settings, caseload.store)
    follow_up.add_information(caseload.book, access, "ADD-CANARY the plate was KA 1234", recipients)
    follow_up.withdraw(caseload.book, access, recipients)
    items, _ = caseload.open_all(key)
    case = items[receipt.reference].case
    assert case.additions[0]["text"].startswith("ADD-CANARY") and case.additions[0]["by"] == casework.REPORTER
    assert case.withdrawn


def test_a_reviewers_reply_and_status_reach_the_person_through_the_console(sent):
    settings, receipt, key, caseload, follow_ups = sent
    items, _ = caseload.open_all(key)
    item = items[receipt.reference]
    caseload.write(item, key, "status", "alice", status="FollowUp")
    access = follow_ups.open("c", receipt.reference, receipt.follow_up_code)
    assert follow_ups.view(access) == {"status": "active", "reply": ""}
    caseload.write(item, key, "reply", "alice", text="Thank you. A team will visit this week.")
    caseload.write(item, key, "status", "alice", status="ClosedReferred")
    assert follow_ups.view(access) == {"status": "closed", "reply": "Thank you. A team will visit this week."}

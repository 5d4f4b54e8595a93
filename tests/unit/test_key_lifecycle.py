"""Adding, removing and re-wrapping reviewer keys; rotating state keys; retention."""
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.reports import retention, review, reviewer_keys
from bot.reports.store import ReportKey, ReportStore, SealedReport
from bot.reports.submission import submit_report

ROOT = Path(__file__).resolve().parents[2]
BOT = str(Path(sys.executable).with_name("bot"))


@pytest.fixture
def env(tmp_path):
    return {**os.environ, "BOT_DATA_DIR": str(tmp_path / "var"), "BOT_REVIEWER_KEYS_DIR": str(tmp_path / "reviewers"),
            "BOT_REVIEWER_PASSPHRASE": "reviewer passphrase"}


def bot(env, *args):
    result = subprocess.run([BOT, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    return result


def make(tmp_path, name):
    return reviewer_keys.write_pair(tmp_path / "mine", name, "reviewer passphrase")


def submit(env, narrative, draft):
    return submit_report(Settings.from_env(env), {"path": "report", "consent": "yes", "narrative": narrative,
                                                  "draft_id": draft}, "en", [])


def opened_by(env, key_path):
    key = reviewer_keys.read_private(key_path, "reviewer passphrase")
    store = ReportStore(Settings.from_env(env).database_url)
    return sorted(r.report["answers"]["narrative"] for r in review.opened(store, key) if not isinstance(r, tuple))


def test_add_remove_and_rewrap(env, tmp_path):
    alice_key, alice_pub = make(tmp_path, "alice")
    bob_key, bob_pub = make(tmp_path, "bob")
    assert bot(env, "keys", "add", str(alice_pub)).returncode == 0
    assert "already" in bot(env, "keys", "add", str(alice_pub)).stderr
    submit(env, "first report", "d1")
    assert opened_by(env, alice_key) == ["first report"] and opened_by(env, bob_key) == []

    assert bot(env, "keys", "add", str(bob_pub)).returncode == 0
    submit(env, "second report", "d2")  # sealed to both
    assert opened_by(env, bob_key) == ["second report"]

    out = bot(env, "keys", "rewrap", "--key", str(alice_key), "--to", str(bob_pub))
    assert out.returncode == 0 and "Re-wrapped 1 report" in out.stdout
    assert opened_by(env, bob_key) == ["first report", "second report"]

    alice_id = reviewer_keys.read_public(alice_pub).key_id
    out = bot(env, "keys", "remove", alice_id, "--revoke-existing")
    assert out.returncode == 0 and "Revoked its access to 2" in out.stdout
    submit(env, "third report", "d3")
    assert opened_by(env, alice_key) == []  # a removed reviewer opens nothing, old or new
    assert opened_by(env, bob_key) == ["first report", "second report", "third report"]


def test_revocation_never_leaves_a_report_unreadable(env, tmp_path):
    alice_key, alice_pub = make(tmp_path, "alice")
    _, bob_pub = make(tmp_path, "bob")
    bot(env, "keys", "add", str(alice_pub))
    submit(env, "only alice", "d1")
    bot(env, "keys", "add", str(bob_pub))  # the last reviewer key can never be removed
    out = bot(env, "keys", "remove", reviewer_keys.read_public(alice_pub).key_id, "--revoke-existing")
    assert "1 report(s) kept it" in out.stdout
    assert opened_by(env, alice_key) == ["only alice"]


def test_trial_keys_cannot_be_added(env, tmp_path):
    reviewer_keys.ensure_trial_pair(tmp_path / "trial")
    out = bot(env, "keys", "add", str(tmp_path / "trial" / "trial-reviewer.pub.json"))
    assert out.returncode != 0 and "TRIAL" in out.stderr


def test_rotate_state_keeps_live_conversations(env):
    from bot.state import server_keys
    from bot.state.conversation_state import ConversationStates

    assert bot(env, "setup").returncode == 0
    settings = Settings.from_env(env)
    path = settings.data_dir / "secrets.json"
    running = server_keys.load({"BOT_SECRETS_FILE": str(path)})  # what the running servers hold
    ConversationStates(settings.database_url, running, 24).put("c1", b"live")
    out = bot(env, "keys", "rotate-state")
    assert out.returncode == 0 and "Restart the servers" in out.stdout
    # The servers still running with the old keys still open every live conversation.
    assert ConversationStates(settings.database_url, running, 24).get("c1") == b"live"
    rotated = server_keys.load({"BOT_SECRETS_FILE": str(path)})
    assert rotated.active_state_key[0] == "s2"
    assert ConversationStates(settings.database_url, rotated, 24).get("c1") == b"live"
    out = bot(env, "keys", "rotate-state", "--reseal")  # after the restart
    assert out.returncode == 0 and "1 live conversation(s) re-sealed" in out.stdout
    assert ConversationStates(settings.database_url, rotated, 24).get("c1") == b"live"


def test_retention_shreds_old_reports_and_audits_without_content(env, tmp_path):
    alice_key, alice_pub = make(tmp_path, "alice")
    bot(env, "keys", "add", str(alice_pub))
    old = submit(env, "RETENTION-CANARY old", "d-old")
    new = submit(env, "recent report", "d-new")
    settings = Settings.from_env(env)
    store = ReportStore(settings.database_url)
    with Session(store.engine) as session, session.begin():
        session.execute(update(SealedReport).where(SealedReport.id == old.report_id)
                        .values(received_on=date.today() - timedelta(days=400)))
    out = bot(env, "retention", "apply")
    assert out.returncode == 0 and old.reference in out.stdout and new.reference not in out.stdout
    assert opened_by(env, alice_key) == ["recent report"]
    with Session(store.engine) as session:
        assert session.query(ReportKey).filter_by(report_id=old.report_id).count() == 0
    [line] = (settings.data_dir / "audit.log").read_text().splitlines()
    entry = json.loads(line)
    assert entry["event"] == "report_expired" and entry["reference"] == old.reference
    assert "RETENTION-CANARY" not in line
    assert b"RETENTION-CANARY" not in Path(settings.database_url[len("sqlite:///"):]).read_bytes()


def test_retention_has_a_floor_and_a_shorter_period_is_confirmed(env, tmp_path):
    """BOT_RETENTION_DAYS=0 or --days -1 shredded every report without a word."""
    _, alice_pub = make(tmp_path, "alice")
    bot(env, "keys", "add", str(alice_pub))
    submit(env, "kept report", "d-kept")
    for bad in ({**env, "BOT_RETENTION_DAYS": "0"},):
        out = bot(bad, "retention", "apply")
        assert out.returncode != 0 and "Refused" in out.stderr
    for days in ("-1", "0", "29"):
        out = bot(env, "retention", "apply", "--days", days)
        assert out.returncode != 0 and "Refused" in out.stderr
    shorter = bot(env, "retention", "apply", "--days", "60")
    assert shorter.returncode != 0 and "--yes" in shorter.stderr
    assert bot(env, "retention", "apply", "--days", "60", "--yes").returncode == 0
    with pytest.raises(ValueError):
        retention.apply(ReportStore(Settings.from_env(env).database_url), 0, tmp_path / "audit.log")
    assert ReportStore(Settings.from_env(env).database_url).count() == 1


def test_a_downgrade_names_its_revision_and_base_is_confirmed(env):
    bot(env, "setup")
    assert "Name the revision" in bot(env, "db", "downgrade").stderr
    assert "--yes" in bot(env, "db", "downgrade", "base").stderr
    assert ReportStore(Settings.from_env(env).database_url).count() == 0  # the tables are still there

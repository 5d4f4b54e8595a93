"""The reviewer's command line: keys, listing and HTCDS export, without a terminal."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.reports import reviewer_keys
from bot.reports.submission import submit_report

ROOT = Path(__file__).resolve().parents[2]
BOT = str(Path(sys.executable).with_name("bot"))


def bot(*args, env=None, input_text=None):
    return subprocess.run([BOT, *args], cwd=ROOT, env=env, capture_output=True, text=True, input=input_text, timeout=120)


@pytest.fixture
def env(tmp_path):
    import os

    return {**os.environ, "BOT_DATA_DIR": str(tmp_path / "var"), "BOT_REVIEWER_KEYS_DIR": str(tmp_path / "reviewers"),
            "BOT_TRIAL_MODE": "1"}


def test_setup_makes_a_labelled_trial_key(env):
    out = bot("setup", env=env)
    assert out.returncode == 0 and "TRIAL" in out.stdout
    assert "Using the TRIAL" in bot("setup", env=env).stdout


def test_without_trial_mode_nothing_is_sealed_to_the_trial_key(env, tmp_path):
    """Fail closed: with no reviewer key and no explicit trial mode, setup says reports cannot be
    sent and makes no trial key, and a submission is refused (the person's answers stay)."""
    env = {**env, "BOT_TRIAL_MODE": ""}
    out = bot("setup", env=env)
    assert out.returncode == 0 and "reports cannot be sent" in out.stdout
    settings = Settings.from_env(env)
    assert not (settings.trial_key_dir / "trial-reviewer.pub.json").exists()
    reviewer_keys.ensure_trial_pair(settings.trial_key_dir)  # even a trial key lying there
    with pytest.raises(reviewer_keys.NoReviewerKey):
        submit_report(settings, {"path": "report", "consent": "yes", "narrative": "x", "draft_id": "t0"}, "en", [])
    assert "reports cannot be sent" in bot("keys", "list", env=env).stdout


def test_once_real_keys_were_configured_the_trial_key_never_seals_again(env, tmp_path):
    bot("setup", env=env)  # trial mode: a trial key is made
    settings = Settings.from_env(env)
    reviewer_keys.write_pair(tmp_path / "alice", "alice", "alice passphrase!")
    assert bot("keys", "add", str(tmp_path / "alice" / "alice.pub.json"), env=env).returncode == 0
    receipt = submit_report(settings, {"path": "report", "consent": "yes", "narrative": "x", "draft_id": "r1"}, "en", [])
    assert not receipt.trial
    # The keys folder goes missing (a misspelt BOT_REVIEWER_KEYS_DIR): never the trial key.
    misspelt = Settings.from_env({**env, "BOT_REVIEWER_KEYS_DIR": str(tmp_path / "reviewrs")})
    with pytest.raises(reviewer_keys.NoReviewerKey):
        submit_report(misspelt, {"path": "report", "consent": "yes", "narrative": "y", "draft_id": "r2"}, "en", [])
    # Even with the mark beside the trial key deleted, the stored reports name a real key.
    (settings.trial_key_dir / reviewer_keys.REAL_KEYS_SEEN).unlink()
    with pytest.raises(reviewer_keys.NoReviewerKey):
        submit_report(misspelt, {"path": "report", "consent": "yes", "narrative": "y", "draft_id": "r3"}, "en", [])
    assert "the trial key will not seal" in bot("setup", env={**env, "BOT_REVIEWER_KEYS_DIR": str(tmp_path / "reviewrs")}).stdout


def test_keys_remove_refuses_the_last_real_key(env, tmp_path):
    for name in ("alice", "bob"):
        reviewer_keys.write_pair(tmp_path / name, name, f"{name} passphrase!")
        assert bot("keys", "add", str(tmp_path / name / f"{name}.pub.json"), env=env).returncode == 0
    alice = reviewer_keys.read_public(tmp_path / "alice" / "alice.pub.json").key_id
    bob = reviewer_keys.read_public(tmp_path / "bob" / "bob.pub.json").key_id
    assert bot("keys", "remove", alice, env=env).returncode == 0
    last = bot("keys", "remove", bob, env=env)
    assert last.returncode != 0 and "last reviewer key" in last.stderr
    assert (tmp_path / "reviewers" / "bob.pub.json").exists()


def test_a_report_sealed_to_the_trial_key_is_logged_loudly_and_marked(env, caplog):
    import logging

    bot("setup", env=env)
    settings = Settings.from_env(env)
    with caplog.at_level(logging.WARNING):
        receipt = submit_report(settings, {"path": "report", "consent": "yes", "narrative": "TRIAL-CANARY",
                                           "draft_id": "t1"}, "en", [])
    assert receipt.trial
    assert any("TRIAL KEY" in r.getMessage() and "TRIAL-CANARY" not in r.getMessage() for r in caplog.records)
    listed = bot("review", "list", env=env)
    assert "TRIAL" in listed.stdout
    [case] = json.loads(bot("review", "export", env=env).stdout)["cases"]
    assert case["x_SealedToTrialKey"] is True


def test_keys_init_review_list_and_export(env, tmp_path):
    passfile = tmp_path / "pass"
    passfile.write_text("a long reviewer passphrase\n")
    made = bot("keys", "init", "--name", "focal-point", "--out", str(tmp_path / "reviewers"),
               "--passphrase-file", str(passfile), env=env)
    assert made.returncode == 0, made.stderr
    assert "focal-point.pub.json" in made.stdout
    listed = bot("keys", "list", env=env)
    assert "focal-point" in listed.stdout and "seals new reports" in listed.stdout

    settings = Settings.from_env(env)
    slots = {"path": "report", "consent": "yes", "narrative": "CLI-CANARY story", "stage": "Transit",
             "victims_gender": "Both", "draft_id": "d1", "immediate_danger": "yes"}
    receipt = submit_report(settings, slots, "en", [{"event": "user", "text": "CLI-CANARY story"}])

    key = str(tmp_path / "reviewers" / "focal-point.key.json")
    no_pass = bot("review", "list", "--key", key, env=env, input_text="")
    assert no_pass.returncode != 0 and "BOT_REVIEWER_PASSPHRASE_FILE" in no_pass.stderr
    listed = bot("review", "list", "--key", key, env={**env, "BOT_REVIEWER_PASSPHRASE_FILE": str(passfile)})
    assert receipt.reference in listed.stdout and "URGENT" in listed.stdout and "CLI-CANARY" in listed.stdout
    exported = bot("review", "export", "--key", key,
                   env={**env, "BOT_REVIEWER_PASSPHRASE": "a long reviewer passphrase"})
    tables = json.loads(exported.stdout)  # linked HTCDS records, by table
    [case], [event], [victims] = tables["cases"], tables["events"], tables["persons"]
    assert event["hte_Description"] == "CLI-CANARY story" and event["case_id"] == case["id"]
    assert event["hte_Type"] == "Transit" and victims["x_GroupGenders"] == ["Feminine", "Masculine"]
    assert case["x_Reference"] == receipt.reference and case["x_Urgent"] is True
    flat = bot("review", "export", "--format", "flat", "--key", key,
               env={**env, "BOT_REVIEWER_PASSPHRASE": "a long reviewer passphrase"})
    [record] = json.loads(flat.stdout)
    assert record["hte_Description"] == "CLI-CANARY story" and record["prs_Gender"] == ["Feminine", "Masculine"]
    tables_dir = tmp_path / "csv"
    as_csv = bot("review", "export", "--format", "csv", "--output", str(tables_dir), "--key", key,
                 env={**env, "BOT_REVIEWER_PASSPHRASE": "a long reviewer passphrase"})
    assert as_csv.returncode == 0, as_csv.stderr
    [folder] = list(tables_dir.iterdir())
    assert "CLI-CANARY story" in (folder / "events.csv").read_text()
    assert {p.stat().st_mode & 0o777 for p in folder.iterdir()} == {0o600}
    # --output makes a new file only its owner can read, and never writes through a link.
    unlocked = {**env, "BOT_REVIEWER_PASSPHRASE": "a long reviewer passphrase"}
    existing = tmp_path / "export.json"
    existing.write_text("old")
    existing.chmod(0o644)
    assert bot("review", "export", "--key", key, "--output", str(existing), env=unlocked).returncode == 0
    assert existing.stat().st_mode & 0o777 == 0o600 and "CLI-CANARY" in existing.read_text()
    elsewhere, link = tmp_path / "elsewhere.txt", tmp_path / "link.json"
    elsewhere.write_text("untouched")
    link.symlink_to(elsewhere)
    refused = bot("review", "export", "--key", key, "--output", str(link), env=unlocked)
    assert refused.returncode != 0 and "symbolic link" in refused.stderr
    assert elsewhere.read_text() == "untouched"
    wrong = bot("review", "list", "--key", key, env={**env, "BOT_REVIEWER_PASSPHRASE": "wrong"})
    assert wrong.returncode != 0 and "wrong passphrase" in wrong.stderr


def test_real_reviewer_keys_mean_the_trial_key_is_not_used(env, tmp_path):
    bot("setup", env=env)
    reviewer_keys.write_pair(tmp_path / "reviewers", "alice", "alice passphrase!")
    settings = Settings.from_env(env)
    submit_report(settings, {"path": "report", "consent": "yes", "narrative": "x", "draft_id": "d2"}, "en", [])
    trial = bot("review", "list", env=env)  # defaults to the trial key
    assert "cannot open" in trial.stdout and "0 report(s) opened" in trial.stderr


def test_planted_reports_are_shown_as_text_and_never_stop_the_listing(env, tmp_path):
    """A report's fields reach a reviewer's terminal as text: no escape sequence clears the
    screen, and one report of the wrong shape is named while the others still list and export."""
    from bot.reports import sealing
    from bot.reports.store import ReportStore

    bot("setup", env=env)
    settings = Settings.from_env(env)
    store = ReportStore(settings.database_url)
    recipients = reviewer_keys.recipients(settings.reviewer_keys_dir, settings.trial_key_dir, trial_mode=True)
    planted = {
        "p1": b"[1, 2, 3]",
        "p2": json.dumps({"kind": "incident_report\x1b[2J", "language": "en", "answers": {
            "narrative": 12345, "victims_gender": ["Feminine"]}}).encode(),
        "p3": json.dumps({"kind": "x", "language": "en\u202e", "answers": {
            "narrative": "clear \x1b[2J\x1b]0;owned\x07 \u202eevil\x9b31m"}}).encode(),
    }
    for draft, payload in planted.items():
        store.submit(draft, lambda report_id, reference, received_on, payload=payload: sealing.seal(
            report_id, payload, recipients, reference, received_on))
    submit_report(settings, {"path": "report", "consent": "yes", "narrative": "GOOD-CANARY", "draft_id": "ok"}, "en", [])
    listed = bot("review", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "GOOD-CANARY" in listed.stdout and "cannot open" in listed.stdout
    for control in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert control not in listed.stdout
    assert "\\u001b[2J" in listed.stdout
    exported = bot("review", "export", env=env)
    assert exported.returncode == 0, exported.stderr
    assert any(r["hte_Description"] == "GOOD-CANARY" for r in json.loads(exported.stdout)["events"])


def test_reports_are_never_rewrapped_to_a_trial_key(env, tmp_path):
    bot("setup", env=env)
    reviewer_keys.write_pair(tmp_path / "reviewers", "alice", "alice passphrase!")
    settings = Settings.from_env(env)
    trial_public = settings.trial_key_dir / "trial-reviewer.pub.json"
    refused = bot("keys", "rewrap", "--to", str(trial_public), "--key", str(tmp_path / "reviewers" / "alice.key.json"),
                  env={**env, "BOT_REVIEWER_PASSPHRASE": "alice passphrase!"})
    assert refused.returncode != 0 and "TRIAL" in refused.stderr

import json
import os
import stat

import pytest

from bot.reports import reviewer_keys
from bot.reports.reviewer_keys import KeyFileError
from bot.reports.sealing import SealError


def test_key_pair_files_and_passphrase(tmp_path):
    key_path, pub_path = reviewer_keys.write_pair(tmp_path, "alice", "correct horse battery")
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    data = json.loads(key_path.read_text())
    assert data["kdf"]["name"] == "argon2id"
    private = reviewer_keys.read_private(key_path, "correct horse battery")
    assert private.public_key().key_id == reviewer_keys.read_public(pub_path).key_id
    with pytest.raises(KeyFileError):
        reviewer_keys.read_private(key_path, "wrong passphrase")


def test_existing_key_files_are_never_overwritten(tmp_path):
    reviewer_keys.write_pair(tmp_path, "alice", "passphrase one!")
    with pytest.raises(KeyFileError):
        reviewer_keys.write_pair(tmp_path, "alice", "passphrase two!")


def test_a_tampered_public_key_file_is_refused(tmp_path):
    _, pub_path = reviewer_keys.write_pair(tmp_path, "alice", "passphrase one!")
    data = json.loads(pub_path.read_text())
    data["key_id"] = "0" * 16
    pub_path.write_text(json.dumps(data))
    with pytest.raises(KeyFileError):
        reviewer_keys.read_public(pub_path)


def test_real_reviewer_keys_replace_the_trial_key(tmp_path):
    real, trial = tmp_path / "reviewers", tmp_path / "trial"
    with pytest.raises(SealError):
        reviewer_keys.recipients(real, trial)
    assert reviewer_keys.ensure_trial_pair(trial) is True
    assert reviewer_keys.ensure_trial_pair(trial) is False
    with pytest.raises(reviewer_keys.NoReviewerKey):  # not in trial mode: fail closed
        reviewer_keys.recipients(real, trial)
    [only] = reviewer_keys.recipients(real, trial, trial_mode=True)
    assert only.trial
    reviewer_keys.write_pair(real, "alice", "a real passphrase")
    used = reviewer_keys.recipients(real, trial, trial_mode=True)
    assert [k.name for k in used] == ["alice"] and not used[0].trial
    (real / "alice.pub.json").unlink()  # the last real key gone: the trial key does not take over
    with pytest.raises(reviewer_keys.NoReviewerKey):
        reviewer_keys.recipients(real, trial, trial_mode=True)


@pytest.mark.parametrize("name", ["../outside", "/etc/evil", ".hidden", "a/b", "", "x" * 80, "name\x1b[2J"])
def test_a_key_name_is_a_plain_name_never_a_path(tmp_path, name):
    with pytest.raises(KeyFileError):
        reviewer_keys.write_pair(tmp_path / "keys", name, "a passphrase!")
    assert not (tmp_path / "outside.pub.json").exists()


def test_a_planted_public_key_file_is_refused_on_reading(tmp_path):
    _, pub_path = reviewer_keys.write_pair(tmp_path, "alice", "passphrase one!")
    good = json.loads(pub_path.read_text())
    for change in ({"name": "../../etc/cron.d/x"}, {"public_key": "AAAA"}, {"suite": "nonsense"}):
        planted = tmp_path / "planted.pub.json"
        planted.write_text(json.dumps({**good, **change}))
        with pytest.raises(KeyFileError):
            reviewer_keys.read_public(planted)


def test_the_launcher_refuses_to_start_when_no_key_may_seal(tmp_path):
    """Without reviewer keys and without trial mode, the servers do not start: people would
    otherwise answer every question and then hear that their report cannot be sent."""
    import os

    from bot import launcher

    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path / "var"), "BOT_TRIAL_MODE": "",
           "BOT_REVIEWER_KEYS_DIR": str(tmp_path / "reviewers")}
    reviewer_keys.ensure_trial_pair(tmp_path / "var" / "keys" / "trial")
    with pytest.raises(RuntimeError, match="refusing to start: no reviewer public key"):
        launcher._check_reviewer_keys(env)
    launcher._check_reviewer_keys({**env, "BOT_TRIAL_MODE": "1"})  # trying it out: starts
    reviewer_keys.write_pair(tmp_path / "reviewers", "alice", "a real passphrase")
    launcher._check_reviewer_keys(env)  # a real key: starts without trial mode

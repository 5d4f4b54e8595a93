"""Reviewer key files.

``NAME.pub.json`` holds a public key and goes to the server. ``NAME.key.json`` holds the private
key encrypted with a key derived from the reviewer's passphrase (Argon2id, RFC 9106's
memory-hard setting) and never leaves the reviewer's machine. The server needs no private key.

A *trial* key pair, made by the run command when no reviewer key is configured, lets a newcomer
try the whole flow. It is labelled in its files and in every listing, its passphrase lies beside
it, it seals only in the explicit trial mode, and never once a real reviewer key was configured.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from bot.reports.sealing import DEFAULT_SUITE, PrivateKey, PublicKey, SealError, b64, unb64

FORMAT = "thb-reviewer-key/1"
ARGON2 = {"iterations": 3, "lanes": 4, "memory_cost": 64 * 1024}  # 64 MiB
TRIAL_PASSPHRASE = "trial-only-not-secret"


class KeyFileError(Exception):
    pass


def _derive(passphrase: str, salt: bytes, params: dict) -> bytes:
    return Argon2id(salt=salt, length=32, **params).derive(passphrase.encode("utf-8"))


# A key's name becomes a file name in the keys folder: letters, digits, dot, dash and underscore,
# starting with a letter or digit, so that no key file can name a path outside the folder.
KEY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def write_pair(
    directory: Path, name: str, passphrase: str, suite: str = DEFAULT_SUITE, trial: bool = False
) -> tuple[Path, Path]:
    if not passphrase:
        raise KeyFileError("a passphrase is required")
    if not KEY_NAME.match(name or ""):
        raise KeyFileError(f"{name!r} cannot name a key: use letters, digits, '.', '-' and '_'")
    directory.mkdir(parents=True, exist_ok=True)
    private = PrivateKey.generate(suite)
    public = private.public_key(name=name, trial=trial)
    key_path, pub_path = directory / f"{name}.key.json", directory / f"{name}.pub.json"
    if key_path.exists() or pub_path.exists():
        raise KeyFileError(f"{key_path} or {pub_path} exists already; choose another name")
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed_private = AESGCM(_derive(passphrase, salt, ARGON2)).encrypt(
        nonce, private.raw, public.key_id.encode()
    )
    header = {"format": FORMAT, "name": name, "suite": suite, "key_id": public.key_id, "trial": trial}
    # The private key file is created readable by its owner only.
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(
            {**header, "kdf": {"name": "argon2id", "salt": b64(salt), **ARGON2},
             "nonce": b64(nonce), "private_key": b64(sealed_private)},
            f, indent=2,
        )
    pub_path.write_text(json.dumps({**header, "public_key": b64(public.raw)}, indent=2))
    return key_path, pub_path


def read_public(path: Path) -> PublicKey:
    try:
        data = json.loads(Path(path).read_text())
        if data.get("format") != FORMAT:
            raise KeyFileError(f"{path}: not a reviewer public key file")
        key = PublicKey(data["suite"], unb64(data["public_key"]), data.get("name", ""), bool(data.get("trial")))
        key.hpke_key()  # a key that cannot seal is refused now, not at the first report
    except (ValueError, KeyError, TypeError, AttributeError, SealError) as exc:
        raise KeyFileError(f"{path}: unreadable reviewer public key file") from exc
    if key.key_id != data.get("key_id"):
        raise KeyFileError(f"{path}: key id does not match the key")
    if key.name and not KEY_NAME.match(key.name):
        raise KeyFileError(f"{path}: the key's name is not a plain name")
    return key


def read_private(path: Path, passphrase: str) -> PrivateKey:
    try:
        data = json.loads(Path(path).read_text())
        kdf = data["kdf"]
        params = {k: kdf[k] for k in ARGON2}
        raw = AESGCM(_derive(passphrase, unb64(kdf["salt"]), params)).decrypt(
            unb64(data["nonce"]), unb64(data["private_key"]), data["key_id"].encode()
        )
    except (ValueError, KeyError) as exc:
        raise KeyFileError(f"{path}: unreadable reviewer key file") from exc
    except Exception as exc:  # InvalidTag: wrong passphrase or altered file
        raise KeyFileError("wrong passphrase, or the key file was altered") from exc
    key = PrivateKey(data["suite"], raw)
    if key.public_key().key_id != data["key_id"]:
        raise KeyFileError(f"{path}: key id does not match the key")
    return key


def public_keys_in(directory: Path) -> list[PublicKey]:
    if not directory.is_dir():
        return []
    return [read_public(p) for p in sorted(directory.glob("*.pub.json"))]


# Written beside the trial key the first time real reviewer keys are seen: from then on the trial
# key never seals again, even if the reviewer keys folder goes missing, empty or misspelt.
REAL_KEYS_SEEN = "REAL-REVIEWER-KEYS-CONFIGURED"


class NoReviewerKey(SealError):
    """No key may seal a new report: the report is kept as a draft and the person is told."""


def note_real_keys(trial_key_dir: Path) -> None:
    trial_key_dir.mkdir(parents=True, exist_ok=True)
    mark = trial_key_dir / REAL_KEYS_SEEN
    if not mark.exists():
        mark.write_text("Real reviewer keys were configured here: the trial key will never seal again.\n")


def real_keys_noted(trial_key_dir: Path) -> bool:
    return (trial_key_dir / REAL_KEYS_SEEN).exists()


def recipients(reviewer_keys_dir: Path, trial_key_dir: Path, trial_mode: bool = False,
               real_keys_seen: bool = False) -> list[PublicKey]:
    """The public keys new reports are sealed to. Fails closed.

    Real reviewer keys win. The trial key, whose passphrase lies beside it, seals only in the
    explicit trial mode (``BOT_TRIAL_MODE=1``, what ``./run`` uses on a fresh machine), and never
    once real keys have been configured: a missing, empty, unreadable or misspelt keys folder
    then stops submissions (the person's answers are kept) instead of sealing to a key anyone
    with the server's files can open.
    """
    try:
        real = [k for k in public_keys_in(reviewer_keys_dir) if not k.trial]
    except (KeyFileError, OSError) as exc:
        raise NoReviewerKey(f"the reviewer keys in {reviewer_keys_dir} cannot be read") from exc
    if real:
        note_real_keys(trial_key_dir)
        return real
    if not trial_mode:
        raise NoReviewerKey(f"no reviewer public key in {reviewer_keys_dir} (BOT_REVIEWER_KEYS_DIR); "
                            "reports cannot be sealed. Add one with `bot keys add`, or set "
                            "BOT_TRIAL_MODE=1 only to try the assistant out")
    if real_keys_seen or real_keys_noted(trial_key_dir):
        raise NoReviewerKey(f"real reviewer keys were configured before and none is in {reviewer_keys_dir} "
                            "now: refusing to seal to the trial key")
    trial = public_keys_in(trial_key_dir)
    if not trial:
        raise NoReviewerKey("no reviewer public key is configured")
    return trial


def ensure_trial_pair(trial_key_dir: Path) -> bool:
    """Create the trial key pair if missing; True when it was created now."""
    if (trial_key_dir / "trial-reviewer.pub.json").exists():
        return False
    write_pair(trial_key_dir, "trial-reviewer", TRIAL_PASSPHRASE, trial=True)
    (trial_key_dir / "PASSPHRASE").write_text(TRIAL_PASSPHRASE + "\n")
    (trial_key_dir / "README.txt").write_text(
        "TRIAL reviewer key pair, made for trying the assistant out. Its passphrase is in\n"
        "PASSPHRASE beside it, so anything sealed to it is NOT protected. It is used only while\n"
        "no real reviewer key is configured (bot keys init).\n"
    )
    return True


def add_configured(reviewer_keys_dir: Path, trial_key_dir: Path, source: Path) -> PublicKey:
    """Configure one more reviewer's public key (a NAME.pub.json file): new reports are sealed to it
    too. Refuses a trial key, a key configured already, and a name taken by another key."""
    key = read_public(source)
    if key.trial:
        raise KeyFileError("That is a TRIAL key: it is never used to seal real reports.")
    reviewer_keys_dir.mkdir(parents=True, exist_ok=True)
    target = reviewer_keys_dir / f"{key.name or key.key_id}.pub.json"
    if any(k.key_id == key.key_id for k in public_keys_in(reviewer_keys_dir)):
        raise KeyFileError(f"Key {key.key_id} is configured already.")
    if target.exists():
        raise KeyFileError(f"{target} exists: rename the key file or remove the old key first.")
    target.write_text(Path(source).read_text(encoding="utf-8"), encoding="utf-8")
    note_real_keys(trial_key_dir)  # the trial key never seals again
    return key


def remove_configured(reviewer_keys_dir: Path, key_id: str) -> None:
    """Stop sealing new reports to one reviewer key. Refuses the last real key: without one no
    report could be sent (add the next reviewer's key first)."""
    matches = [p for p in reviewer_keys_dir.glob("*.pub.json") if read_public(p).key_id == key_id]
    if not matches:
        raise KeyFileError(f"No configured reviewer key has the id {key_id}.")
    others = [k for k in public_keys_in(reviewer_keys_dir) if not k.trial and k.key_id != key_id]
    if not others:
        raise KeyFileError(f"{key_id} is the last reviewer key: new reports could not be sealed to anyone."
                           " Add another reviewer's key first (bot keys add), then remove this one.")
    for p in matches:
        p.unlink()

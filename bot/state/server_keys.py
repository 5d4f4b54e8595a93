"""The server's own secrets: keys for conversation state and for pseudonymous ids.

From the environment in production (``BOT_STATE_KEYS``, ``BOT_ID_KEY``), or from a secrets file
that ``bot setup`` makes for a trial (``BOT_SECRETS_FILE``, default ``var/secrets.json``, mode 600).
Reviewers' private keys are never among them: the server cannot open a report.
"""
from __future__ import annotations

import base64
import json
import os
import secrets as random
from dataclasses import dataclass
from pathlib import Path


class SecretsError(Exception):
    pass


def _key(text: str) -> bytes:
    raw = base64.b64decode(text.strip().encode(), validate=True)
    if len(raw) != 32:
        raise SecretsError("every key must be 32 bytes, base64-encoded")
    return raw


@dataclass(frozen=True)
class ServerSecrets:
    state_keys: tuple[tuple[str, bytes], ...]  # (key id, key); the first seals, all open
    id_key: bytes

    @property
    def active_state_key(self) -> tuple[str, bytes]:
        return self.state_keys[0]

    def state_key(self, key_id: str) -> bytes | None:
        return dict(self.state_keys).get(key_id)


def parse_state_keys(text: str) -> tuple[tuple[str, bytes], ...]:
    """'k2:BASE64,k1:BASE64' -> ((k2, key), (k1, key)); the first is used for new state."""
    keys = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        key_id, _, value = item.partition(":")
        if not key_id or not value:
            raise SecretsError("BOT_STATE_KEYS takes 'id:base64key' items separated by commas")
        keys.append((key_id, _key(value)))
    if not keys:
        raise SecretsError("no conversation-state key")
    return tuple(keys)


def secrets_file(env=None) -> Path:
    from bot.config import Settings

    env = os.environ if env is None else env
    return Path(env.get("BOT_SECRETS_FILE") or Settings.from_env(env).data_dir / "secrets.json")


def load(env=None) -> ServerSecrets:
    env = os.environ if env is None else env
    state, id_key = env.get("BOT_STATE_KEYS"), env.get("BOT_ID_KEY")
    if not (state and id_key):
        path = secrets_file(env)
        if not path.exists():
            raise SecretsError(f"no server secrets: set BOT_STATE_KEYS and BOT_ID_KEY, or run `bot setup` to make {path}")
        data = json.loads(path.read_text())
        state, id_key = state or data["state_keys"], id_key or data["id_key"]
    return ServerSecrets(parse_state_keys(state), _key(id_key))


def new_key() -> str:
    return base64.b64encode(random.token_bytes(32)).decode()


def ensure_file(path: Path) -> bool:
    """Make a secrets file with fresh keys if there is none; True when made now."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"state_keys": f"s1:{new_key()}", "id_key": new_key()}, f)
    return True


def rotate_file(path: Path) -> str:
    """Add a new state key in front (it seals from now on); older keys still open live state."""
    data = json.loads(path.read_text())
    existing = parse_state_keys(data["state_keys"])
    new_id = f"s{max(int(k[1:]) for k, _ in existing if k[1:].isdigit()) + 1}" if existing else "s1"
    data["state_keys"] = f"{new_id}:{new_key()}," + data["state_keys"]
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f)
    tmp.replace(path)
    return new_id

"""Console accounts: who may log in, as what, and with which second factor.

Kept on the reviewer's machine in one JSON file, mode 600 (``BOT_CONSOLE_DIR``/users.json).
Passwords as Argon2id hashes (RFC 9106's second recommended setting, as the key files use); the
second factor is TOTP (RFC 6238), each code accepted once.

Roles: a *reviewer* opens reports with their private key; an *administrator* manages accounts,
reviewer keys, the referral directory and retention, and opens no report.
"""
from __future__ import annotations

import hmac
import json
import os
import re
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyotp
from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

REVIEWER, ADMINISTRATOR = "reviewer", "administrator"
ROLES = (REVIEWER, ADMINISTRATOR)
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD = 12
ISSUER = "THB reporting assistant"


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    return Argon2id(salt=os.urandom(16), length=32, iterations=3, lanes=4,
                    memory_cost=64 * 1024).derive_phc_encoded(password.encode("utf-8"))


def password_matches(password: str, encoded: str) -> bool:
    try:
        Argon2id.verify_phc_encoded(password.encode("utf-8"), encoded)
        return True
    except (InvalidKey, ValueError, TypeError):
        return False


# Verified for unknown names too, so that a name that does not exist costs the same time as one
# that does: the login page is no list of accounts.
_DUMMY = hash_password(secrets.token_urlsafe(16))


@dataclass
class Account:
    name: str
    role: str
    password: str  # Argon2id, PHC string
    totp_secret: str  # base32; what the authenticator app holds too
    key_file: str = ""  # a reviewer's private key file (encrypted with their passphrase)
    disabled: bool = False
    totp_last_step: int = 0  # the last 30-second step whose code was accepted
    last_visit: str = ""  # ISO time this account last opened the queue
    created: str = ""

    def totp_uri(self) -> str:
        return pyotp.TOTP(self.totp_secret).provisioning_uri(name=self.name, issuer_name=ISSUER)


@dataclass
class Accounts:
    """The accounts file. Every change is written at once, atomically, mode 600."""

    path: Path
    accounts: dict[str, Account] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, path: Path) -> "Accounts":
        book = cls(Path(path))
        if book.path.exists():
            data = json.loads(book.path.read_text(encoding="utf-8"))
            for raw in data.get("accounts", []):
                account = Account(**{k: v for k, v in raw.items() if k in Account.__dataclass_fields__})
                book.accounts[account.name] = account
        return book

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.part")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"format": "thb-console-accounts/1",
                       "accounts": [asdict(a) for a in self.accounts.values()]}, f, indent=2)
        os.replace(temporary, self.path)

    def add(self, name: str, role: str, password: str, key_file: str = "") -> Account:
        if not NAME.match(name or ""):
            raise AccountError("a name is letters, digits, '.', '-' and '_' (at most 64)")
        if role not in ROLES:
            raise AccountError("a role is reviewer or administrator")
        if len(password or "") < MIN_PASSWORD:
            raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
        if role == REVIEWER and not key_file:
            raise AccountError("a reviewer needs their private key file")
        if role == ADMINISTRATOR and key_file:
            raise AccountError("an administrator opens no report and holds no reviewer key")
        with self._lock:
            if name in self.accounts:
                raise AccountError(f"{name} exists already")
            account = Account(name, role, hash_password(password), pyotp.random_base32(32), key_file,
                              created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            self.accounts[name] = account
            self.save()
        return account

    def set_disabled(self, name: str, disabled: bool) -> None:
        with self._lock:
            self.accounts[name].disabled = disabled
            self.save()

    def new_second_factor(self, name: str) -> Account:
        with self._lock:
            account = self.accounts[name]
            account.totp_secret, account.totp_last_step = pyotp.random_base32(32), 0
            self.save()
        return account

    def visited(self, name: str, at: str) -> None:
        with self._lock:
            self.accounts[name].last_visit = at
            self.save()

    def check(self, name: str, password: str, code: str, now: float | None = None) -> Account | None:
        """The account when name, password and a fresh code all match; None otherwise, with the
        same answer whichever was wrong."""
        account = self.accounts.get(name)
        matches = password_matches(password, account.password if account else _DUMMY)
        if account is None or account.disabled or not matches:
            return None
        step = self._fresh_step(account, code, time.time() if now is None else now)
        if step is None:
            return None
        with self._lock:
            # Security decision: a code is good once. An observed or replayed code (shoulder,
            # screen share, a proxy's log) is refused, even within its 30 seconds.
            if step <= account.totp_last_step:
                return None
            account.totp_last_step = step
            self.save()
        return account

    @staticmethod
    def _fresh_step(account: Account, code: str, now: float) -> int | None:
        code = (code or "").replace(" ", "")
        if not re.fullmatch(r"[0-9]{6}", code):
            return None
        totp = pyotp.TOTP(account.totp_secret)
        step = int(now // totp.interval)
        # One step either side: a phone's clock a little off, a code typed as it turned over.
        for candidate in (step - 1, step, step + 1):
            if hmac.compare_digest(totp.generate_otp(candidate), code):
                return candidate if candidate > account.totp_last_step else None
        return None


class Throttle:
    """Failed logins and unlocks, counted per account name and overall in a sliding window.

    Security decision: at most ``per_name`` failures for one name and ``overall`` failures in all
    within ``window`` seconds; past that every attempt is refused, right or wrong, until the
    window moves on. A password cannot be guessed faster than that from this machine.
    """

    def __init__(self, per_name: int = 5, overall: int = 20, window: float = 900.0):
        self.per_name, self.overall, self.window = per_name, overall, window
        self._failures: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def _recent(self, now: float) -> list[tuple[float, str]]:
        self._failures = [(t, n) for t, n in self._failures if now - t < self.window]
        return self._failures

    def wait(self, name: str, now: float | None = None) -> int:
        """Seconds until ``name`` may try again; 0 when it may now."""
        now = time.time() if now is None else now
        with self._lock:
            recent = self._recent(now)
            mine = [t for t, n in recent if n == name]
            if len(mine) >= self.per_name:
                return int(self.window - (now - mine[-self.per_name])) + 1
            if len(recent) >= self.overall:
                return int(self.window - (now - recent[-self.overall][0])) + 1
            return 0

    def failed(self, name: str, now: float | None = None) -> None:
        with self._lock:
            self._failures.append((time.time() if now is None else now, name))

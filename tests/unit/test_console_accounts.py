"""Console accounts: Argon2id passwords, TOTP codes good once, throttled guessing, sessions that
end; nothing of a password or a key in the accounts file."""
import time

import pyotp
import pytest

from bot.console.accounts import AccountError, Accounts, Throttle
from bot.console.sessions import Sessions


@pytest.fixture
def book(tmp_path):
    book = Accounts.load(tmp_path / "console" / "users.json")
    book.add("alice", "reviewer", "alice password 12", "/keys/alice.key.json")
    return book


def code(book, name, at=None):
    return pyotp.TOTP(book.accounts[name].totp_secret).at(at or time.time())


def test_a_code_is_good_once(book):
    now = time.time()
    good = code(book, "alice", now)
    assert book.check("alice", "alice password 12", good, now=now) is not None
    assert book.check("alice", "alice password 12", good, now=now) is None  # replayed
    # and an older code, still within the clock's slack, cannot be used after a newer one
    assert book.check("alice", "alice password 12", code(book, "alice", now - 30), now=now) is None
    assert Accounts.load(book.path).accounts["alice"].totp_last_step > 0  # remembered across restarts


def test_wrong_password_wrong_code_unknown_name_and_disabled_all_fail_alike(book):
    now = time.time()
    assert book.check("alice", "wrong password!", code(book, "alice", now), now=now) is None
    assert book.check("alice", "alice password 12", "000000" if code(book, "alice", now) != "000000" else "111111", now=now) is None
    assert book.check("mallory", "alice password 12", code(book, "alice", now), now=now) is None
    assert book.check("alice", "alice password 12", code(book, "alice", now - 300), now=now) is None  # expired
    book.set_disabled("alice", True)
    assert book.check("alice", "alice password 12", code(book, "alice", now + 30), now=now + 30) is None


def test_the_accounts_file_is_the_owners_and_holds_no_password(book):
    text = book.path.read_text()
    assert book.path.stat().st_mode & 0o777 == 0o600
    assert "alice password 12" not in text and "$argon2id$" in text


@pytest.mark.parametrize("name,role,password,key", [
    ("../etc", "reviewer", "long enough password", "/k"), ("bob", "root", "long enough password", ""),
    ("bob", "reviewer", "short", "/k"), ("bob", "reviewer", "long enough password", ""),
    ("bob", "administrator", "long enough password", "/k"), ("alice", "reviewer", "long enough password", "/k"),
])
def test_accounts_that_cannot_be_made(book, name, role, password, key):
    with pytest.raises(AccountError):
        book.add(name, role, password, key)


def test_guessing_is_throttled_per_name_and_overall():
    throttle = Throttle(per_name=5, overall=8, window=900)
    for _ in range(5):
        assert throttle.wait("alice", now=1000) == 0
        throttle.failed("alice", now=1000)
    assert throttle.wait("alice", now=1001) > 0 and throttle.wait("bob", now=1001) == 0
    for name in ("b", "c", "d"):
        throttle.failed(name, now=1002)
    assert throttle.wait("someone-else", now=1003) > 0  # overall: spraying names does not help
    assert throttle.wait("alice", now=1000 + 901) == 0  # the window moves on


def test_sessions_end_when_idle_or_too_old_and_drop_the_key():
    sessions = Sessions(idle=0.2, longest=60)
    s = sessions.start("alice", "reviewer")
    s.key = object()
    assert sessions.get(s.token) is s
    time.sleep(0.3)
    assert sessions.get(s.token) is None and s.key is None
    again = sessions.start("alice", "reviewer")
    newer = sessions.start("alice", "reviewer")  # a second login ends the first
    assert sessions.get(again.token) is None and sessions.get(newer.token) is newer

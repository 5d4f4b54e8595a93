"""The Telegram channel end to end: the real Rasa and action servers, python-telegram-bot's real
HTTP client, and a local stand-in for Telegram's Bot API."""
from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request

import pytest

from bot import launcher
from bot.reports import review, reviewer_keys
from bot.reports.store import ReportStore
from bot.reports.store import REFERENCE_IN_TEXT
from tests.e2e.conftest import free_port, prepared
from tests.telegram_standin import StandIn, callback_update, message_update

pytestmark = pytest.mark.e2e
SECRET = secrets.token_urlsafe(24)
TOKEN = f"123456:TEST{secrets.token_hex(8)}"  # searched for in every file the servers wrote



@pytest.fixture(scope="module")
def telegram(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("telegram") / "var"
    settings = prepared(data_dir)
    standin = StandIn()
    api_url = standin.start()
    env = {"BOT_DATA_DIR": str(data_dir), "BOT_TRIAL_MODE": "1", "TELEGRAM_BOT_TOKEN": TOKEN,
           "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_BOT_API_URL": api_url}
    with launcher.running(free_port(), free_port(), log_dir=data_dir / "log", extra_env=env) as servers:
        yield servers, standin, settings
    standin.stop()


class Hook:
    ids = iter(range(1, 10**6))

    def __init__(self, servers, standin):
        self.url = f"{servers.url}/webhooks/telegram/webhook"
        self.standin = standin
        self.user = secrets.randbelow(10**9) + 10**8

    def post(self, update: dict, secret: str | None = SECRET) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        request = urllib.request.Request(self.url, data=json.dumps(update).encode(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def say(self, text: str) -> list[dict]:
        before = len(self.standin.calls_to("sendMessage"))
        assert self.post(message_update(next(self.ids), self.user, text)) == 200
        return [c for c in self.standin.calls_to("sendMessage")[before:] if int(c["chat_id"]) == self.user]

    def report_up_to_summary(self, narrative: str) -> list[dict]:
        """Open a report, consent, tell ``narrative``, skip the rest: the summary's messages."""
        self.say("I need to report something I saw at the checkpoint")
        for choice in ("no", "yes", "observed"):
            self.press('/inform{"choice":"%s"}' % choice)
        self.say(narrative)
        for _ in range(16):
            sent = self.say("skip")
            if "Nothing has been sent yet" in text(sent):
                return sent
        raise AssertionError("the summary never came")

    def press(self, data: str) -> list[dict]:
        before = len(self.standin.calls_to("sendMessage"))
        assert self.post(callback_update(next(self.ids), self.user, data)) == 200
        return [c for c in self.standin.calls_to("sendMessage")[before:] if int(c["chat_id"]) == self.user]


def text(sent: list[dict]) -> str:
    return "\n".join(str(c.get("text")) for c in sent)


def test_forged_or_missing_secret_is_refused_before_anything_happens(telegram):
    servers, standin, _ = telegram
    hook = Hook(servers, standin)
    before = len(standin.calls)
    assert hook.post(message_update(900001, hook.user, "hello"), secret="wrong") == 403
    assert hook.post(message_update(900002, hook.user, "hello"), secret=None) == 403
    assert hook.post({"not": "an update"}) == 400
    assert len(standin.calls) == before  # nothing was sent to anyone


def test_a_full_report_through_the_webhook_with_buttons_and_protected_content(telegram):
    servers, standin, settings = telegram
    hook = Hook(servers, standin)
    first = hook.say("hello, I need to report something I saw")
    assert "not a person" in text(first)
    assert all(c.get("protect_content") in (True, "true", "True") for c in first)
    keyboards = [c["reply_markup"]["inline_keyboard"] for c in first if c.get("reply_markup")]
    assert any(row[0]["callback_data"] == '/inform{"choice":"no"}' for k in keyboards for row in k)
    canary = f"TGCANARY{secrets.token_hex(4)}"
    sent = hook.report_up_to_summary(f"a man took the passports of four women at the market {canary}")
    assert canary in text(sent)
    assert standin.calls_to("answerCallbackQuery")  # button presses are acknowledged
    done = hook.press("/affirm")
    assert "Your reference code is" in text(done)
    key = reviewer_keys.read_private(settings.trial_key_dir / "trial-reviewer.key.json", reviewer_keys.TRIAL_PASSPHRASE)
    opened = [r for r in review.opened(ReportStore(settings.database_url), key) if canary in json.dumps(r.report)]
    assert len(opened) == 1
    # Neither what was said, nor the Telegram user id, nor the bot's token is readable in any file
    # the servers wrote; the logs are the owner's only.
    logs = list((settings.data_dir / "log").glob("*.log"))
    assert logs and all(p.stat().st_mode & 0o077 == 0 for p in logs), [oct(p.stat().st_mode) for p in logs]
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert canary.encode() not in content and str(hook.user).encode() not in content, path
            assert TOKEN.encode() not in content and TOKEN.split(":")[1].encode() not in content, path


def test_a_repeated_update_is_handled_once(telegram):
    servers, standin, _ = telegram
    hook = Hook(servers, standin)
    update = message_update(next(Hook.ids), hook.user, "hello")
    assert hook.post(update) == 200
    sent = len(standin.calls_to("sendMessage"))
    assert hook.post(update) == 200
    assert len(standin.calls_to("sendMessage")) == sent


def test_a_failure_makes_telegram_retry_and_the_retry_stores_one_report(telegram):
    servers, standin, settings = telegram
    hook = Hook(servers, standin)
    canary = f"TGRETRY{secrets.token_hex(4)}"
    hook.report_up_to_summary(f"three girls were locked in a van {canary}")
    confirm = callback_update(next(Hook.ids), hook.user, "/affirm")
    standin.fail["sendMessage"] = 1  # the report is stored, then Telegram's servers fail us
    assert hook.post(confirm) == 500
    before = len(standin.calls_to("sendMessage"))
    assert hook.post(confirm) == 200  # Telegram delivers the same update again
    assert "R-" in text(standin.calls_to("sendMessage")[before:])
    key = reviewer_keys.read_private(settings.trial_key_dir / "trial-reviewer.key.json", reviewer_keys.TRIAL_PASSPHRASE)
    assert sum(canary in json.dumps(r.report) for r in review.opened(ReportStore(settings.database_url), key)
               if not isinstance(r, tuple)) == 1


def test_exit_deletes_both_sides_of_the_chat(telegram):
    servers, standin, _ = telegram
    hook = Hook(servers, standin)
    first_id = next(Hook.ids)
    before = len(standin.calls_to("sendMessage"))
    assert hook.post(message_update(first_id, hook.user, "hello")) == 200
    replies = standin.calls_to("sendMessage")[before:]
    exit_id = next(Hook.ids)
    assert hook.post(message_update(exit_id, hook.user, "/exit")) == 200
    [deleted] = [c for c in standin.calls_to("deleteMessages") if int(c["chat_id"]) == hook.user]
    ids = set(deleted["message_ids"])
    # Both of the person's messages, and every reply the assistant sent them, the goodbye included.
    assert {first_id * 10, exit_id * 10} <= ids
    assert len(ids) == 2 + len(replies) + 1


@pytest.mark.parametrize("kind", [{"photo": [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]},
                                  {"voice": {"file_id": "v", "file_unique_id": "u", "duration": 1}},
                                  {"sticker": {"file_id": "s", "file_unique_id": "u", "width": 1, "height": 1,
                                               "is_animated": False, "is_video": False, "type": "regular"}},
                                  {"document": {"file_id": "d", "file_unique_id": "u"}}],
                         ids=["photo", "voice", "sticker", "document"])
def test_non_text_messages_get_a_polite_answer_and_are_not_kept(telegram, kind):
    servers, standin, settings = telegram
    hook = Hook(servers, standin)
    before = len(standin.calls_to("sendMessage"))
    assert hook.post(message_update(next(Hook.ids), hook.user, None, **kind)) == 200
    [reply] = standin.calls_to("sendMessage")[before:]
    assert "only read text" in reply["text"]


def test_edited_messages_and_group_chats_are_answered_politely(telegram):
    servers, standin, _ = telegram
    hook = Hook(servers, standin)
    before = len(standin.calls_to("sendMessage"))
    edited = message_update(next(Hook.ids), hook.user, "changed")
    edited["edited_message"] = edited.pop("message")
    assert hook.post(edited) == 200
    assert hook.post(message_update(next(Hook.ids), hook.user, "hello all", chat_type="group")) == 200
    replies = standin.calls_to("sendMessage")[before:]
    assert "changes to earlier messages" in replies[0]["text"] and "private chats" in replies[1]["text"]


def test_a_full_report_in_french(telegram):
    servers, standin, settings = telegram
    hook = Hook(servers, standin)
    first = hook.say("Bonjour, je dois signaler quelque chose que j'ai vu")
    assert "pas une personne" in text(first) and "danger" in text(first)
    keyboards = [row[0]["callback_data"] for c in first if c.get("reply_markup") for row in c["reply_markup"]["inline_keyboard"]]
    assert "/exit_chat" in keyboards  # a way out, from the first message
    assert "Acceptez-vous" in text(hook.press('/inform{"choice":"no"}'))
    hook.press('/inform{"choice":"yes"}')
    hook.press('/inform{"choice":"observed"}')
    canary = f"TGFR{secrets.token_hex(4)}"
    hook.say(f"deux femmes étaient enfermées dans un appartement au-dessus du magasin {canary}")
    for _ in range(16):
        sent = hook.say("passer")
        if "Rien n'a encore été envoyé" in text(sent):
            break
    assert canary in text(sent)
    done = hook.say("oui")
    assert "code de référence" in text(done)
    key = reviewer_keys.read_private(settings.trial_key_dir / "trial-reviewer.key.json", reviewer_keys.TRIAL_PASSPHRASE)
    [opened] = [r for r in review.opened(ReportStore(settings.database_url), key) if canary in json.dumps(r.report)]
    assert opened.report["language"] == "fr"


def test_a_shared_location_finds_services_nearby(telegram):
    servers, standin, _ = telegram
    hook = Hook(servers, standin)
    hook.say("I need help, my boss took my passport")
    hook.press('/inform{"choice":"no"}')
    hook.press('/inform{"choice":"legal"}')
    hook.press("/skip")
    before = len(standin.calls_to("sendMessage"))
    location = message_update(next(Hook.ids), hook.user, None, location={"latitude": 49.842, "longitude": 24.031})
    assert hook.post(location) == 200
    replies = text(standin.calls_to("sendMessage")[before:])
    assert "Example Legal Aid Lviv" in replies and "km from you" in replies


def test_set_webhook_sends_the_secret_and_poll_uses_the_same_webhook(telegram):
    import os
    import subprocess
    import sys
    from pathlib import Path

    servers, standin, _ = telegram
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
           "TELEGRAM_BOT_API_URL": f"http://127.0.0.1:{standin.port}/bot"}
    bot = str(Path(sys.executable).with_name("bot"))
    out = subprocess.run([bot, "telegram", "set-webhook", "--url", "https://example.org/webhooks/telegram/webhook"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    [call] = standin.calls_to("setWebhook")
    assert call["secret_token"] == SECRET and set(call["allowed_updates"]) == {"message", "edited_message", "callback_query"}

    user = secrets.randbelow(10**9) + 10**8
    standin.updates = [message_update(next(Hook.ids), user, "hello")]
    out = subprocess.run([bot, "telegram", "poll", "--once", "--local-url", f"{servers.url}/webhooks/telegram/webhook"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "1 update(s) handled" in out.stdout, out.stderr
    assert any(int(c["chat_id"]) == user and "not a person" in c["text"] for c in standin.calls_to("sendMessage"))


def test_coming_back_by_reference_and_code_adds_information_and_a_wrong_code_learns_nothing(telegram):
    """The reporter's promise kept: with the reference and the follow-up code, a person adds what
    they remembered (sealed, linked to the report) and reads the news; with a wrong code, the same
    words come back and nothing is added; neither code nor reference is in any file in the clear."""
    import re

    servers, standin, settings = telegram
    hook = Hook(servers, standin)
    hook.report_up_to_summary("a van with six women at the border post, the driver took their phones")
    done = text(hook.press("/affirm"))
    reference = REFERENCE_IN_TEXT.search(done).group(0)
    code = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}", done).group(0)
    canary = f"FUCANARY{secrets.token_hex(4)}"

    def visit(who: Hook, typed_code: str) -> list[str]:
        said = [text(who.say(f"this is an update to {reference}, I remembered the plate {canary}"))]
        said.append(text(who.say(typed_code)))
        said.append(text(who.press('/inform{"choice":"follow_news"}')))
        said.append(text(who.press('/inform{"choice":"follow_done"}')))
        return said

    right = visit(Hook(servers, standin), code)
    wrong_code = "-".join(["Z9Z9"] * 5)
    wrong = visit(Hook(servers, standin), wrong_code)
    assert right == wrong  # no oracle: the same words, whichever code
    assert "this is now part of the report" in right[1] and "received, waiting for a reviewer" in right[2]
    key = reviewer_keys.read_private(settings.trial_key_dir / "trial-reviewer.key.json", reviewer_keys.TRIAL_PASSPHRASE)
    from bot.console.caseload import Caseload

    items, _ = Caseload.for_settings(settings).open_all(key)
    additions = items[reference].case.additions
    assert len(additions) == 1 and canary in additions[0]["text"]  # the right code's, once; the wrong one's nowhere
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert canary.encode() not in content and code.encode() not in content, path
            assert code.replace("-", "").encode() not in content, path

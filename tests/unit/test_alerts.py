"""Urgent alerts: queued with the report in one transaction, delivered once on each channel (a
real SMTP server, python-telegram-bot's real client against the Telegram stand-in, a webhook),
tried again after a failure, and saying nothing but the reference and "urgent"."""
import hashlib
import hmac
import http.server
import json
import logging
import threading

import pytest

from bot.alerts.dispatch import Dispatcher, deliver_due
from bot.config import Settings
from bot.reports import alert_outbox, reviewer_keys
from bot.reports.submission import submit_report
from tests.e2e.conftest import free_port
from tests.telegram_standin import StandIn

CANARY = "ALERT-CANARY the van left for the farm"


class Hook:
    """A webhook receiver on loopback that fails its first ``failures`` calls."""

    def __init__(self, failures=0):
        self.failures, self.received = failures, []
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.received.append((body, self.headers.get("X-Signature-SHA256")))
                status = 500 if hook.failures > 0 else 200
                hook.failures -= 1
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Inbox(Message):
        def __init__(self):
            super().__init__()
            self.messages = []

        def handle_message(self, message):
            self.messages.append(message)

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def telegram():
    standin = StandIn()
    url = standin.start()
    yield standin, url
    standin.stop()


@pytest.fixture
def settings(tmp_path):
    env = {"BOT_DATA_DIR": str(tmp_path / "var"), "BOT_REVIEWER_KEYS_DIR": str(tmp_path / "reviewers")}
    reviewer_keys.write_pair(tmp_path / "reviewers", "alice", "alice passphrase!", suite="x25519")
    return Settings.from_env(env)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(alert_outbox, "FIRST_RETRY", alert_outbox.timedelta(0))


def channels_env(smtp_port, telegram_url, hook):
    return {"BOT_ALERT_SMTP_HOST": "127.0.0.1", "BOT_ALERT_SMTP_PORT": str(smtp_port), "BOT_ALERT_SMTP_TO": "duty@example.org",
            "BOT_ALERT_SMTP_STARTTLS": "0", "TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_BOT_API_URL": telegram_url,
            "BOT_ALERT_TELEGRAM_CHAT_ID": "-1001234", "BOT_ALERT_WEBHOOK_URL": hook.url, "BOT_ALERT_WEBHOOK_SECRET": "s3cret"}


def submit(settings, dispatcher, draft, **answers):
    slots = {"path": "report", "consent": "yes", "narrative": CANARY, "draft_id": draft, **answers}
    return submit_report(settings, slots, "en", [], alert_channels=dispatcher.channel_names)


def test_an_urgent_report_is_announced_once_on_every_channel_and_a_failing_one_is_tried_again(
        settings, smtp, telegram, caplog):
    inbox, port = smtp
    standin, url = telegram
    hook = Hook(failures=2)
    standin.fail["sendMessage"] = 1
    dispatcher = Dispatcher(settings, env=channels_env(port, url, hook))
    urgent = submit(settings, dispatcher, "d1", immediate_danger="yes")
    calm = submit(settings, dispatcher, "d2", immediate_danger="no")
    again = submit(settings, dispatcher, "d1", immediate_danger="yes")  # the same draft confirmed twice
    assert urgent.alert and not calm.alert and again.reference == urgent.reference and not again.alert
    with caplog.at_level(logging.INFO):
        delivered = [deliver_due(dispatcher.outbox, dispatcher.channels) for _ in range(4)]
    assert delivered == [1, 1, 1, 0]  # mail first time; Telegram on its second try; the webhook on its third
    assert [m["Subject"] for m in inbox.messages] == [f"URGENT report {urgent.reference}"]
    sent = [c for c in standin.calls_to("sendMessage")]
    assert len(sent) == 2 and sent[-1]["chat_id"] in (-1001234, "-1001234") and urgent.reference in sent[-1]["text"]
    assert len(hook.received) == 3
    body, signature = hook.received[-1]
    assert json.loads(body) == {"reference": urgent.reference, "urgent": True}
    assert signature == hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    everything = repr(inbox.messages[0].as_string()) + repr(standin.calls) + repr(hook.received)
    assert "CANARY" not in everything and calm.reference not in everything
    rows = dispatcher.outbox.rows()
    assert {(r.channel, r.attempts) for r in rows} == {("smtp", 1), ("telegram", 2), ("webhook", 3)}
    assert all(r.delivered_at for r in rows)
    assert not any(urgent.reference in r.getMessage() or "CANARY" in r.getMessage() for r in caplog.records)


def test_minors_and_exploitation_going_on_are_urgent_too(settings, smtp):
    inbox, port = smtp
    dispatcher = Dispatcher(settings, env={"BOT_ALERT_SMTP_HOST": "127.0.0.1", "BOT_ALERT_SMTP_PORT": str(port),
                                           "BOT_ALERT_SMTP_TO": "duty@example.org", "BOT_ALERT_SMTP_STARTTLS": "0"})
    assert submit(settings, dispatcher, "m", minors="yes").alert
    assert submit(settings, dispatcher, "e", stage="Exploitation").alert
    assert not submit(settings, dispatcher, "r", stage="Recruitment").alert
    assert deliver_due(dispatcher.outbox, dispatcher.channels) == 2


def test_two_action_servers_deliver_each_alert_once(settings, smtp):
    inbox, port = smtp
    env = {"BOT_ALERT_SMTP_HOST": "127.0.0.1", "BOT_ALERT_SMTP_PORT": str(port), "BOT_ALERT_SMTP_TO": "d@example.org",
           "BOT_ALERT_SMTP_STARTTLS": "0"}
    first, second = Dispatcher(settings, env=env), Dispatcher(settings, env=env)
    references = {submit(settings, first, f"u{i}", immediate_danger="yes").reference for i in range(10)}
    threads = [threading.Thread(target=deliver_due, args=(d.outbox, d.channels)) for d in (first, second, first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    subjects = [m["Subject"].split()[-1] for m in inbox.messages]
    assert sorted(subjects) == sorted(references)  # each once, none twice


def test_the_background_sender_delivers_without_being_asked_twice(settings, smtp):
    inbox, port = smtp
    dispatcher = Dispatcher(settings, env={"BOT_ALERT_SMTP_HOST": "127.0.0.1", "BOT_ALERT_SMTP_PORT": str(port),
                                           "BOT_ALERT_SMTP_TO": "d@example.org", "BOT_ALERT_SMTP_STARTTLS": "0"})
    reference = submit(settings, dispatcher, "bg", immediate_danger="yes").reference
    dispatcher.wake()
    for _ in range(100):
        if inbox.messages:
            break
        threading.Event().wait(0.1)
    assert [m["Subject"] for m in inbox.messages] == [f"URGENT report {reference}"]


def test_no_channel_configured_queues_nothing(settings):
    dispatcher = Dispatcher(settings, env={})
    assert not dispatcher.enabled and not submit(settings, dispatcher, "x", immediate_danger="yes").alert
    assert dispatcher.outbox.rows() == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://example.org/hook", "gopher://x", "ftp://a/b"])
def test_a_webhook_is_https_or_loopback(url):
    from bot.alerts.senders import configured

    with pytest.raises(ValueError):
        configured({"BOT_ALERT_WEBHOOK_URL": url})

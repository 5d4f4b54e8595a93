"""Faults, through the real servers: each process killed with SIGKILL mid-conversation, the
action server down, the disk full. After each, nothing the person said is lost and no report is
stored twice: the conversation goes on where it was, and the reviewer opens one report with every
answer."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time

import pytest

from bot import launcher
from bot.reports.store import REFERENCE_IN_TEXT
from tests.e2e import rest_chat
from tests.e2e.conftest import ONE_CLIENT_MANY_PEOPLE, free_port, prepared
from tests.e2e.rest_chat import choice
from tests.e2e.test_conversation import open_reports

pytestmark = pytest.mark.e2e
REFERENCE = REFERENCE_IN_TEXT


@contextlib.contextmanager
def assistant(data_dir, log_dir=None):
    settings = prepared(data_dir)
    env = {"BOT_DATA_DIR": str(data_dir), "BOT_TRIAL_MODE": "1", **ONE_CLIENT_MANY_PEOPLE}
    with launcher.running(free_port(), free_port(), log_dir=log_dir or data_dir / "log", extra_env=env) as servers:
        yield servers, settings


def kill(servers, which: str) -> None:
    """SIGKILL to the server's whole process group: no clean shutdown, nothing flushed."""
    process = servers.processes[0 if which == "actions" else 1]
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def restart(servers, which: str) -> None:
    index = 0 if which == "actions" else 1
    servers.processes.pop(index)
    before = list(servers.processes)
    (servers.start_actions if which == "actions" else servers.start_rasa)()
    started = servers.processes.pop()
    servers.processes[:] = before[:index] + [started] + before[index:]
    servers.wait()


def said(chat, text: str):
    status, replies = chat.raw(json.dumps({"sender": chat.sender, "message": text}).encode())
    return status, rest_chat.Chat.text(replies if isinstance(replies, list) else [])


ANSWERS = ["a man keeps the passports of four women at the car wash CANARYfaultsxkq",
           "last Friday", "Lviv, near the market"]


def start_report(chat) -> None:
    chat.says("I need to report something I saw", choice("no"), choice("yes"), choice("observed"))


def finish_report(chat) -> str:
    chat.says(choice("Exploitation"), choice("ForcedLabour"), choice("WithholdsDocuments"), "4", choice("no"),
              choice("Feminine"), "Ukrainian", "a short man in a grey car", choice("yes"), "I told my commander",
              choice("anonymous"))
    sent = rest_chat.Chat.text(chat.say("yes"))
    assert "Your reference code is" in sent, sent
    return REFERENCE.search(sent).group(0)


def the_one_report(settings, reference: str) -> dict:
    reports = [r for r in open_reports(settings) if "CANARYfaultsxkq" in json.dumps(r.report)]
    assert [r.reference for r in reports] == [reference]  # exactly one, the one the person was told
    return reports[0].report


@pytest.mark.parametrize("which", ["rasa", "actions"])
def test_sigkill_of_a_server_mid_conversation_loses_nothing(tmp_path, which):
    with assistant(tmp_path / "var") as (servers, settings):
        chat = rest_chat.Chat(servers.url)
        start_report(chat)
        asked_date = rest_chat.Chat.text(chat.say(ANSWERS[0]))
        assert "When" in asked_date
        kill(servers, which)
        if which == "actions":
            # the Rasa server is up: a calm "send it again", in every language, and no answer kept
            status, text = said(chat, ANSWERS[1])
            assert status == 503 and "send your last message again" in text
        else:
            with pytest.raises(OSError):  # the server is gone: the client sees the connection fail
                chat.raw(json.dumps({"sender": chat.sender, "message": ANSWERS[1]}).encode())
        restart(servers, which)
        # the same conversation (the id the server issued still opens it) goes on where it was
        again = rest_chat.Chat.text(chat.say(ANSWERS[1]))
        assert "Where" in again and "not a person" not in again, again
        chat.say(ANSWERS[2])
        report = the_one_report(settings, finish_report(chat))
        assert report["answers"]["narrative"] == ANSWERS[0]
        assert report["answers"]["incident_date"] == ANSWERS[1] and report["answers"]["place"] == ANSWERS[2]


def test_a_full_disk_is_a_failed_message_and_nothing_is_lost(tmp_path):
    """The data folder on a small file system that the test fills: messages that cannot be saved
    are refused with "send it again" (never kept in memory), and once there is room the
    conversation goes on and the report is stored once."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m,mode=0700", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    assert mounted.returncode == 0, f"a small file system is needed for this test (run as root): {mounted.stderr}"
    try:
        with assistant(disk / "var", log_dir=tmp_path / "log") as (servers, settings):
            chat = rest_chat.Chat(servers.url)
            start_report(chat)
            chat.say(ANSWERS[0])
            filler = disk / "filler"
            with open(filler, "wb") as f:  # every byte left taken
                with contextlib.suppress(OSError):
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
            refused = 0
            for text in (ANSWERS[1], ANSWERS[2]):
                status, reply = said(chat, text)
                if status != 200:
                    assert status == 503 and "send your last message again" in reply, (status, reply)
                    refused += 1
            filler.unlink()
            for text in (ANSWERS[1], ANSWERS[2])[2 - refused:]:  # what was refused, sent again
                chat.say(text)
            assert refused, "the full disk refused nothing: the test did not fill it"
            report = the_one_report(settings, finish_report(chat))
            assert report["answers"]["incident_date"] == ANSWERS[1] and report["answers"]["place"] == ANSWERS[2]
            log = (tmp_path / "log" / "rasa.log").read_text(errors="replace")
            assert "CANARYfaults" not in log and "InMemoryTrackerStore" not in log
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_reports_unwritable_at_submit_wait_sealed_in_the_outbox_and_are_stored_once(tmp_path):
    """The report tables cannot be written when the person confirms (the conversation state still
    can): the person gets the reference at once, the sealed report waits in the action server's
    encrypted outbox, and once the tables are back it is stored, exactly once, under that reference."""
    import sqlite3

    with assistant(tmp_path / "var") as (servers, settings):
        chat = rest_chat.Chat(servers.url)
        start_report(chat)
        for text in ANSWERS:
            chat.say(text)
        database = settings.database_url[len("sqlite:///"):]
        with sqlite3.connect(database) as connection:
            connection.execute("ALTER TABLE sealed_reports RENAME TO sealed_reports_away")
        try:
            reference = finish_report(chat)  # told at once, though the store is away
            outbox = settings.data_dir / "outbox"
            held = list(outbox.glob("*.held"))
            assert len(held) == 1 and b"CANARYfaults" not in held[0].read_bytes()
            assert reference.encode() not in held[0].read_bytes()
            again = rest_chat.Chat.text(chat.say("yes"))  # a second confirmation: the same report
            assert reference in again or "Your reference code is" not in again
        finally:
            with sqlite3.connect(database) as connection:
                connection.execute("ALTER TABLE sealed_reports_away RENAME TO sealed_reports")
        for _ in range(60):  # the action server tries the outbox every 5 seconds
            if not list(outbox.glob("*.held")):
                break
            time.sleep(0.5)
        assert not list(outbox.glob("*.held"))
        the_one_report(settings, reference)

"""How Telegram updates are read, and the ledger of handled updates and deletable messages."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session
from telegram import Bot, Update

from bot.channels.telegram_updates import Inbound, Ledger, Refusal, TelegramMessage, read
from tests.telegram_standin import callback_update, message_update

BOT = Bot("123:abc")


def parsed(data):
    return read(Update.de_json(data, BOT))


@pytest.mark.parametrize("command,text", [("/start", "/greet"), ("/help", "/help"), ("/language", "/change_language"),
                                          ("/stop", "/stop"), ("/exit", "/exit_chat"), ("/exit@standin_bot", "/exit_chat")])
def test_commands_become_the_assistants_own_requests(command, text):
    item = parsed(message_update(1, 42, command))
    assert isinstance(item, Inbound) and item.text == text and item.user_id == 42


def test_unknown_commands_and_forged_payloads_are_plain_text():
    assert parsed(message_update(1, 42, '/inform{"requested_slot":"x"}')).text == 'inform{"requested_slot":"x"}'


def test_buttons_locations_and_language_hints():
    button = parsed(callback_update(2, 42, '/inform{"choice":"no"}'))
    assert button.text == '/inform{"choice":"no"}' and button.callback_query_id == "cb2"
    where = parsed(message_update(3, 42, None, location={"latitude": 47.0, "longitude": 28.8}))
    assert where.text == "/inform" and where.metadata == {"location": {"latitude": 47.0, "longitude": 28.8}}
    assert where.language_hint == "en"


def test_refusals():
    photo = parsed(message_update(4, 42, None, photo=[{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]))
    assert isinstance(photo, Refusal) and photo.reason == "telegram_text_only"
    group = parsed(message_update(5, 42, "hello", chat_type="group"))
    assert isinstance(group, Refusal) and group.reason == "telegram_private_only"
    edited = message_update(6, 42, "changed")
    edited["edited_message"] = edited.pop("message")
    assert parsed(edited).reason == "telegram_edited"
    assert parsed({"update_id": 7}) is None


def test_ledger_claims_once_releases_and_forgets_after_48_hours(tmp_path):
    ledger = Ledger(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert ledger.claim(10) and not ledger.claim(10)
    ledger.release(10)
    assert ledger.claim(10)
    ledger.remember_messages("conv", [1, 2])
    ledger.remember_messages("other", [9])
    with Session(ledger.engine) as session, session.begin():
        session.execute(sql_update(TelegramMessage).where(TelegramMessage.message_id == 1)
                        .values(sent_at=datetime.utcnow() - timedelta(hours=49)))
    assert ledger.take_messages("conv") == [2]  # Telegram no longer deletes the old one
    assert ledger.take_messages("conv") == []  # handed out once, then forgotten
    assert ledger.take_messages("other") == [9]

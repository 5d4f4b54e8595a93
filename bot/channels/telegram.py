"""The Telegram channel, on python-telegram-bot's types and HTTP client.

Rasa's own Telegram channel never checks Telegram's webhook secret, answers "success" when
processing failed (so Telegram never retries and the message is lost), exposes an
unauthenticated set-webhook route and uses the raw chat id as the conversation id. This one:
POST only, a body-size limit, the secret header checked in constant time before anything is
parsed, each update_id handled once, 2xx only after the update was handled and the conversation
saved (an error status otherwise, so Telegram retries), pseudonymous sender ids, protect_content
on every message, and /exit deleting both sides of the chat that Telegram still allows.
Configuration comes from the environment only (TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET,
TELEGRAM_BOT_API_URL); without a token the channel is off.
"""
from __future__ import annotations

import hmac
import json
import logging
import os
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.channels import messages
from bot.channels.telegram_updates import Inbound, Ledger, Refusal, read
from bot.config import Settings
from bot.dialogue import language
from bot.dialogue import messages as catalogue
from bot.state import pseudonyms, server_keys, tracker_store

logger = logging.getLogger(__name__)
# The Bot API puts the bot's token in every URL, and httpx logs each URL at INFO: whoever read such
# a log could take over the bot. The HTTP client's own loggers speak only of failures.
for _client in ("httpx", "httpcore"):
    logging.getLogger(_client).setLevel(logging.WARNING)

MAX_BODY_BYTES = 1024 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
DEFAULT_API_URL = "https://api.telegram.org/bot"


def make_bot(token: str) -> Bot:
    return Bot(token, base_url=os.environ.get("TELEGRAM_BOT_API_URL") or DEFAULT_API_URL)


class TelegramOutput(OutputChannel):
    """Sends the assistant's replies to one private chat, and remembers their message ids."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, bot: Bot, chat_id: int):
        self.bot, self.chat_id = bot, chat_id
        self.sent_ids: list[int] = []
        self.exit_requested = False

    async def _send(self, text: str, markup=None) -> None:
        # protect_content: the assistant's messages cannot be forwarded or saved from the chat.
        sent = await self.bot.send_message(self.chat_id, text, protect_content=True, reply_markup=markup)
        self.sent_ids.append(sent.message_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(text)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list, **kwargs: Any) -> None:
        keyboard = [[InlineKeyboardButton(b["title"], callback_data=b["payload"][:64])] for b in buttons]
        await self._send(text, InlineKeyboardMarkup(keyboard))

    async def send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
        if json_message.get("exit"):
            self.exit_requested = True


class TelegramInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict | None) -> "TelegramInput":
        return cls()

    def __init__(self) -> None:
        self.token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
        self.secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "")
        self.enabled = bool(self.token and self.secret)
        self.bot = make_bot(self.token) if self.enabled else None
        self.id_key = server_keys.load().id_key if self.enabled else b""
        self.ledger = Ledger(Settings.from_env().database_url) if self.enabled else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("telegram_webhook", __name__)

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            if not self.enabled:
                return response.json({"error": "the Telegram channel is not configured"}, status=404)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.json({"error": "too large"}, status=413)
            # The secret is checked first, in constant time: nothing of a forged call is parsed.
            given = (request.headers.get(SECRET_HEADER) or "").encode()
            if not hmac.compare_digest(given, self.secret.encode()):
                return response.json({"error": "forbidden"}, status=403)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not tracker_store.is_encrypted(agent.tracker_store):
                return response.json({"error": "not ready"}, status=503)  # Telegram retries
            try:
                update = Update.de_json(json.loads(request.body), self.bot)
            except Exception:
                return response.json({"error": "not a Telegram update"}, status=400)
            if update is None or update.update_id is None:
                return response.json({"error": "not a Telegram update"}, status=400)
            if not self.ledger.claim(update.update_id):
                return response.json({"status": "already handled"})
            try:
                await self.handle(update, on_new_message)
            except Exception as exc:
                self.ledger.release(update.update_id)
                logger.error("Telegram update failed (%s); Telegram will retry", type(exc).__name__)
                return response.json({"error": "not handled; retry"}, status=500)
            return response.json({"status": "ok"})

        return hook

    async def handle(self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        item = read(update)
        if item is None:
            return
        if isinstance(item, Refusal):
            lang = language.normalise(getattr(update.effective_user, "language_code", None)) or language.DEFAULT
            await self.bot.send_message(item.chat_id, catalogue.text(item.reason, lang), protect_content=True)
            return
        await self.deliver(item, on_new_message)

    async def deliver(self, item: Inbound, on_new_message) -> None:
        if item.callback_query_id:
            await self.bot.answer_callback_query(item.callback_query_id)
        sender = pseudonyms.pseudonym(self.id_key, self.name(), str(item.user_id))
        out = TelegramOutput(self.bot, item.chat_id)
        text = messages.incoming(item.text) or "?"
        metadata = {**item.metadata, "language": item.language_hint}
        await on_new_message(UserMessage(text, out, sender, input_channel=self.name(), metadata=metadata))
        if not out.sent_ids and not out.exit_requested:
            raise RuntimeError("no reply was sent")  # a part failed: let Telegram deliver again
        ids = [i for i in [item.message_id, *out.sent_ids] if i]
        if out.exit_requested:
            doomed = sorted(set(self.ledger.take_messages(sender)) | set(ids))
            for start in range(0, len(doomed), 100):  # deleteMessages takes up to 100 ids
                try:
                    await self.bot.delete_messages(item.chat_id, doomed[start:start + 100])
                except Exception as exc:  # older than 48 h or already gone: nothing more to do
                    logger.warning("some of the chat could not be deleted (%s)", type(exc).__name__)
        else:
            self.ledger.remember_messages(sender, ids)

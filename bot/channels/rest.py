"""Rasa's REST channel, made safe: strict input, no text in logs, failures reported as failures.

Rasa's own REST channel logs the text of a message whose processing failed and answers 200 with
no reply, so the person's message is silently lost. This one answers 500, so the client knows to
send it again, and logs no text.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot import pseudonyms, server_keys, tracker_store
from bot.channels import messages

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 128


class SafeRestInput(RestInput):
    def __init__(self) -> None:
        self.id_key = server_keys.load().id_key

    @classmethod
    def name(cls) -> str:
        return "rest"  # keeps the documented route /webhooks/rest/webhook

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("safe_rest_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(request: Request):
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.json({"error": "message too large"}, status=413)
            try:
                body = request.json
            except Exception:
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "expected a JSON object with sender and message"}, status=400)
            sender = body.get("sender")
            if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_CHARS:
                return response.json({"error": "sender must be a non-empty string"}, status=400)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not tracker_store.is_encrypted(agent.tracker_store):
                # Never hold a conversation in a store that is not the encrypted one.
                logger.error("refusing messages: the encrypted tracker store is not in use")
                return response.json(messages.unavailable(), status=503)
            # Rasa and the database see a keyed hash of the sender, never the id itself.
            sender = pseudonyms.pseudonym(self.id_key, self.name(), sender)
            text = messages.incoming(body.get("message"))
            if text is None:
                text = "?"  # an empty or unreadable message still gets a calm answer
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(),
                                                 metadata=metadata))
            except Exception as exc:
                logger.error("processing failed (%s)", type(exc).__name__)  # the exception type only
                return response.json({"error": "the message could not be processed; send it again"}, status=500)
            if not collector.messages:
                # Every message gets an answer. None means a part (the action server, the
                # database) failed: say so, in every language, rather than stay silent.
                return response.json(messages.unavailable(), status=503)
            return response.json(collector.messages)

        return hook

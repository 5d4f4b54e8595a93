"""Rasa's REST channel, made safe: strict input, no text in logs, failures reported as failures.

Rasa's own REST channel logs the text of a message whose processing failed and answers 200 with
no reply, so the person's message is silently lost. This one answers 500, so the client knows to
send it again, and logs no text.
"""
from __future__ import annotations

import functools
import html
import logging
import os
from pathlib import Path
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot import long_lived
from bot.channels import messages, rate_limits
from bot.dialogue import language
from bot.dialogue import messages as catalogue
from bot.state import pseudonyms, server_keys, tracker_store

logger = logging.getLogger(__name__)


def accepted_metadata(metadata) -> dict | None:
    """The only metadata passed on: a shared location, two numbers in range, and the page's
    language, one the assistant speaks. Anything else (a deeply nested object made Rasa log a
    thousand lines a request) is dropped."""
    if not isinstance(metadata, dict):
        return None
    kept: dict = {}
    page_language = metadata.get("language")
    if isinstance(page_language, str) and language.normalise(page_language[:16]):
        kept["language"] = language.normalise(page_language[:16])
    where = metadata.get("location")
    if isinstance(where, dict):
        lat, lon = where.get("latitude"), where.get("longitude")
        if (all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon))
                and -90 <= lat <= 90 and -180 <= lon <= 180):
            kept["location"] = {"latitude": float(lat), "longitude": float(lon)}
    return kept or None


def _encodable(text: str) -> bool:
    """Whether ``text`` is real Unicode (JSON allows lone surrogates such as "\\ud800", which
    nothing downstream can encode)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 128
WEBCHAT = Path(__file__).resolve().parent / "webchat"
RTL = {"ar", "fa", "he", "ur", "ps", "ku"}
# Only this origin's own files: no third-party script, style, font or connection, no framing.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                               "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
DEFAULT_EXIT_URL = "https://www.google.com/"


def _json_request(request: Request) -> bool:
    return (request.content_type or "").split(";")[0].strip().lower() == "application/json"


def _address(request: Request) -> str:
    """The client's address, for rate limits only (never logged or stored). Behind the reverse
    proxy, set SANIC_PROXIES_COUNT=1 so that Sanic reads it from X-Forwarded-For."""
    return request.remote_addr or request.ip or "unknown"


class _Collector(CollectingOutputChannel):
    """Rasa's collector, keeping the language each message is written in (``lang``): the web chat
    marks every message with it, so that a screen reader reads French in a French voice."""

    @staticmethod
    def _in(lang: Any, message: dict) -> dict:
        if isinstance(lang, str) and language.normalise(lang):
            message["lang"] = language.normalise(lang)
        return message

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            await self._persist_message(self._in(kwargs.get("lang"), self._message(recipient_id, text=part)))

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list, **kwargs: Any) -> None:
        await self._persist_message(self._in(kwargs.get("lang"),
                                             self._message(recipient_id, text=text, buttons=buttons)))


def _page_language(request: Request) -> str:
    for part in (request.headers.get("accept-language") or "").split(","):
        found = language.normalise(part.split(";")[0])
        if found:
            return found
    return language.DEFAULT


@functools.lru_cache(maxsize=None)
def webchat_file(name: str) -> str:
    """The web chat's own files, read once per process."""
    return (WEBCHAT / name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def chat_page(lang: str) -> str:
    values = {key: html.escape(catalogue.text(f"webchat_{key}", lang), quote=True)
              for key in ("title", "exit", "exit_hint", "exit_hint_touch", "send", "placeholder", "unreachable",
                          "sending", "retry", "you", "assistant", "notice", "cut", "escape_more",
                          "tracks_title", "tracks", "noscript")}
    values.update(lang=lang, dir="rtl" if lang in RTL else "ltr",
                  exit_url=html.escape(os.environ.get("BOT_WEBCHAT_EXIT_URL") or DEFAULT_EXIT_URL, quote=True))
    return webchat_file("index.html").format(**values)


class SafeRestInput(RestInput):
    def __init__(self) -> None:
        self.id_key = server_keys.load().id_key
        self.limits = rate_limits.from_env()

    @classmethod
    def name(cls) -> str:
        return "rest"  # keeps the documented route /webhooks/rest/webhook

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("safe_rest_webhook", __name__)

        @hook.listener("after_server_start")
        async def model_loaded(app, loop):
            # Rasa loads the model before the server starts: keep what start-up made out of the
            # garbage collector's full passes (bot/long_lived.py).
            long_lived.keep_start_up_objects()

        @hook.route("/", methods=["GET"])
        async def health(request: Request):
            return response.json({"status": "ok"})

        @hook.route("/chat", methods=["GET"])
        async def page(request: Request):
            return response.html(chat_page(_page_language(request)), headers=PAGE_HEADERS)

        def asset(name: str, kind: str):
            async def serve(request: Request):
                return response.text(webchat_file(name),
                                     content_type=f"{kind}; charset=utf-8", headers=PAGE_HEADERS)
            return serve

        hook.add_route(asset("app.js", "application/javascript"), "/chat/app.js", methods=["GET"], name="chat_js")
        hook.add_route(asset("app.css", "text/css"), "/chat/app.css", methods=["GET"], name="chat_css")
        hook.add_route(asset("icon.svg", "image/svg+xml"), "/chat/icon.svg", methods=["GET"], name="chat_icon")

        @hook.route("/conversation", methods=["POST"])
        async def start(request: Request):
            """A new conversation id, issued by this server (the web chat keeps it in page memory)."""
            if not _json_request(request):
                return response.json({"error": "send application/json"}, status=415)
            if not self.limits["new_conversation"].allow(_address(request)):
                return response.json(catalogue.too_fast(), status=429, headers={"Retry-After": "10"})
            return response.json({"sender": pseudonyms.issue_conversation_id(self.id_key)},
                                 headers={"Cache-Control": "no-store"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.json({"error": "message too large"}, status=413)
            # JSON only: a form or text/plain POST needs no CORS preflight, so any web page could
            # otherwise drive conversations from its visitors' browsers.
            if not _json_request(request):
                return response.json({"error": "send application/json"}, status=415)
            if not self.limits["address"].allow(_address(request)):
                return response.json(catalogue.too_fast(), status=429, headers={"Retry-After": "10"})
            try:
                body = request.json
            except Exception:
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "expected a JSON object with sender and message"}, status=400)
            sender = body.get("sender")
            if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_CHARS or not _encodable(sender):
                return response.json({"error": "sender must be a non-empty string"}, status=400)
            if not pseudonyms.is_issued(self.id_key, sender):
                # Only ids this server issued: a chosen or guessed id opens no conversation.
                return response.json({"error": "unknown conversation: start one with POST "
                                               "/webhooks/rest/conversation"}, status=403)
            if not self.limits["conversation"].allow(sender):
                return response.json(catalogue.too_fast(), status=429, headers={"Retry-After": "5"})
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not tracker_store.is_encrypted(agent.tracker_store):
                # Never hold a conversation in a store that is not the encrypted one.
                logger.error("refusing to serve: the encrypted tracker store is not in use")
                return response.json(catalogue.unavailable(), status=503)
            # Rasa and the database see a keyed hash of the sender, never the id itself.
            sender = pseudonyms.pseudonym(self.id_key, self.name(), sender)
            text = messages.incoming(body.get("message"))
            if text is None:
                text = "?"  # an empty or unreadable message still gets a calm answer
            metadata = accepted_metadata(body.get("metadata"))
            collector = _Collector()
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(),
                                                 metadata=metadata))
            except Exception as exc:
                # The state store or another part failed: the message was not handled and nothing
                # of it kept. 503 and "send it again", in every language.
                logger.error("processing failed (%s)", type(exc).__name__)  # the exception type only
                return response.json(catalogue.unavailable(), status=503, headers={"Retry-After": "5"})
            if not collector.messages:
                # Every message gets an answer. None means a part (the action server, the
                # database) failed: say so, in every language, rather than stay silent.
                return response.json(catalogue.unavailable(), status=503)
            return response.json(collector.messages, headers={"Cache-Control": "no-store"})

        return hook

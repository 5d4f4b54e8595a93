"""Rasa SDK actions. Importing this package (``rasa run actions --actions actions``) also makes
the action server fail safely."""
import hmac
import logging
import os
import threading

from rasa_sdk import executor as _executor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from bot import http_guard  # noqa: F401  (Sanic's request framing checked before any body is read)
from bot import long_lived

_logger = logging.getLogger(__name__)
_run = _executor.ActionExecutor.run


async def _run_safely(self, action_call):
    """rasa-sdk answers an action that raises with HTTP 500 and the whole tracker (every message)
    in the body, which then travels through logs and proxies. Instead: log the action's name and
    the exception type only, and answer with a calm "please send that again" and no events."""
    try:
        return await _run(self, action_call)
    except (ActionExecutionRejection, ActionNotFoundException):
        raise
    except Exception as exc:
        _logger.error("action %s failed (%s)", action_call.get("next_action"), type(exc).__name__)
        from bot.dialogue.messages import unavailable

        return {"events": [], "responses": [{"text": m["text"]} for m in unavailable()]}


_executor.ActionExecutor.run = _run_safely


# --- who may call -------------------------------------------------------------------------
# The action server seals reports: anything that could call it could seal a made-up report.
# It listens on loopback, however it is started (rasa-sdk reads SANIC_HOST after importing this
# package), unless BOT_ACTION_SERVER_HOST names another address on purpose; and every call must
# carry the secret the Rasa server sends (endpoints.yml, BOT_ACTION_SECRET).
SECRET_HEADER = "X-Action-Secret"
os.environ["SANIC_HOST"] = os.environ.get("BOT_ACTION_SERVER_HOST") or "127.0.0.1"


def _authorised(request) -> bool:
    secret = os.environ.get("BOT_ACTION_SECRET") or ""
    given = request.headers.get(SECRET_HEADER) or ""
    # No secret configured: nobody is let in (fail closed), rather than everybody.
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


async def _require_secret(request):
    from sanic import response

    if request.path in ("/webhook", "/actions") and not _authorised(request):
        _logger.warning("refused a call to the action server without the shared secret")
        return response.json({"error": "not authorised"}, status=401)
    return None


def _guard_app() -> None:
    from sanic import Sanic

    try:
        app = Sanic.get_app("rasa_sdk")
    except Exception:  # imported outside the action server (tests, tools): nothing to guard
        return
    app.register_middleware(_require_secret, "request")


_guard_app()


def _warm() -> None:
    """The statistical reader's models (``bot.vocabulary.likeness``) are learnt, the language
    detectors loaded and the answer readers' patterns compiled in the background at start (a few
    seconds), not at a person's first message."""
    from bot.dialogue import language
    from bot.vocabulary import counts, dates, likeness, people

    try:
        language.warm()
        likeness.warm(list(language.SUPPORTED))
        # First use of the number, date and nationality readers compiles their patterns and loads
        # Duckling (about 2.5 s, measured): done here, not in a person's answer.
        for lang in language.SUPPORTED:
            counts.understand("3", lang)
            dates.understand("yesterday", lang)
        people.citizenship_and_languages("Ukrainian")
        people.roles_in("a driver and the boss", language.DEFAULT)
        from bot.dialogue import cues, messages

        for lang in language.SUPPORTED:
            messages.catalogue(lang)
        cues.language_request("can we speak French", language.DEFAULT)
    except Exception as exc:  # learnt again at first use; never stops the server
        _logger.warning("warming the answer reader failed (%s)", type(exc).__name__)
    long_lived.keep_start_up_objects()  # out of the collector's full passes (bot/long_lived.py)


threading.Thread(target=_warm, name="warm-reader", daemon=True).start()

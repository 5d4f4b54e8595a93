"""Rasa SDK actions. Importing this package (``rasa run actions --actions actions``) also makes
the action server fail safely."""
import logging

from rasa_sdk import executor as _executor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from bot import http_guard  # noqa: F401  (Sanic's request framing checked before any body is read)

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

"""Where messages come in and go out: REST (and the web chat on it), Telegram with its update
ledger and admin commands, the terminal chat. The adapters at Rasa's doors."""

from bot import http_guard  # noqa: E402,F401  (Sanic's request framing checked before any body is read)
from bot.channels import action_replies  # noqa: E402,F401  (the action server's answers checked by a validator made once)
from bot.channels import graph_in_order  # noqa: E402,F401  (each message's graph run in order, without dask)
from bot.channels import action_calls  # noqa: E402,F401  (each action call carries this turn's events, not the whole conversation)
from bot.channels import recent_rules  # noqa: E402,F401  (RulePolicy reads the last turns, not the whole conversation)
from bot.channels import empty_domain  # noqa: E402,F401  (whether the domain is empty, worked out once)

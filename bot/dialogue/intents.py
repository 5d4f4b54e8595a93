"""The intents the assistant understands (the NLU contract: see docs/INTENTS.md)."""
import re

INTENTS = (
    "greet", "affirm", "deny", "report_incident", "request_help", "worried_about_someone",
    "emergency", "skip", "stop", "pause", "resume", "go_back", "help", "privacy_question",
    "bot_challenge", "thanks", "goodbye", "change_language", "exit_chat", "inform",
)
# Entities a button payload may carry; anything else in a payload is refused.
PAYLOAD_ENTITIES = ("language", "choice", "field")
# A button's payload: "/intent" with optional JSON entities, '/inform{"choice":"yes"}'.
PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$", re.S)

"""Checks every incoming message gets before Rasa sees it, whatever the channel."""
from __future__ import annotations

import json
import unicodedata

from bot.dialogue.intents import INTENTS, PAYLOAD, PAYLOAD_ENTITIES
from bot.vocabulary.text import MAX_ANSWER_CHARS

# Longest message passed on: what the web chat allows, and one character more so that the
# question receiving it can tell the person it was cut. It is cut before any other work (a 60 KB
# message held the server for 1.3 s); a whole novel in one message is a fault or an attack.
MAX_MESSAGE_CHARS = MAX_ANSWER_CHARS + 1


def clean(text: str) -> str:
    """Unicode-normalised text without control characters (newlines, tabs, bidi marks kept)."""
    text = unicodedata.normalize("NFC", text[:MAX_MESSAGE_CHARS * 4])  # bounded before any work
    kept = "".join(
        c for c in text
        if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs") and c not in "\u202a\u202b\u202c\u202d\u202e"
    )
    return kept[:MAX_MESSAGE_CHARS]


def safe_payload(text: str) -> str:
    """A button payload as it was sent, if it is one the assistant can send; otherwise plain text.

    A forged payload ("/restart", '/inform{"requested_slot": ...}') would let a message set
    any intent or slot: it is passed on as ordinary text instead, which the assistant answers
    calmly like any message it does not understand.
    """
    if not text.lstrip().startswith("/"):
        return text
    match = PAYLOAD.match(text.strip())
    if not match:
        return text.lstrip().lstrip("/").strip() or "?"
    intent, entities = match.group(1), match.group(2)
    ok = intent in INTENTS
    if ok and entities:
        try:
            parsed = json.loads(entities)
            ok = isinstance(parsed, dict) and all(
                k in PAYLOAD_ENTITIES and isinstance(v, str) and len(v) <= 64 for k, v in parsed.items()
            )
        except ValueError:
            ok = False
    return text.strip() if ok else text.lstrip("/").strip() or "?"


def incoming(text: object) -> str | None:
    """The text to hand to Rasa, or None when there is none to hand."""
    if not isinstance(text, str):
        return None
    cleaned = clean(text).strip()
    if not cleaned:
        return None
    return safe_payload(cleaned)

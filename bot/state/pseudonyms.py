"""Pseudonymous ids: what Rasa and the database see instead of a channel's user id.

A keyed hash (HMAC-SHA-256 with the server's id key) of the channel name and the user id: stable,
so a conversation continues, but useless to anyone without the key, and never the raw id.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def pseudonym(id_key: bytes, channel: str, user_id: str) -> str:
    mac = hmac.new(id_key, f"{channel}\x00{user_id}".encode("utf-8"), hashlib.sha256)
    return mac.hexdigest()[:40]


# --- conversation ids the server issues (REST and web chat) ------------------------------------
# A REST client used to choose its own sender id, so whoever learned or guessed one could read a
# draft's summary, change or send it. Now the server issues each id: 144 random bits and a tag
# (HMAC with the id key) that only this server can make. An id the server did not issue opens
# nothing, and guessing an issued one is hopeless.

def issue_conversation_id(id_key: bytes) -> str:
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_tag(id_key, nonce)}"


def is_issued(id_key: bytes, conversation_id: str) -> bool:
    nonce, _, tag = conversation_id.partition(".")
    return len(nonce) == 24 and bool(tag) and hmac.compare_digest(tag, _tag(id_key, nonce))


def _tag(id_key: bytes, nonce: str) -> str:
    mac = hmac.new(id_key, f"rest-conversation\x00{nonce}".encode("ascii", "replace"), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:18]).decode("ascii")

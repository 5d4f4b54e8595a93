"""Pseudonymous ids: what Rasa and the database see instead of a channel's user id.

A keyed hash (HMAC-SHA-256 with the server's id key) of the channel name and the user id: stable,
so a conversation continues, but useless to anyone without the key, and never the raw id.
"""
from __future__ import annotations

import hashlib
import hmac


def pseudonym(id_key: bytes, channel: str, user_id: str) -> str:
    mac = hmac.new(id_key, f"{channel}\x00{user_id}".encode("utf-8"), hashlib.sha256)
    return mac.hexdigest()[:40]

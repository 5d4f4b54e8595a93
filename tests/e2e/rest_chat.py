"""A person on the REST channel, as the end-to-end tests talk to the real servers."""
from __future__ import annotations

import json
import urllib.error
import urllib.request


def new_conversation(url: str, opener=urllib.request.urlopen) -> str:
    """A conversation id the server issued: the REST channel accepts no other."""
    request = urllib.request.Request(f"{url}/webhooks/rest/conversation", data=b"{}",
                                     headers={"Content-Type": "application/json"})
    with opener(request, timeout=60) as r:
        return json.loads(r.read())["sender"]


class Chat:
    def __init__(self, url: str):
        self.url = url
        self.sender = new_conversation(url)
        self.said: list[str] = []  # every message sent with say(), in order

    def raw(self, body: bytes, content_type="application/json"):
        request = urllib.request.Request(f"{self.url}/webhooks/rest/webhook", data=body,
                                         headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=120) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def say(self, text: str) -> list[dict]:
        status, replies = self.raw(json.dumps({"sender": self.sender, "message": text}).encode())
        assert status == 200, (status, replies)
        self.said.append(text)
        assert replies, f"no answer to {text!r}"
        return replies

    def says(self, *texts: str) -> list[dict]:
        """Send each message in turn; the replies to the last one."""
        for text in texts:
            replies = self.say(text)
        return replies

    @staticmethod
    def text(replies) -> str:
        return "\n".join(r.get("text") or "" for r in replies)

    @staticmethod
    def buttons(replies) -> list[str]:
        return [b["payload"] for r in replies for b in r.get("buttons") or []]


def choice(value: str) -> str:
    return '/inform{"choice":"%s"}' % value

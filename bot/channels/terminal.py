"""Talk to the assistant in a terminal, over the REST channel on loopback.

Buttons are shown numbered: type the number to press one. Nothing typed here is written to disk.
"""
from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request


def send(url: str, sender: str, text: str, timeout: float = 60) -> list[dict]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"[]")


def start(url: str, timeout: float = 60) -> str:
    """A conversation id issued by the server (it accepts no other)."""
    request = urllib.request.Request(f"{url}/webhooks/rest/conversation", data=b"{}",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())["sender"]


def show(replies: list[dict]) -> list[dict]:
    buttons: list[dict] = []
    for reply in replies:
        if reply.get("text"):
            print(f"\n{reply['text']}")
        for b in reply.get("buttons") or []:
            buttons.append(b)
            print(f"  [{len(buttons)}] {b['title']}")
    return buttons


def main(url: str) -> None:
    sender = start(url)  # a fresh conversation per terminal session, its id issued by the server
    print("Type a message and press Enter. Type a number to press a button. Ctrl-C or Ctrl-D to leave.")
    buttons: list[dict] = []
    while True:
        try:
            text = input("\nyou> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if not text:
            continue
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            buttons = show(send(url, sender, text))
        except (urllib.error.URLError, OSError, ValueError):
            print("\n(The assistant did not answer, so your message was not received. "
                  "Please send it again in a moment.)", file=sys.stderr)

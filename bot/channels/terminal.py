"""Talk to the assistant in a terminal, over the REST channel on loopback.

Buttons are shown numbered: type the number to press one. Nothing typed here is written to disk.

Arabic is right to left: its lines are aligned to the right edge, and start with a right-to-left
mark so that a terminal that lays out bidirectional text (GNOME Terminal, Konsole, mlterm) reads
them right to left. A terminal that does not shows letters in the order they are stored, which
reads backwards: ``BOT_TERMINAL_BIDI=visual`` (or ``bot chat --bidi visual``) reorders each line
for it with python-bidi, the Unicode bidirectional algorithm.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import unicodedata
import urllib.error
import urllib.request

RLM = "\u200f"


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


def right_to_left(line: str) -> bool:
    """Whether the line's first letter is of a right-to-left script (its base direction)."""
    for c in line:
        kind = unicodedata.bidirectional(c)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def laid_out(line: str, visual: bool | None = None, width: int | None = None) -> str:
    """A line as the terminal should show it: right-to-left lines aligned right, reordered for a
    terminal without bidirectional layout when ``visual``."""
    if not right_to_left(line):
        return line
    if visual is None:
        visual = os.environ.get("BOT_TERMINAL_BIDI", "").lower() == "visual"
    width = width or shutil.get_terminal_size((80, 24)).columns
    if visual:
        from bidi import get_display

        return get_display(line).rjust(width)
    return RLM + line.rjust(width - 1)


def show(replies: list[dict]) -> list[dict]:
    buttons: list[dict] = []
    for reply in replies:
        if reply.get("text"):
            print()
            for line in reply["text"].split("\n"):
                print(laid_out(line))
        for b in reply.get("buttons") or []:
            buttons.append(b)
            print(laid_out(f"  [{len(buttons)}] {b['title']}") if not right_to_left(b["title"])
                  else laid_out(f"{b['title']} [{len(buttons)}]"))
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

"""A conversation with the dialogue engine alone, as a person has it: shared by the engine's tests."""
from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.dialogue.engine import CLOSE, EXIT, SUBMIT, Engine, Message, State, Turn
from bot.referrals import matching

ROOT = Path(__file__).resolve().parents[2]
DIRECTORY = matching.load(ROOT / "data" / "referrals")


def engine(**settings) -> Engine:
    base = Settings.from_env({"BOT_DATA_DIR": "/nonexistent", **settings})
    return Engine(DIRECTORY, base)


class Talk:
    """One person talking; ``say`` returns the reply's text, ``buttons`` its button titles."""

    def __init__(self, decide: Engine | None = None, state: State | None = None, channel: str | None = None) -> None:
        self.engine = decide or engine()
        self.channel = channel
        self.state = state or State()
        self.turn: Turn | None = None
        self.sent: list[dict] = []  # what was submitted, as the report's slots

    def say(self, text: str, intent: str | None = None, confidence: float = 0.95, at: float = 0.0,
            metadata: dict | None = None) -> str:
        message = Message(text=text, intent=intent, confidence=confidence if intent else 0.0,
                          metadata=metadata or {}, at=at, channel=self.channel)
        turn = self.engine.turn(self.state, message)
        if turn.effect == SUBMIT:
            self.sent.append(self.engine.report_slots(turn.state))
            turn = self.engine.submitted(turn.state, f"R-TEST-{len(self.sent):04d}")
        self.turn, self.state = turn, turn.state
        return self.text

    def says(self, *texts: str) -> str:
        for text in texts:
            self.say(text)
        return self.text

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.turn.replies)

    @property
    def buttons(self) -> list[str]:
        return [b["title"] for r in self.turn.replies for b in r.buttons or []]

    @property
    def payloads(self) -> list[str]:
        return [b["payload"] for r in self.turn.replies for b in r.buttons or []]

    @property
    def answers(self) -> dict:
        return self.state.answers

    @property
    def closed(self) -> bool:
        return self.turn.effect in (CLOSE, EXIT)


def choice(value: str) -> str:
    return '/inform{"choice":"%s"}' % value

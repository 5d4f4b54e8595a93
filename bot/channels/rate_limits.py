"""How fast one conversation, and one client address, may send: a token bucket each, in memory.

One person types a few messages a minute; a script sends hundreds a second and, before these
limits, ten 60 KB messages in parallel made a "hello" wait 12 s. Past the limit a message gets
429 and a calm "please wait", and nothing of it is processed. Buckets hold no text, only a key
(the conversation's pseudonym, or a client address that is never logged) and two numbers, and
idle ones are dropped.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    burst: int  # messages allowed at once
    per_minute: float  # refill

    @classmethod
    def parse(cls, text: str | None, default: "Rate") -> "Rate":
        """``"BURST/PER_MINUTE"``, e.g. ``"20/30"``; anything unreadable keeps the default."""
        try:
            burst, per_minute = (text or "").split("/")
            rate = cls(int(burst), float(per_minute))
        except ValueError:
            return default
        return rate if rate.burst > 0 and rate.per_minute > 0 else default


# A person answering questions sends at most a message every few seconds: a whole conversation's
# worth at once, then one a second. A client address may carry many people (a shelter's
# network, a mission's NAT): ten a second, about twice what two cores answer. New conversations
# per address: 60 at once, then one every two seconds.
PER_CONVERSATION = Rate(60, 60)
PER_ADDRESS = Rate(600, 600)
NEW_CONVERSATIONS_PER_ADDRESS = Rate(60, 30)


class Limiter:
    def __init__(self, rate: Rate, max_keys: int = 100_000) -> None:
        self.rate, self.max_keys = rate, max_keys
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last time)

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, last = self.buckets.get(key, (float(self.rate.burst), now))
        tokens = min(self.rate.burst, tokens + (now - last) * self.rate.per_minute / 60)
        if len(self.buckets) >= self.max_keys and key not in self.buckets:
            self._forget_idle(now)
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return False
        self.buckets[key] = (tokens - 1, now)
        return True

    def _forget_idle(self, now: float) -> None:
        full = self.rate.burst * 60 / self.rate.per_minute  # seconds to refill completely
        self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < full}
        if len(self.buckets) >= self.max_keys:  # a flood of addresses: start again rather than grow
            self.buckets.clear()


def from_env(env=None) -> dict[str, Limiter]:
    env = os.environ if env is None else env
    return {
        "conversation": Limiter(Rate.parse(env.get("BOT_RATE_PER_CONVERSATION"), PER_CONVERSATION)),
        "address": Limiter(Rate.parse(env.get("BOT_RATE_PER_ADDRESS"), PER_ADDRESS)),
        "new_conversation": Limiter(Rate.parse(env.get("BOT_RATE_NEW_CONVERSATIONS"), NEW_CONVERSATIONS_PER_ADDRESS)),
    }

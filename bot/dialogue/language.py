"""Which language a person is writing in.

langdetect is good on sentences and poor on one or two words (NOTES.md: 57 % right on single
words), so a short reply never flips the conversation's language: the current language, then the
client's hint, carry more information than the message does.
"""
from __future__ import annotations

import re
import threading

from langdetect import detector_factory
from langdetect.lang_detect_exception import LangDetectException

SUPPORTED = ("en", "fr", "ar")
DEFAULT = "en"

# A message needs this many words before it may change the conversation's language, and the
# detector must be this sure: a person who types "ok" or "Kyiv" keeps the language they chose.
MIN_WORDS_TO_SWITCH = 3
MIN_PROBABILITY = 0.80
MIN_PROBABILITY_SHORT = 0.95

_lock = threading.Lock()
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
# Addresses, links and codes say nothing about the language a person writes in: an email
# address would otherwise make a French sentence look English.
_NOT_LANGUAGE = re.compile(r"\S+@\S+|\w+://\S+|www\.\S+|\S*\d\S*", re.UNICODE)


def normalise(code: str | None) -> str | None:
    """'fr-CA', 'FR', 'fr_FR' -> 'fr'; unknown or unsupported -> None."""
    if not code:
        return None
    base = re.split(r"[-_]", str(code).strip().lower(), maxsplit=1)[0]
    return base if base in SUPPORTED else None


def _probabilities(text: str, renormalise: bool = True) -> dict[str, float]:
    with _lock:  # langdetect's factory is global state
        detector_factory.init_factory()  # loads the profiles shipped in the package, once
        factory = detector_factory._factory
        factory.set_seed(0)  # deterministic answers (NOTES.md)
        detector = factory.create()
        detector.append(text)
        try:
            found = detector.get_probabilities()
        except LangDetectException:
            return {}
    # Restrict to the languages the assistant speaks, renormalised (or not: see detect).
    kept = {p.lang: p.prob for p in found if p.lang in SUPPORTED}
    total = sum(kept.values())
    if not renormalise:
        return kept
    return {k: v / total for k, v in kept.items()} if total else {}


# Letters only one of the supported languages writes: enough to name the language of a first
# message of one or two words, where langdetect guesses (NOTES.md).
_ONLY = (
    ("uk", re.compile(r"[іїєґІЇЄҐ]")),
    ("ru", re.compile(r"[ыэъёЫЭЪЁ]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("ro", re.compile(r"[ășțşţĂȘȚŞŢ]")),
    ("pl", re.compile(r"[łńśźżŁŃŚŹŻ]")),
    ("es", re.compile(r"[ñ¿¡Ñ]")),
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _by_letters(text: str, hint: str | None = None) -> str | None:
    found = [code for code, letters in _ONLY if code in SUPPORTED and letters.search(text)]
    if len(found) == 1:
        return found[0]
    if not found and _CYRILLIC.search(text) and "ru" in SUPPORTED:
        # Cyrillic with no letter of its own ("так"): the client's language, else Russian
        return normalise(hint) if normalise(hint) in ("uk", "ru") else "ru"
    return None


def detect(text: str | None, current: str | None = None, hint: str | None = None) -> str:
    """The supported language the person is most likely writing in.

    ``current`` is the conversation's language so far, ``hint`` e.g. the Telegram client's
    language code. Button payloads ("/affirm") and short replies keep ``current``.
    """
    fallback = normalise(current) or normalise(hint) or DEFAULT
    if not text or text.lstrip().startswith("/"):
        return fallback
    words = _WORD.findall(_NOT_LANGUAGE.sub(" ", text))
    if len(words) < MIN_WORDS_TO_SWITCH:
        if not normalise(current) and words:  # a first message: its letters may name it
            return _by_letters(" ".join(words), hint) or fallback
        return fallback
    # Once a conversation has a language, leaving it needs the detector's own certainty, not a
    # share renormalised among the supported languages: "just outside Lviv" is 71 % Estonian and
    # 29 % French to langdetect, which renormalised to 100 % French flipped one question into
    # French in the middle of an English report.
    probabilities = _probabilities(" ".join(words), renormalise=not normalise(current))
    if not probabilities:
        return fallback
    best = max(probabilities, key=probabilities.get)
    # A few words are weak evidence: "dont remember sorry" is 86 % French to langdetect, and
    # flipped an English report into French at the next question. Under six words, a
    # conversation leaves its language only on near certainty.
    needed = MIN_PROBABILITY_SHORT if normalise(current) and len(words) < 6 else MIN_PROBABILITY
    if best != fallback and probabilities[best] < needed:
        return fallback
    return best

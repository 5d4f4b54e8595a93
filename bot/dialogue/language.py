"""Which language a person is writing in.

Two detectors, each where it is measured to win (``bot bench languages``, on lingua's public test
data): lingua, made for short text, picks among the eight languages the assistant speaks (99.7 %
of sentences, 97.5 % of two-word messages, where langdetect alone gets 98.6 % and 84 %);
langdetect, with lingua's small all-language models, recognises the languages it does not speak,
and only when the two agree (``other_language``).

A conversation that has a language keeps it on a short reply ("ok", "Kyiv", "أربيل"): the current
language, then the client's hint, carry more information than one or two words do.
"""
from __future__ import annotations

import re
import threading

from langdetect import detector_factory
from langdetect.lang_detect_exception import LangDetectException

SUPPORTED = ("en", "fr", "uk", "ru", "ar", "pl", "ro", "es")
DEFAULT = "en"

# A message needs this many words before it may change the conversation's language, and the
# detectors must be this sure: a person who types "ok" or "Kyiv" keeps the language they chose.
MIN_WORDS_TO_SWITCH = 3
MIN_PROBABILITY = 0.80
MIN_PROBABILITY_SHORT = 0.95
MIN_LINGUA_TO_SWITCH = 0.6
# A first message of a language the assistant does not speak is recognised from this many words,
# when both detectors name it: on two words they agree wrongly on 1 % of messages in a language
# the assistant speaks ("finance social" is Catalan to both), on three words on none measured.
MIN_WORDS_OTHER = 3
MIN_CONFIDENCE_OTHER = 0.5
# The detectors read a message's beginning only: its language is there, and a long message
# ("x" 4,000 times) took them 0.7 s, which a flood of messages would multiply.
MAX_DETECT_CHARS = 300

_lock = threading.Lock()
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
# Addresses, links and codes say nothing about the language a person writes in: an email
# address would otherwise make a French sentence look English.
_NOT_LANGUAGE = re.compile(r"\S+@\S+|\w+://\S+|www\.\S+|\S*\d\S*", re.UNICODE)

# Letters only some of the supported languages write: a word with "ї" is not Russian, one with "ы"
# is not Ukrainian, "ș" is Romanian, "ł" Polish, "ñ" Spanish. They narrow the choice; lingua's
# models choose among what is left.
_WRITES = (
    ("іїєґ", {"uk"}), ("ыэъё", {"ru"}), ("ăşţșț", {"ro"}), ("łńśźżąę", {"pl"}), ("ñ¿¡", {"es"}),
    ("çœèêëùûàô", {"fr"}), ("áíóú", {"es", "pl", "ro"}), ("\u0600-\u06ff", {"ar"}),
)
_WRITES = tuple((re.compile(f"[{letters}]", re.IGNORECASE), langs) for letters, langs in _WRITES)


def normalise(code: str | None) -> str | None:
    """'fr-CA', 'FR', 'fr_FR' -> 'fr'; unknown or unsupported -> None."""
    base = base_code(code)
    return base if base in SUPPORTED else None


def base_code(code: str | None) -> str | None:
    """'de-AT' -> 'de', whatever the language; None when there is none."""
    if not code:
        return None
    return re.split(r"[-_]", str(code).strip().lower(), maxsplit=1)[0] or None


# --- the detectors, built once (about 2 s and 330 MB for both; see the README) --------------

_built: dict[str, object] = {}


def _lingua(kind: str):
    """lingua's detector: "supported" (high accuracy, the eight languages) or "all" (the small
    models of its 75 languages, to tell that a message is in none of the eight)."""
    with _lock:
        if kind not in _built:
            from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

            if kind == "supported":
                languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in SUPPORTED]
                builder = LanguageDetectorBuilder.from_languages(*languages)
            else:
                builder = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode()
            _built[kind] = builder.with_preloaded_language_models().build()
        return _built[kind]


def warm() -> None:
    """Build the detectors now rather than at the first message (the action server calls this
    in a background thread at start)."""
    _lingua("supported")
    _lingua("all")
    _langdetect("warm up")


def _langdetect(text: str) -> dict[str, float]:
    """langdetect's probabilities over its 55 languages, deterministic (NOTES.md)."""
    with _lock:  # langdetect's factory is global state
        detector_factory.init_factory()  # loads the profiles shipped in the package, once
        factory = detector_factory._factory
        factory.set_seed(0)
        detector = factory.create()
        detector.append(text)
        try:
            found = detector.get_probabilities()
        except LangDetectException:
            return {}
    return {{"zh-cn": "zh", "zh-tw": "zh", "no": "nb"}.get(p.lang, p.lang): p.prob for p in found}


def _allowed(text: str) -> set[str]:
    allowed = set(SUPPORTED)
    for letters, langs in _WRITES:
        if letters.search(text):
            allowed &= langs
    return allowed or set(SUPPORTED)


def scores(text: str) -> dict[str, float]:
    """lingua's confidence per supported language the letters allow ({} when it sees no language)."""
    allowed = _allowed(text)
    found = {v.language.iso_code_639_1.name.lower(): v.value
             for v in _lingua("supported").compute_language_confidence_values(text)}
    kept = {code: found.get(code, 0.0) for code in SUPPORTED if code in allowed}
    total = sum(kept.values())
    return {code: value / total for code, value in kept.items()} if total else {}


# Words every language's speakers type ("ok", "stop", "sos", "hello"): alone, they name none.
_SHARED = frozenset("ok okay okey oke stop sos hello hi halo hallo alo allo taxi police info".split())


def _words(text: str) -> list[str]:
    return _WORD.findall(_NOT_LANGUAGE.sub(" ", text))


def _said(text: str) -> str:
    return re.sub(r"\s+", " ", _NOT_LANGUAGE.sub(" ", text)).strip()


def detect(text: str | None, current: str | None = None, hint: str | None = None) -> str:
    """The supported language the person is most likely writing in.

    ``current`` is the conversation's language so far, ``hint`` e.g. the Telegram client's
    language code. Button payloads ("/affirm") and short replies keep ``current``.
    """
    fallback = normalise(current) or normalise(hint) or DEFAULT
    if not text or text.lstrip().startswith("/"):
        return fallback
    text = text[:MAX_DETECT_CHARS]
    words = _words(text)
    if not words:
        return fallback
    said = _said(text)
    if normalise(current):
        return _stays_or_leaves(said, len(words), normalise(current))
    found = scores(said)
    if not found or all(w.casefold() in _SHARED for w in words):
        return fallback
    best = max(found, key=found.get)
    # The client's language is a hint a short message may confirm: "ok" or "stop" read as
    # Polish or English alike, and a Ukrainian phone's "так" is Ukrainian.
    client = normalise(hint)
    if client and client != best and client in found:
        if found[client] >= (0.5 if len(words) <= 2 else 0.8) * found[best]:
            return client
    return best


def _stays_or_leaves(said: str, words: int, current: str) -> str:
    """An established conversation leaves its language only on a sentence both detectors name:
    "just outside Lviv" is 71 % Estonian to langdetect, "can I be deported?" Spanish; a name or
    a place in another alphabet ("أربيل") is an answer, not a switch."""
    if words < MIN_WORDS_TO_SWITCH:
        return current
    found = scores(said)
    if not found:
        return current
    best = max(found, key=found.get)
    if best == current or found[best] < MIN_LINGUA_TO_SWITCH or found[best] < 2 * found.get(current, 0.0):
        return current
    # Both detectors must name it, langdetect nearly sure under six words ("dont remember sorry"
    # is 86 % French to it): the two err on different words. langdetect reads the words alone
    # (an "a" moves it from 86 % to 57 % French), not renormalised: its own certainty.
    other = _langdetect(" ".join(_words(said)))
    needed = MIN_PROBABILITY_SHORT if words < 6 else MIN_PROBABILITY
    if not other or max(other, key=other.get) != best or other[best] < needed:
        return current
    return best


# --- languages the assistant recognises but does not speak ------------------------------

# Alphabets no supported language writes, and the languages that write them.
_SCRIPTS = (
    (re.compile(r"[\u1200-\u137f]"), ("am", "ti")),  # Ethiopic: Amharic and Tigrinya alike
    (re.compile(r"[\u10a0-\u10ff]"), ("ka",)), (re.compile(r"[\u0530-\u058f]"), ("hy",)),
    (re.compile(r"[\u0590-\u05ff]"), ("he",)), (re.compile(r"[\u0370-\u03ff]"), ("el",)),
    (re.compile(r"[\u0e00-\u0e7f]"), ("th",)), (re.compile(r"[\u0980-\u09ff]"), ("bn",)),
    (re.compile(r"[\u0a00-\u0a7f]"), ("pa",)), (re.compile(r"[\u0a80-\u0aff]"), ("gu",)),
    (re.compile(r"[\u0b80-\u0bff]"), ("ta",)), (re.compile(r"[\u0c00-\u0c7f]"), ("te",)),
    (re.compile(r"[\uac00-\ud7af\u1100-\u11ff]"), ("ko",)), (re.compile(r"[\u3040-\u30ff]"), ("ja",)),
    (re.compile(r"[\u4e00-\u9fff]"), ("zh",)), (re.compile(r"[\u0900-\u097f]"), ("hi", "mr")),
)


def other_language(text: str | None, hint: str | None = None) -> tuple[str, ...]:
    """The language(s) of a message in a language the assistant does not speak, or () when it is
    in a supported language or unsure. Wrongly telling a person "I cannot talk in your language"
    costs more than missing one, so a supported language wins any doubt."""
    if not text or text.lstrip().startswith("/"):
        return ()
    text = text[:MAX_DETECT_CHARS]
    words = _words(text)
    if not words:
        return ()
    said = _said(text)
    for letters, codes in _SCRIPTS:
        if letters.search(said):
            if codes == ("hi", "mr"):  # Devanagari: Hindi or Marathi, as the models read it
                top = _top_of_all(said)[0]
                return (top,) if top in codes else ("hi",)
            return codes
    client = base_code(hint)
    top, confidence = _top_of_all(said)
    if top is None or top in SUPPORTED:
        return ()
    if len(words) >= MIN_WORDS_OTHER and confidence >= MIN_CONFIDENCE_OTHER:
        found = _langdetect(said)
        if found and max(found, key=found.get) == top:
            return (top,)
    # A short message the client's own language explains: "hallo" from a German phone.
    if client == top and client not in SUPPORTED:
        return (top,)
    return ()


def _top_of_all(said: str) -> tuple[str | None, float]:
    values = _lingua("all").compute_language_confidence_values(said)
    if not values or not values[0].value:
        return None, 0.0
    return values[0].language.iso_code_639_1.name.lower(), values[0].value

"""What a person's words say besides the answer: a command, a change of language, a question to
the assistant, danger, an age under 18, "this is for me".

The words live in each locale's ``understanding`` section, so that a translator adds them beside
the messages. Commands are recognised only when the whole message is the command ("stop",
"pause", "continuer"): anywhere inside a longer message the same words are part of an answer
("not right now", "go back home they said"). That is the rule the trials taught: the answer wins.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from bot.dialogue import language, messages
from bot.vocabulary.text import fold

# Commands that delete what a person said are recognised only exactly (after folding): a typo of
# "stop" is more likely an answer ("shop", "step") than a wish to lose everything.
DESTRUCTIVE = ("stop", "exit")
# Longest message that can be a command: "stop", "I want to stop", "can we pause please".
MAX_COMMAND_WORDS = 5
_PUNCTUATION = re.compile(r"[^\w\s']+", re.UNICODE)


def plain(text: str) -> str:
    """Folded, without punctuation or emoji: what a command or a button label is compared as."""
    return re.sub(r"\s+", " ", _PUNCTUATION.sub(" ", fold(text or ""))).strip()


def _section(lang: str, key: str):
    return messages.understanding(lang).get(key) or {}


@functools.lru_cache(maxsize=None)
def _commands(lang: str) -> dict[str, tuple[str, ...]]:
    """Command -> the plain phrases that are it, in any language the assistant speaks: "arrête"
    stops an English conversation too (people mix languages, and stop must never fail)."""
    found: dict[str, set[str]] = {}
    for source in dict.fromkeys([lang, *language.SUPPORTED]):
        for command, phrases in _section(source, "commands").items():
            found.setdefault(command, set()).update(plain(p) for p in phrases)
    return {c: tuple(sorted(p)) for c, p in found.items()}


def close_enough(said: str, phrase: str) -> bool:
    """Equal, or one slip (a missing, extra, swapped or wrong letter) in a word of five or more."""
    if said == phrase:
        return True
    if len(phrase) < 5:
        return False
    return OSA.distance(said, phrase) <= (1 if len(phrase) < 9 else 2)


def command(text: str, lang: str, only: tuple[str, ...] | None = None) -> str | None:
    """The command the whole message is, or None when the message is something else."""
    said = plain(text)
    if not said or len(said.split()) > MAX_COMMAND_WORDS:
        return None
    candidates = {name: phrases for name, phrases in _commands(lang).items() if only is None or name in only}
    for name, phrases in candidates.items():  # exactly a command, in any language, first
        if said in phrases:
            return name
    # Then one slip away from exactly one command. Near two ("исправить" fix / "отправить" send,
    # "top prosze" from "stop prosze" and "tak prosze"), it is no command: a slip must never send
    # a report or delete one. A slip of stop or exit never counts at all.
    near = {name for name, phrases in _commands(lang).items() if any(close_enough(said, p) for p in phrases)}
    if len(near) == 1:
        name = next(iter(near))
        if name in candidates and name not in DESTRUCTIVE:
            return name
    return None


def contains(text: str, lang: str, key: str) -> bool:
    """Whether the message holds one of the phrases of ``understanding.<key>`` (words from their
    start: "enferm" finds "enfermée"), in the conversation's language or any other it speaks:
    people under stress write the words they have ("j'ai peur" in an English conversation)."""
    return bool(_phrases(key).search(f" {plain(text)} "))


@functools.lru_cache(maxsize=None)
def _phrases(key: str) -> re.Pattern:
    """One pattern for the phrases of ``key`` in every supported language, longest first."""
    found = {plain(p) for lang in language.SUPPORTED for p in _section(lang, key) or []} - {""}
    if not found:
        return re.compile(r"(?!x)x")  # matches nothing
    alternatives = "|".join(re.escape(p) for p in sorted(found, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})")


# --- language -----------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _language_names() -> list[tuple[str, str]]:
    """(plain name, code) for every supported language, as written in every supported language."""
    names = []
    for source in language.SUPPORTED:
        for code, spellings in _section(source, "language_names").items():
            if code in language.SUPPORTED:  # a language it does not speak yet is not offered
                names += [(plain(s), code) for s in spellings]
    return sorted(set(names), key=lambda n: -len(n[0]))


@functools.lru_cache(maxsize=1)
def _language_pattern() -> tuple[re.Pattern, dict[str, str]]:
    """One pattern for the hundreds of names (one each overflowed the regular-expression cache
    and compiled them all again at every message), longest first, and each name's language."""
    names = _language_names()
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(name) for name, _ in names)})(?!\w)")
    return pattern, dict(names)


@dataclass(frozen=True)
class LanguageRequest:
    code: str
    certain: bool  # False: the message could also be an answer ("French" to "what language?")


# A verb that asks for a language ("can we speak english", "on peut parler français"), beside a
# language merely named in an answer ("she told me, in English").
_ASKING_TO_SPEAK = re.compile(r"(?<!\w)(?:speak|talk|switch|translate|language|write|can we|could we|back to|"
                              r"on peut|revenir|repasser|parl\w*|langue|ecri\w*|"
                              r"تكلم\w*|نتكلم|احكي|نحكي|لغه|لغة|говор\w*|розмовля\w*|mow\w*|vorb\w*|habl\w*|idioma|"
                              # "from now on": "дальше по-русски", "далі українською", "dalej po polsku"
                              r"дальше|далее|далі|dalej|mai departe|continu\w*|seguimos|seguir)")


# Asking the assistant ("can we…", "let's…", "please…"), as against telling how someone spoke
# ("she speaks Amharic only, very little English").
_ASKING_US = re.compile(r"(?<!\w)(?:can we|could we|can you|could you|let'?s|let us|switch to|on peut|pouvez-vous|"
                        r"можем|можемо|możemy|putem|podemos)(?!\w)")


def asks_to_speak(text: str) -> bool:
    """ "can we speak english", "let's talk in French": the person asks for the conversation's
    language, rather than telling which language someone spoke."""
    return bool(_ASKING_US.search(f" {plain(text)} "))


def language_request(text: str, current: str) -> LanguageRequest | None:
    """A request to talk in another supported language: "can we speak english", "en français svp",
    "English". The language named last wins ("my french is bad, can we speak english")."""
    said = f" {plain(text)} "
    pattern, codes = _language_pattern()
    found = [(match.start(), codes[match.group(0)]) for match in pattern.finditer(said)]
    if not found:
        return None
    named = [code for _, code in sorted(found)]
    wanted = [code for code in named if code != current]
    words = len(said.split())
    asked = any(contains(text, lang, "language_request") for lang in language.SUPPORTED)
    # A long message that names a language is an answer that mentions one ("one of the girls told
    # me herself, in English"): offered as a button, never taken as a request outright.
    certain = asked and (words <= 6 or bool(_ASKING_TO_SPEAK.search(said)))
    if not wanted or named[-1] == current:
        # "en français svp" in French, or "sorry my french is bad, can we speak english" in
        # English: the language named last is the one already spoken; a request all the same
        # (never French because French was named first), kept out of the answers.
        return LanguageRequest(current, certain=True) if certain else None
    if asked or words <= 2:
        return LanguageRequest(wanted[-1], certain=certain)
    return None


def greeting_language(text: str) -> str | None:
    """The language of a first message that is a greeting ("Bonjour", "hi there")."""
    said = plain(text)
    if not said or len(said.split()) > 3:
        return None
    for lang in language.SUPPORTED:
        for greeting in _section(lang, "greetings") or []:
            g = plain(greeting)
            if said == g or said.startswith(g + " "):
                return lang
    return None


# --- questions to the assistant -----------------------------------------------------------

_QUESTION_MARK = re.compile("[?\u061f\u037e\uff1f]")  # ? and the Arabic, Greek and full-width ones
TRUST_TOPICS = ("police", "immigration", "cost", "who", "abuser", "data")


def trust_question(text: str, lang: str) -> str | None:
    """The topic of a question about trust ("will the police know?"), or None.

    Only a question counts: a question mark, or a question's first words. "I told the police"
    is an answer; "will the police know" is a question.
    """
    if not (_QUESTION_MARK.search(text) or _opens_a_question(text, lang)):
        return None
    for topic in TRUST_TOPICS:
        if contains(text, lang, f"trust_{topic}"):
            return topic
    return None


@functools.lru_cache(maxsize=None)
def _question_openings(lang: str) -> tuple[str, ...]:
    """A question's first words in every language, ``lang``'s first, folded once (folding them
    at every message was a quarter of the action server's time per turn, profiled)."""
    return tuple(plain(o) for source in dict.fromkeys([lang, *language.SUPPORTED])
                 for o in _section(source, "question_openings") or [])


def _opens_a_question(text: str, lang: str) -> bool:
    said = plain(text)
    return any(said == o or said.startswith(o + " ") for o in _question_openings(lang))


def is_question(text: str, lang: str) -> bool:
    """A question put to the assistant: a question mark and a question's first words."""
    return bool(_QUESTION_MARK.search(text or "")) and _opens_a_question(text, lang)


# --- what the words reveal ----------------------------------------------------------------

@dataclass(frozen=True)
class Signals:
    danger: bool = False  # fear, confinement, someone coming
    cannot_call: bool = False  # calling is not safe or not possible
    age: int | None = None  # an age the person gave ("I'm 15", "j'ai 15 ans")
    for_me: bool = False  # the help is for the person writing


_AGE = (
    # "15 years", "15 ans", "15 лет", "15 років", "15 ani", "15 lat", "15 años", "15 سنة" (folded);
    # Ukrainian "14 годин" is fourteen hours, not an age
    re.compile(r"(?<!\d)(\d{1,2})\s*(?:years?|yrs?|y\.?o\b|ans|an\b|лет|год(?!ин)|рок|рік|ani\b|lat\b|anos|ano\b"
               r"|سن|عام)(?!\w*\s+(?:ago|назад|тому|temu|in urma))"),  # not "15 years ago"
    re.compile(r"\b(?:i am|i'm|im|she is|she's|he is|he's|age|aged|ai|j'ai|tengo|tiene|мне|мені|عمري|عمره|عمرها)"
               r"\s+(\d{1,2})(?!\d)(?!\s*(?:h|am|pm|:|people|persons|personnes|kids|children|enfants|women|men|femmes|hommes|km|m\b))"),
)


def age_in(text: str) -> int | None:
    folded = fold(text or "")
    for pattern in _AGE:
        match = pattern.search(folded)
        if match:
            age = int(match.group(1))
            if 1 <= age <= 99:
                return age
    return None


def signals(text: str, lang: str) -> Signals:
    if not text or text.startswith("/"):
        return Signals()
    cannot_call = contains(text, lang, "cannot_call")
    return Signals(danger=cannot_call or contains(text, lang, "danger"), cannot_call=cannot_call,
                   age=age_in(text), for_me=contains(text, lang, "for_me"))

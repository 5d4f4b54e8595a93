"""The words the assistant says, one file per language in ``bot/dialogue/locales``.

A translator edits one YAML file; ``tests/unit/test_messages.py`` proves that every key of the
English file exists in every other language.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any


from bot.dialogue import language
from bot.vocabulary import lexicon
from bot.vocabulary import yaml_files

LOCALES = Path(__file__).with_name("locales")


@functools.lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, Any]:
    path = LOCALES / f"{lang}.yml"
    return yaml_files.read(path)


def _lookup(lang: str, section: str, key: str) -> Any:
    lang = language.normalise(lang) or language.DEFAULT
    value = catalogue(lang).get(section, {}).get(key)
    if value is None and lang != language.DEFAULT:  # a missing translation falls back, never crashes
        value = catalogue(language.DEFAULT).get(section, {}).get(key)
    if value is None:
        raise KeyError(f"{section}.{key}")
    return value


def text(key: str, lang: str | None, **values: Any) -> str:
    template = _lookup(lang or language.DEFAULT, "messages", key)
    return template.format(**values) if values else template


def question(key: str, lang: str | None) -> str:
    return _lookup(lang or language.DEFAULT, "questions", key)


def button(key: str, lang: str | None) -> str:
    return _lookup(lang or language.DEFAULT, "buttons", key)


def field(key: str, lang: str | None) -> str:
    return _lookup(lang or language.DEFAULT, "fields", key)


@functools.lru_cache(maxsize=None)
def options(key: str, lang: str | None) -> dict[str, dict[str, Any]]:
    """Option value -> {label, words} for a closed question, in the catalogue's order: the locale's
    words and the further words people use for each option (``vocabulary.lexicon``)."""
    lang = language.normalise(lang) or language.DEFAULT
    more = lexicon.option_words(key, lang)
    return {str(k): {**v, "words": [*v.get("words", []), *more.get(str(k), [])]} if more.get(str(k)) else v
            for k, v in _lookup(lang, "options", key).items()}


def language_name(lang: str) -> str:
    return catalogue(lang)["language_name"]


def unavailable() -> list[dict]:
    """'Please send that again', in every language, for when no answer could be made."""
    return [{"recipient_id": None, "text": text("unavailable", lang), "lang": lang} for lang in language.SUPPORTED]


def too_fast() -> list[dict]:
    """'Please wait a moment', in every language, for a message over the rate limit."""
    return [{"recipient_id": None, "text": text("too_fast", lang), "lang": lang} for lang in language.SUPPORTED]


def understanding(lang: str) -> dict[str, Any]:
    """The words that tell a command, a language, a question or danger, in ``lang`` (see cues)."""
    lang = language.normalise(lang) or language.DEFAULT
    return catalogue(lang).get("understanding") or {}


@functools.lru_cache(maxsize=None)
def ordinary_words(lang: str) -> frozenset[str]:
    """Every word the assistant itself uses in ``lang`` (its questions, answers and the words of
    its options), folded: the language's ordinary words. A place named like one ("مزرعة", a farm,
    is also a Syrian village) is a place only when nothing else in the answer is."""
    from bot.vocabulary.gazetteer import key

    words: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            words.update(w for w in key(value).split() if len(w) >= 3)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(catalogue(lang))
    return frozenset(words)


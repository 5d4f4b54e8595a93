"""The words people use for what the assistant asks, one file per language in ``lexicon/``.

The locale files hold what the assistant says and a few words per option; these files hold the
many more ways people answer: verbs in every person and tense, everyday and regional words, SMS
spellings ("jsp"), dialect ("ماكو خطر"). They were written per concept by native writers who
never saw the held-out answers (``tests/heldout``), so that the measurement stays honest.

Every phrase is folded (``text.fold``) and matched at the start of a word, like the locale words.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any


from bot.vocabulary.text import fold
from bot.vocabulary import yaml_files

LEXICON = Path(__file__).with_name("lexicon")


@functools.lru_cache(maxsize=None)
def _load(lang: str) -> dict[str, Any]:
    path = LEXICON / f"{lang}.yml"
    if not path.is_file():
        return {}
    return yaml_files.read(path) or {}


def languages() -> list[str]:
    return sorted(p.stem for p in LEXICON.glob("*.yml"))


def option_words(question: str, lang: str) -> dict[str, list[str]]:
    """Option value -> the further words that name it in ``lang`` ({} when none are written)."""
    options = (_load(lang).get("options") or {}).get(question) or {}
    return {str(value): [fold(str(w)) for w in words or []] for value, words in options.items()}


def dont_know(lang: str) -> list[str]:
    """The language's ways of saying "I don't know" beyond its skip command words."""
    return [fold(str(p)) for p in _load(lang).get("dont_know") or []]


@functools.lru_cache(maxsize=1)
def roles() -> dict[str, tuple[str, ...]]:
    """HTCDS role -> word stems naming it, in every language written."""
    found: dict[str, list[str]] = {}
    for lang in languages():
        for role, stems in (_load(lang).get("roles") or {}).items():
            found.setdefault(str(role), []).extend(fold(str(s)) for s in stems or [] if str(s).strip())
    return {role: tuple(dict.fromkeys(stems)) for role, stems in found.items()}


@functools.lru_cache(maxsize=1)
def numbers() -> dict[str, int]:
    """Number words Duckling does not read (regional, dialect), folded, in every language written."""
    found: dict[str, int] = {}
    for lang in languages():
        for word, value in (_load(lang).get("numbers") or {}).items():
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100_000:
                found[fold(str(word))] = value
    return found

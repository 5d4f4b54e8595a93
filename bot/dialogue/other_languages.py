"""The answer to a first message in a language the assistant does not speak: in that language,
which languages it speaks, the emergency number and a helpline that speaks the person's language
where the directory has one. Then the eight languages as buttons: the person picks, and the
conversation continues in that language (``dialogue.engine``).
"""
from __future__ import annotations

import functools
from pathlib import Path

from bot.dialogue import language, messages
from bot.referrals.matching import Referrals
from bot.vocabulary import yaml_files

MESSAGES = Path(__file__).with_name("other_languages.yml")
# Helplines named in the answer: a few, so that the message stays short on a phone.
MAX_HOTLINES = 2


@functools.lru_cache(maxsize=1)
def _catalogue() -> dict[str, dict[str, str]]:
    return yaml_files.read(MESSAGES) or {}


LANGUAGES = tuple(_catalogue())


def _country_name(code: str, lang: str) -> str:
    try:
        from babel import Locale

        return Locale.parse(lang).territories.get(code) or code
    except Exception:  # an unknown locale names the country by its code: the number matters
        return code


def emergency_numbers(referrals: Referrals, lang: str) -> str:
    """The general emergency number most countries in the directory share, then the others by
    country: "112 · Iraq: 911"."""
    numbers = {country: n.get("general") or n.get("police") for country, n in referrals.emergency.items()}
    numbers = {c: n for c, n in numbers.items() if n}
    if not numbers:
        return "112"
    counts: dict[str, int] = {}
    for n in numbers.values():
        counts[n] = counts.get(n, 0) + 1
    common = max(counts, key=lambda n: (counts[n], n == "112"))
    others = [f"{_country_name(c, lang)}: {n}" for c, n in sorted(numbers.items()) if n != common]
    return " · ".join([common, *others])


def hotlines(referrals: Referrals, lang: str) -> list[tuple[str, str]]:
    """Helplines in the directory that speak ``lang``: (name, phone), national ones first."""
    found = [e for e in referrals.directory.entries
             if lang in e.languages and "hotline" in e.services and e.phone]
    found.sort(key=lambda e: (not e.national, e.example, e.name))
    return [(e.name, e.phone) for e in found[:MAX_HOTLINES]]


def answer(codes: tuple[str, ...], referrals: Referrals) -> str:
    """The fixed message in each of ``codes`` (Ethiopic script: Amharic and Tigrinya alike)."""
    spoken = " · ".join(messages.language_name(code) for code in language.SUPPORTED)
    blocks = []
    for code in codes:
        words = _catalogue().get(code)
        if not words:
            continue
        lines = [words["intro"], spoken, words["pick"], words["danger"].format(number=emergency_numbers(referrals, code))]
        lines += [words["hotline"].format(service=name, phone=phone) for name, phone in hotlines(referrals, code)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)

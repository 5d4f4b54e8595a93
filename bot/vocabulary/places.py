"""Countries and cities named in free text, in any supported language."""
from __future__ import annotations

import functools
import gettext
import re

import pycountry

from bot.vocabulary.text import fold

# Names people use that are not ISO 3166 short names. Kosovo has no ISO code; XK is the code
# the EU, IOM and the UN use for it.
ALIASES = {
    "XK": ["kosovo"], "MD": ["moldova", "moldavie"], "GB": ["uk", "united kingdom", "britain", "royaume-uni"],
    "US": ["usa", "united states", "america", "etats-unis"], "RU": ["russia", "russie"],
    "BA": ["bosnia", "bosnie"], "IQ": ["iraq", "irak"], "CZ": ["czechia", "tchequie"],
    "TR": ["turkey", "turquie", "turkiye"], "SY": ["syria", "syrie"], "IR": ["iran"],
}


# How people name a nationality, as word stems (English and French share most of them):
# "Ukrainian", "ukrainienne" -> UA. Only countries people on these missions commonly meet.
DEMONYM_STEMS = {
    "UA": ["ukrain"], "PL": ["polish", "polonais", "pole"], "RO": ["romanian", "roumain"],
    "MD": ["moldov", "moldave"], "LT": ["lithuanian", "lituanien"], "XK": ["kosovar", "kosovan"],
    "BA": ["bosnian", "bosnien"], "IQ": ["iraqi", "irakien"], "SY": ["syrian", "syrien"],
    "RU": ["russian", "russe"], "BY": ["belarus", "bielorusse"], "AL": ["albanian", "albanais"],
    "RS": ["serbian", "serbe"], "AF": ["afghan"], "NG": ["nigerian", "nigerian"], "VN": ["vietnam"],
    "ER": ["eritrean", "erythreen"], "TR": ["turkish", "turc"], "GE": ["georgian", "georgien"],
}


@functools.lru_cache(maxsize=1)
def _country_names() -> list[tuple[str, str]]:
    """(folded name, alpha-2 code), longest names first so 'Guinea-Bissau' beats 'Guinea'."""
    names: dict[str, str] = {}
    fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)
    for c in pycountry.countries:
        for name in {c.name, getattr(c, "common_name", c.name), fr.gettext(c.name)}:
            names[fold(name.split(",")[0])] = c.alpha_2
    for code, aliases in ALIASES.items():
        for alias in aliases:
            names[fold(alias)] = code
    return sorted(names.items(), key=lambda kv: -len(kv[0]))


def country_in(text: str) -> str | None:
    folded = f" {fold(text)} "
    for name, code in _country_names():
        if len(name) > 3 and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
            return code
    return None


def city_in(text: str, known_cities: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """(city, country code) for a known city named in ``text``.

    ``known_cities`` maps folded city names (any spelling) to (display name, country code).
    """
    folded = f" {fold(text)} "
    for name in sorted(known_cities, key=len, reverse=True):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
            return known_cities[name]
    return None


def country_name(code: str, lang: str) -> str:
    if code == "XK":
        return "Kosovo"
    country = pycountry.countries.get(alpha_2=code)
    if not country:
        return code
    name = getattr(country, "common_name", country.name)
    if lang != "en":
        tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        name = tr.gettext(country.name)
    return name.split(",")[0]

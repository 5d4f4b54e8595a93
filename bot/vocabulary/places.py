"""Countries and cities named in free text, in any supported language."""
from __future__ import annotations

import functools
import gettext
import math
import re

import pycountry

from bot.vocabulary import inflection
from bot.vocabulary.text import fold

# Names people use that are not ISO 3166 short names. Kosovo has no ISO code; XK is the code
# the EU, IOM and the UN use for it.
ALIASES = {
    "XK": ["kosovo", "كوسوفو"], "MD": ["moldova", "moldavie", "مولدوفا"],
    "BA": ["bosnia", "bosnie"], "IQ": ["iraq", "irak"], "CZ": ["czechia", "tchequie"],
    "TR": ["turkey", "turquie", "turkiye", "تركيا", "турция", "туреччина"],
    "IR": ["iran"], "BY": ["belarus", "bielorussie", "بيلاروسيا", "روسيا البيضاء"], "DE": ["المانيا"],
    "SY": ["syria", "syrie", "سوريا", "سورية"], "RU": ["russia", "russie", "روسيا"], "PS": ["palestine", "فلسطين"], "SA": ["السعودية", "السعوديه"],
    "AE": ["الامارات", "الإمارات"], "GB": ["uk", "united kingdom", "britain", "royaume-uni", "بريطانيا"],
    "US": ["usa", "united states", "america", "etats-unis", "امريكا", "أمريكا"],
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
# Everyday names where ISO 3166's translation is the official one ("Российская Федерация").
for _code, _names in {"RU": ["россия", "росія", "rosja", "rusia"], "BY": ["беларусь", "белоруссия", "білорусь",
                                                                          "białoruś", "bielorusia", "belarus"],
                      "IR": ["иран", "іран", "iran"], "SY": ["сирия", "сирія", "syria", "siria"],
                      "IQ": ["ирак", "ірак", "irak"], "VN": ["вьетнам", "в'єтнам", "вєтнам", "wietnam"],
                      "DE": ["niemcy", "niemczech", "германия", "німеччина"], "MD": ["молдова", "молдавия", "mołdawia"],
                      "CZ": ["чехия", "чехія", "czechy", "cehia", "chequia"], "KR": ["южная корея", "південна корея"],
                      "LA": ["лаос", "laos"], "TZ": ["танзания", "tanzania"], "VE": ["венесуэла", "wenezuela"],
                      "BO": ["боливия", "boliwia"]}.items():
    ALIASES[_code] = [*ALIASES.get(_code, []), *_names]


@functools.lru_cache(maxsize=1)
def _country_names() -> list[tuple[str, str]]:
    """(folded name, alpha-2 code), longest names first so 'Guinea-Bissau' beats 'Guinea'."""
    names: dict[str, str] = {}
    # The names in every language the assistant speaks, as ISO 3166's translations give them.
    translations = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
                    for lang in ("fr", "ar", "uk", "ru", "pl", "ro", "es")]
    for c in pycountry.countries:
        for name in {c.name, getattr(c, "common_name", c.name), *(t.gettext(c.name) for t in translations)}:
            names[fold(name.split(",")[0])] = c.alpha_2
    for code, aliases in ALIASES.items():
        for alias in aliases:
            names[fold(alias)] = code
    return sorted(names.items(), key=lambda kv: -len(kv[0]))


def country_in(text: str) -> str | None:
    found = countries_in(text)
    return found[0][1] if found else None


@functools.lru_cache(maxsize=1)
def _country_pattern() -> tuple[re.Pattern, dict[str, tuple[int, str]]]:
    """One pattern for every country name (more than a thousand in eight languages: one pattern
    each overflowed the regular-expression cache and compiled them all again at every answer),
    longest first, and each name's rank and code."""
    names = [(name, code) for name, code in _country_names() if len(name) > 3]
    # Arabic joins "in", "to", "from" and "and" to a name: "بتركيا", "بالاردن", "وسوريا".
    alternatives = [("(?:و|ف)?(?:ب|ل|ك)?" if "\u0600" <= name[:1] <= "\u06ff" else "") + re.escape(name)
                    for name, _ in names]
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)")
    return pattern, {name: (rank, code) for rank, (name, code) in enumerate(names)}


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CASE_CUES = {"w", "we", "na", "z", "ze", "do", "spod", "din", "spre"}


@functools.lru_cache(maxsize=1)
def _country_stems() -> dict[str, tuple[int, str]]:
    """The stems of one-word country names in the languages that inflect them: "молдов" -> MD."""
    pattern, ranks = _country_pattern()
    stems: dict[str, tuple[int, str]] = {}
    for full, (rank, code) in ranks.items():
        # "Республіка Молдова" and "Mołdawia - Republika" are Moldova in the cases too.
        name = re.sub(r"\b(?:республ\w+|republi\w+|народн\w+|демократ\w+|ludowo\w*|federac\w+|федерац\w+)\b|-",
                      " ", full).strip()
        if " " not in name and len(name) >= 4 and not ("\u0600" <= name[:1] <= "\u06ff"):
            for stem in inflection.name_stems(name):
                stems.setdefault(stem, (rank, code))
    return stems


def countries_in(text: str) -> list[tuple[int, str]]:
    """(position, code) of every country named in ``text``, in the order named; the longest name
    first where two overlap, so that "Guinea-Bissau" is not also Guinea. Sorted by the length of
    the name, the first one is the longest name in the text (what ``country_in`` has always
    returned)."""
    folded = f" {fold(text)} "
    pattern, ranks = _country_pattern()
    found: list[tuple[int, str, int]] = []  # (rank of the name, code, position)
    taken = []
    for m in pattern.finditer(folded):
        said = m.group(0)
        named = ranks.get(said) or ranks.get(said[1:]) or ranks.get(said[2:])
        if named:
            found.append((named[0], named[1], m.start()))
            taken.append((m.start(), m.end()))
    # A name in a case ending: "з Молдови", "в Польше", "z Nepalu", "w Czechach". Cyrillic words
    # anywhere; Latin ones after a preposition that inflects them (a French "Varsovi" is a slip).
    previous = ""
    for m in re.finditer(r"[^\W\d_]+", folded):
        word, before, previous = m.group(0), previous, m.group(0)
        if len(word) < 5 or any(a < m.end() and m.start() < b for a, b in taken):
            continue
        if not (_CYRILLIC.search(word) or before in _CASE_CUES):
            continue
        stems = _country_stems()
        named = next((stems[s] for s in inflection.stems(word) if s in stems), None)
        if named:
            found.append((named[0], named[1], m.start()))
    found.sort()
    return [(at, code) for _, code, at in found]


def city_in(text: str, known_cities: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """(city, country code) for a known city named in ``text``.

    ``known_cities`` maps folded city names (any spelling) to (display name, country code).
    """
    folded = f" {fold(text)} "
    for name in sorted(known_cities, key=len, reverse=True):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
            return known_cities[name]
    return None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) on a 6,371 km Earth."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


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

"""Places named in free text, from GeoNames: any town of 1,000 people or more, and any region, in
the countries the assistant serves and their neighbours, by any of its names in any of its
scripts ("Kiev", "Київ", "كييف"), misspelled or not ("varsovi" -> did you mean Warsaw?).

The data (``geonames/places.tsv.gz``) is built from GeoNames' cities1000 extract by
``scripts/build_gazetteer.py`` and shipped in the repository: nothing is downloaded at run time.
Exact names are looked up in a dictionary; a name not found is compared with RapidFuzz against the
names of the larger places, and such a guess is never taken as sure: the person is asked.
"""
from __future__ import annotations

import functools
import gzip
import math
import re
import threading
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.vocabulary import inflection, places
from bot.vocabulary.text import fold

DATA = Path(__file__).parent / "geonames" / "places.tsv.gz"
# Regions in each language the assistant speaks ("Bavière", "محافظة الأنبار", "Львівщина"), and the
# regions people name that GeoNames' first-level list lacks (Transnistria, Donbas).
REGION_NAMES = Path(__file__).parent / "geonames" / "regions.tsv"
EXTRA_REGIONS = Path(__file__).parent / "geonames" / "extra_regions.tsv"

# A single lower-case word that is a small place's name ("most", "bar", "van") is a place only
# when the answer is little more than that word, or when a word that sets a place comes before it.
SMALL = 15_000
LOCATIVES = {
    "in", "at", "near", "outside", "around", "from", "to", "by", "towards", "into", "between", "of",
    "au", "aux", "en", "pres", "vers", "dans", "de", "du", "des", "depuis", "entre", "cote", "autour",
    "في", "قرب", "عند", "من", "الى", "حول", "جنب", "بين", "داخل", "خارج", "بالقرب", "ضواحي", "اطراف", "منطقه",
    "برا", "بره", "يم", "صوب", "بمنطقه", "بضواحي", "باطراف", "مدينه", "بمدينه", "قريه", "بقريه",
    "в", "у", "во", "біля", "коло", "поблизу", "під", "до", "із", "возле", "около", "под", "из", "с", "з",
    "w", "we", "na", "kolo", "pod", "obok", "przy", "z", "ze", "do", "langa", "din", "spre", "cerca", "junto",
    "hacia", "desde",
    "в", "у", "біля", "около", "возле", "под", "під", "з", "із", "из", "до", "коло",
    "w", "we", "kolo", "obok", "pod", "z", "do", "przy", "langa", "din", "cerca", "desde", "hacia",
}
# Arabic joins a preposition and the article to the word: بالموصل (in Mosul), للموصل, والموصل.
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Prepositions after which Polish and Romanian inflect a place's name: "w Pradze", "din Iașului".
_CASE_CUES = {"w", "we", "na", "z", "ze", "pod", "kolo", "obok", "przy", "do", "spod", "din", "langa", "spre"}
_AR_PREFIX = re.compile(r"^(?:و|ف)?(?:ب|ل|ك)?(?:ال)?(?=\w{2,})")
FUZZY_CUTOFF = 84  # RapidFuzz ratio: "varsovi"/"varsovie" 93, "prishtina"/"pristina" 94
FUZZY_MIN_POPULATION = 5_000  # a misspelling is compared with the names of towns this size or larger
MAX_WORDS = 60  # a long answer is read in its first words only: a place comes early


@dataclass(frozen=True)
class Place:
    id: str  # GeoNames id, or "CC.code" for a region
    kind: str  # "city" or "region"
    name: str  # GeoNames' name
    country: str  # ISO 3166 alpha-2 (XK for Kosovo)
    region: str  # English name of the first-level region, or ""
    latitude: float | None
    longitude: float | None
    population: int
    names: tuple[str, ...]

    def called(self, said: str) -> str:
        """The place's name as the person wrote it when that is one of its names, else GeoNames'."""
        return next((n for n in self.names if key(n) == key(said)), self.name)


@dataclass(frozen=True)
class Found:
    place: Place
    said: str  # the words that named it
    sure: bool  # False: a guess from a misspelling or an ambiguous name; ask before keeping it


def key(text: str) -> str:
    """A name as compared: folded, Arabic letter forms unified, punctuation as spaces."""
    text = fold(text).replace("ـ", "")
    text = text.translate(str.maketrans({"ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "أ": "ا", "إ": "ا", "آ": "ا"}))
    text = re.sub(r"ء(?!\w)", "", text)  # "الزرقا" and "الزرقاء", "الجهرا" and "الجهراء": one name
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _variants(gram: str) -> list[str]:
    """A name and the forms without the Arabic article and prepositions joined to it."""
    out = [gram]
    words = gram.split()
    stripped = " ".join(_AR_PREFIX.sub("", w) for w in words)
    if stripped != gram:
        out.append(stripped)
    if words and words[0].startswith("ال") and len(words[0]) > 4:  # الموصل named with the article
        out.append(" ".join([words[0][2:], *words[1:]]))
    return out


@dataclass
class Gazetteer:
    places: list[Place]
    local: dict[tuple[str, str], str] = field(default_factory=dict)  # (region id, language) -> its name there

    def __post_init__(self) -> None:
        self.by_id = {p.id: p for p in self.places}
        self.region_ids = {(p.country, p.name): p.id for p in self.places if p.kind == "region"}
        self.index: dict[str, list[Place]] = {}
        # A country's name is the country ("a farm in Moldova"), never the village GeoNames also
        # calls so (Fundu Moldovei): countries are read by places.country_in.
        self.countries = countries = {key(name) for name, _ in places._country_names()}
        for p in self.places:
            for name in {key(n) for n in p.names} | {key(p.name)}:
                if len(name) >= 3 and name not in LOCATIVES:  # "في" is a preposition, not Balvi
                    # ...unless the town is a great city that shares it: "عمان" is Amman as often as Oman
                    # (Arak, Iran, half a million people, is also called "Iraq": it is not Iraq).
                    for variant in (v for v in _variants(name) if len(v) >= 3 and v not in LOCATIVES
                                    and (v not in countries or p.population >= 1_000_000)):
                        self.index.setdefault(variant, [])
                        if p not in self.index[variant]:
                            self.index[variant].append(p)
        # Inflected names, looked up only when the word as typed names nothing ("у Львові").
        self.stems: dict[str, list[Place]] = {}
        for name, found in self.index.items():
            if " " not in name and not _ARABIC.match(name):
                for stem in inflection.name_stems(name):
                    self.stems.setdefault(stem, [])
                    self.stems[stem] += [p for p in found if p not in self.stems[stem]]
        for found in [*self.index.values(), *self.stems.values()]:
            found.sort(key=lambda p: (p.kind != "city", -p.population))
        large = {n for n, ps in self.index.items() if len(n) >= 4 and any(
            p.population >= FUZZY_MIN_POPULATION or p.kind == "region" for p in ps)}
        self.fuzzy_names = sorted(large)
        self.grid: dict[tuple[int, int], list[Place]] = {}
        for p in self.places:
            if p.kind == "city" and p.latitude is not None:
                self.grid.setdefault((math.floor(p.latitude), math.floor(p.longitude)), []).append(p)

    # -- by name ------------------------------------------------------------------------------
    def find(self, text: str, near_country: str | None = None, ordinary: frozenset = frozenset()) -> Found | None:
        """The place a free answer names, if any; ``near_country`` (where the person is) settles
        a name several countries share; ``ordinary`` are the words of the person's language that
        name a place only when nothing else does ("farm")."""
        # Arabic vowel marks ("بعمّان") and other combining marks are not letters: without them
        # the word is one word, not two halves.
        text = "".join(c for c in unicodedata.normalize("NFC", text or "") if not unicodedata.combining(c))
        raw_words = re.findall(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", text)[:MAX_WORDS]
        words = [key(w) for w in raw_words]
        words = [w for w in words if w]
        if not words:
            return None
        named_country = places.country_in(text or "")
        candidates = []
        for n in (4, 3, 2, 1):
            for i in range(len(words) - n + 1):
                gram = " ".join(words[i:i + n])
                for v, variant in enumerate(_variants(gram)):
                    found = self.index.get(variant)
                    # Inflected names are read in Cyrillic, and in Latin letters after a preposition
                    # that inflects them ("w Pradze"): an English "western" is no Polish case.
                    inflects = n == 1 and not _ARABIC.match(gram) and (
                        _CYRILLIC.search(gram) or i > 0 and words[i - 1] in _CASE_CUES) and gram not in self.countries
                    if found and inflects:
                        # "во Львове" is Lviv, not the village GeoNames calls Lvove: a great city
                        # the word inflects outweighs a small place it spells.
                        inflected = next((self.stems[s] for s in inflection.stems(gram)[1:] if s in self.stems), None)
                        if inflected and inflected[0].population > 50 * max(found[0].population, 1_000):
                            found = inflected + [p for p in found if p not in inflected]
                    if found:
                        # Found only once "ب" or "ل" is taken off ("بالموصل"): "in", "to", a cue.
                        joined = v > 0 and gram[:1] in "بل"
                        common = n == 1 and variant in ordinary
                        candidates.append((i, n, " ".join(raw_words[i:i + n]), found, joined, common, variant))
                        break
                else:
                    if inflects:
                        found = next((self.stems[s] for s in inflection.stems(gram) if s in self.stems), None)
                        if found and found[0].kind == "city" or found and i > 0 and words[i - 1] in LOCATIVES:
                            candidates.append((i, n, raw_words[i], found, False, gram in ordinary, "~" + gram))
        best = None
        ranked, beside = [], []
        for i, n, said, found, joined, common, variant in candidates:
            if any(j <= i and i + n <= j + m and m > n for j, m, *_ in candidates):
                continue  # "Ivano-Frankivsk", not "Ivano"
            if common and not said[:1].isupper():
                continue  # "a farm" is not the Syrian village GeoNames calls so; "Van" still is
            chosen, sure = self._choose(found, named_country, near_country)
            if chosen is None:
                continue
            if variant.startswith("~") and not _CYRILLIC.search(variant) and not (i > 0 and words[i - 1] in _CASE_CUES):
                sure = False  # "varsovi" is a slip of "Varsovie" as much as a case of it: asked, not kept
            cue = joined or (i > 0 and words[i - 1] in LOCATIVES)
            # named as a place: after a cue, capitalised, nearly alone, or (Arabic has no capitals)
            # opening the answer ("دهوك قرب المول": Duhok, near the mall)
            # "nearly alone": beside no other place's name ("riga, vieille ville" is Riga's old town)
            alone = len(words) <= n + 1 and not any(j + m <= i or j >= i + n for j, m, *_ in candidates)
            marked = bool(cue) or said[:1].isupper() or alone or (i == 0 and "\u0600" <= said[:1] <= "\u06ff")
            if named_country and chosen.country != named_country and not marked and n == 1:
                continue  # "تركيا بس ما بعرف المدينة": "the town", not Medina, in an answer naming Turkey
            if len(words[i]) <= 3 and n == 1 and not cue and chosen.population < SMALL:
                continue  # "برا" (outside) is also a German village's name in Arabic script
            strong = marked or chosen.population >= SMALL or chosen.kind == "region" or n > 1
            if chosen.kind == "region" and named_country is None and n == 1 and not cue and len(words) > 2:
                strong = False  # "Lviv" the city, not a region named like a common word
            if not strong:
                if chosen.kind == "city" and (i > 0 and said[:1] > "\u0600"):  # kept for a capital named
                    beside.append(Found(chosen, said, sure))  # by its country's name (below)
                continue
            # "a white van near Lviv": Lviv. "بمزرعة برا تلعفر" (on a farm outside Tal Afar): a
            # village GeoNames calls "the farm" yields to the town, a village named alone does not.
            # GeoNames gives some towns no population (Tal Afar): the names the world has for a
            # place stand in for its size.
            tiny = chosen.kind == "city" and max(chosen.population, 1_000 * len(chosen.names)) < 5_000 \
                and not said[:1].isupper()
            # a town before the region it is in: "en Transnistrie, à Tiraspol" is Tiraspol; and before
            # a capital named by its country's name: "بالكويت، الجهرا" is Jahra, in Kuwait
            country_named = any(v in self.countries for v in (variant, "ال" + variant, key(said))) \
                and places.country_in(said) == chosen.country  # "عمّان" is Amman, not Oman's capital

            rank = (not marked, country_named, tiny, chosen.kind == "region", i, -n)
            ranked.append((rank, Found(chosen, said, sure)))
            if best is None or rank < best[0]:
                best = (rank, Found(chosen, said, sure))
        if best and best[0][1]:  # a capital named by its country's name, beside a town of that country
            towns = [r[1] for r in sorted(ranked, key=lambda r: r[0][2:]) if not r[0][1]] + beside
            towns = [f for f in towns if f.place.country == best[1].place.country and f.place.kind == "city"]
            if towns:
                return towns[0]
        if best and best[0][0]:  # found only in words not named as a place ("la vieille ville")
            # a capitalised name nearly matching a town is likelier meant: "Mosoul, dans la vieille ville"
            return self._guess(words, raw_words, named_country, near_country, marked_only=True) or best[1]
        if best:
            return best[1]
        return self._guess(words, raw_words, named_country, near_country)

    def _choose(self, found: list[Place], named_country: str | None, near_country: str | None):
        """The place meant among those sharing a name, and whether that is sure."""
        for hint in (named_country, near_country):
            if hint:
                there = [p for p in found if p.country == hint]
                if there:
                    return there[0], True
        top = found[0]
        # A town and the region named after it are one answer; two towns of one name are not.
        others = [p for p in found[1:] if not (p.kind != top.kind and p.country == top.country)]
        if not others:
            return top, True
        rival = max(p.population for p in others)
        sure = (top.population > 0 and top.population >= 5 * rival) or (
            top.population >= 100_000 and top.population >= 3 * rival)
        return top, sure

    def _guess(self, words, raw_words, named_country, near_country, marked_only=False) -> Found | None:
        """A misspelt name: the closest name of a larger place, offered as a question."""
        short = len(words) <= 6 and not marked_only
        best = None
        for n in (3, 2, 1):
            for i in range(len(words) - n + 1):
                gram = " ".join(words[i:i + n])
                cue = i > 0 and words[i - 1] in LOCATIVES
                latin = gram.isascii()
                # Arabic writes fewer letters ("اربل" for اربيل): four are enough there.
                if len(gram) < (5 if latin else 4) or not (short or cue or raw_words[i][:1].isupper()) \
                        or gram in self.countries:
                    continue
                match = process.extractOne(gram, self.fuzzy_names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
                if match and (best is None or match[1] > best[0]):
                    chosen, _ = self._choose(self.index[match[0]], named_country, near_country)
                    if chosen is not None:
                        best = (match[1], Found(chosen, " ".join(raw_words[i:i + n]), False))
        return best[1] if best else None

    # -- by coordinates -----------------------------------------------------------------------
    def nearest(self, lat: float, lon: float, within_km: float = 50.0) -> Place | None:
        """The nearest town to a shared location, if one lies within ``within_km``."""
        row, col = math.floor(lat), math.floor(lon)
        best = None
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for p in self.grid.get((row + dy, col + dx), ()):
                    d = places.distance_km(lat, lon, p.latitude, p.longitude)
                    if d <= within_km and (best is None or d < best[0]):
                        best = (d, p)
        return best[1] if best else None


def _read(path: Path) -> list[Place]:
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            pid, kind, name, cc, region, lat, lon, pop, names = line.rstrip("\n").split("\t")
            out.append(Place(pid, kind, name, cc, region, float(lat) if lat else None,
                             float(lon) if lon else None, int(pop), tuple(names.split("|"))))
    return out


_loading = threading.Lock()


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]


def _with_regions(found: list[Place]) -> tuple[list[Place], dict[tuple[str, str], str]]:
    """The places with the regions' names in every language added, and (region id, language) ->
    the region's name in that language, to show it."""
    for pid, cc, name, lat, lon in (r[:5] for r in _rows(EXTRA_REGIONS)):
        found.append(Place(pid, "region", name, cc, name, float(lat), float(lon), 0, (name,)))
    names: dict[str, list[str]] = {}
    local: dict[tuple[str, str], str] = {}
    for pid, lang, said in (r[:3] for r in _rows(REGION_NAMES)):
        these = [n for n in said.split("|") if n.strip()]
        names.setdefault(pid, []).extend(these)
        if these:
            local.setdefault((pid, lang), these[0])
    return [replace(p, names=tuple(dict.fromkeys([*p.names, *names[p.id]]))) if p.id in names else p
            for p in found], local


@functools.lru_cache(maxsize=1)
def _loaded() -> Gazetteer:
    return Gazetteer(*_with_regions(_read(DATA)))


def load() -> Gazetteer:
    """The shipped gazetteer, read once per process (about two seconds, 200,000 names): the
    action server starts reading it at start-up, so that no one's first "where?" waits for it."""
    with _loading:  # one reading, even when the warm-up and a first answer ask at once
        return _loaded()


_SCRIPTS = {"ar": re.compile(r"[\u0600-\u06ff]"), "uk": re.compile(r"[\u0400-\u04ff]"), "ru": re.compile(r"[\u0400-\u04ff]")}


def _in_script(place: Place, lang: str, said: str | None) -> str:
    """The place's name as the person wrote it, else a name of it in the language's own script
    ("أربيل" in Arabic, not "Erbil"), else GeoNames' name."""
    if said and any(key(n) == key(said) for n in place.names):
        return place.called(said)
    script = _SCRIPTS.get(lang)
    if place.kind == "region" and (place.id, lang) in load().local:
        return load().local[(place.id, lang)]
    if script:
        return next((n for n in place.names if script.search(n)), place.name)
    return place.name


def region_name(place: Place, lang: str) -> str | None:
    """The name of a town's region in ``lang`` ("Bavière"), or None where none is known in its script."""
    if lang == "en":
        return place.region or None  # GeoNames' own English name, as the export's x_Region
    g = load()
    rid = g.region_ids.get((place.country, place.region))
    name = g.local.get((rid, lang)) if rid else None
    if name:
        return name
    script = _SCRIPTS.get(lang)
    return None if script or not place.region else place.region  # English, only among Latin letters


def describe(place: Place, lang: str, said: str | None = None) -> str:
    """"Zakho, Dahuk, Iraq": the place as the person named it, its region and its country, in the
    person's language where the gazetteer has it."""
    parts = [_in_script(place, lang, said)]
    region = region_name(place, lang) if place.kind == "city" and place.region else None
    if region and key(region) not in key(parts[0]) and key(parts[0]) not in key(region) \
            and key(place.name) not in key(place.region):
        parts.append(region)
    parts.append(places.country_name(place.country, lang))
    return ("، " if lang == "ar" else ", ").join(parts)


def by_id(place_id) -> Place | None:
    """A place kept in a conversation, if it is one of the gazetteer's (anything else is ignored)."""
    return load().by_id.get(place_id) if isinstance(place_id, str) else None

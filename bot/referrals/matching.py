"""Matching a person's place, need and language to the few services that can help.

Indexes are built once per directory (per country and service, per country, and a one-degree
geographic grid), so a match looks at the few entries that can fit, not at the whole directory
(see ``bot bench directory``). The answer is never empty: when nothing local fits, the country's
national hotline, then an international one, come instead.
"""
from __future__ import annotations

import functools
import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bot.referrals.directory import Directory, Entry, from_database
from bot.referrals.directory import load as load_files
from bot.vocabulary import places

RADIUS_KM = 300  # a shared location looks this far for services


@dataclass(frozen=True)
class Match:
    entry: Entry
    reasons: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # (message key, values)
    distance_km: float | None = None


@dataclass
class Referrals:
    directory: Directory
    # Example entries (invented or unverified contact details, `example: true`) reach people only
    # in trial mode: outside it they are never shown, whatever they would match.
    include_examples: bool = True
    by_country: dict = field(default_factory=lambda: defaultdict(list))
    by_country_service: dict = field(default_factory=lambda: defaultdict(list))
    national: dict = field(default_factory=lambda: defaultdict(list))
    international: list = field(default_factory=list)
    grid: dict = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self):
        for e in self.directory.entries:
            if e.example and not self.include_examples:
                continue
            if not e.country:
                self.international.append(e)
                continue
            if e.national:
                self.national[e.country].append(e)
            self.by_country[e.country].append(e)
            for s in e.services:
                self.by_country_service[(e.country, s)].append(e)
            if e.latitude is not None:
                cell = (math.floor(e.latitude), math.floor(e.longitude))
                self.grid[(cell, None)].append(e)
                for s in e.services:  # by service too, so a search near someone reads only what fits
                    self.grid[(cell, s)].append(e)

    # -- where ---------------------------------------------------------------------------------
    @property
    def emergency(self) -> dict[str, dict[str, str]]:
        return self.directory.emergency

    def locate(self, text: str) -> tuple[str | None, str | None]:
        """(country code, city) named in free text, in any supported language."""
        city = places.city_in(text or "", self.directory.cities)
        if city:
            return city[1], city[0]
        return places.country_in(text or "") or (self.region_in(text) or (None, None))[1], None

    def region_in(self, text: str) -> tuple[str, str] | None:
        """(region, country code) of a region named in free text ("Lviv Oblast", "Subcarpathian")."""
        return places.city_in(text or "", self.directory.regions)

    def nearest_country(self, lat: float, lon: float) -> str | None:
        near = self._near(lat, lon, set(), limit=1)
        return near[0][1].country if near else None

    def _near(self, lat: float, lon: float, wanted: set, limit: int, accept=None) -> list[tuple[float, Entry]]:
        """The ``limit`` nearest entries within RADIUS_KM that offer one of ``wanted`` (any if
        empty) and that ``accept`` lets through, searching the grid ring by ring from the person."""
        cos_lat = max(math.cos(math.radians(lat)), 0.01)
        cell_km = 111 * cos_lat  # the narrowest side of a one-degree cell here
        max_ring = min(math.ceil(RADIUS_KM / cell_km) + 1, 180)
        keys = list(wanted) or [None]
        row, col = math.floor(lat), math.floor(lon)
        seen, candidates = set(), []
        for ring in range(max_ring + 1):
            for dy in range(-ring, ring + 1):
                for dx in range(-ring, ring + 1):
                    if max(abs(dy), abs(dx)) != ring:
                        continue
                    for key in keys:
                        for e in self.grid.get(((row + dy, col + dx), key), ()):
                            if id(e) in seen or (accept and not accept(e)):
                                continue
                            seen.add(id(e))
                            # Planar distance first (cheap); the exact distance for the few kept.
                            x, y = (e.longitude - lon) * 111.32 * cos_lat, (e.latitude - lat) * 110.57
                            candidates.append((x * x + y * y, e))
            # Everything within ring * cell_km has been seen: stop once enough lie inside that.
            covered = (ring * cell_km) ** 2
            if sum(1 for d2, _ in candidates if d2 <= covered) >= limit:
                break
        nearest = heapq.nsmallest(limit, candidates, key=lambda pair: pair[0])
        exact = [(places.distance_km(lat, lon, e.latitude, e.longitude), e) for _, e in nearest]
        return sorted([pair for pair in exact if pair[0] <= RADIUS_KM], key=lambda pair: pair[0])

    # -- what ----------------------------------------------------------------------------------
    def match(self, country: str | None = None, city: str | None = None, lat: float | None = None,
              lon: float | None = None, needs: list[str] | tuple = (), serves: str | None = None,
              lang: str = "en", limit: int = 3, offset: int = 0, region: str | None = None) -> list[Match]:
        wanted = {n for n in (needs or ()) if n not in ("hotline", "__skipped__", "Other")}
        distances: dict[int, float] = {}
        if lat is not None and lon is not None:
            near = self._near(lat, lon, wanted, limit=offset + limit,
                              accept=lambda e: not e.national and (not serves or "anyone" in e.serves or serves in e.serves))
            pool = [e for _, e in near]
            distances = {id(e): d for d, e in near}
            country = country or (near[0][1].country if near else self.nearest_country(lat, lon))
        elif country:
            pool = ([e for need in wanted for e in self.by_country_service.get((country, need), ())]
                    if wanted else list(self.by_country.get(country, ())))
        else:
            pool = []

        def fits(e: Entry) -> bool:
            if e.national and not wanted:
                return False  # hotlines come last, as the fallback
            if wanted and not wanted & set(e.services):
                return False
            return not serves or "anyone" in e.serves or serves in e.serves

        def score(e: Entry):
            return (not e.example, city is not None and e.city == city, region is not None and e.state == region,
                    len(wanted & set(e.services)), lang in e.languages, -distances.get(id(e), 0.0))

        unique = {id(e): e for e in pool if fits(e)}
        ranked = heapq.nlargest(offset + limit, unique.values(), key=score)
        matches = [self._explain(e, wanted, city, lang, distances.get(id(e)), region) for e in ranked]
        if len(matches) < offset + limit:  # never empty: the national, then international, hotlines
            hotlines = sorted(self.national.get(country or "", []), key=lambda e: (e.example, lang not in e.languages))
            hotlines += sorted(self.international, key=lambda e: (e.example, lang not in e.languages))
            for e in hotlines:
                if id(e) not in unique and len(matches) < offset + limit:
                    key = "reason_national" if e.country else "reason_international"
                    matches.append(Match(e, ((key, ()),)))
        # Verified entries before examples, the real hotline included: an invented number must
        # never stand above a real one.
        matches.sort(key=lambda m: m.entry.example)
        return matches[offset:offset + limit]

    @staticmethod
    def _explain(e: Entry, wanted: set, city: str | None, lang: str, distance: float | None,
                 region: str | None = None) -> Match:
        reasons = []
        if distance is not None:
            reasons.append(("reason_distance", (("km", f"{distance:.0f}"),)))
        elif city and e.city == city:
            reasons.append(("reason_city", (("city", e.city),)))
        elif region and e.state == region:
            reasons.append(("reason_city", (("city", e.state),)))
        offered = [s for s in e.services if s in wanted]
        if offered:
            reasons.append(("reason_offers", (("needs", ",".join(offered)),)))
        if lang in e.languages:
            reasons.append(("reason_language", ()))
        return Match(e, tuple(reasons), distance)


@functools.lru_cache(maxsize=8)
def load(folder: Path, include_examples: bool = True) -> Referrals:
    """The directory in ``folder`` (only its valid entries: `bot directory validate` lists the rest)."""
    directory, _problems = load_files(Path(folder))
    return Referrals(directory, include_examples)


@functools.lru_cache(maxsize=4)
def current(database_url: str, folder: Path, include_examples: bool = True) -> Referrals:
    """The imported directory if there is one, else the shipped files."""
    try:
        imported = from_database(database_url)
    except Exception:  # no table yet: not imported
        imported = None
    return Referrals(imported, include_examples) if imported else load(folder, include_examples)


def countries_with_only_examples(referrals: Referrals) -> list[str]:
    """Countries served whose every entry is an example: people there would be shown no real
    service but a made-up one, so outside trial mode the assistant does not start."""
    return sorted(country for country, entries in referrals.by_country.items()
                  if entries and all(e.example for e in entries))

"""Local services to suggest, from the referral directory in ``data/referrals``.

This is the small sample directory's matcher; its answer is never empty: when no service fits,
the international hotline does.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot import places
from bot.questions import fold


@dataclass(frozen=True)
class Service:
    name: str
    services: tuple[str, ...]
    languages: tuple[str, ...]
    hours: str
    contact: str
    country: str = ""
    city: str = ""
    example: bool = False


@dataclass(frozen=True)
class Directory:
    services: tuple[Service, ...]
    emergency: dict[str, str]
    hotline: Service
    cities: dict[str, tuple[str, str]] = field(default_factory=dict)  # folded name -> (city, country)

    def locate(self, text: str) -> tuple[str | None, str | None]:
        """(country code, city) named in free text."""
        city = places.city_in(text or "", self.cities)
        if city:
            return city[1], city[0]
        return places.country_in(text or ""), None

    def match(self, country: str | None, city: str | None, needs: list[str] | None, lang: str,
              limit: int = 3) -> list[Service]:
        wanted = {n for n in (needs or []) if n not in ("hotline", "__skipped__")}

        def score(s: Service) -> tuple:
            return (
                s.city == city and city is not None,
                len(wanted & set(s.services)),
                lang in s.languages,
                "hotline" in s.services,
            )

        candidates = [s for s in self.services if country and s.country == country]
        fitting = [s for s in candidates if wanted & set(s.services)] if wanted else candidates
        ranked = sorted(fitting or candidates, key=score, reverse=True)[:limit]
        if not fitting:  # nothing nearby offers what was asked for: the hotline can refer further
            ranked = ranked[: limit - 1] + [self.hotline]
        return ranked


@functools.lru_cache(maxsize=8)
def load(directory: Path) -> Directory:
    services, emergency, cities = [], {}, {}
    hotline = None
    for path in sorted(Path(directory).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for e in data.get("emergency", []):
            emergency[e["country"]] = str(e["number"])
        for country, named in (data.get("cities") or {}).items():
            for city, spellings in named.items():
                for s in [city, *spellings]:
                    cities[fold(s)] = (city, country)
        for s in data.get("services", []):
            services.append(Service(
                name=s["name"], services=tuple(s["services"]), languages=tuple(s["languages"]),
                hours=s.get("hours", ""), contact=s["contact"], country=s["country"],
                city=s.get("city", ""), example=bool(s.get("example")),
            ))
        if data.get("international_hotline"):
            h = data["international_hotline"]
            hotline = Service(h["name"], tuple(h["services"]), tuple(h["languages"]), h.get("hours", ""), h["contact"])
    if hotline is None:
        raise ValueError(f"{directory}: no international_hotline entry")
    return Directory(tuple(services), emergency, hotline, cities)

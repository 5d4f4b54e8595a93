"""The referral directory: one YAML file per country or region in ``data/referrals/``.

Fields follow HTCDS's organisation fields (org_Name, org_Type, org_ShippingCity, ...Country as
ISO 3166 alpha-2, ...State, ...Street, ...Latitude, ...Longitude, org_Phone in E.164), plus what a
person needs to choose a service: services, languages, hours, who it serves, cost, how to reach
it safely, and where each entry comes from and when it was last verified. An entry whose contact
details were not taken from the organisation's own published source is ``example: true``, and the
assistant says so whenever it shows one.
"""
from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import phonenumbers
import pycountry
import yaml

ORG_TYPES = ("NGO", "LawEnforcement", "HealthServiceOrganisation", "CentralGovernmentOrganisation",
             "LocalGovernmentOrganisation", "ImmigrationService", "LegalService", "CorporateBusiness",
             "SchoolOrCollege", "InternationalOrganisation")
SERVICES = ("shelter", "medical", "legal", "psychological", "child_protection", "hotline", "documents",
            "return_home", "basic_needs")
SERVES = ("anyone", "women", "children", "men", "families")
COSTS = ("free", "low_cost", "paid", "unknown")
FIELDS = {"name", "type", "example", "national", "city", "state", "street", "latitude", "longitude", "phone",
          "services", "languages", "hours", "serves", "cost", "reach_safely", "source", "verified", "country"}
REQUIRED = ("name", "type", "services", "languages", "serves", "source", "verified")
# "silent": a published way to reach help without speaking (an SMS number, an app), shown to
# someone who said they cannot call. Only from the service's own published source.
EMERGENCY_KEYS = ("general", "police", "ambulance", "fire", "note", "silent")


@dataclass(frozen=True)
class Entry:
    name: str
    type: str
    country: str  # ISO 3166 alpha-2; "" for an international service
    services: tuple[str, ...]
    languages: tuple[str, ...]
    serves: tuple[str, ...]
    source: str
    verified: str  # ISO date
    phone: str = ""
    city: str = ""
    state: str = ""
    street: str = ""
    latitude: float | None = None
    longitude: float | None = None
    hours: str = ""
    cost: str = "unknown"
    reach_safely: str = ""
    example: bool = False
    national: bool = False  # a national hotline: serves the whole country

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def htcds(self) -> dict[str, Any]:
        return {"org_Name": self.name, "org_Type": self.type, "org_ShippingCity": self.city or None,
                "org_ShippingCountry": self.country or None, "org_ShippingState": self.state or None,
                "org_ShippingStreet": self.street or None, "org_ShippingLatitude": self.latitude,
                "org_ShippingLongitude": self.longitude, "org_Phone": self.phone or None}


@dataclass
class Directory:
    entries: list[Entry] = field(default_factory=list)
    emergency: dict[str, dict[str, str]] = field(default_factory=dict)
    cities: dict[str, tuple[str, str]] = field(default_factory=dict)  # folded spelling -> (city, country)
    regions: dict[str, tuple[str, str]] = field(default_factory=dict)  # folded spelling -> (region, country)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _is_country(code: Any) -> bool:
    return isinstance(code, str) and (code == "XK" or pycountry.countries.get(alpha_2=code) is not None)


def _is_language(code: Any) -> bool:
    return isinstance(code, str) and len(code) == 2 and pycountry.languages.get(alpha_2=code) is not None


def _lines(node) -> dict[int, tuple[int, dict[str, int]]]:
    """For each service entry (by index): its line, and the line of each of its keys."""
    out = {}
    if not isinstance(node, yaml.MappingNode):
        return out
    for key, value in node.value:
        if key.value == "services" and isinstance(value, yaml.SequenceNode):
            for i, item in enumerate(value.value):
                keys = {k.value: k.start_mark.line + 1 for k, _ in getattr(item, "value", []) if hasattr(k, "value")} \
                    if isinstance(item, yaml.MappingNode) else {}
                out[i] = (item.start_mark.line + 1, keys)
    return out


def _check_entry(raw: Any, country: str, where, today: date, max_age_days: int) -> tuple[Entry | None, list[tuple[str, str]]]:
    """An Entry, or None, and (field, message) problems."""
    problems: list[tuple[str, str]] = []
    if not isinstance(raw, dict):
        return None, [("", "a service must be a mapping of fields")]
    for key in raw:
        if key not in FIELDS:
            problems.append((key, f"unknown field '{key}'"))
    for key in REQUIRED:
        if raw.get(key) in (None, "", []):
            problems.append((key, f"'{key}' is required"))
    entry_country = raw.get("country", country)
    if entry_country and not _is_country(entry_country):
        problems.append(("country", f"country '{entry_country}' is not an ISO 3166 alpha-2 code"))
    if raw.get("type") and raw["type"] not in ORG_TYPES:
        problems.append(("type", f"type '{raw['type']}' is not one of {', '.join(ORG_TYPES)}"))
    for key, allowed in (("services", SERVICES), ("serves", SERVES)):
        values = raw.get(key) or []
        if not isinstance(values, list):
            problems.append((key, f"'{key}' must be a list"))
            continue
        for v in values:
            if v not in allowed:
                problems.append((key, f"{key} value '{v}' is not one of {', '.join(allowed)}"))
    languages = raw.get("languages") or []
    for code in languages if isinstance(languages, list) else []:
        if not _is_language(code):
            problems.append(("languages", f"language '{code}' is not an ISO 639-1 code"))
    if raw.get("cost", "unknown") not in COSTS:
        problems.append(("cost", f"cost '{raw.get('cost')}' is not one of {', '.join(COSTS)}"))
    lat, lon = raw.get("latitude"), raw.get("longitude")
    if (lat is None) != (lon is None):
        problems.append(("latitude", "give both latitude and longitude, or neither"))
    if lat is not None and not (isinstance(lat, (int, float)) and -90 <= lat <= 90):
        problems.append(("latitude", f"latitude {lat} is not between -90 and 90"))
    if lon is not None and not (isinstance(lon, (int, float)) and -180 <= lon <= 180):
        problems.append(("longitude", f"longitude {lon} is not between -180 and 180"))
    phone = str(raw.get("phone") or "")
    if phone:
        try:
            number = phonenumbers.parse(phone, None)
            valid = phonenumbers.is_valid_number(number)
        except phonenumbers.NumberParseException:
            valid = False
        if not valid or phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) != phone:
            problems.append(("phone", f"phone '{phone}' is not a valid number in E.164 form (+CCNNN...)"))
        elif entry_country and entry_country != "XK" and \
                phonenumbers.region_code_for_number(number) not in (entry_country, None):
            problems.append(("phone", f"phone '{phone}' is not a number of {entry_country}"))
    verified = raw.get("verified")
    try:
        when = verified if isinstance(verified, date) else datetime.strptime(str(verified), "%Y-%m-%d").date()
        if when > today:
            problems.append(("verified", f"verified date {when} is in the future"))
        elif when < today - timedelta(days=max_age_days):
            problems.append(("verified", f"not verified for over {max_age_days} days (last: {when})"))
    except (TypeError, ValueError):
        if verified not in (None, ""):
            problems.append(("verified", f"verified '{verified}' is not a date (YYYY-MM-DD)"))
    if problems:
        return None, problems
    return Entry(
        name=str(raw["name"]), type=raw["type"], country=entry_country or "", services=tuple(raw["services"]),
        languages=tuple(raw["languages"]), serves=tuple(raw["serves"]), source=str(raw["source"]),
        verified=str(raw["verified"]), phone=phone, city=str(raw.get("city") or ""),
        state=str(raw.get("state") or ""), street=str(raw.get("street") or ""),
        latitude=float(lat) if lat is not None else None, longitude=float(lon) if lon is not None else None,
        hours=str(raw.get("hours") or ""), cost=raw.get("cost", "unknown"),
        reach_safely=str(raw.get("reach_safely") or ""), example=bool(raw.get("example")),
        national=bool(raw.get("national")),
    ), []


def load(folder: Path, today: date | None = None, max_age_days: int = 365) -> tuple[Directory, list[Problem]]:
    """Read every ``*.yml`` file; return what is valid and every problem found, with its line."""
    from bot.vocabulary.text import fold

    today = today or date.today()
    directory, problems = Directory(), []
    seen: dict[tuple, str] = {}
    for path in sorted(Path(folder).glob("*.yml")):
        rel = str(path)
        text = path.read_text(encoding="utf-8")
        try:
            node, data = yaml.compose(text), yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problems.append(Problem(rel, (mark.line + 1) if mark else 1, f"not valid YAML: {getattr(exc, 'problem', exc)}"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(rel, 1, "the file must be a mapping with 'country' (or 'international: true') and 'services'"))
            continue
        country = data.get("country") or ""
        if not data.get("international") and not _is_country(country):
            problems.append(Problem(rel, 1, f"country '{country}' is not an ISO 3166 alpha-2 code"))
            continue
        emergency = data.get("emergency")
        if country:
            if not isinstance(emergency, dict) or not emergency.get("general") and not emergency.get("police"):
                problems.append(Problem(rel, 1, "a country file needs 'emergency' numbers (general and/or police)"))
            else:
                directory.emergency[country] = {k: str(v) for k, v in emergency.items() if k in EMERGENCY_KEYS}
        for city, spellings in (data.get("cities") or {}).items():
            for spelling in [city, *(spellings or [])]:
                directory.cities[fold(str(spelling))] = (str(city), country)
        for region, spellings in (data.get("regions") or {}).items():
            for spelling in [region, *(spellings or [])]:
                directory.regions[fold(str(spelling))] = (str(region), country)
        lines = _lines(node)
        for i, raw in enumerate(data.get("services") or []):
            line, key_lines = lines.get(i, (1, {}))
            entry, found = _check_entry(raw, country, rel, today, max_age_days)
            for key, message in found:
                problems.append(Problem(rel, key_lines.get(key, line), message))
            if entry is None:
                continue
            for dup_key in ((fold(entry.name), fold(entry.city), entry.country), ("phone", entry.phone)):
                if dup_key[-1] and dup_key in seen:
                    problems.append(Problem(rel, line, f"duplicate of the entry at {seen[dup_key]}"))
                    break
            else:
                for dup_key in ((fold(entry.name), fold(entry.city), entry.country), ("phone", entry.phone)):
                    if dup_key[-1]:
                        seen[dup_key] = f"{rel}:{line}"
                directory.entries.append(entry)
                if entry.state:  # an entry's region is recognised by its own name
                    directory.regions.setdefault(fold(entry.state), (entry.state, entry.country))
    return directory, problems


# --- the database copy ----------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _table():
    """The imported referral directory: public information, stored in the clear."""
    from sqlalchemy import Column, Integer, String, Table, Text

    from bot.database import Base

    return Table("referral_entries", Base.metadata,
                 Column("position", Integer, primary_key=True),
                 Column("country", String(2), nullable=False, index=True),
                 Column("entry", Text, nullable=False))


def import_to_database(database_url: str, directory: Directory) -> int:
    """Replace the directory in the database with ``directory``, in one transaction."""
    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from bot import database

    database.upgrade(database_url)
    table = _table()
    with Session(database.engine(database_url)) as session, session.begin():
        session.execute(delete(table))
        session.execute(table.insert(), [
            {"position": i, "country": e.country,
             "entry": json.dumps({"kind": "service", "service": e.as_dict()}, ensure_ascii=False)}
            for i, e in enumerate(directory.entries)] + [
            {"position": -1 - i, "country": c, "entry": json.dumps({"kind": "emergency", "numbers": n})}
            for i, (c, n) in enumerate(sorted(directory.emergency.items()))] + [
            {"position": -10_000 - i, "country": country,
             "entry": json.dumps({"kind": "city", "spelling": spelling, "city": city}, ensure_ascii=False)}
            for i, (spelling, (city, country)) in enumerate(sorted(directory.cities.items()))] + [
            {"position": -100_000 - i, "country": country,
             "entry": json.dumps({"kind": "region", "spelling": spelling, "region": region}, ensure_ascii=False)}
            for i, (spelling, (region, country)) in enumerate(sorted(directory.regions.items()))])
    return len(directory.entries)


def from_database(database_url: str) -> Directory | None:
    """The imported directory, or None when nothing was imported."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from bot import database

    table = _table()
    with Session(database.engine(database_url)) as session:
        rows = session.execute(select(table.c.position, table.c.country, table.c.entry)
                               .order_by(table.c.position)).all()
    if not rows:
        return None
    directory = Directory()
    for position, country, entry in rows:
        row = json.loads(entry)
        if row["kind"] == "emergency":
            directory.emergency[country] = row["numbers"]
        elif row["kind"] == "city":
            directory.cities[row["spelling"]] = (row["city"], country)
        elif row["kind"] == "region":
            directory.regions[row["spelling"]] = (row["region"], country)
        else:
            data = row["service"]
            directory.entries.append(Entry(**{**data, "services": tuple(data["services"]),
                                              "languages": tuple(data["languages"]), "serves": tuple(data["serves"])}))
    return directory

"""A report as reviewers receive it: built from a conversation's answers, sealed as JSON."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from bot.vocabulary import counts, dates, gazetteer, people
from bot.vocabulary.fields import REPORT, REPORT_PATHS, answered

KINDS = {"report": "incident_report", "third_party": "third_party_concern", "help": "help_request"}


def answers(slots: dict[str, Any]) -> dict[str, Any]:
    """The report questions that were answered (not skipped, not applicable)."""
    return {q.slot: slots.get(q.slot) for q in REPORT if answered(slots.get(q.slot))}


class Refused(ValueError):
    """Slots that no conversation of this assistant could have produced: nothing is sealed."""


_TEXT_EXTRAS = ("exploitation_type_text", "control_signs_text", "needs_text")


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def check(slots: dict[str, Any]) -> None:
    """Refuse what a forged call to the action server could carry: no consent, or answers of a
    type the conversation never stores (a number as the narrative, a list as the gender made
    reviewing fail for every report)."""
    if slots.get("consent") != "yes":
        raise Refused("no consent to send a report")
    if not isinstance(slots.get("draft_id"), str) or not slots["draft_id"]:
        raise Refused("no draft")
    if slots.get("path") not in REPORT_PATHS:
        raise Refused("unknown path")
    for q in REPORT:
        value = slots.get(q.slot)
        if value is None:
            continue
        ok = _is_text_list(value) or isinstance(value, str) if q.kind == "multi" else isinstance(value, str)
        if not ok:
            raise Refused(f"{q.slot} is not of its type")
    for key in _TEXT_EXTRAS:
        if slots.get(key) is not None and not isinstance(slots[key], str):
            raise Refused(f"{key} is not text")
    for key in ("victims_count_number", "incident_date_at"):
        number = slots.get(key)
        if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
            raise Refused(f"{key} is not a number")
    age = slots.get("age_under_18")
    if age is not None and (isinstance(age, bool) or not isinstance(age, (int, str))):
        raise Refused("age_under_18 is not an age")
    needs = slots.get("needs")
    if needs is not None and not (isinstance(needs, str) or _is_text_list(needs)):
        raise Refused("needs is not a list of needs")


def answered_at(slots: dict[str, Any]) -> datetime | None:
    at = slots.get("incident_date_at")
    if isinstance(at, int) and not isinstance(at, bool) and 0 < at < 2**40:
        return datetime.fromtimestamp(at, timezone.utc)
    return None


def understood(given: dict[str, Any], slots: dict[str, Any], lang: str) -> dict[str, Any]:
    """What the free answers say in the standard's terms, read again from the person's words (never
    from anything a caller could slip in beside them): the date, the count and ages, the
    citizenship and languages of the people seen, the roles of the people in control."""
    found: dict[str, Any] = {}
    if "incident_date" in given:
        when = dates.understand(given["incident_date"], lang, answered_at(slots))
        if when:
            found["incident_date_iso"] = when.date
            found["incident_when"] = when.as_dict()
    if "victims_count" in given:
        count = counts.understand(given["victims_count"], lang)
        if count.number is not None:
            found["victims_count_number"] = count.number
        if count.as_dict():
            found["victims_count"] = count.as_dict()
        if count.youngest is not None:
            found["youngest_age"] = count.youngest
    if "victims_nationality" in given:
        seen = people.citizenship_and_languages(given["victims_nationality"])
        found.update({k: v for k, v in seen.items() if v})
    if "perpetrators" in given:
        found["perpetrator_roles"] = people.roles_in(given["perpetrators"], lang)
    return found


def where(words: str, place_id: Any, directory=None) -> dict[str, Any]:
    """The place of a report in the standard's terms: the gazetteer's place the conversation
    settled on (a name found, a guess the person confirmed, the town nearest a shared location),
    else a city or country of the referral directory named in the words."""
    place = gazetteer.by_id(place_id)
    if place is None:
        if directory is None:
            return {}
        country, city = directory.locate(words)
        return {"country": country, "city": city}
    # A town's coordinates, never a shared location's own: a report needs the town, and a
    # survivor's exact position is not kept beyond what finding services needed.
    return {"country": place.country, "city": place.name if place.kind == "city" else None,
            "region": place.region or None, "latitude": place.latitude, "longitude": place.longitude,
            "geonames_id": place.id}


def build(slots: dict[str, Any], lang: str, transcript: list[dict], directory=None) -> dict[str, Any]:
    """The plaintext report that is sealed: every answer as given, plus what was derived."""
    given = answers(slots)
    derived: dict[str, Any] = {}
    derived.update(understood(given, slots, lang))
    if "place" in given:
        derived.update(where(given["place"], slots.get("place_place"), directory))
    for extra in ("exploitation_type_text", "control_signs_text", "needs", "needs_text", "location",
                  "age_under_18"):
        if answered(slots.get(extra)):
            derived[extra] = slots[extra]
    if "location" in derived:  # where a person asking for help is, as the conversation settled it
        for extra in ("location_country", "location_city"):
            if isinstance(slots.get(extra), str) and slots[extra]:
                derived[extra] = slots[extra]
    urgent = slots.get("immediate_danger") == "yes" or slots.get("in_danger") == "yes"
    # Someone under 18: reviewers see it first, whatever path the conversation took.
    minor = slots.get("age_under_18") is not None or slots.get("minors") == "yes"
    return {
        "minor": minor,
        "kind": KINDS.get(slots.get("path") or "report", "incident_report"),
        "language": lang,
        "channel": slots.get("channel") if slots.get("channel") in ("rest", "telegram") else None,
        "submitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "urgent": urgent,
        "answers": given,
        "derived": {k: v for k, v in derived.items() if v is not None},
        "transcript": transcript,
        "services_shown": _services(slots.get("services_shown")),
    }


def _services(value: Any) -> list[dict[str, str]]:
    """The services the conversation showed: a list of short text fields, anything else dropped."""
    if not isinstance(value, list):
        return []
    return [{k: v[:300] for k, v in s.items() if isinstance(k, str) and isinstance(v, str)}
            for s in value[:30] if isinstance(s, dict)]


def to_bytes(report: dict[str, Any]) -> bytes:
    return json.dumps(report, ensure_ascii=False, sort_keys=True).encode("utf-8")

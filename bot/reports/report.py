"""A report as reviewers receive it: built from a conversation's answers, sealed as JSON."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from bot.vocabulary import dates
from bot.vocabulary.fields import REPORT, answered

KINDS = {"report": "incident_report", "third_party": "third_party_concern", "help": "help_request"}


def answers(slots: dict[str, Any]) -> dict[str, Any]:
    """The report questions that were answered (not skipped, not applicable)."""
    return {q.slot: slots.get(q.slot) for q in REPORT if answered(slots.get(q.slot))}


def build(slots: dict[str, Any], lang: str, transcript: list[dict], directory=None) -> dict[str, Any]:
    """The plaintext report that is sealed: every answer as given, plus what was derived."""
    given = answers(slots)
    derived: dict[str, Any] = {}
    if "incident_date" in given:
        derived["incident_date_iso"] = dates.parse(given["incident_date"], lang)
    if "place" in given and directory is not None:
        derived["country"], derived["city"] = directory.locate(given["place"])
    if slots.get("victims_count_number") is not None:
        derived["victims_count_number"] = slots["victims_count_number"]
    for extra in ("exploitation_type_text", "control_signs_text", "needs", "needs_text", "location",
                  "age_under_18"):
        if answered(slots.get(extra)):
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
    }


def to_bytes(report: dict[str, Any]) -> bytes:
    return json.dumps(report, ensure_ascii=False, sort_keys=True).encode("utf-8")

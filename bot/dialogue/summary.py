"""The summary a person reads before sending: each answer in their language, beside their own words."""
from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date

from bot.dialogue import messages
from bot.reports import report
from bot.vocabulary import counts, dates, gazetteer
from bot.vocabulary.fields import BY_SLOT, NOT_APPLICABLE, REPORT, answered, options_key


def display_value(slot: str, value: Any, lang: str, path: str | None = None) -> str:
    """An answer as the person sees it in the summary, in their language."""
    if not answered(value):
        return messages.text("not_given", lang)
    question = BY_SLOT[slot]
    if question.kind in ("choice", "multi"):
        opts = messages.options(options_key(slot, path), lang)
        values = value if isinstance(value, list) else [value]
        return ", ".join(opts[v]["label"] if v in opts else str(v) for v in values)
    return str(value)


BABEL_LOCALES = {"en": "en_GB"}  # day first, as written across Europe


def _day(iso: str, lang: str) -> str:
    return format_date(date.fromisoformat(iso), format="full", locale=BABEL_LOCALES.get(lang, lang))


def understood(slot: str, slots: dict[str, Any], lang: str) -> str | None:
    """What the assistant read in a free answer, in the person's language, so that a misreading
    can be seen and corrected before anything is sent: "Tuesday 24 November 2026, around 23:00",
    "about 12 people, 2 under 18". None where there is nothing to read."""
    text = slots.get(slot)
    if not isinstance(text, str) or not answered(text):
        return None
    if slot == "place":
        place = gazetteer.by_id(slots.get("place_place"))
        if place is None or text == messages.text("shared_location", lang):
            return gazetteer.describe(place, lang) if place else None
        hit = gazetteer.load().find(text, ordinary=messages.ordinary_words(lang))
        return gazetteer.describe(place, lang, said=hit.said if hit and hit.place == place else None)
    if slot == "incident_date":
        when = dates.understand(text, lang, report.answered_at(slots))
        if when is None:
            return messages.text("understood_not", lang)
        shown = _day(when.date, lang)
        if when.until:
            shown = messages.text("understood_range", lang, first=shown, last=_day(when.until, lang))
        if when.time:
            key = "understood_at" if when.approximate else "understood_at_exactly"
            return messages.text(key, lang, date=shown, time=when.time)
        return messages.text("understood_about", lang, value=shown) if when.approximate and not when.until else shown
    if slot == "victims_count":
        count = counts.understand(text, lang)
        parts = []
        if count.number is not None:
            people = (messages.text("understood_people_range", lang, number=count.number, up_to=count.up_to)
                      if count.up_to else messages.text("understood_people", lang, number=count.number))
            parts.append(messages.text("understood_about", lang, value=people)
                         if count.approximate and not count.up_to else people)
        if count.minors:
            parts.append(messages.text("understood_minors", lang, count=count.minors))
        elif count.minors_mentioned:
            parts.append(messages.text("understood_some_minors", lang))
        if count.ages:
            parts.append(messages.text("understood_ages", lang, ages=", ".join(str(a) for a in count.ages)))
        return messages.text("understood_separator", lang).join(parts) or None
    return None


def summary_lines(slots: dict[str, Any], lang: str) -> list[str]:
    path = slots.get("path")
    lines = []
    if path == "help":
        # A survivor's request to be contacted: what she needs, where, and in which language are
        # what the person who calls back must know; she reads them before anything is sent.
        for slot in ("needs", "location"):
            if slots.get(slot) is not None:
                shown = display_value(slot, slots[slot], lang, path)
                if slots.get(f"{slot}_text"):
                    shown = f"{shown} ({slots[f'{slot}_text']})"
                lines.append(messages.text("summary_line", lang, label=messages.field(slot, lang), value=shown))
        lines.append(messages.text("summary_line", lang, label=messages.field("language", lang),
                                   value=messages.language_name(slots.get("language") or lang)))
    for q in REPORT:
        value = slots.get(q.slot)
        if q.slot == "consent" or value == NOT_APPLICABLE or value is None:
            continue
        shown = display_value(q.slot, value, lang, path)
        read = understood(q.slot, slots, lang)
        if read:  # what it was taken to mean, then the person's own words
            shown = f"{read} ({shown})"
        if slots.get(f"{q.slot}_text"):  # what the person typed, beside what it was taken to mean
            shown = f"{shown} ({slots[f'{q.slot}_text']})" if value != ["Other"] else slots[f"{q.slot}_text"]
        lines.append(messages.text("summary_line", lang, label=messages.field(q.slot, lang), value=shown))
    return lines

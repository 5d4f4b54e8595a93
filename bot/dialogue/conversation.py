"""What the assistant says at each step: the questions with their buttons, emergency numbers,
the services found, the summary and the corrections, in the person's language.

The engine (``bot.dialogue.engine``) decides which of these to say; each function here takes what
is known (the answers as flat slots, the language, the directory) and returns ``Reply`` objects.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.dialogue import language, messages
from bot.dialogue.answers import question_key
from bot.dialogue.summary import summary_lines
from bot.referrals.matching import Referrals
from bot.vocabulary import gazetteer, places
from bot.vocabulary.language_names import language_name
from bot.vocabulary.fields import (
    BY_SLOT,
    NOT_APPLICABLE,
    REPORT,
    options_key,
)

PAGE = 3  # services shown at once: a few, clearly
SERVES = {"woman": "women", "man": "men", "child": "children", "family": "families"}


@dataclass
class Reply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    lang: str | None = None  # when not the conversation's language (an offer in another language)


def payload(intent: str, **entities: Any) -> str:
    return f"/{intent}{json.dumps(entities, separators=(',', ':'))}" if entities else f"/{intent}"


def language_buttons() -> list[dict[str, str]]:
    return [{"title": messages.language_name(code), "payload": payload("change_language", language=code)}
            for code in language.SUPPORTED]


def menu_buttons(lang: str) -> list[dict[str, str]]:
    return [
        {"title": messages.button("report", lang), "payload": "/report_incident"},
        {"title": messages.button("help", lang), "payload": "/request_help"},
        {"title": messages.button("third_party", lang), "payload": "/worried_about_someone"},
    ]


# --- opening and safety -------------------------------------------------------------------

PATH_INTENTS = BY_SLOT["path"].intents


def exit_button(lang: str) -> dict[str, str]:
    """Leave at once without a trace: on every channel, beside the first choices and in help."""
    return {"title": messages.button("exit", lang), "payload": "/exit_chat"}


def emergency_lines(lang: str, referrals: Referrals, country: str | None) -> list[str]:
    numbers = referrals.emergency
    shown = {country: numbers[country]} if country in numbers else numbers
    lines = []
    for code, n in shown.items():
        main = n.get("general") or n.get("police")
        others = ", ".join(f"{messages.text('emergency_' + k, lang)} {v}" for k, v in n.items()
                           if k in ("police", "ambulance") and v != main)
        lines.append(messages.text("emergency_line", lang, country=places.country_name(code, lang),
                                   number=main + (f" ({others})" if others else "")))
    return lines


def emergency(lang: str, referrals: Referrals, country: str | None) -> list[Reply]:
    lines = [messages.text("emergency_intro", lang), *emergency_lines(lang, referrals, country)]
    if country not in referrals.emergency:
        lines.append(messages.text("emergency_general", lang))
    lines.append(messages.text("emergency_after", lang))
    return [Reply("\n".join(lines))]


# --- questions ----------------------------------------------------------------------------

def _reason(key: str, values: tuple, lang: str) -> str:
    values = dict(values)
    if key == "reason_offers":
        labels = messages.options("needs", lang)
        values["needs"] = ", ".join(labels.get(n, {"label": n})["label"].lower() for n in values["needs"].split(","))
    if key == "reason_language":
        values["language"] = messages.language_name(lang)
    return messages.text(key, lang, **values)


def services_shown(slots: dict[str, Any], lang: str, referrals: Referrals) -> list[dict[str, str]]:
    """The services the person was shown (every page they asked for), for the reviewer: what
    they may already have called. The same match as ``services_list``, so the same services."""
    # Only a person asked "where are you now?" was shown services; a report's place also sets the
    # country (for the emergency number), and must not make services appear that nobody saw.
    asked = isinstance(slots.get("location"), str) and slots["location"] not in ("", "__skipped__", "__not_applicable__")
    if referrals is None or not (asked or slots.get("location_lat") is not None):
        return []
    country, city = slots.get("location_country"), slots.get("location_city")
    needs = slots.get("needs") if isinstance(slots.get("needs"), list) else []
    region = (referrals.region_in(slots.get("location") or "") or (None,))[0] if not city else None
    found = []
    for offset in range(0, int(slots.get("services_offset") or 0) + PAGE, PAGE):  # page by page, as shown
        found += referrals.match(country, city, slots.get("location_lat"), slots.get("location_lon"), needs,
                                 SERVES.get(slots.get("for_whom") or ""), lang, limit=PAGE, offset=offset, region=region)
    return [{"name": m.entry.name, "contact": m.entry.phone or m.entry.source, "country": m.entry.country,
             "city": m.entry.city, "services": ", ".join(m.entry.services),
             "example": "yes" if m.entry.example else "no"} for m in found]


def services_list(slots: dict[str, Any], lang: str, referrals: Referrals) -> list[Reply]:
    """The next few matching services, each with why it was chosen; emergency numbers first
    when the person said they are in danger."""
    country, city = slots.get("location_country"), slots.get("location_city")
    needs = slots.get("needs") if isinstance(slots.get("needs"), list) else []
    offset = int(slots.get("services_offset") or 0)
    region = (referrals.region_in(slots.get("location") or "") or (None,))[0] if not city else None
    found = referrals.match(country, city, slots.get("location_lat"), slots.get("location_lon"), needs,
                            SERVES.get(slots.get("for_whom") or ""), lang, limit=PAGE, offset=offset,
                            region=region)
    lines = []
    if slots.get("in_danger") == "yes" and offset == 0:
        lines += [messages.text("emergency_intro", lang), *emergency_lines(lang, referrals, country), ""]
    if not found:
        return [Reply("\n".join(lines + [messages.text("services_no_more", lang)]))]
    replies: list[Reply] = []
    local = [m for m in found if m.entry.country and not m.entry.national]
    if offset == 0 and not local:
        lines.append(messages.text("services_none", lang))
    elif offset == 0:
        where = city or region or (places.country_name(country, lang) if country else None)
        lines.append(messages.text("services_intro", lang,
                                   where=messages.text("services_where", lang, place=where) if where else ""))
    cost_labels = {"free": "cost_free", "low_cost": "cost_low", "paid": "cost_paid"}
    # One message per service: on a phone, a card each, not one paragraph of 1 300 px.
    if lines:  # "show more" has no introduction: never an empty message
        replies.append(Reply("\n".join(lines)))
    for m in found:
        e = m.entry
        lines = []
        offered = ", ".join(messages.options("needs", lang).get(n, {"label": n})["label"] for n in e.services)
        lines.append(messages.text("service_line", lang, name=e.name, services=offered,
                                   languages=", ".join(language_name(code, lang) for code in e.languages),
                                   hours=e.hours or "—", contact=e.phone or e.source))
        why = "; ".join(_reason(k, v, lang) for k, v in m.reasons)
        if why:
            lines.append(messages.text("service_reason", lang, reason=why))
        if e.cost in cost_labels:
            lines.append(messages.text(cost_labels[e.cost], lang))
        if e.reach_safely:
            lines.append(messages.text("service_reach", lang, how=e.reach_safely))
        if e.example:
            lines.append(messages.text("service_example_note", lang))
        replies.append(Reply("\n".join(lines)))
    return replies


def privacy(lang: str, channel: str | None, before_consent: bool = False) -> str:
    """What is protected and what is not, in plain words, for the channel the person is on:
    Telegram (the company) reads every message there, a browser keeps its history, and while a
    conversation is in progress the people who run the service hold the key to its state."""
    lines = [messages.text("privacy_notice" if before_consent else "privacy", lang)]
    if channel == "telegram":
        lines.append(messages.text("privacy_telegram", lang))
    elif channel == "rest":
        lines.append(messages.text("privacy_web", lang))
    lines.append(messages.text("privacy_notice_after" if before_consent else "privacy_device", lang))
    return "\n".join(lines)


def ask(slot: str, slots: dict[str, Any], lang: str, directory: Referrals, services: bool = True) -> list[Reply]:
    """The question for ``slot``, with its buttons, in the person's language (``services``: with
    the list of services before the question after them; not when it is only asked again)."""
    question, path = BY_SLOT[slot], slots.get("path")
    replies: list[Reply] = []
    if slot == "next_step":
        if services:
            replies += services_list(slots, lang, directory)
        text = messages.text("next_step_third_party" if path == "third_party" else "next_step_help", lang)
    else:
        text = messages.question(question_key(slot, path), lang)
    if slot == "consent" and services:
        replies.append(Reply(privacy(lang, slots.get("channel"), before_consent=True)))
    buttons = []
    if question.kind in ("choice", "multi"):
        buttons = [{"title": o["label"], "payload": payload("inform", choice=value)}
                   for value, o in messages.options(options_key(slot, path), lang).items()]
    if slot in ("location", "place"):  # or pick a country
        buttons = [{"title": places.country_name(code, lang), "payload": payload("inform", choice=code)}
                   for code in sorted(directory.emergency, key=lambda c: places.country_name(c, lang))]
    if not question.required_on(path) and slot not in ("next_step", "consent", "path"):
        buttons.append({"title": messages.button("skip", lang), "payload": "/skip"})
    replies.append(Reply(text, buttons))
    return replies


def did_you_mean(place, lang: str) -> Reply:
    """"Did you mean Warsaw, Masovian Voivodeship, Poland?": a place guessed from a misspelling or
    a name several places share is kept only when the person says so."""
    buttons = [{"title": messages.button("yes", lang), "payload": "/affirm"},
               {"title": messages.button("no", lang), "payload": "/deny"}]
    return Reply(messages.text("place_did_you_mean", lang, place=gazetteer.describe(place, lang)), buttons)


def shared_location(metadata: dict | None) -> tuple[float, float] | None:
    """Coordinates a channel passed on (a shared location), if valid."""
    where = (metadata or {}).get("location") or {}
    try:
        lat, lon = float(where["latitude"]), float(where["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


# --- summary, correction ------------------------------------------------------------------

def summary(slots: dict[str, Any], lang: str) -> list[Reply]:
    lines = [messages.text("summary_intro", lang), *summary_lines(slots, lang)]
    return [Reply("\n".join(lines)), summary_question(lang)]


def summary_question(lang: str) -> Reply:
    """Send, change or stop: asked after the summary, and again after anything said at it."""
    buttons = [
        {"title": messages.button("send", lang), "payload": "/affirm"},
        {"title": messages.button("change", lang), "payload": "/go_back"},
        {"title": messages.button("stop", lang), "payload": "/stop"},
    ]
    return Reply(messages.text("summary_question", lang), buttons)


def corrections(slots: dict[str, Any], lang: str) -> list[Reply]:
    buttons = [{"title": messages.field(q.slot, lang), "payload": payload("go_back", field=q.slot)}
               for q in REPORT if q.slot != "consent" and slots.get(q.slot) not in (None, NOT_APPLICABLE)]
    buttons.append({"title": messages.button("send", lang), "payload": "/affirm"})
    return [Reply(messages.text("choose_correction", lang), buttons)]


def correctable(field_name: str | None, slots: dict[str, Any]) -> bool:
    return (field_name in {q.slot for q in REPORT} and field_name != "consent"
            and slots.get(field_name) not in (None, NOT_APPLICABLE))

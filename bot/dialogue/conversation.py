"""What the assistant says and remembers at each step: the dialogue's decisions, without Rasa.

Each function takes what is known (slots, the person's message, the language) and returns
``Reply`` objects to send and slot updates to make. ``actions/`` only translates these to Rasa.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from bot.dialogue import language, messages
from bot.dialogue.answers import MAX_COMMAND_WORDS, interpret, question_key
from bot.dialogue.summary import summary_lines
from bot.referrals.matching import Referrals
from bot.vocabulary import places
from bot.vocabulary.fields import (
    BY_SLOT,
    CONVERSATION_SLOTS,
    FORMS,
    NOT_APPLICABLE,
    REPORT,
    SKIPPED,
    not_applicable,
    options_key,
)
from bot.vocabulary.text import MAX_ANSWER_CHARS, word_count

PAGE = 3  # services shown at once: a few, clearly
SERVES = {"woman": "women", "man": "men", "child": "children", "family": "families"}


@dataclass
class Reply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Step:
    """The outcome of one message: what to say, which slots change."""

    replies: list[Reply] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)


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


def cleared(keep_language: str | None = None) -> dict[str, Any]:
    """Every slot that holds what a person said, emptied. The language is kept."""
    slots = {name: None for name in CONVERSATION_SLOTS}
    slots["requested_slot"] = None
    if keep_language:
        slots["language"] = keep_language
    # Last, so that it follows every reset: the tracker store forgets all before this marker.
    slots["conversation_closed"] = True
    return slots


# --- opening and safety -------------------------------------------------------------------

PATH_INTENTS = BY_SLOT["path"].intents


def exit_button(lang: str) -> dict[str, str]:
    """Leave at once without a trace: on every channel, beside the first choices and in help."""
    return {"title": messages.button("exit", lang), "payload": "/exit_chat"}


def welcome(lang: str, intent: str | None, first_time: bool, paused: bool) -> Step:
    replies = [Reply(messages.text("welcome" if first_time else "welcome_again", lang))]
    if first_time:
        replies.append(Reply(messages.text("choose_language", lang), language_buttons() + [exit_button(lang)]))
    if paused:
        replies.append(Reply(messages.text("resumed_hint", lang)))
    slots = {"in_danger": None, "path": PATH_INTENTS.get(intent or "")}
    if intent == "emergency":
        slots["in_danger"] = "yes"
    return Step(replies, slots)


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


def services(slots: dict[str, Any], lang: str, referrals: Referrals) -> list[Reply]:
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
    local = [m for m in found if m.entry.country and not m.entry.national]
    if offset == 0 and not local:
        lines.append(messages.text("services_none", lang))
    elif offset == 0:
        where = city or region or (places.country_name(country, lang) if country else None)
        lines.append(messages.text("services_intro", lang,
                                   where=messages.text("services_where", lang, place=where) if where else ""))
    cost_labels = {"free": "cost_free", "low_cost": "cost_low", "paid": "cost_paid"}
    for m in found:
        e = m.entry
        offered = ", ".join(messages.options("needs", lang).get(n, {"label": n})["label"] for n in e.services)
        lines.append(messages.text("service_line", lang, name=e.name, services=offered,
                                   languages=", ".join(e.languages), hours=e.hours or "—",
                                   contact=e.phone or e.source))
        why = "; ".join(_reason(k, v, lang) for k, v in m.reasons)
        if why:
            lines.append(messages.text("service_reason", lang, reason=why))
        if e.cost in cost_labels:
            lines.append(messages.text(cost_labels[e.cost], lang))
        if e.reach_safely:
            lines.append(messages.text("service_reach", lang, how=e.reach_safely))
        if e.example:
            lines.append(messages.text("service_example_note", lang))
    return [Reply("\n".join(lines))]


def ask(slot: str, slots: dict[str, Any], lang: str, directory: Referrals) -> list[Reply]:
    """The question for ``slot``, with its buttons, in the person's language."""
    question, path = BY_SLOT[slot], slots.get("path")
    replies: list[Reply] = []
    if slot == "next_step":
        replies += services(slots, lang, directory)
        text = messages.text("next_step_third_party" if path == "third_party" else "next_step_help", lang)
    else:
        text = messages.question(question_key(slot, path), lang)
    if slot == "consent":
        replies.append(Reply(messages.text("privacy_notice", lang)))
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


# --- answers ------------------------------------------------------------------------------

# Short messages with these intents, inside a form, are a request rather than an answer: the
# assistant responds, then asks the same question again.
SIDE_REQUESTS = {"help": "help", "privacy_question": "privacy", "bot_challenge": "bot"}
# Below this confidence a message inside a form is an answer, not a request: "four" answering
# "how many?" must not be taken for an emergency or a request for help.
REQUEST_CONFIDENCE = 0.8


def previous_question(form: str, slots: dict[str, Any], current: str) -> str | None:
    order = [q.slot for q in FORMS[form]]
    before = order[: order.index(current)] if current in order else order
    for slot in reversed(before):
        if slots.get(slot) not in (None, NOT_APPLICABLE):
            return slot
    return None


def shared_location(metadata: dict | None) -> tuple[float, float] | None:
    """Coordinates a channel passed on (a shared location), if valid."""
    where = (metadata or {}).get("location") or {}
    try:
        lat, lon = float(where["latitude"]), float(where["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def answer(form: str, slot: str, text: str | None, intent: str | None, entities: list[dict],
           slots: dict[str, Any], lang: str, directory: Referrals, confidence: float = 1.0,
           metadata: dict | None = None) -> Step:
    """Understand the reply to the question for ``slot`` (the form's requested slot)."""
    text = text or ""
    if not text.startswith("/") and confidence < REQUEST_CONFIDENCE:
        intent = "inform"
    short = text.startswith("/") or word_count(text) <= MAX_COMMAND_WORDS
    step = Step()
    again = {slot: None}  # ask the same question again

    if short and intent in SIDE_REQUESTS:
        buttons = [exit_button(lang)] if intent == "help" else []
        step.replies.append(Reply(messages.text(SIDE_REQUESTS[intent], lang), buttons))
        step.slots = again
        return step
    if short and intent == "change_language":
        chosen = language.normalise(next((e.get("value") for e in entities if e.get("entity") == "language"), None))
        if chosen:
            step.slots = {**again, "language": chosen}
            step.replies.append(Reply(messages.text("language_changed", chosen)))
        else:
            step.slots = again
            step.replies.append(Reply(messages.text("choose_language", lang), language_buttons()))
        return step
    if short and intent == "go_back":
        previous = previous_question(form, slots, slot)
        if previous:
            step.slots = {**again, previous: None}
        else:
            step.slots = again
            step.replies.append(Reply(messages.text("go_back_first", lang)))
        return step
    if short and intent in ("resume", "greet"):
        step.slots = again  # already in progress: just ask again
        return step
    if intent == "emergency" and slot not in ("in_danger", "immediate_danger"):
        step.replies += emergency(lang, directory, slots.get("location_country"))
        if short:
            step.slots = again
            return step

    chosen = next((e.get("value") for e in entities if e.get("entity") == "choice"), None)
    if slot in ("location", "place"):
        coordinates = shared_location(metadata)
        if coordinates:
            lat, lon = coordinates
            step.slots = {slot: messages.text("shared_location", lang), "location_lat": lat, "location_lon": lon,
                          "location_country": directory.nearest_country(lat, lon), "location_city": None}
            return step
        if chosen in directory.emergency:  # a country button
            step.slots = {slot: places.country_name(chosen, lang), "location_country": chosen, "location_city": None}
            return step
    if slot == "next_step" and chosen == "more":
        step.slots = {**again, "services_offset": int(slots.get("services_offset") or 0) + PAGE}
        return step
    if slot == "next_step" and chosen == "change":
        step.slots = start_help(slots.get("path"))
        return step

    understood = interpret(slot, text, intent, entities, lang, slots.get("path"))
    if understood.unclear:
        key = "narrative_required" if slot == "narrative" else "unclear_answer"
        step.replies.append(Reply(messages.text(key, lang)))
        step.slots = again
        return step

    step.slots = {slot: understood.value, **understood.extra}
    if len(text) > MAX_ANSWER_CHARS:
        step.replies.append(Reply(messages.text("oversized", lang, limit=MAX_ANSWER_CHARS)))
    if slot in ("in_danger",) and understood.value == "yes":
        step.replies += emergency(lang, directory, slots.get("location_country"))
    if slot in ("location", "place") and understood.value != SKIPPED:
        country, city = directory.locate(understood.value)
        if country or slot == "location":  # where the person is decides which numbers to show
            step.slots.update(location_country=country, location_city=city)
    if slot == "contact_preference" and understood.value != "contact":
        step.slots["contact_details"] = NOT_APPLICABLE
    if slot == "consent" and understood.value != "yes":
        # No consent: nothing more is asked or kept; the summary step says so and offers help.
        step.slots.update({q.slot: NOT_APPLICABLE for q in REPORT if q.slot != "consent"})
    return step


# --- starting forms -----------------------------------------------------------------------

def start_help(path: str | None) -> dict[str, Any]:
    slots = {q.slot: None for q in FORMS["help_form"]}
    slots.update(location_country=None, location_city=None, location_lat=None, location_lon=None,
                 services_offset=0)
    slots.update({s: NOT_APPLICABLE for s in not_applicable(path, "help_form")})
    if path == "third_party":
        slots["needs"] = ["hotline"]
    return slots


def start_report(path: str | None, slots: dict[str, Any]) -> dict[str, Any]:
    """A fresh draft: a new draft id, no answers, the questions this path does not ask marked."""
    fresh = {q.slot: None for q in REPORT}
    fresh.update({s: NOT_APPLICABLE for s in not_applicable(path, "report_form")})
    fresh.update(draft_id=str(uuid.uuid4()), paused_at=None, exploitation_type_text=None,
                 control_signs_text=None, victims_count_number=None)
    if path == "third_party" and slots.get("location") not in (None, SKIPPED, NOT_APPLICABLE):
        fresh["place"] = slots["location"]
    if path == "help":
        fresh["contact_preference"] = "contact"  # they asked to be contacted
    return fresh


# --- summary, correction ------------------------------------------------------------------

def summary(slots: dict[str, Any], lang: str) -> list[Reply]:
    lines = [messages.text("summary_intro", lang), *summary_lines(slots, lang)]
    buttons = [
        {"title": messages.button("send", lang), "payload": "/affirm"},
        {"title": messages.button("change", lang), "payload": "/go_back"},
        {"title": messages.button("stop", lang), "payload": "/stop"},
    ]
    return [Reply("\n".join(lines)), Reply(messages.text("summary_question", lang), buttons)]


def corrections(slots: dict[str, Any], lang: str) -> list[Reply]:
    buttons = [{"title": messages.field(q.slot, lang), "payload": payload("go_back", field=q.slot)}
               for q in REPORT if q.slot != "consent" and slots.get(q.slot) not in (None, NOT_APPLICABLE)]
    buttons.append({"title": messages.button("send", lang), "payload": "/affirm"})
    return [Reply(messages.text("choose_correction", lang), buttons)]


def correctable(field_name: str | None, slots: dict[str, Any]) -> bool:
    return (field_name in {q.slot for q in REPORT} and field_name != "consent"
            and slots.get(field_name) not in (None, NOT_APPLICABLE))

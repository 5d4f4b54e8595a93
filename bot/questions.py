"""The questions the assistant asks, and how a person's answer is understood.

Every question accepts "skip" (or "I don't know", "I'd rather not say"), recorded as SKIPPED; a
question that does not apply on a path is pre-filled with NOT_APPLICABLE so that the form's order
stays static (Rasa asks the first empty slot of the domain's list).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from bot import messages

SKIPPED = "__skipped__"
NOT_APPLICABLE = "__not_applicable__"

# The longest answer kept for one question. Longer text is cut here and the person is told;
# the limit protects the sealed report and the reviewer, not the person's right to say more.
MAX_ANSWER_CHARS = 4000

# A message of more words than this is an answer, even if the classifier thought it was a
# command: "I don't know his name but he took their passports" is not a request to skip.
MAX_COMMAND_WORDS = 6


@dataclass(frozen=True)
class Question:
    slot: str
    kind: str  # "choice", "multi", "text", "date", "place", "count"
    required: bool = False  # a required question cannot be skipped
    intents: dict[str, str] = field(default_factory=dict)  # intent -> option value
    options_key: str | None = None  # options section, defaults to the slot name
    skip_value: str = SKIPPED  # what "skip" means for this question

    def required_on(self, path: str | None) -> bool:
        # A survivor never has to tell what happened (CONVERSATION.md): on the help path the
        # narrative is optional; a report or a concern needs at least a few words.
        if self.slot == "narrative":
            return path != "help"
        return self.required


YES_NO_UNSURE = {"affirm": "yes", "deny": "no"}

TRIAGE = (
    Question("in_danger", "choice", intents={**YES_NO_UNSURE, "emergency": "yes"}),
    Question(
        "path",
        "choice",
        skip_value="help",  # no choice made: services, which ask nothing of the person
        intents={
            "report_incident": "report",
            "request_help": "help",
            "worried_about_someone": "third_party",
        },
    ),
)

HELP = (
    Question("needs", "multi"),
    Question("for_whom", "choice"),
    Question("location", "place"),
    Question("next_step", "choice", skip_value="done", intents={"deny": "done"}),
)

REPORT = (
    Question("consent", "choice", skip_value="no", intents=dict(YES_NO_UNSURE)),  # skipped: no consent
    Question("knowledge_source", "choice"),
    Question("narrative", "text", required=True),
    Question("incident_date", "date"),
    Question("place", "place"),
    Question("stage", "choice"),
    Question("exploitation_type", "multi"),
    Question("control_signs", "multi"),
    Question("victims_count", "count"),
    Question("minors", "choice", intents=dict(YES_NO_UNSURE)),
    Question("victims_gender", "choice"),
    Question("victims_nationality", "text"),
    Question("perpetrators", "text"),
    Question("immediate_danger", "choice", intents={**YES_NO_UNSURE, "emergency": "yes"}),
    Question("actions_taken", "text"),
    Question(
        "contact_preference", "choice", intents={"affirm": "contact", "deny": "anonymous"}
    ),
    Question("contact_details", "text"),
)

FORMS = {"triage_form": TRIAGE, "help_form": HELP, "report_form": REPORT}
BY_SLOT = {q.slot: q for qs in FORMS.values() for q in qs}

# Which report questions each path asks; the others are NOT_APPLICABLE.
REPORT_PATHS = {
    "report": [q.slot for q in REPORT],
    "third_party": [
        "consent", "narrative", "place", "minors", "immediate_danger",
        "contact_preference", "contact_details",
    ],
    # A survivor asked to be contacted: telling what happened is optional.
    "help": ["consent", "narrative", "contact_details"],
}
HELP_PATHS = {"help": ["needs", "for_whom", "location", "next_step"], "third_party": ["location", "next_step"]}

# Slots that hold what a person said in a conversation; cleared after submit, stop and exit.
CONVERSATION_SLOTS = [q.slot for q in TRIAGE + HELP + REPORT] + [
    "draft_id", "awaiting_confirmation", "paused_form", "paused_at", "location_country",
    "location_city", "location_lat", "location_lon", "services_offset",
]


def not_applicable(path: str | None, form: str) -> list[str]:
    """The questions of ``form`` that the ``path`` does not ask."""
    asked = (REPORT_PATHS if form == "report_form" else HELP_PATHS).get(path or "report")
    if asked is None:
        asked = [q.slot for q in FORMS[form]]
    return [q.slot for q in FORMS[form] if q.slot not in asked]


def question_key(slot: str, path: str | None) -> str:
    """The locale key of a question, with a path-specific wording where one exists."""
    if path in ("third_party", "help"):
        specific = f"{slot}_{path}"
        try:
            messages.question(specific, "en")
            return specific
        except KeyError:
            pass
    return slot


def options_key(slot: str, path: str | None) -> str:
    if slot == "next_step" and path == "third_party":
        return "next_step_third_party"
    return BY_SLOT[slot].options_key or slot


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: what keyword matching compares."""
    text = text.replace("\u2019", "'").replace("\u02bc", "'")  # phones type a curly apostrophe
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped).strip()


def _mentions(text: str, words: Iterable[str]) -> bool:
    folded = f" {fold(text)} "
    for word in words:
        w = fold(word)
        # whole words at the start, so "sex" matches "sexual" but "no" does not match "know"
        if re.search(rf"(?<![\w]){re.escape(w)}", folded):
            return True
    return False


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text or ""))


def clean_text(text: str) -> str:
    """Drop control characters (keep newlines and tabs) and trim; cut at MAX_ANSWER_CHARS."""
    kept = "".join(
        c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C" or c in "\u200f\u200e"
    )
    return kept.strip()[:MAX_ANSWER_CHARS]


@dataclass
class Answer:
    """How an answer was understood: ``value`` to store, or ``unclear`` to ask again."""

    value: Any = None
    unclear: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # other slots the answer also fills


def interpret(
    slot: str,
    text: str | None,
    intent: str | None,
    entities: list[dict] | None,
    lang: str | None,
    path: str | None = None,
) -> Answer:
    """Understand the person's reply to the question for ``slot``."""
    question = BY_SLOT[slot]
    text = clean_text(text or "")
    entities = entities or []
    choice = next((e.get("value") for e in entities if e.get("entity") == "choice"), None)
    short = word_count(text) <= MAX_COMMAND_WORDS
    opts = messages.options(options_key(slot, path), lang) if question.kind in ("choice", "multi") else {}

    if choice is not None:  # a button press: only the values the question offers are accepted
        if question.kind == "multi" and str(choice) in opts:
            return Answer([str(choice)])
        if str(choice) in opts:
            return Answer(str(choice))
        return Answer(unclear=True)  # a forged or stale payload

    if intent == "skip" and short:
        return Answer(unclear=True) if question.required_on(path) else Answer(question.skip_value)

    if not text or text.startswith("/"):
        return Answer(unclear=True)

    if question.kind == "choice":
        if intent in question.intents and short:
            value = question.intents[intent]
            if value in opts:
                return Answer(value)
        matches = [v for v, o in opts.items() if _mentions(text, [o["label"], *o.get("words", [])])]
        if len(matches) == 1:
            return Answer(matches[0])
        if slot == "path" and intent in question.intents:
            return Answer(question.intents[intent])
        return Answer(unclear=True)

    if question.kind == "multi":
        matches = [v for v, o in opts.items() if _mentions(text, [o["label"], *o.get("words", [])])]
        if matches:
            return Answer(matches, extra={f"{slot}_text": text} if not short else {})
        # Nothing recognised: "Other" (an HTCDS value) with the person's own words kept beside it.
        return Answer(["Other"], extra={f"{slot}_text": text})

    if question.kind == "count":
        digits = re.search(r"\d+", text)
        return Answer(text, extra={"victims_count_number": int(digits.group())} if digits else {})

    # text, date, place: the person's own words are the answer.
    return Answer(text)

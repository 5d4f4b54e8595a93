"""Every field a conversation fills, as the question that fills it, grouped in forms and paths.

This is the vocabulary both wings read: the dialogue asks these questions, and a report is built
from their answers. It holds data and no wording (the words are in ``bot/dialogue/locales``) and
no understanding of answers (``bot.dialogue.answers``).

Every question accepts "skip" (or "I don't know", "I'd rather not say"), recorded as SKIPPED.
Each path asks only its own questions (REPORT_PATHS, HELP_PATHS); NOT_APPLICABLE marks an answer
that a path does not ask, for reports sealed before the dialogue engine.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SKIPPED = "__skipped__"
NOT_APPLICABLE = "__not_applicable__"


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

# Which report questions each path asks, in order; the others are never asked.
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


def options_key(slot: str, path: str | None) -> str:
    if slot == "next_step" and path == "third_party":
        return "next_step_third_party"
    return BY_SLOT[slot].options_key or slot


def answered(value: Any) -> bool:
    """An answer that says something: not skipped, not applicable, not empty."""
    return value not in (None, SKIPPED, NOT_APPLICABLE, "", [])

"""The summary a person reads before sending: each answer in their language, beside their own words."""
from __future__ import annotations

from typing import Any

from bot.dialogue import messages
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
        if slots.get(f"{q.slot}_text"):  # what the person typed, beside what it was taken to mean
            shown = f"{shown} ({slots[f'{q.slot}_text']})" if value != ["Other"] else slots[f"{q.slot}_text"]
        lines.append(messages.text("summary_line", lang, label=messages.field(q.slot, lang), value=shown))
    return lines

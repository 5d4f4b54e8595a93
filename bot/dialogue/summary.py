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
    for q in REPORT:
        value = slots.get(q.slot)
        if q.slot == "consent" or value == NOT_APPLICABLE or value is None:
            continue
        shown = display_value(q.slot, value, lang, path)
        if slots.get(f"{q.slot}_text"):  # what the person typed, beside what it was taken to mean
            shown = f"{shown} ({slots[f'{q.slot}_text']})" if value != ["Other"] else slots[f"{q.slot}_text"]
        lines.append(messages.text("summary_line", lang, label=messages.field(q.slot, lang), value=shown))
    return lines

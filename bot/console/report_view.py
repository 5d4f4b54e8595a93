"""One report as a reviewer reads it: each answer as understood in the standard's terms beside the
person's own words, and the conversation as it happened."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from bot.dialogue import messages
from bot.reports import htcds
from bot.vocabulary.fields import REPORT, SKIPPED


@dataclass(frozen=True)
class Row:
    label: str
    understood: str  # in the standard's terms
    own_words: str  # as the person wrote it ("" when they pressed a button)


def _label(slot: str, value: Any) -> str:
    options = messages.options(slot, "en") if slot in ("knowledge_source", "stage", "exploitation_type",
                                                       "control_signs", "minors", "victims_gender",
                                                       "immediate_danger", "contact_preference", "consent") else {}
    values = value if isinstance(value, list) else [value]
    return "; ".join(f"{options.get(v, {}).get('label', v)} ({v})" if v in options else str(v) for v in values)


def rows(report: dict[str, Any]) -> list[Row]:
    a = report.get("answers") if isinstance(report.get("answers"), dict) else {}
    d = report.get("derived") if isinstance(report.get("derived"), dict) else {}
    flat = htcds.export(report, "", "")
    out: list[Row] = []
    for q in REPORT:
        if q.slot not in a or q.slot in ("consent",):
            continue
        value = a[q.slot]
        if value == SKIPPED:
            continue
        label = messages.field(q.slot, "en")
        if q.slot == "incident_date":
            understood = " ".join(filter(None, [flat["hte_Date"] or "", f"until {flat['x_DateUntil']}" if flat["x_DateUntil"] else "",
                                                "(approximate)" if flat["x_DateApproximate"] else ""])) or "not understood"
            out.append(Row(label, f"hte_Date: {understood}", str(value)))
        elif q.slot == "place":
            where = ", ".join(str(p) for p in (d.get("city"), d.get("region"), d.get("country")) if p)
            out.append(Row(label, f"hte_City / hte_Country: {where or 'not understood'}", str(value)))
        elif q.slot == "victims_count":
            n = flat["x_VictimsCountNumber"]
            understood = (f"{'up to ' if flat['x_VictimsCountUpTo'] else ''}{n}{' (approximate)' if flat['x_VictimsCountApproximate'] else ''}"
                          if n is not None else "not understood")
            if flat["x_MinorsCount"]:
                understood += f"; minors: {flat['x_MinorsCount']}"
            out.append(Row(label, understood, str(value)))
        elif q.slot == "victims_nationality":
            parts = []
            if flat["prs_Citizenship"]:
                parts.append("prs_Citizenship: " + ", ".join(flat["prs_Citizenship"]))
            if flat["x_CitizenshipUncertain"]:
                parts.append("uncertain: " + ", ".join(flat["x_CitizenshipUncertain"]))
            if d.get("languages"):
                parts.append("languages: " + ", ".join(d["languages"]))
            out.append(Row(label, "; ".join(parts) or "not understood", str(value)))
        elif q.slot == "perpetrators":
            roles = flat["per_RoleInProcess"]
            out.append(Row(label, "per_RoleInProcess: " + (", ".join(roles) if roles else "none named"), str(value)))
        elif q.slot == "exploitation_type":
            out.append(Row(label, "vic_TypeOfExploitation: " + _label(q.slot, value), d.get("exploitation_type_text") or ""))
        elif q.slot == "control_signs":
            out.append(Row(label, "vic_MethodsOfControl: " + (", ".join(flat["vic_MethodsOfControl"]) or "none"),
                           d.get("control_signs_text") or ""))
        elif q.kind in ("choice", "multi"):
            out.append(Row(label, _label(q.slot, value), ""))
        else:
            out.append(Row(label, "", str(value)))
    if d.get("needs"):
        out.append(Row(messages.field("needs", "en"), _needs(d["needs"]), d.get("needs_text") or ""))
    if d.get("location"):
        out.append(Row(messages.field("location", "en"), "", str(d["location"])))
    return out


def _needs(needs: Any) -> str:
    options = messages.options("needs", "en")
    return "; ".join(options.get(n, {}).get("label", str(n)) for n in (needs if isinstance(needs, list) else [needs]))


@dataclass(frozen=True)
class Line:
    speaker: str  # "person" or "assistant"
    at: str  # "2026-11-30 14:02 UTC"
    text: str
    pressed: bool
    withdrawn: bool


def when(at: Any) -> str:
    if isinstance(at, (int, float)) and not isinstance(at, bool) and 0 < at < 2**40:
        return datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return str(at) if at else ""


def transcript(report: dict[str, Any]) -> list[Line]:
    lines = []
    for line in report.get("transcript") or []:
        if not isinstance(line, dict):
            continue
        lines.append(Line("person" if line.get("from") == "person" else "assistant", when(line.get("at")),
                          str(line.get("text") or ""), bool(line.get("pressed")), bool(line.get("withdrawn"))))
    return lines

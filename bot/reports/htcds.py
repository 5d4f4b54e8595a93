"""Reports in IOM's Human Trafficking Case Data Standard (HTCDS 2.0) field names and values.

Fields HTCDS has no place for are kept under an ``x_`` prefix rather than dropped.
"""
from __future__ import annotations

from typing import Any

# Answers whose option value is not an HTCDS picklist value.
# "Locked in or watched" is HTCDS's MethodsOfControlRestrictsMovement (Field Definitions: "isolated,
# confined or limited the movement of the individual"), not Other.
METHODS_OF_CONTROL = {"RestrictsFreedom": "RestrictsMovement", "None": None}
GENDER = {"Both": ["Feminine", "Masculine"], "NonSpecifiedUnknown": ["NonSpecifiedUnknown"]}


def _list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def export(report: dict[str, Any], reference: str, received_on: str) -> dict[str, Any]:
    a, d = report.get("answers", {}), report.get("derived", {})
    controls = [METHODS_OF_CONTROL.get(v, v) for v in _list(a.get("control_signs"))]
    gender = a.get("victims_gender")
    when = d.get("incident_when") or {}
    count = d.get("victims_count") or {}
    stage = a.get("stage")
    return {
        "hte_Description": a.get("narrative"),
        "hte_Date": d.get("incident_date_iso"),
        "hte_City": d.get("city"),
        "hte_Country": d.get("country"),
        "hte_Latitude": d.get("latitude"),
        "hte_Longitude": d.get("longitude"),
        "hte_Type": stage if stage in ("Recruitment", "Transit", "Exploitation") else None,
        "vic_TypeOfExploitation": _list(a.get("exploitation_type")),
        "vic_MethodsOfControl": sorted({c for c in controls if c}),
        # An age in years, when the person gave one (for a group, the youngest said).
        "vic_AgeWhenTrafficked": d.get("youngest_age") if d.get("youngest_age") is not None else d.get("age_under_18"),
        "prs_Gender": GENDER.get(gender, [gender] if gender else []),
        # Citizenship stated as such; a guess ("might have been Syrian by the accent") is kept apart,
        # marked uncertain, never given as the standard's fact.
        "prs_Citizenship": d.get("citizenship") or [],
        "prs_PrimaryLanguage": (d.get("languages") or [None])[0],
        "prs_SecondaryLanguage": (d.get("languages") or [None, None])[1] if len(d.get("languages") or []) > 1 else None,
        "per_RoleInProcess": d.get("perpetrator_roles") or [],
        "per_RoleDetails": a.get("perpetrators"),
        "con_Consent": a.get("consent") == "yes",
        "x_Reference": reference,
        "x_ReceivedOn": received_on,
        "x_Kind": report.get("kind"),
        "x_Urgent": bool(report.get("urgent")),
        "x_Minor": bool(report.get("minor")),
        "x_NeedsAsTold": d.get("needs_text"),
        "x_Language": report.get("language"),
        "x_Channel": report.get("channel"),
        # Sealed to the trial key, whose passphrase lies on the server: not a protected report.
        "x_SealedToTrialKey": report.get("sealed_to_trial_key") is True,
        "x_SubmittedAt": report.get("submitted_at"),
        "x_KnowledgeSource": a.get("knowledge_source"),
        "x_DateAsTold": a.get("incident_date"),
        "x_TimeOfDay": when.get("time"),
        "x_DateUntil": when.get("until"),
        "x_DateApproximate": bool(when.get("approximate")),
        "x_VictimsCountNumber": count.get("number"),
        "x_VictimsCountUpTo": count.get("up_to"),
        "x_VictimsCountApproximate": bool(count.get("approximate")),
        "x_MinorsCount": count.get("minors"),
        "x_AgesAsTold": count.get("ages") or [],
        "x_CitizenshipUncertain": d.get("citizenship_uncertain") or [],
        "x_PlaceAsTold": a.get("place"),
        "x_Region": d.get("region"),
        "x_GeoNamesId": d.get("geonames_id"),
        "x_VictimsCount": a.get("victims_count"),
        "x_MinorsInvolved": a.get("minors"),
        "x_NationalityAsTold": a.get("victims_nationality"),
        "x_ExploitationAsTold": d.get("exploitation_type_text"),
        "x_ControlSignsAsTold": d.get("control_signs_text"),
        "x_ImmediateDanger": a.get("immediate_danger"),
        "x_ActionsTaken": a.get("actions_taken"),
        "x_ContactPreference": a.get("contact_preference"),
        "x_ContactDetails": a.get("contact_details"),
        "x_NeedsForHelp": d.get("needs"),
        "x_LocationForHelp": d.get("location"),
        "x_Transcript": report.get("transcript", []),
    }


# A spreadsheet runs a cell that starts with one of these (=HYPERLINK(...), =cmd|' /C calc'!A0,
# +, -, @, and a tab or carriage return before them): OWASP's CSV-injection advice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(value):
    """A value as a CSV cell may hold it: text a spreadsheet would run as a formula is prefixed
    with an apostrophe (shown, never run). Every CSV export writes its cells through this."""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    return "'" + text if text.lstrip(" ").startswith(FORMULA_START) else text

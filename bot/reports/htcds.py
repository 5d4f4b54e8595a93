"""Reports in IOM's Human Trafficking Case Data Standard (HTCDS 2.0) field names and values.

Two shapes:

- ``records``: what a case system that speaks HTCDS imports. Linked records: one case per report
  (``cas_``), its trafficking event (``hte_``), one person record for the victim or group of
  victims (``prs_`` and ``vic_``) and one for the suspected perpetrators (``prs_`` and ``per_``),
  the case comments (``cco_``) and outgoing referrals; the person who reported (their consent to
  send and how to reach them) in records of their own, never among the victims' fields.
- ``export``: one flat row per report, for the benches and tests that read what was understood.

Fields HTCDS has no place for are kept under an ``x_`` prefix rather than dropped.
"""
from __future__ import annotations

from typing import Any

import pycountry

# Answers whose option value is not an HTCDS picklist value.
# "Locked in or watched" is HTCDS's MethodsOfControlRestrictsMovement (Field Definitions: "isolated,
# confined or limited the movement of the individual"), not Other.
METHODS_OF_CONTROL = {"RestrictsFreedom": "RestrictsMovement", "None": None}
# vic_MethodsOfControl's picklist in htcds-field-standards-2.0.csv.
CSV_METHODS_OF_CONTROL = frozenset((
    "PhysicalThreats", "ThreatsLawEnforcement", "ThreatensChildrenFamily", "DebtBondage", "FalsePromises",
    "PhysicalAbuse", "SexualAbuse", "TakesEarnings", "RestrictsFinancialAccess", "RestrictsMedicalCare",
    "WithholdsNecessities", "PsychologicalAbuse", "PsychoactiveSubstance", "ExcessiveWorkingHours",
    "WithholdsDocuments", "Other"))
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


# ---------------------------------------------------------------------------------------------
# Linked records a case system can import
# ---------------------------------------------------------------------------------------------

TABLES = ("cases", "events", "persons", "case_comments", "referrals", "reporters", "transcripts")
STANDARD = "HTCDS 2.0 (IOM, CC BY 4.0)"


def iso639_2(code: Any) -> str | None:
    """prs_PrimaryLanguage takes ISO 639-2 codes: "uk" is "ukr", "fr" is "fre" (bibliographic)."""
    if not isinstance(code, str) or not code:
        return None
    language = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    if language is None:
        return None
    return getattr(language, "bibliographic", None) or language.alpha_3


def _case_status(case) -> str:
    # A report nobody has triaged yet is an open case: Active in the standard's picklist.
    status = getattr(case, "status", None)
    return status if status in ("Active", "FollowUp", "Closed", "ClosedReferred") else "Active"


def records(report: dict[str, Any], reference: str, received_on: str, case=None, *,
            with_contact: bool = False) -> dict[str, list[dict[str, Any]]]:
    """One report and its case work as linked HTCDS records, by table (see ``TABLES``).

    Security decision: the reporter's contact details leave the console only when the reviewer
    asks for them (``with_contact``); otherwise the record says that some were given.
    """
    a, d = report.get("answers", {}) or {}, report.get("derived", {}) or {}
    case_id, event_id = f"case-{reference}", f"event-{reference}"
    when = d.get("incident_when") or {}
    count = d.get("victims_count") or {}
    stage = a.get("stage")
    referrals = list(getattr(case, "referrals", []) or [])
    latest = referrals[-1] if referrals else {}
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    out["cases"].append({
        "id": case_id,
        "cas_Status": _case_status(case),
        "cas_ReasonForCaseClosure": (getattr(case, "closure_reason", "") or None),
        "cas_CaseOwner": (getattr(case, "owner", "") or None),
        "cas_ReferredOrganisation": latest.get("organisation"),
        "cas_OutgoingReferralDate": latest.get("date"),
        "cas_ReasonForOutgoingReferral": latest.get("reason"),
        "cas_OutgoingReferralDetails": latest.get("details") or None,
        "x_Reference": reference,
        "x_ReceivedOn": received_on,
        "x_SubmittedAt": report.get("submitted_at"),
        "x_Kind": report.get("kind"),
        "x_Language": iso639_2(report.get("language")),
        "x_Channel": report.get("channel"),
        "x_Urgent": bool(report.get("urgent")),
        "x_Minor": bool(report.get("minor")),
        "x_ExploitationOngoing": stage == "Exploitation",
        "x_SealedToTrialKey": report.get("sealed_to_trial_key") is True,
        "x_LinkedCases": sorted(f"case-{r}" for r in (getattr(case, "links", ()) or ())),
        "x_NeedsForHelp": d.get("needs"),
        "x_NeedsAsTold": d.get("needs_text"),
        "x_LocationForHelp": d.get("location"),
        "x_LocationForHelpCity": d.get("location_city"),
        "x_LocationForHelpCountry": d.get("location_country"),
        "x_ServicesShown": report.get("services_shown") or [],
        # What the person who reported added later with the reference and follow-up code, and
        # whether they withdrew the report.
        "x_AddedLaterByReporter": [a.get("text") for a in (getattr(case, "additions", []) or [])],
        "x_WithdrawnByReporter": bool(getattr(case, "withdrawn", False)),
    })
    out["events"].append({
        "id": event_id,
        "case_id": case_id,
        "hte_Type": stage if stage in ("Recruitment", "Transit", "Exploitation") else None,
        "hte_Date": d.get("incident_date_iso"),
        "hte_City": d.get("city"),
        "hte_State": d.get("region"),
        "hte_Country": d.get("country"),
        "hte_Latitude": d.get("latitude"),
        "hte_Longitude": d.get("longitude"),
        "hte_Description": a.get("narrative"),
        "x_DateAsTold": a.get("incident_date"),
        "x_TimeOfDay": when.get("time"),
        "x_DateUntil": when.get("until"),
        "x_DateApproximate": bool(when.get("approximate")),
        "x_PlaceAsTold": a.get("place"),
        "x_GeoNamesId": d.get("geonames_id"),
        "x_ImmediateDanger": a.get("immediate_danger"),
        "x_ActionsTaken": a.get("actions_taken"),
    })
    number = count.get("number")
    gender = a.get("victims_gender")
    languages = [iso639_2(c) for c in (d.get("languages") or [])]
    languages = [c for c in languages if c]
    named = sorted({c for c in (METHODS_OF_CONTROL.get(v, v) for v in _list(a.get("control_signs"))) if c})
    # The standard's picklist (the CSV an importer checks) has no RestrictsMovement, though its Field
    # Definitions define it: exported as Other, and named beside it (tests/htcds/README.md).
    outside = [c for c in named if c not in CSV_METHODS_OF_CONTROL]
    controls = sorted({c for c in named if c in CSV_METHODS_OF_CONTROL} | ({"Other"} if outside else set()))
    victim = {
        "id": f"person-{reference}-victims",
        "case_id": case_id,
        "event_id": event_id,
        "x_PersonRole": "Victim",
        # One record for one person or for a group: a case system splits a group when it meets them.
        "x_IsGroup": None if number is None else number != 1,
        "x_GroupSize": number,
        "x_GroupSizeUpTo": count.get("up_to"),
        "x_GroupSizeApproximate": bool(count.get("approximate")),
        "x_GroupSizeAsTold": a.get("victims_count"),
        # prs_Gender is one value; a group of women and men is said so apart, not forced into one.
        "prs_Gender": gender if gender in ("Feminine", "Masculine", "NonSpecifiedUnknown") else None,
        "x_GroupGenders": GENDER.get(gender, [gender] if gender else []),
        "prs_Citizenship": d.get("citizenship") or [],
        "x_CitizenshipUncertain": d.get("citizenship_uncertain") or [],
        "x_NationalityAsTold": a.get("victims_nationality"),
        "prs_PrimaryLanguage": languages[0] if languages else None,
        "prs_SecondaryLanguage": languages[1] if len(languages) > 1 else None,
        "vic_TraffickingStatus": "PossibleVictimOfTrafficking",
        "vic_AgeWhenTrafficked": d.get("youngest_age") if d.get("youngest_age") is not None else _age(d.get("age_under_18")),
        "vic_TypeOfExploitation": _list(a.get("exploitation_type")),
        "vic_MethodsOfControl": controls,
        "x_MethodsOfControlOther": outside,
        "x_ExploitationAsTold": d.get("exploitation_type_text"),
        "x_ControlSignsAsTold": d.get("control_signs_text"),
        "x_MinorsInvolved": a.get("minors"),
        "x_MinorsCount": count.get("minors"),
        "x_AgesAsTold": count.get("ages") or [],
        # On the help path the person who wrote is the one who needs help.
        "x_IsTheReporter": report.get("kind") == "help_request",
    }
    out["persons"].append(victim)
    if a.get("perpetrators") or d.get("perpetrator_roles"):
        out["persons"].append({
            "id": f"person-{reference}-perpetrators",
            "case_id": case_id,
            "event_id": event_id,
            "x_PersonRole": "SuspectedPerpetrator",
            "x_IsGroup": True,
            "per_RoleInProcess": d.get("perpetrator_roles") or [],
            "per_RoleDetails": a.get("perpetrators"),
        })
    for i, c in enumerate(getattr(case, "comments", []) or []):
        out["case_comments"].append({"id": f"comment-{reference}-{i + 1}", "case_id": case_id,
                                     "cco_CaseComment": c.get("text"), "x_Author": c.get("by"),
                                     "x_WrittenAt": c.get("at")})
    for i, r in enumerate(referrals):
        out["referrals"].append({"id": f"referral-{reference}-{i + 1}", "case_id": case_id,
                                 "cas_ReferredOrganisation": r.get("organisation"),
                                 "cas_OutgoingReferralDate": r.get("date"),
                                 "cas_ReasonForOutgoingReferral": r.get("reason"),
                                 "cas_OutgoingReferralDetails": r.get("details") or None,
                                 "x_ReferredBy": r.get("by")})
    contact = a.get("contact_details")
    out["reporters"].append({
        "id": f"reporter-{reference}",
        "case_id": case_id,
        # The reporter agreed to send this report: not con_Consent, which is a victim's consent.
        "x_ReporterConsentToSend": a.get("consent") == "yes",
        "x_KnowledgeSource": a.get("knowledge_source"),
        "x_ContactPreference": a.get("contact_preference"),
        "x_ContactDetails": contact if with_contact else None,
        "x_ContactDetailsWithheldFromExport": bool(contact) and not with_contact,
    })
    for i, line in enumerate(report.get("transcript") or []):
        if isinstance(line, dict):
            out["transcripts"].append({"id": f"line-{reference}-{i + 1}", "case_id": case_id,
                                       "x_From": line.get("from"), "x_At": _iso(line.get("at")),
                                       "x_Text": line.get("text"), "x_PressedButton": bool(line.get("pressed")),
                                       "x_Withdrawn": bool(line.get("withdrawn"))})
    return out


def _iso(at: Any) -> str | None:
    if isinstance(at, (int, float)) and not isinstance(at, bool) and 0 < at < 2**40:
        from datetime import datetime, timezone

        return datetime.fromtimestamp(at, timezone.utc).isoformat(timespec="seconds")
    return at if isinstance(at, str) else None


def _age(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def merged(many: list[dict[str, list[dict]]]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {t: [] for t in TABLES}
    for one in many:
        for table in TABLES:
            out[table].extend(one.get(table, []))
    return out


def csv_tables(tables: dict[str, list[dict]]) -> dict[str, str]:
    """Each table as CSV text, every cell through ``spreadsheet_safe``."""
    import csv
    import io

    texts = {}
    for table in TABLES:
        rows = tables.get(table, [])
        columns: list[str] = []
        for row in rows:
            columns += [c for c in row if c not in columns]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
        texts[table] = buffer.getvalue()
    return texts


def _cell(value):
    value = spreadsheet_safe(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value

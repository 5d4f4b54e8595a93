"""The HTCDS export a case system imports: every field name and picklist value is the standard's
(htcds-field-standards-2.0.csv), records link up, the reporter stays apart from the victims, and no
CSV cell runs in a spreadsheet."""
import csv
import io
from pathlib import Path

import pycountry
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dialogue import messages
from bot.reports import casework, htcds, report
from bot.vocabulary.fields import REPORT

STANDARD = Path(__file__).resolve().parents[1] / "htcds" / "htcds-field-standards-2.0.csv"  # IOM, CC BY 4.0


def standard() -> tuple[dict[str, str], dict[str, set[str]]]:
    """{field name: field type}, {picklist field: its value names}."""
    fields, picklists = {}, {}
    with STANDARD.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = (row["Field Name including Prefix"] or "").strip()
            if not name:
                continue
            fields[name] = row["Field Type"]
            values = (row["Value Names (if picklist)"] or "").strip()
            if "Picklist" in row["Field Type"] and values and not values.startswith("Use ISO") and not values.startswith("["):
                picklists[name] = {v.strip() for v in values.replace("\n", ",").split(",") if v.strip()}
    return fields, picklists


FIELDS, PICKLISTS = standard()
# Which of the standard's prefixes each record type may carry.
PREFIXES = {"cases": ("cas_",), "events": ("hte_",), "persons": ("prs_", "vic_", "per_"),
            "case_comments": ("cco_",), "referrals": ("cas_",), "reporters": (), "transcripts": ()}
LINKS = {"id", "case_id", "event_id"}


def check_records(tables: dict[str, list[dict]]) -> None:
    ids = {r["id"] for rows in tables.values() for r in rows}
    case_ids = {r["id"] for r in tables["cases"]}
    event_ids = {r["id"] for r in tables["events"]}
    assert len(ids) == sum(len(rows) for rows in tables.values()), "record ids are unique"
    for table, rows in tables.items():
        for row in rows:
            if table != "cases":
                assert row["case_id"] in case_ids
            if "event_id" in row:
                assert row["event_id"] in event_ids
            for name, value in row.items():
                if name in LINKS or name.startswith("x_"):
                    continue
                assert name in FIELDS, f"{table}.{name} is not an HTCDS 2.0 field"
                assert name.startswith(PREFIXES[table]), f"{name} does not belong in {table}"
                if name == "con_Consent":
                    raise AssertionError("con_Consent is a victim's consent, never the reporter's")
                if name in PICKLISTS and value is not None:
                    for v in (value if isinstance(value, list) else [value]):
                        assert v in PICKLISTS[name], f"{name}={v!r} is not in the standard's picklist"
                if name in ("prs_Citizenship",):
                    assert all(pycountry.countries.get(alpha_2=c) for c in value)
                if name in ("prs_PrimaryLanguage", "prs_SecondaryLanguage") and value is not None:
                    assert len(value) == 3 and (pycountry.languages.get(alpha_3=value)
                                                or pycountry.languages.get(bibliographic=value))
                if name.endswith("Date") and value is not None:
                    from datetime import date
                    date.fromisoformat(value)


def option_values(slot: str) -> list[str]:
    return [v for v in messages.options(slot, "en") if v != "Unknown"]


FULL = {
    "path": "report", "consent": "yes", "draft_id": "d", "knowledge_source": "observed",
    "narrative": "Minibus at the Zakho crossing with eight girls, one looked 15; the driver kept their passports",
    "incident_date": "yesterday", "place": "Zakho", "stage": "Transit",
    "exploitation_type": ["SexualExploitation", "ForcedLabour"], "control_signs": ["WithholdsDocuments", "RestrictsFreedom"],
    "victims_count": "eight, one maybe 15", "minors": "yes", "victims_gender": "Both",
    "victims_nationality": "Syrian, they spoke Arabic and Kurdish", "perpetrators": "the driver and a recruiter from Duhok",
    "immediate_danger": "yes", "actions_taken": "told my officer", "contact_preference": "contact",
    "contact_details": "+964 750 123 4567",
}


def a_case():
    entries = [casework.entry("status", "alice", status="ClosedReferred", reason="referred to IOM"),
               casework.entry("owner", "alice", owner="alice"),
               casework.entry("comment", "bob", text="called the NGO"),
               casework.entry("referral", "alice", organisation="IOM Erbil", date="2026-11-30",
                              reason="AdditionalServicesRequired", details="shelter for eight"),
               casework.entry("link", "alice", reference="R-AAAA-BBBB"),
               casework.entry("addition", casework.REPORTER, text="the plate was KA 1234"),
               casework.entry("withdrawn", casework.REPORTER)]
    return casework.CaseFile.of(entries)


def test_a_full_report_and_its_case_are_linked_records_in_the_standards_terms():
    from bot.vocabulary import gazetteer

    zakho = gazetteer.load().find("Zakho").place
    built = report.build({**FULL, "place_place": zakho.id}, "en", [{"from": "person", "text": "hello", "at": 1764500000.5}])
    tables = htcds.records(built, "R-ABCD-EFGH", "2026-11-30", a_case())
    check_records(tables)
    [case] = tables["cases"]
    assert case["cas_Status"] == "ClosedReferred" and case["cas_ReasonForCaseClosure"] == "referred to IOM"
    assert case["cas_CaseOwner"] == "alice" and case["cas_ReferredOrganisation"] == "IOM Erbil"
    assert case["x_LinkedCases"] == ["case-R-AAAA-BBBB"]
    assert case["x_AddedLaterByReporter"] == ["the plate was KA 1234"] and case["x_WithdrawnByReporter"] is True
    [event] = tables["events"]
    assert event["hte_Type"] == "Transit" and event["hte_Country"] == "IQ" and event["hte_City"] == "Zaxo"  # GeoNames' name
    assert event["hte_Date"]
    victims, perpetrators = tables["persons"]
    assert victims["vic_TypeOfExploitation"] == ["SexualExploitation", "ForcedLabour"]
    assert victims["vic_MethodsOfControl"] == ["Other", "WithholdsDocuments"]
    assert victims["x_MethodsOfControlOther"] == ["RestrictsMovement"]
    assert victims["prs_Gender"] is None and victims["x_GroupGenders"] == ["Feminine", "Masculine"]
    assert victims["prs_Citizenship"] == ["SY"] and victims["prs_PrimaryLanguage"] == "ara"
    assert victims["x_IsGroup"] is True and victims["x_GroupSize"] == 8
    assert perpetrators["per_RoleDetails"] == FULL["perpetrators"]
    assert tables["case_comments"][0]["cco_CaseComment"] == "called the NGO"
    assert tables["transcripts"][0]["x_At"].startswith("2025-11-30T")


def test_the_reporters_contact_is_apart_from_the_victims_and_left_out_unless_asked():
    built = report.build(FULL, "en", [])
    withheld = htcds.records(built, "R-ABCD-EFGH", "2026-11-30")
    text = repr(withheld["persons"]) + repr(withheld["cases"]) + repr(withheld["events"])
    assert "750 123" not in repr(withheld)
    [reporter] = withheld["reporters"]
    assert reporter["x_ContactDetails"] is None and reporter["x_ContactDetailsWithheldFromExport"] is True
    assert reporter["x_ReporterConsentToSend"] is True and "consent" not in text.lower()
    given_ = htcds.records(built, "R-ABCD-EFGH", "2026-11-30", with_contact=True)
    assert given_["reporters"][0]["x_ContactDetails"] == "+964 750 123 4567"
    assert "750 123" not in repr(given_["persons"]) + repr(given_["cases"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({
    "path": st.sampled_from(["report", "third_party", "help"]),
    "stage": st.sampled_from(option_values("stage") + ["Unknown"]),
    "exploitation_type": st.lists(st.sampled_from(option_values("exploitation_type")), unique=True, max_size=4),
    "control_signs": st.lists(st.sampled_from(option_values("control_signs")), unique=True, max_size=4),
    "victims_gender": st.sampled_from(option_values("victims_gender")),
    "minors": st.sampled_from(["yes", "no", "unsure"]),
    "victims_count": st.sampled_from(["one", "1", "a dozen", "3 women and 2 kids", "up to 40", "I don't know"]),
    "victims_nationality": st.sampled_from(["Nepali", "maybe Eritrean", "from Moldova, spoke Russian", "ukrainki", ""]),
    "perpetrators": st.sampled_from(["", "a driver", "the boss and his wife", "recruiter via facebook"]),
    "narrative": st.text(min_size=1, max_size=80),
}), st.sampled_from(["Active", "FollowUp", "Closed", "ClosedReferred", None]))
def test_any_report_exports_only_the_standards_fields_and_values(answers, status):
    slots = {**answers, "consent": "yes", "draft_id": "d", "place": "Kyiv", "incident_date": "last week"}
    built = report.build(slots, "en", [])
    entries = [casework.entry("status", "x", status=status)] if status else []
    tables = htcds.records(built, "R-ABCD-EFGH", "2026-11-30", casework.CaseFile.of(entries))
    check_records(tables)
    assert tables["cases"][0]["cas_Status"] == (status or "Active")  # untriaged: an open case


HOSTILE = ["=HYPERLINK(\"http://x\",\"click\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
           " =1", "＝1", "\n=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_csv_cell_is_run_by_a_spreadsheet(text):
    built = report.build({**FULL, "narrative": text, "perpetrators": text, "place": text}, "en",
                         [{"from": "person", "text": text, "at": 1.0}])
    case = casework.CaseFile.of([casework.entry("comment", "alice", text=text),
                                 casework.entry("referral", "alice", organisation=text, details=text)])
    tables = htcds.records(built, "R-ABCD-EFGH", "2026-11-30", case, with_contact=True)
    texts = htcds.csv_tables(tables)
    found = 0
    for table, body in texts.items():
        for row in csv.reader(io.StringIO(body)):
            for cell in row:
                assert not cell.lstrip(" ").startswith(htcds.FORMULA_START), (table, cell)
                found += text.strip() in cell
    assert found >= 5  # the hostile words are all there, shown, not run


def test_every_report_question_reaches_a_record():
    """No answer is lost on the way into the linked records."""
    built = report.build(FULL, "en", [])
    tables = htcds.records(built, "R-ABCD-EFGH", "2026-11-30", with_contact=True)
    flat = repr(tables)
    for q in REPORT:
        value = FULL.get(q.slot)
        if q.kind in ("text", "date", "place", "count"):
            assert value in flat, q.slot  # the person's own words
        elif isinstance(value, str) and value != "Both":
            assert repr(value) in flat, q.slot  # the option chosen

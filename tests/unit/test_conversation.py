"""How answers are understood, and what the assistant says, without Rasa."""
import pytest

from bot.config import Settings
from bot.dialogue.answers import interpret
from bot.dialogue.conversation import (
    answer,
    ask,
    cleared,
    corrections,
    previous_question,
    start_help,
    start_report,
    summary,
    welcome,
)
from bot.referrals import matching as referrals
from bot.vocabulary.fields import NOT_APPLICABLE, REPORT, SKIPPED

DIRECTORY = referrals.load(Settings.from_env().referrals_dir)


def run(slot, text, intent="inform", entities=None, slots=None, lang="en", form="report_form", confidence=0.99):
    return answer(form, slot, text, intent, entities or [], slots or {}, lang, DIRECTORY, confidence)


@pytest.mark.parametrize("question", [q for q in REPORT if not q.required], ids=lambda q: q.slot)
def test_every_optional_question_can_be_skipped(question):
    assert run(question.slot, "skip", intent="skip").slots[question.slot] == question.skip_value
    fr = run(question.slot, "je préfère ne pas répondre", intent="skip", lang="fr")
    assert fr.slots[question.slot] == question.skip_value


def test_skipping_a_choice_that_steers_the_conversation_means_the_gentlest_option():
    assert run("consent", "skip", intent="skip").slots["consent"] == "no"
    assert run("path", "skip", intent="skip", form="triage_form").slots["path"] == "help"
    assert run("next_step", "skip", intent="skip", form="help_form").slots["next_step"] == "done"


def test_the_narrative_cannot_be_skipped_and_says_why():
    step = run("narrative", "skip", intent="skip")
    assert step.slots["narrative"] is None
    assert "few words" in step.replies[0].text


def test_a_survivor_may_skip_telling_what_happened():
    step = run("narrative", "skip", intent="skip", slots={"path": "help"})
    assert step.slots["narrative"] == SKIPPED and not step.replies
    assert ask("narrative", {"path": "help"}, "en", DIRECTORY)[-1].buttons  # a Skip button is offered


def test_a_long_answer_classified_as_skip_is_kept():
    text = "I don't know his name but he took their passports at the door"
    assert run("perpetrators", text, intent="skip").slots["perpetrators"] == text


def test_buttons_and_typed_answers_for_choices():
    assert run("stage", "/inform", entities=[{"entity": "choice", "value": "Transit"}]).slots["stage"] == "Transit"
    assert run("stage", "they were moved in a van at night").slots["stage"] == "Transit"
    assert run("minors", "oui", intent="affirm", lang="fr").slots["minors"] == "yes"
    assert run("exploitation_type", "travail forcé sur un chantier", lang="fr").slots["exploitation_type"] == ["ForcedLabour"]


def test_a_forged_choice_is_not_accepted():
    step = run("stage", '/inform{"choice":"DROP TABLE"}', entities=[{"entity": "choice", "value": "DROP TABLE"}])
    assert step.slots["stage"] is None
    assert "didn't catch" in step.replies[0].text


def test_an_unrecognised_multi_choice_keeps_the_persons_words():
    step = run("control_signs", "something about their phones being checked")
    assert step.slots == {"control_signs": ["Other"],
                          "control_signs_text": "something about their phones being checked"}
    first, _ = summary({"path": "report", **step.slots}, "en")
    assert "something about their phones being checked" in first.text


def test_requests_inside_a_form_are_answered_then_the_question_is_asked_again():
    for intent, expected in [("help", "How this works"), ("privacy_question", "Who sees"), ("bot_challenge", "automated")]:
        step = run("incident_date", "help", intent=intent)
        assert step.slots == {"incident_date": None}
        assert expected in step.replies[0].text


def test_low_confidence_requests_are_answers():
    step = run("victims_count", "four", intent="emergency", confidence=0.4)
    assert step.slots["victims_count"] == "four"
    assert not step.replies


def test_emergency_inside_a_form_gives_numbers_at_once():
    step = run("incident_date", "he is coming back", intent="emergency", slots={"location_country": "UA"})
    assert "112" in step.replies[0].text and "Ukraine" in step.replies[0].text
    assert step.slots == {"incident_date": None}


def test_change_language_inside_a_form():
    step = run("place", '/change_language{"language":"fr"}', intent="change_language",
               entities=[{"entity": "language", "value": "fr"}])
    assert step.slots == {"place": None, "language": "fr"}
    assert "français" in step.replies[0].text


def test_go_back_clears_the_previous_answered_question():
    slots = {"consent": "yes", "knowledge_source": "observed", "narrative": "x", "incident_date": NOT_APPLICABLE}
    assert previous_question("report_form", slots, "place") == "narrative"
    step = run("place", "go back", intent="go_back", slots=slots)
    assert step.slots == {"place": None, "narrative": None}
    first = run("consent", "go back", intent="go_back", slots={})
    assert first.slots == {"consent": None} and "first question" in first.replies[0].text


def test_declining_consent_asks_nothing_more():
    step = run("consent", "no", intent="deny")
    assert step.slots["consent"] == "no"
    assert all(step.slots[q.slot] == NOT_APPLICABLE for q in REPORT if q.slot != "consent")


def test_anonymous_reporters_are_not_asked_for_contact_details():
    step = run("contact_preference", "no", intent="deny")
    assert step.slots == {"contact_preference": "anonymous", "contact_details": NOT_APPLICABLE}


def test_place_and_location_find_the_country():
    assert run("location", "je suis à Chisinau", lang="fr", form="help_form").slots["location_country"] == "MD"
    assert run("place", "a farm in Moldova").slots["location_country"] == "MD"


def test_danger_gives_emergency_numbers_before_anything_else():
    step = run("in_danger", "yes", intent="affirm", form="triage_form")
    assert step.slots["in_danger"] == "yes"
    assert "112" in step.replies[0].text


def test_paths_ask_only_what_they_need():
    third = start_report("third_party", {"location": "Lviv"})
    assert third["stage"] == NOT_APPLICABLE and third["narrative"] is None and third["place"] == "Lviv"
    helped = start_report("help", {})
    assert helped["contact_preference"] == "contact" and helped["narrative"] is None
    assert helped["incident_date"] == NOT_APPLICABLE
    assert start_report("report", {})["draft_id"] != start_report("report", {})["draft_id"]
    assert start_help("third_party")["needs"] == ["hotline"]


def test_questions_have_buttons_and_a_skip():
    [reply] = ask("stage", {}, "fr", DIRECTORY)
    titles = [b["title"] for b in reply.buttons]
    assert "Passer" in titles or "passer" in [t.lower() for t in titles]
    assert all(b["payload"].startswith("/") for b in reply.buttons)
    narrative = ask("narrative", {}, "en", DIRECTORY)[-1]
    assert not narrative.buttons  # required: no skip button


def test_services_are_shown_for_the_place_and_marked_as_examples():
    replies = ask("next_step", {"path": "help", "location_country": "UA", "location_city": "Kyiv",
                                "needs": ["shelter"]}, "en", DIRECTORY)
    text = replies[0].text
    assert "Example Shelter Kyiv" in text and "Example or unverified entry" in text


def test_no_service_nearby_still_gives_a_hotline():
    text = ask("next_step", {"path": "help", "location_country": None}, "en", DIRECTORY)[0].text
    assert "IOM" in text and "hotlines can refer you" in text


def test_summary_lists_answers_and_offers_send_change_stop():
    slots = {"path": "report", "consent": "yes", "narrative": "the story", "incident_date": SKIPPED,
             "stage": "Transit", "contact_details": NOT_APPLICABLE}
    first, question = summary(slots, "en")
    assert "the story" in first.text and "Being moved" in first.text and "(not given)" in first.text
    assert [b["payload"] for b in question.buttons] == ["/affirm", "/go_back", "/stop"]
    fields = [b["payload"] for b in corrections(slots, "en")[0].buttons]
    assert '/go_back{"field":"narrative"}' in fields and not any("contact_details" in f for f in fields)


def test_cleared_keeps_only_the_language():
    slots = cleared("fr")
    assert slots["language"] == "fr" and slots["narrative"] is None and slots["draft_id"] is None


def test_welcome_remembers_why_the_person_came():
    step = welcome("en", "request_help", first_time=True, paused=False)
    assert step.slots["path"] == "help"
    assert any(b["title"] == "Français" for r in step.replies for b in r.buttons)


def test_interpret_counts():
    assert interpret("victims_count", "about 12 people", "inform", [], "en").extra == {"victims_count_number": 12}

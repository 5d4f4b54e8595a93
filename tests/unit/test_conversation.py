"""How answers are understood, and what the assistant says, without Rasa (through the engine)."""
import pytest

from bot.dialogue.answers import interpret
from bot.dialogue.conversation import ask, corrections, summary
from bot.dialogue.engine import CLOSE, SUMMARY
from bot.vocabulary.fields import NOT_APPLICABLE, REPORT, SKIPPED

from .dialogue_talk import DIRECTORY, Talk, choice


def at(slot: str, lang: str = "en", path: str = "report") -> Talk:
    """A conversation waiting for the answer to ``slot``, every earlier question skipped."""
    talk = Talk()
    talk.say("hello" if lang == "en" else "Bonjour", intent="greet")
    talk.say(choice("no"))
    if slot == "path":
        return talk
    talk.say(choice(path))
    if path != "report":
        while talk.state.phase != "report" and talk.state.asking != slot:
            talk.say(choice("report") if talk.state.asking == "next_step" else "/skip")
    if slot != "consent" and talk.state.asking == "consent":
        talk.say(choice("yes"))
    for _ in range(30):
        if talk.state.asking == slot:
            return talk
        talk.say("the story" if talk.state.asking == "narrative" and path == "report" else "/skip")
    raise AssertionError(f"{slot} never asked")


@pytest.mark.parametrize("question", [q for q in REPORT if not q.required and q.slot not in ("contact_details", "consent")],
                         ids=lambda q: q.slot)
def test_every_optional_question_can_be_skipped(question):
    talk = at(question.slot)
    talk.say("skip")
    assert talk.answers[question.slot] == question.skip_value
    talk = at(question.slot, lang="fr")
    talk.say("je préfère ne pas dire")
    assert talk.answers[question.slot] == question.skip_value


def test_skipping_a_choice_that_steers_the_conversation_means_the_gentlest_option():
    talk = at("consent")
    talk.say("skip")
    assert talk.turn.effect == CLOSE and "Nothing you said is kept" in talk.text  # skipped consent: no
    talk = at("path")
    talk.say("skip")
    assert talk.state.path == "help"
    talk = at("next_step", path="help")
    talk.say("skip")
    assert talk.turn.effect == CLOSE and "Take care" in talk.text


def test_the_narrative_cannot_be_skipped_and_says_why():
    talk = at("narrative")
    talk.say("skip")
    assert "narrative" not in talk.answers and "few words" in talk.text


def test_a_survivor_may_skip_telling_what_happened():
    talk = at("narrative", path="help")
    assert "Skip" in talk.buttons  # a Skip button is offered
    talk.say("skip")
    assert talk.answers["narrative"] == SKIPPED and talk.state.asking == "contact_details"


def test_a_long_answer_classified_as_skip_is_kept():
    text = "I don't know his name but he took their passports at the door"
    talk = at("perpetrators")
    talk.say(text, intent="skip")
    assert talk.answers["perpetrators"] == text


def test_buttons_and_typed_answers_for_choices():
    talk = at("stage")
    talk.say(choice("Transit"))
    assert talk.answers["stage"] == "Transit"
    talk = at("stage")
    talk.say("they were moved in a van at night")
    assert talk.answers["stage"] == "Transit"
    talk = at("minors", lang="fr")
    talk.say("oui", intent="affirm")
    assert talk.answers["minors"] == "yes"
    talk = at("exploitation_type", lang="fr")
    talk.say("travail forcé sur un chantier")
    assert talk.answers["exploitation_type"] == ["ForcedLabour"]


def test_a_forged_choice_is_not_accepted():
    talk = at("stage")
    talk.say('/inform{"choice":"DROP TABLE"}')
    assert "stage" not in talk.answers and "didn't catch" in talk.text


def test_an_unrecognised_multi_choice_keeps_the_persons_words():
    talk = at("control_signs")
    talk.say("they all had the same strange tattoo")  # branding: a sign the options do not name
    assert talk.answers["control_signs"] == ["Other"]
    assert talk.answers["control_signs_text"] == "they all had the same strange tattoo"
    first, _ = summary({"path": "report", **talk.answers}, "en")
    assert "they all had the same strange tattoo" in first.text


def test_an_answer_naming_the_conversations_own_language_is_kept_as_an_answer():
    talk = at("victims_nationality")
    talk.say("Ethiopian, she speak Amharic only, very little English")
    assert talk.answers["victims_nationality"] == "Ethiopian, she speak Amharic only, very little English"
    assert "continue in English" not in talk.text


def test_a_sign_described_without_its_words_is_read_and_the_words_kept():
    talk = at("control_signs")
    talk.say("something about their phones always being checked at night")  # no option's words: the reader's
    assert talk.answers["control_signs"] == ["RestrictsFreedom"]
    assert talk.answers["control_signs_text"] == "something about their phones always being checked at night"


def test_requests_inside_a_question_are_answered_then_the_question_is_asked_again():
    for said, expected in [("help", "How this works"), ("who runs this?", "run by"), ("will the police know?", "police")]:
        talk = at("incident_date")
        talk.say(said)
        assert expected in talk.text and "When did it happen" in talk.text
        assert "incident_date" not in talk.answers


def test_what_the_classifier_thinks_never_turns_an_answer_into_a_command():
    talk = at("victims_count")
    talk.say("four", intent="emergency", confidence=0.99)
    assert talk.answers["victims_count"] == "four"


def test_emergency_inside_a_question_gives_numbers_at_once():
    talk = at("location", path="help")
    talk.say("Kyiv")
    talk = at("incident_date")
    talk.answers["location_country"] = "UA"
    talk.say("emergency")
    assert "112" in talk.text and "Ukraine" in talk.text
    assert "incident_date" not in talk.answers and "When did it happen" in talk.text


def test_change_language_inside_a_question():
    talk = at("place")
    talk.say('/change_language{"language":"fr"}')
    assert talk.state.lang == "fr" and "place" not in talk.answers
    assert "français" in talk.text and "Où" in talk.text


def test_go_back_asks_the_previous_answered_question_again():
    talk = at("incident_date")
    talk.say("go back")
    assert talk.state.asking == "narrative" and "narrative" not in talk.answers
    talk = at("knowledge_source")
    talk.say("go back")
    assert "first question" in talk.text and talk.state.asking == "knowledge_source"


def test_declining_consent_asks_nothing_more():
    talk = at("consent")
    talk.say("no", intent="deny")
    assert talk.turn.effect == CLOSE and talk.answers == {}
    assert "Nothing you said is kept" in talk.text


def test_anonymous_reporters_are_not_asked_for_contact_details():
    talk = at("contact_preference")
    talk.say("no", intent="deny")
    assert talk.answers["contact_preference"] == "anonymous" and talk.state.stage == SUMMARY


def test_place_and_location_find_the_country():
    talk = at("location", lang="fr", path="help")
    talk.say("je suis à Chisinau")
    assert talk.answers["location_country"] == "MD"
    talk = at("place")
    talk.say("a farm in Moldova")
    assert talk.answers["location_country"] == "MD"


def test_danger_gives_emergency_numbers_before_anything_else():
    talk = Talk()
    talk.say("hello", intent="greet")
    talk.say("yes", intent="affirm")
    assert talk.answers["in_danger"] == "yes" and "112" in talk.text
    assert talk.text.index("112") < talk.text.index("What would you like to do")


def test_paths_ask_only_what_they_need():
    talk = at("location", path="third_party")
    talk.say("Lviv")
    talk.say(choice("report"))
    talk.say(choice("yes"))
    assert talk.state.asking == "narrative" and talk.answers["place"] == "Lviv"
    talk.say("she stopped answering")
    assert talk.state.asking == "minors"  # no date, stage or types for a worried relative
    helped = at("consent", path="help")
    helped.say(choice("yes"))
    assert helped.answers["contact_preference"] == "contact" and helped.state.asking == "narrative"
    drafts = {at("knowledge_source").state.draft_id for _ in range(2)}
    assert len(drafts) == 2


def test_questions_have_buttons_and_a_skip():
    [reply] = ask("stage", {}, "fr", DIRECTORY)
    titles = [b["title"] for b in reply.buttons]
    assert "Passer" in titles
    assert all(b["payload"].startswith("/") for b in reply.buttons)
    narrative = ask("narrative", {}, "en", DIRECTORY)[-1]
    assert not narrative.buttons  # required: no skip button


def test_services_are_shown_for_the_place_and_marked_as_examples():
    replies = ask("next_step", {"path": "help", "location_country": "UA", "location_city": "Kyiv",
                                "needs": ["shelter"]}, "en", DIRECTORY)
    text = "\n".join(r.text for r in replies)
    assert "Example Shelter Kyiv" in text and "Example or unverified entry" in text
    # One message per service (a card each on a phone), languages by name, never "uk".
    [card] = [r.text for r in replies if "Example Shelter Kyiv" in r.text]
    assert "Here are services" not in card and "Ukrainian" in card and "uk," not in card


def test_no_service_nearby_still_gives_a_hotline():
    text = "\n".join(r.text for r in ask("next_step", {"path": "help", "location_country": None}, "en", DIRECTORY))
    assert "IOM" in text and "hotlines can refer you" in text


def test_summary_lists_answers_and_offers_send_change_stop():
    slots = {"path": "report", "consent": "yes", "narrative": "the story", "incident_date": SKIPPED,
             "stage": "Transit", "contact_details": NOT_APPLICABLE}
    first, question = summary(slots, "en")
    assert "the story" in first.text and "Being moved" in first.text and "(not given)" in first.text
    assert [b["payload"] for b in question.buttons] == ["/affirm", "/go_back", "/stop"]
    fields = [b["payload"] for b in corrections(slots, "en")[0].buttons]
    assert '/go_back{"field":"narrative"}' in fields and not any("contact_details" in f for f in fields)


def test_a_correction_returns_to_the_summary():
    talk = at("incident_date")
    talk.say("yesterday")
    while talk.state.stage != SUMMARY:
        talk.say("/skip")
    talk.say("change")
    assert '/go_back{"field":"incident_date"}' in talk.payloads
    talk.say('/go_back{"field":"incident_date"}')
    assert "When did it happen" in talk.text
    talk.say("last Tuesday")
    assert talk.state.stage == SUMMARY and "last Tuesday" in talk.text


def test_stop_keeps_only_the_language():
    talk = at("incident_date", lang="fr")
    talk.say("stop")
    assert talk.state.lang == "fr" and talk.answers == {} and talk.state.draft_id is None


def test_the_opening_remembers_why_the_person_came():
    talk = Talk()
    talk.say("I need help", intent="request_help")
    assert talk.answers["path"] == "help" and "Français" in talk.buttons


def test_interpret_counts():
    assert interpret("victims_count", "about 12 people", "inform", [], "en").extra == {"victims_count_number": 12}
    assert interpret("victims_count", "une dizaine", "inform", [], "fr").extra == {"victims_count_number": 10}


def test_show_more_services_never_sends_an_empty_message():
    """Found by the random conversations: the second page of services began with an empty
    message once each service became its own message."""
    replies = ask("next_step", {"path": "help", "location_country": "UA", "needs": ["shelter"],
                                "services_offset": 3}, "en", DIRECTORY)
    assert replies and all(r.text.strip() for r in replies)


def test_a_typed_command_one_slip_from_two_commands_is_no_command(monkeypatch):
    """Found translating into Russian and Ukrainian: "исправить" (fix) is two letters from
    "отправить" (send), and a typo-tolerant match of send, tried first, would have sent the report
    of a person asking to correct it."""
    from bot.dialogue import cues

    commands = {"send": ("отправить", "yes"), "change": ("исправить",), "stop": ("stop prosze",)}
    monkeypatch.setattr(cues, "_commands", lambda lang: commands)
    assert cues.command("исправить", "ru") == "change"  # exactly a command wins over a near one
    assert cues.command("отправить", "ru") == "send"
    assert cues.command("оправить", "ru") is None  # near both: neither
    assert cues.command("исправит", "ru") == "change"  # near one only: that one
    assert cues.command("top prosze", "ru") is None  # a slip of stop is never another command
    assert cues.command("исправить", "ru", only=("send",)) is None


def test_another_language_s_short_word_is_a_whole_word_only():
    """Russian "да" is not the start of Ukrainian "далі" ("next"): a foreign short word counts
    only as a whole word, the conversation's own words from their start."""
    from bot.dialogue.answers import _longest_mention

    assert _longest_mention("далі", ["да"], foreign=True) == 0
    assert _longest_mention("да, согласен", ["да"], foreign=True) == 2
    assert _longest_mention("sexual exploitation", ["sex"]) == 3


def test_children_in_the_count_answer_the_minors_question_and_the_summary_shows_them():
    """"yeah 2 of them, looked 15 or 16" had to be typed again as a button press."""
    talk = at("victims_count")
    talk.say("yeah 2 of them, looked 15 or 16")
    assert talk.answers["minors"] == "yes" and talk.answers["age_under_18"] == 15
    assert talk.state.asking != "minors"
    while talk.state.stage != SUMMARY:
        talk.say("/skip")
    assert "2 people, 2 under 18, ages 15, 16 (yeah 2 of them, looked 15 or 16)" in talk.text


def test_a_date_correction_in_free_text_is_read_again():
    talk = at("incident_date")
    talk.say("it was Wednesday")
    while talk.state.stage != SUMMARY:
        talk.say("/skip")
    assert "Wednesday, " in talk.text
    talk.say('/go_back{"field":"incident_date"}')
    talk.say("last Tuesday around 2300")
    assert talk.state.stage == SUMMARY and "Tuesday, " in talk.text and "around 23:00" in talk.text

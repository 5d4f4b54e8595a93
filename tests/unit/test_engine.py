"""The dialogue engine on the exchanges that broke in the trials (issue 9), each quoted as it was
typed, and on the rules every conversation keeps: the answer wins, nothing is lost, "stop" and
"exit" always work, danger is answered at once."""
import pytest

from bot.dialogue.engine import ASKING, CLOSE, EXIT, PAUSED, SUMMARY, State
from bot.vocabulary.fields import SKIPPED

from .dialogue_talk import Talk, choice, engine


def to_report(talk: Talk, lang: str = "en") -> Talk:
    """Opened, not in danger, consent given: the report's first question is asked."""
    if lang == "fr":
        talk.say("Bonjour")
    talk.say("I need to report something I saw" if lang == "en" else "je dois signaler quelque chose",
             intent="report_incident")
    talk.say(choice("no"))
    talk.say(choice("yes"))
    return talk


def skip_to(talk: Talk, slot: str | None, stage: str = ASKING) -> Talk:
    """Skip (or, for the one required question, answer) until ``slot`` is asked or ``stage`` reached."""
    for _ in range(40):
        if (slot and talk.state.asking == slot) or (not slot and talk.state.stage == stage):
            return talk
        talk.say("a man took passports" if talk.state.asking == "narrative" else "/skip")
    raise AssertionError(f"never reached {slot or stage}: {talk.text}")


def to_services(talk: Talk, lang: str = "en") -> Talk:
    talk.say("hello" if lang == "en" else "Bonjour", intent="greet")
    talk.says(choice("no"), choice("help"), choice("shelter"), choice("woman"), "Kyiv")
    return talk


# --- the answer wins ----------------------------------------------------------------------

@pytest.mark.parametrize("typed, lang", [("voir plus", "fr"), ("show more", "fr"), ("show more", "en"),
                                         ("Show more", "en"), ("Voir plu", "fr")])
def test_show_more_typed_at_the_services_shows_more(typed, lang):
    talk = to_services(Talk(), lang)
    first = talk.text
    more = talk.say(typed)
    assert talk.state.answers["services_offset"] == 3
    assert more != first and "Example Shelter Kyiv" not in more


@pytest.mark.parametrize("typed, lang", [("autre lieu", "fr"), ("A different need or place", "en")])
def test_a_different_place_typed_asks_the_need_again(typed, lang):
    talk = to_services(Talk(), lang)
    talk.say(typed)
    assert talk.state.asking == "needs" and "location" not in talk.answers


def test_stop_and_exit_work_after_any_number_of_misunderstandings():
    talk = to_services(Talk(), "fr")
    for _ in range(9):
        talk.say("gnagna blabla")
    assert "stop" in talk.text and "Quitter et effacer" in talk.buttons  # the way out is offered
    talk.say("stop")
    assert talk.turn.effect == CLOSE and talk.answers == {}
    talk = to_services(Talk(), "fr")
    talk.say("zzz")
    talk.say("quitter")
    assert talk.turn.effect == EXIT and talk.state == State()


@pytest.mark.parametrize("slot_path, typed, expected", [
    ("in_danger", "not right now", "no"),
    ("victims_gender", "both", "Both"),
    ("control_signs", "ids and phones taken", ["WithholdsDocuments"]),
])
def test_answers_that_look_like_commands_are_answers(slot_path, typed, expected):
    talk = Talk()
    talk.say("hello", intent="greet")
    if slot_path != "in_danger":
        talk.says(choice("no"), choice("report"), choice("yes"))
        skip_to(talk, slot_path)
    talk.say(typed, intent="pause")  # what the classifier said in the trials
    assert talk.answers[slot_path] == expected
    assert talk.state.stage == ASKING


def test_autres_is_an_answer_not_a_pause():
    talk = to_report(Talk())
    skip_to(talk, "exploitation_type")
    talk.say("autres", intent="pause")
    assert talk.state.stage == ASKING and talk.answers["exploitation_type"]


def test_a_place_is_kept_and_only_one_line_of_numbers_when_it_sounds_urgent():
    talk = to_report(Talk())
    talk.says(choice("observed"), "men and boys making bricks", "yesterday")
    assert talk.state.asking == "place"
    reply = talk.say("brick kiln outside Kirkuk", intent="emergency")
    assert talk.answers["place"] == "brick kiln outside Kirkuk"
    assert "Poland" not in reply and talk.state.asking == "stage"


def test_short_narratives_are_narratives():
    for narrative in ("forge narrative", "go back home they said", "stop the van"):
        talk = to_report(Talk())
        talk.say(choice("told"))
        talk.say(narrative, intent="stop")
        if narrative == "stop the van":
            assert talk.answers.get("narrative") == narrative
        assert talk.answers["narrative"] == narrative and talk.state.asking == "incident_date"


# --- pause --------------------------------------------------------------------------------

def test_pause_keeps_every_answer_and_resumes_the_exact_question():
    talk = to_report(Talk())
    talk.says(choice("observed"), "a man took four passports at the market")
    before = dict(talk.answers)
    assert talk.state.asking == "incident_date"
    talk.say("pause")
    assert talk.state.stage == PAUSED and "24 hours" in talk.text
    offer = talk.say("hello")
    assert talk.state.stage == PAUSED and "Continue" in talk.buttons and "continue" in offer.lower()
    talk.say("continue")
    assert talk.answers == before and talk.state.asking == "incident_date"
    assert "When did it happen" in talk.text


def test_a_pause_ends_only_after_the_time_the_person_was_told():
    talk = to_report(Talk())
    talk.says(choice("observed"), "a man took four passports at the market", "pause")
    paused_at = talk.state.paused_at
    talk.say("hello", at=paused_at + 23 * 3600)
    assert talk.state.stage == PAUSED  # still kept
    talk.say("continue", at=paused_at + 25 * 3600)
    assert "deleted" in talk.text and talk.answers.get("narrative") is None


# --- language -----------------------------------------------------------------------------

def test_a_language_change_keeps_the_need_and_asks_again():
    talk = Talk()
    talk.say("Bonjour")
    talk.says(choice("no"), choice("help"))
    talk.say("j'ai besoin d'un endroit pour dormir")
    assert talk.answers["needs"] == ["shelter"]
    reply = talk.say("sorry my french is bad, can we speak english")
    assert talk.state.lang == "en" and talk.answers["needs"] == ["shelter"]
    assert "Who is the help for" in reply
    reply = talk.say("ok actually can we go back to french, c'est mieux en francais")
    assert talk.state.lang == "fr" and "Pour qui" in reply
    assert "for_whom" not in talk.answers and talk.state.asking == "for_whom"


def test_a_language_request_is_never_stored_as_a_place():
    talk = to_services(Talk(), "en")
    talk.say(choice("change"))
    talk.says(choice("legal"), choice("man"))
    assert talk.state.asking == "location"
    talk.say("en français svp")
    assert talk.state.lang == "fr" and "location" not in talk.answers


def test_a_language_named_as_an_answer_stays_the_answer_and_is_offered():
    talk = to_report(Talk())
    skip_to(talk, "victims_nationality")
    talk.say("they spoke French")
    assert talk.answers["victims_nationality"] == "they spoke French" and talk.state.lang == "en"
    talk = to_report(Talk())
    skip_to(talk, "victims_nationality")
    talk.say("French")
    assert talk.answers["victims_nationality"] == "French" and talk.state.lang == "en"
    assert "Français" in talk.buttons  # the other reading, offered as a button


# --- the survivor's own path --------------------------------------------------------------

def survivor_request(talk: Talk) -> str:
    talk.say("Bonjour")
    talk.says(choice("no"), "c'est pour moi", "un endroit pour dormir", choice("woman"), "Chisinau")
    talk.say("Qu'on me contacte")
    talk.say("oui")
    talk.say("non je prefere pas")  # telling what happened is hers to choose
    return talk.say("appelez-moi au +373 600 00 000 après 18h")


def test_a_contact_request_carries_her_need_place_language_and_safe_time():
    talk = Talk()
    summary = survivor_request(talk)
    assert "Un endroit sûr où dormir" in summary and "Chisinau" in summary and "Français" in summary
    assert "après 18h" in summary
    assert "Ce qui s'est passé" not in summary or "non renseigné" in summary
    talk.say("hello")  # a greeting at the send step keeps the draft
    assert talk.state.stage == SUMMARY
    sent = talk.say("/affirm")
    report = talk.sent[0]
    assert report["path"] == "help" and report["needs"] == ["shelter"] and report["location"] == "Chisinau"
    assert report["language"] == "fr" and report["narrative"] == SKIPPED
    assert "demande" in sent and "Ce que vous avez vu ou entendu" not in sent  # words written for her


@pytest.mark.parametrize("refusal", ["non finalement j'envoie pas", "non", "no, don't send it"])
def test_no_at_the_send_step_means_dont_send(refusal):
    talk = Talk()
    survivor_request(talk)
    talk.say(refusal)
    assert not talk.sent and talk.state.stage == SUMMARY
    assert "rien envoyé" in talk.text or "not sent" in talk.text


@pytest.mark.parametrize("greeting", ["hello", "good morning", "Bonjour", "hi"])
def test_a_greeting_at_the_send_step_keeps_the_whole_draft(greeting):
    talk = to_report(Talk())
    skip_to(talk, None, SUMMARY)
    draft = dict(talk.answers)
    talk.say(greeting, intent="greet")
    assert talk.state.stage == SUMMARY and talk.answers == draft
    talk.say("/affirm")
    assert talk.sent and talk.sent[0]["narrative"] == "a man took passports"


@pytest.mark.parametrize("said", ["moi j'ai 15 ans", "I'm 15", "she's 17"])
def test_an_age_under_18_adds_child_protection_and_flags_the_report(said):
    talk = Talk()
    talk.say("hello", intent="greet")
    talk.says(choice("no"), choice("help"), choice("shelter"))
    talk.say(said)
    assert talk.answers["age_under_18"] < 18
    assert "child_protection" in talk.answers["needs"] and talk.answers["for_whom"] == "child"
    assert "under 18" in talk.text or "moins de 18" in talk.text


def test_this_is_for_me_turns_a_worry_into_help_for_her():
    talk = Talk()
    talk.say("I'm worried about my sister", intent="worried_about_someone")
    talk.say(choice("no"))
    assert talk.state.path == "third_party"
    talk.say("actually it's for me, I am in Kyiv")
    assert talk.state.path == "help"


# --- honest answers -----------------------------------------------------------------------

@pytest.mark.parametrize("question, topic_words", [
    ("est-ce que la police va savoir ?", "pas à la police"),
    ("vous allez le dire a la police?", "pas à la police"),
    ("j'ai pas de papiers, on va m'expulser?", "immigration"),
    ("c'est qui l'equipe? c'est la police?", "police"),
    ("will the police know?", "not to the police"),
    ("can I be deported?", "immigration"),
    ("does it cost anything?", "free"),
    ("who runs this?", "run by"),
    ("can my employer see this?", "sealed"),
    ("what happens to my data?", "encrypted"),
])
def test_questions_people_ask_before_trusting_get_an_answer_and_are_never_stored(question, topic_words):
    talk = Talk()
    talk.say("hello", intent="greet")
    talk.says(choice("no"), choice("help"))
    assert talk.state.asking == "needs"
    reply = talk.say(question, intent="privacy_question")
    assert topic_words in reply
    assert "needs" not in talk.answers and talk.state.asking == "needs"


def test_the_organisation_and_its_duties_are_the_deployments():
    talk = Talk(engine(BOT_ORGANISATION="Mission Safe Line", BOT_REPORTING_DUTIES_EN="We tell the police only if you ask."))
    talk.say("hello", intent="greet")
    reply = talk.say("will the police know?")
    assert "Mission Safe Line" in reply and "We tell the police only if you ask." in reply


# --- danger -------------------------------------------------------------------------------

def test_confinement_gets_one_line_of_numbers_and_the_quick_exit():
    talk = Talk()
    reply = talk.say("il a pris mon passeport et il m'enferme, je peux pas sortir", intent="nlu_fallback")
    assert "112" in reply and "quitter" in reply
    assert talk.state.asking == "in_danger"


def test_someone_who_cannot_call_is_not_told_to_call():
    talk = Talk()
    talk.say("Bonjour")
    reply = talk.say("je peux pas appeler il va entendre")
    assert "pas obligé d'appeler" in reply
    assert not any(line.startswith("Si vous êtes en danger maintenant, appelez") for line in reply.splitlines())


def test_a_silent_way_is_shown_where_the_directory_publishes_one():
    talk = Talk()
    talk.engine.referrals.emergency.setdefault("LT", {})["silent"] = "SMS to 112"
    try:
        talk.say("hello", intent="greet")
        talk.says(choice("no"), choice("help"), choice("shelter"), choice("woman"), "Vilnius")
        reply = talk.say("I can't call, he will hear")
        assert "SMS to 112" in reply
    finally:
        talk.engine.referrals.emergency["LT"].pop("silent")


@pytest.mark.parametrize("unsure", ["I'm not sure", "je sais pas trop", "maybe"])
def test_not_sure_at_the_danger_question_gets_the_numbers(unsure):
    talk = Talk()
    talk.say("hello", intent="greet")
    reply = talk.say(unsure)
    assert "112" in reply and talk.answers["in_danger"] == "unsure"


@pytest.mark.parametrize("where", ["opening", "question", "summary", "paused"])
def test_stop_exit_and_emergency_work_in_every_state(where):
    for command, check in [("stop", lambda t: t.turn.effect == CLOSE),
                           ("exit", lambda t: t.turn.effect == EXIT),
                           ("emergency", lambda t: "112" in t.text)]:
        talk = Talk()
        if where != "opening":
            to_report(talk)
        if where == "summary":
            skip_to(talk, None, SUMMARY)
        if where == "paused":
            talk.say("pause")
        talk.say(command)
        assert check(talk), (where, command, talk.text)


@pytest.mark.parametrize("question, intent, expected", [
    ("are you a real person?", "bot_challenge", "not a person"),
    ("is this anonymous?", "privacy_question", "Who sees"),
])
def test_a_question_about_the_assistant_is_answered_not_stored(question, intent, expected):
    talk = to_report(Talk())
    talk.say(choice("observed"))
    reply = talk.say(question, intent=intent, confidence=0.9)
    assert expected in reply and "narrative" not in talk.answers and talk.state.asking == "narrative"
    talk.say("Kirkuk?", intent="bot_challenge", confidence=0.9)  # an unsure answer stays an answer
    assert talk.answers["narrative"] == "Kirkuk?"


# --- what each channel can protect (issue 10) ----------------------------------------------

@pytest.mark.parametrize("channel, says, never", [
    ("telegram", "Telegram, the company, can see these messages", "browser"),
    ("rest", "browser's history", "Telegram"),
])
def test_the_privacy_notice_before_consent_says_what_this_channel_cannot_protect(channel, says, never):
    talk = Talk(channel=channel)
    talk.say("I need to report something I saw", intent="report_incident")
    notice = talk.say(choice("no"))  # the consent question comes with the notice
    assert talk.state.asking == "consent"
    assert says in notice and never not in notice
    assert "Not this server" not in notice  # the promise that was not true
    assert "the people who run this service could read them" in notice
    asked = talk.say("who can read this?", intent="privacy_question")
    assert says in asked and talk.state.asking == "consent"


def test_the_channel_is_kept_across_a_submission_and_reaches_the_report():
    talk = Talk(channel="telegram")
    skip_to(to_report(talk), None, SUMMARY)
    talk.say("/affirm")
    assert talk.sent[-1]["channel"] == "telegram"
    assert talk.state.channel == "telegram" and not talk.state.answers


@pytest.mark.parametrize("said, lang, expected", [
    ("not right now", "en", "no"), ("no, not now", "en", "no"), ("nobody right now", "en", "no"),
    ("yes, right now", "en", "yes"), ("pas en danger", "fr", "no"), ("pas maintenant", "fr", "no"),
])
def test_a_no_that_names_a_yes_word_is_still_a_no_at_the_danger_question(said, lang, expected):
    """Found by talking to it: "not right now" at "Is anyone in immediate danger now?" was not
    understood (it says "no" and ends in "now"), and the next answers landed one question off."""
    talk = skip_to(to_report(Talk(), lang), "immediate_danger")
    talk.say(said)
    assert talk.answers["immediate_danger"] == expected and talk.state.asking != "immediate_danger"


@pytest.mark.parametrize("said, lang", [
    ("the boss has the passports, nobody leaves, they work 14 hours", "en"),
    ("паспорти в хазяїна, нікого не випускають, працюють по 14 годин", "uk"),
])
def test_a_story_typed_at_do_you_agree_is_asked_again_never_a_decline(said, lang):
    """Found talking to it in Ukrainian: a story typed at the consent question held no-words
    ("nobody", "нікого") and was read as a decline, which deleted everything; "14 годин" (hours)
    was read as an age of 14."""
    from bot.dialogue import cues

    talk = Talk()
    talk.say("Bonjour" if lang == "fr" else ("hello" if lang == "en" else "добрий вечір"), intent="greet")
    talk.say(choice("no"))
    talk.say(choice("report"))
    assert talk.state.asking == "consent"
    talk.say(said)
    assert talk.state.asking == "consent" and "consent" not in talk.answers
    assert cues.age_in(said) is None
    talk.say(choice("yes"))
    assert talk.answers["consent"] == "yes"


def test_a_long_request_to_go_on_in_another_language_is_never_stored_as_an_answer():
    """Found talking to it: "извините, дальше лучше по-русски, мне так проще" at the question about
    the people in control was stored as their description, with a Russian button offered."""
    talk = skip_to(to_report(Talk()), "perpetrators")
    talk.say("извините, дальше лучше по-русски, мне так проще")
    assert talk.state.lang == "ru" and "perpetrators" not in talk.answers
    assert talk.state.asking == "perpetrators"

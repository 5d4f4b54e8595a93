"""A person comes back to a report with its reference: asked for the follow-up code, then offered
to add information, read news or withdraw; the engine never learns whether the code was right, so
it cannot tell the person either."""
import pytest

from bot.config import Settings
from bot.dialogue import coming_back
from bot.dialogue.engine import CLOSE, FOLLOW_UP, FOLLOWING, OPENING, Engine, Message, State
from bot.referrals import matching
from pathlib import Path

ENGINE = Engine(matching.load(Path(__file__).resolve().parents[2] / "data" / "referrals"),
                Settings.from_env({"BOT_DATA_DIR": "/nonexistent"}))
CODE = "K7QM-2XPD-9HFT-W4NB-6RCE"


def say(state, text, **kw):
    turn = ENGINE.turn(state, Message(text=text, **kw))
    return turn, " ".join(r.text for r in turn.replies)


@pytest.mark.parametrize("text,reference", [
    ("this is an update to R-M7FQ-H1NS, I remembered the plate", "R-M7FQ-H1NS"),
    ("r m7fq h1ns", "R-M7FQ-H1NS"), ("R-ABCD-EFGH", "R-ABCD-EFGH"), ("Romanians in a van", None),
    ("RESTRAINT and threats", None), ("report R-0O1L-ABCD please", "R-0011-ABCD"),
])
def test_references_are_read_as_people_type_them(text, reference):
    assert coming_back.reference_in(text) == reference


def test_coming_back_with_news_to_add():
    turn, said = say(State(), "this is an update to R-M7FQ-H1NS, I remembered the plate: KA 1234 AB")
    assert turn.state.stage == FOLLOWING and "follow-up code" in said and turn.effect is None
    turn, said = say(turn.state, "it's a code")
    assert "not a follow-up code" in said and turn.effect is None
    turn, _ = say(turn.state, CODE.lower().replace("-", " "))
    assert turn.effect == FOLLOW_UP
    assert turn.state.follow_up == ["R-M7FQ-H1NS", CODE.replace("-", "")]
    assert turn.state.follow_op == {"op": "open", "text": "this is an update to, I remembered the plate: KA 1234 AB"}
    after = ENGINE.followed_up(turn.state)
    said = " ".join(r.text for r in after.replies)
    assert "If the reference and the code are right, this is now part of the report" in said
    assert [b["title"] for b in after.replies[-1].buttons] == ["Add information", "News about the report",
                                                               "Withdraw the report", "That's all"]


def test_news_withdrawal_and_the_same_words_for_a_wrong_code():
    turn, _ = say(State(), f"R-M7FQ-H1NS {CODE}")
    menu = ENGINE.followed_up(turn.state)
    turn, _ = say(menu.state, "News about the report")
    assert turn.effect == FOLLOW_UP and turn.state.follow_op["op"] == "view"
    right = " ".join(r.text for r in ENGINE.followed_up(turn.state, view={"status": "active", "reply": "We passed it on."}).replies)
    assert "a reviewer is working on it" in right and "We passed it on." in right
    nothing = " ".join(r.text for r in ENGINE.followed_up(turn.state, view={}).replies)
    assert "received, waiting for a reviewer" in nothing and "No reviewer has left you a message yet" in nothing
    turn, said = say(menu.state, "Withdraw the report")
    assert "Withdraw report R-M7FQ-H1NS?" in said and turn.effect is None
    turn, _ = say(turn.state, "Yes, withdraw it")
    assert turn.effect == FOLLOW_UP and turn.state.follow_op["op"] == "withdraw"
    done = ENGINE.followed_up(turn.state)
    assert done.effect == CLOSE and done.state.stage == OPENING and done.state.follow_up == []
    assert "If the reference and the code were right" in " ".join(r.text for r in done.replies)


def test_too_many_tries_end_the_visit_and_stop_works_at_every_step():
    turn, _ = say(State(), f"R-M7FQ-H1NS {CODE}")
    ended = ENGINE.followed_up(turn.state, throttled=True)
    assert ended.effect == CLOSE and "Too many tries" in " ".join(r.text for r in ended.replies)
    turn, _ = say(State(), "R-M7FQ-H1NS")
    stopped, _ = say(turn.state, "stop")
    assert stopped.state.follow_up == [] and stopped.state.stage != FOLLOWING


def test_typing_more_at_the_menu_is_added_not_dropped():
    turn, _ = say(State(), f"R-M7FQ-H1NS {CODE}")
    menu = ENGINE.followed_up(turn.state)
    turn, _ = say(menu.state, "also the driver had a scar on his left hand")
    assert turn.effect == FOLLOW_UP and turn.state.follow_op == {"op": "add", "text": "also the driver had a scar on his left hand"}


def test_a_planted_follow_up_state_is_not_trusted():
    bad = State.from_dict({"stage": FOLLOWING, "follow_up": ["R-M7FQ-H1NS"], "follow_step": "menu"})
    assert bad.stage == OPENING and bad.follow_up == []


@pytest.mark.parametrize("lang", ["en", "fr", "uk"])
def test_asking_to_speak_english_at_the_nationality_question_is_no_answer(lang):
    """Found by the random conversations (their path depends on the order other tests leave the
    language detectors in): at "what nationality?", "sorry my french is bad, can we speak english"
    was stored as the answer; "she speak Amharic only, very little English" still is one."""
    from bot.dialogue.engine import ASKING, REPORTING

    def at_nationality():
        return State(lang=lang, stage=ASKING, phase=REPORTING, path="report", asking="victims_nationality",
                     greeted=True, answers={"in_danger": "no", "path": "report", "consent": "yes"}, draft_id="d")

    asked, _ = say(at_nationality(), "sorry my french is bad, can we speak english")
    assert "sorry my french" not in str(asked.state.answers) and asked.state.lang == "en"
    told, _ = say(at_nationality(), "Ethiopian, she speak Amharic only, very little English")
    assert told.state.answers.get("victims_nationality") == "Ethiopian, she speak Amharic only, very little English"

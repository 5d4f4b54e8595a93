"""The one action, run on a Tracker with a CollectingDispatcher: it carries the engine's state in
a slot, carries out the effect the engine asks for, and nothing else."""
import asyncio
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import AllSlotsReset
from rasa_sdk.executor import CollectingDispatcher

import actions.actions as A
from bot.config import Settings
from bot.dialogue import language
from bot.dialogue.engine import PAUSED, SUMMARY, State
from bot.reports import review, reviewer_keys
from bot.reports.store import ReportStore
from bot.state import server_keys

from .dialogue_talk import Talk, choice

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    settings = Settings.from_env({"BOT_DATA_DIR": str(tmp_path / "var"), "BOT_TRIAL_MODE": "1"})
    monkeypatch.setattr(A, "SETTINGS", settings)
    # The action server has the server's secrets (it reads the sealed conversation at submit).
    monkeypatch.setenv("BOT_STATE_KEYS", f"s1:{server_keys.new_key()}")
    monkeypatch.setenv("BOT_ID_KEY", server_keys.new_key())
    reviewer_keys.ensure_trial_pair(settings.trial_key_dir)
    return settings


def tracker(state=None, text="", intent="inform", entities=None, confidence=0.99, events=None, metadata=None,
            language=None):
    slots = {name: None for name in DOMAIN["slots"]}
    slots.update(dialogue=state.to_dict() if isinstance(state, State) else state, language=language)
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or []}
    if metadata:
        message["metadata"] = metadata
    return Tracker("test-sender", slots, message, events or [], False, None, {}, "action_listen")


def run(t):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(A.ActionTurn().run(dispatcher, t, DOMAIN))
    return dispatcher.messages, events


def slot_values(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def at_summary(narrative="canary narrative") -> State:
    talk = Talk()
    talk.say("I need to report", intent="report_incident")
    talk.says(choice("no"), choice("yes"), choice("observed"), narrative)
    while talk.state.stage != SUMMARY:
        talk.say("/skip")
    return talk.state


def test_a_first_message_is_welcomed_and_the_state_kept_in_a_slot():
    messages, events = run(tracker(None, text="hello", intent="greet"))
    assert "not a person" in texts(messages)
    assert any(b["title"] == "Français" for m in messages for b in m.get("buttons") or [])
    values = slot_values(events)
    assert values["dialogue"]["asking"] == "in_danger" and values["language"] == "en"


def test_the_state_travels_through_the_tracker_from_turn_to_turn():
    _, events = run(tracker(None, text="I need help", intent="request_help"))
    messages, events = run(tracker(slot_values(events)["dialogue"], text="/inform", entities=[
        {"entity": "choice", "value": "no"}]))
    assert "What kind of help" in texts(messages)
    assert slot_values(events)["dialogue"]["asking"] == "needs"


@pytest.mark.parametrize("garbage", ["not json", 42, {"answers": 5, "stage": "asking", "asking": "nonsense"},
                                     {"lang": "xx"}, ["a"], {"stage": "summary"}])
def test_an_unreadable_state_never_stops_the_conversation(garbage):
    messages, events = run(tracker(garbage, text="hello", intent="greet"))
    assert texts(messages).strip()
    assert slot_values(events)["language"] in language.SUPPORTED


def test_submit_seals_stores_once_and_closes_the_conversation(isolated_settings):
    state = at_summary()
    t = tracker(state, text="/affirm", intent="affirm",
                events=[{"event": "user", "text": "canary narrative", "timestamp": 1}])
    messages, events = run(t)
    values = slot_values(events)
    store = ReportStore(isolated_settings.database_url)
    [row] = store.all()
    assert row.reference in texts(messages)
    assert "TRIAL" in texts(messages)  # sealed to the trial key: the person is not promised protection
    assert values["dialogue"]["answers"] == {} and values["dialogue"]["draft_id"] is None
    assert row.reference not in str(values)  # nothing kept links this conversation to the report
    names = [e["name"] for e in events if e.get("event") == "slot"]
    assert names.index("conversation_closed") < names.index("dialogue")  # the store forgets what came before
    run(t)  # the same confirmation again
    assert store.count() == 1
    key = reviewer_keys.read_private(isolated_settings.trial_key_dir / "trial-reviewer.key.json",
                                     reviewer_keys.TRIAL_PASSPHRASE)
    [opened] = list(review.opened(store, key))
    assert opened.report["answers"]["narrative"] == "canary narrative"
    assert opened.report["transcript"][0]["text"] == "canary narrative"


def test_submit_failure_keeps_every_answer(monkeypatch):
    monkeypatch.setattr(A, "submit_report", lambda *a, **k: (_ for _ in ()).throw(OSError("disk")))
    state = at_summary()
    messages, events = run(tracker(state, text="/affirm", intent="affirm"))
    assert "could not send" in texts(messages)
    kept = slot_values(events)["dialogue"]
    assert kept["stage"] == SUMMARY and kept["answers"] == state.answers
    assert "conversation_closed" not in slot_values(events)


def test_after_sending_a_second_yes_sends_nothing_and_says_it_went_once(isolated_settings):
    state = at_summary()
    _, events = run(tracker(state, text="/affirm", intent="affirm"))
    after = slot_values(events)["dialogue"]
    messages, _ = run(tracker(after, text="/affirm", intent="affirm"))
    assert "sent once" in texts(messages)
    assert ReportStore(isolated_settings.database_url).count() == 1


def test_exit_resets_everything():
    messages, events = run(tracker(at_summary(), text="/exit_chat", intent="exit_chat"))
    assert events == [AllSlotsReset()]
    assert "delete this chat" in texts(messages)
    assert {"exit": True} in [m.get("custom") for m in messages]


def test_stop_keeps_only_the_language_after_the_closing_marker():
    state = at_summary()
    state.lang = "fr"
    messages, events = run(tracker(state, text="stop", intent="stop"))
    values = slot_values(events)
    assert values["conversation_closed"] is True and values["language"] == "fr"
    assert values["dialogue"]["answers"] == {} and "effacé" in texts(messages)


def test_pause_is_kept_in_the_state():
    messages, events = run(tracker(at_summary(), text="pause", intent="pause"))
    assert slot_values(events)["dialogue"]["stage"] == PAUSED and "24 hours" in texts(messages)


def test_a_shared_location_reaches_the_engine():
    talk = Talk()
    talk.say("I need help", intent="request_help")
    talk.says(choice("no"), choice("legal"), "/skip")
    messages, events = run(tracker(talk.state, text="/inform", metadata={
        "location": {"latitude": 49.842, "longitude": 24.031}}))
    assert "km from you" in texts(messages)
    assert slot_values(events)["dialogue"]["answers"]["location_country"] == "UA"


def test_the_domain_has_one_action_and_it_is_implemented():
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert DOMAIN["actions"] == ["action_turn"] and "action_turn" in executor.actions


def test_an_answer_taken_back_before_sending_is_not_in_the_sealed_transcript(isolated_settings):
    """A contact address the person removed after the summary was still in x_Transcript, twice
    (their message and the summary that repeated it): only what the person approved is sealed."""
    talk = Talk()
    talk.say("I need to report", intent="report_incident")
    talk.says(choice("no"), choice("yes"), choice("observed"), "canary narrative")
    events = []
    while talk.state.stage != SUMMARY:
        said = {"contact_preference": choice("contact"),
                "contact_details": "OLD-CONTACT call me on 0501234567"}.get(talk.state.asking, "/skip")
        talk.say(said)
        events += [{"event": "user", "text": said, "timestamp": 1}, {"event": "bot", "text": talk.text, "timestamp": 1}]
    assert "OLD-CONTACT" in talk.text  # the summary repeats it
    for said in ("change", '/go_back{"field":"contact_details"}', "NEW-CONTACT via the focal point"):
        talk.say(said)
        events += [{"event": "user", "text": said, "timestamp": 2}, {"event": "bot", "text": talk.text, "timestamp": 2}]
    assert talk.state.stage == SUMMARY
    run(tracker(talk.state, text="/affirm", intent="affirm", events=events))
    key = reviewer_keys.read_private(isolated_settings.trial_key_dir / "trial-reviewer.key.json",
                                     reviewer_keys.TRIAL_PASSPHRASE)
    [opened] = list(review.opened(ReportStore(isolated_settings.database_url), key))
    sealed = str(opened.report)
    assert "OLD-CONTACT" not in sealed and "0501234567" not in sealed
    assert "NEW-CONTACT" in sealed and any(line.get("withdrawn") for line in opened.report["transcript"])

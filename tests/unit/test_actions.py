"""Every action and form validator, run on a Tracker with a CollectingDispatcher."""
import asyncio
import json
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.actions as A
from bot.config import Settings
from bot.reports import review, reviewer_keys
from bot.reports.store import ReportStore
from bot.vocabulary.fields import NOT_APPLICABLE, SKIPPED

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    settings = Settings.from_env({"BOT_DATA_DIR": str(tmp_path / "var")})
    monkeypatch.setattr(A, "SETTINGS", settings)
    reviewer_keys.ensure_trial_pair(settings.trial_key_dir)
    return settings


def tracker(slots=None, text="", intent="inform", entities=None, confidence=0.99, active_loop=None, events=None):
    base = {name: None for name in DOMAIN["slots"]}
    base.update(slots or {})
    return Tracker(
        "test-sender", base,
        {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or []},
        events or [], False, None, {"name": active_loop} if active_loop else {}, "action_listen",
    )


def run(action, t):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return dispatcher.messages, events


def slot_values(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def test_welcome_first_time_offers_languages_and_keeps_the_path():
    messages, events = run(A.ActionWelcome(), tracker(intent="report_incident", text="I want to report"))
    assert "not a person" in texts(messages)
    assert any(b["title"] == "Français" for m in messages for b in m.get("buttons") or [])
    assert slot_values(events) == {"in_danger": None, "path": "report"}


def test_welcome_again_is_short_and_in_french():
    messages, _ = run(A.ActionWelcome(), tracker({"language": "fr"}, intent="greet",
                                                  events=[{"event": "bot", "text": "earlier"}]))
    assert "Je suis là" in texts(messages) or "Je suis" in texts(messages)
    assert not any(m.get("buttons") for m in messages)


def test_emergency_gives_the_countrys_numbers_and_records_danger():
    messages, events = run(A.ActionEmergency(), tracker({"location_country": "XK"}))
    assert "192" in texts(messages)
    assert slot_values(events) == {"in_danger": "yes"}


@pytest.mark.parametrize("slot", [name[len("action_ask_"):] for name in DOMAIN["actions"] if name.startswith("action_ask_")])
def test_every_question_is_asked_in_both_languages(slot):
    action = next(cls() for cls in A.ASK_ACTIONS if cls().name() == f"action_ask_{slot}")
    for lang in ("en", "fr"):
        messages, events = run(action, tracker({"language": lang, "path": "report"}))
        assert messages and messages[-1]["text"], slot
        assert events == []


def _validator(form):
    return next(cls() for cls in A.VALIDATORS if cls().name() == f"validate_{form}")


def _validate(form, slot, text, intent="inform", entities=None, slots=None, confidence=0.99):
    t = tracker({"requested_slot": slot, **(slots or {}), slot: text}, text=text, intent=intent,
                entities=entities, confidence=confidence, active_loop=form,
                events=[{"event": "user", "text": text}, {"event": "slot", "name": slot, "value": text}])
    return run(_validator(form), t)


def test_validator_accepts_a_button_answer():
    _, events = _validate("triage_form", "in_danger", '/inform{"choice":"no"}',
                          entities=[{"entity": "choice", "value": "no"}])
    assert slot_values(events)["in_danger"] == "no"


def test_validator_gives_emergency_numbers_when_in_danger():
    messages, events = _validate("triage_form", "in_danger", "yes", intent="affirm")
    assert slot_values(events)["in_danger"] == "yes"
    assert "112" in texts(messages)


def test_validator_reasks_an_unclear_answer():
    messages, events = _validate("triage_form", "path", "banana")
    assert slot_values(events)["path"] is None
    assert "didn't catch" in texts(messages)


def test_validator_handles_skip_and_keeps_free_text():
    _, events = _validate("report_form", "incident_date", "skip", intent="skip")
    assert slot_values(events)["incident_date"] == SKIPPED
    _, events = _validate("report_form", "narrative", "I saw two girls locked in a van", intent="report_incident")
    assert slot_values(events)["narrative"] == "I saw two girls locked in a van"


def test_validator_leaves_slots_it_did_not_ask_untouched():
    t = tracker({"requested_slot": None, "consent": None, "narrative": None}, text='/inform{"choice":"no"}',
                entities=[{"entity": "choice", "value": "no"}], active_loop="report_form",
                events=[{"event": "slot", "name": "consent", "value": None}])
    _, events = run(_validator("report_form"), t)
    assert slot_values(events).get("consent") is None


def test_help_form_validator_finds_the_place():
    _, events = _validate("help_form", "location", "je suis à Lviv")
    assert slot_values(events)["location_country"] == "UA"


def test_start_actions_prepare_fresh_forms():
    _, events = run(A.ActionStartReport(), tracker({"path": "third_party", "location": "Warsaw", "narrative": "old"}))
    values = slot_values(events)
    assert values["narrative"] is None and values["place"] == "Warsaw" and values["stage"] == NOT_APPLICABLE
    assert values["draft_id"]
    _, events = run(A.ActionStartHelp(), tracker({"path": "help", "needs": ["medical"]}))
    assert slot_values(events)["needs"] is None


def report_slots(**extra):
    return {"language": "en", "path": "report", "consent": "yes", "knowledge_source": "observed",
            "narrative": "canary narrative", "incident_date": "yesterday", "place": "Kyiv",
            "stage": "Exploitation", "exploitation_type": ["ForcedLabour"], "control_signs": [SKIPPED],
            "victims_count": "3", "minors": "yes", "victims_gender": "Both", "victims_nationality": "Ukrainian",
            "perpetrators": "a man", "immediate_danger": "no", "actions_taken": "none",
            "contact_preference": "anonymous", "contact_details": NOT_APPLICABLE, "draft_id": "draft-1",
            **extra}


def test_review_shows_the_summary_and_waits_for_confirmation():
    messages, events = run(A.ActionReviewReport(), tracker(report_slots()))
    assert "canary narrative" in texts(messages)
    assert slot_values(events)["awaiting_confirmation"] is True


def test_review_without_consent_keeps_nothing():
    messages, events = run(A.ActionReviewReport(), tracker(report_slots(consent="no")))
    assert "Nothing you said is kept" in texts(messages)
    assert slot_values(events)["narrative"] is None and slot_values(events)["language"] == "en"


def test_submit_seals_stores_once_and_clears_the_form(isolated_settings):
    t = tracker(report_slots(awaiting_confirmation=True),
                events=[{"event": "user", "text": "canary narrative", "timestamp": 1}])
    messages, events = run(A.ActionSubmitReport(), t)
    values = slot_values(events)
    reference = values["last_reference"]
    assert reference in texts(messages)
    assert values["narrative"] is None and values["draft_id"] is None and values["language"] == "en"
    run(A.ActionSubmitReport(), t)  # the same confirmation again
    store = ReportStore(isolated_settings.database_url)
    assert store.count() == 1
    key = reviewer_keys.read_private(isolated_settings.trial_key_dir / "trial-reviewer.key.json",
                                     reviewer_keys.TRIAL_PASSPHRASE)
    [opened] = list(review.opened(store, key))
    assert opened.report["answers"]["narrative"] == "canary narrative"
    assert opened.report["transcript"][0]["text"] == "canary narrative"


def test_submit_failure_keeps_every_answer(isolated_settings, monkeypatch):
    monkeypatch.setattr(A, "submit_report", lambda *a, **k: (_ for _ in ()).throw(OSError("disk")))
    messages, events = run(A.ActionSubmitReport(), tracker(report_slots(awaiting_confirmation=True)))
    assert "could not send" in texts(messages)
    assert slot_values(events) == {"awaiting_confirmation": True}


def test_submit_with_nothing_waiting_says_so():
    messages, events = run(A.ActionSubmitReport(), tracker({"last_reference": "R-AAAA-BBBB"}))
    assert "R-AAAA-BBBB" in texts(messages) and events == []


def test_corrections_and_correcting_an_answer():
    messages, _ = run(A.ActionChooseCorrection(), tracker(report_slots()))
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/go_back{"field":"place"}' in payloads
    _, events = run(A.ActionCorrectAnswer(), tracker(report_slots(), entities=[{"entity": "field", "value": "place"}]))
    assert slot_values(events) == {"place": None, "awaiting_confirmation": False}
    messages, events = run(A.ActionCorrectAnswer(), tracker(report_slots(), entities=[{"entity": "field", "value": "requested_slot"}]))
    assert slot_values(events) == {"awaiting_confirmation": False} and messages


def test_stop_deletes_everything_but_the_language():
    messages, events = run(A.ActionStop(), tracker(report_slots(language="fr"), active_loop="report_form"))
    assert ActiveLoop(None) in events
    values = slot_values(events)
    assert values["narrative"] is None and values["language"] == "fr"
    assert "effacé" in texts(messages)


def test_pause_and_resume():
    messages, events = run(A.ActionPause(), tracker(report_slots(), active_loop="report_form"))
    values = slot_values(events)
    assert values["paused_form"] == "report_form" and values["paused_at"]
    assert "24" in texts(messages)
    messages, events = run(A.ActionResume(), tracker({"paused_form": "report_form", "paused_at": 1.0}))
    assert slot_values(events) == {"paused_form": None, "paused_at": None}
    messages, events = run(A.ActionResume(), tracker({}))
    assert "nothing paused" in texts(messages).lower()
    messages, events = run(A.ActionPause(), tracker({}))
    assert "nothing in progress" in texts(messages).lower()


def test_paused_answers_expire():
    action = A.ValidateSlotMappings()
    dispatcher = CollectingDispatcher()
    out = asyncio.run(action.extract_paused_form(dispatcher, tracker({"paused_form": "report_form", "paused_at": 1.0}), DOMAIN))
    assert out == {"paused_form": None, "paused_at": None}
    assert "deleted" in texts(dispatcher.messages)


def test_language_follows_the_person():
    action = A.ValidateSlotMappings()
    out = asyncio.run(action.extract_language(CollectingDispatcher(),
                                              tracker({"language": "en"}, text="je voudrais signaler quelque chose"), DOMAIN))
    assert out == {"language": "fr"}
    out = asyncio.run(action.extract_language(CollectingDispatcher(), tracker({"language": "en"}, text="oui"), DOMAIN))
    assert out == {}


def test_exit_resets_everything():
    messages, events = run(A.ActionExit(), tracker(report_slots(), active_loop="report_form"))
    assert AllSlotsReset() in events and ActiveLoop(None) in events
    assert "delete this chat" in texts(messages)


@pytest.mark.parametrize("action,expected", [
    (A.ActionHelp(), "How this works"), (A.ActionPrivacy(), "Who sees"), (A.ActionBot(), "automated assistant"),
    (A.ActionThanks(), "welcome"), (A.ActionGoodbye(), "Take care"), (A.ActionFallback(), "not sure I understood"),
    (A.ActionClose(), "Take care"),
])
def test_simple_replies(action, expected):
    messages, _ = run(action, tracker({"language": "en"}))
    assert expected in texts(messages)


def test_change_language_with_and_without_a_choice():
    messages, events = run(A.ActionChangeLanguage(), tracker(entities=[{"entity": "language", "value": "fr"}]))
    assert slot_values(events) == {"language": "fr"} and "français" in texts(messages)
    messages, events = run(A.ActionChangeLanguage(), tracker(entities=[{"entity": "language", "value": "xx"}]))
    assert events == [] and messages[0]["buttons"]


def test_every_domain_action_is_implemented():
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    custom = [a for a in DOMAIN["actions"]]
    missing = [a for a in custom if a not in executor.actions]
    assert not missing, missing

"""The quick check of the action server's answers gives the full JSON Schema validator's verdict."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa_sdk import events as sdk

import bot.channels  # noqa: F401
from bot.channels import action_replies

KINDS = [k["properties"]["event"]["const"]
         for k in RemoteAction.action_response_format_spec()["properties"]["events"]["items"]["oneOf"]]
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                    max_leaves=6)
KEYS = st.sampled_from(["name", "value", "text", "timestamp", "metadata", "data", "intent", "entities", "parse_data",
                        "policy", "confidence", "action_name", "input_channel", "message_id", "kill_on_user_msg",
                        "date_time", "validate", "is_interrupted", "x"])
REAL = st.sampled_from([sdk.SlotSet("dialogue", {"step": "when", "answers": {"a": [1, 2]}}), sdk.SlotSet("language", "uk"),
                        sdk.AllSlotsReset(), sdk.Restarted(), sdk.BotUttered("hello", {"buttons": []}),
                        sdk.UserUttered("hi", {"intent": {"name": "greet", "confidence": 0.9}, "entities": []}),
                        sdk.ActionExecuted("action_listen"), sdk.FollowupAction("action_turn"),
                        sdk.ConversationPaused(), sdk.SessionStarted(), sdk.ActiveLoop(None)])


@st.composite
def events(draw):
    if draw(st.integers(0, 3)):
        event = dict(draw(REAL))
        if not draw(st.integers(0, 4)):  # one field changed to anything
            event[draw(KEYS | st.just("event"))] = draw(JSON)
        return event
    event = draw(st.dictionaries(KEYS, JSON, max_size=4))
    if draw(st.integers(0, 5)):
        event["event"] = draw(st.sampled_from(KINDS) | st.text(max_size=6) | JSON)
    return event if draw(st.integers(0, 9)) else draw(JSON)


RESPONSES = st.fixed_dictionaries({}, optional={
    "events": st.lists(events(), max_size=4) | JSON,
    "responses": st.lists(st.dictionaries(st.text(max_size=4), JSON, max_size=2) | JSON, max_size=2) | JSON,
}) | JSON


@settings(max_examples=3000, deadline=None)
@given(RESPONSES)
def test_the_quick_check_gives_the_full_validators_verdict(response):
    assert action_replies.quick_verdict(response) == action_replies._validator().is_valid(response)


def test_what_the_action_server_sends_passes_and_a_broken_answer_fails_as_rasas_own_check_does():
    action = RemoteAction("action_turn", None)
    good = {"events": [dict(sdk.SlotSet("dialogue", {"step": "when"})), dict(sdk.SlotSet("language", "en"))],
            "responses": [{"text": "When did it happen?", "buttons": [{"title": "Today", "payload": "/inform"}]}]}
    assert action_replies.quick_verdict(good) and action._validate_action_result(good)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"event": "slot", "value": 1}]})  # a slot needs its name

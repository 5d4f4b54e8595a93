"""What the Rasa server sends the action server stays the same size however long the conversation."""
import json

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config
from rasa_sdk import Tracker

import bot.channels  # noqa: F401  (the Rasa server's channels load bot.channels.action_calls)

DOMAIN = Domain.load("domain.yml")


def conversation(turns: int) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    for turn in range(turns):
        events += [UserUttered(f"answer {turn}", intent={"name": "inform", "confidence": 0.9}, input_channel="rest"),
                   ActionExecuted("action_turn"), BotUttered(f"question {turn}?"),
                   SlotSet("dialogue", {"step": turn}), ActionExecuted("action_listen")]
    events += [UserUttered("the latest answer", intent={"name": "inform", "confidence": 0.9}, input_channel="rest")]
    return DialogueStateTracker.from_events("conv", events, DOMAIN.slots)


def call(turns: int, selective: bool = True) -> dict:
    endpoint = EndpointConfig("http://localhost:5055/webhook", enable_selective_domain=selective)
    return RemoteAction("action_turn", endpoint)._action_call_format(conversation(turns), DOMAIN)


def test_each_call_carries_this_turn_and_the_state_not_the_whole_conversation():
    short, long = call(5), call(500)
    assert len(json.dumps(long)) - len(json.dumps(short)) < 64, (len(json.dumps(short)), len(json.dumps(long)))
    assert [e["event"] for e in long["tracker"]["events"]] == ["user"]
    assert "domain" not in long  # the action does not read it
    # what the action reads is all there
    tracker = Tracker.from_dict(long["tracker"])
    assert tracker.latest_message["text"] == "the latest answer"
    assert tracker.get_slot("dialogue") == {"step": 499}
    assert tracker.get_latest_input_channel() == "rest"
    assert long["next_action"] == "action_turn" and long["sender_id"] == "conv"


def test_the_domain_goes_to_an_action_only_where_selective_domain_is_off():
    assert call(3, selective=False)["domain"]["slots"].keys() == DOMAIN.as_dict()["slots"].keys()


@pytest.mark.parametrize("path", ["endpoints.yml", "deploy/scale-out/endpoints.yml"])
def test_every_shipped_endpoints_file_turns_selective_domain_on(path, monkeypatch):
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://localhost:5055/webhook")
    for name in ("BOT_ACTION_SECRET", "BOT_REDIS_HOST", "BOT_REDIS_PASSWORD", "BOT_REDIS_PORT"):
        monkeypatch.setenv(name, "1")
    assert read_endpoint_config(path, "action_endpoint").kwargs.get("enable_selective_domain") is True


def test_whether_a_domain_is_empty_is_worked_out_once_and_stays_right():
    assert DOMAIN.is_empty() is False and DOMAIN.is_empty() is False
    assert Domain.empty().is_empty() is True
    assert DOMAIN.as_dict() == Domain.load("domain.yml").as_dict()  # what is kept on it changes nothing else

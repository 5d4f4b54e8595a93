"""RulePolicy reading only the last turns (and skipping the read by text no rule can match)
predicts exactly what it predicts reading them all:
random conversations, through the trained model's own graph, compared prediction by prediction."""
import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import recent_rules
from bot.launcher import latest_model


@pytest.fixture(scope="module")
def agent():
    return Agent.load(str(latest_model()))


def predict(agent, events, recent: bool):
    tracker = DialogueStateTracker.from_events("conv", list(events), agent.domain.slots)
    RulePolicy._prediction_states = recent_rules._recent_prediction_states if recent else recent_rules._whole
    RulePolicy._find_action_from_rules = recent_rules._find_action_from_rules if recent else recent_rules._every_rule
    try:
        return agent.processor._predict_next_with_tracker(tracker)
    finally:
        RulePolicy._prediction_states = recent_rules._recent_prediction_states
        RulePolicy._find_action_from_rules = recent_rules._find_action_from_rules


def same(a, b) -> bool:
    return (a.probabilities == b.probabilities and a.policy_name == b.policy_name and a.events == b.events
            and a.is_end_to_end_prediction == b.is_end_to_end_prediction
            and a.is_no_user_prediction == b.is_no_user_prediction and a.hide_rule_turn == b.hide_rule_turn)


INTENTS = st.sampled_from(["greet", "affirm", "deny", "inform", "stop", "skip", "pause", "resume", "go_back",
                           "emergency", "exit_chat", "nlu_fallback", "restart", "session_start", "back",
                           "change_language", "thanks", None])
TURN = st.tuples(INTENTS, st.text(max_size=12), st.booleans(), st.integers(0, 3))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(turns=st.lists(TURN, min_size=1, max_size=30), revert_at=st.integers(-1, 40))
def test_the_last_turns_predict_what_the_whole_conversation_predicts(agent, turns, revert_at):
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    compared = 0
    for n, (intent, text, bot_speaks, extra_actions) in enumerate(turns):
        if n == revert_at:
            events.append(UserUtteranceReverted())
        events.append(UserUttered(text, intent={"name": intent, "confidence": 0.9} if intent else None))
        for _ in range(4):  # the action the rules pick, then listen; or what the conversation did
            whole, recent = predict(agent, events, False), predict(agent, events, True)
            assert same(whole, recent), (events, whole, recent)
            compared += 1
            action = agent.domain.action_names_or_texts[max(range(len(whole.probabilities)), key=whole.probabilities.__getitem__)]
            events.append(ActionExecuted(action))
            if action == "action_listen":
                break
            if bot_speaks:
                events += [BotUttered(f"reply {n}"), SlotSet("dialogue", {"turn": n})]
            if extra_actions and n % 3 == 0:
                events.append(ActionExecuted("action_turn"))
                extra_actions -= 1
        else:
            events.append(ActionExecuted("action_listen"))
    assert compared >= len(turns)
    if len(turns) >= 4 and not 0 <= revert_at < len(turns):
        assert recent_rules.recent_events(events, 3) is not None  # the short read was the one compared


def test_the_window_reaches_back_far_enough_and_not_further():
    events = [ActionExecuted("action_listen")]
    for n in range(10):
        events += [UserUttered(f"m{n}"), ActionExecuted("action_turn"), BotUttered("q"), ActionExecuted("action_listen")]
    window = recent_rules.recent_events(events, 3)
    assert [e.text for e in window if isinstance(e, UserUttered)] == ["m8", "m9"]
    assert sum(isinstance(e, ActionExecuted) for e in window) == 4
    assert recent_rules.recent_events(events[:5], 3) is None  # not longer than the window: read whole
    assert recent_rules.recent_events(events + [UserUtteranceReverted()], 3) is None


def test_the_trained_rules_are_short(agent):
    [policy] = [p for p in agent.processor.graph_runner._instantiated_nodes.values()
                if isinstance(getattr(p, "_component", None), RulePolicy)] or [None]
    if policy is None:
        pytest.fail("no RulePolicy in the model's graph")
    assert 1 <= recent_rules.longest_rule(policy._component) <= 3
    assert recent_rules.text_cannot_match(policy._component)  # so the read by text is skipped


def test_a_rule_that_could_match_text_keeps_the_read_by_text():
    class Policy:
        lookup = {"rules": {'[{"prev_action": {"action_name": "action_listen"}}]': "action_turn"}}
    assert not recent_rules.text_cannot_match(Policy())

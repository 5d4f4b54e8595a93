"""RulePolicy reads the conversation's last turns, not the whole conversation, at each prediction.

RulePolicy turns the whole tracker into states (replaying every event) three times a message,
then compares only the last few states with its rules: no rule is longer than
``longest rule`` states, and states further back than a rule's length cannot change whether it
applies (``RulePolicy._is_rule_applicable``). So the cost grew with the conversation while the
answer could not (issue 16). Here it reads a tracker of the events that make up those last states
and one more, which gives the same states, so the same prediction.

And the first of the three reads, which compares the rules with the message's text instead of its
intent, is skipped when no rule could match there: when every rule's last state asks for an
intent, which a state made from the text does not have, that read finds nothing, and finding
nothing it changes nothing in the prediction.

Reading the last turns holds only while no slot influences the conversation, no loop (form) is in the domain, and
no event undoes earlier ones within reach; otherwise the whole tracker is read as before.
tests/unit/test_recent_rules.py compares the two on random conversations with the trained model.
"""
from __future__ import annotations

import json

from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.core.constants import SHOULD_NOT_BE_SET, USER
from rasa.shared.nlu.constants import INTENT
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    LoopInterrupted,
    UserUttered,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker

_UNDOING = (ActionReverted, UserUtteranceReverted, ActiveLoop, LoopInterrupted)
_whole = RulePolicy._prediction_states
_every_rule = RulePolicy._find_action_from_rules


def _rules(policy: RulePolicy) -> list[list[dict]]:
    """Every learned rule as its list of states (the lookup's keys are JSON)."""
    return [json.loads(k) for name in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH) for k in (policy.lookup.get(name) or {})]


def longest_rule(policy: RulePolicy) -> int:
    """The most states any learned rule compares (kept on the policy once worked out)."""
    found = policy.__dict__.get("_longest_rule")
    if found is None:
        found = max((len(states) for states in _rules(policy)), default=0)
        policy.__dict__["_longest_rule"] = found
    return found


def text_cannot_match(policy: RulePolicy) -> bool:
    """True when every learned rule's last state asks for a user intent (kept once worked out)."""
    found = policy.__dict__.get("_text_cannot_match")
    if found is None:
        found = all(_asks_for_an_intent(states[-1]) for states in _rules(policy))
        policy.__dict__["_text_cannot_match"] = found
    return found


def _asks_for_an_intent(state: dict) -> bool:
    intent = (state.get(USER) or {}).get(INTENT)
    return isinstance(intent, str) and intent != SHOULD_NOT_BE_SET


def _find_action_from_rules(self, tracker, domain, use_text_for_last_user_input):
    if use_text_for_last_user_input and text_cannot_match(self):
        return None, None, False  # what the read would find: no rule, no unhappy path
    return _every_rule(self, tracker, domain, use_text_for_last_user_input)


def recent_events(events, actions: int) -> list | None:
    """The events from the message before the ``actions``-th last action on, or None when the
    conversation is not longer than that or an event within reach undoes earlier ones."""
    events = list(events)
    seen = 0
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if isinstance(event, _UNDOING):
            return None
        if isinstance(event, ActionExecuted):
            seen += 1
        elif seen >= actions and isinstance(event, UserUttered):
            return events[i:] if i > 0 else None
    return None


def _recent_prediction_states(self, tracker, domain, use_text_for_last_user_input=False, rule_only_data=None):
    if domain.form_names or any(s.influence_conversation for s in domain.slots) or tracker.active_loop_name:
        return _whole(self, tracker, domain, use_text_for_last_user_input, rule_only_data)
    recent = recent_events(tracker.events, longest_rule(self) + 1)
    if recent is not None:
        tracker = DialogueStateTracker.from_events(tracker.sender_id, recent, domain.slots)
    return _whole(self, tracker, domain, use_text_for_last_user_input, rule_only_data)


RulePolicy._prediction_states = _recent_prediction_states
RulePolicy._find_action_from_rules = _find_action_from_rules

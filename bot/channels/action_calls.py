"""What the Rasa server sends the action server at each turn: the state and this turn's events.

Rasa sends every event of the conversation, and the whole domain, with every action call, so the
cost of a message grew with the conversation's length (issue 16). The action server reads only
the slots, the latest message and its channel at each turn; the whole transcript only when a
report is confirmed, and then it reads it from the sealed conversation state itself
(``bot.state.conversation_state.whole_conversation``). So each call carries the events from the
latest message on (what this turn added), and the domain only to an action that asks for it
(Rasa's selective domain, ``enable_selective_domain`` in endpoints.yml).
"""
from __future__ import annotations

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.trackers import EventVerbosity
from rasa.shared.core.events import UserUttered


def this_turn(events) -> list:
    """The events from the latest message on (all of them when there is no message yet)."""
    turn = []
    for event in reversed(events):  # Rasa keeps them in a deque: walked back from the end
        turn.append(event)
        if isinstance(event, UserUttered):
            break
    return turn[::-1]


def _action_call_format(self, tracker, domain):
    # As Rasa's own (rasa/core/actions/action.py), with this turn's events instead of all of them.
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [e.as_dict() for e in this_turn(tracker.events)]
    call = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state, "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        call["domain"] = domain.as_dict()
    return call


RemoteAction._action_call_format = _action_call_format

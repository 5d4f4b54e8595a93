"""Rasa tracker store that keeps conversation state encrypted, and forgets it when it ends.

Rasa's SQL and Redis stores keep every message in plaintext. This one stores the tracker sealed
(``bot.state.conversation_state``) under the pseudonymous conversation id, and on every save drops all
events before the last end of conversation (stop, submit, exit, consent declined), so what a
person said in a finished conversation is gone from storage, not only from the slots.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Iterable, Optional, Text

from rasa.core.tracker_store import FailSafeTrackerStore, SerializedTrackerAsText, TrackerStore
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    FollowupAction,
    LoopInterrupted,
    ReminderCancelled,
    ReminderScheduled,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import Settings
from bot.state import server_keys, state_json
from bot.state.conversation_state import ConversationStates, latest_session

logger = logging.getLogger(__name__)

CLOSED_SLOT = "conversation_closed"


def _ends_conversation(event) -> bool:
    return (isinstance(event, (AllSlotsReset, Restarted))
            or (isinstance(event, SlotSet) and event.key == CLOSED_SLOT and event.value))


def forget_closed(tracker: DialogueStateTracker) -> list:
    """The events worth keeping: everything after the last end of conversation, if any."""
    events = list(tracker.events)
    ends = [i for i, e in enumerate(events) if _ends_conversation(e)]
    if not ends:
        return events
    fresh = [ActionExecuted("action_session_start"), SessionStarted()]
    if isinstance(events[ends[-1]], AllSlotsReset):
        # Exit: nothing at all is kept, not the language, not even the goodbye, so whoever
        # writes next from this device meets a new conversation.
        return fresh + [ActionExecuted("action_listen")]
    kept = events[ends[-1] + 1:]
    language = tracker.get_slot("language")
    if language:
        fresh.append(SlotSet("language", language))
    if not any(isinstance(e, ActionExecuted) for e in kept):
        kept.append(ActionExecuted("action_listen"))
    return fresh + kept


def without_superseded(events: list) -> list:
    """Every slot set that a later one of the same slot replaces is dropped before sealing.

    The dialogue slot holds the whole conversation state and is set at every turn, so keeping
    every setting made what is sealed, written and sent to the action server grow with the square
    of the conversation's length. Only the person's and the assistant's messages (the reviewer's
    transcript) and the latest value of each slot are needed.
    """
    last = {e.key: i for i, e in enumerate(events) if isinstance(e, SlotSet)}
    return [e for i, e in enumerate(events) if not isinstance(e, SlotSet) or last[e.key] == i]


def session_cut(events: list) -> tuple[list, bool]:
    """The events from the latest session's start on, and whether an earlier session was cut."""
    for i in range(len(events) - 1, 0, -1):
        if isinstance(events[i], ActionExecuted) and events[i].action_name == ACTION_SESSION_START_NAME:
            return events[i:], True
    return events, False


RECENT_MESSAGES = 4  # the tracker holds the person's last four messages and what followed each
# What the tracker keeps from before them: what its state is made of (the latest value of each
# slot, a loop, a pause, a reminder, a follow-up) and the session's start. Not kept: the earlier
# messages (sealed as lines instead), the actions and featurisation steps around them, and
# undo events (whatever they undid is gone already; in the recent turns they stay, with what they
# undo, as each undoes back to a message at most).
_STATE_EVENTS = (SessionStarted, SlotSet, ActiveLoop, LoopInterrupted, FollowupAction, ConversationPaused,
                 ConversationResumed, ReminderScheduled, ReminderCancelled)


def split_recent(events: list) -> tuple[list, list]:
    """(what the tracker keeps, the earlier messages): the last RECENT_MESSAGES messages and
    everything after them are kept whole; before them, the events the tracker's state is made
    of; the person's and the assistant's earlier messages go to the conversation's lines.

    Rasa reads the tracker and seals it again at every message, and RulePolicy reads no further
    back than its longest rule (bot/channels/recent_rules.py), so keeping the tracker to its last
    turns keeps the cost of a message bounded however long the conversation (issue 16)."""
    users = [i for i, e in enumerate(events) if isinstance(e, UserUttered)]
    if len(users) <= RECENT_MESSAGES:
        return events, []
    start = users[-RECENT_MESSAGES]
    if isinstance(events[start - 1], ActionExecuted) and events[start - 1].action_name == ACTION_LISTEN_NAME:
        start -= 1
    before = events[:start]
    kept = [e for e in before if isinstance(e, _STATE_EVENTS)
            or (isinstance(e, ActionExecuted) and e.action_name == ACTION_SESSION_START_NAME)]
    return kept + events[start:], [e for e in before if isinstance(e, (UserUttered, BotUttered))]


class EncryptedTrackerStore(TrackerStore, SerializedTrackerAsText):
    def __init__(self, domain=None, host=None, event_broker=None, **kwargs):
        if event_broker is not None:
            # An event broker would publish every message in plaintext.
            raise ValueError("EncryptedTrackerStore refuses an event broker")
        super().__init__(domain, None, **kwargs)
        settings = Settings.from_env()
        self.states = ConversationStates(settings.database_url, server_keys.load(), settings.pause_hours)

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    async def save(self, tracker: DialogueStateTracker) -> None:
        ended = any(_ends_conversation(e) for e in tracker.events)
        # A new session: the earlier one's messages are not this conversation's any more (Rasa
        # gives only the latest session back), so its lines are forgotten with it.
        events, new_session = session_cut(forget_closed(tracker))
        kept, earlier = split_recent(without_superseded(events))
        # The same tracker may be saved twice: a message already sealed in a line is not again.
        earlier = [e for e in earlier if not getattr(e, "_thb_in_lines", False)]
        dialogue = Dialogue(tracker.sender_id, kept)
        lines = state_json.dumps([e.as_dict() for e in earlier]) if earlier else None
        await self._run(self.states.put, tracker.sender_id, state_json.dumps(dialogue.as_dict()), None, lines,
                        ended or new_session)
        for e in earlier:
            e._thb_in_lines = True  # only once written
        await self._run(self.states.purge_if_due)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        # The latest session, as Rasa's stores give it (get_trackers_for_conversation_sessions),
        # cut from the stored events before they are read into a tracker: Rasa reads the whole
        # tracker, then reads the latest session again into a second one (issue 16).
        stored = await self._run(self.states.get, sender_id)
        if stored is None:
            return None
        dialogue = state_json.loads(stored)
        dialogue["events"] = latest_session(dialogue.get("events") or [])
        tracker = self.init_tracker(sender_id)
        tracker.recreate_from_dialogue(Dialogue.from_parameters(dialogue))
        return tracker

    async def retrieve_full_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        stored = await self._run(self.states.get, sender_id)
        return self.deserialise_tracker(sender_id, stored) if stored is not None else None

    async def keys(self) -> Iterable[Text]:
        return await self._run(self.states.keys)


def check(endpoints_path: str = "endpoints.yml") -> str:
    """Load the tracker store the endpoints file names, exactly as Rasa will; raise if it fails.

    Rasa falls back to an in-memory store, with only a warning, when a tracker store's class
    path does not import. The launcher calls this first and refuses to start instead.
    """
    import yaml
    from rasa.shared.utils.common import class_from_module_path

    config = (yaml.safe_load(open(endpoints_path)) or {}).get("tracker_store") or {}
    store_type = config.get("type")
    if not store_type:
        raise RuntimeError(f"{endpoints_path} names no tracker_store")
    cls = class_from_module_path(store_type)
    if not issubclass(cls, EncryptedTrackerStore):
        raise RuntimeError(f"tracker store {store_type} is not the encrypted tracker store")
    cls(domain=None)
    return store_type


# --- reading events back, without walking the class tree for each ---------------------------
# Rasa finds an event's class by walking every subclass of Event (and checking each for
# abstractness) for every event it deserialises: the largest single cost of reading a tracker back,
# which every message does (profiled under load, issue 16). The classes by their type names, kept;
# a name not kept is looked up the original way, so an event class imported later still resolves.
from rasa.shared.core.events import Event  # noqa: E402

_resolve_by_type = Event.resolve_by_type
_EVENT_CLASSES: dict = {}


def _resolve_kept(type_name, default=None):
    found = _EVENT_CLASSES.get(type_name)
    if found is None:
        found = _resolve_by_type(type_name, default)
        if found is not None and found is not default:
            _EVENT_CLASSES[type_name] = found
    return found


Event.resolve_by_type = staticmethod(_resolve_kept)


# --- no silent fallback ------------------------------------------------------------------------
# Rasa wraps every tracker store in FailSafeTrackerStore: when saving fails it logs the database
# error (with its SQL parameters) and keeps the conversation in memory, in plaintext, unbounded;
# when reading fails it greets the person as new and their answers are gone. For this store a
# failure is a failed message instead: it propagates, the channel answers 503 ("send it again")
# and Telegram gets a non-2xx and retries. Nothing is kept in memory.

class StateUnavailable(RuntimeError):
    """The encrypted conversation state could not be read or saved: the message is not handled."""


def _fail_loudly(name: str):
    original = getattr(FailSafeTrackerStore, name)

    async def method(self, *args, **kwargs):
        if not is_encrypted(self):
            return await original(self, *args, **kwargs)
        try:
            return await getattr(self._tracker_store, name)(*args, **kwargs)
        except Exception as exc:
            logger.error("conversation state %s failed (%s): the message is refused, nothing kept", name,
                         type(exc).__name__)  # the type only: database errors carry parameters
            raise StateUnavailable(name) from None
    method.__name__ = name
    return method


for _name in ("save", "retrieve", "retrieve_full_tracker"):
    setattr(FailSafeTrackerStore, _name, _fail_loudly(_name))


def is_encrypted(store) -> bool:
    """True when Rasa's (fail-safe wrapped) tracker store is the encrypted one."""
    inner = getattr(store, "_tracker_store", store)
    inner = getattr(inner, "_tracker_store", inner)  # AwaitableTrackerStore inside FailSafe
    return isinstance(inner, EncryptedTrackerStore)

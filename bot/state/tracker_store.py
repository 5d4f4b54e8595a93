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
from rasa.shared.core.events import (
    ActionExecuted,
    AllSlotsReset,
    Restarted,
    SessionStarted,
    SlotSet,
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
        dialogue = Dialogue(tracker.sender_id, without_superseded(forget_closed(tracker)))
        await self._run(self.states.put, tracker.sender_id, state_json.dumps(dialogue.as_dict()))
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

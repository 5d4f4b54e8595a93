"""The Rasa SDK action: one per turn, translating between Rasa's tracker and the dialogue engine.

No SQL, crypto or matching here: the action reads the message and the conversation's state from
the tracker, lets ``bot.dialogue.engine`` decide, carries out the one effect it asks for (submit
the report, close or leave the conversation) and returns the new state as slot events.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import long_lived
from bot.alerts.dispatch import Dispatcher
from bot.config import Settings
from bot.dialogue import language
from bot.dialogue.engine import CLOSE, EXIT, FOLLOW_UP, SUBMIT, Engine, Message, State
from bot.referrals import matching as referrals
from bot.reports import follow_up
from bot.reports.report_outbox import ReportOutbox
from bot.reports.submission import store_for, submit_report
from bot.state import server_keys
from bot.state.conversation_state import ConversationStates, whole_conversation
from bot.vocabulary import gazetteer

logger = logging.getLogger(__name__)
SETTINGS = Settings.from_env()

# The gazetteer takes about two seconds to read: read now, in the background, rather than at the
# first person's answer to "where?" (the thread starts below, once directory() is defined).
def _read_ahead() -> None:
    gazetteer.load()
    try:
        directory()  # the referral directory too (kept once read), not at the first "where?"
    except Exception as exc:  # read at first use instead
        logger.warning("reading the referral directory ahead failed (%s)", type(exc).__name__)
    long_lived.keep_start_up_objects()  # the gazetteer too (bot/long_lived.py)


# Urgent reports are announced to the reviewers on duty (reference and "urgent" only); alerts a
# restart interrupted are delivered now.
ALERTS = Dispatcher(SETTINGS)
ALERTS.start()

# Reports confirmed while the database is down are sealed and held here, encrypted again under the
# server's state key, and stored once the database is back (bot/reports/report_outbox.py).
OUTBOX_EVERY = 5.0  # seconds between tries while reports are held
_outbox: list[ReportOutbox] = []


def outbox() -> ReportOutbox | None:
    """Made at first use: the server's secrets are read when a report is confirmed, not at import.
    Without them (the Rasa server cannot run then either) a submission works as before the
    outbox: a database that is down is a failed submission, every answer kept."""
    if not _outbox:
        try:
            _outbox.append(ReportOutbox(SETTINGS.data_dir / "outbox", server_keys.load().active_state_key[1]))
        except server_keys.SecretsError:
            logger.error("no server secrets: reports cannot be held while the database is down")
            return None
    return _outbox[0]


def _flush_outbox() -> None:
    while True:
        try:
            held = outbox() if (SETTINGS.data_dir / "outbox").is_dir() else None
            if held:
                held.flush(store_for(SETTINGS))
        except Exception as exc:  # still down: try again later
            logger.warning("held reports could not be stored yet (%s)", type(exc).__name__)
        time.sleep(OUTBOX_EVERY)


threading.Thread(target=_flush_outbox, name="report-outbox", daemon=True).start()

STATE_SLOT = "dialogue"
CLOSED_SLOT = "conversation_closed"  # the tracker store forgets every event before it


_states: dict[str, ConversationStates] = {}


def conversation_events(tracker: Tracker) -> list:
    """The whole conversation, for the transcript: the Rasa server sends only this turn's events
    (bot/channels/action_calls.py), so the rest is read from the sealed conversation state."""
    url = SETTINGS.database_url
    if url not in _states:
        _states[url] = ConversationStates(url, server_keys.load(), SETTINGS.pause_hours)
    return whole_conversation(_states[url], tracker.sender_id, tracker.events)


def directory() -> referrals.Referrals:
    return referrals.current(SETTINGS.database_url, SETTINGS.referrals_dir, include_examples=SETTINGS.trial_mode)


def engine() -> Engine:
    return Engine(directory(), SETTINGS)


threading.Thread(target=_read_ahead, name="gazetteer", daemon=True).start()


def message_of(tracker: Tracker) -> Message:
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    return Message(text=latest.get("text") or "", intent=intent.get("name"),
                   confidence=float(intent.get("confidence") or 0.0),
                   entities=[e for e in latest.get("entities") or [] if isinstance(e, dict)],
                   metadata=latest.get("metadata") if isinstance(latest.get("metadata"), dict) else {},
                   at=time.time(), channel=tracker.get_latest_input_channel())


def say(dispatcher: CollectingDispatcher, replies, lang: str) -> None:
    # Each message says its language, so that a screen reader reads it in the right voice.
    for reply in replies:
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None, lang=reply.lang or lang)


class ActionTurn(Action):
    """Every message, whatever it is, gets exactly this one action."""

    def name(self) -> Text:
        return "action_turn"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any) -> List[EventType]:
        decide = engine()
        state = State.from_dict(tracker.get_slot(STATE_SLOT), lang=tracker.get_slot("language"))
        turn = decide.turn(state, message_of(tracker))
        if turn.effect == SUBMIT:
            try:
                receipt = submit_report(SETTINGS, decide.report_slots(turn.state), turn.state.lang,
                                        conversation_events(tracker), decide.referrals, alert_channels=ALERTS.channel_names,
                                        outbox=outbox())
            except Exception:  # the store or the keys are unavailable: keep every answer, say so
                logger.error("report submission failed", exc_info=True)  # carries no report content
                turn = decide.submit_failed(turn.state)
            else:
                turn = decide.submitted(turn.state, receipt.reference, trial=receipt.trial, code=receipt.follow_up_code)
                if receipt.alert:
                    ALERTS.wake()
        if turn.effect == FOLLOW_UP:
            try:
                throttled, view = follow_up.carry_out(SETTINGS, tracker.sender_id, turn.state.follow_up,
                                                      turn.state.follow_op or {})
            except Exception as exc:  # the store is down: say so calmly; nothing is kept of the code
                logger.error("follow-up failed (%s)", type(exc).__name__)
                throttled, view = None, None
            if throttled is None:
                turn = decide.follow_up_failed(turn.state)
            else:
                turn = decide.followed_up(turn.state, throttled=throttled, view=view)
        say(dispatcher, turn.replies, turn.state.lang)
        if turn.effect == EXIT:
            dispatcher.utter_message(json_message={"exit": True})  # the channel clears its side too
            return [AllSlotsReset()]
        events: List[EventType] = []
        if turn.effect == CLOSE:
            # First the marker, then the fresh state: the store keeps only what follows the marker.
            events.append(SlotSet(CLOSED_SLOT, True))
        lang = language.normalise(turn.state.lang) or language.DEFAULT
        return events + [SlotSet(STATE_SLOT, turn.state.to_dict()), SlotSet("language", lang)]

"""Rasa SDK actions: translate between Rasa's tracker and events and ``bot``'s decisions.

No SQL, crypto or matching here: each action reads the tracker, calls ``bot``, and returns events.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker, ValidationAction
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.config import Settings
from bot.dialogue import conversation, language, messages
from bot.dialogue.conversation import Reply
from bot.referrals import matching as referrals
from bot.reports.submission import submit_report
from bot.vocabulary.fields import BY_SLOT, FORMS

logger = logging.getLogger(__name__)
SETTINGS = Settings.from_env()


def directory() -> referrals.Referrals:
    return referrals.current(SETTINGS.database_url, SETTINGS.referrals_dir)


def lang_of(tracker: Tracker) -> str:
    return language.normalise(tracker.get_slot("language")) or language.DEFAULT


def say(dispatcher: CollectingDispatcher, replies: List[Reply]) -> None:
    for reply in replies:
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)


def slot_events(slots: Dict[Text, Any]) -> List[EventType]:
    return [SlotSet(name, value) for name, value in slots.items()]


def intent_of(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


class SimpleReply(Action):
    """An action that says one message and changes nothing."""

    message_key = ""

    def name(self) -> Text:
        return f"action_{self.message_key}"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        say(dispatcher, [Reply(messages.text(self.message_key, lang_of(tracker)))])
        return []


class ActionHelp(SimpleReply):
    message_key = "help"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        say(dispatcher, [Reply(messages.text("help", lang), [conversation.exit_button(lang)])])
        return []


class ActionPrivacy(SimpleReply):
    message_key = "privacy"


class ActionBot(SimpleReply):
    message_key = "bot"


class ActionThanks(SimpleReply):
    message_key = "thanks"


class ActionGoodbye(SimpleReply):
    message_key = "goodbye"


class ValidateSlotMappings(ValidationAction):
    """Runs after every message: follows the person's language, expires paused answers."""

    def name(self) -> Text:
        return "action_validate_slot_mappings"

    async def extract_language(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        current = language.normalise(tracker.get_slot("language"))
        message = tracker.latest_message or {}
        hint = (message.get("metadata") or {}).get("language")
        detected = language.detect(message.get("text"), current=current, hint=hint)
        return {"language": detected} if detected != current else {}

    async def extract_paused_form(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        paused_at = tracker.get_slot("paused_at")
        if tracker.get_slot("paused_form") and paused_at and time.time() - paused_at > SETTINGS.pause_hours * 3600:
            say(dispatcher, [Reply(messages.text("pause_expired", lang_of(tracker), hours=SETTINGS.pause_hours))])
            return {"paused_form": None, "paused_at": None}
        return {}


class ActionWelcome(Action):
    def name(self) -> Text:
        return "action_welcome"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        first_time = not any(e.get("event") == "bot" for e in tracker.events)
        step = conversation.welcome(lang_of(tracker), intent_of(tracker), first_time,
                                    paused=bool(tracker.get_slot("paused_form")))
        say(dispatcher, step.replies)
        return slot_events(step.slots)


class ActionEmergency(Action):
    def name(self) -> Text:
        return "action_emergency"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        say(dispatcher, conversation.emergency(lang_of(tracker), directory(), tracker.get_slot("location_country")))
        return [SlotSet("in_danger", "yes")]


def _ask_action(slot: str) -> type:
    class AskQuestion(Action):
        def name(self) -> Text:
            return f"action_ask_{slot}"

        async def run(self, dispatcher, tracker, domain) -> List[EventType]:
            say(dispatcher, conversation.ask(slot, tracker.current_slot_values(), lang_of(tracker), directory()))
            return []

    AskQuestion.__name__ = f"ActionAsk_{slot}"
    return AskQuestion


ASK_ACTIONS = [_ask_action(slot) for slot in BY_SLOT]


def _validator(form: str) -> type:
    def make(slot: str):
        async def validate(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
            # The SDK validates every slot set since the last message, including those a
            # start action just reset: only the question actually asked reads the message.
            if tracker.get_slot("requested_slot") != slot:
                return {slot: value}
            message = tracker.latest_message or {}
            step = conversation.answer(form, slot, message.get("text"), intent_of(tracker),
                                       message.get("entities") or [], tracker.current_slot_values(),
                                       lang_of(tracker), directory(),
                                       confidence=(message.get("intent") or {}).get("confidence") or 0.0,
                                       metadata=message.get("metadata"))
            say(dispatcher, step.replies)
            return step.slots
        return validate

    methods = {f"validate_{q.slot}": make(q.slot) for q in FORMS[form]}
    methods["name"] = lambda self: f"validate_{form}"
    return type(f"Validate_{form}", (FormValidationAction,), methods)


VALIDATORS = [_validator(form) for form in FORMS]


class ActionStartHelp(Action):
    def name(self) -> Text:
        return "action_start_help"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        return slot_events(conversation.start_help(tracker.get_slot("path")))


class ActionStartReport(Action):
    def name(self) -> Text:
        return "action_start_report"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        return slot_events(conversation.start_report(tracker.get_slot("path"), tracker.current_slot_values()))


class ActionReviewReport(Action):
    """The summary read back before anything is sent, or the end when consent was declined."""

    def name(self) -> Text:
        return "action_review_report"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        if tracker.get_slot("consent") != "yes":
            say(dispatcher, [Reply(messages.text("consent_declined", lang))])
            return slot_events(conversation.cleared(lang))
        say(dispatcher, conversation.summary(tracker.current_slot_values(), lang))
        return [SlotSet("awaiting_confirmation", True), SlotSet("paused_form", None), SlotSet("paused_at", None)]


class ActionSubmitReport(Action):
    def name(self) -> Text:
        return "action_submit_report"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        if not tracker.get_slot("awaiting_confirmation") or not tracker.get_slot("draft_id"):
            reference = tracker.get_slot("last_reference")
            key, values = ("already_sent", {"reference": reference}) if reference else ("nothing_to_send", {})
            say(dispatcher, [Reply(messages.text(key, lang, **values))])
            return []
        try:
            receipt = submit_report(SETTINGS, tracker.current_slot_values(), lang, tracker.events, directory())
        except Exception:  # the store or the keys are unavailable: keep every answer, say so
            logger.error("report submission failed", exc_info=True)  # the exception carries no report content
            say(dispatcher, [Reply(messages.text("submit_failed", lang))])
            return [SlotSet("awaiting_confirmation", True)]
        say(dispatcher, [Reply(messages.text("submitted", lang, reference=receipt.reference)),
                         Reply(messages.text("after_report", lang))])
        return slot_events({**conversation.cleared(lang), "last_reference": receipt.reference})


class ActionChooseCorrection(Action):
    def name(self) -> Text:
        return "action_choose_correction"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        say(dispatcher, conversation.corrections(tracker.current_slot_values(), lang_of(tracker)))
        return []


class ActionCorrectAnswer(Action):
    def name(self) -> Text:
        return "action_correct_answer"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        field = next(tracker.get_latest_entity_values("field"), None)
        if not conversation.correctable(field, tracker.current_slot_values()):
            say(dispatcher, [Reply(messages.text("correction_unknown", lang_of(tracker)))])
            return [SlotSet("awaiting_confirmation", False)]  # the form completes again: summary
        return [SlotSet(field, None), SlotSet("awaiting_confirmation", False)]


class ActionStop(Action):
    def name(self) -> Text:
        return "action_stop"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        say(dispatcher, [Reply(messages.text("stopped", lang))])
        return [ActiveLoop(None), *slot_events(conversation.cleared(lang))]


class ActionPause(Action):
    def name(self) -> Text:
        return "action_pause"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        form = tracker.active_loop_name or ("report_form" if tracker.get_slot("awaiting_confirmation") else None)
        if form not in FORMS:
            say(dispatcher, [Reply(messages.text("nothing_to_pause", lang))])
            return [ActiveLoop(None)]
        say(dispatcher, [Reply(messages.text("paused", lang, hours=SETTINGS.pause_hours))])
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("paused_form", form),
                SlotSet("paused_at", time.time()), SlotSet("awaiting_confirmation", False)]


class ActionResume(Action):
    def name(self) -> Text:
        return "action_resume"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        if not tracker.get_slot("paused_form"):
            say(dispatcher, [Reply(messages.text("nothing_paused", lang), conversation.menu_buttons(lang))])
            return [SlotSet("paused_form", None)]
        say(dispatcher, [Reply(messages.text("resumed", lang))])
        return [SlotSet("paused_form", None), SlotSet("paused_at", None)]


class ActionExit(Action):
    """Leave without a trace: everything about this conversation is reset, language included."""

    def name(self) -> Text:
        return "action_exit"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        say(dispatcher, [Reply(messages.text("exit", lang_of(tracker)))])
        dispatcher.utter_message(json_message={"exit": True})  # the channel clears its side too
        return [ActiveLoop(None), AllSlotsReset()]


class ActionClose(Action):
    def name(self) -> Text:
        return "action_close"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        say(dispatcher, [Reply(messages.text("goodbye", lang))])
        return slot_events(conversation.cleared(lang))


class ActionFallback(Action):
    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        lang = lang_of(tracker)
        say(dispatcher, [Reply(messages.text("fallback", lang), conversation.menu_buttons(lang))])
        return []


class ActionChangeLanguage(Action):
    def name(self) -> Text:
        return "action_change_language"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        chosen = language.normalise(next(tracker.get_latest_entity_values("language"), None))
        if not chosen:
            say(dispatcher, [Reply(messages.text("choose_language", lang_of(tracker)), conversation.language_buttons())])
            return []
        say(dispatcher, [Reply(messages.text("language_changed", chosen))])
        return [SlotSet("language", chosen)]

"""The dialogue engine: one pure function decides every turn of a conversation.

``Engine.turn(state, message)`` returns what to say, the new state, and at most one effect for
the caller to carry out (submit the report, close or exit the conversation). Rasa recognises the
intent and carries the state between turns; everything else is decided here, so that the rules
the trials taught hold in every state and can be tested on thousands of random conversations:

- one coherent reply: nothing twice, and never two "I didn't understand" in a row without the
  way out (buttons, "stop", "exit");
- "stop", "exit" and an emergency work from every state;
- the answer wins: a message typed in answer to a question is the answer, unless it is a button
  or a short message that is only the command ("stop", "pause", "continuer");
- nothing a person said is dropped by a pause, a change of language, a question or a greeting:
  only "stop", "exit" and the end of the pause delete answers, and they say so.
"""
from __future__ import annotations

import copy
import json
import time
import uuid
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from bot.config import Settings
from bot.dialogue import coming_back, conversation, cues, language, messages, other_languages
from bot.dialogue.answers import interpret
from bot.dialogue.conversation import Reply, exit_button, payload
from bot.dialogue.intents import PAYLOAD
from bot.referrals.matching import Referrals
from bot.vocabulary import gazetteer, places
from bot.vocabulary.fields import BY_SLOT, HELP, HELP_PATHS, REPORT, REPORT_PATHS, SKIPPED
from bot.vocabulary.text import MAX_ANSWER_CHARS, clean_text, word_count

# Where a conversation is.
OPENING, ASKING, SUMMARY, CORRECTIONS, PAUSED = "opening", "asking", "summary", "corrections", "paused"
FOLLOWING = "following"  # a person came back to a report they sent, with its reference
# Which questions it is in.
TRIAGE, HELPING, REPORTING = "triage", "help", "report"

# Effects the caller carries out after the turn.
SUBMIT, CLOSE, EXIT = "submit", "close", "exit"
FOLLOW_UP = "follow_up"  # the action opens the report's follow-up and does ``state.follow_op``
FOLLOW_STEPS = (None, "code", "menu", "adding", "confirm_withdraw")
FOLLOW_OPS = ("open", "add", "view", "withdraw")

# Questions whose answer decides the way on: an answer not understood is asked again (with the
# way out), never guessed. Any other question keeps the person's words when asked twice.
STEERING = ("path", "consent", "next_step", "contact_preference")
# A command recognised only when no option of the question matches the message.
YIELDING = ("pause", "resume", "skip", "go_back", "help", "language")
# Below this confidence an opening message's intent does not choose the path.
PATH_CONFIDENCE = 0.6

# Questions about the assistant itself, answered wherever they are asked (the classifier's intent
# counts here only when the message is a question: "who reads this?", not "the police").
CHANNELS = ("rest", "telegram")
SIDE_QUESTIONS = {"privacy_question": "privacy", "bot_challenge": "bot", "help": "help"}
PAYLOAD_COMMANDS = {
    "stop": "stop", "exit_chat": "exit", "pause": "pause", "resume": "resume", "skip": "skip",
    "go_back": "go_back", "help": "help", "emergency": "emergency", "change_language": "language",
}


@dataclass
class Message:
    """What the person sent, as Rasa understood it."""

    text: str = ""
    intent: str | None = None
    confidence: float = 0.0
    entities: list[dict] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    at: float = 0.0  # seconds since the epoch
    channel: str | None = None  # "rest" (web chat, terminal), "telegram": what privacy it can promise


@dataclass
class State:
    """Everything the conversation remembers; stored sealed between turns by the tracker store."""

    lang: str = language.DEFAULT
    stage: str = OPENING
    phase: str = TRIAGE
    path: str | None = None
    asking: str | None = None  # the question waiting for an answer
    answers: dict[str, Any] = field(default_factory=dict)
    correcting: bool = False  # answering a correction: back to the summary after
    draft_id: str | None = None
    unclear: int = 0  # messages in a row that were not understood
    paused_at: float | None = None
    paused_stage: str | None = None
    buttons: list[list[str]] = field(default_factory=list)  # [title, payload] last offered
    greeted: bool = False
    channel: str | None = None
    # Free-text answers the person changed or took back before sending: their words are left out
    # of the transcript that is sealed, which must hold only what the person approved.
    withdrawn: list[str] = field(default_factory=list)
    # Coming back to a report: [reference, follow-up code], the step, the operation the action is
    # to do, and what the person wrote with the reference, to add once the code is typed.
    follow_up: list[str] = field(default_factory=list)
    follow_step: str | None = None
    follow_op: dict | None = None
    follow_text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any, lang: str | None = None) -> "State":
        """A state read back; anything unreadable starts a fresh conversation, never a crash."""
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                data = None
        if not isinstance(data, dict):
            return cls(lang=language.normalise(lang) or language.DEFAULT)
        known = {f.name for f in fields(cls)}
        try:
            state = cls(**{k: v for k, v in data.items() if k in known})
        except TypeError:
            return cls(lang=language.normalise(lang) or language.DEFAULT)
        state.lang = language.normalise(state.lang) or language.DEFAULT
        if not state.well_formed():
            return cls(lang=state.lang)
        return state

    def well_formed(self) -> bool:
        """A state this engine could have written: anything else (a stale or planted slot) is
        not trusted, and the conversation starts afresh rather than failing."""
        return (self.stage in (OPENING, ASKING, SUMMARY, CORRECTIONS, PAUSED, FOLLOWING)
                and isinstance(self.follow_up, list) and len(self.follow_up) <= 2
                and all(isinstance(x, str) for x in self.follow_up)
                and self.follow_step in FOLLOW_STEPS and isinstance(self.follow_text, str)
                and (self.follow_op is None or (isinstance(self.follow_op, dict) and self.follow_op.get("op") in FOLLOW_OPS))
                and (self.stage != FOLLOWING or (len(self.follow_up) == 2 and self.follow_step is not None))
                and self.phase in (TRIAGE, HELPING, REPORTING)
                and self.path in (None, "report", "help", "third_party")
                and (self.asking is None or self.asking in BY_SLOT)
                and (self.stage != ASKING or self.asking is not None)
                and isinstance(self.answers, dict) and all(isinstance(k, str) for k in self.answers)
                and isinstance(self.buttons, list)
                and all(isinstance(b, list) and len(b) == 2 and all(isinstance(x, str) for x in b) for b in self.buttons)
                and isinstance(self.unclear, int) and isinstance(self.correcting, bool)
                and isinstance(self.greeted, bool)
                and (self.paused_at is None or isinstance(self.paused_at, (int, float)))
                and self.paused_stage in (None, ASKING, SUMMARY, CORRECTIONS)
                and (self.stage != PAUSED or self.paused_stage is not None)
                and self.channel in (None, *CHANNELS)
                and isinstance(self.withdrawn, list) and all(isinstance(w, str) for w in self.withdrawn)
                and isinstance(self.draft_id, (str, type(None))))

    def in_progress(self) -> bool:
        return self.stage in (ASKING, SUMMARY, CORRECTIONS) and bool(self.answers or self.asking)


@dataclass
class Turn:
    replies: list[Reply]
    state: State
    effect: str | None = None


class _Out:
    """The replies of one turn: no text twice, the buttons remembered for typed labels."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.effect: str | None = None

    def add(self, *replies: Reply) -> None:
        for reply in replies:
            if reply.text and any(r.text == reply.text for r in self.replies):
                if reply.buttons:  # keep the buttons of a repeated question
                    same = next(r for r in self.replies if r.text == reply.text)
                    same.buttons = same.buttons or reply.buttons
                continue
            self.replies.append(reply)

    def say(self, key: str, lang: str, buttons: list | None = None, **values: Any) -> None:
        self.add(Reply(messages.text(key, lang, **values), buttons or []))


def _suggested(pending: Any) -> tuple[gazetteer.Place, str] | None:
    """The place offered as "did you mean …?" and the words it was offered for, as kept in the
    state ([place id, words named, whole answer]); anything else is no offer."""
    if isinstance(pending, list) and len(pending) == 3 and all(isinstance(p, str) for p in pending):
        place = gazetteer.by_id(pending[0])
        return (place, pending[2]) if place else None
    return None


class Engine:
    def __init__(self, referrals: Referrals, settings: Settings) -> None:
        self.referrals = referrals
        self.settings = settings

    # --- the turn ----------------------------------------------------------------------

    def turn(self, state: State, message: Message) -> Turn:
        s = copy.deepcopy(state)
        if message.channel in CHANNELS:
            s.channel = message.channel
        out = _Out()
        text = (message.text or "").strip()
        now = message.at or time.time()

        if s.stage == PAUSED and s.paused_at and now - s.paused_at > self.settings.pause_hours * 3600:
            lang = s.lang
            out.say("pause_expired", lang, hours=self.settings.pause_hours)
            s = State(lang=lang, greeted=True)

        pressed = self._pressed(text, s)
        intent, entities = pressed if pressed else (None, [])
        if pressed and not entities and text.startswith("/"):  # entities Rasa read from the payload
            entities = [e for e in message.entities if e.get("entity") in ("choice", "language", "field")]
        # An explicit request is read in the language the conversation had, before the words
        # themselves move it: "my french is bad, can we speak english" asks for English.
        request = None if pressed else cues.language_request(text, s.lang)
        if request and s.stage == ASKING and s.asking == "victims_nationality" and word_count(text) > cues.MAX_COMMAND_WORDS \
                and not cues.asks_to_speak(text):
            # The question asks what language they spoke: "Ethiopian, she speak Amharic only, very
            # little English" is its answer, not a request to talk in English.
            request = None
        if not pressed and not request and not s.greeted and s.stage == OPENING:
            # A first message in a language it does not speak: say so in that language, with the
            # emergency number, and let the person pick one of its languages.
            codes = language.other_language(text, (message.metadata or {}).get("language"))
            if codes:
                out.add(Reply(other_languages.answer(codes, self.referrals), conversation.language_buttons()))
                return self._done(s, out)
        if not pressed and not (request and request.certain):
            self._follow_language(s, text, message)
        elif pressed and not s.greeted:
            # The page's or the client's language opens the conversation (the web chat's "/greet").
            s.lang = language.normalise((message.metadata or {}).get("language")) or s.lang
        command = PAYLOAD_COMMANDS.get(intent or "") or (None if pressed else cues.command(text, s.lang))

        # What deletes, protects or leaves works from every state, before anything else.
        if command == "exit":
            return self._exit(s, out)
        if command == "stop":
            return self._stop(s, out)
        if command == "emergency":
            return self._emergency(s, out)

        if s.stage == PAUSED:
            return self._paused(s, out, command, now)
        if s.stage == FOLLOWING:
            return self._at_follow_up(s, out, text, intent, entities, command)
        if s.stage == OPENING and not pressed:
            reference = coming_back.reference_in(text)
            if reference:
                return self._coming_back(s, out, text, reference)

        if command == "language" or (pressed and intent == "change_language"):
            chosen = language.normalise(next((e.get("value") for e in entities if e.get("entity") == "language"), None))
            if chosen or not self._answer_matches(s, text):
                return self._change_language(s, out, chosen)
        if not pressed:
            if request and (request.certain or not self._could_answer(s, text)):
                return self._change_language(s, out, request.code)
            topic = cues.trust_question(text, s.lang)
            if topic:
                self._trust(s, out, topic)
                if s.stage == OPENING:  # answered, then the conversation starts: safety first
                    return self._start(s, out, first=not s.greeted)
                return self._again(s, out)
            side = SIDE_QUESTIONS.get(message.intent or "")
            if side and s.stage != OPENING and (message.confidence or 0) >= 0.5 and cues.is_question(text, s.lang):
                # "are you a real person?" asked at a question is a question, not the answer
                if side == "privacy":
                    out.add(Reply(conversation.privacy(s.lang, s.channel)))
                else:
                    out.say(side, s.lang, [exit_button(s.lang)] if side == "help" else None)
                return self._again(s, out)

        if s.stage == OPENING:
            return self._opening(s, out, message, intent, entities, command)
        if s.stage == SUMMARY:
            return self._at_summary(s, out, text, intent, entities, command)
        if s.stage == CORRECTIONS:
            return self._at_corrections(s, out, text, intent, entities, command)
        return self._at_question(s, out, message, text, intent, entities, command, language_offer=request)

    def submitted(self, state: State, reference: str, trial: bool = False, code: str = "") -> Turn:
        """After the report was stored: the reference, what happens next, and a closed conversation.

        ``trial``: it was sealed to the trial key, so the person is told plainly that it is not
        protected instead of being promised that only reviewers can read it."""
        lang, path = state.lang, state.path
        out = _Out()
        if trial:
            out.say("submitted_trial", lang, reference=reference)
        else:
            out.say("submitted_help" if path == "help" else "submitted", lang, reference=reference)
        if code:
            out.say("follow_up_code_given", lang, code=code)
        out.say("after_help_request" if path == "help" else "after_report", lang)
        # Nothing of the report is kept, not even its reference: the stored conversation must not
        # link this sender's pseudonym to a report.
        s = State(lang=lang, greeted=True, channel=state.channel)
        out.effect = CLOSE
        return self._done(s, out)

    # --- coming back to a report --------------------------------------------------------

    def _coming_back(self, s: State, out: _Out, text: str, reference: str) -> Turn:
        s.greeted = True
        s.stage, s.follow_up, s.follow_text = FOLLOWING, [reference, ""], coming_back.rest_of(text)[:MAX_ANSWER_CHARS]
        code = coming_back.code_in(text)
        if code:
            return self._follow_op(s, out, code)
        s.follow_step = "code"
        out.say("follow_up_ask_code", s.lang, reference=reference)
        return self._done(s, out)

    def _follow_op(self, s: State, out: _Out, code: str | None = None, op: str = "open", words: str = "") -> Turn:
        if code:
            s.follow_up = [s.follow_up[0], code]
        s.follow_op = {"op": op, "text": words or (s.follow_text if op == "open" else "")}
        out.effect = FOLLOW_UP
        return self._done(s, out)

    def _follow_menu(self, s: State, out: _Out) -> Turn:
        lang = s.lang
        s.follow_step = "menu"
        out.say("follow_up_menu", lang, [
            {"title": messages.button("follow_up_add", lang), "payload": payload("inform", choice="follow_add")},
            {"title": messages.button("follow_up_news", lang), "payload": payload("inform", choice="follow_news")},
            {"title": messages.button("follow_up_withdraw", lang), "payload": payload("inform", choice="follow_withdraw")},
            {"title": messages.button("follow_up_finish", lang), "payload": payload("inform", choice="follow_done")},
        ], reference=s.follow_up[0])
        return self._done(s, out)

    def _follow_done(self, s: State, out: _Out, key: str = "follow_up_done") -> Turn:
        out.say(key, s.lang)
        out.effect = CLOSE  # nothing of the report, its reference or code is kept
        return self._done(State(lang=s.lang, greeted=True, channel=s.channel), out)

    def _at_follow_up(self, s: State, out: _Out, text: str, intent, entities, command) -> Turn:
        lang = s.lang
        chosen = next((e.get("value") for e in entities if e.get("entity") == "choice"), None) if intent == "inform" else None
        if command in ("pause", "stop") or chosen == "follow_done":
            return self._follow_done(s, out)
        if s.follow_step == "code":
            code = coming_back.code_in(text)
            if not code:
                out.say("follow_up_not_a_code", lang)
                return self._done(s, out)
            return self._follow_op(s, out, code)
        if s.follow_step == "adding":
            words = clean_text(text)[:MAX_ANSWER_CHARS]
            if not words or text.startswith("/"):
                out.say("follow_up_add_prompt", lang)
                return self._done(s, out)
            return self._follow_op(s, out, op="add", words=words)
        if s.follow_step == "confirm_withdraw":
            if chosen == "follow_withdraw" or intent == "affirm" or cues.command(text, lang) is None and \
                    interpret("consent", text, None, [], lang, None).value == "yes":
                return self._follow_op(s, out, op="withdraw")
            return self._follow_menu(s, out)
        # the menu
        if chosen == "follow_add":
            s.follow_step = "adding"
            out.say("follow_up_add_prompt", lang)
            return self._done(s, out)
        if chosen == "follow_news":
            return self._follow_op(s, out, op="view")
        if chosen == "follow_withdraw":
            s.follow_step = "confirm_withdraw"
            out.say("follow_up_withdraw_confirm", lang, [
                {"title": messages.button("follow_up_withdraw_yes", lang), "payload": payload("inform", choice="follow_withdraw")},
                {"title": messages.button("no", lang), "payload": "/deny"}], reference=s.follow_up[0])
            return self._done(s, out)
        if text and not text.startswith("/") and word_count(text) >= 4:
            # Typed more at the menu: it is information to add, not a command to drop.
            return self._follow_op(s, out, op="add", words=clean_text(text)[:MAX_ANSWER_CHARS])
        return self._follow_menu(s, out)

    def followed_up(self, state: State, throttled: bool = False, view: dict | None = None) -> Turn:
        """After the action did ``state.follow_op``. The same words whether the code was right or
        not: only a right code can bring news, and "no news yet" is what a wrong one gets."""
        s, out = copy.deepcopy(state), _Out()
        op = (s.follow_op or {}).get("op")
        s.follow_op = None
        if throttled:
            return self._follow_done(s, out, "follow_up_too_many")
        reference = s.follow_up[0]
        if op == "withdraw":
            out.say("follow_up_withdrawn", s.lang, reference=reference)
            return self._follow_done(s, out)
        if op == "add" or (op == "open" and s.follow_text):
            s.follow_text = ""
            out.say("follow_up_added", s.lang)
        if op == "view":
            status = (view or {}).get("status")
            out.say(f"follow_up_status_{status if status in ('active', 'closed') else 'received'}", s.lang,
                    reference=reference)
            reply = (view or {}).get("reply")
            if isinstance(reply, str) and reply.strip():
                out.say("follow_up_reply", s.lang, reply=clean_text(reply)[:MAX_ANSWER_CHARS])
            else:
                out.say("follow_up_no_reply", s.lang)
        return self._follow_menu(s, out)

    def follow_up_failed(self, state: State) -> Turn:
        out = _Out()
        out.add(*[Reply(m["text"]) for m in messages.unavailable()])
        return self._follow_done(state, out, "follow_up_done")

    def submit_failed(self, state: State) -> Turn:
        out = _Out()
        s = copy.deepcopy(state)
        out.say("submit_failed", s.lang)
        out.add(*self._summary_question(s))
        return self._done(s, out)

    # --- commands ----------------------------------------------------------------------

    def _exit(self, s: State, out: _Out) -> Turn:
        out.say("exit", s.lang)
        out.effect = EXIT
        return self._done(State(), out)  # nothing kept, not even the language

    def _stop(self, s: State, out: _Out) -> Turn:
        out.say("stopped", s.lang)
        out.effect = CLOSE
        return self._done(State(lang=s.lang, greeted=True), out)

    def _emergency(self, s: State, out: _Out) -> Turn:
        out.add(*conversation.emergency(s.lang, self.referrals, self._country(s)))
        if s.stage == OPENING:
            s.answers["in_danger"] = "yes"
            return self._start(s, out, first=not s.greeted)
        if s.stage == ASKING and s.asking in ("in_danger", "immediate_danger"):
            s.answers[s.asking] = "yes"
            return self._advance(s, out)
        return self._again(s, out)

    def _paused(self, s: State, out: _Out, command: str | None, now: float) -> Turn:
        if command == "resume":
            s.stage, s.paused_at = s.paused_stage or ASKING, None
            out.say("resumed", s.lang)
            return self._again(s, out)
        hours_left = max(1, round((self.settings.pause_hours * 3600 - (now - (s.paused_at or now))) / 3600))
        out.say("paused_offer", s.lang, self._resume_buttons(s.lang), hours=hours_left)
        return self._done(s, out)

    def _pause(self, s: State, out: _Out) -> Turn:
        if not s.in_progress():
            out.say("nothing_to_pause", s.lang, conversation.menu_buttons(s.lang))
            return self._done(s, out)
        s.paused_stage, s.stage, s.paused_at = s.stage, PAUSED, time.time()
        out.say("paused", s.lang, self._resume_buttons(s.lang), hours=self.settings.pause_hours)
        return self._done(s, out)

    def _resume_buttons(self, lang: str) -> list[dict[str, str]]:
        return [{"title": messages.button("continue", lang), "payload": "/resume"},
                {"title": messages.button("stop", lang), "payload": "/stop"}]

    def _change_language(self, s: State, out: _Out, chosen: str | None) -> Turn:
        if not chosen:
            out.say("choose_language", s.lang, conversation.language_buttons())
            return self._done(s, out)
        s.lang = chosen
        out.say("language_changed", chosen)
        if s.stage == OPENING:
            return self._start(s, out, first=not s.greeted)
        return self._again(s, out)

    def _trust(self, s: State, out: _Out, topic: str) -> None:
        organisation = self.settings.organisation or messages.text("organisation_unnamed", s.lang)
        duties = self.settings.duties_in(s.lang) or messages.text("duties_default", s.lang)
        out.say(f"trust_{topic}", s.lang, organisation=organisation, duties=duties)
        if topic in ("data", "abuser") and s.channel == "telegram":
            out.say("privacy_telegram", s.lang)  # Telegram itself reads what is written there

    def _help(self, s: State, out: _Out) -> Turn:
        out.say("help", s.lang, [exit_button(s.lang)])
        return self._again(s, out)

    # --- opening -----------------------------------------------------------------------

    def _opening(self, s, out, message, intent, entities, command) -> Turn:
        lang = s.lang
        if command == "pause":
            out.say("nothing_to_pause", lang, conversation.menu_buttons(lang))
            return self._done(s, out)
        if command == "resume":
            out.say("nothing_paused", lang, conversation.menu_buttons(lang))
            return self._done(s, out)
        if command == "help":
            return self._help(s, out)
        said = intent or (message.intent if (message.confidence or 0) >= 0.8 else None)
        if said == "affirm" and s.greeted:
            # A second press of "send", or a "yes" after a report went: nothing is kept to say
            # which, so the answer covers both without a reference.
            out.say("already_sent", lang, conversation.menu_buttons(lang))
            return self._done(s, out)
        small_talk = {"thanks": "thanks", "goodbye": "goodbye", "privacy_question": "privacy", "bot_challenge": "bot"}
        if said in small_talk and word_count(message.text) <= cues.MAX_COMMAND_WORDS:
            if said == "privacy_question":
                out.add(Reply(conversation.privacy(lang, s.channel), conversation.menu_buttons(lang)))
            else:
                out.say(small_talk[said], lang, conversation.menu_buttons(lang))
            return self._done(s, out)
        path = conversation.PATH_INTENTS.get(intent or "")
        if not path and (message.confidence or 0) >= PATH_CONFIDENCE:
            path = conversation.PATH_INTENTS.get(message.intent or "")
        signals = cues.signals(message.text, lang)
        if signals.for_me and path in (None, "third_party"):
            path = "help"
        if path:
            s.answers["path"] = path
        if message.intent == "emergency" and (message.confidence or 0) >= 0.8 or intent == "emergency":
            s.answers["in_danger"] = "yes"
            out.add(*conversation.emergency(lang, self.referrals, None))
        elif signals.danger:
            self._danger_line(s, out, signals)
        self._notice_age(s, out, signals)
        return self._start(s, out, first=not s.greeted)

    def _start(self, s: State, out: _Out, first: bool) -> Turn:
        lang = s.lang
        out.add(Reply(messages.text("welcome" if first else "welcome_again", lang)))
        if first:
            out.add(Reply(messages.text("choose_language", lang), conversation.language_buttons() + [exit_button(lang)]))
        s.greeted, s.phase, s.stage = True, TRIAGE, ASKING
        return self._advance(s, out)

    # --- questions ---------------------------------------------------------------------

    def _sequence(self, s: State) -> list[str]:
        if s.phase == TRIAGE:
            return ["in_danger", "path"]
        if s.phase == HELPING:
            return list(HELP_PATHS.get(s.path or "help", HELP_PATHS["help"]))
        asked = list(REPORT_PATHS.get(s.path or "report", REPORT_PATHS["report"]))
        if s.answers.get("consent") not in (None, "yes"):
            return ["consent"]
        if s.answers.get("contact_preference") not in (None, "contact"):
            asked = [slot for slot in asked if slot != "contact_details"]
        return asked

    def _advance(self, s: State, out: _Out) -> Turn:
        """Ask the next question of this phase, or move on to the next phase or the summary."""
        for _ in range(4):  # triage -> help -> report -> summary at most
            pending = next((slot for slot in self._sequence(s) if slot not in s.answers), None)
            if pending:
                s.stage, s.asking = ASKING, pending
                out.add(*conversation.ask(pending, self._slots(s), s.lang, self.referrals))
                return self._done(s, out)
            if s.phase == TRIAGE:
                s.path = s.answers.get("path") or "help"
                self._begin(s, REPORTING if s.path == "report" else HELPING)
            elif s.phase == HELPING:
                if s.answers.get("next_step") != "report":
                    out.say("goodbye", s.lang)
                    out.effect = CLOSE
                    return self._done(State(lang=s.lang, greeted=True), out)
                self._begin(s, REPORTING)
            else:
                if s.answers.get("consent") != "yes":
                    out.say("consent_declined", s.lang, conversation.menu_buttons(s.lang))
                    out.effect = CLOSE
                    return self._done(State(lang=s.lang, greeted=True), out)
                s.stage, s.asking, s.correcting = SUMMARY, None, False
                out.add(*self._summary(s))
                return self._done(s, out)
        raise AssertionError("the phases did not end")  # pragma: no cover - a bug, not a person

    def _begin(self, s: State, phase: str) -> None:
        s.phase = phase
        if phase == HELPING:
            for q in HELP:
                s.answers.pop(q.slot, None)
            for key in ("location_country", "location_city", "location_lat", "location_lon", "services_offset",
                        "needs_text", "location_place", "location_suggested"):
                s.answers.pop(key, None)
            if s.path == "third_party":
                s.answers["needs"] = ["hotline"]
            return
        for q in REPORT:
            s.answers.pop(q.slot, None)
        for key in ("exploitation_type_text", "control_signs_text", "victims_count_number", "incident_date_at",
                    "place_place", "place_suggested"):
            s.answers.pop(key, None)
        s.draft_id = str(uuid.uuid4())
        location = s.answers.get("location")
        if s.path == "third_party" and location not in (None, SKIPPED):
            s.answers["place"] = location
            s.answers["place_place"] = s.answers.get("location_place")
        if s.path == "help":
            s.answers["contact_preference"] = "contact"  # they asked to be contacted

    def _again(self, s: State, out: _Out) -> Turn:
        """The question or step the person was at, asked again after a side answer."""
        offered = _suggested(s.answers.get(f"{s.asking}_suggested")) if s.stage == ASKING and s.asking else None
        if offered:
            out.add(conversation.did_you_mean(offered[0], s.lang))
        elif s.stage == ASKING and s.asking:
            out.add(*conversation.ask(s.asking, self._slots(s), s.lang, self.referrals, services=False))
        elif s.stage == SUMMARY:
            out.add(*self._summary_question(s))
        elif s.stage == CORRECTIONS:
            out.add(*conversation.corrections(self._slots(s), s.lang))
        elif s.stage == OPENING:
            out.add(Reply(messages.text("welcome_again", s.lang), conversation.menu_buttons(s.lang)))
        return self._done(s, out)

    def _could_answer(self, s: State, text: str) -> bool:
        """Whether the message can be the answer to the pending question: any words answer a
        question asked in words; a choice question only by one of its options."""
        if s.stage != ASKING or not s.asking:
            return False
        return BY_SLOT[s.asking].kind not in ("choice", "multi") or self._answer_matches(s, text)

    def _answer_matches(self, s: State, text: str) -> bool:
        """Whether the message answers the pending choice question with one of its options."""
        if s.stage != ASKING or not s.asking or BY_SLOT[s.asking].kind not in ("choice", "multi"):
            return False
        understood = interpret(s.asking, text, None, [], s.lang, s.path)
        return not understood.unclear and understood.value != ["Other"]

    def _at_question(self, s, out, message, text, intent, entities, command, language_offer=None) -> Turn:
        slot = s.asking
        if command in YIELDING and (intent or not self._answer_matches(s, text)):
            if command == "pause":
                return self._pause(s, out)
            if command == "help":
                return self._help(s, out)
            if command == "go_back":
                return self._go_back(s, out, entities)
            if command == "resume":
                return self._again(s, out)
            if command == "skip":
                return self._skip(s, out)
        if intent in ("report_incident", "request_help", "worried_about_someone") and slot != "path":
            intent = None  # a stale menu button: the question stands

        signals = cues.signals(text, s.lang)
        if signals.danger:
            self._danger_line(s, out, signals)
        self._notice_age(s, out, signals)
        if slot == "for_whom" and s.answers.get("for_whom") == "child":
            return self._answered(s, out, signals)  # "moi j'ai 15 ans": a child

        if slot in ("location", "place"):
            pending = s.answers.pop(f"{slot}_suggested", None)
            if pending:  # the answer to "did you mean …?"
                taken = self._suggestion_answered(s, slot, pending, intent, message, text)
                if taken is not None:
                    s.answers.update(taken)
                    return self._answered(s, out, signals)
            # One "did you mean …?" per answer: a second guess is not offered, the words are kept.
            where = self._place(s, slot, text, entities, message.metadata, offer=not pending)
            if where is not None and f"{slot}_suggested" in where:
                s.answers.update(where)
                out.add(conversation.did_you_mean(_suggested(where[f"{slot}_suggested"])[0], s.lang))
                return self._done(s, out)
            if where is not None:
                s.answers.update(where)
                return self._answered(s, out, signals)
        if slot == "next_step":
            chosen = next((e.get("value") for e in entities if e.get("entity") == "choice"), None)
            understood = interpret(slot, text, intent, entities, s.lang, s.path)
            chosen = chosen if chosen else (None if understood.unclear else understood.value)
            if chosen == "more":
                s.answers["services_offset"] = int(s.answers.get("services_offset") or 0) + conversation.PAGE
                out.add(*conversation.ask(slot, self._slots(s), s.lang, self.referrals))
                return self._done(s, out)
            if chosen == "change":
                self._begin(s, HELPING)
                return self._advance(s, out)

        # The classifier's intent helps only where it names one of this question's answers ("yes",
        # "no", "report"); it never turns an answer into a command ("not right now" is no pause).
        question_intents = BY_SLOT[slot].intents
        nlu = message.intent if message.intent in question_intents and (message.confidence or 0) >= 0.5 else None
        understood = interpret(slot, text, intent or nlu, entities, s.lang, s.path)
        if understood.unclear and slot == "in_danger" and text and not text.startswith("/"):
            opened = conversation.PATH_INTENTS.get(message.intent or "") if (message.confidence or 0) >= PATH_CONFIDENCE else None
            if opened and "path" not in s.answers:
                s.answers["path"] = opened  # "I need to report something": why they came, kept
            if s.unclear >= 1 or signals.danger:
                # Asked twice and still not a yes or no: possible danger. The numbers, and on.
                understood.value, understood.unclear = "unsure", False
        if understood.unclear:
            if (slot not in STEERING and s.unclear >= 1 and text and not text.startswith("/")
                    and BY_SLOT[slot].kind in ("choice", "multi")):
                # Asked twice: keep the person's own words rather than asking a third time.
                s.answers[slot] = ["Other"] if BY_SLOT[slot].kind == "multi" else clean_text(text)
                s.answers[f"{slot}_text"] = clean_text(text)
                out.say("kept_words", s.lang)
                return self._answered(s, out, signals)
            return self._unclear(s, out, "narrative_required" if slot == "narrative" else "unclear_answer")
        s.answers[slot] = understood.value
        s.answers.update(understood.extra)
        if len(text) > MAX_ANSWER_CHARS:
            out.say("oversized", s.lang, limit=MAX_ANSWER_CHARS)
        if slot in ("in_danger", "immediate_danger") and understood.value in ("yes", "unsure") and not signals.danger:
            if slot == "in_danger":
                out.add(*conversation.emergency(s.lang, self.referrals, self._country(s)))
            else:
                self._danger_line(s, out, signals)
        if slot == "for_whom" and signals.age is None and signals.for_me and understood.value not in ("woman", "man", "child", "family"):
            s.answers[slot] = "myself"
        if language_offer and not language_offer.certain:
            name = messages.language_name(language_offer.code)
            out.add(Reply(messages.text("language_offer", language_offer.code, language=name),
                          [{"title": name, "payload": payload("change_language", language=language_offer.code)}],
                          lang=language_offer.code))
        return self._answered(s, out, signals)

    def _skip(self, s: State, out: _Out) -> Turn:
        question = BY_SLOT[s.asking]
        if question.required_on(s.path):
            return self._unclear(s, out, "narrative_required" if s.asking == "narrative" else "unclear_answer")
        s.answers[s.asking] = question.skip_value
        s.answers.pop(f"{s.asking}_suggested", None)
        if s.asking == "location":
            s.answers.update(location_country=None, location_city=None)
        return self._answered(s, out, cues.Signals())

    def _answered(self, s: State, out: _Out, signals: cues.Signals) -> Turn:
        s.unclear = 0
        self._notice_age(s, out, signals)
        if signals.for_me and s.path == "third_party" and s.phase == HELPING:
            s.path = "help"  # "this is for me": the help is for the person writing
            s.answers.pop("needs", None)
            out.say("for_me_noted", s.lang)
        if s.correcting:
            s.stage, s.asking, s.correcting = SUMMARY, None, False
            out.add(*self._summary(s))
            return self._done(s, out)
        return self._advance(s, out)

    def _unclear(self, s: State, out: _Out, key: str) -> Turn:
        s.unclear += 1
        out.say(key, s.lang)
        out.add(*conversation.ask(s.asking, self._slots(s), s.lang, self.referrals, services=False))
        if s.unclear >= 2:
            out.say("way_out", s.lang, [{"title": messages.button("stop", s.lang), "payload": "/stop"},
                                        exit_button(s.lang)])
        return self._done(s, out)

    def _go_back(self, s: State, out: _Out, entities: list[dict]) -> Turn:
        sequence = self._sequence(s)
        before = sequence[: sequence.index(s.asking)] if s.asking in sequence else sequence
        previous = next((slot for slot in reversed(before) if slot in s.answers and slot != "consent"), None)
        if not previous:
            out.say("go_back_first", s.lang)
            return self._again(s, out)
        self._withdraw(s, previous)
        return self._advance(s, out)

    MAX_WITHDRAWN = 50

    def _withdraw(self, s: State, slot: str) -> None:
        """Take an answer back (go back, or a correction): remembered only so that its words stay
        out of the sealed transcript."""
        for key in (f"{slot}_place", f"{slot}_suggested"):
            s.answers.pop(key, None)
        for key in (slot, f"{slot}_text"):
            value = s.answers.pop(key, None)
            if isinstance(value, str) and value.strip() and BY_SLOT.get(slot) and (
                    key.endswith("_text") or BY_SLOT[slot].kind not in ("choice", "multi")):
                if value not in s.withdrawn:
                    s.withdrawn = [*s.withdrawn, value][-self.MAX_WITHDRAWN:]

    def _place(self, s, slot, text, entities, metadata, offer: bool = True) -> dict | None:
        """The answer to "where?": the words, the place they name in the gazetteer (or, when
        unsure, a place to offer as "did you mean …?"), and the country that decides the numbers."""
        lang = s.lang
        coordinates = conversation.shared_location(metadata)
        if coordinates:
            lat, lon = coordinates
            town = gazetteer.load().nearest(lat, lon)
            return {slot: messages.text("shared_location", lang), "location_lat": lat, "location_lon": lon,
                    f"{slot}_place": town.id if town else None,
                    "location_country": self.referrals.nearest_country(lat, lon) or (town.country if town else None),
                    "location_city": None}
        chosen = next((e.get("value") for e in entities if e.get("entity") == "choice"), None)
        if chosen in self.referrals.emergency:  # a country button
            return {slot: places.country_name(chosen, lang), "location_country": chosen, "location_city": None,
                    f"{slot}_place": None}
        if not text or text.startswith("/"):
            return None
        said = interpret(slot, text, None, [], lang, s.path)
        if said.unclear or said.value == SKIPPED:
            return None
        return self._where(s, slot, said.value, offer)

    def _where(self, s: State, slot: str, words: str, offer: bool, place: gazetteer.Place | None = None) -> dict:
        country, city = self.referrals.locate(words)
        found: dict[str, Any] = {slot: words, f"{slot}_place": None}
        if place is None:
            hit = gazetteer.load().find(words, near_country=country or self._country(s),
                                        ordinary=messages.ordinary_words(s.lang))
            if hit and not hit.sure and offer:
                return {f"{slot}_suggested": [hit.place.id, hit.said, words]}
            place = hit.place if hit and hit.sure else None
        if place:
            found[f"{slot}_place"] = place.id
            country = place.country  # the town named decides, not a country named beside it ("border with greece")
            if slot == "location" and not city and place.kind == "city":
                # Services near a town the directory does not list: by its coordinates.
                found.update(location_lat=place.latitude, location_lon=place.longitude)
        if country or slot == "location":  # where the person is decides which numbers to show
            found.update(location_country=country, location_city=city)
        return found

    def _suggestion_answered(self, s, slot, pending, intent, message, text) -> dict | None:
        """Yes or no to "did you mean …?" (None: the person said something else, read as a new
        answer). Either way the person's words are the answer; "yes" adds the place."""
        offered = _suggested(pending)
        if not offered:
            return None
        place, words = offered
        if not intent:
            named = gazetteer.load().find(text, ordinary=messages.ordinary_words(s.lang))
            if named and named.sure:
                return None  # "no, it was Kirkuk": a new answer
        if intent in ("affirm", "deny"):
            agreed = intent == "affirm"
        elif message.intent in ("affirm", "deny") and (message.confidence or 0) >= 0.5 and word_count(text) <= 3:
            agreed = message.intent == "affirm"
        else:
            understood = interpret("consent", text, None, [], s.lang, s.path)
            if understood.unclear or understood.value not in ("yes", "no"):
                return None
            agreed = understood.value == "yes"
        return self._where(s, slot, words, offer=False, place=place if agreed else None)

    # --- the summary -------------------------------------------------------------------

    def _summary(self, s: State) -> list[Reply]:
        return conversation.summary(self._slots(s), s.lang)

    def _summary_question(self, s: State) -> list[Reply]:
        return [conversation.summary_question(s.lang)]

    def _at_summary(self, s, out, text, intent, entities, command) -> Turn:
        field_name = next((e.get("value") for e in entities if e.get("entity") == "field"), None)
        if intent == "go_back" and field_name:
            return self._correct(s, out, field_name)
        if command == "pause":
            return self._pause(s, out)
        if command == "help":
            return self._help(s, out)
        said = intent or cues.command(text, s.lang, only=("send", "dont_send", "change"))
        if said is None and text and not text.startswith("/"):
            if cues.contains(text, s.lang, "dont_send"):
                said = "dont_send"
        if said in ("affirm", "send"):
            out.effect = SUBMIT
            return self._done(s, out)
        if said in ("go_back", "change") or command == "go_back":
            s.stage = CORRECTIONS
            out.add(*conversation.corrections(self._slots(s), s.lang))
            return self._done(s, out)
        if said in ("deny", "dont_send"):
            out.say("not_sent", s.lang, hours=self.settings.pause_hours)
            out.add(*self._summary_question(s))
            return self._done(s, out)
        # Anything else ("hello", a question, a stray word) never deletes the draft.
        out.say("summary_pending", s.lang)
        out.add(*self._summary_question(s))
        return self._done(s, out)

    def _at_corrections(self, s, out, text, intent, entities, command) -> Turn:
        field_name = next((e.get("value") for e in entities if e.get("entity") == "field"), None)
        if intent == "go_back" and field_name:
            return self._correct(s, out, field_name)
        if intent == "affirm" or cues.command(text, s.lang, only=("send",)):
            out.effect = SUBMIT
            return self._done(s, out)
        if command == "pause":
            return self._pause(s, out)
        s.stage = SUMMARY
        out.say("correction_unknown", s.lang)
        out.add(*self._summary(s))
        return self._done(s, out)

    def _correct(self, s: State, out: _Out, field_name: str) -> Turn:
        if not conversation.correctable(field_name, self._slots(s)) or field_name not in self._sequence(s):
            s.stage = SUMMARY
            out.say("correction_unknown", s.lang)
            out.add(*self._summary(s))
            return self._done(s, out)
        self._withdraw(s, field_name)
        s.stage, s.asking, s.correcting = ASKING, field_name, True
        out.add(*conversation.ask(field_name, self._slots(s), s.lang, self.referrals, services=False))
        return self._done(s, out)

    # --- what the words reveal ---------------------------------------------------------

    def _country(self, s: State) -> str | None:
        return s.answers.get("location_country")

    def _danger_line(self, s: State, out: _Out, signals: cues.Signals) -> None:
        """One short line: the number for the person's country, a silent way where one is
        published, and the quick exit. Never "call" alone to someone who said they cannot."""
        lang, country = s.lang, self._country(s)
        numbers = self.referrals.emergency.get(country or "") or {}
        number = numbers.get("general") or numbers.get("police")
        if signals.cannot_call:
            silent = numbers.get("silent")
            parts = [messages.text("cannot_call_silent", lang, how=silent)] if silent else []
            parts.append(messages.text("cannot_call_line", lang, number=number or "112"))
        else:
            parts = [messages.text("danger_line", lang, number=number, country=places.country_name(country, lang))
                     if number else messages.text("danger_line_general", lang)]
        parts.append(messages.text("quick_exit_reminder", lang))
        out.add(Reply(" ".join(parts), [exit_button(lang)]))

    def _notice_age(self, s: State, out: _Out, signals: cues.Signals) -> None:
        if signals.age is None or signals.age >= 18:
            return
        if s.answers.get("age_under_18") is None:
            out.say("minor_noted", s.lang)
        s.answers["age_under_18"] = signals.age
        if s.asking == "for_whom" and s.answers.get("for_whom") in (None, "myself", "woman", "man"):
            s.answers["for_whom"] = "child"
        needs = s.answers.get("needs")
        if isinstance(needs, list) and "child_protection" not in needs:
            s.answers["needs"] = [*needs, "child_protection"]
        if s.phase == REPORTING and s.path != "help":
            s.answers["minors"] = "yes"

    # --- plumbing ----------------------------------------------------------------------

    def _pressed(self, text: str, s: State) -> tuple[str, list[dict]] | None:
        """A button: its payload, or its label typed (a slip allowed)."""
        chosen = text if text.startswith("/") else None
        if chosen is None:
            said = cues.plain(text)
            if said:
                for title, button_payload in s.buttons:
                    if cues.close_enough(said, cues.plain(title)):
                        chosen = button_payload
                        break
        if chosen is None:
            return None
        match = PAYLOAD.match(chosen.strip())
        if not match:
            return None
        entities = []
        if match.group(2):
            try:
                entities = [{"entity": k, "value": v} for k, v in json.loads(match.group(2)).items()]
            except (ValueError, AttributeError):
                entities = []
        return match.group(1), entities

    def _follow_language(self, s: State, text: str, message: Message) -> None:
        hint = (message.metadata or {}).get("language")
        if not s.greeted:
            greeting = cues.greeting_language(text)
            if greeting:  # "Bonjour" alone says more than a detector can from one word
                s.lang = greeting
                return
        detected = language.detect(text, current=s.lang if s.greeted else None, hint=hint if not s.greeted else None)
        if not s.greeted and not text:
            detected = language.normalise(hint) or s.lang
        s.lang = detected

    def _slots(self, s: State) -> dict[str, Any]:
        """The conversation as the flat slots that asking, the summary and the report read."""
        return {**s.answers, "path": s.path or s.answers.get("path"), "draft_id": s.draft_id,
                "language": s.lang, "channel": s.channel}

    def report_slots(self, s: State) -> dict[str, Any]:
        # Withdrawn words that are still the answer (typed again) are not withdrawn.
        kept = {v for v in s.answers.values() if isinstance(v, str)}
        slots = self._slots(s)
        return {**slots, "withdrawn": [w for w in s.withdrawn if w not in kept],
                "services_shown": conversation.services_shown(slots, s.lang, self.referrals)}

    def _done(self, s: State, out: _Out) -> Turn:
        s.buttons = [[b["title"], b["payload"]] for r in out.replies for b in (r.buttons or [])]
        return Turn(out.replies, s, out.effect)



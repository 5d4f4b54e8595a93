"""Random conversations against the dialogue's invariants (hypothesis stateful testing).

Each conversation is a random walk of the messages people send: buttons pressed or their labels
typed with a slip, free answers, commands, language changes, questions before trusting, danger,
greetings, noise and hostile payloads, in English and French. After every message:

- a proper answer: at least one reply, every reply with words, no text twice, no placeholder;
- never two "I didn't understand" in a row without the way out (stop and exit buttons);
- "stop" and "exit" always end and forget, an emergency always gets numbers;
- a pause, a change of language, a question or a greeting never loses an answer, and a request
  to change language or a question is never stored as one;
- paused answers resume at the exact question; the summary never loses the draft;
- the state survives being stored (JSON) unchanged.

``CONVERSATIONS`` sets how many (default 1 200 here; ``bot bench``-style long runs set more).
"""
import json
import os
import re

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from bot.dialogue import language, messages
from bot.dialogue.engine import CLOSE, EXIT, OPENING, PAUSED, PAYLOAD_COMMANDS, SUBMIT, SUMMARY, State

from .dialogue_talk import engine

CONVERSATIONS = int(os.environ.get("CONVERSATIONS", "1200"))

ANSWERS = [
    "a man took their passports", "yesterday around 10", "Kyiv", "near the bus station in Lviv", "3 or 4",
    "two women and a boy", "they spoke Ukrainian", "I told my commander", "not right now", "both",
    "ids and phones taken", "autres", "brick kiln outside Kirkuk", "go back home they said", "forge narrative",
    "stop the van", "exit 4 on the highway", "un homme a pris leurs passeports", "hier soir", "près de la gare",
    "une dizaine", "je crois que oui", "la nuit dernière", "12", "none", "nothing", "yes", "no", "oui", "non",
    "maybe", "peut-être", "I don't know", "je sais pas", "Warsaw", "Chisinau", "a safe place to sleep",
    "un médecin", "call me after 6pm on +48 600 000 000", "show more", "voir plus", "autre lieu", "c'est pour moi",
    "moi j'ai 15 ans", "I'm 16", "it's for me", "women", "all female", "forced labour", "they owe money",
    # Every language the assistant speaks (issue 13): dates, places, counts, yes and no, "I don't know".
    "вчора ввечері", "біля вокзалу у Львові", "троє жінок і хлопчик", "не знаю", "так", "ні", "забрали паспорти",
    "позавчера ночью около 11", "в Харькове на рынке", "человек десять", "да", "нет", "отобрали паспорта",
    "wczoraj wieczorem", "pod Przemyślem", "pięć kobiet", "nie wiem", "tak", "nie", "zabrali im paszporty",
    "ieri seara", "la Chișinău lângă gară", "vreo zece", "nu știu", "da", "nu", "le-au luat pașapoartele",
    "anoche a las 10", "en Madrid cerca de la estación", "unas cinco mujeres", "no sé", "sí", "les quitaron los pasaportes",
    "امبارح بالليل", "بأربيل", "خمس بنات", "ما بعرف", "نعم", "لا", "اخذوا جوازاتهم",
]
COMMANDS = {
    "stop": ["stop", "arrête", "Stop"], "exit": ["exit", "quitter", "Exit"], "pause": ["pause", "Pause"],
    "resume": ["continue", "reprendre", "continuer"], "skip": ["skip", "passer"], "go_back": ["go back", "retour"],
    "help": ["help", "aide"], "emergency": ["emergency", "urgence"],
}
# Each language's own command words, as its locale lists them (the first two of each).
for _lang in language.SUPPORTED:
    for _name, _phrases in (messages.understanding(_lang).get("commands") or {}).items():
        if _name in COMMANDS:
            COMMANDS[_name] += [p for p in _phrases[:2] if p not in COMMANDS[_name]]
LANGUAGE_REQUESTS = ["can we speak english", "en français svp", "sorry my french is bad, can we speak english",
                     "ok actually can we go back to french, c'est mieux en francais", "in english please",
                     "українською будь ласка", "на русском пожалуйста", "po polsku prosze", "în română vă rog",
                     "en español por favor", "بالعربي لو سمحت"]
TRUST = ["will the police know?", "est-ce que la police va savoir ?", "j'ai pas de papiers, on va m'expulser?",
         "does it cost anything?", "who runs this?", "can my employer see this?", "c'est qui l'equipe? c'est la police?",
         "what happens to my data?"]
DANGER = ["he's coming", "je peux pas appeler il va entendre", "I'm scared", "il m'enferme, je peux pas sortir",
          "I can't call, he will hear"]
GREETINGS = ["hello", "Bonjour", "good morning", "hi", "привіт", "здравствуйте", "dzień dobry", "bună ziua", "hola",
             "مرحبا"]
NOISE = ["", "   ", "😀😀🙏", "a" * 5000, "\u202eevil", "restart", '/inform{"choice":"<script>"}',
         '/go_back{"field":"consent"}', "/affirm", "/deny", "?", "...", "Привет hello", "/skip", "/resume", "/stop ",
         '/change_language{"language":"xx"}', "/report_incident", "12345678901234567890"]
STARTS = [("hello", "greet"), ("Bonjour", "greet"), ("I need to report something I saw", "report_incident"),
          ("I need help", "request_help"), ("je m'inquiète pour ma soeur", "worried_about_someone"),
          ("il m'enferme", "nlu_fallback"), ("help me it's an emergency", "emergency"),
          ("так, допоможіть", "request_help"), ("да мне страшно, он меня ищет", "emergency"),
          ("نعم أنا في خطر", "emergency"), ("necesito ayuda", "request_help"), ("potrzebuję pomocy", "request_help"),
          ("am nevoie de ajutor", "request_help"), ("ich brauche Hilfe bitte", "nlu_fallback")]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _unclear_texts() -> set[str]:
    return {messages.text(key, lang) for key in ("unclear_answer", "narrative_required") for lang in language.SUPPORTED}


def _way_out_texts() -> set[str]:
    return {messages.text("way_out", lang) for lang in language.SUPPORTED}


UNCLEAR, WAY_OUT = _unclear_texts(), _way_out_texts()
ENGINE = engine()


def slipped(title: str, position: int) -> str:
    """A button label as typed on a phone: lower case, one letter dropped in a long word."""
    typed = title.lower()
    if len(typed) >= 9:
        i = 1 + position % (len(typed) - 2)
        typed = typed[:i] + typed[i + 1:]
    return typed


class Conversation(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.state = State()
        self.turn = None
        self.unclear_before = False
        self.paused_at_question = None
        self.references = 0

    # --- sending ------------------------------------------------------------------------

    def send(self, text, intent=None, kind="answer", command=None):
        from bot.dialogue.engine import Message

        before = self.state
        if command is None and text.strip().startswith("/"):  # a payload is its command
            command = PAYLOAD_COMMANDS.get(text.strip()[1:].split("{")[0])
        turn = ENGINE.turn(before, Message(text=text, intent=intent, confidence=0.9 if intent else 0.0))
        if turn.effect == SUBMIT:
            assert before.stage in (SUMMARY, "corrections"), "submitted from outside the summary"
            self.references += 1
            turn = ENGINE.submitted(turn.state, f"R-TEST-{self.references:04d}")
        self.check_turn(before, turn, text, kind, command)
        self.turn, self.state = turn, turn.state

    def check_turn(self, before, turn, text, kind, command):
        texts = [r.text for r in turn.replies]
        assert texts, f"no answer to {text!r}"
        assert all(t.strip() for t in texts), f"an empty reply to {text!r}"
        assert len(texts) == len(set(texts)), f"a message twice: {texts}"
        for t in texts:
            assert not PLACEHOLDER.search(t), t
            assert "__skipped__" not in t and "__not_applicable__" not in t, t
        unclear_now = any(t in UNCLEAR for t in texts)
        if unclear_now and self.unclear_before:
            payloads = {b["payload"] for r in turn.replies for b in r.buttons or []}
            assert any(t in WAY_OUT for t in texts) and {"/stop", "/exit_chat"} <= payloads, texts
        self.unclear_before = unclear_now
        after = turn.state
        if command == "stop":
            assert turn.effect == CLOSE and after.answers == {} and after.stage == OPENING
        if command == "exit":
            assert turn.effect == EXIT and after == State()
        if command == "emergency":
            assert any(re.search(r"\b1\d\d\b|\b9\d\d\b", t) for t in texts), texts
        keeps = kind in ("language", "trust") or command in ("pause", "help") or (
            kind == "greeting" and before.stage in (SUMMARY, PAUSED))
        if keeps and turn.effect is None:
            for key, value in before.answers.items():
                assert after.answers.get(key) == value, f"{kind} {text!r} lost {key}"
        if kind in ("language", "trust") and turn.effect is None:
            assert text not in after.answers.values(), f"{text!r} stored as an answer"
        if before.stage == PAUSED and turn.effect is None and command not in ("resume", "emergency"):
            assert after.stage == PAUSED and after.answers == before.answers
        if before.stage == PAUSED and command == "resume":
            assert after.asking == before.asking and after.answers == before.answers
        if before.stage == SUMMARY and turn.effect is None and kind in ("greeting", "noise", "trust", "danger"):
            assert after.answers == before.answers, f"the draft changed on {text!r}"
        stored = json.loads(json.dumps(after.to_dict()))
        assert State.from_dict(stored) == after

    # --- what people send ---------------------------------------------------------------

    @initialize(start=st.sampled_from(STARTS))
    def open(self, start):
        self.send(start[0], intent=start[1], kind="start")

    @rule(data=st.data())
    def press_a_button(self, data):
        buttons = [b for r in self.turn.replies for b in r.buttons or []]
        if not buttons:
            return
        button = data.draw(st.sampled_from(buttons))
        typed = data.draw(st.booleans())
        text = slipped(button["title"], data.draw(st.integers(0, 50))) if typed else button["payload"]
        # A typed label presses its button: the same command either way.
        command = {"/stop": "stop", "/exit_chat": "exit", "/resume": "resume", "/skip": "skip"}.get(button["payload"])
        self.send(text, kind="button", command=command)

    @rule(text=st.sampled_from(ANSWERS), intent=st.sampled_from([None, "inform", "pause", "skip", "stop", "emergency"]))
    def answer(self, text, intent):
        self.send(text, intent=intent)

    @rule(command=st.sampled_from(sorted(COMMANDS)), data=st.data())
    def command(self, command, data):
        self.send(data.draw(st.sampled_from(COMMANDS[command])), kind="command", command=command)

    @rule(text=st.sampled_from(LANGUAGE_REQUESTS))
    def change_language(self, text):
        self.send(text, kind="language")

    @rule(text=st.sampled_from(TRUST))
    def ask_before_trusting(self, text):
        self.send(text, intent="privacy_question", kind="trust")

    @rule(text=st.sampled_from(DANGER))
    def danger(self, text):
        self.send(text, kind="danger")

    @rule(text=st.sampled_from(GREETINGS))
    def greet(self, text):
        self.send(text, intent="greet", kind="greeting")

    @rule(text=st.sampled_from(NOISE))
    def noise(self, text):
        self.send(text, kind="noise")

    @rule(text=st.text(max_size=40))
    def anything(self, text):
        self.send(text, kind="noise")

    @precondition(lambda self: self.state.stage == SUMMARY)
    @rule(text=st.sampled_from(["yes", "send", "oui", "/affirm", "ok"]))
    def send_the_report(self, text):
        self.send(text)
        assert self.turn.effect == CLOSE and self.references, self.turn

    @invariant()
    def language_is_supported(self):
        assert self.state.lang in language.SUPPORTED


Conversation.TestCase.settings = settings(max_examples=CONVERSATIONS, stateful_step_count=40, deadline=None,
                                          suppress_health_check=list(HealthCheck), derandomize=True,
                                          # a failing conversation is printed whole; shrinking it can take minutes
                                          phases=[Phase.explicit, Phase.reuse, Phase.generate])
TestRandomConversations = Conversation.TestCase


@given(st.text(max_size=300), st.sampled_from([None, "greet", "stop", "pause", "emergency", "nlu_fallback"]))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_any_first_message_gets_a_proper_answer(text, intent):
    from bot.dialogue.engine import Message

    turn = ENGINE.turn(State(), Message(text=text, intent=intent, confidence=0.9 if intent else 0.0))
    assert turn.replies and all(r.text.strip() for r in turn.replies)

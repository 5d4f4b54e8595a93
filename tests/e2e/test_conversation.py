"""End to end: the real Rasa server and action server, a conversation over the REST channel, the
report opened with the reviewer's key, and no plaintext of it on disk."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
import secrets
import threading
import urllib.error
import urllib.request

import pytest

from bot import launcher
from bot.reports import review, reviewer_keys
from bot.reports.store import REFERENCE_IN_TEXT, ReportStore
from tests.e2e import rest_chat
from tests.e2e.conftest import ONE_CLIENT_MANY_PEOPLE, free_port, prepared
from tests.e2e.rest_chat import choice

pytestmark = pytest.mark.e2e



# Every canary typed and every raw sender id used in this module: none may be readable at rest.
CANARIES: list[str] = []
SENDERS: list[str] = []
SUBMITTED: list[str] = []  # canaries of reports that were sent: the reviewer must find each


def new_canary() -> str:
    # Letters only: hex digits inside answers were read as numbers ("hier soir CANARY9f8e7d…1" is
    # today to Duckling), making the date assertions depend on the draw.
    canary = "CANARY" + "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(12))
    CANARIES.append(canary)
    return canary


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    root = tmp_path_factory.mktemp("assistant")
    data_dir, tmp_dir = root / "var", root / "tmp"
    tmp_dir.mkdir()
    settings = prepared(data_dir)
    # The servers' temporary files go where this test can search them.
    # Urgent reports are announced on a webhook of the reviewers on duty (a stand-in here).
    from tests.unit.test_alerts import Hook

    hook = Hook()
    env = {"BOT_DATA_DIR": str(data_dir), "BOT_TRIAL_MODE": "1", **ONE_CLIENT_MANY_PEOPLE, "TMPDIR": str(tmp_dir),
           "BOT_ALERT_WEBHOOK_URL": hook.url, "BOT_ALERT_WEBHOOK_SECRET": "duty-secret"}
    with launcher.running(free_port(), free_port(), log_dir=data_dir / "log", extra_env=env) as servers:
        servers.tmp_dir = tmp_dir
        servers.alerts = hook
        yield servers, settings
    hook.server.shutdown()


class Chat(rest_chat.Chat):
    def __init__(self, url: str):
        super().__init__(url)
        SENDERS.append(self.sender)


def open_reports(settings):
    key = reviewer_keys.read_private(settings.trial_key_dir / "trial-reviewer.key.json",
                                     reviewer_keys.TRIAL_PASSPHRASE)
    return [r for r in review.opened(ReportStore(settings.database_url), key) if not isinstance(r, tuple)]


def report_with(settings, canary):
    """The one stored report that contains ``canary``, opened with the reviewer key."""
    [opened] = [r for r in open_reports(settings) if canary in json.dumps(r.report)]
    return opened


WORDS = {
    "en": {"open": "I need to report something I saw at the checkpoint", "yes": "yes",
           "summary": "Nothing has been sent yet", "sent": "Your reference code is", "question_date": "When did it happen",
           "consent": "Do you agree"},
    "fr": {"open": "je dois signaler quelque chose que j'ai vu au checkpoint", "yes": "oui",
           "summary": "Rien n'a encore été envoyé", "sent": "code de référence", "question_date": "Quand",
           "consent": "Acceptez"},
}


def full_report(chat: Chat, lang: str, canary: str) -> tuple[list[dict], dict[str, str]]:
    w = WORDS[lang]
    answers = {
        "narrative": f"three young women were locked in a van behind the bar {canary}0",
        "incident_date": f"yesterday {canary}1",
        "place": f"Kyiv near the station {canary}2",
        "victims_count": f"3 {canary}3",
        "victims_nationality": f"Ukrainian {canary}4",
        "perpetrators": f"a tall man with a scar {canary}5",
        "actions_taken": f"I told my commander {canary}6",
        "contact_details": f"{canary}7@example.org",
    } if lang == "en" else {
        "narrative": f"trois jeunes femmes étaient enfermées dans une camionnette derrière le bar {canary}0",
        "incident_date": f"hier soir {canary}1",
        "place": f"Kyiv près de la gare {canary}2",
        "victims_count": f"3 {canary}3",
        "victims_nationality": f"ukrainiennes {canary}4",
        "perpetrators": f"un grand homme avec une cicatrice {canary}5",
        "actions_taken": f"j'ai prévenu mon commandant {canary}6",
        "contact_details": f"{canary}7@example.org",
    }
    first = chat.say(w["open"])
    assert "/change_language{\"language\":\"fr\"}" in chat.buttons(first)  # languages offered at the start
    if lang == "fr":
        chat.say('/change_language{"language":"fr"}')
    assert w["consent"] in chat.text(chat.say(choice("no")))  # not in danger -> privacy notice, consent
    chat.say(choice("yes"))
    chat.say(choice("observed"))
    assert w["question_date"] in chat.text(chat.say(answers["narrative"]))
    chat.say(answers["incident_date"])
    chat.say(answers["place"])
    chat.say(choice("Exploitation"))
    chat.say(choice("ForcedLabour"))
    chat.say(choice("WithholdsDocuments"))
    chat.say(answers["victims_count"])
    chat.say(choice("yes"))
    chat.say(choice("Feminine"))
    chat.say(answers["victims_nationality"])
    chat.say(answers["perpetrators"])
    chat.say(choice("yes"))
    chat.say(answers["actions_taken"])
    chat.say(choice("contact"))
    summary = chat.say(answers["contact_details"])
    return summary, answers


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_full_report_is_sealed_and_opens_with_every_field(assistant, lang):
    servers, settings = assistant
    chat, canary = Chat(servers.url), new_canary()
    summary, answers = full_report(chat, lang, canary)
    assert WORDS[lang]["summary"] in chat.text(summary)
    for value in answers.values():
        assert value in chat.text(summary)  # everything is read back before sending
    sent = chat.say(WORDS[lang]["yes"])
    assert WORDS[lang]["sent"] in chat.text(sent)
    SUBMITTED.append(canary)
    opened = report_with(settings, canary)
    assert opened.reference in chat.text(sent)
    report = opened.report
    assert report["language"] == lang and report["kind"] == "incident_report" and report["urgent"] is True
    for slot, value in answers.items():
        assert report["answers"][slot] == value, slot
    # Urgent: the reviewers on duty hear of it at once, by reference only, once
    import time as _time

    for _ in range(100):
        alerts = [json.loads(body) for body, _ in servers.alerts.received]
        if any(a["reference"] == opened.reference for a in alerts):
            break
        _time.sleep(0.2)
    assert [a for a in alerts if a["reference"] == opened.reference] == [{"reference": opened.reference, "urgent": True}]
    assert not any(canary in body.decode() for body, _ in servers.alerts.received)
    exported = opened.htcds()
    assert exported["hte_Description"] == answers["narrative"]
    assert exported["hte_Type"] == "Exploitation"
    assert exported["vic_TypeOfExploitation"] == ["ForcedLabour"]
    assert exported["vic_MethodsOfControl"] == ["WithholdsDocuments"]
    assert exported["prs_Gender"] == ["Feminine"]
    assert exported["prs_Citizenship"] == ["UA"] and "prs_Nationality" not in exported
    # What a case system imports: linked records, in the standard's names and values only
    from bot.reports import htcds
    from tests.unit.test_htcds_records import check_records

    tables = htcds.records(report, opened.reference, opened.received_on)
    check_records(tables)
    assert tables["events"][0]["hte_Description"] == answers["narrative"]
    assert tables["persons"][0]["prs_Gender"] == "Feminine" and tables["persons"][0]["prs_Citizenship"] == ["UA"]
    # The conversation as the reviewer reads it: buttons pressed shown by their labels, not commands
    person_lines = [line for line in report["transcript"] if line["from"] == "person"]
    assert any(line.get("pressed") for line in person_lines)
    # Every message, in order, from the first to the confirmation (which only its own turn carried:
    # the rest is read back from the sealed conversation, bot/channels/action_calls.py)
    assert len(person_lines) == len(chat.said), ([l["text"] for l in person_lines], chat.said)
    typed = [(line["text"], said) for line, said in zip(person_lines, chat.said) if not line.get("pressed")]
    assert all(text == said for text, said in typed), typed
    assert person_lines[-1]["text"] == WORDS[lang]["yes"] and report["transcript"][-1]["from"] == "person"
    assert not any(line["text"].startswith("/") for line in person_lines), [l["text"] for l in person_lines if l["text"].startswith("/")]
    yesterday = (datetime.now(timezone.utc).date() - timedelta(days=1)).isoformat()
    assert exported["hte_Date"] == yesterday  # read by Duckling through the real servers
    assert exported["x_VictimsCountNumber"] == 3
    assert exported["hte_Country"] == "UA" and exported["hte_City"] == "Kyiv"
    assert exported["con_Consent"] is True and exported["x_KnowledgeSource"] == "observed"
    assert exported["x_MinorsInvolved"] == "yes" and exported["x_ContactDetails"] == answers["contact_details"]
    assert any(canary in line["text"] for line in exported["x_Transcript"] if line["from"] == "person")



def test_a_double_clicked_confirmation_stores_one_report(assistant):
    servers, settings = assistant
    chat, canary = Chat(servers.url), new_canary()
    full_report(chat, "en", canary)
    results = []
    threads = [threading.Thread(target=lambda: results.append(chat.raw(json.dumps(
        {"sender": chat.sender, "message": "/affirm"}).encode()))) for _ in range(3)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert all(status == 200 for status, _ in results)
    assert sum(canary in json.dumps(r.report) for r in open_reports(settings)) == 1
    references = {ref for _, replies in results for ref in REFERENCE_IN_TEXT.findall(Chat.text(replies))}
    assert len(references) == 1  # every answer names the same, single report


def test_a_second_report_starts_empty_in_the_same_language(assistant):
    servers, _ = assistant
    chat = Chat(servers.url)
    full_report(chat, "fr", "second")
    chat.say("oui")
    again = chat.say("je voudrais faire un autre signalement s'il vous plaît")
    assert "danger" in chat.text(again)  # triage again, in French
    chat.say(choice("no"))
    chat.say(choice("yes"))
    asked = chat.say(choice("told"))
    assert "Avec vos mots" in chat.text(asked) or "vos propres mots" in chat.text(asked)  # narrative asked again


def consented_report(url: str) -> Chat:
    """A new English conversation that has reached the report's first question after consent."""
    chat = Chat(url)
    chat.say(WORDS["en"]["open"])
    chat.say(choice("no"))
    chat.say(choice("yes"))
    return chat


def test_stop_discards_and_a_new_start_asks_again(assistant):
    servers, _ = assistant
    chat = consented_report(servers.url)
    stopped = chat.say("stop")
    assert "deleted everything" in chat.text(stopped)
    chat.say("hello")
    chat.say(choice("no"))
    assert "Do you agree" in chat.text(chat.say(choice("report")))  # consent asked anew


def test_survivor_gets_the_matching_service_without_telling_a_story(assistant):
    servers, _ = assistant
    chat = Chat(servers.url)
    asked = chat.says("I need help, my boss took my passport", choice("no"), choice("shelter"))
    assert "Who is the help for" in chat.text(asked)
    chat.say(choice("woman"))
    services = chat.say("I am in Kyiv")
    text = chat.text(services)
    assert "Example Shelter Kyiv" in text and "Example or unverified entry" in text and "Why: in Kyiv" in text
    titles = [b["title"] for r in services for b in r.get("buttons") or []]
    assert {"Show more", "A different need or place", "That's all for now"} <= set(titles)
    more = chat.text(chat.say(choice("more")))
    assert "Example Shelter Kyiv" not in more and ("Example" in more or "hotline" in more.lower())
    assert "Take care" in chat.text(chat.say(choice("done")))


def test_a_shared_location_finds_the_nearest_service(assistant):
    servers, _ = assistant
    chat = Chat(servers.url)
    chat.says("I need help, my boss took my passport", choice("no"), choice("legal"), "skip")
    status, replies = chat.raw(json.dumps({"sender": chat.sender, "message": "/inform",
                                           "metadata": {"location": {"latitude": 49.842, "longitude": 24.031}}}).encode())
    assert status == 200
    text = Chat.text(replies)
    assert "Example Legal Aid Lviv" in text and "km from you" in text


def test_survivor_can_ask_to_be_contacted_without_telling_what_happened(assistant):
    servers, settings = assistant
    chat, canary = Chat(servers.url), new_canary()
    asked = chat.says("I need help, my boss took my passport", choice("no"), "skip", "skip", "I am in Chisinau",
                      choice("report"), choice("yes"), "skip")  # telling what happened is optional here
    assert "may someone reach you" in chat.text(asked)
    summary = chat.say(f"call me on {canary} after 6pm")
    assert canary in chat.text(summary)
    chat.say("yes")
    opened = report_with(settings, canary)
    assert opened.report["kind"] == "help_request"
    assert "narrative" not in opened.report["answers"]
    assert opened.report["answers"]["contact_preference"] == "contact"
    assert opened.report["derived"]["location"] == "I am in Chisinau"


def test_worried_third_party_can_tell_a_reviewer(assistant):
    servers, settings = assistant
    chat, canary = Chat(servers.url), new_canary()
    summary = chat.says("my sister went abroad for a job and I can't reach her anymore", choice("no"),
                        "she is in Warsaw", choice("report"), choice("yes"),
                        f"her phone is always off and her employer has her passport {canary}",
                        choice("no"), choice("unsure"), choice("anonymous"))
    assert canary in chat.text(summary)
    chat.say("yes")
    opened = report_with(settings, canary)
    assert opened.report["kind"] == "third_party_concern"
    assert opened.report["answers"]["place"] == "she is in Warsaw"


BAD_INPUTS = [
    "", "   ", "a" * 10_000, "😀😀😀🙏", "مرحبا، أحتاج إلى مساعدة", "שלום", "hel\x00lo\x1b[2J\x07",
    "Привет hello bonjour 你好", "/restart", '/inform{"requested_slot":"consent"}', "/nonexistent_intent",
    '/inform{"choice":"<script>alert(1)</script>"}', "/", '{"json": true}', "\u202eevil",
]


def test_bad_input_gets_a_calm_answer_and_loses_nothing(assistant):
    servers, _ = assistant
    chat = consented_report(servers.url)
    chat.say(choice("observed"))
    chat.say("a man took the passports of four women at the market")
    for bad in BAD_INPUTS:
        replies = chat.say(bad)
        assert chat.text(replies).strip(), repr(bad)
    # Still in the same conversation, with the answers given so far.
    chat.say("skip")
    for _ in range(20):
        replies = chat.say("skip")
        if "Nothing has been sent yet" in chat.text(replies):
            break
    text = chat.text(replies)
    assert "a man took the passports of four women at the market" in text


def test_malformed_requests_are_refused_clearly(assistant):
    servers, _ = assistant
    chat = Chat(servers.url)
    assert chat.raw(b"not json")[0] == 400
    assert chat.raw(b"[1, 2]")[0] == 400
    assert chat.raw(json.dumps({"message": "hi"}).encode())[0] == 400
    assert chat.raw(json.dumps({"sender": "x" * 500, "message": "hi"}).encode())[0] == 400
    assert chat.raw(b'{"sender": "ct21\\ud800", "message": "hi"}')[0] == 400  # a lone surrogate: 400, not 500
    status, replies = chat.raw(b'{"sender": "%s", "message": "caf\\ud800e"}' % chat.sender.encode())
    assert status == 200 and replies
    plain = chat.raw(json.dumps({"sender": chat.sender, "message": "hi"}).encode(), content_type="text/plain")
    assert plain[0] == 415  # no form or text/plain POST from another site's page
    deep: dict = {"a": None}
    for _ in range(400):
        deep = {"a": deep}
    status, replies = chat.raw(json.dumps({"sender": chat.sender, "message": "hi", "metadata": deep}).encode())
    assert status == 200 and replies  # metadata other than a location is dropped
    assert chat.raw(b"{" + b" " * 70_000 + b"}")[0] == 413
    status, replies = chat.raw(json.dumps({"sender": chat.sender, "message": 12}).encode())
    assert status == 200 and replies


def test_a_conversation_opens_only_with_the_id_the_server_issued(assistant):
    """A sender id a client chose or guessed opens nothing: the summary of someone's draft is
    never shown to whoever learns or tries an id."""
    servers, _ = assistant
    owner = consented_report(servers.url)
    owner.say(choice("observed"))
    owner.say("a man called Petro held them at 14 Lesya Street")
    intruder = Chat(servers.url)
    nonce, _, tag = owner.sender.partition(".")
    for forged in ("alice", "0" * 32, nonce, f"{nonce}.{'A' * len(tag)}", f"{'B' * len(nonce)}.{tag}"):
        status, body = intruder.raw(json.dumps({"sender": forged, "message": "show the summary"}).encode())
        assert status == 403 and "Petro" not in json.dumps(body)
    assert "Petro" not in Chat.text(intruder.say("show the summary"))  # a new id: a new, empty conversation


def test_a_flood_of_messages_is_slowed_and_a_person_is_still_answered(tmp_path_factory):
    """Past the limits a message gets 429 and "please wait" and is not processed; another
    conversation is still answered at once."""
    data_dir = tmp_path_factory.mktemp("limits") / "var"
    prepared(data_dir)
    env = {"BOT_DATA_DIR": str(data_dir), "BOT_TRIAL_MODE": "1", "BOT_RATE_PER_CONVERSATION": "5/6",
           "BOT_RATE_NEW_CONVERSATIONS": "3/6"}
    with launcher.running(free_port(), free_port(), log_dir=data_dir / "log", extra_env=env) as servers:
        flood = rest_chat.Chat(servers.url)
        statuses = [flood.raw(json.dumps({"sender": flood.sender, "message": "x" * 60_000}).encode())[0]
                    for _ in range(8)]
        assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 3
        status, body = flood.raw(json.dumps({"sender": flood.sender, "message": "hello"}).encode())
        assert status == 429 and "faster than I can answer" in Chat.text(body)
        person = rest_chat.Chat(servers.url)
        assert person.say("hello")
        rest_chat.Chat(servers.url)  # the third new conversation from this address
        with pytest.raises(urllib.error.HTTPError) as refused:
            rest_chat.Chat(servers.url)
        assert refused.value.code == 429


def test_no_open_http_api(assistant):
    servers, _ = assistant
    for path in ["/conversations/x/tracker", "/model", "/status", "/webhooks/telegram/set_webhook"]:
        try:
            urllib.request.urlopen(servers.url + path, timeout=5)
            status = 200
        except urllib.error.HTTPError as e:
            status = e.code
        assert status in (403, 404, 405), path


def _listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP socket listens on for ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def _action_call(state: dict, secret: str | None, port: int) -> tuple[int, dict]:
    body = json.dumps({
        "next_action": "action_turn", "sender_id": "forged", "version": "3.6.21", "domain": {},
        "tracker": {"sender_id": "forged", "slots": {"dialogue": state}, "events": [],
                    "latest_message": {"text": "yes", "intent": {"name": "affirm", "confidence": 1.0},
                                       "entities": []},
                    "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen"},
    }).encode()
    headers = {"Content-Type": "application/json", **({"X-Action-Secret": secret} if secret is not None else {})}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhook", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def test_the_action_server_answers_only_the_rasa_server_and_seals_only_consented_reports(assistant):
    """Anything that could reach the action server could seal a made-up report: it listens on
    loopback only, refuses calls without the Rasa server's secret, and refuses at submission a
    report without consent or with answers of the wrong type."""
    servers, settings = assistant
    assert _listening_addresses(servers.actions_port) <= {"0100007F", "00000000000000000000000001000000"}
    before = ReportStore(settings.database_url).count()
    forged = {"stage": "summary", "phase": "report", "path": "report", "draft_id": "forged-draft",
              "greeted": True, "answers": {"consent": "no", "narrative": 12345, "victims_gender": ["Feminine"]}}
    for secret in (None, "", "guess"):
        status, _ = _action_call(forged, secret, servers.actions_port)
        assert status == 401
    status, body = _action_call(forged, servers.env["BOT_ACTION_SECRET"], servers.actions_port)
    assert status == 200 and "could not send" in json.dumps(body)  # refused, and said so
    typed = {**forged, "draft_id": "forged-2", "answers": {"consent": "yes", "narrative": 12345}}
    status, body = _action_call(typed, servers.env["BOT_ACTION_SECRET"], servers.actions_port)
    assert status == 200 and "could not send" in json.dumps(body)
    assert ReportStore(settings.database_url).count() == before
    Chat(servers.url).say("hello")  # and the Rasa server, which has the secret, is still answered


def test_a_state_store_failure_is_a_failed_message_and_nothing_is_lost(assistant):
    """Rasa's fail-safe wrapper kept the conversation in memory, in plaintext, when saving
    failed, and greeted the person as new when reading failed. Now the message is refused with
    503 "send it again", and once the store is back the conversation goes on with every answer."""
    import sqlite3

    servers, settings = assistant
    chat = consented_report(servers.url)
    chat.say(choice("observed"))
    asked = chat.text(chat.say("a man took the passports of three women at the bus station"))
    database = settings.database_url[len("sqlite:///"):]
    with sqlite3.connect(database) as connection:
        connection.execute("ALTER TABLE conversation_states RENAME TO conversation_states_away")
    try:
        status, replies = chat.raw(json.dumps({"sender": chat.sender, "message": "last Tuesday"}).encode())
        assert status == 503 and "send your last message again" in Chat.text(replies)
    finally:
        with sqlite3.connect(database) as connection:
            connection.execute("ALTER TABLE conversation_states_away RENAME TO conversation_states")
    again = chat.text(chat.say("last Tuesday"))
    assert "not a person" not in again and again != asked  # not greeted as new: the next question
    log = (settings.data_dir / "log" / "rasa.log").read_text()
    assert "InMemoryTrackerStore" not in log


def test_paused_answers_wait_encrypted_and_continue(assistant):
    servers, _ = assistant
    chat, canary = consented_report(servers.url), new_canary()
    chat.say(choice("observed"))
    chat.say(f"a woman told me her boss keeps her passport {canary}")
    paused = chat.say("pause")
    assert "24 hours" in chat.text(paused)
    assert "Welcome back" in chat.text(chat.say("continue"))
    chat.say("pause")  # left paused: it stays encrypted until it expires


def test_a_failed_submission_keeps_the_answers_and_a_retry_stores_one(assistant):
    servers, settings = assistant
    chat, canary = Chat(servers.url), new_canary()
    full_report(chat, "en", canary)
    public = settings.trial_key_dir / "trial-reviewer.pub.json"
    hidden = public.with_suffix(".hidden")
    public.rename(hidden)  # no reviewer key: sealing must fail
    try:
        failed = chat.say("yes")
        assert "could not send" in chat.text(failed)
    finally:
        hidden.rename(public)
    sent = chat.say("yes")
    assert "Your reference code is" in chat.text(sent)
    SUBMITTED.append(canary)
    assert sum(canary in json.dumps(r.report) for r in open_reports(settings)) == 1


def test_exit_leaves_nothing_and_the_next_person_meets_a_new_conversation(assistant):
    servers, _ = assistant
    chat, canary = consented_report(servers.url), new_canary()
    chat.says('/change_language{"language":"fr"}', choice("observed"), f"un homme a pris les passeports {canary}")
    left = chat.say("/exit_chat")
    assert "effacé" in chat.text(left) or "supprimé" in chat.text(left)
    again = chat.say("hello")
    assert "not a person" in chat.text(again)  # the full welcome, in English: nothing was kept
    assert '/change_language{"language":"fr"}' in chat.buttons(again)


def test_stopped_answers_are_forgotten(assistant):
    servers, _ = assistant
    chat, canary = consented_report(servers.url), new_canary()
    chat.say(choice("told"))
    chat.say(f"the driver collected everyone's phones {canary}")
    chat.say("stop")


# A report typed in each language the assistant speaks (issue 13): the first message picks the
# language, typed answers are read in it, and the reviewer's export has what was said.
REPORTS = {
    "uk": ("мені треба повідомити про те, що я бачив на блокпосту", "вчора", "Київ біля вокзалу", "троє", "українки",
           "три молоді жінки були замкнені в бусі за баром"),
    "ru": ("мне нужно сообщить о том, что я видел на блокпосту", "вчера", "Киев возле вокзала", "трое", "украинки",
           "три молодые женщины были заперты в микроавтобусе за баром"),
    "ar": ("بدي بلغ عن شي شفته عالحاجز", "امبارح", "كييف قرب المحطة", "٣", "أوكرانيات",
           "ثلاث بنات صغار كانوا مقفول عليهم بفان ورا البار"),
    "pl": ("muszę zgłosić coś, co widziałem na punkcie kontrolnym", "wczoraj", "Kijów koło dworca", "trzy", "Ukrainki",
           "trzy młode kobiety były zamknięte w busie za barem"),
    "ro": ("trebuie să raportez ceva ce am văzut la punctul de control", "ieri", "Kiev lângă gară", "trei", "ucrainene",
           "trei femei tinere erau închise într-o dubă în spatele barului"),
    "es": ("tengo que denunciar algo que vi en el puesto de control", "ayer", "Kiev cerca de la estación", "tres",
           "ucranianas", "tres mujeres jóvenes estaban encerradas en una furgoneta detrás del bar"),
}


@pytest.mark.parametrize("lang", sorted(REPORTS))
def test_a_report_typed_in_each_language_reaches_the_export(assistant, lang):
    from bot.dialogue import messages

    servers, settings = assistant
    chat, canary = Chat(servers.url), new_canary()
    opening, when, where, how_many, citizens, story = REPORTS[lang]
    first = chat.text(chat.say(opening))
    assert messages.text("welcome", lang).split("\n")[0][:30] in first  # opened in the person's language
    chat.say(choice("no"))
    chat.say(choice("yes"))
    chat.say(choice("observed"))
    chat.say(f"{story} {canary}")
    for said in (when, where):
        chat.say(said)
    chat.says(choice("Exploitation"), choice("ForcedLabour"), choice("WithholdsDocuments"))
    chat.say(how_many)
    chat.says(choice("no"), choice("Feminine"))
    replies = chat.say(citizens)
    for _ in range(8):  # the questions left: skipped, or "no" where skipping is not offered
        if "/affirm" in chat.buttons(replies):
            break
        offered = chat.buttons(replies)
        replies = chat.say(choice("anonymous") if choice("anonymous") in offered else
                           choice("no") if choice("no") in offered else "/skip")
    assert "/affirm" in chat.buttons(replies), chat.text(replies)  # the summary, asking to send
    summary = chat.text(replies)
    sent = chat.text(chat.say(messages.understanding(lang)["commands"]["send"][0]))
    SUBMITTED.append(canary)
    opened = report_with(settings, canary)
    assert opened.reference in sent, summary
    exported = opened.htcds()
    assert opened.report["language"] == lang
    yesterday = (datetime.now(timezone.utc).date() - timedelta(days=1)).isoformat()
    assert exported["hte_Date"] == yesterday
    assert exported["hte_Country"] == "UA" and exported["hte_City"] == "Kyiv"
    assert exported["x_VictimsCountNumber"] == 3
    assert exported["prs_Citizenship"] == ["UA"]
    from bot.reports import htcds
    from tests.unit.test_htcds_records import check_records

    tables = htcds.records(opened.report, opened.reference, opened.received_on)
    check_records(tables)
    assert tables["persons"][0]["x_GroupSize"] == 3 and tables["events"][0]["hte_City"] == "Kyiv"


def test_a_first_message_in_a_language_it_does_not_speak_gets_the_safe_answer_in_it(assistant):
    servers, _ = assistant
    chat = Chat(servers.url)
    replies = chat.say("Hallo, ich brauche Hilfe, mein Chef hat meinen Pass")
    text = chat.text(replies)
    assert "Sprache" in text and "112" in text and "Українська" in text and "Español" in text
    assert '/change_language{"language":"uk"}' in chat.buttons(replies)
    # The person picks a language: the conversation starts in it, nothing of the first message kept.
    started = chat.text(chat.say('/change_language{"language":"ro"}'))
    from bot.dialogue import messages

    assert messages.text("language_changed", "ro")[:20] in started


def test_coming_back_over_rest_reads_the_reviewers_reply_with_the_right_code_only(assistant):
    import re

    from bot.console.caseload import Caseload

    servers, settings = assistant
    chat, canary = Chat(servers.url), new_canary()
    full_report(chat, "en", canary)
    sent = chat.text(chat.say("yes"))
    SUBMITTED.append(canary)
    reference = REFERENCE_IN_TEXT.search(sent).group(0)
    code = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}", sent).group(0)
    key = reviewer_keys.read_private(settings.trial_key_dir / "trial-reviewer.key.json", reviewer_keys.TRIAL_PASSPHRASE)
    caseload = Caseload.for_settings(settings)
    items, _ = caseload.open_all(key)
    caseload.write(items[reference], key, "status", "alice", status="Active")
    caseload.write(items[reference], key, "reply", "alice", text="Thank you, a team is on its way.")

    def news(typed_code):
        visitor = Chat(servers.url)
        visitor.say(reference)
        visitor.say(typed_code)
        return visitor.text(visitor.say('/inform{"choice":"follow_news"}'))

    assert "a reviewer is working on it" in news(code) and "a team is on its way" in news(code.lower())
    wrong = news("-".join(["Z9Z9"] * 5))
    assert "received, waiting for a reviewer" in wrong and "team" not in wrong


def test_zy_nothing_readable_at_rest(assistant):
    """After every conversation above: no canary and no raw sender id in any file the servers
    wrote (database with its journal or WAL, conversation state, logs, temporary files), while the
    reviewer still finds every submitted report."""
    servers, settings = assistant
    assert len(CANARIES) >= 8 and SUBMITTED
    places = [settings.data_dir, servers.tmp_dir]
    files = [p for place in places for p in place.rglob("*") if p.is_file()]
    assert any(p.name == "assistant.db" for p in files) and any(p.suffix == ".log" for p in files)
    for path in files:
        content = path.read_bytes()
        for secret in CANARIES + SENDERS:
            assert secret.encode() not in content, f"{secret} readable in {path}"
    # Key material never reaches a log.
    stored = json.loads((settings.data_dir / "secrets.json").read_text())
    key_material = [stored["id_key"], *(item.split(":", 1)[1] for item in stored["state_keys"].split(","))]
    for log in [p for p in files if p.suffix == ".log"]:
        content = log.read_text(errors="replace")
        assert not any(k in content for k in key_material), f"key material in {log}"
    opened = json.dumps([r.report for r in open_reports(settings)])
    for canary in SUBMITTED:
        assert canary in opened


def test_zz_action_server_down_is_said_not_swallowed(assistant):
    """Runs last in this module: it stops the action server."""
    servers, _ = assistant
    chat = Chat(servers.url)
    chat.say("hello")
    actions = servers.processes[0]
    __import__("os").killpg(actions.pid, 15)
    actions.wait(timeout=30)
    status, replies = chat.raw(json.dumps({"sender": chat.sender, "message": "hello again"}).encode())
    assert status == 503
    assert "send your last message again" in Chat.text(replies)

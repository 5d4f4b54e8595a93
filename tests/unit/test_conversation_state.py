"""Conversation state at rest: encrypted, bound to its conversation, rotatable, forgotten."""
import asyncio
import base64
import json
import os
from datetime import datetime, timedelta

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, AllSlotsReset, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.state import server_keys
from bot.state.conversation_state import ConversationState, ConversationStates, StateError
from bot.state.pseudonyms import pseudonym
from bot.state.tracker_store import EncryptedTrackerStore, forget_closed

DOMAIN = Domain.load("domain.yml")


def keys(*ids):
    return server_keys.ServerSecrets(tuple((i, os.urandom(32)) for i in ids), os.urandom(32))


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'db.sqlite'}"


def test_state_is_encrypted_and_bound_to_its_conversation(url, tmp_path):
    states = ConversationStates(url, keys("s1"), keep_hours=24)
    states.put("conv-a", b"CANARY-state what the person said")
    assert states.get("conv-a") == b"CANARY-state what the person said"
    assert b"CANARY-state" not in (tmp_path / "db.sqlite").read_bytes()
    with Session(states.engine) as session, session.begin():  # move a's row to b
        row = session.get(ConversationState, "conv-a")
        session.add(ConversationState(conversation_key="conv-b", key_id=row.key_id, nonce=row.nonce,
                                      ciphertext=row.ciphertext, updated_at=row.updated_at))
    with pytest.raises(StateError):
        states.get("conv-b")


def test_rotation_keeps_live_conversations(url):
    old = keys("s1")
    ConversationStates(url, old, 24).put("c", b"live")
    rotated = server_keys.ServerSecrets((("s2", os.urandom(32)),) + old.state_keys, old.id_key)
    states = ConversationStates(url, rotated, 24)
    assert states.get("c") == b"live"
    with Session(states.engine) as session:
        before = session.get(ConversationState, "c").updated_at
    assert states.reseal_all() == 1
    with Session(states.engine) as session:
        row = session.get(ConversationState, "c")
        assert row.key_id == "s2" and row.updated_at == before
    with pytest.raises(StateError):  # a key that is dropped too early is reported, not guessed
        ConversationStates(url, keys("s9"), 24).get("c")


def test_expired_state_is_deleted(url):
    states = ConversationStates(url, keys("s1"), keep_hours=24)
    states.put("old", b"x")
    states.put("new", b"y")
    with Session(states.engine) as session, session.begin():
        session.execute(update(ConversationState).where(ConversationState.conversation_key == "old")
                        .values(updated_at=datetime.utcnow() - timedelta(hours=25)))
    assert states.purge_expired() == 1
    assert states.keys() == ["new"]


def _tracker(events):
    return DialogueStateTracker.from_events("conv", events, DOMAIN.slots)


def test_a_closed_conversation_keeps_nothing_said_before():
    events = [ActionExecuted("action_listen"), UserUttered("CANARY narrative"), BotUttered("summary CANARY"),
              SlotSet("narrative", "CANARY narrative"), SlotSet("language", "fr"), UserUttered("stop"),
              SlotSet("narrative", None), SlotSet("conversation_closed", True), BotUttered("stopped"),
              ActionExecuted("action_listen")]
    kept = forget_closed(_tracker(events))
    assert "CANARY" not in json.dumps([e.as_dict() for e in kept])
    assert SlotSet("language", "fr") in kept and BotUttered("stopped") in kept


def test_exit_forgets_the_language_too():
    events = [UserUttered("bonjour"), SlotSet("language", "fr"), UserUttered("quitter"), AllSlotsReset(),
              ActionExecuted("action_listen")]
    kept = forget_closed(_tracker(events))
    assert not any(isinstance(e, (SlotSet, UserUttered, BotUttered)) for e in kept)


def test_open_conversations_are_kept_whole():
    events = [UserUttered("hello"), SlotSet("language", "en"), ActionExecuted("action_listen")]
    assert forget_closed(_tracker(events)) == events


def test_tracker_store_round_trip_and_refuses_an_event_broker(tmp_path, monkeypatch):
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "var"))
    server_keys.ensure_file(tmp_path / "var" / "secrets.json")
    store = EncryptedTrackerStore(domain=DOMAIN)
    tracker = _tracker([ActionExecuted("action_listen"), UserUttered("CANARY-rt hello"), SlotSet("language", "fr")])
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("conv"))
    assert again.get_slot("language") == "fr" and again.latest_message.text == "CANARY-rt hello"
    assert list(asyncio.run(store.keys())) == ["conv"]
    assert b"CANARY-rt" not in (tmp_path / "var" / "assistant.db").read_bytes()
    assert asyncio.run(store.retrieve("unknown")) is None
    with pytest.raises(ValueError):
        EncryptedTrackerStore(domain=DOMAIN, event_broker=object())


def test_pseudonyms_are_stable_keyed_and_not_the_id():
    key = os.urandom(32)
    a = pseudonym(key, "telegram", "123456789")
    assert a == pseudonym(key, "telegram", "123456789")
    assert a != pseudonym(os.urandom(32), "telegram", "123456789")
    assert a != pseudonym(key, "rest", "123456789")
    assert "123456789" not in a


def test_server_keys_from_environment_file_and_rotation(tmp_path):
    k = base64.b64encode(os.urandom(32)).decode()
    loaded = server_keys.load({"BOT_STATE_KEYS": f"s2:{k},s1:{k}", "BOT_ID_KEY": k})
    assert [i for i, _ in loaded.state_keys] == ["s2", "s1"]
    with pytest.raises(server_keys.SecretsError):
        server_keys.load({"BOT_STATE_KEYS": "nocolon", "BOT_ID_KEY": k})
    with pytest.raises(server_keys.SecretsError):
        server_keys.load({"BOT_DATA_DIR": str(tmp_path / "none")})
    path = tmp_path / "secrets.json"
    assert server_keys.ensure_file(path) and oct(path.stat().st_mode & 0o777) == "0o600"
    assert server_keys.rotate_file(path) == "s2"
    rotated = server_keys.load({"BOT_SECRETS_FILE": str(path)})
    assert [i for i, _ in rotated.state_keys] == ["s2", "s1"]


def test_startup_check_refuses_a_missing_or_plaintext_tracker_store(tmp_path, monkeypatch):
    from bot.state import tracker_store

    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "var"))
    server_keys.ensure_file(tmp_path / "var" / "secrets.json")
    assert tracker_store.check("endpoints.yml") == "bot.state.tracker_store.EncryptedTrackerStore"
    for store_type in ["bot.state.tracker_store.Missing", "rasa.core.tracker_store.InMemoryTrackerStore"]:
        endpoints = tmp_path / "endpoints.yml"
        endpoints.write_text(f"tracker_store:\n  type: {store_type}\n")
        with pytest.raises(Exception):
            tracker_store.check(str(endpoints))
    (tmp_path / "none.yml").write_text("action_endpoint:\n  url: x\n")
    with pytest.raises(RuntimeError):
        tracker_store.check(str(tmp_path / "none.yml"))


def test_the_launcher_refuses_to_start_without_the_encrypted_store(tmp_path):
    from bot import launcher

    with pytest.raises(RuntimeError, match="refusing to start"):
        launcher._check_tracker_store({**os.environ, "BOT_DATA_DIR": str(tmp_path / "empty"),
                                       "BOT_SECRETS_FILE": str(tmp_path / "missing.json")})


def _store(tmp_path, monkeypatch):
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "var"))
    server_keys.ensure_file(tmp_path / "var" / "secrets.json")
    return EncryptedTrackerStore(domain=DOMAIN)


def _turn(n: int, text: str | None = None) -> list:
    return [UserUttered(text or f"answer number {n} with a few words in it"), ActionExecuted("action_turn"),
            BotUttered(f"question {n + 1}?", {"buttons": [{"title": f"Label {n}", "payload": f"/inform{n}"}]}),
            SlotSet("dialogue", {"step": n, "answers": {"last": n}}), SlotSet("language", "en"),
            ActionExecuted("action_listen")]


def _talk(store, turns: int, start: int = 0, sizes=None) -> None:
    """Each turn as Rasa does it: read the tracker back, add the turn, save."""
    for n in range(start, start + turns):
        tracker = asyncio.run(store.retrieve("conv")) or _tracker([ActionExecuted("action_listen")])
        for event in _turn(n):
            tracker.update(event)
        asyncio.run(store.save(tracker))
        if sizes is not None:
            sizes[n + 1] = (len(store.states.get("conv")), len(store.states.lines("conv")))


def _lines(store) -> int:
    from bot.state.conversation_state import ConversationLine
    with Session(store.states.engine) as session:
        return session.query(ConversationLine).count()


def test_what_is_read_and_sealed_per_message_stays_bounded_and_nothing_said_is_lost(tmp_path, monkeypatch):
    """Rasa reads the tracker back and seals it again at every message: the tracker keeps its last
    turns, and the earlier messages are sealed once each, in order, as the conversation's lines."""
    from bot.state.conversation_state import whole_conversation

    store, sizes = _store(tmp_path, monkeypatch), {}
    _talk(store, 120, sizes=sizes)
    again = asyncio.run(store.retrieve("conv"))
    assert again.get_slot("dialogue") == {"step": 119, "answers": {"last": 119}}  # the latest state, whole
    assert sum(1 for e in again.events if isinstance(e, UserUttered)) == 4
    # as long at 120 messages as at 30: what is read and sealed per message does not grow
    assert abs(sizes[120][0] - sizes[30][0]) < 64 and abs(sizes[60][0] - sizes[30][0]) < 64, sizes
    assert sizes[120][1] == 116  # one line per message that left the tracker
    whole = whole_conversation(store.states, "conv", [])
    said = [e["text"] for e in whole if e["event"] == "user"]
    assert said == [f"answer number {n} with a few words in it" for n in range(120)]  # each once, in order
    assert [e["text"] for e in whole if e["event"] == "bot"] == [f"question {n + 1}?" for n in range(120)]
    assert whole[0]["event"] == "user" and whole[1]["data"]["buttons"][0]["title"] == "Label 0"  # labels kept
    raw = (tmp_path / "var" / "assistant.db").read_bytes()
    assert b"answer number" not in raw and b"Label 7" not in raw  # sealed


def test_a_tracker_saved_twice_seals_its_earlier_messages_once(tmp_path, monkeypatch):
    store = _store(tmp_path, monkeypatch)
    _talk(store, 6)
    tracker = asyncio.run(store.retrieve("conv"))
    for event in _turn(6):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(tracker))  # Rasa may save the same tracker again
    for event in _turn(7):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    from bot.state.conversation_state import whole_conversation
    said = [e["text"] for e in whole_conversation(store.states, "conv", []) if e["event"] == "user"]
    assert said == [f"answer number {n} with a few words in it" for n in range(8)]


def test_the_lines_go_with_the_conversation_when_it_ends_exits_expires_or_starts_again(tmp_path, monkeypatch):
    from rasa.shared.core.events import SessionStarted

    store = _store(tmp_path, monkeypatch)
    _talk(store, 8)
    assert _lines(store) == 4
    tracker = asyncio.run(store.retrieve("conv"))
    for event in [UserUttered("stop"), SlotSet("conversation_closed", True), BotUttered("stopped"), ActionExecuted("action_listen")]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert _lines(store) == 0  # closed: nothing said before it is kept, here either

    _talk(store, 8)
    tracker = asyncio.run(store.retrieve("conv"))
    for event in [UserUttered("quit"), AllSlotsReset(), ActionExecuted("action_listen")]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert _lines(store) == 0  # exit

    _talk(store, 8)
    tracker = asyncio.run(store.retrieve("conv"))
    for event in [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert _lines(store) == 0  # a new session: the earlier one's messages are not given back

    _talk(store, 8)
    with Session(store.states.engine) as session, session.begin():
        session.execute(update(ConversationState).values(updated_at=datetime.utcnow() - timedelta(hours=1000)))
    assert store.states.get("conv") is None and _lines(store) == 0  # expired, read
    _talk(store, 8)
    with Session(store.states.engine) as session, session.begin():
        session.execute(update(ConversationState).values(updated_at=datetime.utcnow() - timedelta(hours=1000)))
    assert store.states.purge_expired() == 1 and _lines(store) == 0  # expired, purged
    _talk(store, 8)
    store.states.delete("conv")
    assert _lines(store) == 0


def test_lines_are_bound_to_their_place_and_resealed_with_the_state(tmp_path, monkeypatch):
    from bot.state.conversation_state import ConversationLine

    store = _store(tmp_path, monkeypatch)
    _talk(store, 7)
    before = store.states.lines("conv")
    with Session(store.states.engine) as session, session.begin():  # swap two batches
        first, second = session.query(ConversationLine).order_by(ConversationLine.seq).limit(2).all()
        first.ciphertext, second.ciphertext = second.ciphertext, first.ciphertext
        first.nonce, second.nonce = second.nonce, first.nonce
    with pytest.raises(StateError):
        store.states.lines("conv")
    with Session(store.states.engine) as session, session.begin():  # and back
        first, second = session.query(ConversationLine).order_by(ConversationLine.seq).limit(2).all()
        first.ciphertext, second.ciphertext = second.ciphertext, first.ciphertext
        first.nonce, second.nonce = second.nonce, first.nonce
    rotated = server_keys.ServerSecrets((("s9", os.urandom(32)),) + store.states.secrets.state_keys,
                                        store.states.secrets.id_key)
    store.states.secrets = rotated
    assert store.states.reseal_all() == 1
    store.states.secrets = server_keys.ServerSecrets(rotated.state_keys[:1], rotated.id_key)  # the old key gone
    assert store.states.lines("conv") == before and store.states.get("conv") is not None


def test_the_whole_conversation_is_what_is_stored_then_what_this_turn_added(tmp_path, monkeypatch):
    """At submit the action server is sent only this turn's events; the transcript is the sealed
    conversation's latest session, then this turn, each event once."""
    from bot.channels.action_calls import this_turn
    from bot.state.conversation_state import whole_conversation

    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "var"))
    server_keys.ensure_file(tmp_path / "var" / "secrets.json")
    store = EncryptedTrackerStore(domain=DOMAIN)
    from rasa.shared.core.events import SessionStarted
    earlier = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
               UserUttered("CANARY-old session"), ActionExecuted("action_listen"),
               ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    said = [UserUttered("first answer"), ActionExecuted("action_turn"), BotUttered("When?"), ActionExecuted("action_listen"),
            UserUttered("second answer"), ActionExecuted("action_turn"), BotUttered("Send it?"),
            ActionExecuted("action_listen")]
    asyncio.run(store.save(_tracker(earlier + said)))
    now = [UserUttered("yes"), ActionExecuted("action_turn")]
    tracker = _tracker(earlier + said + now)
    sent = [e.as_dict() for e in this_turn(tracker.events)]
    assert [e["event"] for e in sent] == ["user", "action"]
    sent = [said[-1].as_dict()] + sent  # an event also stored is counted once
    whole = whole_conversation(store.states, "conv", sent)
    assert [e["text"] for e in whole if e["event"] in ("user", "bot")] == [
        "first answer", "When?", "second answer", "Send it?", "yes"]  # not the earlier session
    assert whole_conversation(store.states, "nobody", sent) == sent  # nothing stored: this turn only


def test_retrieve_gives_the_latest_session_as_rasas_own_split_does(tmp_path, monkeypatch):
    from rasa.shared.core.events import SessionStarted
    from rasa.shared.core.trackers import get_trackers_for_conversation_sessions

    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "var"))
    server_keys.ensure_file(tmp_path / "var" / "secrets.json")
    store = EncryptedTrackerStore(domain=DOMAIN)
    session = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for sessions in (1, 2, 3):
        events = []
        for n in range(sessions):
            events += session + [UserUttered(f"said in session {n}"), ActionExecuted("action_turn"),
                                 SlotSet("language", ["en", "fr", "uk"][n]), BotUttered(f"answer {n}"),
                                 ActionExecuted("action_listen")]
        tracker = _tracker(events)
        asyncio.run(store.save(tracker))
        expected = get_trackers_for_conversation_sessions(tracker)[-1]
        got = asyncio.run(store.retrieve("conv"))
        assert [e.as_dict() for e in got.events] == [e.as_dict() for e in expected.events]
        assert got.current_slot_values() == expected.current_slot_values()
        assert got.latest_message.text == f"said in session {sessions - 1}"
        full = asyncio.run(store.retrieve_full_tracker("conv"))
        assert sum(isinstance(e, UserUttered) for e in full.events) == 1  # earlier sessions are not kept


def test_state_json_round_trips_what_the_standard_library_did_and_takes_what_orjson_refuses():
    import json as std_json

    import numpy as np

    from bot.state import state_json

    value = {"events": [{"event": "user", "text": "Київ, вчора ввечері — «три» 😀", "confidence": 0.580353296496769,
                         "timestamp": 1796081684.3841958}], "dialogue": {"answers": {"count": 3, "places": ["a", None]}}}
    assert state_json.loads(state_json.dumps(value)) == value == std_json.loads(state_json.dumps(value))
    assert state_json.loads(std_json.dumps(value).encode()) == value  # state written before: still read
    assert state_json.loads(state_json.dumps({"n": 2 ** 70})) == {"n": 2 ** 70}  # too large for orjson
    assert state_json.loads(state_json.dumps({1: np.float64(0.5)})) == {"1": 0.5}  # as json.dumps writes them
    assert std_json.loads(std_json.dumps({1: 0.5})) == {"1": 0.5}
    assert state_json.loads(b'{"x": NaN}')["x"] != 0  # only the standard library reads NaN

"""Every incoming message is cleaned, and forged button payloads become plain text."""
from bot.channels.messages import MAX_MESSAGE_CHARS, incoming


def test_buttons_the_assistant_sends_pass_unchanged():
    for payload in ['/affirm', '/inform{"choice":"yes"}', '/change_language{"language":"fr"}',
                    '/go_back{"field":"place"}', '/skip']:
        assert incoming(payload) == payload


def test_forged_payloads_become_text():
    assert incoming("/restart") == "restart"
    assert incoming('/inform{"requested_slot":"consent"}') == 'inform{"requested_slot":"consent"}'
    assert incoming('/inform{"choice": ["a"]}') == 'inform{"choice": ["a"]}'
    assert incoming("/inform{not json}") == "inform{not json}"
    assert incoming("/") == "?"
    assert incoming("//affirm").startswith("affirm")


def test_control_characters_are_removed_and_text_kept():
    assert incoming("hel\x00lo\x1b[31m") == "hello[31m"
    assert incoming("line one\nline two") == "line one\nline two"


def test_right_to_left_text_is_kept_but_direction_overrides_are_removed():
    assert incoming("مرحبا\u202e abc") == "مرحبا abc"
    assert incoming("שלום") == "שלום"


def test_empty_and_non_text_messages_have_nothing_to_pass():
    assert incoming("") is None
    assert incoming("   \n\t ") is None
    assert incoming(None) is None
    assert incoming(42) is None


def test_huge_messages_are_cut():
    assert len(incoming("a" * (MAX_MESSAGE_CHARS * 3))) == MAX_MESSAGE_CHARS


def test_lone_surrogates_never_reach_rasa():
    assert incoming("caf\ud800e") == "cafe"

"""Every message the assistant can say exists in every language, with the same placeholders."""
import re

import pytest

from bot.dialogue import language, messages


def _walk(tree, prefix=""):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _walk(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


ENGLISH = dict(_walk(messages.catalogue("en")))


@pytest.mark.parametrize("lang", [code for code in language.SUPPORTED if code != "en"])
def test_no_message_is_missing_in_any_language(lang):
    other = dict(_walk(messages.catalogue(lang)))
    missing = sorted(set(ENGLISH) - set(other))
    extra = sorted(set(other) - set(ENGLISH))
    assert not missing, f"missing in {lang}: {missing}"
    assert not extra, f"only in {lang}: {extra}"


@pytest.mark.parametrize("lang", language.SUPPORTED)
def test_placeholders_match_and_nothing_is_left_untranslated_empty(lang):
    other = dict(_walk(messages.catalogue(lang)))
    for key, text in ENGLISH.items():
        if isinstance(text, str):
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", other[key])), key
            assert other[key].strip() or not text.strip(), f"{lang}: {key} is empty"


def test_every_message_used_in_code_exists():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = "\n".join(p.read_text() for p in [*root.glob("bot/**/*.py"), *root.glob("actions/*.py")])
    used = set(re.findall(r'messages\.text\(\s*"(\w+)"', code)) | set(re.findall(r'message_key = "(\w+)"', code))
    assert used, "no message keys found: the pattern is stale"
    for key in used:
        assert f"messages.{key}" in ENGLISH, key


def test_french_is_really_french():
    assert messages.text("stopped", "fr") != messages.text("stopped", "en")
    assert messages.language_name("fr") == "Français"


def test_unknown_language_falls_back_to_english():
    assert messages.text("goodbye", "xx") == messages.text("goodbye", "en")


def test_the_answer_in_a_language_it_does_not_speak_is_complete_in_at_least_30_languages():
    """Issue 13: any other language gets, in that language, which languages the assistant speaks,
    the emergency number and a helpline that speaks it where the directory has one."""
    from pathlib import Path

    from bot.dialogue import other_languages
    from bot.referrals.matching import load

    referrals = load(Path(__file__).resolve().parents[2] / "data" / "referrals")
    assert len(other_languages.LANGUAGES) >= 30
    assert not set(other_languages.LANGUAGES) & set(language.SUPPORTED)
    for code in other_languages.LANGUAGES:
        text = other_languages.answer((code,), referrals)
        assert "112" in text and "Українська" in text and "العربية" in text, code
        assert "{" not in text, code
    albanian = other_languages.answer(("sq",), referrals)
    assert "Kosovo" in albanian and "+383" in albanian  # a helpline that speaks Albanian is named
    assert "Irak" in other_languages.answer(("de",), referrals)  # the other numbers, by country in German

from datetime import date
import pytest

from bot.config import Settings
from bot.referrals import matching as referrals
from bot.vocabulary import dates, places

TODAY = date(2026, 11, 29)


def test_relative_dates_in_both_languages():
    assert dates.parse("yesterday around 10pm", "en", TODAY) == "2026-11-28"
    assert dates.parse("last night", "en", TODAY) == "2026-11-28"
    assert dates.parse("hier soir vers 22h", "fr", TODAY) == "2026-11-28"
    assert dates.parse("la nuit dernière", "fr", TODAY) == "2026-11-28"
    assert dates.parse("il y a deux semaines", "fr", TODAY) == "2026-11-15"


def test_written_dates_are_day_first_and_never_in_the_future():
    assert dates.parse("3 May", "en", TODAY) == "2026-05-03"
    assert dates.parse("le 3 mai", "fr", TODAY) == "2026-05-03"
    assert dates.parse("12/10/2026", "en", TODAY) == "2026-10-12"
    assert dates.parse("25/12/2026", "en", TODAY) is None
    assert dates.parse("I am not sure", "en", TODAY) is None


def test_countries_in_english_and_french():
    assert places.country_in("near the station in Kyiv, Ukraine") == "UA"
    assert places.country_in("une ferme en Moldavie") == "MD"
    assert places.country_in("Prizren, Kosovo") == "XK"
    assert places.country_in("à la frontière avec la Pologne") == "PL"
    assert places.country_in("the farm") is None


def test_cities_from_the_directory_in_any_spelling():
    directory = referrals.load(Settings.from_env().referrals_dir)
    assert directory.locate("près de la gare de Kiev") == ("UA", "Kyiv")
    assert directory.locate("Varsovie") == ("PL", "Warsaw")
    assert directory.locate("somewhere") == (None, None)


def test_citizenship_stated_guessed_or_only_a_language():
    from bot.vocabulary import people

    assert people.citizenship_and_languages("they spoke Ukrainian")["languages"] == ["uk"]
    assert people.citizenship_and_languages("they spoke Ukrainian")["citizenship"] == []  # a language is no passport
    assert people.citizenship_and_languages("des femmes roumaines")["citizenship"] == ["RO"]
    assert people.citizenship_and_languages("from Moldova")["citizenship"] == ["MD"]
    assert people.citizenship_and_languages("كانوا سوريين")["citizenship"] == ["SY"]
    guess = people.citizenship_and_languages("not sure… a couple might have been syrian by the accent")
    assert guess["citizenship"] == [] and guess["citizenship_uncertain"] == ["SY"]
    assert people.citizenship_and_languages("I don't know") == {"citizenship": [], "citizenship_uncertain": [],
                                                                 "languages": []}


def test_a_long_or_hostile_date_answer_is_not_understood_and_never_raises():
    for text in ["1 " * 1000, "9" * 5000, "31/31/31 " * 100, "\x00" * 50, "\x00yesterday"]:
        assert dates.parse(text, "en") in (None, dates.parse("yesterday", "en"))
    # Fifty numbers made the date parser work for ever (its work doubles with each number): the
    # answer is read from its first numbers only, at once.
    assert dates.parse("12 " * 700, "en") == "2012-12-12"


def test_numeric_dates_as_ukrainian_russian_polish_and_romanian_write_them():
    """Issue 13's held-out answers: "12.03" and "15.01.2025" were read as a time and as a year."""
    from datetime import datetime, timezone

    from bot.vocabulary import dates

    now = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
    for lang in ("uk", "ru", "pl", "ro"):
        assert dates.understand("12.03", lang, now).date == "2026-03-12", lang
        assert dates.understand("15.01.2025", lang, now).date == "2025-01-15", lang
    assert dates.understand("15.01.2025 ввечері", "uk", now).date == "2025-01-15"
    assert dates.understand("вчора о 21:30", "uk", now).time == "21:30"  # a clock stays a clock
    assert dates.understand("12/03", "fr", now).date == "2026-03-12"


@pytest.mark.parametrize("text,lang", [("not right now", "en"), ("не зараз", "uk"), ("не сейчас", "ru"),
                                       ("pas maintenant", "fr"), ("nie teraz", "pl"), ("ahora no", "es"),
                                       ("nu acum", "ro"), ("ليس الآن", "ar")])
def test_not_now_declines_and_is_not_today(text, lang):
    """Found talking to it in Ukrainian: "не зараз" (not now) at "When did it happen?" put today's
    date on the report. Declining names no date; "right now" still does."""
    assert dates.understand(text, lang) is None
    assert dates.understand("right now", "en") is not None and dates.understand("зараз", "uk") is not None

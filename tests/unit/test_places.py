"""Places from the GeoNames gazetteer (issue 12): any town of the countries in scope by any common
name, misspelt or in another script; "did you mean …?" when unsure; a shared location gives the
nearest town; the reviewer's export carries town, region, country and coordinates."""
import pytest

from bot.dialogue.engine import State
from bot.reports import htcds, report
from bot.vocabulary import gazetteer
from tests.unit.dialogue_talk import DIRECTORY, Talk, choice


@pytest.mark.parametrize("said, name, country", [
    ("Kiev", "Kyiv", "UA"),
    ("Chisinau", "Chisinau", "MD"),
    ("Pristina", "Pristina", "XK"),
    ("brick kiln outside Kirkuk", "Kirkuk", "IQ"),
    ("Zakho", "Zaxo", "IQ"),
    ("Duhok", "Dihok", "IQ"),
    ("at the border crossing near Medyka", "Medyka", "PL"),
    ("a white van near Lviv", "Lviv", "UA"),  # "van" is a word here, not the Turkish city
    ("Varsovie", "Warsaw", "PL"),
    ("près de Kirkouk", "Kirkuk", "IQ"),
    ("Mossoul", "Mosul", "IQ"),
    ("معمل طابوق قرب كركوك", "Kirkuk", "IQ"),
    ("بالموصل", "Mosul", "IQ"),  # the preposition and the article joined to the name
    ("في أربيل", "Erbil", "IQ"),  # "في" is "in", not the Latvian town GeoNames also calls so
    ("Київ", "Kyiv", "UA"),
    ("Кишинёв", "Chisinau", "MD"),
    ("Ivano-Frankivsk", "Ivano-Frankivsk", "UA"),
])
def test_a_town_is_found_by_any_of_its_names(said, name, country):
    found = gazetteer.load().find(said)
    assert found and found.sure, said
    assert (found.place.name, found.place.country) == (name, country)
    assert found.place.latitude and found.place.longitude


def test_a_misspelling_or_a_shared_name_is_a_question_never_a_fact():
    g = gazetteer.load()
    guess = g.find("varsovi")
    assert (guess.place.name, guess.sure) == ("Warsaw", False)
    bar = g.find("Bar")  # Montenegro and Ukraine
    assert bar.sure is False
    assert g.find("Bar, Ukraine").place.country == "UA"
    assert g.find("Bar", near_country="UA").place.country == "UA"
    for nothing in ("i dont know", "near the river", "the market", "", "1234", "\x00" * 20, "a " * 5000):
        assert g.find(nothing) is None, nothing


def test_a_shared_location_gives_the_nearest_town():
    zakho = gazetteer.load().nearest(37.145, 42.684)
    assert (zakho.name, zakho.country) == ("Zaxo", "IQ")
    assert gazetteer.load().nearest(0.0, -30.0) is None  # the middle of the ocean: no town


def _at_place(lang="en"):
    talk = Talk(state=State(lang=lang))
    story = {"en": ("People forced to work at a farm, they could not leave.", "yesterday"),
             "ar": ("أشخاص يجبرون على العمل في مزرعة ولا يستطيعون المغادرة", "امبارح")}[lang]
    talk.says("/greet", choice("no"), choice("report"), choice("yes"), choice("observed"), *story)
    assert "Where did it happen" in talk.text or lang != "en"
    return talk


def test_did_you_mean_yes_keeps_the_town_no_keeps_the_words_and_nothing_loops():
    talk = _at_place()
    talk.say("varsovi")
    assert "Did you mean Warsaw" in talk.text and talk.payloads == ["/affirm", "/deny"]
    talk.say("yes")
    assert talk.answers["place"] == "varsovi" and gazetteer.by_id(talk.answers["place_place"]).name == "Warsaw"
    assert "recruited, moved" in talk.text  # on to the next question

    talk = _at_place()
    talk.says("varsovi", "/deny")
    assert talk.answers["place"] == "varsovi" and talk.answers["place_place"] is None
    assert "recruited, moved" in talk.text

    talk = _at_place()  # another answer instead of yes or no: read as the answer, no second guess
    talk.says("varsovi", "no, it was Kirkuk")
    assert gazetteer.by_id(talk.answers["place_place"]).name == "Kirkuk"
    talk = _at_place()
    talk.says("varsovi", "krakuv")
    assert talk.answers["place"] == "krakuv" and "recruited, moved" in talk.text


def test_the_place_reaches_the_summary_and_the_reviewers_export():
    talk = _at_place()
    talk.say("a brick kiln just outside Zakho")
    slots = {**talk.engine._slots(talk.state), "consent": "yes"}
    from bot.dialogue import summary
    assert summary.understood("place", slots, "en") == "Zakho, Dahuk, Iraq"
    built = report.build(slots, "en", [], DIRECTORY)
    record = htcds.export(built, "R-TEST-0001", "2026-11-30")
    assert (record["hte_City"], record["hte_Country"], record["x_Region"]) == ("Zaxo", "IQ", "Dahuk")
    assert round(record["hte_Latitude"], 1) == 37.1 and round(record["hte_Longitude"], 1) == 42.7
    assert record["x_PlaceAsTold"] == "a brick kiln just outside Zakho"


def test_a_shared_location_at_the_place_question_gives_the_town_not_the_exact_point():
    talk = _at_place()
    talk.say("", metadata={"location": {"latitude": 37.1456, "longitude": 42.6843}})
    slots = {**talk.engine._slots(talk.state), "consent": "yes"}
    record = htcds.export(report.build(slots, "en", [], DIRECTORY), "R-TEST-0001", "2026-11-30")
    assert record["hte_City"] == "Zaxo" and record["hte_Latitude"] != 37.1456


def test_a_place_id_a_forged_call_slips_in_is_ignored():
    built = report.build({"consent": "yes", "place": "somewhere", "place_place": "../etc/passwd", "path": "report",
                          "draft_id": "x"}, "en", [], DIRECTORY)
    assert "geonames_id" not in built["derived"]


def test_arabic_did_you_mean_is_in_arabic_and_kurdish_names_are_known():
    talk = _at_place("ar")
    talk.say("اربل")  # اربيل with a letter left out
    assert "هل تقصد" in talk.text and "العراق" in talk.text and talk.buttons == ["نعم", "لا"]
    talk.say("نعم")
    assert gazetteer.by_id(talk.answers["place_place"]).name == "Erbil"
    assert gazetteer.load().find("هولير").place.name == "Erbil"  # its Kurdish name
    assert gazetteer.load().find("برا تلعفر").place.name == "Tall ‘Afar"  # "outside" is not a German village

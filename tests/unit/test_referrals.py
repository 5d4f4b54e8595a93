"""Matching on hand-made cases: the right few services, with reasons, never an empty answer."""
from bot.config import Settings
from bot.dialogue.conversation import ask
from bot.referrals import matching as referrals

R = referrals.load(Settings.from_env().referrals_dir)


def names(matches):
    return [m.entry.name for m in matches]


def test_a_city_named_in_french_finds_its_services():
    country, city = R.locate("près de la gare de Kiev")
    assert (country, city) == ("UA", "Kyiv")
    found = R.match(country, city, needs=["shelter"], lang="fr")
    assert found[0].entry.name == "Example Shelter Kyiv"
    assert ("reason_city", (("city", "Kyiv"),)) in found[0].reasons


def test_shared_coordinates_find_the_nearest_service_with_its_distance():
    found = R.match(lat=49.842, lon=24.031, needs=["legal"], lang="en")  # central Lviv
    assert found[0].entry.name == "Example Legal Aid Lviv"
    assert found[0].distance_km < 5 and found[0].reasons[0][0] == "reason_distance"
    assert R.nearest_country(49.842, 24.031) == "UA"


def test_a_need_no_one_nearby_offers_falls_back_to_the_national_hotline():
    # Near Przemysl no service within 300 km protects children: the Polish national line comes.
    found = R.match(lat=49.78, lon=22.77, needs=["child_protection"], lang="en")
    [national] = [m for m in found if m.entry.national and m.entry.country == "PL"]
    assert national.reasons[0][0] == "reason_national"
    assert not found[0].entry.example  # the Polish line is still unverified: a verified one comes first


def test_a_language_no_nearby_service_speaks_still_gets_services_without_claiming_it():
    found = R.match("UA", "Kyiv", needs=["legal"], lang="fr")
    assert found and all(("reason_language", ()) not in m.reasons for m in found)
    moldova = R.match("MD", "Chisinau", needs=["legal"], lang="fr", limit=5)
    assert any(("reason_language", ()) in m.reasons for m in moldova if m.entry.city == "Chisinau")


def test_who_it_serves_filters_out_services_that_would_turn_a_person_away():
    women_only = "Example Shelter Kyiv"
    assert women_only not in names(R.match("UA", "Kyiv", needs=["shelter"], serves="men", lang="en"))
    assert women_only in names(R.match("UA", "Kyiv", needs=["shelter"], serves="women", lang="en"))


def test_unknown_place_gets_the_international_organisation():
    found = R.match(None, None, needs=["shelter"], lang="en")
    assert found and not found[0].entry.country and found[0].reasons[0][0] == "reason_international"


def test_show_more_pages_through_without_repeating():
    first = names(R.match("UA", None, lang="en", limit=3))
    second = names(R.match("UA", None, lang="en", limit=3, offset=3))
    assert first and second and not set(first) & set(second)


def test_conversation_country_buttons_shared_location_show_more_and_change():
    from .dialogue_talk import Talk, choice

    buttons = [b["payload"] for b in ask("location", {"path": "help"}, "en", R)[-1].buttons]
    assert '/inform{"choice":"MD"}' in buttons

    def at_location():
        talk = Talk()
        talk.say("hello", intent="greet")
        talk.says(choice("no"), choice("help"), "/skip", "/skip")
        assert talk.state.asking == "location"
        return talk

    picked = at_location()
    picked.say('/inform{"choice":"MD"}')
    assert picked.answers["location_country"] == "MD"
    shared = at_location()
    shared.say("/inform", metadata={"location": {"latitude": 47.01, "longitude": 28.86}})
    assert shared.answers["location_country"] == "MD" and shared.answers["location_lat"] == 47.01
    shared.say(choice("more"))
    assert shared.answers["services_offset"] == 3 and shared.state.asking == "next_step"
    shared.say(choice("change"))
    assert "location" not in shared.answers and shared.state.asking == "needs"


def test_danger_puts_the_emergency_numbers_first():
    text = "\n".join(r.text for r in ask("next_step", {"path": "help", "in_danger": "yes", "location_country": "XK"}, "en", R))
    assert text.index("192") < text.index("Example")


def test_a_region_named_in_free_text_is_recognised_and_preferred():
    assert R.locate("somewhere in Subcarpathian") == ("PL", None)
    assert R.region_in("somewhere in Subcarpathian") == ("Subcarpathian", "PL")
    found = R.match("PL", None, needs=["legal"], lang="en", region="Subcarpathian")
    assert found[0].entry.state == "Subcarpathian"
    text = ask("next_step", {"path": "help", "location": "in Subcarpathian", "location_country": "PL",
                             "needs": ["legal"]}, "en", R)[0].text
    assert "near Subcarpathian" in text


def test_outside_trial_mode_no_example_entry_is_ever_shown():
    """The shipped placeholders (invented numbers, `example: true`) ranked above the one real
    hotline in the list a survivor saw; outside trial mode they are never shown."""
    real = referrals.load(Settings.from_env().referrals_dir, include_examples=False)
    for country in real.emergency:
        for needs in (["shelter"], ["legal"], ["child_protection"], []):
            for found in (real.match(country, needs=needs, lang="en"), real.match(country, needs=needs, lang="en", offset=3)):
                assert not any(m.entry.example for m in found), (country, needs)
    found = real.match("MD", needs=["shelter"], lang="en")
    assert found and found[0].entry.name.startswith("La Strada Moldova")


def test_in_trial_mode_verified_entries_come_before_examples():
    found = R.match("MD", needs=["shelter"], lang="en", limit=5)
    flags = [m.entry.example for m in found]
    assert flags == sorted(flags) and flags[0] is False  # the real hotline first


def test_the_assistant_will_not_start_on_examples_alone_outside_trial_mode(tmp_path):
    import os

    import pytest

    from bot import launcher

    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path / "var"), "BOT_TRIAL_MODE": ""}
    with pytest.raises(RuntimeError, match="only example entries for BA, IQ, PL, RO, UA"):
        launcher._check_directory(env)
    launcher._check_directory({**env, "BOT_TRIAL_MODE": "1"})

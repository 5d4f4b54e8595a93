"""The services a person was shown reach the reviewer, and no service nobody saw does."""
from pathlib import Path

from bot.dialogue import conversation
from bot.referrals import matching

REFERRALS = matching.load(Path(__file__).resolve().parents[2] / "data" / "referrals")


def test_a_person_asked_where_they_are_was_shown_the_same_services():
    slots = {"needs": ["shelter", "documents"], "for_whom": "myself", "location": "Chisinau",
             "location_country": "MD", "location_city": "Chisinau"}
    shown = conversation.services_shown(slots, "en", REFERRALS)
    cards = conversation.services_list(slots, "en", REFERRALS)
    assert len(shown) == 3 and all(s["name"] in "\n".join(c.text for c in cards) for s in shown)
    more = conversation.services_shown({**slots, "services_offset": conversation.PAGE}, "en", REFERRALS)
    assert more[:3] == shown and len(more) > 3  # every page asked for


def test_a_reports_place_shows_no_services():
    # The place of a report sets the country (for the emergency number): nobody was shown services.
    slots = {"place": "Zakho bus station", "location_country": "IQ", "needs": None}
    assert conversation.services_shown(slots, "en", REFERRALS) == []
    assert conversation.services_shown({**slots, "location": "__skipped__"}, "en", REFERRALS) == []

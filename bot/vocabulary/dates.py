"""When something happened, from what a person typed ("yesterday", "la nuit dernière", "3 May")."""
from __future__ import annotations

import re
from datetime import date, datetime

import dateparser

from bot.vocabulary.text import fold

# Parts of the day that dateparser does not read: what they mean as a day.
PARTS_OF_DAY = {
    "en": {"last night": "yesterday", "yesterday evening": "yesterday", "yesterday night": "yesterday",
           "this morning": "today", "tonight": "today", "this evening": "today", "earlier today": "today"},
    "fr": {"la nuit derniere": "hier", "hier soir": "hier", "hier matin": "hier", "cette nuit": "aujourd'hui",
           "ce matin": "aujourd'hui", "ce soir": "aujourd'hui", "tout a l'heure": "aujourd'hui"},
}


# A date is said in a few words; the parser sees at most this much. dateparser recurses on long
# runs of numbers (2 000 characters of digits raised RecursionError and blocked the report).
MAX_DATE_CHARS = 120


def parse(text: str, lang: str, today: date | None = None) -> str | None:
    """ISO date (YYYY-MM-DD) of the event, or None when it cannot be told."""
    if not text:
        return None
    try:
        return _parse(fold(text)[:MAX_DATE_CHARS], lang, today)
    except (RecursionError, ValueError, OverflowError, TypeError):
        return None  # not understood; the person's own words are kept beside it


def _parse(folded: str, lang: str, today: date | None) -> str | None:
    for phrase, day in PARTS_OF_DAY.get(lang, {}).items():
        if phrase in folded:
            folded = day
            break
    folded = re.sub(r"\b(vers|around|about|at|a|environ)\s+\d{1,2}\s*(h|pm|am|:\d\d)?\S*", "", folded).strip()
    today = today or date.today()
    # Day first, as written across Europe; a date in the future is a misreading, not an answer.
    settings = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False, "DATE_ORDER": "DMY",
                "RELATIVE_BASE": datetime.combine(today, datetime.min.time())}
    found = dateparser.parse(folded, languages=[lang, "en"], settings=settings)
    if not found or found.date() > today:
        return None
    return found.date().isoformat()

"""Text as the assistant compares and keeps it: folded for matching, cleaned and bounded for storing."""
from __future__ import annotations

import re
import unicodedata

# The longest answer kept for one question. Longer text is cut here and the person is told;
# the limit protects the sealed report and the reviewer, not the person's right to say more.
MAX_ANSWER_CHARS = 4000


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: what keyword matching compares."""
    text = text.replace("\u2019", "'").replace("\u02bc", "'")  # phones type a curly apostrophe
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped).strip()


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text or ""))


def clean_text(text: str) -> str:
    """Drop control characters (keep newlines and tabs) and trim; cut at MAX_ANSWER_CHARS."""
    # Every control and format character goes (zero-width joiners, bidi isolates and overrides),
    # but the two marks that only set the direction of right-to-left text.
    kept = "".join(
        c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C" or c in "\u200f\u200e"
    )
    return kept.strip()[:MAX_ANSWER_CHARS]

"""A person coming back to a report they sent: its reference and follow-up code in what they type.

References are read as Crockford's base32 is (an O for a zero, an I or L for a one, any case,
with or without the dashes): "r-m7fq h1ns" is R-M7FQ-H1NS.
"""
from __future__ import annotations

import re

from bot.vocabulary.text import word_count

_ALPHABET = "0-9A-HJKMNP-TV-Z"
_LOOSE = "0-9A-Za-z"
REFERENCE = re.compile(rf"(?<![{_LOOSE}])[Rr]([-\s]?)([{_LOOSE}]{{4}})([-\s]?)([{_LOOSE}]{{4}})(?![{_LOOSE}])")
CODE = re.compile(rf"(?<![{_LOOSE}])((?:[{_LOOSE}]{{4}}[-\s]?){{4}}[{_LOOSE}]{{4}})(?![{_LOOSE}])")
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_VALID = re.compile(rf"^[{_ALPHABET}]{{4}}$")


def _read(part: str) -> str:
    return part.upper().translate(_READ_AS)


def reference_in(text: str) -> str | None:
    """The report reference in the text, as the store writes it, or None."""
    for match in REFERENCE.finditer(text or ""):
        first, second = _read(match.group(2)), _read(match.group(4))
        # Written apart ("R-M7FQ-H1NS", "r m7fq h1ns"), or with a digit: a nine-letter word that
        # starts with an R ("Romanians") is a word, not a reference.
        apart = bool(match.group(1) or match.group(3))
        if _VALID.match(first) and _VALID.match(second) and (apart or any(c.isdigit() for c in match.group(2) + match.group(4))):
            return f"R-{first}-{second}"
    return None


def code_in(text: str) -> str | None:
    """A follow-up code in the text (20 letters and digits, in groups or not), or None."""
    for match in CODE.finditer(text or ""):
        raw = re.sub(r"[-\s]", "", match.group(1))
        # Five four-letter words in a row are words ("have been told that they"): a code typed
        # with spaces needs a digit (a code without one is 1 in 1,700).
        if len(raw) == 20 and ("-" in match.group(1) or any(c.isdigit() for c in raw) or " " not in match.group(1)):
            return raw.upper()
    return None


def rest_of(text: str) -> str:
    """What the person wrote beside the reference and the code: information to add, when it is
    more than a greeting ("this is an update to R-M7FQ-H1NS, I remembered the plate: KA 1234")."""
    rest = CODE.sub(" ", REFERENCE.sub(" ", text or ""))
    rest = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(rest.split())).strip(" ,.:;-")
    return rest if word_count(rest) >= 4 else ""

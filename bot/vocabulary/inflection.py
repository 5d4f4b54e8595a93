"""Place names as Ukrainian, Russian, Polish and Romanian inflect them: "у Львові" (Lviv),
"в Бельцах" (Bălți), "w Pradze" (Prague), "z Mołdawii", "în Germaniei". A name is looked up as
written first; only a word not found so is compared by its stem, the name without its case ending,
with the sound changes the cases make (Ukrainian "Львів" / "Львові", Polish "Praga" / "Pradze").
Stems shorter than four letters are never compared: "Ода" is not "Одеса".
"""
from __future__ import annotations

import re

MIN_STEM = 4
# Case endings, folded (no accents), longest first.
_ENDINGS = tuple(sorted({
    # Ukrainian and Russian
    "ами", "ями", "ові", "еві", "єві", "ого", "ому", "ему", "ах", "ях", "ом", "ем", "ою", "ею", "ой", "ей", "ої",
    "ії", "ия", "ии", "ию", "а", "я", "і", "и", "ы", "у", "ю", "е", "є", "о", "ь",
    # Polish and Romanian
    "ach", "ami", "owi", "iei", "ului", "ul", "ei", "ii", "ie", "iu", "ia", "ja", "ji", "u", "y", "a", "e", "i",
}, key=len, reverse=True))
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def stems(word: str) -> list[str]:
    """The stems a word may have, as typed (folded): "львові" -> ["львов"]."""
    # Every ending the word may have, the longest stem first: "харкові" is "харков" (Харків)
    # before "харк" (Khārk, an Iranian island).
    out = [word[: -len(e)] for e in _ENDINGS if word.endswith(e) and len(word) - len(e) >= MIN_STEM]
    if len(word) >= MIN_STEM + 1:
        out.append(word)  # a name with no ending of its own ("Kraków" typed "krakow")
    return sorted(dict.fromkeys(out), key=len, reverse=True)


def name_stems(name: str) -> set[str]:
    """The stems a place's name takes in the cases: "львів" -> {"львів", "львов"}; "praga" ->
    {"prag", "pradz"}."""
    found = set(stems(name)) | {name}
    if _CYRILLIC.search(name) and re.search(r"[иі]в$", name):  # Львів / у Львові, Київ / у Києві
        found |= {name[:-2] + "ов", name[:-2] + "єв", name[:-2] + "ев"}
    for plain, changed in (("ga", "dz"), ("ka", "c"), ("ha", "z"), ("ra", "rz")):  # Praga / w Pradze
        if name.endswith(plain) and len(name) - 1 >= MIN_STEM:
            found.add(name[:-2] + changed)
    return {s for s in found if len(s) >= MIN_STEM}

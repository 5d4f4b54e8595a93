"""Languages by their names in the reader's language ("Ukrainian", "ukrainien"), never by codes:
"uk" reads as the United Kingdom. From pycountry's ISO 639 names and their translations, offline."""
from __future__ import annotations

import functools
import gettext

import pycountry


@functools.lru_cache(maxsize=512)
def language_name(code: str, lang: str) -> str:
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    if not found:
        return code
    name = found.name
    if lang != "en":
        name = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[lang], fallback=True).gettext(name)
        if lang == "fr":
            name = name[:1].lower() + name[1:]  # in running French text, language names take no capital
    return name

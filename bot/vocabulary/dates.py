"""When something happened, from what a person typed ("last Tuesday around 2300", "hier soir",
"امبارح الساعة 11", "3 May").

Read by Duckling, the engine behind Rasa's ``DucklingEntityExtractor``, in-process through the
``pyduckling-native-phihos`` wheel (NOTES.md): about 1 ms a call, in every supported language.
What Duckling leaves to us: a report is about the past, so a bare weekday or a day without a year
is the last one, not the next; "2300" is a time of day when a day was said; "around" and ranges
make the answer approximate. The person's own words are always kept beside what was understood.
"""
from __future__ import annotations

import functools
import re
import threading
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta, timezone

from bot.vocabulary.text import clean_text, fold

# A date is said in a few words; the parser sees at most this much.
MAX_DATE_CHARS = 160
MAX_NUMBERS = 8
# Duckling's language for each supported language; day-first locales where Duckling has them.
LOCALES = {"en": "EN_GB", "fr": "FR_FR", "ar": "AR_EG", "uk": "UK_UA", "ru": "RU_RU", "pl": "PL_PL",
           "ro": "RO_RO", "es": "ES_ES"}
ZONEINFO = "/usr/share/zoneinfo"
# Where "12.03" is a date (the 12th of March) and Duckling reads no numeric date at all.
DOTTED_DAY_MONTH = ("uk", "ru", "pl", "ro")
NO_NUMERIC_DATES = ("uk", "ru", "pl", "ro")

# Arabic-Indic and Persian digits as the ASCII ones Duckling's patterns read.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# What Duckling does not read, said another way it does (folded).
REPHRASE = {"اول امس": "قبل يومين", "اول امبارح": "قبل يومين", "اول مبارح": "قبل يومين", "اول البارحه": "قبل يومين", "اول البارحة": "قبل يومين",
            "قبل امس": "قبل يومين", "امبارح": "امس", "مبارح": "امس", "البارحه": "امس", "البارحة": "امس",
            "قبل كم يوم": "قبل 3 ايام", "من كم يوم": "قبل 3 ايام", "كم يوم": "قبل 3 ايام",
            "الليله اللي راحت": "امس بالليل", "الليلة اللي راحت": "امس بالليل", "الليله الي راحت": "امس بالليل",
            "الليلة الي راحت": "امس بالليل", "الليله الماضيه": "امس بالليل", "الليلة الماضية": "امس بالليل",
            "گبل": "قبل", "تيام": "ايام",  # Iraqi "گبل يومين", Levantine "خمس تيام"
            "اللي فات": "الماضي", "اللي راح": "الماضي", "الفايت": "الماضي", "الفات": "الماضي",
            "debut du mois dernier": "le mois dernier", "debut du mois passe": "le mois dernier",  # Duckling: this month's
            "la nuit derniere": "hier soir", "a matin": "ce matin", "hier a soir": "hier soir",  # Quebec
            "avan-hier": "avant-hier", "avanthier": "avant-hier",
            "كانون التاني": "كانون الثاني", "تشرين التاني": "تشرين الثاني", "تشرين التالت": "تشرين الثالث", "cette nuit": "aujourd'hui", "l'autre jour": "il y a 3 jours",
            "il y a quelques jours": "il y a 3 jours", "quelques jours": "il y a 3 jours",
            "the other day": "a few days ago", "the night before last": "two days ago", "the other night": "a few days ago",
            "l'autre nuit": "il y a 3 jours", "l'autre soir": "il y a 3 jours", "yday": "yesterday", "اللي طاف": "الماضي", "الي طاف": "الماضي", "الطايف": "الماضي", "came through": "came", "went through": "went"}

# Words that make a time approximate, in any supported language (folded).
APPROXIMATE = ("around", "about", "approximately", "roughly", "maybe", "perhaps", "sometime", "or so", "ish",
               "vers", "environ", "a peu pres", "peut-etre", "peut etre", "je crois", "je pense", "quelques",
               "كم يوم", "قبل 3 ايام",
               "l'autre jour",
               "حوالي", "حوالى", "تقريبا", "ربما", "يمكن", "بحدود",
               "приблизно", "близько", "десь", "може", "примерно", "около", "где-то", "okolo", "mniej wiecej",
               "chyba", "cam", "aproximativ", "pe la", "poate", "alrededor", "aproximadamente", "mas o menos",
               "quizas", "tal vez", "hacia")
# "2300", "0900 hrs", "23h30": a time of day on a 24-hour clock, as soldiers and Europeans write it.
# Never a year ("2026") or part of a written date ("12/10/2026") unless marked as a time.
_CLOCK = re.compile(r"(?<![\d:/.\-])([01]\d|2[0-3])([:.h]?)([0-5]\d)(\s*(?:h|hrs|hours|heures)\b)?(?![\d:/.\-])")
_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


@dataclass(frozen=True)
class When:
    """What was understood of a time: a day, maybe a time of day or a range, and how sure."""

    date: str  # ISO day; the first day of a range
    time: str | None = None  # "23:00" when a time of day was said
    until: str | None = None  # ISO day, the last day of a range ("last week")
    approximate: bool = False

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, False)}


_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _duckling():
    import duckling  # starts the Haskell runtime once

    return duckling, duckling.load_time_zones(ZONEINFO)


class _Unreadable(Exception):
    pass


def _entities(text: str, lang: str, now: datetime, dims: tuple[str, ...]) -> list[dict]:
    # Duckling takes a C string: a NUL or other control character made the binding panic (a
    # BaseException that would have ended the turn). They say nothing about dates anyway.
    text = clean_text(text).replace("\x00", "")
    try:
        return _parse(text, lang, now, dims)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001 - the binding's panics are BaseExceptions
        raise _Unreadable(type(error).__name__) from None


def _parse(text: str, lang: str, now: datetime, dims: tuple[str, ...]) -> list[dict]:
    duckling, zones = _duckling()
    with _lock:  # one Haskell runtime, one caller at a time
        ref = duckling.parse_ref_time(zones, "UTC", int(now.timestamp()))
        language = duckling.parse_lang(LOCALES.get(lang, "EN_GB").split("_")[0])
        locale = duckling.parse_locale(LOCALES.get(lang, "EN_GB"), duckling.default_locale_lang(language))
        context = duckling.Context(ref, locale)
        return duckling.parse(text, context, duckling.parse_dimensions(list(dims)), False)


def numbers(text: str, lang: str) -> list[tuple[int, int, float]]:
    """(start, end, value) of every number Duckling reads ("two", "a dozen", "30")."""
    if not text:
        return []
    found: list = []
    # "two of them" in a conversation now in French: read in English too, and the reading that
    # finds more numbers wins (the conversation's own on a tie).
    for reading in dict.fromkeys([lang, "en"]):
        try:
            these = _entities(text[:MAX_DATE_CHARS * 4], reading, datetime.now(timezone.utc), ("number",))
        except Exception:  # an input the parser cannot take is not understood, never an error
            return []
        if len(these) > len(found):
            found = these
    return [(e["start"], e["end"], e["value"]["value"]) for e in found
            if e.get("dim") == "number" and isinstance(e.get("value", {}).get("value"), (int, float))]


# "Not right now", "не зараз", "pas maintenant": the person declines to say, in every language.
# Duckling reads the "now" in them as today, which put today's date on reports whose person had
# said nothing of when (found talking to it in Ukrainian, issue 16).
_NOT_NOW = re.compile(r"(?<!\w)(?:not (?:right |just )?now|not at the moment|не (?:зараз|тепер|сеичас|сейчас|теперь)|"
                      r"pas (?:maintenant|tout de suite|pour l'instant|pour le moment|la)|nie (?:teraz|w tej chwili)|"
                      r"ahora no|no (?:ahora|por ahora)|nu (?:chiar )?acum[a]?|ليس الان|مش (?:هلق|هلا|هلأ|الحين|دلوقتي)|"
                      r"مو (?:هسه|هسا|الحين))(?!\w)")


def understand(text: str | None, lang: str, now: datetime | None = None) -> When | None:
    """When the event happened, or None when the words do not say (the words are kept anyway)."""
    if not text or not text.strip():
        return None
    if _NOT_NOW.search(fold(text)):
        return None
    now = now or datetime.now(timezone.utc)
    said = " ".join(text.split())[:MAX_DATE_CHARS].translate(DIGITS)
    # Duckling's time rules combine every pair of numbers: its work doubles with each number past
    # about fifteen ("12 " * 20 took 2 s, * 50 never ended). A date needs a few: the rest is cut.
    many = list(re.finditer(r"\d+", said))
    if len(many) > MAX_NUMBERS:
        said = said[:many[MAX_NUMBERS].start()]
    folded = fold(said)
    said = _dtg(said)
    # "at 0145", "à 0200", "0300": a soldier's clock, written as Duckling reads one ("01:45").
    said = re.sub(r"(?<![\d:/.\-])"
                  r"(0\d|1\d|2[0-3])([0-5]\d)(?=\s*(?:h\b|hrs\b|hours\b|z\b)|(?![\d:/.\-]))",
                  lambda m: f"{m.group(1)}:{m.group(2)}" if m.group(1).startswith("0") or _AT_CLOCK.search(said[:m.start()])
                  else m.group(0), said)
    folded = fold(said)
    for phrase, plainer in sorted(REPHRASE.items(), key=lambda p: -len(p[0])):  # "اول امبارح" before "امبارح"
        if phrase in folded:
            said = folded = folded.replace(phrase, plainer)
    said = re.sub(r"(?<!\w)(\w+\s+)nights? ago", r"\1days ago", said)  # "2 nights ago"
    said = re.sub(r"(?<!\w)(?:du mat|aprem|auj)(?!\w)", lambda m: {"du mat": "du matin", "aprem": "apres-midi", "auj": "aujourd'hui"}[m.group(0)],
                  said)  # SMS French, whole words only
    said = re.sub(r"(?<!\w)round (?=\d)", "around ", said)  # "round 11"
    said = re.sub(r"(?<![\d/])(\d{4})/(\d{1,2})/(\d{1,2})(?![\d/])", r"\3/\2/\1", said)  # "2026/8/3": year first
    said = re.sub(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{2,4})(?![\d/])",  # "10/27/25": month first, where it can only be
                  lambda m: f"{m.group(2)}/{m.group(1)}/{m.group(3)}" if int(m.group(2)) > 12 >= int(m.group(1)) else m.group(0), said)
    said = re.sub(r"(?<!\w)before (\d+|a few|two|three|four|five|six|seven) (days|weeks|months)", r"\1 \2 ago", said)  # "before 5 days"
    said = re.sub(r"(?<!\w)(?:debut|début|fin|mi-|mi |early|late|mid-|mid |اول|اواخر|اخر|نص)\s*(?=(?:janv|fevr|févr|mars|avril|mai|juin|"
                  r"juil|aout|août|sept|oct|nov|dec|déc|jan|feb|mar|apr|may|jun|jul|aug|sep)\w*(?!\w))", "", said, flags=re.IGNORECASE)
    said = re.sub(r"(?<!\w)((?:\d+|a|one|two|three|four|a few|a couple of)\s+(?:or\s+\d+\s+)?(?:days?|weeks?|months?))\s+back(?!\w)",
                  r"\1 ago", said)  # "2 or 3 weeks back"
    said = re.sub(r"(?<![\w'])(" + "|".join(_SHORT_DAYS) + r")\.?(?!\w)", lambda m: _SHORT_DAYS[m.group(1).lower()], said,
                  flags=re.IGNORECASE)
    # "y a 2 jours", "ya 3 jours", "ça fait une semaine": il y a
    said = re.sub(r"(?<![\w'])(?:y a|ya|ca fait|ça fait|cela fait)\s+(?=\d|(?:\w+\s+)?(?:jours?|semaines?|mois|heures?|ans?)\b)",
                  "il y a ", said, flags=re.IGNORECASE)
    # "12.08.2026": the dotted date of most of Europe, which Duckling reads as a year alone.
    said = re.sub(r"(?<![\d.\-])(\d{1,2})[.\-](\d{1,2})[.\-](\d{2,4})(?![\d.\-])", r"\1/\2/\3", said)
    if lang in DOTTED_DAY_MONTH:
        # "12.03" is the 12th of March where dates are written so, not 12:03 (a time is "о 12:03").
        said = re.sub(r"(?<![\d.:/\-])(?<!о )(?<!o )(?<!в )(?<!godz\. )(?<!ora )(3[01]|[12]\d|0?[1-9])\.(1[0-2]|0?[1-9])"
                      r"(?![\d.:/\-])", r"\1/\2", said)
    # Duckling's Ukrainian, Russian, Polish and Romanian misread numeric dates ("15/01/2025" is 2025): the
    # figures are read as English, day first, as they were written.
    numeric = re.search(r"(?<![\d/])\d{1,2}/\d{1,2}(?:/\d{2,4})?(?![\d/])", said)
    # In the conversation's language first, then the others: a person who switched language at
    # the end ("en français svp") answered this question in the first one.
    # Numbers alone are read in the conversation's language only: "1 1 1" is a date in none.
    readings = dict.fromkeys([lang, *LOCALES]) if re.search(r"[^\W\d_]", said) else [lang]
    if numeric and lang in NO_NUMERIC_DATES:
        readings = ["en"]
        said = numeric.group(0)
    found = []
    for reading in readings:
        try:
            found = [e for e in _entities(said, reading, now, ("time",)) if e.get("dim") == "time"]
        except Exception:
            return None
        if found:
            break
    if not found and re.search(r"[^\W\d_]{4,}", said):
        # "yesterdy", "wensday", "mecredi": date words misspelt, set right by the nearest one.
        mended = _spelled(said, lang)
        if mended != said:
            return understand(mended, lang, now)
    if not found:
        return None
    # A time of day said apart from the day ("2 days ago at about 1400", "yesterday afternoon,
    # maybe 3pm") is two mentions: the day from the longest that names a day, the time from the
    # longest clock. Alone, the longest mention is the date ("last Tuesday at 11pm").
    # Not dates: a word of three Latin letters ("sorti en mer" read as mercredi) and "the days".
    found = [e for e in found if not _NOT_A_DATE.fullmatch(fold(said[e["start"]:e["end"]]).strip(" ,.")) or len(found) == 1
             and re.search(r"\d", said[e["start"]:e["end"]])]
    if not found:
        return None
    for e in found:
        e["counted_back"] = bool(COUNTED_BACK.search(fold(said[e["start"]:e["end"]])))
        e["names_day"] = bool(WEEKDAY.search(fold(said[e["start"]:e["end"]])))
    # "about 1800" after a day is a time, not the year 1800.
    found = [e for e in found if not (len(found) > 1 and e["value"].get("grain") == "year"
                                      and _CLOCK.fullmatch(said[e["start"]:e["end"]].strip(" ,").split()[-1]))]
    if not found:
        return None
    clocks = [e for e in found if _is_clock(e)]
    days = [e for e in found if not _is_clock(e)]
    longest = lambda entities: max(entities, key=lambda e: e["end"] - e["start"])  # noqa: E731
    # A part of a day ("in the night") names the day only when nothing else does: "3 days ago,
    # in the night" is three days ago.
    named_days = [e for e in days if not _part_of_day(e["value"])] or days
    # The mention with figures in it says most ("nov 2024" beside "the month", "3 مايو" beside
    # "مايو الماضي"); then the longest. One Duckling cannot place in time yields to the next.
    ranked = sorted(named_days or clocks, key=lambda e: (bool(re.search(r"\d", said[e["start"]:e["end"]])),
                                                         bool(_PAST.search(fold(said[e["start"]:e["end"]]))),
                                                         e["end"] - e["start"]), reverse=True)
    when = chosen = None
    for chosen in ranked:
        when = _when(chosen["value"], said, now, chosen["counted_back"])
        if when is not None:
            break
    if when is None or chosen is None:
        return None
    if days and clocks and when.until is None and (when.time is None or (
            when.time == "00:00" and not re.search(r"\d", said[chosen["start"]:chosen["end"]]))):
        # "مساء الأربعاء، على الساعة 8": Wednesday (read as its midnight), at the clock said
        clock = longest(clocks)
        when = replace(when, time=_as_said(_instant(clock["value"]["value"]), said[clock["start"]:clock["end"]]))
    if when.time is None and when.until is None:  # "last night around 2300": the soldier's clock
        clock = _clock(said)
        if clock:
            when = replace(when, time=clock)
    if when.time:
        when = replace(when, time=_half_of_day(when.time, f" {fold(said)} "))
    folded = f" {fold(said)} "
    if any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", folded) for w in APPROXIMATE):
        when = When(when.date, when.time, when.until, approximate=True)
    return when


# Words that name today: a time of day with them is today's, even once it has passed.
TODAY = re.compile(r"(?<!\w)(?:today|this morning|this afternoon|this evening|tonight|ce matin|aujourd'hui|"
                   r"cet apres-midi|ce soir|اليوم|هالصبح|الصبح|الصباح|сегодня|сьогодні|dzisiaj|dzis|azi|hoy|"
                   r"esta manana)(?!\w)")
# Today named as such: beside a weekday, "الصبح" (in the morning) is that day's morning, not today's.
_TODAY_NAMED = re.compile(r"(?<!\w)(?:today|this morning|this afternoon|this evening|tonight|ce matin|aujourd'hui|cet apres-midi|"
                          r"ce soir|اليوم|هالصبح|сегодня|сьогодні|dzisiaj|dzis|azi|hoy|esta manana)(?!\w)")
# Words just before four figures that make them a time of day, not a year ("at 2330", "vers 2200").
_AT_CLOCK = re.compile(r"(?:\bat|\bà|\ba|الساعة|الساعه|ساعه|حوالي|حوالى)\s*$", re.IGNORECASE)
# Short names of days as people type them.
_SHORT_DAYS = {"tues": "tuesday", "tue": "tuesday", "weds": "wednesday", "wed": "wednesday", "thurs": "thursday",
               "thu": "thursday", "thur": "thursday", "fri": "friday", "sat": "saturday", "sun": "sunday"}
# A military date-time group: "210930Z JAN 25" is 21 January 2025, 09:30 (zone letter ignored).
_DTG = re.compile(r"(?<!\w)(\d{2})([01]\d|2[0-3])([0-5]\d)\s?[a-z]?\s?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
                  r"[a-z]*\s?(\d{4}|\d{2})(?!\d)", re.IGNORECASE)


def _dtg(said: str) -> str:
    def plain(m: re.Match) -> str:
        day, hour, minute, month, year = m.groups()
        year = year if len(year) == 4 else f"20{year}"
        return f"{int(day)} {month.lower()} {year} at {hour}:{minute}"
    return _DTG.sub(plain, said)


# Words that put a mention in the past: "last month" says more than "the beginning of the month".
_PAST = re.compile(r"(?<!\w)(?:last|ago|previous|dernier\w*|passe\w*|precedent\w*|il y a|الماضي|الماضيه|الماضية|قبل|"
                   r"اللي فات|минул\w*|прошл\w*|temu|ostatni\w*|trecut\w*|pasad\w*|hace)(?!\w)")
# Words that count back from now: "2 days ago" is read by Duckling to this very hour, which says
# nothing of the time of day.
COUNTED_BACK = re.compile(r"(?<!\w)(?:ago|il y a|y a|depuis|قبل|من|назад|тому|temu|in urma|hace)(?!\w)")


# The words of dates, to set a misspelt one right (RapidFuzz ratio >= 80, words of 4 letters or more).
DATE_WORDS = {
    "en": "yesterday today tonight monday tuesday wednesday thursday friday saturday sunday january february "
          "march april may june july august september october november december week month ago last night "
          "morning evening afternoon days weeks months",
    "fr": "hier aujourd'hui lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril mai "
          "juin juillet aout septembre octobre novembre decembre semaine mois dernier derniere soir matin nuit "
          "apres-midi jours semaines",
    "ar": "امس البارحه اليوم الاثنين الثلاثاء الاربعاء الخميس الجمعه السبت الاحد الاسبوع الشهر الماضي الليل "
          "الصبح المسا ايام",
    "uk": "вчора учора сьогодні позавчора понеділок вівторок середа середу четвер пятниця пятницю субота суботу "
          "неділя неділю січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня "
          "тиждень тижня місяць місяця тому минулого минулої минулий ввечері вранці вночі днів тижнів",
    "ru": "вчера сегодня позавчера понедельник вторник среда среду четверг пятница пятницу суббота субботу "
          "воскресенье января февраля марта апреля мая июня июля августа сентября октября ноября декабря неделю "
          "недели месяц месяца назад прошлой прошлом прошлый вечером утром ночью дней недель",
    "pl": "wczoraj dzisiaj dzis przedwczoraj poniedzialek wtorek sroda srode czwartek piatek sobota sobote niedziela "
          "niedziele stycznia lutego marca kwietnia maja czerwca lipca sierpnia wrzesnia pazdziernika listopada "
          "grudnia tydzien tygodnia miesiac miesiaca temu zeszlym zeszly ostatni wieczorem rano nocy dni tygodni",
    "ro": "ieri azi astazi alaltaieri luni marti miercuri joi vineri sambata duminica ianuarie februarie martie "
          "aprilie mai iunie iulie august septembrie octombrie noiembrie decembrie saptamana luna trecuta trecut "
          "seara dimineata noaptea zile saptamani",
    "es": "ayer hoy anoche anteayer lunes martes miercoles jueves viernes sabado domingo enero febrero marzo abril "
          "mayo junio julio agosto septiembre octubre noviembre diciembre semana mes pasado pasada noche manana "
          "tarde dias semanas hace",
}


def _spelled(said: str, lang: str) -> str:
    from rapidfuzz import fuzz, process

    vocabulary = DATE_WORDS.get(lang, DATE_WORDS["en"]).split()
    out = []
    for word in said.split(" "):
        bare = fold(word).strip(".,;:!?")
        if len(bare) >= 4 and bare not in vocabulary and not bare.isdigit():
            match = process.extractOne(bare, vocabulary, scorer=fuzz.ratio, score_cutoff=80)
            if match:
                word = match[0]
        out.append(word)
    return " ".join(out)


def _part_of_day(value: dict) -> bool:
    if value.get("type") != "interval" or not value.get("from") or not value.get("to"):
        return False
    span = _instant(value["to"]["value"]) - _instant(value["from"]["value"])
    return value["from"].get("grain") == "hour" and span <= timedelta(hours=12)


# Days of the week as people write them (folded): "monday at 1930" said on a Monday morning is last
# Monday evening, not tonight.
WEEKDAY = re.compile(r"(?<!\w)(?:mon|tues?|wed|thu(?:rs)?|fri|sat|sun)\w*day|(?<!\w)(?:lundi|mardi|mercredi|jeudi|vendredi|"
                     r"samedi|dimanche|الاثنين|الثلاثاء|الاربعاء|الخميس|الجمعه|الجمعة|السبت|الاحد|понед|вівтор|вторн|"
                     r"серед|четв|пятн|п'ятн|субот|недел|неділ|poniedzial|wtor|sroda|czwart|piat|sobot|niedziel|luni|"
                     r"marti|miercuri|joi|vineri|sambata|duminica|lunes|martes|miercoles|jueves|viernes|sabado|domingo)")


def _is_clock(entity: dict) -> bool:
    """A time of day ("3pm", "at 1400"), not a day, a period or a time counted back from now."""
    value = entity["value"]
    return (value.get("type") != "interval" and value.get("grain") in ("hour", "minute") and bool(value.get("value"))
            and not entity["counted_back"] and not entity.get("names_day"))


_MONTH_NAMED = re.compile(r"(?<!\w)(?:jan|feb|febr|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|janv|fevr|avr|juil|"
                          r"january|february|march|april|may|june|july|august|september|october|november|december|janvier|"
                          r"fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|يناير|فبراير|مارس|"
                          r"ابريل|مايو|يونيو|يوليو|اغسطس|سبتمبر|اكتوبر|نوفمبر|ديسمبر|كانون|شباط|اذار|نيسان|ايار|حزيران|تموز|"
                          r"ايلول|تشرين)(?:\.|(?!\w))|\d{1,2}[/.]\d{1,2}")
_NOT_A_DATE = re.compile(r"[a-z]{1,3}|(?:the\s+)?days?|(?:les?\s+)?jours?|(?:ال)?(?:الفان|الفين|الف|فان)")  # "الفان": the van, not 2000
_AFTERNOON = re.compile(r"pm|p\.m|soir|evening|afternoon|night|nuit|apres-midi|midi|مساء|مسا|ليل|عصر|ظهر|вечер|ноч|ден")


def _as_said(moment: datetime, words: str) -> str:
    """The clock as written: Duckling reads "5h", "02:00", "الساعة 8" as the next such hour to come,
    which may be the afternoon's; "à 5h" is 05:00 unless the words say afternoon or evening (those
    are read by ``_half_of_day`` from the whole answer)."""
    written = re.search(r"(?<!\d)(\d{1,2})(?:\s*[:h.]\s*(\d{2}))?(?!\d)", words)
    hour = moment.hour
    if written and int(written.group(1)) == hour - 12 and not _AFTERNOON.search(fold(words)):
        hour -= 12
    return f"{hour:02d}:{moment.minute:02d}"


# Words that put a bare hour in the evening or in the morning: "الساعة 11 بالليل" is 23:00,
# "الساعة ٢ الفجر" is 02:00 (Duckling reads a bare hour as the next one to come).
EVENING = ("مساء", "المسا", "بالمسا", "مسا", "العصر", "عصرا", "بعد الظهر",
           "du soir", "le soir", "ce soir", "de l'apres-midi", "l'apres-midi", "apres-midi", "de la nuit",
           "at night", "in the evening", "in the afternoon", "evening", "tonight", "вечера", "вечора", "ночи")
NIGHT = ("nuit", "night", "الليل", "بالليل", "ليلا", "ليل", "ليلة", "ليله", "الليلة", "الليله", "ночью", "вночі", "noca", "noaptea", "noche")
MORNING = ("الفجر", "فجرا", "الصبح", "صباحا", "الصباح", "بالصبح", "هالصبح", "du matin", "le matin", "ce matin", "matin",
           "in the morning", "this morning", "morning", "am", "a.m.", "утра", "ранку", "rano", "dimineata", "manana")


def _half_of_day(time_of_day: str, folded: str) -> str:
    hour, minute = (int(x) for x in time_of_day.split(":"))
    said = lambda words: any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", folded) for w in words)  # noqa: E731
    if said(NIGHT) and not said(MORNING) and not said(EVENING):  # "vers 1h en pleine nuit", "11 at night"
        if 6 <= hour <= 11:
            hour += 12
        elif 13 <= hour <= 17 and not re.search(rf"(?<!\d){hour}", folded):
            hour -= 12
    elif 1 <= hour <= 11 and said(EVENING) and not said(MORNING):
        hour += 12
    elif 13 <= hour <= 23 and said(MORNING) and not said(EVENING) and not re.search(rf"(?<!\d){hour}", folded):
        hour -= 12  # "2 الفجر" read as 14:00; "14h du matin" is not a thing, so 14 said stays
    return f"{hour:02d}:{minute:02d}"


def _clock(said: str) -> str | None:
    for clock in _CLOCK.finditer(said):
        if clock.group(2) or clock.group(4) or not _YEAR.fullmatch(clock.group(0)):
            return f"{clock.group(1)}:{clock.group(3)}"
    return None


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(timezone.utc).replace(tzinfo=None)


def _when(value: dict, said: str, now: datetime, counted_back: bool = False) -> When | None:
    today = now.astimezone(timezone.utc).date()
    if value.get("type") == "interval":
        start, end = value.get("from"), value.get("to")
        if not start:
            return None
        first = _instant(start["value"])
        last = _instant(end["value"]) - timedelta(seconds=1) if end else first
        if first.date() > today and not _YEAR.search(said) and first.date() - today <= timedelta(days=7):
            first, last = first - timedelta(days=7), last - timedelta(days=7)  # "friday night": the last one
        elif first.date() == today and WEEKDAY.search(fold(said)) and not _TODAY_NAMED.search(f" {fold(said)} ") \
                and not counted_back:
            first, last = first - timedelta(days=7), last - timedelta(days=7)  # "monday morning", said on a Monday
        if first.date() > today:
            return None
        hours = start.get("grain") in ("hour", "minute")
        same_day = first.date() == last.date()
        return When(first.date().isoformat(), until=None if same_day else min(last.date(), today).isoformat(),
                    time=first.strftime("%H:%M") if hours and not same_day else None,
                    approximate=True)
    if not value.get("value"):
        return None
    moment = _instant(value["value"])
    grain = value.get("grain")
    if moment.year < 1900:
        return None  # "Tues 0300" read as the year 300
    if grain in ("hour", "minute") and not counted_back and moment > now.astimezone(timezone.utc).replace(tzinfo=None) \
            and moment.date() == today and WEEKDAY.search(fold(said)):
        # "monday at 1930" said on a Monday morning: last Monday. A time later today without a day
        # named stays today: the person's clock may be hours ahead of the server's.
        moment -= timedelta(days=7)
    if moment.date() == today + timedelta(days=1) and grain in ("hour", "minute") and TODAY.search(f" {fold(said)} "):
        moment -= timedelta(days=1)  # "this morning at 0400", said at 0900: today's, not tomorrow's
    # Past, not future: "Wednesday" is the last Wednesday, "3 May" the last 3 May. A future date
    # with its year written out is a misreading or a mistake: not understood.
    if moment.date() > today:
        if _YEAR.search(said):
            return None
        if moment.date() - today <= timedelta(days=7) and grain in ("day", "hour", "minute") and not _MONTH_NAMED.search(fold(said)):
            moment -= timedelta(days=7)  # "friday": last Friday; "le 1er décembre" said on 30 November: last year's
        else:
            try:
                moment = moment.replace(year=moment.year - 1)
            except ValueError:  # 29 February
                moment -= timedelta(days=365)
        if moment.date() > today:
            return None
    if moment.date() == today and grain in ("day", "hour", "minute") and not counted_back and WEEKDAY.search(fold(said)) \
            and not _TODAY_NAMED.search(f" {fold(said)} ") and not re.search(r"(?<!\w)(?:today|aujourd'hui|اليوم|this|ce|cette)(?!\w)", fold(said)):
        moment -= timedelta(days=7)  # "Monday", said on a Monday: last Monday (today would be "today")
    time_of_day = moment.strftime("%H:%M") if grain in ("hour", "minute") else None
    relative = counted_back and grain == "hour"
    if relative:  # "a few days ago": counted back from this hour, which says nothing of the time
        time_of_day = None
    if grain == "week":
        end = min(moment.date() + timedelta(days=6), today)
        return When(moment.date().isoformat(), until=end.isoformat(), approximate=True)
    if grain == "month":
        end = (moment.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return When(moment.date().isoformat(), until=min(end.date(), today).isoformat(), approximate=True)
    if grain in ("quarter", "year"):
        months = 3 if grain == "quarter" else 12
        year, month = divmod(moment.month - 1 + months, 12)
        end = date(moment.year + year, month + 1, 1) - timedelta(days=1)  # the period's last day
        return When(moment.date().isoformat(), until=min(end, today).isoformat(), approximate=True)
    return When(moment.date().isoformat(), time=time_of_day, approximate=relative)


def parse(text: str, lang: str, today: date | None = None) -> str | None:
    """ISO date (YYYY-MM-DD) of the event, or None when it cannot be told."""
    now = datetime.combine(today, datetime.min.time().replace(hour=12), tzinfo=timezone.utc) if today else None
    when = understand(text, lang, now)
    return when.date if when else None

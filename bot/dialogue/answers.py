"""How a person's answer to a question is understood: a button, a skip, a choice in their own words."""
from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from bot.dialogue import cues, language, messages
from bot.vocabulary import control_signs, counts, dates, knowing, lexicon, likeness
from bot.vocabulary.fields import BY_SLOT, options_key
from bot.vocabulary.text import clean_text, fold, word_count

# A message of more words than this is an answer, even if the classifier thought it was a
# command: "I don't know his name but he took their passports" is not a request to skip.
MAX_COMMAND_WORDS = 6


def question_key(slot: str, path: str | None) -> str:
    """The locale key of a question, with a path-specific wording where one exists."""
    if path in ("third_party", "help"):
        specific = f"{slot}_{path}"
        try:
            messages.question(specific, "en")
            return specific
        except KeyError:
            pass
    return slot


_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
# Children and work in one answer are child labour, whatever else is said.
_CHILDREN = re.compile(r"(?<!\w)(?:kids?|child|children|minors?|enfants?|gamins?|gosses|mineur\w*|"
                       r"اطفال|طفل|صغار|قاصر\w*|ولاد|اولاد)(?!\w)|(?<!\w)(?:дет|діт|dzieci|copii|ninos|menores)")
_WORKING = re.compile(r"(?<!\w)(?:work\w*|labou?r\w*|travail\w*|boss\w*|bosse\w*|boulot|يشتغل\w*|شغل\w*|عمل\w*|"
                      r"работ\w*|працю\w*|prac\w*|munc\w*|trabaj\w*)")
_BARE_NO = re.compile(r"no|nope|nah|non|nan|لا|لأ|لاء|ماكو|مافي|ما في|مفيش|ні|нет|nie|nu|"
                      r"(?:no,?\s+)?i don'?t think so|i do not think so|not that i saw|not really|"
                      r"(?:non,?\s+)?je (?:ne )?(?:crois|pense) pas|pas vraiment|pas que je sache|لا ما اظن|ما اظن|ما اعتقد|لا اعتقد")
_FORCE = re.compile(r"forc|oblig|contrain|اجبار|غصب|قسر|يجبر|مجبر|принуд|примус|przymus|fortat|forzad")
_ADULTS = re.compile(r"(?<!\w)(?:adults?|adultes?|grown-?ups|men|women|hommes|femmes|كبار|البالغين|رجال|نسوان|نساء|взросл\w*|"
                     r"дорослі\w*|dorosl\w*|adulti|adultos)(?!\w)")


def _first_word_answer(opts: dict, text: str) -> str | None:
    """The yes or no a reply opens with, when it is one ("no, they were adults", "لا ما كانوا
    قاصرين"), unless the words after it turn it into something else ("no idea", "non je sais pas")."""
    words = fold(text).replace(",", " ").replace("،", " ").split()
    if len(words) < 2 or words[1] in ("idea", "clue", "sure", "se", "sais", "fikra", "فكره", "فكرة", "اعرف", "ادري"):
        return None
    for value in ("yes", "no"):
        if value in opts and words[0] in {fold(w) for w in [opts[value]["label"], *opts[value].get("words", [])]
                                          if " " not in w}:
            return value
    return None


@functools.lru_cache(maxsize=None)
def _dont_know_phrases(lang: str) -> re.Pattern:
    """The language's "I don't know" phrases (its skip words of some length), as one pattern."""
    skip = [fold(p) for p in messages.understanding(lang).get("commands", {}).get("skip") or []]
    # the skip words of some length, and every phrase of the lexicon's (short ones too: "jsp", "idk")
    phrases = [p for p in skip if len(p.split()) >= 2 or len(p) >= 6] + lexicon.dont_know(lang)
    return re.compile("|".join(rf"(?<!\w){re.escape(p)}(?!\w)" for p in phrases) or r"(?!x)x")


def _dont_know(text: str, lang: str | None, most: int = 6) -> bool:
    """Whether the answer says only that the person does not know ("aucune idée franchement")."""
    return word_count(text) <= most and bool(_dont_know_phrases(lang or language.DEFAULT).search(fold(text)))


_ARABIC_FORMS = str.maketrans({"ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "ـ": None})


@functools.lru_cache(maxsize=4096)
def _plain(text: str) -> str:
    """Folded, with English contractions written as people type them without the apostrophe
    ("can't leave" and "cant leave", "weren't" and "werent" are one) and the Arabic letters people
    write one for another taken as one (ة and ه, ى and ي)."""
    return re.sub(r"(?<=\w)'(?=(?:t|s|re|ve|ll|d|m)\b)", "", fold(text)).translate(_ARABIC_FORMS)


def _longest_mention(text: str, words: Iterable[str], foreign: bool = False) -> int:
    """The length of the longest of ``words`` the text names (0: none)."""
    pattern, lengths = _pattern(tuple(words), foreign)
    return max((lengths[m.lastindex] for m in pattern.finditer(f" {_plain(text)} ") if m.lastindex), default=0)


@functools.lru_cache(maxsize=2048)
def _pattern(words: tuple[str, ...], foreign: bool) -> tuple[re.Pattern, dict[int, int]]:
    """One pattern for a list of words (thousands, with the lexicon), tried at every word's start
    in a lookahead so that overlapping mentions are all seen; the group that matched tells which
    word, and so its length."""
    alternatives, lengths = [], {}
    for w in sorted({_plain(word) for word in words if _plain(word).rstrip("$")}, key=len, reverse=True):
        # whole words at the start, so "sex" matches "sexual" but "no" does not match "know";
        # another language's short word must be the whole word: Russian "да" is not in "далі".
        # A word written with a final "$" is a whole word too: "men$" is not in "mentioned".
        whole = w.endswith("$")
        w = w.rstrip("$")
        # Arabic words of two letters ("لا", "اي") are whole words: "لا" is not in "ولاد" (boys).
        end = r"(?!\w)" if whole or (foreign and len(w) <= 3) or (len(w) <= 2 and _ARABIC_LETTER.match(w)) else ""
        # Arabic joins "and" to the next word: "ونسوان" (and women), "وما يطلعون" (and they don't go out).
        # And writes the article onto it: "الضرب" (the beating) is "ضرب" (beating).
        joined = ("(?:[وف])?(?:ال|بال|لل)?" if len(w) >= 3 and not w.startswith("ال") else "(?:[وف])?") \
            if _ARABIC_LETTER.match(w) else ""
        alternatives.append(f"{joined}({re.escape(w)}){end}")
        lengths[len(alternatives)] = len(w)
    if not alternatives:
        return re.compile(r"(?!x)x"), {}
    return re.compile(r"(?<!\w)(?=" + "|".join(alternatives) + ")"), lengths


def _mentions(text: str, words: Iterable[str], foreign: bool = False) -> bool:
    return _longest_mention(text, words, foreign) > 0


# "no threats but they took the passports": a sign named only after a negation was not seen.
_NEGATION = re.compile(r"(?<!\w)(?:no|not|never|without|nor|none|nothing|nobody|no one|noone|pas|sans|aucun\w*|jamais|ni|rien|"
                       r"و?لا|و?لم|و?ما|بدون|ماكو|مافي|و?مو|و?مش|و?مب|و?موب|و?ليس|و?ليست|مفيش|ما في|محد|ماحد|محدا|"
                       r"без|не|ні|nie|bez|fara|nu|sin|ningun\w*)(?:\s+|\s+\w+'|\s+(?:\w+\s+){1,2})$")


_WORD_END = r"(?!\w)"


def _only_negated(text: str, words: Iterable[str]) -> bool:
    """Whether every mention of ``words`` follows a negation ("no threats", "pas de menaces")."""
    folded = f" {_plain(text)} "
    starts = [m.start() for w in words for m in re.finditer(
        rf"(?<![\w]){'(?:[وف])?' if _ARABIC_LETTER.match(fold(w)) else ''}{re.escape(_plain(w).rstrip('$'))}"
        + (_WORD_END if w.endswith("$") else ""), folded)]
    return bool(starts) and all(_negated(folded, at) for at in starts)


# "never allowed to go out", "pas le droit de sortir", "ما يسمحولهم يطلعون": a negation of being
# allowed or able is the sign itself, not its absence.
_NOT_ALLOWED = re.compile(r"\s*(?:allowed|able|permitted|free|let|autoris\w*|le droit|libres?|يسمح\w*|مسموح\w*|يقدر\w*|"
                          r"تقدر\w*|يخلو\w*|يخلي\w*)(?!\w)")


_MA_NOT_NEGATION = re.compile(r"(?<!\w)(?:لحد|لحتى|حتى|بعد|قبل|زي|مثل|متل|كل|اللي|الي|يلي|عشان|كيف|وين|شو|لين|لغايه|لغاية|الين)\s+$")


def _negated(folded: str, at: int) -> bool:
    negation = _NEGATION.search(folded[:at])
    if not negation:
        return False
    if re.match(r"\s*و?ما(?!\w)", folded[negation.start():]) and _MA_NOT_NEGATION.search(folded[:negation.start()]):
        return False  # "لحد ما تسدد" (until she pays off): ما after these words is no negation
    after = re.match(r"\s*\S+", folded[negation.start():])  # the negation word itself
    return not _NOT_ALLOWED.match(folded[negation.start() + (after.end() if after else 0):])


def _one_choice(opts: dict, matches: list[str], text: str) -> list[str]:
    """Of several options named, the one named by the longest phrase, which holds the shorter:
    "not right now" is "no" although it ends in "now", "pas en danger" is "non"."""
    if len(matches) < 2:
        return matches
    lengths = {v: _longest_mention(text, [opts[v]["label"], *opts[v].get("words", [])]) for v in matches if v in opts}
    if len(lengths) < len(matches):
        return matches
    best = max(lengths.values())
    return [v for v, n in lengths.items() if n == best]


def _matching(opts: dict, text: str, slot: str, path: str | None, lang: str | None) -> list[str]:
    """The options the words name, in the conversation's language or else in another the
    assistant speaks: people mix them ("show more" in a French conversation)."""
    matches = [v for v, o in opts.items() if _mentions(text, [o["label"], *o.get("words", [])])]
    for other in language.SUPPORTED:
        if matches or other == (lang or language.DEFAULT):
            continue
        theirs = messages.options(options_key(slot, path), other)
        matches = [v for v, o in theirs.items()
                   if v in opts and _mentions(text, [o["label"], *o.get("words", [])], foreign=True)]
    return matches


# The questions where the words, when they name an option, decide over the classifier's intent.
_WORDS_OVER_INTENT = ("minors", "immediate_danger", "victims_gender", "stage", "knowledge_source")
_UNSURE_AFTER_ALL = re.compile(r"(?:(?:,|\s)(?:but|mais|بس|لكن|though)\s+(.{0,40})|[,،]\s*((?:\S+\s*){1,3}))$")


def _opens_with(text: str, option: dict) -> bool:
    """Whether the answer's first clause is that option ("maybe, one looked 16")."""
    first = re.split(r"[,;.،]", text)[0]
    return len(first.split()) <= 3 and _mentions(first, [option["label"], *option.get("words", [])])


def _attached(text: str, words: Iterable[str], others: Iterable[str]) -> bool:
    """Whether every mention of work is part of another kind's name ("sex work", "kids working"),
    not work said on its own ("sex at night, and in the day they work in the kitchen")."""
    folded = f" {_plain(text)} "
    work = [m.span() for w in words if len(_plain(w)) >= 3
            for m in re.finditer(rf"(?<!\w)(?:[وف])?{re.escape(_plain(w))}\w*", folded)]
    kinds = [m.span() for w in [*others, *_CHILD_WORDS] if len(_plain(w)) >= 3
             for m in re.finditer(rf"(?<!\w)(?:[وفب]|بال|ال)?{re.escape(_plain(w))}\w*", folded)]

    def near(a: tuple[int, int], b: tuple[int, int]) -> bool:  # b just before or just after a, same clause
        gap = folded[b[1]:a[0]] if b[1] <= a[0] else folded[a[1]:b[0]] if a[1] <= b[0] else ""
        return len(gap) <= 14 and not re.search(r"[,;.،+&/]|\s(?:and|et|but|mais|then|puis|plus)\s|\sو", gap)

    return all(any(near(a, b) for b in kinds) for a in work)


# Where the statistical reader (vocabulary.likeness), when at least this sure, decides over the words:
# what stage a group was at and how the person knows are told by descriptions more than by names
# ("they were gathering them in a flat before the bus", "I fix their cars and opened the boot").
_LIKELY_OVER_WORDS = {"stage": 0.6, "knowledge_source": 0.8}
# For signs of control, the reader adds a sign when nearly sure, drops a sign the words named when
# nearly sure it is not meant ("no pay at all" beside false promises), and reads what the words
# could not ("the guy at the door has a gun and nobody goes out").
_LIKELY_ADD, _LIKELY_DROP, _LIKELY_ALONE = 0.8, 0.05, 0.5


# Where sex is sold, not a trade of its own; businesses and households, which tell labour from servitude.
_VENUE = re.compile(r"hotels?|motels?|hotel rooms?|rooms?|flats?|apartments?|hôtels?|hôtel|chambres?|appartements?|"
                    r"فندق|الفندق|بالفندق|فنادق|شقه|شقة|شقق|غرفه|غرفة")
_BUSINESS = re.compile(r"(?<!\w)(?:restaurant|kitchen of the|hotel|motel|office|factory|salon|car ?wash|shop|store|bar|cafe|"
                       r"bakery|warehouse|hôtel|usine|bureau|boutique|magasin|boulangerie|entrepot|مطعم|فندق|مصنع|محل|مكتب|"
                       r"مخبز|كافيه|قهوه|قهوة)\w*")
_HOUSEHOLD = re.compile(r"(?<!\w)(?:house|home|family|household|maid|nanny|domestic|maison|famille|domestique|menage chez|"
                        r"bonne|nounou|بيت|البيت|بيوت|عيله|عيلة|عائله|عائلة|خادم\w*|شغاله|شغالة)")
_HARVEST = re.compile(r"harvest\w*\s+(?:of\s+)?(?:their\s+|the\s+)?organs?|organs?\s+harvest\w*|harvesting organs|"
                      r"prelev\w*|recolte\w* d'organes")
# Not sure, said as such: "ما متأكد", "chu pas sûr".
_NOT_SURE = re.compile(r"(?<!\w)(?:ما|مو|مش|مب|موب|not|pas|je suis pas|chu pas|i'?m not|im not)\s+(?:\w+\s+)?"
                       r"(?:متاكد\w*|sure|certain\w*|sur|sure)(?!\w)")
_BUT = re.compile(r"(?:^|\s|,)(?:but|mais|بس|لكن|bas|however|though)\s+(.{3,})$")


def _likely(slot: str, text: str, lang: str | None) -> dict[str, float]:
    if text.rstrip().endswith("?") or word_count(text) < 2 or cues.command(text, lang or language.DEFAULT):
        return {}  # a question back, a word or a command ("je préfère ne pas dire"): the words decide
    return likeness.probabilities(slot, text, lang or language.DEFAULT)


_CHILD_WORDS = ("kid", "child", "children", "minor", "enfant", "gamin", "gosse", "mineur", "اطفال", "طفل", "صغار")


@dataclass
class Answer:
    """How an answer was understood: ``value`` to store, or ``unclear`` to ask again."""

    value: Any = None
    unclear: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # other slots the answer also fills


def interpret(
    slot: str,
    text: str | None,
    intent: str | None,
    entities: list[dict] | None,
    lang: str | None,
    path: str | None = None,
) -> Answer:
    """Understand the person's reply to the question for ``slot``."""
    answer = _interpret(slot, text, intent, entities, lang, path)
    if slot == "consent" and answer.value == "no" and word_count(clean_text(text or "")) > MAX_COMMAND_WORDS \
            and _first_word_answer(messages.options(options_key(slot, path), lang), text or "") != "no":
        # Declining deletes everything said: a story typed at "do you agree?" ("the boss has the
        # passports, nobody leaves") is no decline, whatever no-words it holds. It is asked again.
        return Answer(unclear=True)
    return answer


def _interpret(
    slot: str,
    text: str | None,
    intent: str | None,
    entities: list[dict] | None,
    lang: str | None,
    path: str | None = None,
) -> Answer:
    question = BY_SLOT[slot]
    text = clean_text(text or "")
    entities = entities or []
    choice = next((e.get("value") for e in entities if e.get("entity") == "choice"), None)
    short = word_count(text) <= MAX_COMMAND_WORDS
    opts = messages.options(options_key(slot, path), lang) if question.kind in ("choice", "multi") else {}

    if choice is not None:  # a button press: only the values the question offers are accepted
        if question.kind == "multi" and str(choice) in opts:
            return Answer([str(choice)])
        if str(choice) in opts:
            return Answer(str(choice))
        return Answer(unclear=True)  # a forged or stale payload

    if intent == "skip" and short:
        return Answer(unclear=True) if question.required_on(path) else Answer(question.skip_value)

    if not text or text.startswith("/"):
        return Answer(unclear=True)

    if question.kind == "choice":
        # "yes, one looked about 16": the age said with the answer reaches the reviewer too.
        youngest = counts.understand(text, lang or language.DEFAULT).youngest_minor if slot == "minors" else None
        aged = {"age_under_18": youngest} if youngest is not None else {}
        if intent in question.intents and short:
            value = question.intents[intent]
            if value in opts:
                # The words, where they name an option, over the classifier's guess at the intent:
                # "ماكو خطر هسه" (no danger now) was read as an emergency, "مو كلهم كبار" (not all
                # adults) as a no.
                # Only for what was seen about others: at "do you agree?", "no problem" is a yes.
                by_words = interpret(slot, text, None, entities, lang, path) if slot in _WORDS_OVER_INTENT else None
                if by_words and not by_words.unclear and by_words.value in opts and by_words.value != value:
                    return by_words
                return Answer(value, extra=aged)
        named = _matching(opts, text, slot, path, lang)
        if slot == "knowledge_source" and {"observed", "told", "other"} <= set(opts):
            how = knowing.how_known(_plain(text), named)
            if how:
                return Answer(how)
        if slot in _LIKELY_OVER_WORDS:
            likely = _likely(slot, text, lang)
            best = max(likely, key=likely.get) if likely else None
            if best in opts and likely[best] >= (_LIKELY_OVER_WORDS[slot] if named else _LIKELY_ALONE):
                return Answer(best)  # sure enough over the words, or likelier than not where no words name one
        if "no" in named and "yes" in opts and slot == "minors" and _first_word_answer(opts, text) != "no" and _only_negated(
                text, [w for w in opts["no"].get("words", []) if len(w) > 3]) and not _only_negated(text, opts["yes"].get("words", [])):
            named = [v for v in named if v != "no"] + ([] if "yes" in named else ["yes"])  # "مو كلهم كبار": not all adults
        if len(named) > 1:  # "je n'ai rien constaté, un collègue me l'a dit": not seen, told
            kept = [v for v in named if v in ("no", "unsure", "None") or not _only_negated(
                text, [w for w in [opts[v]["label"], *opts[v].get("words", [])] if len(w) > 3])]
            named = kept or named
        if "yes" in named and "no" in opts and _only_negated(text, opts["yes"].get("words", [])):
            # "aucun mineur", "ماكو أطفال", "pas d'enfants, non": the yes-words, each negated
            named = [v for v in named if v != "yes"] + ([] if "no" in named else ["no"])
        first = _first_word_answer(opts, text)
        if first and len(named) > 1:  # "لا ما كانوا قاصرين", "no, but one looked young": the first word
            return Answer(first, extra=aged if first == "yes" else {})
        if slot == "victims_gender" and {"Feminine", "Masculine"} <= set(named):
            named = [v for v in named if v not in ("Feminine", "Masculine")
                     or not _only_negated(text, [opts[v]["label"], *opts[v].get("words", [])])]
        if slot == "victims_gender" and {"Feminine", "Masculine"} <= set(named) and "Both" in opts:
            return Answer("Both")  # "mostly women, a couple of men", "hommes et femmes"
        if "unsure" in named and len(named) > 1 and re.search(r"[,;.،]", text) and _opens_with(text, opts["unsure"]):
            return Answer("unsure", extra=aged)  # "possibly, one of them was very small"
        if aged and "unsure" in named and _opens_with(text, opts["unsure"]):
            return Answer("unsure", extra=aged)  # "peut-être, une avait l'air d'avoir 16-17 ans mais c'est pas sûr"
        if aged and "yes" in named:  # "yes, the youngest was maybe 12" (not "maybe": unsure)
            return Answer("yes", extra=aged)
        after_all = _UNSURE_AFTER_ALL.search(fold(text))
        if "unsure" in named and len(named) > 1 and after_all and _mentions(
                after_all.group(1) or after_all.group(2), [opts["unsure"]["label"], *opts["unsure"].get("words", [])]):
            return Answer("unsure", extra=aged)  # "I don't think so, but I'm not sure", "je crois pas mais je suis pas sûr"
        matches = _one_choice(opts, named, text)
        if len(matches) == 1:
            return Answer(matches[0], extra=aged)
        if not matches and aged:  # "i think so, one girl looked about 14": under 18 is a yes
            return Answer("yes", extra=aged)
        if slot == "path" and intent in question.intents:
            return Answer(question.intents[intent])
        if not matches and "unsure" in opts and not cues.command(text, lang or language.DEFAULT) and (
                _NOT_SURE.search(_plain(text)) or _dont_know(re.split(r"[,;.،]", text)[0], lang)):
            return Answer("unsure", extra=aged)  # "ما عندي فكرة", "ما متأكد، ما شفتهم من أسبوع"
        return Answer(unclear=True)

    if question.kind == "multi":
        if "None" in opts and _BARE_NO.fullmatch(fold(text).strip(" .!")):
            return Answer(["None"])  # "no", "non", "لا", "nope": none seen
        named = _matching(opts, text, slot, path, lang)
        matches = [v for v in named if v == "None" or not _only_negated(text, [opts[v]["label"], *opts[v].get("words", [])])]
        if slot == "control_signs" and "WithholdsDocuments" in named and "WithholdsDocuments" not in matches \
                and control_signs.NO_PAPERS.search(_plain(text)):
            matches.append("WithholdsDocuments")  # "pas de papiers", "ما معهم ورقة ولا هوية": papers not theirs to hold
        digits = _plain(text).translate(dates.DIGITS)
        long_hours = slot == "control_signs" and bool(control_signs.LONG_HOURS.search(digits) or control_signs.long_span(digits)
                                                      or control_signs.NO_REST.search(digits))
        if named and not matches and "None" in opts and not long_hours:
            matches = ["None"]  # "no violence, no locks": every sign named was denied
        if slot == "control_signs" and "RestrictsFreedom" in opts and "RestrictsFreedom" not in matches \
                and control_signs.KEPT_IN.search(_plain(text)):
            matches.append("RestrictsFreedom")  # "they werent allowed to go outside", "pas le droit de sortir"
        if long_hours and "ExcessiveWorkingHours" in opts and "ExcessiveWorkingHours" not in matches:
            matches.append("ExcessiveWorkingHours")  # "16h par jour, 7/7", "14 hours a day", "12 ساعة باليوم"
        if slot == "exploitation_type" and "ChildLabour" in opts and "ChildLabour" not in matches and "ForcedBegging" not in matches \
                and (_CHILDREN.search(fold(text)) or counts.understand(text, lang or language.DEFAULT).youngest_minor is not None) \
                and (_WORKING.search(fold(text)) or "ForcedLabour" in matches):
            matches.append("ChildLabour")  # "des gamins de 12 ans qui bossaient dans un atelier"
        if slot == "exploitation_type" and "ForcedLabour" in matches and "SexualExploitation" in matches and not _mentions(
                text, [w for w in [opts["ForcedLabour"]["label"], *opts["ForcedLabour"].get("words", [])]
                       if not _VENUE.fullmatch(fold(w).strip())]):
            matches.remove("ForcedLabour")  # "sleep with men in the hotel rooms": the hotel is where, not work
        if slot == "exploitation_type" and "Servitude" in matches and _BUSINESS.search(fold(text)) \
                and not _HOUSEHOLD.search(fold(text)):
            # "cooking in a restaurant kitchen": a business's work, not a household's servitude
            matches = [v for v in matches if v != "Servitude"] + ([] if "ForcedLabour" in matches else ["ForcedLabour"])
        if slot == "exploitation_type" and "ForcedLabour" in matches and len(matches) > 1:
            # "sex work", "kids working in the cotton fields": work named as part of another kind,
            # not forced labour besides it, which needs its own words ("forced labour", "farm"),
            # and beside child labour its name ("child labour / forced labour at the kiln").
            labour = opts["ForcedLabour"]
            # beside child labour, forced labour is named by its words of force ("شغل بالإجبار")
            own = [labour["label"], *(w for w in [*labour.get("words", []), *labour.get("strong", [])] if _FORCE.search(fold(w)))] \
                if "ChildLabour" in matches else [labour["label"], *labour.get("strong", [])]
            others = [w for v in matches if v != "ForcedLabour" for w in [opts[v]["label"], *opts[v].get("words", [])]]
            # beside child labour, any work is the children's; beside another kind, work is that
            # kind's only when said as part of its name ("sex work")
            if not _mentions(text, own) and not _ADULTS.search(fold(text)) and (
                    "ChildLabour" in matches or "Servitude" in matches or "ForcedBegging" in matches
                    or "OrganRemoval" in matches and _HARVEST.search(fold(text))
                    or _attached(text, labour.get("words", []), others)):
                matches.remove("ForcedLabour")  # ("adults and also kids": both)
        if slot == "control_signs" and not named and (_dont_know(text, lang) or _dont_know(re.split(r"[,;.،]", text)[0], lang)):
            return Answer(question.skip_value)  # "مش عارف، ما كنتش قريب كفاية": not known, not a sign guessed
        if slot == "control_signs" and matches in ([], ["Other"]) and control_signs.NO_CONTROL.search(_plain(text)):
            matches = ["None"]  # "nobody seemed controlled"
        contrast = _BUT.search(fold(text))
        if slot == "control_signs" and matches == ["None"] and contrast:
            # "ما في تهديد بس الباسبورات كلها عند المدير": none of what was denied, but what follows
            after = _likely(slot, contrast.group(1), lang)
            matches = [v for v in opts if v != "None" and after.get(v, 0) > _LIKELY_ALONE] or matches
        if slot == "control_signs" and (likely := _likely(slot, text, lang)):
            if matches in ([], ["Other"]):
                matches = [v for v in opts if likely.get(v, 0) > _LIKELY_ALONE] or matches
            else:
                matches = [v for v in matches if likely.get(v, 1) >= _LIKELY_DROP] + [
                    v for v in opts if v not in matches and v != "None" and likely.get(v, 0) > _LIKELY_ADD]
                matches = [v for v in matches if v != "None"] if len(matches) > 1 else matches
        if slot == "control_signs":
            matches = control_signs.in_context(matches, _plain(text), bool(_WORKING.search(_plain(text))))
        if slot == "exploitation_type" and "ForcedMilitaryByNonStateActors" in matches and not _mentions(
                text, [opts["ChildLabour"]["label"]] if "ChildLabour" in opts else []):
            matches = [v for v in matches if v not in ("ChildLabour", "Other")]  # "guetteurs et porteurs de munitions"
        first_clause = re.split(r"[,;.،]", text)[0]
        if slot == "exploitation_type" and len(matches) > 1 and "Other" in matches and _dont_know(first_clause, lang):
            matches = [v for v in matches if v != "Other"]  # "jsp trop, du sexe je pense": sex, not "other"
        if slot == "exploitation_type" and matches == ["ForcedLabour"] and _dont_know(first_clause, lang) \
                and word_count(text) <= 8 and not _FORCE.search(fold(text)):
            return Answer(question.skip_value)  # "ما اعرف شنو كانوا يشغلوهم": what work, not known
        if (matches == [] or matches == ["Other"] and "Other" not in named) and (_dont_know(text, lang) or _dont_know(re.split(r"[,;.،]", text)[0], lang)):
            return Answer(question.skip_value)  # "aucune idée franchement": not an answer of "Other"
        if matches:
            return Answer(matches, extra={f"{slot}_text": text} if not short else {})
        # Nothing recognised: "Other" (an HTCDS value) with the person's own words kept beside it.
        return Answer(["Other"], extra={f"{slot}_text": text})

    if question.kind == "count":
        count = counts.understand(text, lang or language.DEFAULT)
        extra: dict[str, Any] = {}
        if count.number is not None:
            extra["victims_count_number"] = count.number
        # Children among them, said in the answer ("2 are kids", "looked 15 or 16"): the minors
        # question is answered already, and never asked again.
        if count.minors or count.minors_mentioned:  # an age under 18 is a mention too
            extra["minors"] = "yes"
        if count.youngest_minor is not None:
            extra["age_under_18"] = count.youngest_minor
        return Answer(text, extra=extra)

    first, _, rest = (re.split(r"([,;.،])", text, maxsplit=1) + ["", ""])[:3]
    if slot in ("incident_date", "perpetrators") and not re.search(r"\d", text) and _dont_know(first, lang, most=8) \
            and word_count(text) <= 10 and not (slot == "incident_date" and rest.strip()
                                               and dates.understand(rest, lang or language.DEFAULT)):
        return Answer(question.skip_value)  # "jsp plus du tout, désolé", "not sure who was in charge"

    if question.kind == "date":
        # When the answer was given: "yesterday" is read against it, at the summary and at sending.
        return Answer(text, extra={"incident_date_at": int(time.time())})

    # text, place: the person's own words are the answer.
    return Answer(text)

"""How many people, and how old, from what a person typed ("about 12", "a dozen", "une dizaine",
"5 or 6", "maybe 30 people, half of them kids", "two looked 15 or 16", "she's 17").

Numbers are read by Duckling (``dates.numbers``: "two", "a dozen", "trente"); what a number is
(a count, an age, a count of children) is told by the words around it. An answer that hedges
("about", "or", "maybe", "une dizaine") is kept as approximate, never rounded into a fact.
"""
from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field

from bot.vocabulary import dates, lexicon
from bot.vocabulary.text import fold

# Collective numbers Duckling does not read, or reads as "one" ("une dizaine" -> 1): about N.
ABOUT = {"dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30, "quarantaine": 40,
         "cinquantaine": 50, "centaine": 100, "a couple": 2, "a few": 3, "several": 4, "dozens": 24,
         "quelques": 3, "plusieurs": 4, "بضع": 3, "عدة": 4, "عشرات": 20, "كم واحد": 3,
         "kilka": 3, "kilkanascie": 12, "kilkadziesiat": 30, "cativa": 3, "cateva": 3, "unos": 3, "unas": 3,
         "varios": 4, "varias": 4, "decena": 10, "docena": 12, "несколько": 4, "кілька": 4, "десяток": 10,
         "дюжина": 12}
# Words that say the number is a guess (folded; see also dates.APPROXIMATE).
HEDGES = (*dates.APPROXIMATE, "a few", "a couple", "several", "at least", "more than", "over", "up to", "plus de", "au moins", "jusqu'a",
          "pres de", "presque", "almost", "nearly", "moins de", "plus ou moins", "less than", "fewer than", "اكثر من", "على الاقل")
# Words after or before a number that make it an age ("15 years", "looked 15", "aged 16").
AGE_AFTER = r"(?:years?|yrs?|y\.?o\b|year-old|ans\b|an\b|سنة|سنه|سنوات|سنين|سنين|عاما?(?!\w)|лет|рок|рік|ani\b|lat\b|anos|ano\b)"
AGE_BEFORE = (r"(?:looked|look|looking|looks|seemed|seem|aged|age|about age|ages|(?<!y en )(?<!y )avait|avaient|semblai\w*|"
              r"who is|who was|i was|i am|j'avais|both|tous les deux|les deux|"
              r"(?:girl|boy|kid|child|son|daughter|fille|garcon|fils)\s+(?:is|was|est|etait)|"
              r"(?:said|told me|told us|claimed|says)\s+(?:that\s+)?(?:she|he|they)\s+(?:was|were|is|are)|she was|he was|"
              r"she is|he is|elle a|il a|"
              r"youngest|smallest|the oldest|oldest|le plus jeune|la plus jeune|plus jeune|la plus petite|le plus petit|اصغرهم|اصغر واحد|الاصغر|شكلهم|شكله|"
              r"شكلها|اعمارهم|اعمارهن|عمرهن|عمرهم|عمرها|عمره|"
              r"air d'avoir|l'air|عمر|عمره|عمرها|اعمارهم|عمرهم|выглядел\w*|виглядал\w*|wygladal\w*|pareau|parecian|"
              r"tenian|tenia|she's|he's|she is|he is|i'm|i am|j'ai|elle a|il a|"
              r"(?:girl|boy|kid|child|fille|garcon|بنت|ولد|فتاة)\s*,|"
              r"(?:girl|boy|woman|man|kid|child|sister|brother|daughter|son|fille|garcon|femme|homme|soeur|sœur|frere|fils|"
              r"بنت|ولد|فتاة|شاب|اخت|اخو)\s+(?:about|around|maybe|"
              r"of|aged|de|d'environ|environ|حوالي))")
# Words that make a number of people children ("2 are kids", "deux enfants", "طفلين").
CHILDREN = (r"(?:kids?|child|children|minors?|bab(?:y|ies)|infants?|toddlers?|bebes?|nourrissons?|رضيع|رضع|under 18|under-age|underage|teen\w*|boys?|girls?|enfants?|mineur\w*|"
            r"ados?|adolescent\w*|gamins?|اطفال|طفل|قاصر\w*|دون 18|اولاد|ولاد|ولد|صغار|جهال|дет\w*|діт\w*|dzieci|niepelnoletn\w*|"
            r"copii|minori|ninos|ninas|menores)")
MAX_COUNT_CHARS = 600
# Spoken Arabic numbers Duckling does not read (Iraqi and Levantine), and duals that are a number
# of children: "خمسطعش" (15), "وحدة بس" (just one), "طفلين" (two children).
SPOKEN = {"احدعش": "11", "اطنعش": "12", "اثنعش": "12", "تلطعش": "13", "ثلطعش": "13", "اربعطعش": "14", "اربعتعش": "14",
          "خمسطعش": "15", "خمستعش": "15", "سطعش": "16", "ستطعش": "16", "سبعطعش": "17", "سبعتعش": "17",
          "ثمنطعش": "18", "تمنطعش": "18", "تسعطعش": "19", "وحدة": "1", "وحده": "1", "واحد": "1",
          "درزن": "12", "سنتين": "2 سنين", "ثنتين": "2", "ثنتان": "2", "طفلين": "2 اطفال", "بنتين": "2 بنات", "ولدين": "2 اولاد", "شخصين": "2", "نفرين": "2"}


# Spoken Arabic numbers 11 to 19, however they are spelt ("ثنعش", "خمستاعش", "اربعطاشر"): a root
# and a form of عشر. And "درزن" (a dozen, as said in Iraq).
_TEEN_ROOTS = {"حد": 11, "احد": 11, "حدا": 11, "اثن": 12, "اتن": 12, "ثن": 12, "تن": 12, "اطن": 12, "ثلاث": 13, "ثلث": 13,
               "تلت": 13, "تلات": 13, "اربع": 14, "ارب": 14, "خمس": 15, "ست": 16, "سط": 16, "سبع": 17, "ثمن": 18,
               "تمن": 18, "ثمان": 18, "تسع": 19}
_ARABIC_TEENS = re.compile(r"(?<!\w)(?:و)?(" + "|".join(sorted(_TEEN_ROOTS, key=len, reverse=True)) +
                           r")(?:ط|ت|تا|طا|ا)?(?:عشر|عش|اشر|طعش|طاشر)(?:ه|ة)?(?!\w)")
# One person named with an article, in a list of people: "three women and a boy", "a mother and
# her 2 kids", "une femme et ses trois enfants". Read as the number one, so the list adds up.
_PERSON_NOUN = (r"(?:mother|father|mum|mom|dad|woman|lady|man|guy|boy|girl|child|kid|baby|infant|toddler|son|daughter|"
                r"husband|wife|sister|brother|niece|nephew|cousin|neighbou?r|friend|teen\w*|mere|pere|maman|papa|femme|"
                r"dame|homme|garcon|fille|enfant|bebe|fils|mari|soeur|sœur|frere|niece|neveu|cousine?|voisine?|amie?|ado)")
_ONE_PERSON = re.compile(r"(?<!\w)(?:an?|one|her|his|their|my|the|une?|sa|son|leur|ma|mon|la|le|l')\s*(?=(?:(?:little|"
                         r"young|small|older|younger|petite?|grande?|jeune|vieille|vieux)\s+)?" + _PERSON_NOUN + r"(?!\w))")
_ONE_PERSON_AR = re.compile(r"(?<!\w)(و)?(?=(?:ال)?(?:ام|اب|امراه|امراة|مره|مرة|رجل|ولد|بنت|طفل|طفله|طفلة|رضيع|اخت|اخو|ابن|شب|شاب|صبي|"
                            r"جار|جاره|جارة|صاحب|صاحبه|صاحبة|صديق|صديقه|صديقة)(?:ها|ه|ي|هم|هن|تها|تي|ته)?"
                            r"(?:\s+(?:صغير|صغيره|صغيرة|زغير|زغيره|كبير|كبيره))?(?:\s+(?:و|مع|عمر\w*|بعمر)|$))")  # "وولد صغير عمره 12"
# The person answering, counted among them: "me and my sister", "انا ومعي ثنين".
_WITH_ME = re.compile(r"(?<!\w)(?:me|myself|moi|انا|احنا)\s+(?:and|et|with|avec|و|مع|ومعي|معي)(?!\w)|"
                      r"^\s*(?:she|he|elle|lui|هي|هو)\s+(?:and|et|with|avec|و|مع)(?!\w)|"
                      r"(?<!\w)(?:and|et|with|avec)\s+(?:me|moi|myself)(?!\w)|(?<!\w)(?:ومعي|وياي|معاي)(?!\w)")
# A total said as such wins over the groups before it: "2 vehicles, 9 pax in total".
_TOTAL = re.compile(r"^\s*(\d+)\s*[-–:]\s+(?=\D*\d)|(?:family|famille|عيله|عيلة|عائله|عائلة|اسره|اسرة)\s+(?:of|de|من)\s+(\d+)|"
                    r"^\s*(?:we were|we are|there were|on etait|on est|nous etions|nous sommes|ils etaient|كنا|احنا)\s+(\d+)(?!\s*\w)|"
                    r"(?:يعني|that's|thats|so|donc|ca fait|soit)\s+(\d+)\s*(?:people|persons|personnes|اشخاص|نفر)?\s*[.!]?\s*$|"
                    r"(\d+)\s*(?:pax|people|persons|personnes|اشخاص|نفر)?\s*(?:in total|total|au total|en tout|"
                    r"bil ?majmu\w*|بالمجموع|المجموع|كلهم|اجمالا)(?!\w)|(?:in total|au total|en tout|total of|"
                    r"total:?|بالمجموع|المجموع)\s*(\d+)")
# One person and no number: "juste moi", "just her", "ma soeur seulement", "اختي بس", "only my daughter".
_ALONE = re.compile(r"^\s*(?:(?:only|just|seulement|juste|uniquement|que|bas|فقط|بس)\s+)?(?:me|myself|her|him|moi|elle|lui|"
                    r"(?:my|his|her|their|our|ma|mon|sa|son|notre|leur)\s+(?:(?:little|young|older|younger|petite?|grande?|jeune)\s+)?"
                    + _PERSON_NOUN + r"|انا|هي|هو|(?:ال)?(?:اخت|اخو|بنت|ابن|زوج|مرت|جار|صاحب|صديق|ام|اب)\w{0,3})"
                    r"(?:\s+(?:only|alone|seule?|seulement|uniquement|tout seul|toute seule|بس|فقط|لحالها|لحاله|لحالي|وحدها|وحده|وحدي))?"
                    r"\s*[.!]*\s*$")
# Ages said one by one: "une de 15, l'autre 17", "وحدة ١٥ والتانية ١٧", "one 15, the other 17".
_EACH_AGE = re.compile(r"(?<!\w)(?:one|l'une|l'un|une|un|وحد[ةه]|واحد)\s+(?:de\s+|is\s+|a\s+)?(\d{1,2})\s*(?:ans|years?|yrs?|سنة|سنه|سنين)?"
                       r"\s*(?:,|and|et|و)?\s*(?:the other|l'autre|(?:ال)?(?:تاني|ثاني|اخرى|تانية|ثانية|تانيه|ثانيه))"
                       r"\s+(?:is\s+|a\s+)?(\d{1,2})(?!\d)")
_ADULTS_THEN = re.compile(r"\s*(?:adults?|women|men|adultes?|femmes|hommes|كبار|نساء|رجال|نسوان)\s*[,،]\s*")
# More people said after the groups: "plus 6 more", "and 4 others", "et 3 autres", "و٣ كمان".
_MORE = re.compile(r"(?:plus|and|\+|et|و)\s*(\d+)\s+(?:more|others?|other people|autres|de plus|اخرين|كمان|غيرهم)(?!\w)")
# One child named, with an article: "her daughter", "the boy", "ابنها".
_ONE_CHILD = re.compile(r"(?<!\w)(?:a|an|one|1|the|her|his|their|my|une?|la|le|sa|son|leur|ma|mon)\s+(?:little\s+|young\s+|petite?\s+)?"
                        r"(?:daughter|son|girl|boy|child|kid|baby|fille|fils|garcon|enfant|gamine?|bebe)(?!\w)|"
                        r"(?<!\w)(?:بنتها|بنته|ابنها|ابنه|ولدها|ولده|طفلها|طفله|البنت|الولد|الطفل|الطفله|الطفلة)(?!\w)")
# Things counted beside people, which are not people: "2 vehicles", "3 rooms".
_NOT_PEOPLE = re.compile(r"\s*(?:vehicles?|cars?|vans?|trucks?|lorr(?:y|ies)|buses|minibus\w*|boats?|rooms?|houses?|"
                         r"flats?|days?|nights?|hours?|weeks?|months?|km|kilomet\w*|euros?|dollars?|usd|eur|voitures?|"
                         r"camions?|bateaux|jours?|nuits?|heures?|semaines?|mois|سيارات|سياره|سيارة|ايام|ساعات|دولار)(?!\w)")
# All of them children: "six girls, all under 18", "ست بنات كلهن تحت الـ18".
_ALL_MINORS = re.compile(r"(?<!\w)(?:all|tous|toutes|كلهم|كلهن|جميعهم)\s+(?:of them\s+)?(?:(?:are|were|sont|etaient)\s+)?"
                         r"(?:underage|minors?|kids|children|mineur\w*|enfants|قاصر\w*|اطفال|صغار|under 18)(?!\w)")
# Words for people, adults or any: "3 women and 2 men" are five people.
PEOPLE = (r"(?:women|woman|men|man|adults?|mothers?|fathers?|mum|dad|husbands?|wives|wife|people|persons|guys|ladies|"
          r"sisters?|brothers?|daughters?|sons?|neighbou?rs?|friends?|nieces?|nephews?|cousins?|"
          r"femmes?|hommes?|adultes?|meres?|peres?|maris?|epouses?|personnes|gars|dames|soeurs?|freres?|filles?|fils|"
          r"voisine?s?|amie?s?|cousine?s?|"
          r"(?:ال)?(?:ام|اب)|امراه|امراة|مره|مرة|رجال|رجل|نساء|نسوان|شباب|شب|شاب|صبي|بنات|اشخاص|نفر|بنت\w*|ابن\w*|اخت\w*|اخو\w*|جار\w*|"
          r"женщин\w*|мужчин\w*|жінк\w*|чоловік\w*|kobiet\w*|mezczyzn\w*|femei|barbati|mujeres|hombres)")
# A list of ages after a group ("two brothers, 12 and 17", "her 2 kids, 6 and 9 yrs"): each an age.
_AGE_LIST = re.compile(r"(?:(?<=[^\W\d])\s*[,:(]|\s+(?:de|of|aged|ages?|agees?|بعمر|اعمارهم|عمرهم))\s*"
                       r"((?:\d{1,2}\s*(?:,|and|et|&|و|y|i|и|і)\s*)+\d{1,2})"
                       r"(?=\s*(?:" + AGE_AFTER + r"|\)|$|[,.;]))")


def _groups(folded: str) -> str:
    """The people listed in a count, as numbers that add up: couples are two, one person named
    with an article is one, a list of ages after a group is ages ("12 years and 17 years")."""
    folded = re.sub(r"(?<!\w)(\d+)\s+(?:couples|paires?|pairs)(?!\w)", lambda m: f"{2 * int(m.group(1))} people", folded)
    folded = re.sub(r"(?<!\w)(?:a|one|un)\s+couple\s+(?=(?:and|with|et|avec)\b)", "2 people ", folded)
    if re.search(r"(?<!\w)(?:and|with|et|avec|plus|only|just|seulement|juste|uniquement)(?!\w)|[+&,]", folded):
        folded = _ONE_PERSON.sub("1 ", folded)
    if re.search(r"(?<!\w)(?:و|مع|بس|فقط)", folded):
        folded = _ONE_PERSON_AR.sub(lambda m: f"{m.group(1)} 1 " if m.group(1) else "1 ", folded)
    folded = _AGE_LIST.sub(lambda m: " " + re.sub(r"(\d{1,2})", r"\1 yrs", m.group(1)), folded)
    return folded


@dataclass(frozen=True)
class Count:
    """What an answer about the potential victims says, as far as it says it."""

    number: int | None = None  # how many people (the lower bound of a range)
    up_to: int | None = None  # the upper bound of "5 or 6", "10-15"
    approximate: bool = False
    minors: int | None = None  # how many of them are under 18, when said as a number
    minors_mentioned: bool = False  # children mentioned without a number ("half of them kids")
    ages: list[int] = field(default_factory=list)  # ages given, youngest first

    def as_dict(self) -> dict:
        # minors=0 ("all adults") is an answer, not an empty field.
        return {k: v for k, v in asdict(self).items() if v is not None and v is not False and v != []}

    @property
    def youngest(self) -> int | None:
        return self.ages[0] if self.ages else None

    @property
    def youngest_minor(self) -> int | None:
        """The youngest age given, when it is under 18."""
        return self.youngest if self.youngest is not None and self.youngest < 18 else None


@functools.lru_cache(maxsize=1)
def _spoken_numbers() -> list[tuple[re.Pattern, str]]:
    """Spoken numbers and their figures, each pattern compiled once: made anew at every answer,
    they overflowed re's cache and were recompiled each time (profiled, issue 16)."""
    return [(re.compile(rf"(?<!\w)(و)?{re.escape(spoken)}(?!\w)"), plain)
            for spoken, plain in [*SPOKEN.items(), *((w, str(v)) for w, v in lexicon.numbers().items())]]


def understand(text: str | None, lang: str) -> Count:
    if not text or not text.strip():
        return Count()
    said = " ".join(text.split())[:MAX_COUNT_CHARS].translate(dates.DIGITS)
    folded = fold(said)
    # "10-15", "10 – 15": a range Duckling would read as 10 and minus 15.
    folded = re.sub(r"(?<![\d/])(\d+)\s*[-–]\s*(\d+)(?![\d/])", r"\1 to \2", folded)
    # "au moins 30", "moins de 10": not minus thirty (the hedge is read from the words below).
    folded = re.sub(r"(?<!\w)half a dozen(?!\w)", "about 6", folded)  # not "a dozen"
    # "all under 18", "moins de 18 ans", "تحت ١٨": a limit of age, not a number of people.
    folded = re.sub(r"(?<!\w)(?:under|below|moins de|تحت|دون|до|under the age of)\s*(?:الـ|ال|سن|عمر)?\s*18(?!\d)", "underage", folded)
    folded = re.sub(r"(?<!\w)un couple(?= et| avec|$)", "2", folded)  # "un couple et leurs trois enfants"
    # "entre 10 et 13 ans", "between 10 and 13": a range, like "10-13".
    folded = re.sub(r"(?<!\w)(?:entre|between|بين|между|між|miedzy|intre|entre)\s+(\d+)\s+(?:et|and|و|и|і|a|si|y)\s+(\d+)",
                    r"\1 to \2", folded)
    each = _EACH_AGE.search(folded)
    folded = _EACH_AGE.sub(lambda m: f"{m.group(1)} yrs and {m.group(2)} yrs", folded)
    # "une dizaine d'enfants", "dont une quinzaine de femmes": about ten, counted like a number
    folded = re.sub(r"(?<!\w)(?:une\s+)?(dizaine|douzaine|quinzaine|vingtaine|trentaine|quarantaine|cinquantaine|centaine)"
                    r"\s+(?:d'|de\s+)", lambda m: f"about {ABOUT[m.group(1)]} ", folded)
    for pattern, plain in _spoken_numbers():
        folded = pattern.sub(lambda m, p=plain: f"{m.group(1)} {p}" if m.group(1) else p, folded)
    # "وخمس اطفال" (and five children): the "and" joined to the number, apart
    folded = re.sub(r"(?<!\w)و(?=\d|(?:واحد|اثن|اتن|ثلاث|تلات|اربع|خمس|ست|سبع|ثمان|تمان|تسع|عشر)\w*(?!\w))", "و ", folded)
    folded = _ARABIC_TEENS.sub(lambda m: str(_TEEN_ROOTS[m.group(1)]), folded)
    listed_ages = bool(_AGE_LIST.search(folded)) or bool(each)
    folded = re.sub(r"(?<!\w)(و)?(?:معهم|معهن|معها|معاهم)\s+(?=(?:طفل|ولد|بنت|رضيع))", "و ", folded)  # "ومعهم طفل": and a child
    folded = _groups(folded)
    numbers_in = re.sub(r"(?<!\w)moins(\s+de)?(?=\s+\w)", lambda m: " " * len(m.group()), folded)
    found = sorted((start, end, int(value)) for start, end, value in dates.numbers(numbers_in, lang)
                   if float(value).is_integer() and 0 <= value <= 100_000)
    ages: list[int] = []
    minors_direct = False
    counts: list[tuple[int, int, int]] = []
    minors = None
    up_to_children = None  # "6 ou 7 gamins": the higher end of a range of children
    for i, (start, end, value) in enumerate(found):
        before, after = folded[max(0, start - 24):start], folded[end:end + 40]
        nearby_age = re.search(rf"{AGE_BEFORE}\s*(?:(?:is|was|a|avait|عمره|عمرها)\s+)?"
                               rf"(?:about|around|maybe|like|probably|vers|environ|peut-etre|حوالي|يمكن)?\s*$", before)
        in_range_of_age = i > 0 and found[i - 1][2] in ages and re.fullmatch(r"\s*(?:or|to|-|–|ou|a|او|или|або|lub|sau|o)\s*",
                                                                          folded[found[i - 1][1]:start])
        if re.match(rf"\s*{AGE_AFTER}", after) or nearby_age or in_range_of_age:
            if 0 < value < 120:
                ages.append(value)
                # "15 or 16 years": the first number of the range is an age too, not a count.
                if (i > 0 and counts and counts[-1] == found[i - 1] and 0 < found[i - 1][2] < 120
                        and re.fullmatch(r"\s*(?:or|to|-|–|ou|a|à|او|أو|или|або|lub|sau|o)\s*", folded[found[i - 1][1]:start])):
                    ages.append(counts.pop()[2])
                    continue
                # "8, two looked 15 or 16", "4 dont une petite de 12 ans": the number just before
                # a child's age, after the total, is how many are children.
                if (not in_range_of_age and value < 18 and counts and counts[-1] == found[i - 1]
                        and end - found[i - 1][1] < 40):
                    if len(counts) > 1:
                        one = counts.pop()[2]
                        # "two boys, one aged 12": one of the children already counted, not another
                        if not (minors_direct and minors is not None and one <= minors):
                            minors = (minors or 0) + one
                    elif minors is None and re.fullmatch(r"[^\d]{0,30}", folded[found[i - 1][1]:start]):
                        minors = counts[0][2]  # "two looked 15 or 16": both of them
            continue
        kids = re.match(rf"\s*(?:of them\s+|d'entre eux\s+|منهم\s+)?((?:are|were|sont|etaient|looked like|look like|looked|"
                        rf"seemed(?: to be)?|semblaient|avaient l'air d'etre|شكلهم)\s+)?"
                        rf"(?:(?:young|little|small|jeunes?|petits?|petites?)\s+)?{CHILDREN}", after)
        if kids and counts and counts[-1] == found[i - 1] and re.fullmatch(
                r"\s*(?:or|to|-|–|ou|a|à|او|أو|или|або|lub|sau|o)\s*", folded[found[i - 1][1]:start]):
            # "6 ou 7 gamins": six to seven children, all of them
            low = counts[-1][2]
            counts[-1] = (counts[-1][0], end, low)
            minors = low if minors is None else minors + low
            up_to_children = value
            continue
        if kids:
            minors = value if minors is None else minors + value
            if counts:
                between = folded[counts[-1][1]:start]
                if not kids.group(1) and (re.search(r"(?<!\w)(?:and|et|plus|y|و|і|и|oraz|si|with|avec|مع)(?!\w)|[+&]", between)
                                          or _ADULTS_THEN.fullmatch(between)):  # "3 adults, 1 child": four
                    counts[-1] = (counts[-1][0], counts[-1][1], counts[-1][2] + value)  # "3 women and 2 kids"
                continue
            minors_direct = not kids.group(1)
            if not minors_direct:
                continue  # "2 are kids": how many children, not how many people
        if counts and re.match(rf"\s*(?:{PEOPLE}|{CHILDREN})(?!\w)", after) and re.fullmatch(
                rf"\s*{PEOPLE}\s*(?:,|and|et|plus|و|\+|&|with|avec|مع)\s*(?:her|his|their|ses|leurs?|sa|son)?\s*",
                folded[counts[-1][1]:start]):
            counts[-1] = (counts[-1][0], end, counts[-1][2] + value)  # "3 women and 2 men", "اب وام"
            continue
        if _NOT_PEOPLE.match(after):
            continue  # "2 vehicles": not people
        if re.match(r"\s*(?:couples|pairs|paires|ازواج|اجواز)(?!\w)", after):
            value *= 2  # "trois couples": six people
        counts.append((start, end, value))
    number = up_to = None
    approximate = any(re.search(rf"(?<!\w){re.escape(h)}(?!\w)", folded) for h in HEDGES)
    if counts:
        number = counts[0][2]
        if len(counts) > 1 and re.fullmatch(r"\s*(?:or|to|-|–|ou|a|à|او|или|або|lub|sau|o)\s*",
                                            folded[counts[0][1]:counts[1][0]]):
            low, high = sorted((counts[0][2], counts[1][2]))
            number, up_to, approximate = low, high, True
    total = _TOTAL.search(folded)
    more = [m for m in _MORE.finditer(folded) if counts and m.start(1) >= counts[0][1]]  # not already added in
    if number is not None and more and not total and up_to is None:
        number += sum(int(m.group(1)) for m in more)  # "3 adults, 1 child, plus 6 more men": ten
    if total:
        number, up_to = int(next(g for g in total.groups() if g)), None  # "9 pax in total", "a family of 5"
    elif number is not None and _WITH_ME.search(folded):
        number += 1  # "me and my sister", "انا ومعي ثنين"
    if number and minors is None and _ALL_MINORS.search(folded):
        minors = number  # "six girls, all under 18"
    if minors is None and any(a < 18 for a in ages) and listed_ages:
        minors = sum(a < 18 for a in ages)  # "her two daughters (9 and 13)": each age said is one of them
    if minors is None and number and number > 1 and sum(a < 18 for a in ages) == 1 and _ONE_CHILD.search(folded) \
            and not _ALL_MINORS.search(folded):
        minors = 1  # "two, a woman and her daughter, the daughter is about 9"
    if number and len(ages) == number and minors is not None and minors > sum(a < 18 for a in ages):
        minors = sum(a < 18 for a in ages)  # "three sisters, 13, 16 and 19": two of them children
    if counts and up_to is None and up_to_children and counts[0][2] < up_to_children:
        number, up_to, approximate = counts[0][2], up_to_children, True
    if number in (None, 1):  # "une dizaine" is read as "une": the collective word decides
        for word, value in ABOUT.items():
            if re.search(rf"(?<!\w){re.escape(word)}", folded):
                number, up_to, approximate = value, None, True
                break
    if number is None and not found and _ALONE.match(folded):
        number = 1  # "juste moi", "ma soeur seulement"
    if number is None and minors is not None and minors_direct:
        number = minors  # "two kids": two people, both children ("2 are kids" says no total)
    children = bool(re.search(rf"(?<!\w){CHILDREN}", folded))
    if re.search(r"(?<!\w)(?:all adults|no kids|no children|no minors|que des adultes|tous adultes|pas d'enfants|"
                 r"all over 18|all above 18|tous majeurs|toutes majeures|كلهم فوق 18|كلهن فوق 18|كلهم فوق الـ ?18|"
                 r"كلهم كبار|ما في اطفال|ماكو اطفال|بدون اطفال)(?!\w)", folded):
        return Count(number=number, up_to=up_to, approximate=approximate and number is not None, minors=0,
                     ages=sorted(set(ages)))
    return Count(number=number, up_to=up_to, approximate=approximate and number is not None, minors=minors,
                 minors_mentioned=children or any(a < 18 for a in ages), ages=sorted(set(ages)))

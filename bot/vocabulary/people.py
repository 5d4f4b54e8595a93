"""Who the people in a report are, in the standard's terms: the citizenship and languages of the
potential victims (ISO 3166 and ISO 639 codes) and the roles of the people in control (HTCDS
``per_RoleInProcess``), from the words of the person reporting.

A guess stays a guess: "a couple might have been Syrian by the accent" is an uncertain Syrian
citizenship, never a fact about all twelve people; "they spoke Ukrainian" is a language, not a
citizenship. The person's own words always travel beside what was read from them.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from bot.vocabulary import lexicon, likeness, places
from bot.vocabulary.text import fold

# Language names as people write them (folded stems, English, French, Arabic and the other
# supported languages) -> ISO 639-1.
LANGUAGE_STEMS = {
    "uk": ["ukrainian", "ukrainien", "الاوكراني", "украин", "українськ", "ukrainsk", "ucrainean", "ucraniano"],
    "ru": ["russian", "russe", "الروسي", "روسي", "русск", "російськ", "rosyjsk", "rusa", "ruso"],
    "ro": ["romanian", "roumain", "moldovan", "moldave", "الروماني", "румынск", "румунськ", "rumunsk", "romana",
           "rumano"],
    "ar": ["arabic", "arabe", "عربي", "العربي", "арабск", "арабськ", "arabsk"],
    "ku": ["kurdish", "kurde", "كردي", "الكردي", "بالكردي", "كوردي", "курдск"],
    "fa": ["farsi", "persian", "persan", "dari", "فارسي", "الفارسي", "بالفارسي"],
    "ps": ["pashto", "pachto", "بشتو"],
    "vi": ["vietnamese", "vietnamien"],
    "ne": ["nepali", "nepalais"],
    "sq": ["albanian", "albanais"],
    "sr": ["serbian", "serbe"],
    "pl": ["polish", "polonais", "polsk"],
    "tr": ["turkish", "turc", "تركي", "التركي", "بالتركي"],
    "en": ["english", "anglais", "انجليزي", "انكليزي"],
    "fr": ["french", "francais", "فرنسي"],
    "es": ["spanish", "espagnol", "espanol"],
    "ti": ["tigrinya"],
    "am": ["amharic", "amharique", "امهري", "الامهري", "امهريه", "الامهريه"],
    "bn": ["bengali", "bangla"],
    "ur": ["urdu", "ourdou", "اردو"],
    "ka": ["georgian", "georgien"],
    "hy": ["armenian", "armenien"],
    "uz": ["uzbek", "ouzbek"],
    "tg": ["tajik", "tadjik"],
}
# Demonyms in Arabic and the other supported languages, beside places.DEMONYM_STEMS (en, fr).
DEMONYM_STEMS = {
    "UA": ["اوكران", "украинц", "українц", "ukrain"], "RU": ["روس", "россиян"], "SY": ["سوري", "сирийц", "syryj"],
    "IQ": ["عراقي", "иракц"], "AF": ["افغان", "афганц"], "TR": ["تركي", "اتراك", "أتراك", "турк"],
    "ER": ["اريتري"], "NG": ["نيجيري"], "RO": ["روماني", "румын"], "MD": ["مولدوف", "молдаван", "молдован"],
    "VN": ["vietnam", "فيتنام", "вьетнам"], "NP": ["nepal", "نيبال"], "PK": ["pakistan", "باكستان"],
    "SD": ["sudan", "soudan", "سوداني"], "SO": ["somali"], "EG": ["egypt", "مصري"],
    "MA": ["morocc", "marocain", "مغربي"], "IR": ["iranian", "iranien", "ايراني"], "TM": ["turkmen", "turkmene"], "HU": ["hungarian", "hongrois", "هنغاري", "مجري"],
    "SK": ["slovak", "slovaque"], "CZ": ["czech", "tcheque"], "BG": ["bulgarian", "bulgare", "بلغاري"],
    "GR": ["greek", "grec", "يوناني"], "LV": ["latvian", "letton"], "EE": ["estonian", "estonien"],
    "DE": ["german", "allemand", "الماني"], "HR": ["croatian", "croate"], "ME": ["montenegrin"],
    "MK": ["macedonian", "macedonien"], "IT": ["italian", "italien"],
    "LY": ["libyan", "libyen", "ليبي"], "TN": ["tunisian", "tunisien", "تونسي"], "DZ": ["algerian", "algerien", "جزائري"], "UZ": ["uzbek", "ouzbek"], "TJ": ["tajik", "tadjik"],
    "BD": ["bangladesh", "bangladais", "bengali", "بنغلاد", "бангладеш"], "IN": ["indian", "indien", "هندي", "индийц"],
    "LK": ["sri lank", "srilank", "سريلانك"], "PH": ["filipin", "philippin", "philipin", "phillipin", "filippin", "pinoy", "فلبين", "فليبين"], "ET": ["ethiopian", "ethiopien", "اثيوبي"],
    "KG": ["kyrgyz", "kirghiz", "киргиз"], "KZ": ["kazakh", "казах"], "AZ": ["azerbaijan", "azeri", "azerbaidjan", "азербайдж"],
    "AM": ["armenian", "armenien", "армян"], "CN": ["chinese", "chinois", "صيني", "китайц"], "JO": ["jordanian", "jordanien", "اردني"],
    "LB": ["lebanese", "libanais", "لبناني"], "PS": ["palestinian", "palestinien", "فلسطيني"], "YE": ["yemeni", "yemenite", "يمني"],
    "GH": ["ghanaian", "ghaneen"], "CM": ["cameroon", "camerounais"], "CD": ["congolese", "congolais"],
}
# Words that say the language or the accent is what was heard: a language, not a citizenship.
SPEAKING = re.compile(r"(?<!\w)(?:spoke|speak|speaking|spoken|language|accent|talked|parl\w*|langue|يتكلم\w*|يتحدث\w*|"
                      r"يحكون|يحكوا|بيحكوا|يحكي|تحكي|حكيهم|كلامهم|لهجتهم|بلهجه|"
                      r"بلغة|لغة|لهجة|говор\w*|розмовля\w*|mowil\w*|vorbe\w*|hablab\w*|en)\s+(?:\w+\s+){0,2}$")
_SPOKEN_AFTER = re.compile(r"\w*\s*-?\s*(?:speaking|speakers?|parlant\w*|ناطق\w*)")
# Words that make a citizenship a guess (folded).
GUESS = ("might", "maybe", "probably", "prob", "probs", "prolly", "prly", "likely", "i'd say", "id say", "i would say",
         "reckon", "a mon avis", "ظني", "على الاغلب", "الاغلب", "je dirais", "j'dirais", "on aurait dit", "genre", "على ما يبدو", "باين", "بيبين", "مبين", "perhaps", "i think", "think", "guess", "not sure", "possibly", "seemed",
         "believe", "likely", "supposedly", "apparently", "je suppose", "apparemment", "on dirait",
         "looked", "accent", "could be", "peut-etre", "peut etre", "ptet", "pt etre", "je crois", "je pense", "sans doute", "probablement", "semblai",
         "ربما", "يمكن", "اعتقد", "اظن", "غالبا", "شكلهم", "شكله", "شكلها", "لهجه", "لهجة", "اللهجه", "اللهجة",
         "مو متاكد", "مش متاكد", "على ما اظن", "мабуть", "може", "напевно", "наверное", "может", "кажется",
         "chyba", "moze", "poate", "cred", "quizas", "tal vez", "creo", "parece")

# Roles of the people in control (HTCDS per_RoleInProcess) -> folded word stems that describe them.
ROLES = {
    "Transporter": ["driver", "drove", "drives", "driving", "transport", "يسوق", "سواق", "سايق", "ساق السيارة", "bus", "van", "truck", "lorry", "taxi",
                    "chauffeur", "conduis", "conducteur", "سائق", "ساق", "نقل", "водител", "водій", "kierowc",
                    "sofer", "conductor", "chofer"],
    "RecruiterOrIntermediary": ["arranged the job", "arranged everything", "arranges the jobs", "set up the job", "sets up the jobs",
                                "organise le travail", "a tout organise", "trouve le travail", "رتب الشغل", "رتب كل شي", "دبرلها الشغل",
                                "finds girls", "finds women", "finds workers", "find girls", "found girls", "makes friends with", "made friends with", "befriend", "groom", "posted the job", "posts jobs", "posted jobs", "job ad", "lured", "lures", "talked them into", "talked her into", "convinced", "persuaded", "cherche des filles", "cherchait des filles", "تقنع", "يقنع", "اقنع", "يقنعون", "تجيب البنات", "بتجيب البنات", "يعرض شغل", "تعرض شغل", "recruit", "job offer", "offered", "promised", "agent", "agency", "advert",
                                "middleman", "middle man", "intermediar", "broker", "found the workers", "found them work",
                                "rabatteur", "intermediaire", "commission", "placee", "place des",
                                "recrut", "propos", "promis", "annonce", "وعد", "يوعد", "وظيف", "بشغل", "مكتب",
                                "تجند", "يجند", "سمسار", "يجيب عمال", "يجيب بنات", "وسيط", "вербов",
                                "вербув", "обещал", "обіцял", "werbow", "obiecy", "recrut", "promet", "recluta",
                                "prometi", "ofrec"],
    "Smuggler": ["get them over", "got them over", "take them over", "took them over the", "through the woods", "through the forest",
                 "over the mountains", "across the border", "over the border", "a travers la foret", "par la foret", "par la montagne",
                 "organise le passage", "a organise le passage", "le passage de la frontiere", "يعبرهم", "عبرهم", "قطعهم الحدود",
                 "get people across", "getting people across", "take people across", "taking people across", "across the river", "faire passer", "font passer", "fait passer", "يهربون", "يهرب الناس", "smuggl", "passeur", "مهرب", "контрабанд", "перевізник", "przemytn", "calauz", "coyote",
                 "traficante de personas"],
    "Kidnapper": ["بالقوة", "بالقوه", "took the child by force", "emmenee de force", "emmene de force", "emmenes de force", "attrapee dans la rue", "jetee dans", "at gunpoint", "took the boys", "took the girls", "took them from", "taken from the", "اخذوهم بالقوة", "اخذوها بالقوة", "sous la menace", "kidnap", "abduct", "snatch", "by force", "took them away", "took the boys away",
                  "took the girls away", "took her away", "de force", "enleve", "يخطف", "خطفوا", "خطفها", "خطفوهم", "grabbed", "grab ", "pushed her into", "pushed them into",
                  "forced her into", "forced them into", "took her by force", "took them by force", "enlev",
                  "kidnapp", "rapt", "خطف", "похит", "викра", "porwa", "rapi", "secuestr"],
    # Someone who hurts them: "two big guys who beat them", "il les frappait", "كان يضربهم".
    "Abuser": ["hits them", "hit one", "hits one", "casse les jambes", "يكسر", "بنكسر", "beat", "beats", "beating", "hit them", "hit her", "hit him", "hit the", "hits", "hitting", "slap",
               "shout", "yell", "insult", "abus", "rape",
               "raped", "hurt", "tortur", "violent", "frapp", "battai", "viol", "brutal", "maltrait", "tabass",
               "cogn", "bat les", "bat ses", "يضرب",
               "ضرب", "اغتصب", "يعذب", "عذب", "يعنف", "избива", "бил ", "били", "бьет", "б'є", "били",
               "bija", "bil ", "bili", "bat ", "batea", "golpea", "pegaba", "maltrat"],
    "SoldIndividual": ["sold", "sell", "vendu", "vend", "revend", "باع", "بيع", "يبيع", "يبيعون", "بايعين", "продал", "продав", "sprzeda", "vandut",
                       "vendio"],
    "BoughtIndividual": ["هو اللي دفع", "اللي دفع فيها", "دفع حقها", "who paid for her", "the one who paid", "paid her family", "paid his family", "paid the family", "paid for the girl", "a paye sa famille", "a paye la famille", "دفع لاهلها", "دفع لأهلها", "bought", "buy", "يشتري", "يشترون", "اشتروا", "اشتراها", "شاري", "buyer", "to another man", "paid for her", "paid for them", "achete", "اشترى", "купил", "купив", "kupil", "cumpar", "compro"],
    "ControlledIndividual": ["متحكم", "يتحكم", "متحكمين", "الماسك", "ماسك البنات", "passport", "document", "papers", "phones", "guard", "watched", "locked", "held the",
                             "enferme", "locks them", "locks her", "يحبس", "يقفل عليهم",
                             # "garde" the noun, not the verb: "il garde tout l'argent" names no guard
                             "kept the", "collected", "confisqu", "un garde", "le garde", "les gardes", "des gardes",
                             "garde les papiers", "garde leurs papiers", "garde les passeports", "garde leurs passeports",
                             "garde son passeport", "garde ses papiers", "surveill", "جواز", "اوراق", "حارس",
                             "حراس", "паспорт", "охран", "охорон", "paszport", "pilnow", "pasaport", "paza",
                             "pasaporte", "vigil"],
    # Anyone else who helps it happen: a corrupt official, a forger.
    "Other": ["bribe", "corrupt", "forged", "forger", "pot-de-vin", "corrompu", "faux papiers", "رشوة", "رشوه", "رشاوي",
              "مزور", "تزوير", "взятк", "хабар", "lapowk", "mita", "soborno"],
    "Exploiter": ["makes her work", "makes them work", "made her work", "made them work", "put them to work", "puts them to work",
                  "never pays her", "never pays them", "doesn't pay her", "doesnt pay her", "fait mendier", "font mendier",
                  "les fait mendier", "البوس", "بوس المصنع", "takes all their money", "takes all the money", "takes their money", "takes everything she earns",
                  "takes everything they earn", "takes everything he earns", "takes her wages", "takes their wages",
                  "takes his wages", "keeps their pay", "keeps their wages", "keeps the money", "keeps all the money",
                  "put her on the street", "puts her on the street", "put them on the street", "puts them on the street",
                  "prend tout l'argent", "prend leur argent", "prend tout leur argent", "prend leur salaire",
                  "ياخذ فلوسهم", "ياخذ كل فلوسهم", "تاخد كل المصاري", "بتاخد كل المصاري", "ياخد كل المصاري",
                  "بياخد كل المصاري", "تاخذ كل الفلوس", "بتاخذ كل الفلوس", "بتبعت البنت تشحد", "بتبعتها تشحد", "يبعتهم يشحدوا",
                  "بيبعتهم يشحدو", "sends her begging", "sends them begging", "l'envoie mendier", "بياخذ المصاري", "بياخذ مصاريهم", "ياخذ رواتبهم", "ياخذ معاشهم",
                  "recuperer tout l'argent", "recupere tout l'argent", "recuperer l'argent", "l'emploie", "les emploie", "employs her", "employs them", "takes the profit", "الكفيل", "gives the orders", "gave the orders", "chez qui elle travaille", "chez qui ils travaillent", "chez qui il travaille", "la famille chez", "the family she works for", "تدير", "يدير", "يديرون", "يجمعون المصاري", "يجمع المصاري", "يجمعون الفلوس", "يجمع الفلوس", "boss", "owner", "manager", "in charge", "pimp", "madam", "employer", "acted like", "ran the",
                  "runs the", "collects the money", "يقبض", "يجيب الزباين", "يجيب الزبائن", "يلم الفلوس", "ramasse l'argent", "encaiss", "gerait", "gere ", "envoie mendier",
                  "les fait travailler", "les fait bosser", "collected the money", "took the money", "takes the money",
                  "foreman", "supervisor",
                  "patron", "proprio", "chef", "gerant", "proxenete", "mac ", "صاحب", "مدير", "المسؤول", "قواد",
                  "يشغلهم", "يشغلهن", "شغلهم", "شغلهن", "يشغل", "مشغل", "الريس", "ريس",
                  "хозя", "господар", "начальн", "сутен", "szef", "wlasciciel", "alfons", "patron", "proxenet",
                  "jefe", "dueno", "proxeneta"],
}


_ARABIC = re.compile(r"[\u0600-\u06ff]")
# Arabic writes the article and some prepositions onto the word: "السائق" is "the driver",
# "لصاحب" is "to the owner of".
_ARABIC_PREFIX = r"(?:و|ف)?(?:ال|بال|لل|كال)?"
_ROLE_PREFIX = r"(?:و|ف)?(?:ال|بال|لل|كال|ل|ب)?"  # a role is also named "to" or "by" someone


def _has(folded: str, stem: str, arabic_prefix: str = _ARABIC_PREFIX) -> bool:
    stem = fold(stem)
    if stem not in folded:  # the pattern below matches the stem itself: without it, no match
        return False
    prefix = arabic_prefix if _ARABIC.match(stem) else ""
    return re.search(rf"(?<!\w){prefix}{re.escape(stem)}", folded) is not None


def citizenship_and_languages(text: str) -> dict[str, list[str]]:
    """{"citizenship": codes stated plainly, "citizenship_uncertain": codes guessed,
    "languages": ISO 639-1 codes of the languages heard}.

    Read clause by clause: "from Ethiopia, maybe Eritrea too" states one and guesses the other;
    "they spoke Uzbek and a little Russian" names two languages and no citizenship."""
    folded = f" {fold(text or '')} "
    languages: list[str] = []
    stated: list[str] = []
    guessed: list[str] = []

    def clause(at: int) -> tuple[int, int]:
        starts = [m.end() for m in _CLAUSE.finditer(folded, 0, at)]
        after = _CLAUSE.search(folded, at)
        return (starts[-1] if starts else 0), (after.start() if after else len(folded))

    def spoken(at: int, end: int) -> bool:  # a language, by a verb of speaking in its clause
        a, _ = clause(at)
        return bool(SPEAKING.search(folded[:at]) or _SPEAK_VERB.search(folded[a:at]) or _SPOKEN_AFTER.match(folded[end:]))

    mentions: list[tuple[str, int, int]] = []  # (code, start, end) of every people or country named

    def guess(at: int, end: int) -> bool:  # "maybe Eritrea", "Cameroon I believe", "by the accent"
        if re.search(r"(?<!\w)(?:or|ou|او|أو|или|або|lub|sau|o)\s+(?:\w+\s+)?$", folded[max(0, at - 16):at]) or \
                re.match(r"\w*\s*(?:,\s*)?(?:or|ou|او|أو|или|або|lub|sau|o)\s", folded[end:end + 12]):
            return True  # "Turks, or Azeris", "Serbian or Bosnian": one or the other, a guess either way
        a, b = clause(at)
        # A guess after the last name of the clause is every name's ("Afghans and Pakistanis I'd
        # say"); otherwise a guess after a name is its own only when no other name follows in the
        # clause: "Cameroon I believe", but "Syrians and maybe Iraqis" guesses the Iraqis only.
        last = max((e for _, s, e in mentions if a <= s < b), default=end)
        if last > end and any(_has(folded[last:b], g) for g in GUESS):
            return True
        if any(end <= s < b for _, s, _ in mentions):
            b = end
        return _by_accent(folded, at) or any(_has(folded[a:at], g) or _has(folded[end:b], g) for g in GUESS)

    def keep(code: str, at: int, end: int) -> None:
        mentions.append((code, at, end))

    for code, needle, pattern in _language_patterns():
        if needle not in folded:  # each pattern matches its folded stem: not in the text, no match
            continue
        for match in pattern.finditer(folded):
            if spoken(match.start(), match.end()) or not _demonym_at(folded, match.start()):
                if code not in languages:
                    languages.append(code)
    for code, needle, pattern in _demonym_patterns():
        if needle not in folded:
            continue
        for match in pattern.finditer(folded):
            if spoken(match.start(), match.end()) and not _ACCENT_BEFORE.search(folded[:match.start()]):
                continue  # "they spoke Romanian", "Russian speakers": the language, said above
            if _DENIED.search(folded[max(0, match.start() - 14):match.start()]):
                continue  # "لهجتهم مو عراقية", "not Syrian": denied, neither stated nor guessed
            keep(code, match.start(), match.end())
    for at, country in sorted(places.countries_in(text or "")):
        keep(country, at, at + 1)
    # The longest name wins where names overlap: "South Sudanese" is not also Sudanese.
    mentions = [m for m in mentions if not any(o[1] <= m[1] and m[2] <= o[2] and (o[2] - o[1]) > (m[2] - m[1])
                                               and o[0] != m[0] for o in mentions)]
    for code, at, end in sorted(mentions, key=lambda m: m[1]):
        target = guessed if guess(at, end) else stated
        if code not in target:
            target.append(code)
    if "ar" not in languages and re.search(r"لهج", folded) and set(stated + guessed) & _ARAB_COUNTRIES:
        languages.append("ar")  # "لهجتهم عراقية": an Iraqi dialect is Arabic heard
    return {"citizenship": [c for c in stated if c not in guessed], "citizenship_uncertain": guessed,
            "languages": languages}


_DENIED = re.compile(r"(?<!\w)(?:not|pas|mais pas|مو|مش|ليس|ليسوا|مب|مهم)\s+(?:(?!sure|certain|متاكد|اكيد)\w+\s+)?$")
_ARAB_COUNTRIES = frozenset("DZ BH KM DJ EG IQ JO KW LB LY MR MA OM PS QA SA SO SD SY TN AE YE".split())


# Where a clause ends: a guess or a verb of speaking holds for its own clause only.
_CLAUSE = re.compile(r"[,;.!?…،؛]|\s(?:but|mais|however|بس|لكن|bet|но|але|ale|dar|pero)\s")
_SPEAK_VERB = re.compile(r"(?<!\w)(?:spoke|speak\w*|talk\w*|parl\w*|يتكلم\w*|يتحدث\w*|يحكون|يحكوا|بيحكوا|يحكي|تحكي|"
                         r"(?:ب|ع|و)?(?:ي|ت|ن)(?:حك|حچ|تكلم|تحدث)\w*|حكو|حكوا|حچو|حچوا|تكلمو\w*|"
                         r"يحچون|говор\w*|розмовля\w*|mowi\w*|vorbe\w*|habl\w*)(?!\w)")


# An accent or a dialect heard is a guess at where people are from ("Syrian by the accent",
# "بلهجة سورية"): never a stated citizenship.
ACCENT = ("accent", "لهجه", "لهجة", "لهجت", "акцент", "akcent", "acento")


# An accent named just before: "a Syrian accent", "accent anglais", "بلهجة سورية" (a guess, not a language).
_ACCENT_BEFORE = re.compile(r"(?:accent|لهجه|لهجة|بلهجه|بلهجة|لهجت\w*|акцент\w*|akcent\w*|acento)\s+(?:\w+\s+){0,2}$")


def _by_accent(folded: str, at: int) -> bool:
    return any(a in folded[max(0, at - 25):at + 30] for a in ACCENT)


def _demonym_at(folded: str, at: int) -> bool:
    """Whether the word at ``at`` names people ("Syrian", "romaines") rather than a language."""
    word = re.match(r"\w+", folded[at:])
    return bool(word) and any(word.group().startswith(fold(s)) for stems in _demonym_stems().values()
                              for s in stems) and not SPEAKING.search(folded[:at])


PEOPLES = Path(__file__).with_name("peoples")


def _table(name: str) -> dict[str, list[str]]:
    """code -> stems, from a table of ``peoples/`` (every language's stems together)."""
    found: dict[str, list[str]] = {}
    with (PEOPLES / name).open(encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                code, _lang, stems = line.rstrip("\n").split("\t")[:3]
                found.setdefault(code, []).extend(fold(s) for s in stems.split("|") if len(fold(s)) >= 3)
    return found


@functools.lru_cache(maxsize=None)
def _stem_at_word_start(prefix: str, stem: str) -> re.Pattern:
    """One compiled pattern per stem, kept: hundreds of stems overflowed re's own cache, and
    recompiling them was most of the time a report took to build (profiled, issue 16)."""
    return re.compile(rf"(?<!\w){prefix}{re.escape(fold(stem))}")


@functools.lru_cache(maxsize=1)
def _language_patterns() -> list[tuple[str, str, re.Pattern]]:
    """(code, folded stem, pattern) for every language stem, in the tables' order."""
    return [(code, fold(stem), _stem_at_word_start("", stem)) for code, stems in _language_stems().items()
            for stem in stems]


@functools.lru_cache(maxsize=1)
def _demonym_patterns() -> list[tuple[str, str, re.Pattern]]:
    """(code, folded stem, pattern) for every people's stem, in the tables' order; an Arabic stem
    may carry its prefixes ("وأوكرانيات": and Ukrainian women)."""
    return [(code, fold(stem), _stem_at_word_start(_ARABIC_PREFIX if _ARABIC.match(stem) else "", stem))
            for code, stems in _demonym_stems().items() for stem in stems]


@functools.lru_cache(maxsize=1)
def _language_stems() -> dict[str, list[str]]:
    """ISO 639-1 code -> stems naming the language: the ones above and ``peoples/languages.tsv``."""
    stems = {code: list(s) for code, s in LANGUAGE_STEMS.items()}
    for code, more in _table("languages.tsv").items():
        stems.setdefault(code, []).extend(m for m in more if m not in stems[code])
    return stems


@functools.lru_cache(maxsize=1)
def _demonym_stems() -> dict[str, list[str]]:
    """ISO 3166 code -> stems naming its people: places', the ones above and ``peoples/demonyms.tsv``."""
    stems = {code: list(s) for code, s in places.DEMONYM_STEMS.items()}
    for table in (DEMONYM_STEMS, _table("demonyms.tsv")):
        for code, more in table.items():
            stems.setdefault(code, []).extend(m for m in more if m not in stems[code])
    return stems


# per_RoleInProcess's picklist, in the standard's order (htcds-field-standards-2.0.csv).
ROLE_ORDER = ("TravellingPartner", "Transporter", "RecruiterOrIntermediary", "BrokerTravelAgent",
              "TransferredIndividual", "HarbouredIndividual", "SoldIndividual", "BoughtIndividual",
              "ReceivedIndividual", "ControlledIndividual", "Smuggler", "Abuser", "Kidnapper", "Exploiter", "Other")


# Sold to someone: a buyer is among the people in control too.
_SOLD_TO = re.compile(r"(?<!\w)(?:sold|sell\w*|(?:re)?vend\w*|(?:و|ف)?باع\w*|(?:و|ف)?يبيع\w*|продал\w*|продав\w*|sprzeda\w*|"
                      r"vandu\w*|vendi\w*)\s+(?:[^\W\d]+\s+){0,3}?(?:to|a|au|aux|ل|الى|الي|لـ|кому|komus|unui|unei|al)\s*"
                      r"(?:another|a|an|some|one|this|that|un|une|cet|ce|un autre|une autre|)\s*(?:old\w*|rich\w*|vieux|riche)?\s*"
                      r"(?:guy|man|men|woman|person|family|buyer|customer|client|homme|type|mec|femme|famille|acheteur|"
                      r"واحد|رجل|رجال|شخص|زلمه|زلمة|مره|مرة|عيله|عيلة|ناس)(?!\w)")


_FORGED = re.compile(r"(?<!\w)(?:fake|forged|false|faux|fausses?|مزور\w*)\s+(?:\w+\s+)?(?:papers?|passports?|documents?|ids?|visas?|"
                     r"papiers?|passeports?|pieces?|اوراق|جوازات|جواز|وثائق)|(?<!\w)(?:اوراق|جوازات|جواز|وثائق)\s+مزور\w*")
# What a person in charge is called, as opposed to what they do.
# (An owner or a boss profits from the work: "the owner of the car wash hits them" is both.)
_TITLES = re.compile(r"(?<!\w)(?:the |a |le |la |l'|un |une |ال)?(?:manager|in charge|madam|madame|foreman|supervisor|"
                     r"commander|chief|chef de chantier|chef d'equipe|chef du camp|contremaitre|contre-maitre|gerant\w*|responsable|"
                     r"الشيف|شيف|"
                     r"مدير|المسؤول|مسؤول|ريس|الريس|مشرف|المشرف|قائد|начальн\w*)(?!\w)")
_ACTING = frozenset({"Abuser", "ControlledIndividual", "Kidnapper", "BoughtIndividual", "SoldIndividual", "Transporter"})


# Words of driving itself (not of a vehicle): a transporter beside a kidnapper or smuggler.
_DRIVING = ("driver", "drove", "drives", "driving", "chauffeur", "conduis", "conduit", "conducteur", "سائق", "سواق", "سايق",
            "يسوق", "ساق", "водител", "водій", "kierowc", "sofer", "conductor", "chofer")


@functools.lru_cache(maxsize=1)
def _role_stems() -> dict[str, tuple[str, ...]]:
    """The stems above and those of the lexicon files, role by role."""
    more = lexicon.roles()
    return {role: tuple(dict.fromkeys([*stems, *more.get(role, ())])) for role, stems in ROLES.items()}


# The statistical reader (vocabulary.likeness) adds a role when nearly sure of it and drops a role
# the words named when nearly sure it is not meant ("garde tout l'argent" names no guard).
_LIKELY_ADD, _LIKELY_DROP = 0.8, 0.05


@functools.lru_cache(maxsize=1)
def _role_patterns() -> dict[str, re.Pattern]:
    """One pattern per role, of all its stems (as ``_has`` reads each: Arabic ones after a prefix)."""
    def one(stem: str) -> str:
        stem = fold(stem)
        return (_ROLE_PREFIX if _ARABIC.match(stem) else "") + re.escape(stem)
    return {role: re.compile(r"(?<!\w)(?:" + "|".join(sorted({one(s) for s in stems}, key=len, reverse=True)) + ")")
            for role, stems in _role_stems().items()}


# Not people sold nor vehicles driven: "makes us sell drugs", "sent the bus ticket".
_NOT_A_ROLE = re.compile(r"(?<!\w)(?:sell\w*|sold|vend\w*|يبيع\w*|بيبيع\w*|باع\w*)\s+(?:\w+\s+)?(?:drugs?|weed|flowers|tissues|"
                         r"cigarettes|stuff|things|goods|kidneys?|organs?|dreams?|drogue\w*|fleurs|mouchoirs|reins?|organes?|du reve|des reves|"
                         r"مخدرات|حشيش|ورد|مناديل|دخان|كلاهم|كليته\w*|اعضاء\w*)(?!\w)|(?<!\w)border guards?|gardes?[- ]frontieres?|"
                         r"douaniers?|حرس الحدود|boss'?s? son|son of the boss|fils du patron|ابن المعلم|ابن المدير|"
                         r"(?<!\w)(?:bus|train|plane|flight|boat|ferry)\s+tickets?|billets? (?:de|d')\s*(?:bus|train|avion|bateau)|"
                         r"تذكر\w*\s+(?:ال)?(?:باص|طياره|طيارة|قطار)")


def roles_in(text: str, lang: str | None = None) -> list[str]:
    """HTCDS roles the description of the people in control names, in the standard's order."""
    folded = _NOT_A_ROLE.sub(" ", f" {fold(text or '')} ")
    found = {role for role, pattern in _role_patterns().items() if pattern.search(folded)}
    likely = likeness.probabilities("roles", text, lang) if lang and len((text or "").split()) > 1 else {}
    found = {r for r in found if likely.get(r, 1) >= _LIKELY_DROP} | {r for r, p in likely.items() if p > _LIKELY_ADD}
    if "Transporter" in found and found & {"Kidnapper", "Smuggler"} and not any(_has(folded, s, _ROLE_PREFIX) for s in _DRIVING):
        found.discard("Transporter")  # "pushed her into a van": a kidnapping, the van names no transporter
    if "ControlledIndividual" in found and _FORGED.search(folded) and not _role_patterns()["ControlledIndividual"].search(
            _FORGED.sub(" ", folded)):
        found.discard("ControlledIndividual")  # "un mec qui leur fabrique des faux papiers": a forger, no keeper
    if "Exploiter" in found and found & _ACTING and not _role_patterns()["Exploiter"].search(_TITLES.sub(" ", folded)):
        # "the manager hits them", "the madam checks their phones": a title beside what the person
        # did; exploiting is named by its own words ("takes the profit", "les fait travailler")
        found.discard("Exploiter")
    if "SoldIndividual" in found and _SOLD_TO.search(folded):
        found.add("BoughtIndividual")  # "sold the girl to another guy": someone bought her
    return [role for role in ROLE_ORDER if role in found]

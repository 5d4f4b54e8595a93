"""Signs that people are controlled (HTCDS vic_MethodsOfControl), read from what was said in
context: kept in, very long hours, papers absent or still held, pay named inside a promise, a
guard there day and night. The options' words find the signs (``dialogue.answers``); these
patterns add what only a description says and take back what the context denies.
"""
from __future__ import annotations

import re

# Not allowed or able to go out: kept in, in any supported language.
KEPT_IN = re.compile(r"(?<!\w)(?:not|never|no one is|nobody is|cannot|cant|couldnt|werent|wasnt|arent|isnt|dont|didnt|"
                     r"doesnt|wont|wouldnt)\s+(?:\w+\s+)?(?:allowed|able|permitted|free|let)?"
                     r"\s*(?:to\s+)?(?:go|leave|get|walk|step)\s*(?:out|outside|away|off|home)?(?!\w)|"
                     r"(?<!\w)(?:pas|jamais|plus)\s+(?:le droit|autorise\w*|libres?|la permission|capables?)\s+(?:de|d')\s*"
                     r"(?:sortir|partir|quitter|s'en aller|bouger)|(?<!\w)(?:peu\w*|pouv\w*)\s+(?:pas|jamais|plus)\s+"
                     r"(?:sortir|partir|quitter|s'en aller)|(?<!\w)(?:و|ف)?(?:ما|مو|مش|لا)\s+(?:\w+\s+)?ب?(?:يسمح\w*|مسموح\w*|يقدر\w*|"
                     r"تقدر\w*|يگدر\w*|تگدر\w*|يخلو\w*|يخلي\w*|تخلي\w*)\s+(?:\w+\s+)?(?:يطلع\w*|تطلع\w*|يخرج\w*|تخرج\w*|"
                     r"يروح\w*|تروح\w*|يتركو\w*)|"
                     r"(?<!\w)ممنوع\w*\s+(?:من\s+)?(?:الطلوع|الخروج|يطلع\w*|يخرج\w*|تطلع\w*|تخرج\w*)|"
                     r"(?<!\w)(?:doesnt|dont|didnt|wont|never|not|wouldnt)\s+let\s+(?:anyone|anybody|them|her|him|us|people|"
                     r"the \w+)\s+(?:go\s+)?(?:out|leave|outside|go)(?!\w)|(?<!\w)(?:nobody|no one|noone)\s+(?:leaves|goes out|"
                     r"gets out|can leave|is allowed out)|(?<!\w)personne ne (?:sort|part|quitte)|laisse(?:nt)? (?:personne|pas) sortir|"
                     r"sans (?:pouvoir|pouvoir en|avoir le droit de) (?:sortir|partir)|without being (?:able|allowed) to (?:leave|go out)|"
                     r"(?<!\w)(?:و|ف)?(?:ما|مو|مش)\s+(?:كنت|كانت|كانوا|كانو|كنا)?\s*(?:ب)?(?:اطلع|تطلع|يطلع|نطلع|اخرج|تخرج|يخرج)\w*")
# Ten hours of work a day or more, or every day of the week: very long hours, in any language.
LONG_HOURS = re.compile(r"(?<!\d)(?:1\d|2[0-4])\s*(?:h|hrs?|hours?|heures?|ساعه|ساعة|ساعات|час\w*|godzin\w*|ore|horas)"
                        r"(?!\w)\s*(?:\w+\s+)?(?:a|per|par|/|each|every|في|بال|ب|يوميا|كل|по|на|dziennie|pe|al|diarias)?\s*"
                        r"(?:day|jour|j|d|يوم|اليوم|نهار|день|добу|dzien|zi|dia)|(?<![\d/])(?:7|24)\s*(?:j|d)?\s*/\s*7(?!\d)|"
                        r"7 jours sur 7|sept jours sur sept|7 days a week|seven days a week|7 ايام بالاسبوع|"
                        r"(?:journees?|jours?|days?|shifts?|postes?|نوبات?|دوام)\s+(?:de|of|ب)\s*(?:1\d|2[0-4])\s*(?:h|hours?|heures?|ساعه|ساعة)")
# Working from one hour to another: "de 6h du matin à 23h", "from 6am till 10pm", "من ٦ الصبح لـ ١١ بالليل".
_SPAN = re.compile(r"(?<!\w)(?:de|from|من|od|з|с|desde)\s*(\d{1,2})(?:[:h.]\d\d)?\s*(am|pm|h)?[^\d]{0,25}?"
                   r"(?:a|à|to|till|until|til|jusqu'a|\-|الى|الي|لل|ل|لـ|حتى|do|до|pana la|hasta)\s*(\d{1,2})(?:[:h.]\d\d)?\s*"
                   r"(am|pm|h|du soir|de la nuit|at night|in the evening|بالليل|الليل|بالمسا|المسا|مساء|вечера|ночи|wieczorem|seara|de la noche)?")


def long_span(folded: str) -> bool:
    """Whether a span of working hours said is ten hours or more ("de 6h à 23h": 17)."""
    for m in _SPAN.finditer(folded):
        start, end = int(m.group(1)), int(m.group(3))
        if start > 24 or end > 24:
            continue
        if m.group(4) not in (None, "am", "h") and end < 12:
            end += 12
        if m.group(2) == "pm" and start < 12:
            start += 12
        hours = (end - start) % 24 or 24
        if end <= start and m.group(4) not in ("pm", "h") and start <= 12 and end <= 12:
            hours = end + 12 - start  # "from 7 to 9": seven in the morning to nine at night
        if hours >= 10:
            return True
    return False


# Pay named inside a promise is the promise ("promised good pay... no pay at all"): taken earnings
# need a word of taking. Papers people have are not withheld ("ils avaient leurs papiers"). And
# "nobody seemed controlled" is none seen.
# Papers absent are papers withheld: "pas de papiers", "ما معهم ورقة ولا هوية".
NO_PAPERS = re.compile(r"(?<!\w)(?:no|without|pas de|plus de|sans|n'ont (?:pas|plus)|ont (?:pas|plus)|ما معهم|مامعهم|ما عندهم|"
                       r"ماعندهم|بدون|بلا|ما معها|ما عندها)\s+(?:\w+\s+)?(?:papers|passports?|documents|ids?|papiers|passeports?|"
                       r"pieces|ورقه|ورقة|اوراق|هويه|هوية|جواز|جوازات|باسبور\w*|وثائق)(?!\w)")
# No day off, shifts of many hours: very long hours ("they never get a day off", "14 hr shifts", "Sundays too").
NO_REST = re.compile(r"(?<!\w)(?:never|no|not|without|sans|jamais|pas de|pas un|aucun|ما|ماكو|مافي|ما في|بدون|بلا|ولا)\s+(?:\w+\s+){0,3}"
                     r"(?:day off|days off|rest day|day of rest|holiday|weekend|jour de repos|jours de repos|jour de conge|"
                     r"jour off|repos|conge|عطله|عطلة|عطل|اجازه|اجازة|اجازات|يوم راحه|يوم راحة|راحه|راحة)(?!\w)|"
                     r"(?<!\d)(?:1[0-9]|2[0-4])\s*(?:h|hr|hrs|hours?|heures?|ساعه|ساعة)\s*(?:shifts?|journees?|de travail|"
                     r"of work|work|days?|شغل|دوام)(?!\w)|(?<!\w)(?:sundays too|weekends too|dimanche aussi|dimanches aussi|"
                     r"morning (?:till|until|to) (?:night|late|midnight)|du matin au soir|de l'aube|من الصبح لليل|"
                     r"من الصبح للمسا|7 days a week|7 jours sur 7|7/7|24/7)(?!\w)|"
                     r"(?<!\w)(?:dorm\w*|sleep\w*|slept|ينام\w*|بينام\w*|نايمين)\s+(?:que\s+|only\s+|bas\s+|بس\s+)?"
                     r"[1-4](?:\s*[-–]\s*[1-5])?\s*(?:h|hrs?|hours?|heures?|ساعات|ساعه|ساعة)(?!\w)")
_TAKING = re.compile(r"(?<!\w)(?:take|takes|took|taken|taking|keep|keeps|kept|withh\w*|stole|steal\w*|pocket\w*|"
                     r"prend\w*|pris|garde\w*|confisqu\w*|retien\w*|retenu\w*|vol\w*|recup\w*|encaiss\w*|"
                     r"goes to|go to|went to|va au|va a|vont au|vont a|allait au|donne\w* tout|gives? (?:it )?all|"
                     r"(?:[وف])?(?:ب)?(?:ياخذ|ياخد|تاخذ|اخذ|اخد|ماخذ|ماخد|ياكل|اكل|بياكل|يقبض|قبض|يلم|يحجز|حاجز)\w*)(?!\w)")
_HAVE_PAPERS = re.compile(r"(?<!\w)(?:they|ils|elles|everyone|everybody|all of them|tout le monde|tous)\s+(?:\w+\s+)?"
                          r"(?:had|have|has|carried|avaient|ont|avait)\s+(?:all\s+|tous\s+)?"
                          r"(?:their|his|her|leurs?|ses|son|sa)\s+(?:own\s+)?(?:papers|passports?|documents|ids?|papiers|"
                          r"passeports?|pieces)|(?<!\w)(?:معهم|معاهم|عندهم|بايدهم|بإيدهم|بيدهم)\s+(?:\w+\s+)?(?:جوازات\w*|"
                          r"اوراق\w*|اوراقهم|هويات\w*|وثائق\w*|باسبور\w*)")
_PROMISED_PAPERS = re.compile(r"(?<!\w)(?:promis\w*|promet\w*|promesse\w*|offered|وعد\w*|وعدو\w*)\s+(?:[^,.;،]{0,40}\s)?"
                              r"(?:papers|papiers|documents|visas?|permits?|permis|titres? de sejour|"
                              r"(?:و|ب|بال|وال|ال)?(?:اوراق|اقامه|اقامة|فيزا))")
_HAVE_DENIED = re.compile(r"(?<!\w)(?:not|no|never|n'|pas|plus|jamais|ما|مو|مش|ماكو|مافي|ما في)\W*(?:\w+\W+){0,2}$")
NO_CONTROL = re.compile(r"(?<!\w)(?:nobody|no one|not|none|nothing|rien|personne|pas|aucun\w*|ما|مو|مش)\s+(?:\w+\s+){0,2}"
                        r"(?:controlled|control|forced|under control|controle\w*|force\w*|contraint\w*|sous controle|"
                        r"مجبور\w*|مسيطر\w*|تحت السيطره|تحت السيطرة|تحكم\w*)(?!\w)")


_CARDS = re.compile(r"(?<!\w)(?:bank ?cards?|cards|cartes? (?:bancaires?|de banque)|cartes|بطاق\w*|كروت|الكروت|الفيزا كارد)")
_PAPER_WORDS = re.compile(r"(?<!\w)(?:papers?|passports?|documents?|ids?|id cards?|papiers?|passeports?|pieces? d'identite|cartes? d'identite|"
                          r"(?:و|ب|بال|ال)?(?:اوراق|جواز\w*|هوي\w*|وثائق|باسبور\w*))(?!\w)")
_GUARD_ALWAYS = re.compile(r"(?:guard|gardien|garde|حارس|حراس|واحد واقف)\s+(?:\S+\s+){0,5}(?:ليل نهار|ليل ونهار|day and night|"
                           r"night and day|jour et nuit|nuit et jour|24/24|24h/24|24/7)")


def in_context(matches: list[str], folded: str, working: bool) -> list[str]:
    """The signs the words named, read again in their context (``working``: work is named)."""
    if "ExcessiveWorkingHours" in matches and "RestrictsFreedom" in matches and not working \
            and not LONG_HOURS.search(folded) and not NO_REST.search(folded):
        matches = [v for v in matches if v != "ExcessiveWorkingHours"]  # "enfermés dans la cave toute la journée": kept in
    if "WithholdsDocuments" in matches and _CARDS.search(folded) and not _PAPER_WORDS.search(folded):
        matches = [v for v in matches if v != "WithholdsDocuments"]  # bank cards held: the earnings, not the papers
    if "ExcessiveWorkingHours" in matches and _GUARD_ALWAYS.search(folded) and not LONG_HOURS.search(folded):
        matches = [v for v in matches if v != "ExcessiveWorkingHours"]  # a guard there day and night: watched, not hours
    if "TakesEarnings" in matches and "FalsePromises" in matches and not _TAKING.search(folded):
        matches = [v for v in matches if v != "TakesEarnings"]
    if "WithholdsDocuments" in matches and "FalsePromises" in matches and _PROMISED_PAPERS.search(folded) \
            and not _TAKING.search(folded):
        matches = [v for v in matches if v != "WithholdsDocuments"]  # "promised a good job and papers"
    if "WithholdsDocuments" in matches:
        held = [m for m in _HAVE_PAPERS.finditer(folded) if not _HAVE_DENIED.search(folded[max(0, m.start() - 20):m.start()])]
        if held:
            matches = [v for v in matches if v != "WithholdsDocuments"] or ["None"]
    return matches

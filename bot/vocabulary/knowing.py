"""How the person reporting knows what they report: seen, told, or read (HTCDS-side "other").

The options' own words name it when they can ("I saw it myself"); these patterns settle the
answers that name several or none: a job that often hears beside "I saw it", a telling denied
("nobody told me"), a video, post, file or note, which is "other" even when "seen".
"""
from __future__ import annotations

import re

# How the person knows: telling said in so many words is "told" even beside what they saw ("I drove
# them and they told me"); seeing said in the first person is "observed" beside a job that often
# hears ("I drive for a volunteer group... I saw it during one of my runs").
_TELLING = re.compile(r"(?<!\w)(?:و|ف)?(?:told|tells|telling|said|says|explained|confided|informed me|called me|texted me|"
                      r"m'a dit|m'ont dit|m'a racont\w*|m'ont racont\w*|m a dit|m ont dit|ma dit|mont dit|on m'a dit|"
                      r"m'a parle|m'ont parle|m'a explique|m'ont explique|m'a confie|rumeu?rs?|"
                      r"قال|قالت|قالو|قالوا|قلي|قللي|قالتلي|قالولي|قالي|حكالي|حكتلي|حكولي|حكت لي|حكى لي|خبرني|خبرتني|خبروني|"
                      r"il disait|elle disait|ils disaient|il dit|elle dit|transmis|par radio|over the radio|on the radio|by radio|"
                      r"بالراديو|باللاسلكي|عاللاسلكي|خبرتنا|خبرنا|خبرونا|حكتلنا|حكالنا|حكولنا|قالتلنا|قالنا|قالولنا|"
                      r"اخبرني|اخبرتني|اخبروني|بلغني|سمعت من|حكيت مع|كلمتني|كلمني|حچالي|حچيلي|حچتلي|حچولي|وحچالي|وحكالي|وحكتلي)(?!\w)")
# Read, not seen nor told: "je l'ai lu dans un groupe Telegram", "وصلتني وثائق مسربة".
_READING = re.compile(r"(?<!\w)(?:i read|read it|read about|read on|read in|j'ai lu|je l'ai lu|l'ai lu|lu sur|lu dans|"
                      r"leaked|fuite|posted|a poste|publie|anonymous|anonyme|unsigned|no name on it|a letter|une lettre|lettre anonyme|"
                      r"رساله مجهوله|رسالة مجهولة|بدون اسم|no name|sans nom|a hunch|just a hunch|a suspicion|suspicion|un doute|"
                      r"un pressentiment|intuition|مجرد شك|شك|احساس|قريت|قرات|قرأت|وثائق|وثايق|مسرب\w*|منشور|نشروا|نشر)(?!\w)")
_SEEING = re.compile(r"(?<!\w)(?:و|ف)?(?:i saw|i've seen|ive seen|i have seen|i seen|i watched|i noticed|i witnessed|i found|"
                     r"saw it|saw them|with my own eyes|j'ai vu|j ai vu|jai vu|je les ai vus|je l'ai vu|de mes yeux|"
                     r"j'ai constate|j'ai remarque|شفت|شاهدت|شفناهم|شفنا|اشوف|بشوف|كنت اشوف|رايت|شايف|شايفه|لقيت|"
                     r"لاحظت|بعيني|بعيوني|وجدت|شافهم|شفتهم|شفتها|شفته)(?!\w)")
# Seen on a screen or in a post: "other", even said with "I saw" ("شفت فيديو عالتيك توك").
_MEDIA = re.compile(r"(?<!\w)(?:video|videos|vidéo|tiktok|tik tok|facebook|fb|instagram|insta|telegram|whatsapp group|"
                    r"groupe whatsapp|online|en ligne|sur internet|on the internet|social media|reseaux sociaux|post|"
                    r"فيديو|فديو|تيك توك|التيك توك|عالتيك|فيسبوك|فيس بوك|الفيس|انستا|انستغرام|تلغرام|تيليجرام|عالنت|على النت|"
                    r"الانترنت|بوست|منشور|اعلان|موقع|an ad|advert\w*|website|site web|annonce|"
                    r"مكتوب عليها|مكتوب فيها|a note saying|a written note|un mot disant|un mot ecrit|اوراق فيها|ورق فيه|"
                    r"documents with|papers with|des papiers avec|des documents avec|records|registres|relevés|files|dossiers|a note|"
                    r"une note|un mot|handwritten|manuscrit\w*|letter|lettre|(?:و|ب|بال|ال|من ال)?(?:كشوف|سجلات|ملفات))(?!\w)")
# A telling or a seeing denied: "ما حدا قلي", "nobody told me", "مو انا اللي شفت", "I didn't see it".
_DENIED_BEFORE = re.compile(r"(?:ما حدا|ماحدا|محد|محدا|حدا ما|nobody|no one|noone|personne ne|personne|not me who|"
                            r"didn't|didnt|did not|never|n'ai pas|n ai pas|j'ai rien|jai rien|ما|مو انا اللي|مش انا اللي|"
                            r"مو انا الي|مش انا الي|ما انا)\s+(?:\w+\s+)?$")


def how_known(folded: str, named: list[str]) -> str | None:
    """How the person knows, where the words of the options say it unclearly (see _TELLING)."""
    def said(pattern: re.Pattern) -> bool:
        return any(not _DENIED_BEFORE.search(folded[max(0, m.start() - 20):m.start()]) for m in pattern.finditer(folded))
    tell, see = said(_TELLING), said(_SEEING)
    if (_MEDIA.search(folded) or _READING.search(folded)) and not tell and (not see or _MEDIA.search(folded)) \
            and named != ["other"]:
        return "other"
    if len(named) == 1 and not (named == ["told"] and see and not tell or named == ["observed"] and tell and not see):
        return None
    if tell:
        return "told"
    if see:
        return "observed"
    return None

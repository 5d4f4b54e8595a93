from bot.dialogue.language import detect, normalise
from bot.dialogue import cues


def test_sentences_are_detected_in_each_language():
    assert detect("Bonjour, je voudrais signaler quelque chose de grave") == "fr"
    assert detect("Hello, I would like to report something serious") == "en"


def test_a_person_who_switches_language_is_followed():
    assert detect("hier soir vers minuit près de la gare", current="en") == "fr"
    assert detect("I saw three women at the checkpoint yesterday", current="fr") == "en"


def test_short_replies_never_flip_the_language():
    for text in ["ok", "oui", "Kyiv", "no", "3", "oui merci", "Lviv station"]:
        assert detect(text, current="fr") == "fr"
        assert detect(text, current="en") == "en"


def test_payloads_emoji_and_empty_keep_the_current_language():
    assert detect('/inform{"choice":"yes"}', current="fr") == "fr"
    assert detect("😀😀😀", current="fr") == "fr"
    assert detect("", current="fr") == "fr"
    assert detect(None) == "en"


def test_unsupported_scripts_fall_back_to_current_then_hint():
    assert detect("मुझे अभी मदद चाहिए कृपया यहाँ", current="fr") == "fr"  # Hindi: not spoken (yet)
    assert detect("ok", hint="fr-CA") == "fr"
    assert detect("ok", hint="de") == "en"


def test_detection_is_deterministic():
    text = "je ne sais pas trop quoi dire"
    assert len({detect(text) for _ in range(20)}) == 1


def test_normalise():
    assert normalise("FR_fr") == "fr"
    assert normalise("ar-IQ") == "ar"
    assert normalise("de") is None
    assert normalise(None) is None


def test_addresses_links_and_codes_do_not_change_the_language():
    assert detect("écrivez-moi à contact.person@example.org", current="fr") == "fr"
    assert detect("my reference R-7K3M-Q9PX https://example.org/contact", current="fr") == "fr"


def test_a_place_in_an_english_answer_never_flips_the_conversation_into_french():
    """Found by talking to it: "just outside Lviv" asked the next question in French, then the
    one after in English again."""
    from bot.dialogue.language import detect

    assert detect("just outside Lviv", current="en") == "en"
    assert detect("near the train station in Lviv", current="en") == "en"
    assert detect("il y avait des enfants", current="en") == "fr"  # a French sentence still switches
    assert detect("quelque part à Lviv", current="en") == "fr"


def test_a_first_message_of_one_or_two_words_opens_in_its_script_s_language():
    """Short first messages opened in the default language: "نعم" got English."""
    assert detect("نعم") == "ar"
    assert detect("ساعدني") == "ar"
    # An established conversation keeps its language on a short reply in another alphabet:
    # a place name ("أربيل") in an English answer is an answer, not a switch.
    assert detect("أربيل", current="en") == "en"
    assert detect("رأيت فتيات يتم نقلهن في حافلة صغيرة ليلا", current="en") == "ar"


def test_a_language_named_but_not_spoken_yet_does_not_become_the_conversation_s():
    """Found by the random conversations: "russe" (Russian, in French) switched the conversation
    to a language the assistant does not speak yet, which then fell back to English unannounced."""
    from bot.dialogue import cues

    assert cues.language_request("allemand", "fr") is None
    assert cues.language_request("en allemand svp", "fr") is None
    assert cues.language_request("en arabe svp", "fr").code == "ar"


def test_first_messages_of_one_or_two_words_open_in_their_language():
    """Issue 13: "так, допоможіть", "necesito ayuda", "aide svp" and "j'ai peur" opened in English."""
    for text, lang in [("так, допоможіть", "uk"), ("да мне страшно, он меня ищет", "ru"), ("نعم أنا في خطر", "ar"),
                       ("necesito ayuda", "es"), ("aide svp", "fr"), ("j'ai peur", "fr"), ("pomocy", "pl"),
                       ("ajutor", "ro"), ("помогите", "ru"), ("допоможіть", "uk"), ("help me please", "en")]:
        assert detect(text) == lang, text
    # Words every language types name none: the client's language, then English.
    assert detect("ok") == "en" and detect("stop") == "en" and detect("ok", hint="uk") == "uk"


def test_the_client_s_language_settles_a_short_message_it_could_be():
    assert detect("так", hint="uk") == "uk"  # Ukrainian and Russian alike
    assert detect("так", hint="ru-RU") == "ru"
    assert detect("necesito ayuda", hint="en") == "es"  # a clear message wins over the hint


def test_an_established_conversation_keeps_its_language_on_a_one_word_reply_it_can_read():
    for current, text in [("uk", "так"), ("ru", "да"), ("pl", "tak"), ("ro", "da"), ("es", "vale"), ("en", "Kyiv"),
                          ("uk", "Львів"), ("ru", "Kraków"), ("ar", "Erbil"), ("es", "ok")]:
        assert detect(text, current=current) == current, (current, text)
    assert detect("я бачила трьох жінок біля вокзалу вчора", current="en") == "uk"  # a sentence still moves it


def test_a_language_it_does_not_speak_is_recognised_and_a_spoken_one_never_is():
    from bot.dialogue.language import other_language

    assert other_language("ich brauche Hilfe, bitte") == ("de",)
    assert other_language("yardım edin lütfen bana") == ("tr",)
    assert other_language("cần giúp đỡ") == ("vi",)
    assert other_language("በጣም ፈርቻለሁ እርዱኝ") == ("am", "ti")  # one script, two languages: both answered
    assert other_language("من کمک لازم دارم لطفا") == ("fa",)
    for text in ["necesito ayuda por favor", "I need help now please", "так, допоможіть", "aide svp", "ok", "stop",
                 "نعم أنا في خطر", "potrzebuję pomocy teraz", "am nevoie de ajutor acum", "Kyiv", "/greet"]:
        assert other_language(text) == (), text


def test_the_language_named_last_wins_even_when_it_is_the_one_spoken():
    """Found by the random conversations: "sorry my french is bad, can we speak english" in an
    English conversation asked for French (the first language named that was not the current
    one), or was stored as an answer."""
    for current in ("en", "fr", "ro"):
        request = cues.language_request("sorry my french is bad, can we speak english", current)
        assert request.code == "en" and request.certain

"""The web chat in a real headless Chromium (Debian's chromium and chromium-driver)."""
from __future__ import annotations

import os
import secrets
import shutil
import time
import urllib.request
from pathlib import Path

import pytest

from bot import launcher
from bot.dialogue import language
from tests.e2e.conftest import free_port, prepared, tiny_site

pytestmark = pytest.mark.e2e



@pytest.fixture(scope="module")
def neutral_site():
    """A stand-in for the neutral site the quick exit goes to (the tests have no internet)."""
    server = tiny_site(lambda path: "<!doctype html><title>Weather</title><p>Sunny, 21 degrees.</p>")
    yield f"http://127.0.0.1:{server.server_address[1]}/weather"
    server.shutdown()


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, neutral_site):
    data_dir = tmp_path_factory.mktemp("webchat") / "var"
    settings = prepared(data_dir)
    env = {"BOT_DATA_DIR": str(data_dir), "BOT_TRIAL_MODE": "1", "BOT_WEBCHAT_EXIT_URL": neutral_site}
    with launcher.running(free_port(), free_port(), log_dir=data_dir / "log", extra_env=env) as servers:
        yield servers


PHONE, DESKTOP = (390, 844), (1280, 800)


def start_browser(size=PHONE, lang="en", javascript=True):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path):
        pytest.fail("Debian's chromium and chromium-driver are needed (./run-tests installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--window-size={size[0]},{size[1]}", f"--lang={lang}"]:
        options.add_argument(flag)
    prefs = {"intl.accept_languages": lang}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.implicitly_wait(0)
    if size[0] < 900:
        # A phone, as Chromium's device emulation makes one: its real viewport (a headless window
        # is never narrower than 500 px), a touch screen and no hover.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": size[1], "deviceScaleFactor": 2, "mobile": True})
        driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    return driver


@pytest.fixture
def browser():
    driver = start_browser()  # a phone-sized screen
    yield driver
    driver.quit()


def wait_for(driver, predicate, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        result = predicate(driver)
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("timed out waiting in the browser")


def messages(driver, who="assistant"):
    return [e.text for e in driver.find_elements("css selector", f".msg.{who}")]


def press(driver, title):
    def find(d):
        buttons = [b for b in d.find_elements("css selector", ".choices button") if b.text == title and b.is_enabled()]
        return buttons[-1] if buttons else None
    count = len(messages(driver))
    wait_for(driver, find).click()
    wait_for(driver, lambda d: len(messages(d)) > count)


def type_and_send(driver, text):
    count = len(messages(driver))
    box = driver.find_element("id", "input")
    box.send_keys(text)
    driver.find_element("css selector", "form button[type=submit]").click()
    wait_for(driver, lambda d: len(messages(d)) > count)


def console_errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_the_page_is_served_with_a_strict_policy_and_no_third_party_assets(assistant):
    with urllib.request.urlopen(f"{assistant.url}/webhooks/rest/chat") as r:
        page = r.read().decode()
        policy = r.headers["Content-Security-Policy"]
        assert r.headers["Cache-Control"] == "no-store" and r.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    import re

    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]*)"', page)
    assert assets and all(a.startswith("chat/") for a in assets), assets  # this origin's own files only


def test_a_full_conversation_with_buttons_in_the_browser(assistant, browser):
    browser.get(f"{assistant.url}/webhooks/rest/chat")
    wait_for(browser, lambda d: any("not a person" in m for m in messages(d)))
    assert browser.find_element("id", "exit").is_displayed()
    assert browser.find_element("id", "log").get_attribute("role") == "log"
    press(browser, "No")
    press(browser, "Report something I saw or was told")
    press(browser, "Yes, I agree")
    press(browser, "I saw it myself")
    canary = f"WEBCANARY{secrets.token_hex(4)}"
    type_and_send(browser, f"two women were kept in a locked flat above the shop {canary}")
    for _ in range(16):
        if any("Nothing has been sent yet" in m for m in messages(browser)):
            break
        press(browser, "Skip")
    assert any(canary in m for m in messages(browser))
    press(browser, "Send the report")
    wait_for(browser, lambda d: any("reference code is R-" in m for m in messages(d)))
    # Nothing kept in the browser: no cookies, no storage.
    assert browser.get_cookies() == []
    assert browser.execute_script("return sessionStorage.length + localStorage.length") == 0
    assert console_errors(browser) == []


def test_quick_exit_clears_everything_and_the_back_button_does_not_return(assistant, browser, neutral_site):
    browser.get(neutral_site.replace("weather", "before"))
    browser.get(f"{assistant.url}/webhooks/rest/chat")
    wait_for(browser, lambda d: messages(d))
    press(browser, "No")
    browser.find_element("id", "exit").click()
    wait_for(browser, lambda d: d.current_url == neutral_site)
    assert "Weather" in browser.title
    browser.back()
    time.sleep(1)
    assert "/webhooks/rest/chat" not in browser.current_url
    assert console_errors(browser) == []


def test_escape_three_times_leaves_but_once_does_not(assistant, browser, neutral_site):
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{assistant.url}/webhooks/rest/chat")
    wait_for(browser, lambda d: messages(d))
    body = browser.find_element("tag name", "body")
    body.send_keys(Keys.ESCAPE)
    time.sleep(0.5)
    assert "/webhooks/rest/chat" in browser.current_url
    body.send_keys(Keys.ESCAPE)
    body.send_keys(Keys.ESCAPE)
    wait_for(browser, lambda d: d.current_url == neutral_site)


def test_right_to_left_text_is_laid_out_right_to_left(assistant, browser):
    browser.get(f"{assistant.url}/webhooks/rest/chat")
    wait_for(browser, lambda d: messages(d))
    type_and_send(browser, "أحتاج إلى مساعدة من فضلك")
    [mine] = browser.find_elements("css selector", ".msg.person")
    assert browser.execute_script("return getComputedStyle(arguments[0]).direction", mine) == "rtl"
    english = browser.find_elements("css selector", ".msg.assistant")[0]
    assert browser.execute_script("return getComputedStyle(arguments[0]).direction", english) == "ltr"
    assert console_errors(browser) == []


# --- fit for a survivor's phone (issue 11) ---------------------------------------------------

def chat_page(driver, assistant):
    driver.get(f"{assistant.url}/webhooks/rest/chat")
    wait_for(driver, lambda d: messages(d))


def some_steps(driver, canary="a van left at night"):
    """A short report conversation: buttons and typed answers, eight replies."""
    press(driver, "No")
    press(driver, "Report something I saw or was told")
    press(driver, "Yes, I agree")
    press(driver, "I saw it myself")
    type_and_send(driver, f"two women were kept in a locked flat above the shop, {canary}")
    for _ in range(3):
        press(driver, "Skip")


def rect(driver, element):
    return driver.execute_script("const r = arguments[0].getBoundingClientRect();"
                                 "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,"
                                 " width: r.width, height: r.height};", element)


def test_exit_is_never_covered_at_any_scroll_position_and_a_tap_leaves(assistant, browser, neutral_site):
    """Old answer buttons painted over the sticky header: a tap at the centre of "Exit now" hit a
    disabled button at 29 % of scroll positions, and the page stayed."""
    from selenium.webdriver.common.action_chains import ActionChains

    chat_page(browser, assistant)
    some_steps(browser)
    exit_link = browser.find_element("id", "exit")
    height = browser.execute_script("return document.documentElement.scrollHeight")
    covered = []
    for y in range(0, height, 40):
        browser.execute_script("window.scrollTo(0, arguments[0])", y)
        hit = browser.execute_script(
            "const e = document.getElementById('exit'), r = e.getBoundingClientRect();"
            "const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
            "return hit === e || e.contains(hit);")
        if not hit:
            covered.append(y)
    assert covered == [], f"Exit covered at scroll positions {covered}"
    browser.execute_script("window.scrollTo(0, arguments[0])", height // 2)
    ActionChains(browser).move_to_element(exit_link).click().perform()
    wait_for(browser, lambda d: d.current_url == neutral_site)


def test_exit_is_a_link_that_works_without_javascript(assistant, neutral_site):
    driver = start_browser(javascript=False)
    try:
        driver.get(f"{assistant.url}/webhooks/rest/chat")
        exit_link = driver.find_element("id", "exit")
        assert exit_link.tag_name == "a" and exit_link.get_attribute("href") == neutral_site
        assert "JavaScript" in driver.find_element("css selector", ".noscript").text
        exit_link.click()
        wait_for(driver, lambda d: d.current_url == neutral_site)
    finally:
        driver.quit()


@pytest.mark.parametrize("size", [PHONE, (844, 390), DESKTOP], ids=["phone", "landscape", "desktop"])
def test_each_reply_shows_its_question_its_buttons_and_the_input(assistant, size):
    """The question was scrolled into view and its answer buttons left below the fold."""
    driver = start_browser(size=size)
    try:
        chat_page(driver, assistant)
        for title in ("No", "Report something I saw or was told", "Yes, I agree", "I saw it myself"):
            before = len(messages(driver))
            press(driver, title)
            view = driver.execute_script("return window.innerHeight") + 1  # sub-pixel layout
            header = rect(driver, driver.find_element("css selector", "header"))["bottom"]
            first = rect(driver, driver.find_elements("css selector", ".msg.assistant")[before])
            field = rect(driver, driver.find_element("id", "input"))
            assert first["top"] >= header - 1, (title, first, header)  # the answer's start is never hidden
            if field["bottom"] - first["top"] <= view - header:  # it all fits: it is all in view
                for group in driver.find_elements("css selector", ".choices"):
                    box = rect(driver, group)
                    assert header - 1 <= box["top"] and box["bottom"] <= view, (title, box, view)
                assert field["bottom"] <= view, (title, field, view)
            else:
                assert first["top"] <= header + 10, (title, first, header)  # the start, under the header
    finally:
        driver.quit()


def test_a_failed_send_keeps_the_words_and_can_be_sent_again(assistant, browser):
    """The input was cleared before the request, a failure looked sent, and every answer button
    stayed disabled."""
    chat_page(browser, assistant)
    press(browser, "No")
    browser.set_network_conditions(offline=True, latency=0, throughput=1024 * 1024)
    box = browser.find_element("id", "input")
    box.send_keys("my words that must not be lost")
    browser.find_element("css selector", "form button[type=submit]").click()
    failed = wait_for(browser, lambda d: d.find_elements("css selector", ".msg.person.failed"))
    assert "my words that must not be lost" in failed[-1].text
    retry = browser.find_element("css selector", ".retry")
    assert retry.is_displayed() and browser.switch_to.active_element == retry
    assert all(b.is_enabled() for b in browser.find_elements("css selector", ".choices button"))
    browser.set_network_conditions(offline=False, latency=0, throughput=1024 * 1024)
    count = len(messages(browser))
    retry.click()
    wait_for(browser, lambda d: len(messages(d)) > count)
    assert not browser.find_elements("css selector", ".msg.person.failed")
    assert any("my words that must not be lost" in m for m in messages(browser, "person"))


def test_the_page_speaks_its_language_from_the_first_message(assistant):
    """A French page showed an English conversation until "Français" was pressed."""
    driver = start_browser(lang="fr")
    try:
        chat_page(driver, assistant)
        assert driver.find_element("tag name", "html").get_attribute("lang") == "fr"
        wait_for(driver, lambda d: any("pas une personne" in m for m in messages(d)))
    finally:
        driver.quit()


def test_every_message_says_its_language_so_a_screen_reader_uses_the_right_voice(assistant, browser):
    """Messages carried no lang: a screen reader read French in an English voice."""
    chat_page(browser, assistant)
    wait_for(browser, lambda d: d.find_elements("css selector", ".choices button"))
    langs = browser.execute_script("return Array.from(document.querySelectorAll('.msg.assistant')).map(m => m.lang)")
    assert langs and set(langs) == {"en"}, langs
    # Each language's button is written in, and marked as, its own language.
    named = {b.text: b.get_attribute("lang") for b in browser.find_elements("css selector", ".choices button")}
    assert named.get("Français") == "fr" and named.get("English") == "en", named
    count = len(messages(browser))
    press(browser, "Français")
    wait_for(browser, lambda d: len(messages(d)) > count)
    latest = browser.find_elements("css selector", ".msg.assistant")[count:]
    assert latest and all(m.get_attribute("lang") == "fr" for m in latest)
    # "The assistant said:" is the page's own words, in the page's language.
    labels = browser.execute_script(
        "return Array.from(document.querySelectorAll('.msg.assistant .visually-hidden')).map(s => s.lang)")
    assert set(labels) == {"en"}
    assert all(b.get_attribute("lang") == "fr" for b in browser.find_elements("css selector", ".choices button")
               if b.text not in ("English", "Français"))


def test_an_arabic_page_is_right_to_left_in_arabic_from_the_first_message(assistant):
    """Accept-Language: ar gave an English, left-to-right page."""
    driver = start_browser(lang="ar")
    try:
        chat_page(driver, assistant)
        html = driver.find_element("tag name", "html")
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
        wait_for(driver, lambda d: any("لست شخص" in m or "مساعد آلي" in m for m in messages(d)))
        # Mirrored: the assistant speaks from the right (the start side), the page reads right to left.
        log = rect(driver, driver.find_element("id", "log"))
        first = rect(driver, driver.find_element("css selector", ".msg.assistant"))
        assert abs(first["right"] - log["right"]) < 20 and first["left"] - log["left"] > 20
        assert driver.execute_script("return getComputedStyle(document.querySelector('header')).direction") == "rtl"
        langs = driver.execute_script("return Array.from(document.querySelectorAll('.msg.assistant')).map(m => m.lang)")
        assert set(langs) == {"ar"}
    finally:
        driver.quit()


def test_in_a_right_to_left_page_the_person_is_on_the_end_side_and_numbers_read_left_to_right(assistant, browser):
    chat_page(browser, assistant)
    log = rect(browser, browser.find_element("id", "log"))
    type_and_send(browser, "hello there")
    mine = browser.find_elements("css selector", ".msg.person")[-1]
    assert abs(rect(browser, mine)["right"] - log["right"]) < 20  # left to right: the person on the right
    driver = start_browser(lang="ar")
    try:
        chat_page(driver, assistant)
        log = rect(driver, driver.find_element("id", "log"))
        type_and_send(driver, "اتصل بي على +380 44 123 4567 من فضلك")
        mine = driver.find_elements("css selector", ".msg.person")[-1]
        assert abs(rect(driver, mine)["left"] - log["left"]) < 20  # right to left: the person on the left
        number = mine.find_element("css selector", ".number")
        assert number.text == "+380 44 123 4567"
        assert driver.execute_script("return getComputedStyle(arguments[0]).direction", number) == "ltr"
        type_and_send(driver, "hello, my number is +380 44 123 4567")  # Latin words on an Arabic page
        mine = driver.find_elements("css selector", ".msg.person")[-1]
        assert abs(rect(driver, mine)["left"] - log["left"]) < 20  # still the person's side
    finally:
        driver.quit()


def test_a_screen_reader_can_tell_who_said_what_and_focus_follows_the_conversation(assistant, browser):
    chat_page(browser, assistant)
    some_steps(browser)
    said = browser.execute_script(
        "return Array.from(document.querySelectorAll('.msg')).map(m => m.querySelector('.visually-hidden')"
        " ? m.querySelector('.visually-hidden').textContent : '')")
    assert all(s.strip() in ("You said:", "The assistant said:", "Notice:") for s in said), said
    groups = browser.find_elements("css selector", ".choices")
    assert len(groups) <= 1, "old answer buttons pile up"
    assert not browser.find_elements("css selector", ".choices button:disabled")
    assert all(g.get_attribute("aria-label") for g in groups)
    active = browser.switch_to.active_element
    assert active.tag_name in ("button", "textarea"), active.tag_name


def _luminance(rgb: str) -> float:
    import re

    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", rgb)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_targets_are_large_enough_to_touch_and_focus_and_borders_can_be_seen(assistant, browser):
    from selenium.webdriver.common.keys import Keys

    chat_page(browser, assistant)
    for element in [browser.find_element("id", "exit"), *browser.find_elements("css selector", ".choices button"),
                    browser.find_element("css selector", "form button")]:
        box = rect(browser, element)
        assert box["height"] >= 44 and box["width"] >= 44, (element.text, box)
    page = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
    field = browser.find_element("id", "input")
    border = browser.execute_script("return getComputedStyle(arguments[0]).borderTopColor", field)
    assert _contrast(border, "rgb(255, 255, 255)") >= 3  # WCAG 1.4.11
    browser.find_element("tag name", "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    ring = browser.execute_script("return getComputedStyle(arguments[0]).outlineColor", focused)
    assert _contrast(ring, page) >= 3 and _contrast(ring, "rgb(255, 255, 255)") >= 3


def test_how_to_leave_no_trace_is_there_before_the_conversation(assistant, browser):
    chat_page(browser, assistant)
    tracks = browser.find_element("css selector", "details.tracks")
    first = browser.execute_script("return document.querySelector('details.tracks').compareDocumentPosition("
                                   "document.getElementById('log')) & Node.DOCUMENT_POSITION_FOLLOWING")
    assert first  # before the conversation in reading order
    browser.execute_script("window.scrollTo(0, 0)")  # it is at the top of the page
    tracks.find_element("tag name", "summary").click()
    body = tracks.find_element("css selector", ".tracks-body").text
    assert "History" in body and "private" in body and "keeps nothing" in body


def test_services_can_be_called_with_a_tap_and_codes_and_long_words_stay_whole(assistant, browser):
    chat_page(browser, assistant)
    press(browser, "No")
    press(browser, "Get help for myself")
    press(browser, "A safe place to stay")
    press(browser, "A woman")
    type_and_send(browser, "Chisinau")
    links = wait_for(browser, lambda d: d.find_elements("css selector", ".msg.assistant a[href^='tel:']"))
    assert all(a.get_attribute("href").startswith("tel:+") for a in links)
    type_and_send(browser, "x" * 400)
    mine = browser.find_elements("css selector", ".msg.person")[-1]
    assert browser.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth + 1", mine)
    browser.execute_script("const box = document.getElementById('input'); box.value = 'y'.repeat(4000);"
                           "box.dispatchEvent(new Event('input'));")
    assert "4 000 characters" in browser.find_element("id", "status").text


AXE = shutil.os.path.join(shutil.os.path.dirname(__file__), "..", "..", ".tools", "node_modules", "axe-core", "axe.min.js")


def axe_violations(driver) -> list:
    if not shutil.os.path.exists(AXE):
        pytest.fail("axe-core is needed (scripts/ensure_test_tools.sh fetches it from the npm registry)")
    driver.execute_script(open(AXE, encoding="utf-8").read())
    driver.set_script_timeout(60)
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
        " v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))));")


@pytest.mark.parametrize("lang", language.SUPPORTED)
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_finds_no_violation(assistant, lang, size):
    driver = start_browser(size=size, lang=lang)
    try:
        chat_page(driver, assistant)
        assert axe_violations(driver) == []
        driver.execute_script("window.scrollTo(0, 0)")
        driver.find_element("css selector", "details.tracks summary").click()
        wait_for(driver, lambda d: d.find_elements("css selector", ".choices button"))
        count = len(messages(driver))
        driver.find_elements("css selector", ".choices")[-1].find_elements("tag name", "button")[1].click()  # "No"
        wait_for(driver, lambda d: len(messages(d)) > count)
        assert axe_violations(driver) == []
        shot = Path(os.environ.get("BOT_SCREENSHOTS", "")) if os.environ.get("BOT_SCREENSHOTS") else None
        if shot:
            shot.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(shot / f"webchat-{lang}-{size[0]}x{size[1]}.png"))
    finally:
        driver.quit()

"""The web chat in a real headless Chromium (Debian's chromium and chromium-driver)."""
from __future__ import annotations

import http.server
import secrets
import shutil
import threading
import time
import urllib.request

import pytest

from bot import launcher
from tests.e2e.conftest import free_port, prepared

pytestmark = pytest.mark.e2e



@pytest.fixture(scope="module")
def neutral_site():
    """A stand-in for the neutral site the quick exit goes to (the tests have no internet)."""
    class Neutral(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<!doctype html><title>Weather</title><p>Sunny, 21 degrees.</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Neutral)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/weather"
    server.shutdown()


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, neutral_site):
    data_dir = tmp_path_factory.mktemp("webchat") / "var"
    settings = prepared(data_dir)
    env = {"BOT_DATA_DIR": str(data_dir), "BOT_TRIAL_MODE": "1", "BOT_WEBCHAT_EXIT_URL": neutral_site}
    with launcher.running(free_port(), free_port(), log_dir=data_dir / "log", extra_env=env) as servers:
        yield servers


@pytest.fixture
def browser():
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
                 "--window-size=390,844"]:  # a phone-sized screen
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.implicitly_wait(0)
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

    assets = re.findall(r'(?:src|href)="([^"]*)"', page)
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

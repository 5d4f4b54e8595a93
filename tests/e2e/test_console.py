"""The review console in a real headless Chromium: a reviewer signs in with a password and a TOTP
code, unlocks their key, triages, opens a report, works the case and exports it; a second reviewer
reads what the first wrote; an administrator manages accounts and opens no report; and the
attacks on the sign-in and the forms fail."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pyotp
import pytest

from bot.config import Settings
from bot.console.accounts import Accounts
from bot.reports import reviewer_keys
from bot.reports.submission import submit_report
from bot.vocabulary import gazetteer
from tests.e2e.conftest import free_port, tiny_site
from tests.e2e.test_webchat import DESKTOP, axe_violations, start_browser

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
BOT = str(Path(sys.executable).with_name("bot"))
PASSWORD = "a long password 1"


def transcript(text):
    return [{"event": "bot", "text": "How do you know?", "timestamp": 1764500000.0,
             "data": {"buttons": [{"title": "I saw it myself", "payload": '/inform{"choice":"observed"}'}]}},
            {"event": "user", "text": '/inform{"choice":"observed"}', "timestamp": 1764500010.0},
            {"event": "user", "text": text, "timestamp": 1764500020.0}]


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    base = tmp_path_factory.mktemp("console")
    env = {**os.environ, "BOT_DATA_DIR": str(base / "var"), "BOT_REVIEWER_KEYS_DIR": str(base / "reviewers"),
           "BOT_CONSOLE_DIR": str(base / "console"), "BOT_INSIGHTS_K": "2"}  # 3 reports: k=2 shows some groups
    settings = Settings.from_env(env)
    keys = {}
    for name in ("alice", "bob"):
        reviewer_keys.write_pair(base / name, name, f"{name} passphrase!", suite="x25519")
        keys[name] = base / name / f"{name}.key.json"
    only_bob = Settings.from_env({**env, "BOT_REVIEWER_KEYS_DIR": str(base / "bob")})
    bobs_only = submit_report(only_bob, {"path": "report", "consent": "yes", "narrative": "for bob only",
                                         "draft_id": "bob-only"}, "en", []).reference
    settings.reviewer_keys_dir.mkdir(parents=True)
    for name in ("alice", "bob"):
        (settings.reviewer_keys_dir / f"{name}.pub.json").write_text((base / name / f"{name}.pub.json").read_text())
    refs = {}
    for draft, extra in [
        ("plain", {"narrative": "A cousin works in a house in Erbil and never goes out", "place": "Erbil"}),
        ("minors", {"narrative": "Minibus at the Zakho crossing, two girls looked 15", "minors": "yes",
                    "place": "Zakho", "contact_preference": "contact", "contact_details": "CONTACT-CANARY +964 750"}),
        ("danger", {"narrative": "Men locked in a farm near Mosul right now", "immediate_danger": "yes",
                    "stage": "Exploitation", "place": "Mosul"}),
    ]:
        slots = {"path": "report", "consent": "yes", "draft_id": draft, **extra,
                 "place_place": gazetteer.load().find(extra["place"]).place.id}
        refs[draft] = submit_report(settings, slots, "en", transcript(extra["narrative"])).reference
        time.sleep(1.05)  # one report a second: the queue's order by waiting time is visible
    book = Accounts.load(settings.console_dir / "users.json")
    secrets_ = {}
    for name, role, key in [("alice", "reviewer", keys["alice"]), ("bob", "reviewer", keys["bob"]),
                            ("carol", "reviewer", keys["alice"]), ("erin", "reviewer", keys["alice"]),
                            ("frank", "reviewer", keys["alice"]), ("gina", "reviewer", keys["alice"]),
                            ("root", "administrator", "")]:
        secrets_[name] = book.add(name, role, PASSWORD, str(key)).totp_secret
    port = free_port()
    server = subprocess.Popen([BOT, "review", "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/login", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the console did not start: " + (server.stdout.read() if server.stdout else ""))
            time.sleep(0.3)
    yield {"url": url, "refs": refs, "bobs_only": bobs_only, "secrets": secrets_, "settings": settings, "base": base}
    server.terminate()
    out, _ = server.communicate(timeout=20)
    # Nothing a person said, and no passphrase, reaches the console's output.
    for canary in ("CONTACT-CANARY", "Zakho", "Mosul", "passphrase!", PASSWORD, "R-"):
        assert canary not in out, canary


@pytest.fixture
def browser():
    driver = start_browser(DESKTOP)
    yield driver
    driver.quit()


def code(console, name, ahead=0):
    return pyotp.TOTP(console["secrets"][name]).at(time.time() + ahead)


def submit(driver, button):
    """Click a form's button and wait for the page it leads to."""
    old = driver.find_element("tag name", "html")
    button.click()
    wait_for_new_page(driver, old)


def wait_for_new_page(driver, old):
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def gone(_):
        try:
            old.is_enabled()
            return False
        except WebDriverException:  # stale, or (mid-navigation) "node does not belong to the document"
            return True

    WebDriverWait(driver, 30).until(gone)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def sign_in(driver, console, name, totp=None, password=PASSWORD):
    driver.get(console["url"] + "/login")
    driver.find_element("id", "name").send_keys(name)
    driver.find_element("id", "password").send_keys(password)
    driver.find_element("id", "code").send_keys(totp or code(console, name))
    submit(driver, driver.find_element("css selector", "main form button[type=submit]"))


def unlock(driver, passphrase):
    driver.find_element("id", "passphrase").send_keys(passphrase)
    submit(driver, driver.find_element("css selector", "main form button[type=submit]"))


def h1(driver):
    found = driver.find_elements("tag name", "h1")
    assert found, driver.find_element("tag name", "body").text[:300]
    return found[0].text


def fill(driver, form_action_end, values: dict):
    form = driver.find_element("css selector", f"form[action$='{form_action_end}']")
    for name, value in values.items():
        field = form.find_element("css selector", f"[name='{name}']")
        if field.tag_name == "select":
            from selenium.webdriver.support.ui import Select
            Select(field).select_by_value(value)
        else:
            field.clear()
            field.send_keys(value)
    submit(driver, form.find_element("css selector", "button[type=submit]"))


def test_a_reviewer_triages_works_a_case_and_exports_it(console, browser):
    sign_in(browser, console, "alice")
    assert h1(browser) == "Unlock your reviewer key" and axe_violations(browser) == []
    unlock(browser, "alice passphrase!")
    assert h1(browser) == "Queue", browser.find_element("tag name", "main").text
    refs = console["refs"]
    rows = [r.text.split()[0] for r in browser.find_elements("css selector", "#queue tbody th")]
    assert rows == [refs["danger"], refs["minors"], refs["plain"]]  # danger now, then minors, then the rest
    assert console["bobs_only"] not in browser.page_source  # sealed to another reviewer: not here
    assert "3 new since your last visit" in browser.find_element("id", "summary").text
    first = browser.find_elements("css selector", "#queue tbody tr")[0].text
    assert "danger now" in first and "ongoing" in first and "Mosul" in first and "IQ" in first
    assert axe_violations(browser) == []

    # Filters and search, in memory
    browser.find_element("id", "q").send_keys("zakho girls")
    submit(browser, browser.find_element("css selector", "form.filters button"))
    assert [r.text.split()[0] for r in browser.find_elements("css selector", "#queue tbody th")] == [refs["minors"]]

    # By keyboard: from the search box, Tab to the report's link and open it with Enter
    from selenium.webdriver.common.keys import Keys
    browser.find_element("id", "q").click()
    for _ in range(30):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        if browser.switch_to.active_element.get_attribute("href") and refs["minors"] in browser.switch_to.active_element.get_attribute("href"):
            break
    old = browser.find_element("tag name", "html")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for_new_page(browser, old)
    assert h1(browser) == f"Report {refs['minors']}"
    page = browser.find_element("tag name", "main").text
    assert "Minibus at the Zakho crossing" in page and "minors" in browser.find_element("id", "urgency").text
    transcript_text = browser.find_element("id", "transcript").text
    assert "I saw it myself" in transcript_text and "pressed" in transcript_text  # a button, by its label
    assert "inform{" not in transcript_text and "2025-11-30" in transcript_text  # times as dates
    assert axe_violations(browser) == []

    fill(browser, "/status", {"status": "FollowUp"})
    assert browser.find_element("id", "status-now").text == "Follow-up"
    fill(browser, "/comment", {"text": "=HYPERLINK(\"http://x\") Called the shelter; they will visit"})
    fill(browser, "/referral", {"organisation": "IOM Erbil", "reason": "AdditionalServicesRequired",
                                "details": "shelter for two girls"})
    fill(browser, "/link", {"reference": refs["plain"]})
    fill(browser, "/owner", {"owner": "alice"})
    history = browser.find_element("id", "history").text
    assert "Called the shelter" in history and "referred to IOM Erbil" in history and f"linked {refs['plain']}" in history
    fill(browser, "/export", {"format": "csv"})
    done = browser.find_element("id", "exported").text
    target = Path(done.split(" to ", 1)[1].split(", readable")[0])
    assert target.is_dir() and all(p.stat().st_mode & 0o777 == 0o600 for p in target.iterdir())
    cases = (target / "cases.csv").read_text()
    assert "FollowUp" in cases and "IOM Erbil" in cases and f"case-{refs['plain']}" in cases
    comments = (target / "case_comments.csv").read_text()
    assert "'=HYPERLINK" in comments  # shown in a spreadsheet, never run
    assert "CONTACT-CANARY" not in "".join(p.read_text() for p in target.iterdir())  # not asked for
    assert refs["minors"] in (target.parent / "exports.log").read_text()


def test_insights_show_only_groups_of_k_and_export(console, browser):
    sign_in(browser, console, "gina")
    unlock(browser, "alice passphrase!")
    browser.get(console["url"] + "/insights")
    assert h1(browser) == "Insights" and axe_violations(browser) == []
    month = browser.find_element("css selector", "section[aria-labelledby='t-month'] table").text
    assert "3" in month  # the three reports of this month, a group of k=2 or more
    country = browser.find_element("css selector", "section[aria-labelledby='t-country']").text
    assert "IQ 3" in country
    minors = browser.find_element("css selector", "section[aria-labelledby='t-minors']").text
    # one report names minors, two do not: the 1 is hidden, and so the 2 (else 1 = 3 - 2), unnamed
    assert "yes" not in minors and "other categories, hidden together 3" in minors
    assert browser.find_elements("css selector", "svg.bars rect")
    fill(browser, "/insights/export", {"format": "csv"})
    target = Path(browser.find_element("id", "exported").text.split(" to ", 1)[1].split(", readable")[0])
    assert target.stat().st_mode & 0o777 == 0o600 and "country,IQ,3" in target.read_text()


def test_a_second_reviewer_reads_what_the_first_wrote(console, browser):
    sign_in(browser, console, "bob")
    unlock(browser, "bob passphrase!")
    refs = console["refs"]
    assert console["bobs_only"] in browser.page_source  # bob's key opens it
    browser.get(console["url"] + f"/reports/{refs['plain']}")
    assert refs["minors"] in browser.find_element("tag name", "dl").text  # the link, both ways
    browser.get(console["url"] + f"/reports/{refs['minors']}")
    assert "Called the shelter" in browser.find_element("id", "history").text
    assert browser.find_element("id", "owner-now").text == "alice"
    # Export everything a filter shows (minors only), as JSON
    browser.get(console["url"] + "/queue?status=all&minors=1")
    shown = [r.text.split()[0] for r in browser.find_elements("css selector", "#queue tbody th")]
    assert shown == [refs["minors"]]
    browser.find_element("id", "scope-filter").click()
    browser.find_element("id", "with_contact").click()
    submit(browser, browser.find_element("css selector", "fieldset.export button"))
    done = browser.find_element("id", "exported").text
    exported = json.loads(Path(done.split(" to ", 1)[1].split(", readable")[0]).read_text())
    assert [c["x_Reference"] for c in exported["cases"]] == shown
    assert exported["reporters"][0]["x_ContactDetails"].startswith("CONTACT-CANARY")  # asked for, this time
    assert exported["cases"][0]["cas_Status"] == "FollowUp"


def test_an_administrator_manages_accounts_and_opens_no_report(console, browser):
    sign_in(browser, console, "root")
    assert h1(browser) == "Administration" and axe_violations(browser) == []
    assert browser.title == "Administration · Review console"
    # The audit trail, intact, with what the reviewers did (no content: references and kinds)
    assert "The trail is intact" in browser.find_element("id", "verdict").text
    trail = browser.find_element("id", "trail").text
    minors = console["refs"]["minors"]
    for line in (f"alice report opened {minors}", f"alice case entry {minors}", "alice export", "bob sign in",
                 "alice key unlocked", "root sign in administrator"):
        assert line in trail, line
    assert "Called the shelter" not in trail and "CONTACT-CANARY" not in trail
    fill(browser, "/admin/accounts", {"name": "dave", "password": "dave's long password", "key_file": str(console["base"] / "bob" / "bob.key.json")})
    secret = browser.find_element("id", "totp-secret").text
    for path in ["/queue", f"/reports/{console['refs']['danger']}", "/unlock"]:
        browser.get(console["url"] + path)
        assert h1(browser) == "Not for this account", path
        assert console["refs"]["danger"] not in browser.find_element("tag name", "main").text
    status = urllib_status(console, f"/reports/{console['refs']['danger']}", cookie=browser.get_cookie("console_session"))
    assert status == 403
    # Keys: add one (the public file pasted), then remove it; the directory: validate and import
    reviewer_keys.write_pair(console["base"] / "carl", "carl", "carl passphrase!", suite="x25519")
    browser.get(console["url"] + "/admin")
    fill(browser, "/admin/keys", {"public_key": (console["base"] / "carl" / "carl.pub.json").read_text()})
    assert "added" in browser.find_element("id", "done").text
    carl = reviewer_keys.read_public(console["base"] / "carl" / "carl.pub.json").key_id
    assert carl in browser.find_element("id", "keys").text and axe_violations(browser) == []
    submit(browser, browser.find_element("css selector", f"form[action='/admin/keys/{carl}/remove'] button"))
    assert "removed" in browser.find_element("id", "done").text and carl not in browser.find_element("id", "keys").text
    fill(browser, "/admin/keys", {"public_key": "not a key"})
    assert "unreadable" in browser.find_element("id", "problem").text
    submit(browser, browser.find_element("css selector", "form[action='/admin/directory'] button"))
    assert browser.find_elements("id", "done") or "nothing was imported" in browser.find_element("id", "problem").text
    # The account the administrator made works
    browser.delete_all_cookies()
    sign_in(browser, console, "dave", totp=pyotp.TOTP(secret).now(), password="dave's long password")
    assert h1(browser) == "Unlock your reviewer key"
    browser.get(console["url"] + "/admin")
    assert h1(browser) == "Not for this account"


def urllib_status(console, path, cookie=None, host=None, method="GET", data=None, headers=None):
    request = urllib.request.Request(console["url"] + path, method=method, data=data)
    if cookie:
        request.add_header("Cookie", f"{cookie['name']}={cookie['value']}")
    if host:
        request.add_header("Host", host)
    for k, v in (headers or {}).items():
        request.add_header(k, v)
    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None  # a redirect is the answer, not followed

    try:
        with urllib.request.build_opener(Stay).open(request, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_a_reused_code_is_refused(console, browser):
    used = code(console, "carol")
    sign_in(browser, console, "carol", totp=used)
    assert h1(browser) == "Unlock your reviewer key"
    browser.delete_all_cookies()
    sign_in(browser, console, "carol", totp=used)
    assert h1(browser) == "Sign in" and "A code works once" in browser.find_element("id", "problem").text


def test_guessing_passwords_is_throttled(console, browser):
    for _ in range(5):
        sign_in(browser, console, "erin", password="not the password")
        assert "not right" in browser.find_element("id", "problem").text
    sign_in(browser, console, "erin")  # the right password and code, too late
    assert "Too many attempts" in browser.find_element("id", "problem").text
    browser.get(console["url"] + "/queue")
    assert h1(browser) == "Sign in"


def test_another_origin_cannot_sign_out_or_change_a_case(console, browser):
    """A page on another port of this machine (same site, other origin) posts forms at the console:
    sign-out and a status change are refused, and the session goes on."""
    sign_in(browser, console, "frank")
    unlock(browser, "alice passphrase!")
    target = console["refs"]["plain"]

    attacker = tiny_site(lambda path: (
        f"<!doctype html><title>x</title><form id=f method=post action='{console['url']}{path}'>"
        "<input name=status value=Closed><input name=csrf value=guess></form>"
        "<script>document.getElementById('f').submit()</script>"))
    try:
        for path in ["/logout", f"/reports/{target}/status"]:
            browser.get(f"http://127.0.0.1:{attacker.server_address[1]}{path}")
            time.sleep(1)
            assert "refused" in browser.find_element("tag name", "body").text.lower(), path
    finally:
        attacker.shutdown()
    browser.get(console["url"] + f"/reports/{target}")
    assert h1(browser) == f"Report {target}"  # still signed in, key still unlocked
    assert browser.find_element("id", "status-now").text != "Closed"
    # The same-origin form without its token is refused too
    cookie = browser.get_cookie("console_session")
    assert urllib_status(console, "/logout", cookie=cookie, method="POST", data=b"csrf=") == 403
    browser.get(console["url"] + "/queue")
    assert h1(browser) == "Queue"
    # Guessing references: one that exists for another reviewer and one that does not look alike
    browser.get(console["url"] + f"/reports/{console['bobs_only']}")
    existing = (h1(browser), browser.find_element("tag name", "main").text)
    browser.get(console["url"] + "/reports/R-0000-0000")
    assert (h1(browser), browser.find_element("tag name", "main").text) == existing == (
        "Report not found", "Report not found\nNo report with this reference is open to you.")
    assert urllib_status(console, "/reports/R-0000-0000", cookie=cookie) == urllib_status(
        console, f"/reports/{console['bobs_only']}", cookie=cookie) == 404
    # Signing out (the real form) ends the session and its key
    submit(browser, browser.find_element("css selector", "form.logout button"))
    assert h1(browser) == "Sign in"
    assert urllib_status(console, "/queue", cookie=cookie) in (302, 303)


def test_headers_and_host(console):
    with urllib.request.urlopen(console["url"] + "/login", timeout=10) as r:
        headers = r.headers
    assert "default-src 'none'" in headers["Content-Security-Policy"] and "script-src" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "same-origin" and headers["X-Content-Type-Options"] == "nosniff"
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    # A page that rebinds its own name to 127.0.0.1 reaches the console with its own Host: refused
    assert urllib_status(console, "/login", host="attacker.example") == 421
    # Oversized and malformed requests get a clear refusal, not a stack trace
    assert urllib_status(console, "/login", method="POST", data=b"name=" + b"x" * 300_000) == 413
    assert urllib_status(console, "/logout") == 405
    assert urllib_status(console, "/reports/..%2F..%2Fetc%2Fpasswd") in (302, 303, 404)
    # and nothing of the page comes from anywhere else
    page = urllib.request.urlopen(console["url"] + "/login", timeout=10).read().decode()
    assert "http://" not in page and "https://" not in page

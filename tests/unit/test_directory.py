"""`bot directory validate` on broken files: clear, line-numbered errors; import is all or nothing."""
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from bot.referrals import directory

ROOT = Path(__file__).resolve().parents[2]
BOT = str(Path(sys.executable).with_name("bot"))

GOOD = """\
country: PL
emergency: {general: "112", police: "997"}
cities: {Warsaw: [warszawa, varsovie]}
services:
  - name: Test Shelter
    type: NGO
    city: Warsaw
    latitude: 52.23
    longitude: 21.01
    phone: "+48226280120"
    services: [shelter]
    languages: [pl, en]
    serves: [women]
    source: "https://example.org/own-page"
    verified: 2026-11-01
"""


def write(tmp_path, text, name="pl.yml"):
    folder = tmp_path / "dir"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text))
    return folder


def problems(tmp_path, text, **kw):
    _, found = directory.load(write(tmp_path, text), today=date(2026, 11, 29), **kw)
    return [(p.line, p.message) for p in found]


def test_a_good_file_has_no_problem(tmp_path):
    loaded, found = directory.load(write(tmp_path, GOOD), today=date(2026, 11, 29))
    assert found == [] and loaded.entries[0].htcds()["org_Phone"] == "+48226280120"


@pytest.mark.parametrize("change,line,words", [
    (('phone: "+48226280120"', 'phone: "022 628 01 20"'), 10, "E.164"),
    (('phone: "+48226280120"', 'phone: "+380800500335"'), 10, "not a number of PL"),
    (("languages: [pl, en]", "languages: [pl, xx]"), 12, "ISO 639-1"),
    (("latitude: 52.23", "latitude: 152.23"), 8, "between -90 and 90"),
    (("    longitude: 21.01\n", ""), 8, "both latitude and longitude"),
    (("    type: NGO\n", ""), 5, "'type' is required"),
    (("services: [shelter]", "services: [spa]"), 11, "not one of"),
    (("verified: 2026-11-01", "verified: 2024-01-01"), 15, "not verified for over 365 days"),
    (("verified: 2026-11-01", "verified: 2027-01-01"), 15, "in the future"),
    (("    city: Warsaw", "    citty: Warsaw"), 7, "unknown field 'citty'"),
    (("country: PL", "country: ZZ"), 1, "ISO 3166"),
    (('emergency: {general: "112", police: "997"}\n', ""), 1, "emergency"),
])
def test_broken_entries_are_named_with_their_line(tmp_path, change, line, words):
    found = problems(tmp_path, GOOD.replace(*change))
    assert any(words in message and at == line for at, message in found), found


def test_duplicates_are_found(tmp_path):
    entry = GOOD[GOOD.index("  - name"):]
    found = problems(tmp_path, GOOD + entry)
    assert any("duplicate of the entry at" in m and ":5" in m for _, m in found), found


def test_not_yaml_is_reported_with_its_line(tmp_path):
    found = problems(tmp_path, GOOD + "  - name: [unclosed\n")
    assert found and "not valid YAML" in found[0][1]


def test_the_age_limit_is_configurable(tmp_path):
    old = GOOD.replace("verified: 2026-11-01", "verified: 2025-06-01")
    assert problems(tmp_path, old)
    assert problems(tmp_path, old, max_age_days=730) == []


def test_the_shipped_directory_is_valid():
    loaded, found = directory.load(ROOT / "data" / "referrals")
    assert found == [], [str(p) for p in found]
    assert set(loaded.emergency) == {"UA", "PL", "RO", "MD", "LT", "XK", "BA", "IQ"}
    # Anything not taken from the organisation's own published source is marked.
    for e in loaded.entries:
        assert e.example or e.source.startswith("http"), e.name
        assert not e.name.startswith("Example") or e.example


def test_cli_validate_and_import_are_all_or_nothing(tmp_path):
    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path / "var")}
    good = write(tmp_path, GOOD)
    out = subprocess.run([BOT, "directory", "import", str(good), "--max-age-days", "3650"], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0 and "Imported 1 entries" in out.stdout
    database_url = f"sqlite:///{tmp_path / 'var' / 'assistant.db'}"
    assert [e.name for e in directory.from_database(database_url).entries] == ["Test Shelter"]

    (good / "ro.yml").write_text(GOOD.replace("country: PL", "country: RO").replace("Test Shelter", "Other")
                                 .replace('"+48226280120"', '"+40 bad"'))
    out = subprocess.run([BOT, "directory", "import", str(good), "--max-age-days", "3650"], env=env,
                         capture_output=True, text=True)
    assert out.returncode != 0 and "ro.yml:10:" in out.stderr and "nothing was imported" in out.stderr
    assert [e.name for e in directory.from_database(database_url).entries] == ["Test Shelter"]

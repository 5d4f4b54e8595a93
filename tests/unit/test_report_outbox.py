"""The database down at submit: the sealed report waits in an encrypted outbox and is stored
exactly once when the database is back, on a real PostgreSQL server that the test stops."""
import json
import os

import pytest

from bot.config import Settings
from bot.reports import follow_up, reviewer_keys
from bot.reports.report_outbox import ReportOutbox
from bot.reports.review import opened
from bot.reports.store import ReportStore
from bot.reports.submission import submit_report
from tests import postgres

CANARY = "CANARYoutboxqwmzt"


def _slots(draft: str) -> dict:
    return {"path": "report", "consent": "yes", "draft_id": draft, "narrative": f"a van at the border {CANARY}",
            "minors": "yes", "immediate_danger": "no", "stage": "Exploitation", "place": "Chisinau"}


@pytest.fixture()
def world(tmp_path):
    with postgres.cluster() as pg:
        env = {"BOT_DATA_DIR": str(tmp_path / "var"), "BOT_DATABASE_URL": pg.url,
               "BOT_REVIEWER_KEYS_DIR": str(tmp_path / "reviewers")}
        settings = Settings.from_env(env)
        reviewer_keys.write_pair(settings.reviewer_keys_dir, "duty", "duty passphrase")
        key = reviewer_keys.read_private(settings.reviewer_keys_dir / "duty.key.json", "duty passphrase")
        (settings.reviewer_keys_dir / "duty.key.json").unlink()
        ReportStore(pg.url)  # the schema, made while the database is up
        yield pg, settings, key, ReportOutbox(tmp_path / "outbox", os.urandom(32))


def test_a_report_confirmed_while_the_database_is_down_is_held_sealed_and_stored_once(world):
    pg, settings, key, outbox = world
    pg.stop()
    receipt = submit_report(settings, _slots("draft-down"), "en", [], alert_channels=("webhook",), outbox=outbox)
    assert receipt.reference.startswith("R-") and receipt.follow_up_code and receipt.alert
    assert outbox.count() == 1
    held = b"".join(p.read_bytes() for p in outbox.folder.iterdir())
    for secret in (CANARY, receipt.reference, receipt.follow_up_code, "webhook", "Chisinau"):
        assert secret.encode() not in held  # nothing of it readable in the outbox
    assert oct(next(outbox.folder.iterdir()).stat().st_mode & 0o777) == "0o600"
    # still down: flushing keeps it held, and a second confirmation is the same report
    with pytest.raises(Exception):
        outbox.flush(ReportStore(pg.url, migrate=False))
    assert outbox.count() == 1
    assert submit_report(settings, _slots("draft-down"), "en", [], outbox=outbox).reference == receipt.reference
    pg.start()
    # back: confirmed again before the outbox was flushed, still the held report, not a second one
    assert submit_report(settings, _slots("draft-down"), "en", [], outbox=outbox).reference == receipt.reference
    store = ReportStore(pg.url)
    assert outbox.flush(store) == 1 and outbox.count() == 0
    assert outbox.flush(store) == 0
    assert submit_report(settings, _slots("draft-down"), "en", [], outbox=outbox).reference == receipt.reference
    reports = [r for r in opened(store, key) if not isinstance(r, tuple)]
    assert [r.reference for r in reports] == [receipt.reference]  # exactly once
    assert CANARY in json.dumps(reports[0].report)
    # its urgent alert and its follow-up code came with it
    from bot.reports.alert_outbox import Outbox

    assert Outbox(store.engine).claim_due() == [(receipt.reference, "webhook")]
    book = follow_up.FollowUps(store.engine, os.urandom(32))
    assert book.open("someone", receipt.reference, receipt.follow_up_code).reference == receipt.reference


def test_two_servers_flushing_the_same_report_store_it_once(world):
    pg, settings, key, outbox = world
    pg.stop()
    receipt = submit_report(settings, _slots("draft-twice"), "en", [], outbox=outbox)
    pg.start()
    twin = ReportOutbox(outbox.folder, outbox.key)  # a second process reading the same folder
    store = ReportStore(pg.url)
    results = [outbox.flush(store)]
    # the twin's copy of the file is gone already; a copy held twice is refused by the store
    assert twin.flush(store) == 0
    assert sum(results) == 1 and store.count() == 1 and store.find("draft-twice").reference == receipt.reference


def test_a_disk_that_cannot_hold_the_report_is_a_failed_submission_not_a_lost_one(world, tmp_path):
    pg, settings, _, _ = world
    pg.stop()
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the outbox folder should be")
    with pytest.raises(OSError):
        submit_report(settings, _slots("draft-nowhere"), "en", [], outbox=ReportOutbox(blocked, os.urandom(32)))

"""The store keeps exactly one sealed report per draft, and only ciphertext."""
import threading

from sqlalchemy import inspect

from bot import database
from bot.reports.sealing import PrivateKey, open_sealed, seal
from bot.reports.store import ReportStore


def _sealer(key, calls):
    def make(report_id, reference, received_on):
        calls.append(report_id)
        return seal(report_id, f"report {reference}".encode(), [key.public_key()], reference, received_on)
    return make


def test_the_same_draft_submitted_twice_is_one_report(tmp_path):
    store = ReportStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    key, calls = PrivateKey.generate(), []
    first = store.submit("draft-1", _sealer(key, calls))
    second = store.submit("draft-1", _sealer(key, calls))
    assert first.created and not second.created
    assert first.reference == second.reference
    assert store.count() == 1 and len(calls) == 1
    [row] = store.all()
    assert open_sealed(row.sealed(), key) == f"report {first.reference}".encode()


def test_concurrent_confirmations_store_one_report(tmp_path):
    store = ReportStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    key, calls, receipts = PrivateKey.generate(), [], []
    threads = [threading.Thread(target=lambda: receipts.append(store.submit("draft-x", _sealer(key, calls))))
               for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert store.count() == 1
    assert len({r.reference for r in receipts}) == 1


def test_different_drafts_get_different_references(tmp_path):
    store = ReportStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    key = PrivateKey.generate()
    refs = {store.submit(f"d{i}", _sealer(key, [])).reference for i in range(20)}
    assert len(refs) == 20
    assert all(r.startswith("R-") and len(r) == 11 for r in refs)


def test_migrations_go_up_and_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    database.upgrade(url)
    assert {"sealed_reports", "report_keys"} <= set(inspect(database.engine(url)).get_table_names())
    database.downgrade(url, "base")
    assert not {"sealed_reports", "report_keys"} & set(inspect(database.engine(url)).get_table_names())
    database.upgrade(url)
    assert "sealed_reports" in inspect(database.engine(url)).get_table_names()


def test_the_transcript_is_cleaned_and_bounded_like_every_answer():
    from bot.reports.submission import transcript
    from bot.vocabulary.text import MAX_ANSWER_CHARS

    hidden = "pay\u200bment at the \u2066border\u2069\ufeff and \u202etxet desrever\u202c"
    lines = transcript([{"event": "user", "text": hidden, "timestamp": 1},
                        {"event": "user", "text": "x" * 10_000, "timestamp": 2},
                        {"event": "user", "text": 12345, "timestamp": 3}])
    assert lines[0]["text"] == "payment at the border and txet desrever"
    assert len(lines[1]["text"]) == MAX_ANSWER_CHARS and len(lines) == 2


def test_a_swapped_reference_or_date_makes_the_report_fail_to_open(tmp_path):
    """Whoever can write the database cannot give a report another reference or date: both are
    bound into the sealed report's associated data."""
    import datetime

    import pytest
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from bot.reports.sealing import SealError
    from bot.reports.store import SealedReport

    store = ReportStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    key = PrivateKey.generate()
    a = store.submit("draft-a", _sealer(key, []))
    b = store.submit("draft-b", _sealer(key, []))
    with Session(store.engine) as session, session.begin():  # swap the two references
        session.execute(update(SealedReport).where(SealedReport.id == a.report_id).values(reference="R-TEMP-0000"))
        session.execute(update(SealedReport).where(SealedReport.id == b.report_id).values(reference=a.reference))
        session.execute(update(SealedReport).where(SealedReport.id == a.report_id).values(reference=b.reference))
    for row in store.all():
        with pytest.raises(SealError):
            open_sealed(row.sealed(), key)
    store2 = ReportStore(f"sqlite:///{tmp_path / 'db2.sqlite'}")
    c = store2.submit("draft-c", _sealer(key, []))
    with Session(store2.engine) as session, session.begin():  # back-date it
        session.execute(update(SealedReport).where(SealedReport.id == c.report_id)
                        .values(received_on=datetime.date(2020, 1, 1)))
    [row] = store2.all()
    with pytest.raises(SealError):
        open_sealed(row.sealed(), key)

"""The report store and the conversation state on a real PostgreSQL server, migrations up and down."""
import os
import threading

import pytest
from sqlalchemy import inspect, text

from bot import database
from bot.reports.sealing import PrivateKey, open_sealed, seal
from bot.reports.store import ReportStore
from bot.state import server_keys
from bot.state.conversation_state import ConversationStates, StateError
from tests import postgres


@pytest.fixture(scope="module")
def pg_url():
    with postgres.server() as url:
        yield url


def test_migrations_up_and_down(pg_url):
    database.upgrade(pg_url)
    tables = set(inspect(database.engine(pg_url)).get_table_names())
    assert {"sealed_reports", "report_keys", "conversation_states"} <= tables
    database.downgrade(pg_url, "base")
    assert not {"sealed_reports", "report_keys", "conversation_states"} & set(inspect(database.engine(pg_url)).get_table_names())
    database.upgrade(pg_url)


def test_reports_are_stored_once_and_only_as_ciphertext(pg_url):
    store = ReportStore(pg_url)
    key = PrivateKey.generate()
    receipts = []

    def submit():
        receipts.append(store.submit("pg-draft", lambda rid, ref, on: seal(rid, b"PG-CANARY report", [key.public_key()], ref, on)))

    threads = [threading.Thread(target=submit) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len({r.reference for r in receipts}) == 1
    rows = [r for r in store.all() if r.reference == receipts[0].reference]
    assert len(rows) == 1 and open_sealed(rows[0].sealed(), key) == b"PG-CANARY report"
    with database.engine(pg_url).connect() as connection:
        dump = str(connection.execute(text("SELECT * FROM sealed_reports")).fetchall())
    assert "PG-CANARY" not in dump


def test_conversation_state_on_postgres(pg_url):
    secrets = server_keys.ServerSecrets((("s1", os.urandom(32)),), os.urandom(32))
    states = ConversationStates(pg_url, secrets, keep_hours=24)
    states.put("pg-conv", b"PG-CANARY state")
    states.put("pg-conv", b"PG-CANARY state, updated")
    assert states.get("pg-conv") == b"PG-CANARY state, updated"
    with database.engine(pg_url).connect() as connection:
        assert "PG-CANARY" not in str(connection.execute(text("SELECT * FROM conversation_states")).fetchall())
    with pytest.raises(StateError):
        ConversationStates(pg_url, server_keys.ServerSecrets((("s1", os.urandom(32)),), b"x" * 32), 24).get("pg-conv")
    states.delete("pg-conv")
    assert states.get("pg-conv") is None


def test_retention_on_postgresql_leaves_no_dead_row_of_a_wrapped_key(pg_url, tmp_path):
    """Deleted rows stay in PostgreSQL's table files until vacuumed: retention vacuums both tables."""
    import datetime

    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from bot.reports import retention
    from bot.reports.store import SealedReport

    from pathlib import Path

    store = ReportStore(pg_url)
    key = PrivateKey.generate()
    old = store.submit("pg-old", lambda rid, ref, on: seal(rid, b"PG-OLD", [key.public_key()], ref, on))
    [row] = [r for r in store.all() if r.id == old.report_id]
    wrapped = row.keys[0].wrapped_key
    with Session(store.engine) as session, session.begin():
        session.execute(update(SealedReport).where(SealedReport.id == old.report_id)
                        .values(received_on=datetime.date(2000, 1, 1)))
    assert old.reference in retention.apply(store, 365, tmp_path / "audit.log")
    with database.engine(pg_url).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("CHECKPOINT"))  # what is in the table's pages is on disk now
        data_dir = connection.execute(text("SHOW data_directory")).scalar()
        table_file = connection.execute(text("SELECT pg_relation_filepath('report_keys')")).scalar()
    assert wrapped[:32] not in (Path(data_dir) / table_file).read_bytes()


def test_the_audit_trail_stays_one_chain_with_writers_at_once(pg_url):
    from bot.reports.audit_trail import AuditTrail
    from tests.unit.test_audit_trail import write_at_once

    trail = AuditTrail(ReportStore(pg_url).engine)
    before = trail.verify().entries
    write_at_once(trail, each=20)
    verdict = trail.verify()
    assert verdict.intact and verdict.entries == before + 80

"""The database: SQLite file by default, PostgreSQL in production, schema by Alembic migrations."""
from __future__ import annotations

import contextlib
import functools
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import declarative_base
from sqlalchemy.pool import QueuePool

MIGRATIONS = Path(__file__).with_name("migrations")

# One declarative base for every wing's tables; the schema itself is made by the migrations.
Base = declarative_base()


@functools.lru_cache(maxsize=None)
def engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        # SQLAlchemy 1.4 opens a new SQLite connection for every session (NullPool): with the
        # pragmas below that was a third of the Rasa server's time per message. A pool of
        # connections shared between threads (each used by one thread at a time) instead.
        eng = create_engine(url, future=True, poolclass=QueuePool, pool_size=5, max_overflow=10,
                            connect_args={"check_same_thread": False})
    else:
        eng = create_engine(url, future=True, pool_pre_ping=True)
    if eng.dialect.name == "sqlite":

        @event.listens_for(eng, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            # Deleted rows are overwritten with zeros, not left readable in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return eng


_SQLITE_WRITERS: dict[str, threading.Lock] = {}


def writing(url: str):
    """Held while writing: on SQLite, one thread of a process writes at a time. SQLite lets one
    writer in and makes the others sleep and retry (1, 2, 5 ... 100 ms); under load those sleeps
    were most of a message's wait. PostgreSQL takes concurrent writers itself."""
    if not url.startswith("sqlite"):
        return contextlib.nullcontext()
    return _SQLITE_WRITERS.setdefault(url, threading.Lock())


def _alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    with engine(url).begin() as connection:
        cfg = _alembic_config(url)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def downgrade(url: str, revision: str) -> None:
    with engine(url).begin() as connection:
        cfg = _alembic_config(url)
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)

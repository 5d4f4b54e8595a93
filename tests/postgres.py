"""A throwaway PostgreSQL server for the tests: its own cluster in a temporary folder, on loopback."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _as_postgres(args: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root: run its programs as the 'postgres' system user.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Cluster:
    """A throwaway PostgreSQL cluster that a test can stop and start again (the database down)."""

    def __init__(self):
        initdb, self.pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not (initdb and self.pg_ctl):
            raise RuntimeError("PostgreSQL is not installed (scripts/ensure_test_tools.sh installs it)")
        self.root = Path(tempfile.mkdtemp(prefix="thb-pg-"))
        self.data = self.root / "data"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        subprocess.run(_as_postgres([initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"]),
                       check=True, capture_output=True)
        self.url = f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
                   "-c fsync=off -c max_connections=200")
        subprocess.run(_as_postgres([self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                                     "-w", "start"]), check=True, capture_output=True)

    def stop(self, mode: str = "immediate") -> None:
        subprocess.run(_as_postgres([self.pg_ctl, "-D", str(self.data), "-m", mode, "stop"]), capture_output=True)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def cluster():
    pg = Cluster()
    pg.start()
    try:
        yield pg
    finally:
        pg.remove()


@contextmanager
def server():
    if os.environ.get("BOT_TEST_POSTGRES_URL"):
        yield os.environ["BOT_TEST_POSTGRES_URL"]
        return
    with cluster() as pg:
        yield pg.url

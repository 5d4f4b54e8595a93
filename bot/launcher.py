"""Start the action server and the Rasa server on loopback, wait until both answer, stop both.

Used by ``./run`` (then a terminal chat) and by the end-to-end tests, so that what is tested is
what a newcomer runs.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from bot.config import ROOT

LOOPBACK = "127.0.0.1"


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def latest_model() -> Path:
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit("No trained model in models/: run ./run or ./run-tests, which train one.")
    return models[-1]


# Sanic reads SANIC_* variables into its configuration. The Rasa server faces people: it reads
# no body over 128 KiB (Sanic's default is 100 MB; the channel itself answers 413 above 64 KiB)
# and answers 408 to a request that sends nothing for 15 s. Sanic restarts that timeout with every
# byte, so the guard (bot/http_guard.py) also gives the headers 10 s and the body 10 s in all
# (one byte every 10 s kept a connection open for minutes). The action server receives whole
# trackers from the Rasa server.
RASA_SERVER_LIMITS = {"SANIC_REQUEST_MAX_SIZE": str(128 * 1024), "SANIC_REQUEST_TIMEOUT": "15"}
ACTION_SERVER_LIMITS = {"SANIC_REQUEST_MAX_SIZE": str(16 * 1024 * 1024), "SANIC_REQUEST_TIMEOUT": "15"}


class Servers:
    def __init__(self, rasa_port: int, actions_port: int, log_dir: Path, env: dict, model: Path,
                 rasa_files: tuple[Path, Path] | None = None):
        self.rasa_port, self.actions_port = rasa_port, actions_port
        # credentials and endpoints: the project's own, or others for a benchmark's baseline
        self.credentials, self.endpoints = rasa_files or (Path("credentials.yml"), Path("endpoints.yml"))
        self.log_dir, self.env, self.model = log_dir, env, model
        self.processes: list[subprocess.Popen] = []

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.rasa_port}"

    def _start(self, name: str, args: list[str], limits: dict | None = None) -> subprocess.Popen:
        # Logs and everything the servers write are the owner's only: a log line may name a bot
        # or a path, and files other users can read are one mistake away from a leak.
        self.log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.log_dir / f"{name}.log"
        log = os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "ab")
        os.chmod(path, 0o600)  # a log made by an older version keeps no wider mode
        p = subprocess.Popen(args, cwd=ROOT, env={**self.env, **(limits or {})}, stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True, umask=0o077)
        self.processes.append(p)
        return p

    def start_actions(self) -> None:
        self._start("actions", [_bin("rasa"), "run", "actions", "--actions", "actions",
                                "--port", str(self.actions_port)], ACTION_SERVER_LIMITS)

    def start_rasa(self) -> None:
        # No --enable-api: the only HTTP routes are the channel's webhook and a status page.
        self._start("rasa", [_bin("rasa"), "run", "--model", str(self.model), "--interface", LOOPBACK,
                             "--port", str(self.rasa_port), "--credentials", str(self.credentials),
                             "--endpoints", str(self.endpoints)], RASA_SERVER_LIMITS)

    def wait(self, timeout: float = 240, progress=None) -> None:
        deadline = time.time() + timeout
        checks = {"action server": f"http://{LOOPBACK}:{self.actions_port}/health",
                  "Rasa server": f"{self.url}/webhooks/rest/"}
        pending = dict(checks)
        while pending:
            for name, url in list(pending.items()):
                if _answers(url):
                    pending.pop(name)
                    if progress:
                        progress(f"{name} ready")
            for p in self.processes:
                if p.poll() is not None:
                    raise RuntimeError(f"a server stopped while starting (exit {p.returncode}); "
                                       f"see {self.log_dir}")
            if time.time() > deadline:
                raise TimeoutError(f"not ready after {timeout:.0f}s: {', '.join(pending)}")
            time.sleep(0.5)

    def stop(self) -> None:
        for p in self.processes:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in self.processes:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self.processes.clear()


def server_env(actions_port: int, extra: dict | None = None) -> dict:
    env = dict(os.environ)
    # The secret the Rasa server sends and the action server requires on every call: one per
    # run unless the operator gives one.
    env.setdefault("BOT_ACTION_SECRET", secrets.token_urlsafe(32))
    env.update({
        "ACTION_ENDPOINT_URL": f"http://{LOOPBACK}:{actions_port}/webhook",
        "SANIC_HOST": LOOPBACK,  # the action server listens on loopback only
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "RASA_TELEMETRY_ENABLED": "false",
    })
    env.update(extra or {})
    return env


def _check_tracker_store(env: dict, endpoints: Path = Path("endpoints.yml")) -> None:
    """Refuse to start when the encrypted tracker store cannot load (Rasa would use memory)."""
    # The path goes as an argument, never into the code run.
    code = "import sys; from bot.state import tracker_store; print(tracker_store.check(sys.argv[1]))"
    result = subprocess.run([sys.executable, "-c", code, str(endpoints)],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise RuntimeError(f"refusing to start: the encrypted tracker store does not load ({reason})")


def _check_reviewer_keys(env: dict) -> None:
    """Refuse to start when no key may seal a report: people would answer every question and
    then be told their report cannot be sent. Fails closed, never onto the trial key."""
    from bot.config import Settings
    from bot.reports.reviewer_keys import NoReviewerKey
    from bot.reports.store import ReportStore
    from bot.reports.submission import recipients_for

    settings = Settings.from_env(env)
    try:
        recipients_for(settings, ReportStore(settings.database_url))
    except NoReviewerKey as exc:
        raise RuntimeError(f"refusing to start: {exc}") from None


def _check_directory(env: dict) -> None:
    """Outside trial mode, refuse to start while a country's referrals are all examples (made-up
    or unverified numbers), and name those countries."""
    from bot.config import Settings
    from bot.referrals import matching

    settings = Settings.from_env(env)
    if settings.trial_mode:
        return
    only = matching.countries_with_only_examples(matching.current(settings.database_url, settings.referrals_dir))
    if only:
        raise RuntimeError(
            f"refusing to start: the referral directory lists only example entries for {', '.join(only)}. "
            "Verify those entries against each organisation's own published source and remove "
            "`example: true` (bot directory validate), or import a verified directory; "
            "BOT_TRIAL_MODE=1 only to try the assistant out.")


def check_before_start(env: dict, endpoints: Path = Path("endpoints.yml")) -> None:
    """What must hold before a Rasa server and an action server start: raises RuntimeError."""
    _check_tracker_store(env, endpoints)
    _check_reviewer_keys(env)
    _check_directory(env)


@contextmanager
def running(rasa_port: int = 5005, actions_port: int = 5055, log_dir: Path | None = None,
            extra_env: dict | None = None, progress=None,
            rasa_files: tuple[Path, Path] | None = None, stock_baseline: bool = False) -> Iterator[Servers]:
    """Start both servers and wait until they answer. ``rasa_files``: other credentials and
    endpoints files; ``stock_baseline``: Rasa's own tracker store in them, for a benchmark's
    baseline only (the encrypted store is otherwise required)."""
    env = server_env(actions_port, extra_env)
    if stock_baseline:
        _check_reviewer_keys(env)
    else:
        check_before_start(env, rasa_files[1] if rasa_files else Path("endpoints.yml"))
    servers = Servers(rasa_port, actions_port, log_dir or ROOT / "var" / "log", env, latest_model(), rasa_files)
    try:
        servers.start_actions()
        servers.start_rasa()
        servers.wait(progress=progress)
        yield servers
    finally:
        servers.stop()


def main() -> None:
    from bot.channels import terminal as terminal_chat

    os.umask(0o077)  # the data folder, database and logs: the owner's only

    rasa_port = int(os.environ.get("BOT_RASA_PORT", 5005))
    actions_port = int(os.environ.get("BOT_ACTIONS_PORT", 5055))
    print("Starting the action server and the Rasa server on loopback (about a minute)...", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with running(rasa_port, actions_port, progress=lambda m: print(f"  {m}", flush=True)) as servers:
            print(f"\nThe assistant is running (loopback only). Talk to it in your browser:\n\n"
                  f"    {servers.url}/webhooks/rest/chat\n\nor here in the terminal.", flush=True)
            terminal_chat.main(servers.url)
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        print(f"\n{exc}", flush=True)
        sys.exit(1)
    finally:
        print("Stopped both servers.")


if __name__ == "__main__":
    main()

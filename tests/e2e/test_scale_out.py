"""Scale-out the Rasa way, all on loopback and started here: two Rasa servers and two action
servers behind Debian's nginx (deploy/scale-out/balancer.conf), conversation state and reports in
PostgreSQL, Redis as Rasa's lock store (deploy/scale-out/endpoints.yml).

Whole reports whose messages alternate between the two Rasa servers, and others through the
balancer, arrive with nothing lost, nothing twice and nothing out of order; one Rasa server killed
behind the balancer, Redis down and PostgreSQL down are each a clear "send it again", never a
message kept in memory, and the conversation then goes on where it was."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from bot import launcher
from bot.load_bench import RedisServer
from bot.config import ROOT
from bot.reports import review, reviewer_keys
from bot.reports.store import ReportStore
from bot.reports.store import REFERENCE_IN_TEXT
from tests import postgres
from tests.e2e import rest_chat
from tests.e2e.conftest import ONE_CLIENT_MANY_PEOPLE, free_port, prepared
from tests.e2e.rest_chat import choice

pytestmark = pytest.mark.e2e
NGINX = "/usr/sbin/nginx"
BALANCER = ROOT / "deploy" / "scale-out" / "balancer.conf"
ENDPOINTS = ROOT / "deploy" / "scale-out" / "endpoints.yml"
REFERENCE = REFERENCE_IN_TEXT


def render_balancer(rasa_ports, action_ports, actions_balancer: int, public: int, directory: Path) -> str:
    """The shipped balancer with loopback ports; each rewrite must match where expected, so a change
    to the shipped file that this test would no longer cover fails here."""
    site = BALANCER.read_text()
    rewrites = [(r"10\.0\.0\.11:5005", f"127.0.0.1:{rasa_ports[0]}"), (r"10\.0\.0\.12:5005", f"127.0.0.1:{rasa_ports[1]}"),
                (r"10\.0\.0\.11:5055", f"127.0.0.1:{action_ports[0]}"), (r"10\.0\.0\.12:5055", f"127.0.0.1:{action_ports[1]}"),
                (r"listen 10\.0\.0\.5:5054;", f"listen 127.0.0.1:{actions_balancer};"),
                (r"/var/log/nginx/thb-actions\.error\.log", str(directory / "actions-error.log"))]
    for pattern, value in rewrites:
        site, n = re.subn(pattern, value, site)
        assert n == 1, f"{pattern} no longer in {BALANCER}"
    # The public side as deploy/nginx/thb-assistant.conf passes messages: to thb_rasa, no retry of
    # a POST that reached a server.
    site += f"""
server {{
    listen 127.0.0.1:{public};
    access_log off;
    proxy_http_version 1.1;
    location / {{ proxy_pass http://thb_rasa$uri; }}
}}
"""
    temp = "\n".join(f"    {kind}_temp_path {directory / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""daemon off;
worker_processes 1;
pid {directory / 'nginx.pid'};
error_log {directory / 'main-error.log'} warn;
events {{ worker_connections 512; }}
http {{
{temp}
{site}
}}
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale")
    data_dir = root / "var"
    prepared(data_dir)
    with postgres.cluster() as pg:
        ReportStore(pg.url)  # migrate once, before the instances start (`bot setup` in a deployment)
        redis = RedisServer(root)
        redis.start()
        rasa_ports, action_ports = [free_port(), free_port()], [free_port(), free_port()]
        actions_balancer, public = free_port(), free_port()
        nginx_dir = root / "nginx"
        nginx_dir.mkdir()
        conf = nginx_dir / "nginx.conf"
        conf.write_text(render_balancer(rasa_ports, action_ports, actions_balancer, public, nginx_dir))
        checked = subprocess.run([NGINX, "-t", "-p", str(nginx_dir), "-c", str(conf)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        env = launcher.server_env(actions_balancer, {
            "BOT_DATA_DIR": str(data_dir), "BOT_TRIAL_MODE": "1", "BOT_DATABASE_URL": pg.url, **ONE_CLIENT_MANY_PEOPLE,
            **redis.env})
        launcher.check_before_start(env, ENDPOINTS)
        model = launcher.latest_model()
        instances = [launcher.Servers(r, a, root / f"log{i}", env, model, rasa_files=(ROOT / "credentials.yml", ENDPOINTS))
                     for i, (r, a) in enumerate(zip(rasa_ports, action_ports))]
        proxy = subprocess.Popen([NGINX, "-p", str(nginx_dir), "-c", str(conf)])
        try:
            for s in instances:
                s.start_actions()
                s.start_rasa()
            for s in instances:
                s.wait()
            yield {"instances": instances, "pg": pg, "redis": redis, "public": f"http://127.0.0.1:{public}",
                   "data_dir": data_dir, "root": root}
        finally:
            proxy.terminate()
            proxy.wait(timeout=10)
            for s in instances:
                s.stop()
            redis.stop()


class Recording(rest_chat.Chat):
    """A person whose typed messages (not button presses) are kept, to compare with the report."""

    def __init__(self, url: str):
        super().__init__(url)
        self.typed: list[str] = []

    def say(self, text: str) -> list[dict]:
        if not text.startswith("/"):
            self.typed.append(text)
        return super().say(text)


class Alternating(Recording):
    """A person whose every message goes to the next server in turn."""

    def __init__(self, urls: list[str]):
        super().__init__(urls[0])
        self.urls, self.sent = urls, 0

    def raw(self, body: bytes, content_type="application/json"):
        self.url = self.urls[self.sent % len(self.urls)]
        self.sent += 1
        return super().raw(body, content_type)


def whole_report(chat, n: int) -> str:
    """One report with answers that name the person n, every step checked."""
    steps = [("I need to report something I saw at the checkpoint", "danger"), (choice("no"), "Do you agree"),
             (choice("yes"), "How do you know"), (choice("observed"), "own words"),
             (f"person {n} saw women locked in a van CANARYscale{n}x", "When"), (f"the night before, case {n}", "Where"),
             (f"Odesa, port gate {n}", "recruited"), (choice("Exploitation"), "exploitation"),
             (choice("ForcedLabour"), None), (choice("WithholdsDocuments"), None), ("3", None), (choice("no"), None),
             (choice("Feminine"), None), ("Ukrainian", None), (f"a driver called number {n}", None),
             (choice("yes"), None), (f"told my officer, case {n}", None), (choice("anonymous"), "Nothing has been sent yet")]
    for text, expected in steps:
        replies = chat.text(chat.say(text))
        assert "not a person" not in replies or text == steps[0][0], (n, text, replies)  # never greeted anew
        if expected:
            assert expected.lower() in replies.lower(), (n, text, replies)
    sent = chat.text(chat.say("yes"))
    assert "Your reference code is" in sent, sent
    return REFERENCE.search(sent).group(0)


def opened_reports(cluster) -> dict[str, dict]:
    from bot.config import Settings

    settings = Settings.from_env({"BOT_DATA_DIR": str(cluster["data_dir"]), "BOT_TRIAL_MODE": "1"})
    key = reviewer_keys.read_private(settings.trial_key_dir / "trial-reviewer.key.json", reviewer_keys.TRIAL_PASSPHRASE)
    return {r.reference: r.report for r in review.opened(ReportStore(cluster["pg"].url), key) if not isinstance(r, tuple)}


def test_messages_alternating_between_instances_arrive_once_and_in_order(cluster):
    urls = [s.url for s in cluster["instances"]]
    chats = {n: Alternating(urls) for n in range(8)}  # four alternate between the two servers...
    chats.update({n: Recording(cluster["public"]) for n in range(8, 12)})  # ...four go through nginx
    references, failures = {}, []

    def person(n):
        try:
            references[n] = whole_report(chats[n], n)
        except BaseException as exc:  # noqa: BLE001  (reported below, with the person's number)
            failures.append((n, repr(exc)))

    threads = [threading.Thread(target=person, args=(n,)) for n in chats]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not failures, failures
    reports = opened_reports(cluster)
    for n, reference in references.items():
        assert reference in reports  # stored, under the reference the person was told
        mine = [r for r in reports.values() if f"CANARYscale{n}x" in json.dumps(r)]
        assert len(mine) == 1, n  # once
        typed = [line["text"] for line in mine[0]["transcript"] if line["from"] == "person" and not line.get("pressed")]
        assert typed == chats[n].typed, (n, typed)  # every message, in the order sent
    # both Rasa servers and both action servers took part
    for s in cluster["instances"]:
        assert (s.log_dir / "rasa.log").stat().st_size > 0


def _said(chat, text):
    status, replies = chat.raw(json.dumps({"sender": chat.sender, "message": text}).encode())
    return status, rest_chat.Chat.text(replies if isinstance(replies, list) else [])


def test_redis_down_is_send_it_again_and_nothing_runs_unlocked(cluster):
    chat = Alternating([s.url for s in cluster["instances"]])
    chat.says("I need to report something I saw at the checkpoint", choice("no"), choice("yes"), choice("observed"))
    cluster["redis"].stop()
    try:
        status, text = _said(chat, "a man took their passports CANARYredisdown")
        assert status == 503 and "send your last message again" in text
    finally:
        cluster["redis"].start()
    assert "When" in chat.text(chat.say("a man took their passports CANARYredisdown"))  # where it was


def test_postgres_down_for_state_is_send_it_again_never_memory(cluster):
    chat = Alternating([s.url for s in cluster["instances"]])
    chat.says("I need to report something I saw at the checkpoint", choice("no"), choice("yes"), choice("observed"))
    cluster["pg"].stop()
    try:
        for _ in range(2):  # on both servers
            status, text = _said(chat, "a man took their passports CANARYpgdown")
            assert status == 503 and "send your last message again" in text
    finally:
        cluster["pg"].start()
    asked = chat.text(chat.say("a man took their passports CANARYpgdown"))
    assert "When" in asked and "not a person" not in asked
    for s in cluster["instances"]:
        log = (s.log_dir / "rasa.log").read_text(errors="replace")
        assert "InMemoryTrackerStore" not in log and "CANARY" not in log


def test_zz_a_rasa_server_killed_behind_the_balancer_loses_no_message(cluster):
    """Runs last: it kills one Rasa server. nginx passes the next messages to the other one."""
    chat = rest_chat.Chat(cluster["public"])
    chat.says("I need to report something I saw at the checkpoint", choice("no"), choice("yes"))
    first = cluster["instances"][0]
    os.killpg(first.processes[1].pid, signal.SIGKILL)
    first.processes[1].wait(timeout=30)
    assert "own words" in chat.text(chat.say(choice("observed")))
    assert "When" in chat.text(chat.say("a woman was locked in a flat CANARYkilledrasa"))
    assert "Where" in chat.text(chat.say("this morning"))

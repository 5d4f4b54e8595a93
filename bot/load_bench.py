"""Many people at once: N conversations over REST through the real servers, against stock Rasa.

Each simulated person replays one whole report (21 messages, typed answers and buttons, ending
with "yes, send it") with no pause between messages, N people at a time. Measured per message:
the time to the answer (p50, p95, p99), messages per second, the servers' CPU and peak memory,
and what went wrong: a message with no answer (lost), a conversation whose report was stored
twice (duplicated), one that never got its reference.

The baseline is the same model and the same action server behind Rasa's stock wiring: its REST
channel and its ``SQLTrackerStore`` on SQLite, in the same run, one after the other so that the
two never share the cores.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bot import launcher
from bot.bench_files import keep
from bot.reports.store import REFERENCE_IN_TEXT

# One report, as a person types it: free text where people type, buttons where they press them.
REPORT = [
    "hello",
    "I need to report something I saw at the checkpoint",
    '/inform{"choice":"no"}',
    '/inform{"choice":"yes"}',
    '/inform{"choice":"observed"}',
    "three young women were locked in a van behind the bar, a man took their passports",
    "yesterday around 11 at night",
    "Kyiv near the station",
    '/inform{"choice":"Exploitation"}',
    '/inform{"choice":"ForcedLabour"}',
    '/inform{"choice":"WithholdsDocuments"}',
    "3",
    '/inform{"choice":"yes"}',
    '/inform{"choice":"Feminine"}',
    "Ukrainian",
    "a tall man with a scar who drives a white van",
    '/inform{"choice":"yes"}',
    "I told my commander",
    '/inform{"choice":"contact"}',
    "call me on +380 44 123 4567",
    "yes",
]
REFERENCE = REFERENCE_IN_TEXT
# The stock REST channel has no safe-channel rate limits; the project's are raised for one
# client that plays many people (they are tested with their own settings).
ONE_CLIENT_MANY_PEOPLE = {"BOT_RATE_PER_CONVERSATION": "100000/100000", "BOT_RATE_PER_ADDRESS": "100000/100000",
                          "BOT_RATE_NEW_CONVERSATIONS": "100000/100000"}


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds per answered message
    by_position: dict[int, list[float]] = field(default_factory=dict)  # message number -> seconds
    lost: int = 0  # sent, no answer (an error status or an empty reply)
    references: list[str] = field(default_factory=list)
    unfinished: int = 0  # conversations that never got a reference
    errors: dict[str, int] = field(default_factory=dict)


async def _post(session, url: str, body: dict) -> tuple[int, object]:
    async with session.post(url, json=body) as r:
        return r.status, await r.json(content_type=None)


async def _person(session, urls: list[str], stock: bool, script: list[str], tally: Tally) -> None:
    """One whole report; with several Rasa servers, its messages go to each in turn (as a
    round-robin balancer would send them)."""
    if stock:
        sender = uuid.uuid4().hex
    else:
        _, issued = await _post(session, f"{urls[0]}/webhooks/rest/conversation", {})
        sender = issued["sender"]
    got_reference = None
    for i, text in enumerate(script):
        url = urls[i % len(urls)]
        start = time.perf_counter()
        try:
            status, replies = await _post(session, f"{url}/webhooks/rest/webhook", {"sender": sender, "message": text})
        except Exception as exc:  # a dropped connection is a lost message, counted by its kind
            status, replies = 0, None
            tally.errors[type(exc).__name__] = tally.errors.get(type(exc).__name__, 0) + 1
        took = time.perf_counter() - start
        if status != 200 or not replies:
            tally.lost += 1
            tally.errors[f"HTTP {status}"] = tally.errors.get(f"HTTP {status}", 0) + (status != 0)
            continue
        tally.latencies.append(took)
        tally.by_position.setdefault(i, []).append(took)
        found = REFERENCE.search(json.dumps(replies))
        if found:
            got_reference = found.group(0)
    if got_reference:
        tally.references.append(got_reference)
    else:
        tally.unfinished += 1


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Usage:
    """CPU seconds and resident memory of the servers' process groups, read from /proc."""

    def __init__(self, pids: list[int], names: tuple[str, ...] = ("actions", "rasa")):
        self.pids, self.names = pids, names
        self.peak_rss: dict[int, int] = {}

    def _group(self, leader: int) -> list[int]:
        members = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[2]) == leader:  # process group id
                    members.append(int(entry))
        return members

    def cpu_seconds(self) -> float:
        return sum(self.cpu_by_server().values())

    def cpu_by_server(self) -> dict[int, float]:
        """CPU seconds (user and system) of each server's process group so far."""
        tick = os.sysconf("SC_CLK_TCK")
        spent = {}
        for leader in self.pids:
            total = 0.0
            for pid in self._group(leader):
                try:
                    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                total += (int(parts[11]) + int(parts[12])) / tick  # utime + stime
            spent[leader] = total
        return spent

    def rss(self) -> dict[int, int]:
        """Bytes resident per server (its whole process group)."""
        now = {}
        for leader in self.pids:
            size = 0
            for pid in self._group(leader):
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            size += int(line.split()[1]) * 1024
                except OSError:
                    continue
            now[leader] = size
            self.peak_rss[leader] = max(self.peak_rss.get(leader, 0), size)
        return now


async def _wave(urls: list[str], stock: bool, people: int, conversations: int, script: list[str], usage: Usage,
                progress) -> dict:
    import aiohttp

    tally = Tally()
    timeout = aiohttp.ClientTimeout(total=600)
    connector = aiohttp.TCPConnector(limit=0)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(conversations):
        queue.put_nowait(i)
    done = 0

    async def worker(session):
        nonlocal done
        while not queue.empty():
            queue.get_nowait()
            await _person(session, urls, stock, script, tally)
            done += 1
            if progress and done % max(1, conversations // 5) == 0:
                progress(f"    {done}/{conversations} conversations")

    async def sample():
        while True:
            usage.rss()
            await asyncio.sleep(0.5)

    cpu0 = usage.cpu_by_server()
    start = time.perf_counter()
    sampler = asyncio.ensure_future(sample())
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(people)))
    sampler.cancel()
    wall = time.perf_counter() - start
    cpu_each = {pid: spent - cpu0.get(pid, 0.0) for pid, spent in usage.cpu_by_server().items()}
    cpu = sum(cpu_each.values())
    sent = conversations * len(script)
    answered = len(tally.latencies)
    return {
        "people_at_once": people, "conversations": conversations, "messages_sent": sent,
        "messages_answered": answered, "lost": tally.lost, "unfinished": tally.unfinished,
        "duplicated_references": len(tally.references) - len(set(tally.references)),
        "errors": tally.errors, "wall_s": round(wall, 2), "messages_per_s": round(answered / wall, 2),
        "p50_ms": round(_pct(tally.latencies, 0.50) * 1000, 1), "p95_ms": round(_pct(tally.latencies, 0.95) * 1000, 1),
        "p99_ms": round(_pct(tally.latencies, 0.99) * 1000, 1),
        "cpu_ms_per_message": round(cpu / max(1, answered) * 1000, 1),
        "cpu_cores_busy": round(cpu / wall, 2),
        # per server, in the order the launcher started them: the action server, then Rasa
        "cpu_ms_per_message_by_server": dict(zip(usage.names, (round(v / max(1, answered) * 1000, 1)
                                                                for v in cpu_each.values()))),
        # the cost of a message by its place in the conversation: must not grow with length
        "median_ms_by_position": [round(statistics.median(tally.by_position.get(i, [float("nan")])) * 1000, 1)
                                  for i in range(len(script))],
    }


STOCK_ENDPOINTS = """action_endpoint:
  url: ${ACTION_ENDPOINT_URL}
  headers:
    X-Action-Secret: ${BOT_ACTION_SECRET}
tracker_store:
  type: SQL
  dialect: sqlite
  db: %s
"""


def _stock_files(folder: Path) -> tuple[Path, Path]:
    credentials = folder / "stock-credentials.yml"
    credentials.write_text("rest:\n")
    endpoints = folder / "stock-endpoints.yml"
    endpoints.write_text(STOCK_ENDPOINTS % (folder / "stock-tracker.db"))
    return credentials, endpoints


def _stored_reports(database_url: str) -> int:
    from bot.reports.store import ReportStore

    return ReportStore(database_url).count()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((launcher.LOOPBACK, 0))
        return s.getsockname()[1]


WIRINGS = ("stock", "project", "two-rasa")
SCALE_OUT_ENDPOINTS = launcher.ROOT / "deploy" / "scale-out" / "endpoints.yml"


class RedisServer:
    """Debian's redis-server on a loopback port, saving nothing: Rasa's lock store."""

    def __init__(self, directory: Path):
        self.port, self.directory, self.process = _free_port(), directory, None

    def start(self) -> None:
        import redis
        import shutil
        import subprocess

        server = shutil.which("redis-server") or "/usr/bin/redis-server"  # Debian's package
        self.process = subprocess.Popen([server, "--port", str(self.port), "--bind", launcher.LOOPBACK,
                                         "--save", "", "--appendonly", "no", "--dir", str(self.directory)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if redis.Redis(host=launcher.LOOPBACK, port=self.port, socket_timeout=1).ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    @property
    def env(self) -> dict:
        return {"BOT_REDIS_HOST": launcher.LOOPBACK, "BOT_REDIS_PORT": str(self.port), "BOT_REDIS_PASSWORD": ""}


@contextlib.contextmanager
def _servers(wiring: str, base: Path, env: dict):
    """The servers of one wiring, running: (the Rasa servers' URLs, their CPU and memory)."""
    if wiring == "two-rasa":
        # Scale-out on this one machine: two Rasa servers (Rasa answers on one core each) sharing
        # one action server, the conversation state and Redis as the lock store.
        redis = RedisServer(base)
        redis.start()
        files = (launcher.ROOT / "credentials.yml", SCALE_OUT_ENDPOINTS)
        try:
            with launcher.running(_free_port(), _free_port(), log_dir=base / "log", extra_env={**env, **redis.env},
                                  rasa_files=files) as first:
                second = launcher.Servers(_free_port(), first.actions_port, base / "log2", first.env, first.model, files)
                second.start_rasa()
                try:
                    second.wait()
                    yield ([first.url, second.url],
                           Usage([p.pid for p in first.processes + second.processes], ("actions", "rasa", "rasa-2")))
                finally:
                    second.stop()
        finally:
            redis.stop()
        return
    files = _stock_files(base) if wiring == "stock" else None
    with launcher.running(_free_port(), _free_port(), log_dir=base / "var" / "log", extra_env=env,
                          rasa_files=files, stock_baseline=wiring == "stock") as servers:
        yield [servers.url], Usage([p.pid for p in servers.processes])


def run(levels=(1, 10, 50), per_person: int = 2, wirings=WIRINGS, out: Path | None = None,
        plot: Path | None = None, progress=print, script: list[str] | None = None) -> dict:
    """For each wiring, start its servers, replay ``per_person`` whole reports per simulated
    person at every level of concurrency, then stop them: the two wirings never run at once."""
    script = script or REPORT
    results: dict = {"script_messages": len(script), "levels": list(levels), "per_person": per_person,
                     "cores": os.cpu_count(), "runs": {}}
    with tempfile.TemporaryDirectory(prefix="thb-load-") as folder:
        for wiring in wirings:
            base = Path(folder) / wiring
            data_dir = base / "var"
            settings = _prepare(data_dir)
            env = {"BOT_DATA_DIR": str(data_dir), "BOT_TRIAL_MODE": "1", **ONE_CLIENT_MANY_PEOPLE}
            progress(f"{wiring}: starting the servers...")
            started = time.perf_counter()
            with _servers(wiring, base, env) as (urls, usage):
                ready = time.perf_counter() - started
                _settle(usage)  # the action server learns its answer readers in the background
                settled = time.perf_counter() - started
                # One conversation first, not counted: what is left of first use (a model's first
                # prediction, connections) is reported here, apart from the figures under load.
                first = asyncio.run(_wave(urls, wiring == "stock", 1, 1, script, usage, None))
                rows = []
                for people in levels:
                    progress(f"{wiring}: {people} at once, {people * per_person} conversations")
                    before = _stored_reports(settings.database_url)
                    row = asyncio.run(_wave(urls, wiring == "stock", people, people * per_person, script,
                                            usage, progress))
                    # each conversation that got a reference stored exactly one report
                    row["stored_reports"] = _stored_reports(settings.database_url) - before
                    rows.append(row)
                    progress(f"    p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, {row['messages_per_s']} msg/s, "
                             f"lost {row['lost']}, unfinished {row['unfinished']}")
                rss = dict(zip(usage.names, (usage.peak_rss.get(pid, 0) for pid in usage.pids)))
            results["runs"][wiring] = {"cold_start_s": round(ready, 1), "settled_s": round(settled, 1), "rows": rows,
                                       "first_conversation": {k: first[k] for k in ("p50_ms", "p95_ms", "p99_ms", "lost")},
                                       "peak_rss_mb": {k: round(v / 2**20) for k, v in rss.items()}}
    _print(results)
    return keep(results, out, plot, _draw)


def soak(conversations: int = 1000, at_once: int = 4, every: int = 50, out: Path | None = None,
         plot: Path | None = None, progress=print, script: list[str] | None = None) -> dict:
    """Whole reports one block after another through the project's servers, the servers' memory
    read after each block: it must level off (at the end within 10 % of what it was after the
    first 100 conversations), and every conversation must get its one report."""
    script = script or REPORT
    results: dict = {"conversations": conversations, "at_once": at_once, "script_messages": len(script), "blocks": []}
    with tempfile.TemporaryDirectory(prefix="thb-soak-") as folder:
        data_dir = Path(folder) / "var"
        settings = _prepare(data_dir)
        env = {"BOT_DATA_DIR": str(data_dir), "BOT_TRIAL_MODE": "1", **ONE_CLIENT_MANY_PEOPLE}
        progress("starting the servers...")
        with launcher.running(_free_port(), _free_port(), log_dir=data_dir / "log", extra_env=env) as servers:
            usage = Usage([p.pid for p in servers.processes])
            _settle(usage)
            done = 0
            while done < conversations:
                block = min(every, conversations - done)
                row = asyncio.run(_wave([servers.url], False, min(at_once, block), block, script, usage, None))
                done += block
                rss = dict(zip(usage.names, (round(v / 2**20, 1) for v in usage.rss().values())))
                results["blocks"].append({"after": done, "rss_mb": rss, "p50_ms": row["p50_ms"], "p95_ms": row["p95_ms"],
                                          "lost": row["lost"], "unfinished": row["unfinished"],
                                          "duplicated_references": row["duplicated_references"]})
                progress(f"  {done}/{conversations}: RSS actions {rss['actions']} MB, Rasa {rss['rasa']} MB, "
                         f"p95 {row['p95_ms']} ms, lost {row['lost']}")
            results["stored_reports"] = _stored_reports(settings.database_url)
    blocks = results["blocks"]
    first = next((b for b in blocks if b["after"] >= min(100, conversations)), blocks[0])
    last = blocks[-1]
    results["rss_growth_after_first_100"] = {k: round(last["rss_mb"][k] / first["rss_mb"][k] - 1, 3) for k in last["rss_mb"]}
    results["lost"] = sum(b["lost"] for b in blocks)
    results["unfinished"] = sum(b["unfinished"] for b in blocks)
    print(f"\n{conversations} conversations, {at_once} at once: stored {results['stored_reports']} reports, "
          f"lost {results['lost']} messages, unfinished {results['unfinished']}")
    for name, growth in results["rss_growth_after_first_100"].items():
        print(f"  {name}: RSS {first['rss_mb'][name]} MB after {first['after']}, {last['rss_mb'][name]} MB at the end "
              f"({growth:+.1%})")
    return keep(results, out, plot, _draw_soak)


def _draw_soak(results: dict, plot: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    xs = [b["after"] for b in results["blocks"]]
    for name, colour in (("rasa", "tab:blue"), ("actions", "tab:orange")):
        ax.plot(xs, [b["rss_mb"][name] for b in results["blocks"]], "o-", color=colour,
                label="Rasa server" if name == "rasa" else "action server")
    ax.set_xlabel("conversations so far")
    ax.set_ylabel("resident memory (MB)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Soak: {results['conversations']} whole reports, {results['at_once']} at once")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    plot.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(plot, dpi=120)


def _settle(usage: Usage, quiet_cores: float = 0.05, timeout: float = 120) -> None:
    """Wait until the servers are idle for a second: measured turns are warm turns."""
    deadline = time.monotonic() + timeout
    before = usage.cpu_seconds()
    while time.monotonic() < deadline:
        time.sleep(1)
        now = usage.cpu_seconds()
        if now - before < quiet_cores:
            return
        before = now


def _print(results: dict) -> None:
    runs = results["runs"]
    print(f"\n{'wiring':>8} {'at once':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'msg/s':>6} "
          f"{'CPU ms/msg':>10} {'lost':>4} {'dup':>3} {'unfinished':>10}")
    for wiring, run_ in runs.items():
        for r in run_["rows"]:
            print(f"{wiring:>8} {r['people_at_once']:>7} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} "
                  f"{r['messages_per_s']:>6} {r['cpu_ms_per_message']:>10} {r['lost']:>4} "
                  f"{r['duplicated_references']:>3} {r['unfinished']:>10}")
        print(f"{wiring:>8} cold start {run_['cold_start_s']} s (answering), {run_['settled_s']} s (warm), peak RSS {run_['peak_rss_mb']} MB")
    for wiring in [w for w in runs if w != "stock" and "stock" in runs]:
        for s, p in zip(runs["stock"]["rows"], runs[wiring]["rows"]):
            print(f"at {p['people_at_once']} at once: {wiring}/stock p95 {p['p95_ms'] / s['p95_ms']:.2f}x, "
                  f"throughput {p['messages_per_s'] / s['messages_per_s']:.2f}x")


def _draw(results: dict, plot: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    styles = {"stock": ("tab:gray", "stock Rasa (REST, SQLTrackerStore)"),
              "project": ("tab:blue", "this project (sealed state, safe channel)"),
              "two-rasa": ("tab:purple", "this project, two Rasa servers + Redis locks")}
    for wiring, run_ in results["runs"].items():
        colour, label = styles.get(wiring, ("tab:red", wiring))
        xs = [r["people_at_once"] for r in run_["rows"]]
        ax.plot(xs, [r["p50_ms"] for r in run_["rows"]], "o-", color=colour, label=f"{label}, p50")
        ax.plot(xs, [r["p95_ms"] for r in run_["rows"]], "s--", color=colour, label=f"{label}, p95")
        ax2.plot(xs, [r["messages_per_s"] for r in run_["rows"]], "o-", color=colour, label=label)
    ax.axhline(150, color="tab:green", lw=0.8, ls=":")
    ax.axhline(1000, color="tab:orange", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("conversations at once")
    ax.set_ylabel("time to the answer (ms)")
    ax.set_title(f"Latency per message ({results['script_messages']}-message report)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    ax2.axhline(40, color="tab:green", lw=0.8, ls=":")
    ax2.set_xscale("log")
    ax2.set_xlabel("conversations at once")
    ax2.set_ylabel("messages answered per second")
    ax2.set_title(f"Throughput on {results['cores']} cores")
    ax2.grid(True, alpha=0.3)
    ax2.legend(fontsize=7)
    plot.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(plot, dpi=120)


def _prepare(data_dir: Path):
    from bot.config import Settings
    from bot.reports import reviewer_keys
    from bot.reports.store import ReportStore
    from bot.state import server_keys

    settings = Settings.from_env({"BOT_DATA_DIR": str(data_dir), "BOT_TRIAL_MODE": "1"})
    ReportStore(settings.database_url)
    reviewer_keys.ensure_trial_pair(settings.trial_key_dir)
    server_keys.ensure_file(data_dir / "secrets.json")
    return settings

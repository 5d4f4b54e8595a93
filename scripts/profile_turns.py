"""Where a turn's time goes: the project's servers under N conversations at once, each server
sampled by py-spy (only threads holding the GIL: time actually spent), the hottest frames printed.

    .venv/bin/pip install py-spy      # a profiler, not a dependency of the assistant
    .venv/bin/python scripts/profile_turns.py [people at once, default 10] [seconds, default 25]

Samples are taken with the process paused (py-spy without --nonblocking, whose stacks came out
mixed). Raw stacks are left in var/bench/profile-{rasa,actions}.txt (py-spy's "raw" format, readable by
speedscope or flamegraph.pl). Used for issue 16; the figures are in its closing note.
"""
from __future__ import annotations

import asyncio
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import launcher, load_bench  # noqa: E402

IDLE = re.compile(r"select|epoll|poll \(|_worker \(concurrent|wait \(threading|run_forever|_run_once|sleep|accept")


def hottest(path: Path, count: int = 30) -> list[tuple[float, str]]:
    inclusive: collections.Counter = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        frames = stack.split(";")
        if IDLE.search(frames[-1]):
            continue
        total += int(samples)
        for frame in {re.sub(r":\d+\)$", ")", f) for f in frames}:
            inclusive[frame] += int(samples)
    return [(100 * n / max(1, total), frame) for frame, n in inclusive.most_common(count)]


def main(people: int = 10, seconds: int = 25) -> None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy")
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "var"
        load_bench._prepare(data)
        env = {"BOT_DATA_DIR": str(data), "BOT_TRIAL_MODE": "1", **load_bench.ONE_CLIENT_MANY_PEOPLE}
        with launcher.running(load_bench._free_port(), load_bench._free_port(), log_dir=data / "log", extra_env=env) as s:
            usage = load_bench.Usage([p.pid for p in s.processes])
            load_bench._settle(usage)
            spies = []
            for name, p in zip(("actions", "rasa"), s.processes):
                pid = max(usage._group(p.pid), key=lambda q: int(Path(f"/proc/{q}/statm").read_text().split()[1]))
                spies.append((name, subprocess.Popen([spy, "record", "-p", str(pid), "-d", str(seconds), "-r", "200", "--gil",
                                                       "-f", "raw", "-o", str(out / f"profile-{name}.txt")],
                                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
            time.sleep(1)
            row = asyncio.run(load_bench._wave([s.url], False, people, people * 3, load_bench.REPORT, usage, None))
            for _, spy_process in spies:
                spy_process.wait()
    print(f"{people} at once: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, {row['messages_per_s']} msg/s, "
          f"CPU per message {row['cpu_ms_per_message_by_server']} ms")
    for name, _ in spies:
        print(f"\n{name}: share of the samples holding the GIL, by frame (inclusive)")
        for share, frame in hottest(out / f"profile-{name}.txt"):
            print(f"  {share:5.1f}%  {frame[:140]}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))

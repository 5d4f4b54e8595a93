"""Benchmarks that print figures (and draw them): how long matching takes as the directory grows."""
from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

from bot.referrals import matching as referrals
from bot.referrals.directory import SERVES, SERVICES, Directory, Entry

CENTRES = {"UA": (49.0, 31.0), "PL": (52.0, 19.5), "RO": (45.9, 25.0), "MD": (47.2, 28.6), "LT": (55.2, 23.9),
           "XK": (42.6, 20.9), "BA": (44.0, 17.8), "IQ": (33.2, 43.7)}


def synthetic(n: int, seed: int = 7) -> Directory:
    rng = random.Random(seed)
    entries = []
    for i in range(n):
        country = rng.choice(list(CENTRES))
        lat0, lon0 = CENTRES[country]
        entries.append(Entry(
            name=f"Service {i}", type="NGO", country=country, services=tuple(rng.sample(SERVICES, 3)),
            languages=tuple(rng.sample(["en", "fr", "uk", "ru", "pl", "ro", "ar"], 2)),
            serves=(rng.choice(SERVES),), source="synthetic", verified="2026-11-29", city=f"City {i % 50}",
            latitude=lat0 + rng.uniform(-2, 2), longitude=lon0 + rng.uniform(-2, 2)))
    return Directory(entries=entries, emergency={c: {"general": "112"} for c in CENTRES})


def queries(count: int, seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        country = rng.choice(list(CENTRES))
        lat0, lon0 = CENTRES[country]
        kind = i % 3
        q = {"needs": [rng.choice(SERVICES)], "lang": rng.choice(["en", "fr"]), "serves": rng.choice(["women", None])}
        if kind == 0:
            q.update(country=country, city=f"City {rng.randrange(50)}")
        elif kind == 1:
            q.update(lat=lat0 + rng.uniform(-1, 1), lon=lon0 + rng.uniform(-1, 1))
        else:
            q.update(country=country)
        out.append(q)
    return out


def directory_benchmark(sizes=(100, 10_000, 100_000), per_size: int = 300, plot: Path | None = None) -> list[dict]:
    rows = []
    for n in sizes:
        print(f"  building a directory of {n:,} entries...", flush=True)
        t0 = time.perf_counter()
        matcher = referrals.Referrals(synthetic(n))
        build = time.perf_counter() - t0
        timings = []
        for q in queries(per_size):
            t = time.perf_counter()
            matcher.match(**q)
            timings.append((time.perf_counter() - t) * 1000)
        timings.sort()
        row = {"entries": n, "build_s": build, "median_ms": statistics.median(timings),
               "p95_ms": timings[int(0.95 * len(timings)) - 1], "max_ms": timings[-1]}
        rows.append(row)
    base = rows[0]["median_ms"]
    print(f"\n{'entries':>9} {'build s':>8} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'vs 100':>7}")
    for r in rows:
        print(f"{r['entries']:>9,} {r['build_s']:>8.2f} {r['median_ms']:>10.3f} {r['p95_ms']:>8.3f} "
              f"{r['max_ms']:>8.3f} {r['median_ms'] / base:>6.1f}x")
    if plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        xs = [r["entries"] for r in rows]
        ax.plot(xs, [r["median_ms"] for r in rows], "o-", label="median")
        ax.plot(xs, [r["p95_ms"] for r in rows], "s--", label="95th percentile")
        ax.set_xscale("log")
        ax.set_xlabel("entries in the directory")
        ax.set_ylabel("time to match one request (ms)")
        ax.set_title(f"Referral matching, {per_size} mixed requests per size")
        ax.grid(True, alpha=0.3)
        ax.legend()
        plot.parent.mkdir(parents=True, exist_ok=True)
        fig.tight_layout()
        fig.savefig(plot, dpi=120)
        print(f"\nPlot: {plot}")
    return rows

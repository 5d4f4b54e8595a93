"""How the review console copes with a reviewer's caseload: seal N reports, then time what a
reviewer waits for (unlocking the key opens every report; the queue; a search; a case entry; an
export of everything), against the plain `bot review list` opening in the same run."""
from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

from bot.bench_files import keep
from bot.config import Settings
from bot.console.caseload import Caseload
from bot.reports import reviewer_keys
from bot.reports.review import opened
from bot.reports.submission import submit_report
from bot.reports import insights
from bot.reports.triage import Filters, queue

WORDS = ("minibus", "crossing", "girls", "passports", "farm", "locked", "guard", "debt", "bar", "Zakho",
         "Erbil", "Mosul", "Kyiv", "Chisinau", "driver", "recruiter", "house", "night")


def _pick(options, i: int, j: int = 0):
    """The same varied choices every run, without a random generator."""
    return options[(i * 7919 + j * 104729) % len(options)]


def _slots(i: int) -> dict:
    story = " ".join(_pick(WORDS, i, j) for j in range(40))
    return {"path": "report", "consent": "yes", "draft_id": f"bench-{i}", "narrative": f"{story} {i}",
            "minors": _pick(["yes", "no", "unsure"], i), "immediate_danger": _pick(["yes", "no", "no", "no"], i, 1),
            "stage": _pick(["Recruitment", "Transit", "Exploitation"], i, 2), "place": _pick(WORDS, i, 3),
            "perpetrators": "a driver and a man who collects the money"}


def run(sizes=(100, 500, 2000), out: Path | None = None, plot: Path | None = None) -> dict:
    results: dict = {"sizes": list(sizes), "rows": []}
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        env = {"BOT_DATA_DIR": str(base / "var"), "BOT_REVIEWER_KEYS_DIR": str(base / "reviewers")}
        settings = Settings.from_env(env)
        reviewer_keys.write_pair(settings.reviewer_keys_dir, "bench", "bench passphrase")
        key = reviewer_keys.read_private(settings.reviewer_keys_dir / "bench.key.json", "bench passphrase")
        (settings.reviewer_keys_dir / "bench.key.json").unlink()  # only the public key stays beside the reports
        caseload = Caseload.for_settings(settings)
        made = 0
        for size in sizes:
            start = time.perf_counter()
            while made < size:
                submit_report(settings, _slots(made), "en", [])
                made += 1
            seal_s = time.perf_counter() - start
            start = time.perf_counter()
            plain = sum(1 for item in opened(caseload.store, key) if not isinstance(item, tuple))
            baseline = time.perf_counter() - start
            start = time.perf_counter()
            items, _ = caseload.open_all(key)
            unlock = time.perf_counter() - start
            start = time.perf_counter()
            for _ in range(10):
                queue(items.values())
            queue_ms = (time.perf_counter() - start) / 10 * 1000
            start = time.perf_counter()
            for term in ("zakho girls", "locked guard", "recruiter debt", "nothing-like-this"):
                queue(items.values(), Filters(status="all", search=term))
            search_ms = (time.perf_counter() - start) / 4 * 1000
            start = time.perf_counter()
            insights.tables((i.report, i.received_on) for i in items.values())
            insights_ms = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            verdict = caseload.trail.verify()
            verify_ms = (time.perf_counter() - start) * 1000
            first = next(iter(items.values()))
            start = time.perf_counter()
            caseload.write(first, key, "comment", "bench", text="called the shelter")
            entry_ms = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            caseload.export(list(items.values()), key, "bench", "csv", False, base / "exports")
            export_s = time.perf_counter() - start
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            row = {"reports": size, "opened": plain, "review_list_s": round(baseline, 2), "unlock_s": round(unlock, 2),
                   "unlock_vs_review_list": round(unlock / baseline, 2) if baseline else None,
                   "queue_ms": round(queue_ms, 1), "search_ms": round(search_ms, 1), "case_entry_ms": round(entry_ms, 1),
                   "export_all_csv_s": round(export_s, 2), "insights_ms": round(insights_ms, 1),
                   "audit_entries": verdict.entries, "audit_verify_ms": round(verify_ms, 1), "peak_rss_mb": round(rss), "sealing_s": round(seal_s, 1)}
            results["rows"].append(row)
            print(f"{size:>5} reports: unlock (open all) {unlock:.2f} s ({row['unlock_vs_review_list']}x `bot review list`'s "
                  f"{baseline:.2f} s), queue {queue_ms:.1f} ms, search {search_ms:.1f} ms, a case entry {entry_ms:.1f} ms, "
                  f"export all as CSV {export_s:.2f} s, insights {insights_ms:.1f} ms, "
                  f"audit trail of {verdict.entries} verified in {verify_ms:.1f} ms, peak RSS {rss:.0f} MB", flush=True)
    return keep(results, out, plot, _draw)


def _draw(results: dict, plot: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = results["rows"]
    sizes = [r["reports"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4))
    for key, label in (("unlock_s", "unlock: open every report"), ("review_list_s", "bot review list (baseline)"),
                       ("export_all_csv_s", "export all as CSV")):
        ax.plot(sizes, [r[key] for r in rows], marker="o", label=label)
    ax.plot(sizes, [r["search_ms"] / 1000 for r in rows], marker="o", label="a search in memory")
    ax.set_xlabel("reports in the database")
    ax.set_ylabel("seconds")
    ax.set_title("Review console: what a reviewer waits for")
    ax.legend()
    ax.grid(alpha=0.3)
    plot.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(plot, dpi=110)
    plt.close(fig)



"""How well the assistant tells languages apart: ``bot bench languages``.

On lingua's public test data (``tests/langid``): among the eight languages the assistant speaks,
the share of sentences, word pairs and single words whose first message opens in the right
language, by the assistant's detector and by langdetect alone in the same run; for the languages
it does not speak, how often it recognises them (and answers in them) and how often it wrongly
takes a message in a supported language for another language.
"""
from __future__ import annotations

import time
from pathlib import Path

from bot import bench_files
from bot.dialogue import language, other_languages

DATA = Path(__file__).resolve().parents[1] / "tests" / "langid"
KINDS = ("sentences", "word-pairs", "single-words")


def _lines(kind: str, code: str, limit: int | None) -> list[str]:
    path = DATA / kind / f"{code}.txt"
    if not path.is_file():
        return []
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[:limit] if limit else lines


def langdetect_alone(text: str) -> str:
    """langdetect restricted to the supported languages, as the assistant used it before."""
    found = {code: p for code, p in language._langdetect(text).items() if code in language.SUPPORTED}
    return max(found, key=found.get) if found else language.DEFAULT


def run(limit: int | None = None, out: Path | None = None, plot: Path | None = None) -> dict:
    started = time.time()
    language.warm()
    results: dict = {"supported": {}, "other": {}, "limit": limit}
    for kind in KINDS:
        figures = {"assistant": {}, "langdetect": {}, "false_other": 0, "lines": 0}
        for code in language.SUPPORTED:
            lines = _lines(kind, code, limit)
            mine = sum(language.detect(t) == code for t in lines)
            theirs = sum(langdetect_alone(t) == code for t in lines)
            figures["assistant"][code] = round(100 * mine / len(lines), 2)
            figures["langdetect"][code] = round(100 * theirs / len(lines), 2)
            if kind != "single-words":
                figures["false_other"] += sum(bool(language.other_language(t)) for t in lines)
            figures["lines"] += len(lines)
            print(f"  {kind:12} {code}: assistant {figures['assistant'][code]:6.2f} %   langdetect {figures['langdetect'][code]:6.2f} %",
                  flush=True)
        for who in ("assistant", "langdetect"):
            figures[f"{who}_all"] = round(sum(figures[who].values()) / len(figures[who]), 2)
        results["supported"][kind] = figures
    recognised = {}
    for path in sorted((DATA / "sentences").glob("*.txt")):
        code = path.stem
        if code in language.SUPPORTED:
            continue
        row = {}
        for kind in ("sentences", "word-pairs"):
            lines = _lines(kind, code, min(limit or 100, 100))
            row[kind] = round(100 * sum(code in language.other_language(t) for t in lines) / max(1, len(lines)), 1)
        row["answered_in_it"] = code in other_languages.LANGUAGES
        recognised[code] = row
    results["other"] = recognised
    results["other_recognised_90"] = sorted(c for c, r in recognised.items() if r["sentences"] >= 90 and r["answered_in_it"])
    results["seconds"] = round(time.time() - started, 1)
    show(results)
    return bench_files.keep(results, out, plot, draw)


def show(results: dict) -> None:
    print("\nFirst message, among the eight languages (mean of the languages' shares):")
    for kind, f in results["supported"].items():
        print(f"  {kind:12} assistant {f['assistant_all']:6.2f} %   langdetect alone {f['langdetect_all']:6.2f} %"
              + (f"   taken for another language: {f['false_other']} of {f['lines']}" if kind != "single-words" else ""))
    print(f"Languages it does not speak, recognised on at least 90 % of sentences and answered in their own "
          f"language: {len(results['other_recognised_90'])} ({', '.join(results['other_recognised_90'])})")
    print(f"({results['seconds']} s)")


def draw(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(results["supported"])
    codes = list(language.SUPPORTED)
    fig, axes = plt.subplots(1, len(kinds), figsize=(5 * len(kinds), 4), sharey=True)
    for ax, kind in zip(axes, kinds):
        f = results["supported"][kind]
        x = range(len(codes))
        ax.bar([i - 0.2 for i in x], [f["langdetect"][c] for c in codes], 0.4, label="langdetect alone", color="#bbbbbb")
        ax.bar([i + 0.2 for i in x], [f["assistant"][c] for c in codes], 0.4, label="assistant (lingua + letters)", color="#1f5f8b")
        ax.set_xticks(list(x), codes)
        ax.set_title(f"{kind}: {f['assistant_all']} % vs {f['langdetect_all']} %")
        ax.set_ylim(0, 100)
    axes[0].set_ylabel("first message in the right language (%)")
    axes[0].legend(loc="lower left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)

"""How well the trained model reads intents, per language: ``bot bench nlu``.

Every held-out example of ``tests/nlu/<lang>.yml`` (written apart from the training data; a test
checks that none is in ``data/nlu``) goes through the trained model's NLU. Per language: intent
macro-F1 over the intents, and the costly confusions counted apart, because they are the ones a
person would pay for: a stop, skip, pause or "no" taken for another of them; an emergency taken
for a request for help or the reverse; an answer taken for a command (and a command for an answer).
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from pathlib import Path

import yaml

from bot import bench_files

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests" / "nlu"
CONTROL = ("stop", "skip", "pause", "deny")
URGENT = ("emergency", "request_help")
COMMANDS = ("stop", "skip", "pause", "resume", "go_back", "help", "exit_chat", "change_language")


def examples(path: Path) -> list[tuple[str, str]]:
    found = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        found += [(block["intent"], line[2:].strip()) for line in block["examples"].splitlines() if line.strip()]
    return found


def costly(expected: str, got: str) -> str | None:
    """Which costly confusion taking ``expected`` for ``got`` is, if any."""
    if expected == got:
        return None
    if expected in CONTROL and got in CONTROL:
        return "stop/skip/pause/deny"
    if expected in URGENT and got in URGENT:
        return "emergency/request for help"
    if expected == "inform" and got in COMMANDS:
        return "answer taken for a command"
    if expected in COMMANDS and got == "inform":
        return "command taken for an answer"
    return None


def run(model: Path | None = None, out: Path | None = None, plot: Path | None = None) -> dict:
    import structlog

    saved = structlog.get_config()
    # Rasa logs each parsed text at debug level: the bench shows figures, never the examples.
    # Only for this run: the caller's logging is given back as it was.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    try:
        return _run(model, out, plot)
    finally:
        structlog.configure(**saved)


def _run(model: Path | None, out: Path | None, plot: Path | None) -> dict:
    from sklearn.metrics import f1_score

    from bot.launcher import latest_model
    from rasa.core.agent import Agent

    started = time.time()
    agent = Agent.load(str(model or latest_model()))
    loaded = time.time() - started
    results: dict = {"languages": {}, "model": str(model or latest_model())}
    for path in sorted(TESTS.glob("*.yml")):
        lang = path.stem
        truth, guessed, confusions = [], [], Counter()

        async def parse_all(items):
            return [await agent.parse_message(text) for _, text in items]

        items = examples(path)
        for (intent, text), parsed in zip(items, asyncio.run(parse_all(items))):
            got = (parsed.get("intent") or {}).get("name") or "nlu_fallback"
            truth.append(intent)
            guessed.append(got)
            kind = costly(intent, got)
            if kind:
                confusions[kind] += 1
        labels = sorted(set(truth))
        results["languages"][lang] = {
            "examples": len(truth),
            "macro_f1": round(float(f1_score(truth, guessed, labels=labels, average="macro", zero_division=0)), 3),
            "accuracy": round(sum(t == g for t, g in zip(truth, guessed)) / len(truth), 3),
            "costly": dict(confusions),
            "fallback": guessed.count("nlu_fallback"),
        }
        f = results["languages"][lang]
        print(f"  {lang}: macro-F1 {f['macro_f1']:.3f}  accuracy {f['accuracy']:.3f}  ({f['examples']} examples, "
              f"{f['fallback']} not understood)  costly: {dict(confusions) or 'none'}", flush=True)
    results["seconds"] = round(time.time() - started, 1)
    results["load_seconds"] = round(loaded, 1)
    return bench_files.keep(results, out, plot, draw)


def draw(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    langs = list(results["languages"])
    kinds = ["stop/skip/pause/deny", "emergency/request for help", "answer taken for a command",
             "command taken for an answer"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
    left.bar(langs, [results["languages"][x]["macro_f1"] for x in langs], color="#1f5f8b")
    left.axhline(0.95, color="#b22222", linestyle="--", label="target 0.95")
    left.set_ylim(0.8, 1.0)
    left.set_title("intent macro-F1 on held-out examples")
    left.legend(loc="lower right")
    bottom = [0] * len(langs)
    for kind, colour in zip(kinds, ["#b22222", "#e08a00", "#6a3d9a", "#888888"]):
        values = [results["languages"][x]["costly"].get(kind, 0) for x in langs]
        right.bar(langs, values, bottom=bottom, label=kind, color=colour)
        bottom = [b + v for b, v in zip(bottom, values)]
    right.set_title("costly confusions (examples)")
    right.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)

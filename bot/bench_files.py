"""Where a benchmark leaves its figures: a JSON file and a plot, each path said on the console."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable


def keep(results: dict, out: Path | None, plot: Path | None, draw: Callable[[dict, Path], None]) -> dict:
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"figures: {out}")
    if plot:
        draw(results, plot)
        print(f"plot: {plot}")
    return results

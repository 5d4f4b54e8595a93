"""The short versions of `bot bench load` and `bot bench soak` that CI runs: the same code through
the real servers, few conversations. Figures are printed, never asserted (they depend on the
machine); what is asserted is what a person would notice: every message answered, every report
stored once under the reference its person was told, the plot drawn. The long runs and their
figures are in the closing notes (`bot bench load`, `bot bench soak --conversations 1000`)."""
import json

import pytest

from bot import load_bench

pytestmark = pytest.mark.e2e


def test_load_bench_short_run_loses_nothing_in_either_wiring(tmp_path):
    results = load_bench.run(levels=(4,), per_person=2, out=tmp_path / "load.json", plot=tmp_path / "load.png")
    for wiring in ("stock", "project", "two-rasa"):
        [row] = results["runs"][wiring]["rows"]
        assert row["messages_answered"] == row["messages_sent"] == 8 * len(load_bench.REPORT), (wiring, row)
        assert row["lost"] == row["unfinished"] == row["duplicated_references"] == 0, (wiring, row)
        assert row["stored_reports"] == 8, (wiring, row)  # each conversation's report, once
        assert row["p50_ms"] > 0 and row["cpu_ms_per_message"] > 0
    # with two Rasa servers, both answered (their CPU counted apart)
    assert all(v > 0 for v in results["runs"]["two-rasa"]["rows"][0]["cpu_ms_per_message_by_server"].values())
    assert json.loads((tmp_path / "load.json").read_text())["runs"]["project"]["rows"]
    assert (tmp_path / "load.png").stat().st_size > 10_000


def test_soak_short_run_stores_every_report_once(tmp_path):
    results = load_bench.soak(conversations=30, at_once=3, every=10, out=tmp_path / "soak.json", plot=tmp_path / "soak.png")
    assert results["stored_reports"] == 30 and results["lost"] == results["unfinished"] == 0
    assert [b["after"] for b in results["blocks"]] == [10, 20, 30]
    assert all(b["rss_mb"]["rasa"] > 100 and b["rss_mb"]["actions"] > 100 for b in results["blocks"])
    assert (tmp_path / "soak.png").stat().st_size > 10_000

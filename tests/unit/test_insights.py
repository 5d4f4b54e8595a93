"""Insights never single anyone out: every shown count is at least k, a table of fewer than k
reports is hidden whole, and no hidden cell can be worked out from the figures shown."""
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.reports import insights
from bot.reports.insights import K, suppress


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from("ABCDEFGHIJ"), st.integers(min_value=1, max_value=40), max_size=8),
       st.sampled_from([3, 5, 11]))
def test_no_shown_cell_is_small_and_no_hidden_cell_can_be_worked_out(counts, k):
    counts = Counter(counts)
    total = sum(counts.values())
    table = suppress("t", "t", counts, total, True, k)
    if total < k:
        assert table.hidden_all and table.total is None
        return
    assert all(c >= k and (c == total or total - c >= k) for _, c in table.shown())
    assert all(c == counts[v] for v, c in table.shown())  # what is shown is true
    hidden = [v for v in counts if v not in dict(table.shown())]
    # Hidden categories are not named, and together they are no small group.
    assert table.other == (sum(counts[v] for v in hidden) if hidden else None)
    assert table.other is None or (table.other >= k and len(hidden) >= 2)
    assert table.total == table.other + sum(c for _, c in table.shown()) if table.other else True


def report(country="UA", minors=False, types=("ForcedLabour",), channel="rest", month="2026-11"):
    return ({"answers": {"exploitation_type": list(types)}, "derived": {"country": country},
             "minor": minors, "channel": channel, "kind": "incident_report"}, f"{month}-03")


def by_name(tables):
    return {t.name: t for t in tables}


def test_one_report_from_elsewhere_is_never_singled_out():
    reports = [report() for _ in range(11)] + [report(country="MD", minors=True, types=("OrganRemoval",))]
    t = by_name(insights.tables(reports))
    assert t["country"].shown() == [] and t["country"].total == 12  # UA's 11 hidden too: else MD = 12 - 11
    assert t["country"].other == 12 and "MD" not in repr(t["country"])  # never named
    assert t["minors"].shown() == []
    # 11 of 12 named forced labour would say that one did not: hidden as well
    assert t["exploitation"].shown() == [] and "OrganRemoval" not in repr(t["exploitation"])


def test_fewer_than_k_reports_show_nothing():
    t = insights.tables([report() for _ in range(K - 1)])
    assert all(table.hidden_all and table.total is None and not table.cells for table in t)


def test_large_groups_are_shown_with_their_trend():
    reports = [report(month="2026-10") for _ in range(20)] + [report(month="2026-11") for _ in range(15)]
    t = by_name(insights.tables(reports))
    assert t["month"].shown() == [("2026-10", 20), ("2026-11", 15)] and t["month"].total == 35


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["UA", "MD", "IQ", "PL"]), st.booleans(),
                          st.sets(st.sampled_from(["ForcedLabour", "SexualExploitation", "OrganRemoval"]), max_size=3),
                          st.sampled_from(["rest", "telegram"]), st.sampled_from(["2026-09", "2026-10", "2026-11"])),
                max_size=60))
def test_every_table_of_any_caseload_keeps_every_group_shown_at_k_or_more(rows):
    reports = [report(c, m, tuple(sorted(t)), ch, mo) for c, m, t, ch, mo in rows]
    for table in insights.tables(reports):
        if len(reports) < K:
            assert table.hidden_all
            continue
        for _, count in table.shown():
            assert count >= K and (count == len(reports) or len(reports) - count >= K)
        assert table.other is None or table.other >= K

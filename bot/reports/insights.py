"""Insights from the reports a reviewer opened: counts by month, country, exploitation type,
method of control, minors, channel and kind; the trend over months; where reports cluster.

Security decision: no figure may single anyone out. Every count under ``k`` (11 by default, as
CTDC publishes) is hidden, and so is the table when fewer than ``k`` reports are in it. Where a
table's cells add up to its total (one value per report), a single hidden cell could be
recovered as the total minus the shown cells: the smallest shown cell is hidden too
(complementary suppression), until the hidden cells hold k reports or more together. Hidden
categories are not even named (naming one says that at least one report has it): they are shown
together as "other", when the cells add up to the total.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

K = 11


@dataclass
class Table:
    name: str
    title: str
    total: int | None  # reports in the table; None when hidden
    cells: list[tuple[str, int]] = field(default_factory=list)  # (value, count): shown cells only
    sums_to_total: bool = True  # one value per report: the cells add up to the total
    hidden_all: bool = False
    other: int | None = None  # the hidden categories together (k or more), when cells add up

    def shown(self) -> list[tuple[str, int]]:
        return list(self.cells)


def _values(report: dict[str, Any], dimension: str, received_on: str) -> list[str]:
    a = report.get("answers") if isinstance(report.get("answers"), dict) else {}
    d = report.get("derived") if isinstance(report.get("derived"), dict) else {}

    def many(value):
        return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and v]

    if dimension == "month":
        return [received_on[:7]] if received_on else ["unknown"]
    if dimension == "country":
        return [d.get("country") or d.get("location_country") or "unknown"]
    if dimension == "exploitation":
        return many(a.get("exploitation_type")) or ["not said"]
    if dimension == "control":
        return [v for v in many(a.get("control_signs")) if v != "None"] or ["none said"]
    if dimension == "minors":
        return ["yes" if report.get("minor") is True else "no or not known"]
    if dimension == "channel":
        return [report.get("channel") or "unknown"]
    if dimension == "kind":
        return [report.get("kind") or "unknown"]
    raise ValueError(dimension)


DIMENSIONS = {
    "month": ("Reports by month received", True),
    "country": ("Where reports come from (country)", True),
    "exploitation": ("Type of exploitation (a report may name several)", False),
    "control": ("Methods of control (a report may name several)", False),
    "minors": ("Reports naming someone under 18", True),
    "channel": ("Channel", True),
    "kind": ("Kind of report", True),
}


def suppress(name: str, title: str, counts: Counter, total: int, sums_to_total: bool, k: int = K) -> Table:
    if total < k:
        return Table(name, title, None, [], sums_to_total, hidden_all=True)
    # A cell is hidden when it is small, or when the reports *without* it are (a report may name
    # several values, so the others do not add up: "11 of 12 named forced labour" says 1 did not).
    hidden = {v for v, c in counts.items() if c < k or 0 < total - c < k}
    if sums_to_total:
        # Hide the smallest shown cells until the hidden ones hold at least k reports together and
        # number two or more (or none): their sum, which the total gives away, is no small group.
        while hidden and (len(hidden) < 2 or sum(counts[v] for v in hidden) < k):
            shown = sorted((c, v) for v, c in counts.items() if v not in hidden)
            if not shown:
                return Table(name, title, None, [], sums_to_total, hidden_all=True)
            hidden.add(shown[0][1])
    cells = [(v, c) for v, c in sorted(counts.items()) if v not in hidden]
    other = sum(counts[v] for v in hidden) if sums_to_total and hidden else None
    return Table(name, title, total, cells, sums_to_total, other=other)


def tables(reports: Iterable[tuple[dict[str, Any], str]], k: int = K) -> list[Table]:
    """Every insight table, suppressed, from (report, received_on) pairs."""
    reports = list(reports)
    out = []
    for name, (title, single) in DIMENSIONS.items():
        counts: Counter = Counter()
        for report, received_on in reports:
            for value in dict.fromkeys(_values(report, name, received_on)):
                counts[value] += 1
        out.append(suppress(name, title, counts, len(reports), single, k))
    return out


def rows(tables_: list[Table]) -> list[dict[str, Any]]:
    """The tables as rows for a file: hidden tables and the "other" group said as such."""
    out = []
    for table in tables_:
        if table.hidden_all:
            out.append({"table": table.name, "value": "(hidden: fewer than k reports)", "reports": None})
            continue
        out += [{"table": table.name, "value": v, "reports": c} for v, c in table.cells]
        if table.other is not None:
            out.append({"table": table.name, "value": "(other, hidden categories together)", "reports": table.other})
        out.append({"table": table.name, "value": "(all reports)", "reports": table.total})
    return out

"""A pack's figures as text under the small-number rule: counts, percentages, ratios and medians.

A :class:`Measure` is one line of a measures table: the figure and the base it is "out of". A
count of 1-5 is shown as ``c`` (:mod:`analysis.disclosure`), and so is anything worked out from one
(a percentage, a ratio, a median of 1-5 children); a figure that cannot be worked out is ``x``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import disclosure
from analysis.disclosure import NOT_AVAILABLE, SUPPRESSED

__all__ = ["Measure", "measures_table", "comparison_table", "count_text", "is_small_count"]


def is_small_count(value) -> bool:
    """True for a count of 1-5 (:func:`analysis.disclosure.is_small`); None is no count."""
    return value is not None and bool(disclosure.is_small([value])[0])


def count_text(value) -> str:
    """A count as the pack shows it: "1,234", ``c`` for 1-5, ``x`` when not known."""
    if value is None or pd.isna(value):
        return NOT_AVAILABLE
    return SUPPRESSED if is_small_count(value) else f"{int(round(float(value))):,}"


@dataclass
class Measure:
    """One line of a measures table: a count, a percentage of a count, a ratio or a median."""

    label: str
    kind: str  # "count", "percent", "ratio", "median"
    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None  # for "median": the median; its base (how many) is ``denominator``
    definition: str = ""

    def shown(self) -> str:
        if self.kind == "count":
            return count_text(self.numerator)
        if self.kind == "median":
            if is_small_count(self.denominator):
                return SUPPRESSED
            return NOT_AVAILABLE if self.value is None or pd.isna(self.value) else f"{self.value:,.1f}"
        if self.numerator is None or self.denominator is None or pd.isna(self.numerator) or pd.isna(self.denominator):
            return NOT_AVAILABLE
        if is_small_count(self.numerator) or is_small_count(self.denominator):
            return SUPPRESSED
        if not self.denominator:
            return NOT_AVAILABLE
        if self.kind == "percent":
            return f"{100.0 * self.numerator / self.denominator:.1f}%"
        return f"{self.numerator / self.denominator:.1f}"

    def base(self) -> str:
        if self.kind == "count" or self.denominator is None or pd.isna(self.denominator):
            return ""
        return count_text(self.denominator)


def measures_table(measures: list[Measure]) -> pd.DataFrame:
    """Columns Measure, Value, Out of (the base of a percentage, ratio or median), Definition; all text."""
    return pd.DataFrame(
        {
            "Measure": [m.label for m in measures],
            "Value": [m.shown() for m in measures],
            "Out of": [m.base() for m in measures],
            "Definition": [m.definition for m in measures],
        },
        dtype=object,
    )


def comparison_table(now: list[Measure], before: list[Measure]) -> pd.DataFrame:
    """Columns Measure, This period, Previous period, Change; line by line, ``now`` and ``before`` in the same order.

    A change is ``c`` where either figure is, since the difference would give a suppressed number back;
    a change in percentages is in percentage points.
    """
    rows = []
    for a, b in zip(now, before):
        shown_a, shown_b = a.shown(), b.shown()
        if SUPPRESSED in (shown_a, shown_b):
            change = SUPPRESSED  # the difference would give a suppressed number back
        elif NOT_AVAILABLE in (shown_a, shown_b):
            change = NOT_AVAILABLE
        elif a.kind == "percent":
            assert a.numerator is not None and a.denominator is not None  # shown() said so
            assert b.numerator is not None and b.denominator is not None
            change = f"{100 * (a.numerator / a.denominator - b.numerator / b.denominator):+.1f} points"
        elif a.kind == "count":
            assert a.numerator is not None and b.numerator is not None  # shown() said so
            change = f"{int(a.numerator - b.numerator):+,}"
        else:
            change = f"{float(shown_a.replace(',', '')) - float(shown_b.replace(',', '')):+.1f}"
        rows.append({"Measure": a.label, "This period": shown_a, "Previous period": shown_b, "Change": change})
    return pd.DataFrame(rows, dtype=object)

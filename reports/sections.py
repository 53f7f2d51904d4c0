"""Building one section of a briefing pack: a builder that finds nothing to show, or whose analysis
cannot run, gives a "not available" section instead of stopping the pack; tables get their total row
and the small-number rule (:mod:`analysis.disclosure`) in one step, and the readers' headings.

Shared by the briefing packs' section modules (``reports/briefing_*.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.disclosure import suppress_table
from reports.pack import Section, TextBlock

__all__ = [
    "NOT_AVAILABLE_TEXT",
    "NoData",
    "build_section",
    "not_available",
    "suppressed_with_total",
    "with_headings",
]

NOT_AVAILABLE_TEXT = "Not available"


def not_available(title: str, reason: str) -> Section:
    return Section(title, [TextBlock(f"{NOT_AVAILABLE_TEXT}: {reason}")], available=False, reason=reason)


def build_section(title: str, build, *args) -> Section:
    """Run one section builder; a missing module or input becomes a "not available" section."""
    try:
        return build(*args)
    except ImportError as exc:
        return not_available(title, f"the analysis module is not installed ({exc.name or exc}).")
    except NoData as exc:
        return not_available(title, str(exc))


class NoData(Exception):
    """The inputs hold nothing this section can use."""


def suppressed_with_total(
    frame: pd.DataFrame,
    label: str,
    counts: list[str],
    *,
    total_label: str = "Total",
    percents: dict[str, str] | None = None,
    add_total: bool = True,
    linked: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Add a total row (unless present), suppress, and return with the label column first."""
    frame = frame.copy()
    if add_total:
        total = {c: frame[c].sum() for c in counts}
        total[label] = total_label
        frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    if percents:
        for pct, spec in percents.items():
            num, _, den = spec.partition("/")
            frame[pct] = np.where(frame[den] > 0, 100.0 * frame[num] / frame[den].where(frame[den] > 0), np.nan)
    frame[label] = frame[label].astype(str)
    frame = frame.set_index(label, drop=False)
    frame.index = frame.index.astype(str)
    shown = suppress_table(frame, counts, total_row=total_label, percent_columns=percents, linked_columns=linked)
    return shown.reset_index(drop=True)


def with_headings(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The columns of ``frame`` named in ``names`` (those it has), in that order, under the readers' headings."""
    keep = [c for c in names if c in frame.columns]
    return frame[keep].rename(columns=names)

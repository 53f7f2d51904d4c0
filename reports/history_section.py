"""The packs' history section: change since the previous published snapshot, and the trend across them.

Built from ``store.read_figures()`` through ``analysis.history`` (so every figure has passed
``analysis.disclosure``); drawn offline with matplotlib like the packs' maps.
"""

from __future__ import annotations

import io

import pandas as pd

from analysis.history import HISTORY_MEASURES, changes, trend_table
from reports.pack import Block, FigureBlock, Section, TableBlock, TextBlock

TITLE = "Since the previous published snapshot"


def _chart_png(numbers: pd.DataFrame, ylabel: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")  # no display on a council server
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3), dpi=120)
    axes = figure.subplots()
    for column in numbers.columns:
        axes.plot(pd.to_datetime(pd.Series(numbers.index)), numbers[column].to_numpy(), marker="o", label=column)
    axes.set_ylabel(ylabel)
    axes.set_xlabel("snapshot date")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.autofmt_xdate()
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def history_section(figures: pd.DataFrame, *, topics, snapshot_id: int | None = None):
    """A pack section for ``topics`` ("placements", "missing"), or None when there is no history to show.

    ``figures`` is ``store.read_figures()``; ``snapshot_id`` the snapshot the pack is built from.
    """

    if figures is None or figures.empty:
        return None
    blocks: list[Block] = []
    for topic in topics:
        shown, numbers = trend_table(figures, topic=topic, snapshot_id=snapshot_id)
        if shown.empty:
            continue
        lines = changes(figures, topic=topic, snapshot_id=snapshot_id)
        blocks.append(
            TextBlock(
                f"{topic.capitalize()}: "
                + (
                    "; ".join(lines)
                    if lines
                    else "the first published snapshot; the change is shown from the next one on"
                )
                + "."
            )
        )
        counts = [label for label, kind in HISTORY_MEASURES[topic].values() if kind == "count" and label in shown]
        blocks.append(
            TableBlock(
                f"{topic.capitalize()}: trend across published snapshots",
                shown.reset_index().astype(str),
                "headline figures of each published snapshot, as published; c: 1-5 children",
                f"{shown.index[0]:%-d %B %Y} to {shown.index[-1]:%-d %B %Y}",
                "percentages of children looked after on the snapshot date; missing figures "
                "count episodes starting in the 12 months to it",
                counts,
            )
        )
        percent = [c for c in shown.columns if shown[c].str.endswith("%").any()]
        if len(shown) >= 2:
            chart = numbers[percent] if percent else numbers
            blocks.append(
                FigureBlock(
                    f"{topic.capitalize()}: trend",
                    _chart_png(chart, "%" if percent else "count"),
                    "a gap is a suppressed figure (c)",
                    f"{len(shown)} published snapshots",
                    "as in the table above",
                )
            )
    return Section(TITLE, blocks) if blocks else None

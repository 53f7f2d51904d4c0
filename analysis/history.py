"""History across published snapshots: the headline figures of each, and the change since the previous one.

Figures are computed once, when a dataset is published (:func:`headline_history`), and kept in the store
beside the snapshot, so the history of every snapshot is one small query, not a re-read of each. What a
panel sees of them goes through ``analysis.disclosure`` here: a count of 1-5 is "c", and so is a percentage
whose count or base is 1-5.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analysis.disclosure import SUPPRESSED, is_small, suppress_counts
from data.schemas import OVER_DISTANCE_MILES

__all__ = [
    "PLACEMENTS",
    "MISSING",
    "HISTORY_MEASURES",
    "headline_history",
    "figure_history",
    "change_since_previous",
    "trend_table",
    "changes",
]

PLACEMENTS, MISSING = "placements", "missing"
# Measures shown as history, per topic: measure -> (short label, shown as "percent" or "count").
HISTORY_MEASURES = {
    PLACEMENTS: {
        f"placed over {OVER_DISTANCE_MILES} miles from home": (f"over {OVER_DISTANCE_MILES} miles", "percent"),
        "placed outside the authority": ("outside the authority", "percent"),
        "placed at a distance": ("at a distance", "percent"),
        "children looked after": ("children looked after", "count"),
    },
    MISSING: {
        "episodes": ("missing and away episodes in the year", "count"),
        "children with an episode": ("children with an episode", "count"),
    },
}
_MISSING_MEASURES = ("episodes", "children with an episode", "missing episodes", "away episodes")
_COLUMNS = ["topic", "measure", "count", "denominator", "percent", "value"]


def headline_history(dataset, *, on: date, index=None) -> pd.DataFrame:
    """Headline figures of a dataset to keep with its snapshot (before disclosure control).

    Parameters
    ----------
    dataset : data.dataset.Dataset
        A checked dataset with a responsible authority (or pooled files with ``LA_CODE``).
    on : date
        The snapshot date: placements are children looked after on this date; missing figures
        count episodes starting in the 12 months up to and including it.
    index : geo.postcodes.PostcodeIndex, optional
        The process-wide one by default.

    Returns
    -------
    DataFrame with ``topic`` ("placements" or "missing"), ``measure``, ``count``, ``denominator``,
    ``percent`` (0-100, 1 dp) and ``value`` (miles for the median, else the count).
    """
    from analysis.missing import missing_episodes, summarise_missing
    from analysis.placements import add_placement_location, headline_figures, placements_on

    on = pd.Timestamp(on)
    located = add_placement_location(dataset.episodes, dataset.la_code, index=index)
    placed = headline_figures(placements_on(located, on)).assign(topic=PLACEMENTS)
    episodes = missing_episodes(dataset, episodes=located, index=index)
    if not episodes.empty and "MIS_START" in episodes:
        start = pd.to_datetime(episodes["MIS_START"], errors="coerce")
        episodes = episodes[(start > on - pd.DateOffset(years=1)) & (start <= on + pd.Timedelta(days=1))]
    missing = (
        summarise_missing(episodes)
        if not episodes.empty
        else pd.DataFrame({"measure": list(_MISSING_MEASURES), "value": 0.0, "denominator": np.nan})
    )
    missing = missing[missing["measure"].isin(_MISSING_MEASURES)].assign(
        topic=MISSING, count=lambda f: f["value"], percent=np.nan
    )
    return pd.concat([placed[_COLUMNS], missing[_COLUMNS]], ignore_index=True)


def _shown(row, kind: str) -> tuple[str, float]:
    """(text a panel may see, the number for a chart or NaN when suppressed) for one figure."""
    count, base = row["count"], row["denominator"]
    if kind == "count":
        text = str(suppress_counts(pd.Series([count])).iloc[0])
        return (f"{int(count):,}" if text.isdigit() else text), (np.nan if text == SUPPRESSED else float(count))
    if is_small([count])[0] or is_small([base])[0]:
        return SUPPRESSED, np.nan
    if pd.isna(row["percent"]):
        return "x", np.nan
    return f"{row['percent']:.1f}%", float(row["percent"])


def figure_history(figures: pd.DataFrame, *, topic: str, measure: str) -> pd.DataFrame:
    """One measure across snapshots, by snapshot date (oldest first), as a panel may see it.

    ``figures`` is ``store.read_figures()``. Returns ``snapshot_id``, ``snapshot_date``, ``shown`` (text:
    "21.6%", "1,234" or "c") and ``number`` (the percent or count; NaN where suppressed, so a chart has a gap).
    """
    kind = HISTORY_MEASURES[topic][measure][1]
    rows = figures[(figures["topic"] == topic) & (figures["measure"] == measure)]
    out = []
    for _, row in rows.sort_values(["snapshot_date", "snapshot_id"]).iterrows():
        text, number = _shown(row, kind)
        out.append(
            {
                "snapshot_id": int(row["snapshot_id"]),
                "snapshot_date": row["snapshot_date"],
                "shown": text,
                "number": number,
            }
        )
    return pd.DataFrame(out, columns=["snapshot_id", "snapshot_date", "shown", "number"])


def change_since_previous(
    figures: pd.DataFrame, *, topic: str, measure: str, snapshot_id: int | None = None
) -> str | None:
    """A sentence such as "over 20 miles: 21.6%, up from 19.8% at 30 September 2025".

    Compares snapshot ``snapshot_id`` (default: the latest) with the snapshot before it. None when there
    is no earlier snapshot or the measure is not recorded. A suppressed figure is "c" and no direction
    is said.
    """
    history = figure_history(figures, topic=topic, measure=measure)
    if snapshot_id is not None:
        history = history[history["snapshot_id"] <= int(snapshot_id)]
    if len(history) < 2:
        return None
    now, before = history.iloc[-1], history.iloc[-2]
    label = HISTORY_MEASURES[topic][measure][0]
    when = f"{pd.Timestamp(before['snapshot_date']):%-d %B %Y}"
    if np.isnan(now["number"]) or np.isnan(before["number"]):
        return f"{label}: {now['shown']}, previously {before['shown']} at {when}"
    if now["number"] > before["number"]:
        direction = "up from"
    elif now["number"] < before["number"]:
        direction = "down from"
    else:
        direction = "the same as"
    return f"{label}: {now['shown']}, {direction} {before['shown']} at {when}"


def changes(figures: pd.DataFrame, *, topic: str, snapshot_id: int | None = None) -> list[str]:
    """:func:`change_since_previous` for every history measure of ``topic`` that has an earlier snapshot."""
    lines = (
        change_since_previous(figures, topic=topic, measure=m, snapshot_id=snapshot_id) for m in HISTORY_MEASURES[topic]
    )
    return [line for line in lines if line]


def trend_table(
    figures: pd.DataFrame, *, topic: str, snapshot_id: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The history measures of ``topic`` across snapshots (up to ``snapshot_id``), as a panel may see them.

    Returns ``(shown, numbers)``: one row per snapshot date; ``shown`` holds text ("21.6%", "c"),
    ``numbers`` the same figures as floats with NaN where suppressed (for a chart, which then has a gap).
    """
    shown, numbers = {}, {}
    for measure, (label, _kind) in HISTORY_MEASURES[topic].items():
        history = figure_history(figures, topic=topic, measure=measure)
        if snapshot_id is not None:
            history = history[history["snapshot_id"] <= int(snapshot_id)]
        if history.empty:
            continue
        dates = pd.to_datetime(history["snapshot_date"]).dt.date
        shown[label] = pd.Series(history["shown"].to_numpy(), index=dates)
        numbers[label] = pd.Series(history["number"].to_numpy(dtype=float), index=dates)
    shown_frame, number_frame = pd.DataFrame(shown), pd.DataFrame(numbers)
    for frame in (shown_frame, number_frame):
        frame.index.name = "snapshot date"
    return shown_frame, number_frame

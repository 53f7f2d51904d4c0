"""History across published snapshots: figures kept at publish, change since the previous, disclosure."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.history import (
    HISTORY_MEASURES,
    MISSING,
    PLACEMENTS,
    change_since_previous,
    changes,
    figure_history,
    headline_history,
    trend_table,
)
from data.readers import read_folder
from data.validation import check_dataset
from store import get_engine, publish_dataset, read_figures
from store.engine import dispose_engines

ROOT = Path(__file__).resolve().parents[1]
OVER = "placed over 20 miles from home"


@pytest.fixture(scope="module")
def kent(postcode_index):
    dataset = read_folder(ROOT / "data" / "demo_data", la="E10000016")
    check_dataset(dataset, index=postcode_index)
    return dataset


def _figures(rows):
    """Stored-figure rows (snapshot_id, snapshot_date, measure, count, denominator, percent)."""
    return pd.DataFrame(
        [
            {
                "snapshot_id": i,
                "snapshot_date": d,
                "topic": PLACEMENTS,
                "measure": m,
                "count": c,
                "denominator": n,
                "percent": round(100 * c / n, 1) if n else np.nan,
                "value": c,
            }
            for i, d, m, c, n in rows
        ]
    )


def test_figures_kept_at_publish_give_the_change_since_the_previous_snapshot(kent, postcode_index, tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        for on in (date(2025, 9, 30), date(2026, 3, 31)):
            figures = headline_history(kent, on=on, index=postcode_index)
            publish_dataset(kent, published_by="a", snapshot_date=on, figures=figures, engine=engine)
        stored = read_figures(engine=engine)
    finally:
        dispose_engines()
    assert set(stored["topic"]) == {PLACEMENTS, MISSING}
    assert set(HISTORY_MEASURES[MISSING]) <= set(stored.loc[stored["topic"] == MISSING, "measure"])
    over = stored[(stored["topic"] == PLACEMENTS) & (stored["measure"] == OVER)].sort_values("snapshot_id")
    before, now = over["percent"].tolist()
    assert over["count"].min() > 5  # the demo's figures are not suppressed
    word = "up from" if now > before else "down from" if now < before else "the same as"
    assert (
        change_since_previous(stored, topic=PLACEMENTS, measure=OVER)
        == f"over 20 miles: {now:.1f}%, {word} {before:.1f}% at 30 September 2025"
    )
    # Viewing the earlier snapshot: nothing before it to compare with.
    assert (
        change_since_previous(stored, topic=PLACEMENTS, measure=OVER, snapshot_id=over["snapshot_id"].iloc[0]) is None
    )
    assert len(changes(stored, topic=MISSING)) == len(HISTORY_MEASURES[MISSING])


def test_a_small_count_is_suppressed_in_the_history_and_says_no_direction():
    figures = _figures(
        [
            (
                1,
                date(2025, 3, 31),
                OVER,
                40,
                200,
            ),
            (2, date(2025, 9, 30), OVER, 4, 210),
            (1, date(2025, 3, 31), "children looked after", 200, 200),
            (2, date(2025, 9, 30), "children looked after", 210, 210),
            (3, date(2026, 3, 31), OVER, 12, 3),  # a base of 1-5 children suppresses the percentage too
        ]
    )
    history = figure_history(figures, topic=PLACEMENTS, measure=OVER)
    assert history["shown"].tolist() == ["20.0%", "c", "c"]
    assert np.isnan(history["number"].iloc[1])
    assert (
        change_since_previous(figures, topic=PLACEMENTS, measure=OVER, snapshot_id=2)
        == "over 20 miles: c, previously 20.0% at 31 March 2025"
    )
    shown, numbers = trend_table(figures, topic=PLACEMENTS)
    assert shown.loc[date(2025, 9, 30), "over 20 miles"] == "c" and np.isnan(
        numbers.loc[date(2025, 9, 30), "over 20 miles"]
    )
    assert shown.loc[date(2025, 3, 31), "children looked after"] == "200"
    assert not shown.isin(["4", "12", "3"]).any().any()  # no suppressed count is shown anywhere


@pytest.mark.parametrize("audience, topics", [("panel", {"Placements", "Missing"}), ("mase", {"Missing"})])
def test_both_packs_carry_the_change_and_the_trend(kent, postcode_index, tmp_path, audience, topics):
    from reports.briefing import build_briefing
    from reports.history_section import TITLE
    from store import open_snapshot

    engine = get_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        for on in (date(2025, 9, 30), date(2026, 3, 31)):
            info = publish_dataset(
                kent,
                published_by="a",
                snapshot_date=on,
                engine=engine,
                figures=headline_history(kent, on=on, index=postcode_index),
            )
        latest = open_snapshot(info.id, engine=engine)
        stored = read_figures(engine=engine)
    finally:
        dispose_engines()
    pack = build_briefing(
        latest,
        la="E10000016",
        period=(date(2025, 4, 1), date(2026, 3, 31)),
        audience=audience,
        index=postcode_index,
        history=stored,
    )
    [section] = [s for s in pack.sections if s.title == TITLE]
    assert {t.title.split(":")[0] for t in section.blocks if hasattr(t, "frame")} == topics
    assert len([b for b in section.blocks if hasattr(b, "png")]) == len(topics)
    assert "at 30 September 2025" in pack.html and "trend across published snapshots" in pack.html
    assert pack.to_pdf().startswith(b"%PDF")

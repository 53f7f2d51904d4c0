"""Emerging hot spots: ESRI category rules on constructed series, and on points end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.emerging import NO_PATTERN, classify_series, emerging_hotspots

T, F = True, False
NONE = [F] * 10

# Oldest slice first.
CASES = {
    "new": ([F] * 9 + [T], NONE, "no trend"),
    "consecutive": ([F] * 7 + [T] * 3, NONE, "no trend"),
    "intensifying": ([T] * 10, NONE, "increasing"),
    "persistent": ([T] * 10, NONE, "no trend"),
    "diminishing": ([T] * 10, NONE, "decreasing"),
    "historical": ([T] * 9 + [F], NONE, "no trend"),
    "sporadic": ([F, T, F, F, T, F, F, F, F, T], NONE, "no trend"),
    "oscillating": ([F, T, F, F, F, F, F, F, F, T], [F, F, F, T] + [F] * 6, "no trend"),
}


@pytest.mark.parametrize("expected", list(CASES))
def test_hot_categories(expected):
    hot, cold, trend = CASES[expected]
    assert classify_series(np.array(hot), np.array(cold), trend) == expected


@pytest.mark.parametrize("expected", list(CASES))
def test_cold_categories_mirror_hot(expected):
    hot, cold, trend = CASES[expected]
    mirrored = {"increasing": "decreasing", "decreasing": "increasing"}.get(trend, trend)
    assert classify_series(np.array(cold), np.array(hot), mirrored, side="cold") == expected


def test_boundaries_of_the_rules():
    # 9 of 10 hot is "at least 90 %"; hot in the final slice with a rising trend.
    assert classify_series([F] + [T] * 9, NONE, "increasing") == "intensifying"
    # 8 of 10 with gaps: not 90 %, a history before the final run -> sporadic.
    assert classify_series([T, T, T, F, F, T, T, T, T, T], NONE, "no trend") == "sporadic"
    # 9 of 10 is enough for persistent even with a gap.
    assert classify_series([T, T, T, T, F, T, T, T, T, T], NONE, "no trend") == "persistent"
    # A run of two at the end after an earlier hot slice is not consecutive.
    assert classify_series([T] + [F] * 7 + [T, T], NONE, "no trend") == "sporadic"
    # Not hot now and hot in under 90 % of slices: no pattern.
    assert classify_series([T, T, F, F, F, F, F, F, F, F], NONE, "no trend") == NO_PATTERN
    assert classify_series(NONE, NONE, "no trend") == NO_PATTERN


def _episodes(cluster_counts, *, seed=0, months=12, background_per_month=150):
    """Uniform background over a 10 km square in Kent plus a cluster whose size per month is given."""
    rng = np.random.default_rng(seed)
    rows = []
    for m in range(months):
        start = pd.Timestamp(2024, 1, 1) + pd.DateOffset(months=m)
        n_bg = background_per_month
        rows.append(
            pd.DataFrame(
                {
                    "easting": 575_000 + rng.uniform(0, 10_000, n_bg),
                    "northing": 155_000 + rng.uniform(0, 10_000, n_bg),
                    "MIS_START": start + pd.to_timedelta(rng.integers(0, 27, n_bg), unit="D"),
                }
            )
        )
        k = cluster_counts[m]
        rows.append(
            pd.DataFrame(
                {
                    "easting": 580_250 + rng.normal(0, 60, k),
                    "northing": 160_250 + rng.normal(0, 60, k),
                    "MIS_START": start + pd.to_timedelta(rng.integers(0, 27, k), unit="D"),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _cell_at(result, x=580_250, y=160_250):
    return result.loc[np.hypot(result["easting"] - x, result["northing"] - y).idxmin()]


def test_new_hot_spot_end_to_end():
    result = emerging_hotspots(_episodes([0] * 11 + [40]), cell_size_m=500, shape="square")
    cell = _cell_at(result)
    assert cell["category"] == "new hot spot"
    assert cell["hot_slices"] == 1 and cell["slices"] == 12
    assert len(result.attrs["slices"]) == 12 and result.attrs["slices"][0] == "2024-01"
    # Gi* counts a cell's neighbours too, so the new place lights up its 3 x 3 block, and the
    # uniform background makes no other hot or cold spot after the FDR correction.
    flagged = result[result["category"] != NO_PATTERN]
    assert 1 <= len(flagged) <= 9
    assert np.hypot(flagged["easting"] - 580_250, flagged["northing"] - 160_250).max() < 750


def test_intensifying_and_persistent_end_to_end():
    rising = emerging_hotspots(_episodes([6 + 3 * m for m in range(12)]), cell_size_m=500, shape="square")
    cell = _cell_at(rising)
    assert cell["category"] == "intensifying hot spot"
    assert cell["trend"] == "increasing" and cell["hot_slices"] == 12
    steady = emerging_hotspots(_episodes([30] * 12, seed=1), cell_size_m=500, shape="square")
    assert _cell_at(steady)["category"] == "persistent hot spot"


def test_quarters_and_bad_period():
    result = emerging_hotspots(_episodes([0] * 9 + [30, 30, 30]), period="Q", cell_size_m=500)
    assert result.attrs["slices"] == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    assert _cell_at(result)["category"] == "new hot spot"
    with pytest.raises(ValueError):
        emerging_hotspots(_episodes([1] * 12), period="W")

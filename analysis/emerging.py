"""Emerging hot spots: Gi* per time slice on a fixed grid, plus a Mann-Kendall trend per cell.

Follows ArcGIS Pro's *Emerging Hot Spot Analysis* ("How Emerging Hot Spot Analysis
works", https://pro.arcgis.com/es/pro-app/3.2/tool-reference/space-time-pattern-mining/learnmoreemerging.htm,
cited in ../shared/reference/domain.md section 3.1). Differences from ArcGIS, on purpose:
the neighbourhood of a cell is its spatial contiguity neighbours within the same time
slice (ArcGIS can also add earlier slices), and the Gi* p-values of each slice are
FDR-corrected over that slice's cells. The category rules are in :func:`classify_series`
and docs/hotspots.md.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats

from analysis.gistar import (
    _lattice_of,
    _threshold,
    cell_polygons,
    gi_star_z,
    grid_counts,
    lattice_weights,
    point_coordinates,
)

__all__ = ["emerging_hotspots", "classify_series", "HOT_CATEGORIES", "COLD_CATEGORIES", "NO_PATTERN"]

# ArcGIS: "at least ninety percent of the time-step intervals".
MOST_SLICES = 0.9
NO_PATTERN = "no pattern detected"
HOT_CATEGORIES = [
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
]
COLD_CATEGORIES = HOT_CATEGORIES
_PERIODS = {"M": "M", "Q": "Q"}


def classify_series(hot: np.ndarray, cold: np.ndarray, trend: str, *, side: str = "hot") -> str:
    """ArcGIS emerging hot spot category of one cell from its per-slice significance.

    Parameters
    ----------
    hot, cold : boolean arrays over time slices, oldest first: the cell is a significant
        hot (cold) spot in that slice.
    trend : Mann-Kendall result on the cell's Gi* z-scores: "increasing", "decreasing" or
        "no trend" (significance decided by the caller).
    side : "hot" classifies hot spots; "cold" swaps the roles of hot and cold and of the
        trend direction.

    Rules (ArcGIS wording, applied in this order; n = slices, share = hot slices / n):
    - new: hot in the final slice and never before.
    - consecutive: one uninterrupted run of at least two hot slices ending with the final
      slice, never hot before that run, share < 90 %.
    - intensifying: share >= 90 %, hot in the final slice, significant increasing trend.
    - diminishing: share >= 90 %, hot in the final slice, significant decreasing trend.
    - persistent: share >= 90 %, hot in the final slice, no significant trend.
    - historical: share >= 90 % but not hot in the final slice.
    - oscillating: hot in the final slice, share < 90 %, cold in at least one earlier slice.
    - sporadic: hot in the final slice, share < 90 %, an earlier on-and-off history, never cold.
    Otherwise "no pattern detected". Returns the category without the side, e.g. "new".
    """
    hot = np.asarray(hot, dtype=bool)
    cold = np.asarray(cold, dtype=bool)
    if side == "cold":
        hot, cold = cold, hot
        trend = {"increasing": "decreasing", "decreasing": "increasing"}.get(trend, trend)
    n = len(hot)
    if n == 0 or not hot.any():
        return NO_PATTERN
    share = hot.sum() / n
    final = bool(hot[-1])
    if share >= MOST_SLICES:
        if not final:
            return "historical"
        if trend == "increasing":
            return "intensifying"
        if trend == "decreasing":
            return "diminishing"
        return "persistent"
    if not final:
        return NO_PATTERN
    before = hot[:-1]
    if not before.any():
        return "new"
    # Length of the run of hot slices that ends with the final slice.
    run = n - np.flatnonzero(~hot)[-1] - 1 if (~hot).any() else n
    if run >= 2 and not hot[: n - run].any():
        return "consecutive"
    if cold[:-1].any():
        return "oscillating"
    return "sporadic"


def emerging_hotspots(
    points_with_dates: pd.DataFrame,
    *,
    cell_size_m: float = 500,
    period: str = "M",
    date: str = "MIS_START",
    shape: str = "hex",
    x: str | None = None,
    y: str | None = None,
    alpha: float = 0.05,
    trend_alpha: float = 0.05,
    fdr: bool = True,
    extent: tuple[float, float, float, float] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> gpd.GeoDataFrame:
    """Emerging hot (and cold) spot category of every grid cell that had an episode.

    Parameters
    ----------
    points_with_dates : episodes with a date column and easting/northing (EPSG:27700 metres;
        name them with ``x``/``y``, e.g. ``x="FOUND_EASTING", y="FOUND_NORTHING"``).
    cell_size_m, shape, extent : the grid, as :func:`analysis.gistar.grid_counts`.
    period : time slice, "M" (calendar months) or "Q" (quarters).
    date : the date column.
    alpha : significance of a Gi* hot or cold spot in a slice (two-sided, after the FDR
        correction over the slice's cells when ``fdr``).
    trend_alpha : significance of the Mann-Kendall trend of the cell's Gi* z-scores.
    start, end : first and last slice (default: the data's first and last dates).

    Returns
    -------
    GeoDataFrame (EPSG:27700) of the cells with at least one episode: ``cell_id``, ``easting``,
    ``northing``, ``episodes``, ``slices``, ``hot_slices``, ``cold_slices``, ``final_z``,
    ``trend`` (Mann-Kendall on the z-scores: increasing / decreasing / no trend), ``trend_tau``,
    ``trend_p``, ``category`` (e.g. "new hot spot", "persistent cold spot",
    "no pattern detected") and ``z_by_slice`` (list of z per slice, oldest first).
    ``attrs["slices"]`` lists the slice labels.
    """
    if period not in _PERIODS:
        raise ValueError(f"period must be 'M' or 'Q', not {period!r}")
    import pymannkendall as mk

    when = pd.to_datetime(points_with_dates[date], errors="coerce")
    grid_all = grid_counts(
        points_with_dates, cell_size_m=cell_size_m, shape=shape, extent=extent, x=x, y=y, polygons=False
    )
    px, py = point_coordinates(points_with_dates, x=x, y=y)
    lattice = _lattice_of(grid_all)
    ok = np.isfinite(px) & np.isfinite(py) & when.notna().to_numpy()
    cell = np.full(len(px), -1)
    cell[ok] = lattice.locate(px[ok], py[ok])
    slice_of = when.dt.to_period(_PERIODS[period])
    first = pd.Period(start, freq=_PERIODS[period]) if start is not None else slice_of[ok].min()
    last = pd.Period(end, freq=_PERIODS[period]) if end is not None else slice_of[ok].max()
    slices = pd.period_range(first, last, freq=_PERIODS[period])
    t = np.full(len(px), -1)
    per_year = 12 if period == "M" else 4
    step = (when.dt.year * per_year + (when.dt.month - 1) // (12 // per_year)).to_numpy(dtype=float)
    origin = first.year * per_year + (first.start_time.month - 1) // (12 // per_year)
    t[ok] = (step[ok] - origin).astype(np.int64)
    keep = ok & (cell >= 0) & (t >= 0) & (t < len(slices))
    n_cells, n_t = lattice.n, len(slices)
    counts = np.zeros((n_t, n_cells))
    np.add.at(counts, (t[keep], cell[keep]), 1)

    w = lattice_weights(grid_all)
    z = np.full((n_t, n_cells), np.nan)
    hot = np.zeros((n_t, n_cells), dtype=bool)
    cold = np.zeros((n_t, n_cells), dtype=bool)
    for k in range(n_t):
        if counts[k].sum() == 0:
            continue
        zk = gi_star_z(counts[k], w)
        pk = 2 * stats.norm.sf(np.abs(zk))
        finite = np.isfinite(pk)
        cut = _threshold(pk[finite], alpha, fdr)
        sig = finite & (pk <= cut)
        z[k] = zk
        hot[k] = sig & (zk > 0)
        cold[k] = sig & (zk < 0)

    active = np.flatnonzero(counts.sum(axis=0) > 0)
    rows = []
    for c in active:
        zc = z[:, c]
        zs = np.where(np.isfinite(zc), zc, 0.0)
        if n_t >= 3 and np.ptp(zs) > 0:
            result = mk.original_test(zs, alpha=trend_alpha)
            trend, tau, p = result.trend, float(result.Tau), float(result.p)
        else:
            trend, tau, p = "no trend", np.nan, np.nan
        category = classify_series(hot[:, c], cold[:, c], trend, side="hot")
        label = f"{category} hot spot"
        if category == NO_PATTERN:
            category = classify_series(hot[:, c], cold[:, c], trend, side="cold")
            label = NO_PATTERN if category == NO_PATTERN else f"{category} cold spot"
        rows.append(
            {
                "cell_id": int(c),
                "episodes": int(counts[:, c].sum()),
                "slices": n_t,
                "hot_slices": int(hot[:, c].sum()),
                "cold_slices": int(cold[:, c].sum()),
                "final_z": float(zc[-1]) if np.isfinite(zc[-1]) else np.nan,
                "trend": trend,
                "trend_tau": tau,
                "trend_p": p,
                "category": label,
                "z_by_slice": [float(v) for v in zc],
            }
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "cell_id",
            "episodes",
            "slices",
            "hot_slices",
            "cold_slices",
            "final_z",
            "trend",
            "trend_tau",
            "trend_p",
            "category",
            "z_by_slice",
        ],
    )
    cells = (
        grid_all.loc[active, ["cell_id", "row", "col", "easting", "northing"]]
        .merge(table, on="cell_id", how="left")
        .reset_index(drop=True)
    )
    cells.attrs = {"lattice": grid_all.attrs["lattice"]}
    out = cell_polygons(cells).drop(columns=["row", "col"])
    out.attrs["slices"] = [str(s) for s in slices]
    out.attrs["lattice"] = grid_all.attrs["lattice"]
    return out

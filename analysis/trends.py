"""Mann-Kendall trend tests for many short series at once (one per hotspot).

``pymannkendall.original_test`` takes about 0.7 ms a series; the hotspot table for all of England
has 1,500 hotspots, so their monthly trends alone took a second on every filter change. This is
the same test (same S, tie-corrected variance, continuity-corrected z, two-sided p, Kendall's tau
and Sen's slope), computed for all series of one length together with numpy.
tests/test_trends.py checks it against pymannkendall on random and tied series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["mann_kendall"]

COLUMNS = ["trend", "p", "z", "tau", "s", "var_s", "slope"]


def mann_kendall(series: list, *, alpha: float = 0.05) -> pd.DataFrame:
    """The original Mann-Kendall test of each series (a sequence of numbers in time order, no gaps).

    Returns one row per series, in order, with ``trend`` ("increasing", "decreasing" or
    "no trend" at two-sided level ``alpha``), ``p``, ``z``, ``tau``, ``s``, ``var_s`` and ``slope``
    (Sen's slope: units of the series per step). A series shorter than 2 gets "no trend" and NaN.
    """
    arrays = [np.asarray(s, dtype=float).ravel() for s in series]
    out = pd.DataFrame(
        {
            "trend": ["no trend"] * len(arrays),
            "p": np.nan,
            "z": np.nan,
            "tau": np.nan,
            "s": np.nan,
            "var_s": np.nan,
            "slope": np.nan,
        }
    )
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    for n in np.unique(lengths[lengths >= 2]):
        rows = np.flatnonzero(lengths == n)
        x = np.stack([arrays[r] for r in rows])
        i, j = np.triu_indices(n, 1)
        diffs = x[:, j] - x[:, i]
        s = np.sign(diffs).sum(axis=1)
        var_s = (n * (n - 1) * (2 * n + 5) - _tie_term(x)) / 18
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(s > 0, (s - 1) / np.sqrt(var_s), np.where(s < 0, (s + 1) / np.sqrt(var_s), 0.0))
        p = 2 * (1 - stats.norm.cdf(np.abs(z)))
        significant = np.abs(z) > stats.norm.ppf(1 - alpha / 2)
        trend = np.where(significant & (z > 0), "increasing", np.where(significant & (z < 0), "decreasing", "no trend"))
        slope = np.median(diffs / (j - i), axis=1)
        out.loc[rows, COLUMNS] = pd.DataFrame(
            {"trend": trend, "p": p, "z": z, "tau": s / (0.5 * n * (n - 1)), "s": s, "var_s": var_s, "slope": slope},
            index=rows,
        )
    for column in COLUMNS[1:]:
        out[column] = out[column].astype(float)
    return out


def _tie_term(x: np.ndarray) -> np.ndarray:
    """Sum over groups of tied values of t(t-1)(2t+5), per row of ``x``."""
    ordered = np.sort(x, axis=1)
    m, n = ordered.shape
    # Runs of equal values in each sorted row: a new run starts where the value changes.
    starts = np.ones((m, n), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    run_id = np.cumsum(starts.ravel()) - 1
    t = np.bincount(run_id).astype(float)
    row_of_run = np.repeat(np.arange(m), starts.sum(axis=1))
    return np.bincount(row_of_run, weights=t * (t - 1) * (2 * t + 5), minlength=m)

"""analysis.trends.mann_kendall gives what pymannkendall.original_test gives, series by series."""

from __future__ import annotations

import numpy as np
import pymannkendall as mk
import pytest

from analysis.trends import mann_kendall


def _series(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(300):
        n = int(rng.integers(2, 40))
        drift = rng.choice([-0.3, 0.0, 0.3])
        # Small Poisson counts: many ties, as monthly episode counts at one hotspot have.
        out.append(rng.poisson(np.clip(2 + drift * np.arange(n), 0.1, None)).astype(float))
    out += [np.zeros(5), np.arange(12.0), np.arange(12.0)[::-1], np.array([3.0, 3.0]), np.array([1.0, 2.0])]
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_mann_kendall_matches_pymannkendall(seed):
    series = _series(seed)
    ours = mann_kendall(series, alpha=0.05)
    assert len(ours) == len(series)
    trends = set()
    for row, values in zip(ours.itertuples(), series):
        ref = mk.original_test(values, alpha=0.05)
        trends.add(ref.trend)
        assert row.trend == ref.trend
        assert row.s == pytest.approx(ref.s)
        assert row.var_s == pytest.approx(ref.var_s)
        assert row.z == pytest.approx(ref.z, abs=1e-12)
        assert row.p == pytest.approx(ref.p, abs=1e-12)
        assert row.tau == pytest.approx(ref.Tau)
        assert row.slope == pytest.approx(ref.slope)
    assert trends == {"increasing", "decreasing", "no trend"}  # the check saw every outcome


def test_mann_kendall_short_and_empty_input():
    out = mann_kendall([[5.0], []])
    assert list(out["trend"]) == ["no trend", "no trend"]
    assert out["p"].isna().all() and out["slope"].isna().all()
    assert mann_kendall([]).empty

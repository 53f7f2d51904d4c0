"""Gi* on a grid: equal to esda, quiet on pure noise after FDR, loud on a planted cluster."""

from __future__ import annotations

import warnings

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from libpysal.weights import DistanceBand, Queen

from analysis.gistar import (
    cell_polygons,
    confidence_bins,
    core_extent,
    gi_star,
    gi_star_z,
    grid_counts,
    lattice_weights,
)

# Maidstone, Kent, in British National Grid metres.
X0, Y0 = 575_000, 155_000


def _uniform(n, size_m, seed):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"easting": X0 + rng.uniform(0, size_m, n), "northing": Y0 + rng.uniform(0, size_m, n)})


def _with_cluster(seed=0):
    rng = np.random.default_rng(seed)
    hot = pd.DataFrame(
        {"easting": X0 + 4_000 + rng.normal(0, 200, 120), "northing": Y0 + 6_000 + rng.normal(0, 200, 120)}
    )
    return pd.concat([_uniform(600, 10_000, seed), hot], ignore_index=True)


@pytest.mark.parametrize("shape", ["square", "hex"])
def test_counts_match_point_in_polygon(shape):
    points = _with_cluster()
    grid = grid_counts(points, cell_size_m=500, shape=shape)
    assert grid.crs.to_epsg() == 27700
    assert grid["count"].sum() == len(points)
    located = gpd.sjoin(
        gpd.GeoDataFrame(points, geometry=gpd.points_from_xy(points.easting, points.northing), crs=27700),
        grid[["cell_id", "geometry"]],
        predicate="within",
    )
    per_cell = located.groupby("cell_id").size().reindex(grid["cell_id"], fill_value=0).to_numpy()
    np.testing.assert_array_equal(per_cell, grid["count"].to_numpy())
    area = 500**2 if shape == "square" else 500**2 * np.sqrt(3) / 2
    np.testing.assert_allclose(grid.area, area)


@pytest.mark.parametrize("shape", ["square", "hex"])
def test_z_scores_equal_esda_g_local_star(shape):
    grid = grid_counts(_with_cluster(1), cell_size_m=500, shape=shape)
    ours = gi_star(grid, permutations=99, seed=0)
    if shape == "square":
        w = Queen.from_dataframe(grid, use_index=False)
    else:
        # Polygon vertices of neighbouring hexagons differ in the last bits, so match on centres.
        w = DistanceBand(np.c_[grid.easting, grid.northing], threshold=501, binary=True, silence_warnings=True)
    assert abs(w.sparse - lattice_weights(grid)).sum() == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = esda.G_Local(grid["count"].to_numpy(float), w, transform="B", star=True, permutations=99, seed=0)
    np.testing.assert_allclose(ours["z"].to_numpy(), reference.Zs, rtol=1e-10)
    np.testing.assert_allclose(ours["p_norm"].to_numpy(), 2 * reference.p_norm, rtol=1e-10)
    np.testing.assert_allclose(ours["p_sim"].to_numpy(), np.minimum(1, 2 * reference.p_sim))
    np.testing.assert_array_equal(ours["p"].to_numpy(), ours["p_norm"].to_numpy())


@pytest.mark.parametrize("shape", ["square", "hex"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_whole_grid_without_permutations_equals_the_weights_matrix(shape, seed):
    # gi_star sums neighbourhoods by shifting the grid when it can; it must equal the sparse weights.
    rng = np.random.default_rng(seed)
    size = int(rng.integers(3_000, 9_000))  # odd and even numbers of rows and columns
    grid = grid_counts(_uniform(400, size, seed), cell_size_m=500, shape=shape, polygons=False)
    fast = gi_star(grid, permutations=0)
    reference = gi_star_z(grid["count"].to_numpy(float), lattice_weights(grid))
    np.testing.assert_allclose(fast["z"].to_numpy(), reference, rtol=1e-10)
    assert fast["z"].notna().all() and fast["gi_bin"].abs().max() <= 3


def test_grid_without_polygons_then_polygons_for_a_few_cells():
    points = _with_cluster()
    with_shapes = grid_counts(points, cell_size_m=500, shape="hex")
    plain = grid_counts(points, cell_size_m=500, shape="hex", polygons=False)
    assert not isinstance(plain, gpd.GeoDataFrame) and "geometry" not in plain
    pd.testing.assert_frame_equal(plain, pd.DataFrame(with_shapes.drop(columns="geometry")))
    busy = plain[plain["count"] > 0].reset_index(drop=True)
    shaped = cell_polygons(busy)
    assert shaped.crs.to_epsg() == 27700 and shaped.attrs["lattice"] == plain.attrs["lattice"]
    expected = with_shapes.set_index("cell_id").loc[busy["cell_id"], "geometry"]
    assert all(a.equals(b) for a, b in zip(shaped.geometry, expected))


def test_uniform_noise_gives_no_hot_spots_after_fdr():
    grid = grid_counts(_uniform(3000, 15_000, seed=3), cell_size_m=500, shape="hex")
    result = gi_star(grid, permutations=0)
    assert (result["gi_bin"] != 0).sum() <= 2
    raw = gi_star(grid, permutations=0, fdr=None)
    # Without the correction, about 10 % of cells are "significant" at 90 % by chance alone.
    assert (raw["gi_bin"] != 0).sum() > 5 * max(1, (result["gi_bin"] != 0).sum())


def test_planted_cluster_is_a_99_percent_hot_spot():
    grid = grid_counts(_with_cluster(2), cell_size_m=500, shape="square")
    result = gi_star(grid, permutations=999, seed=0)
    centre = result.geometry.contains(gpd.points_from_xy([X0 + 4_010], [Y0 + 6_010])[0])
    assert result.loc[centre, "gi_bin"].iloc[0] == 3
    hot = result[result["gi_bin"] > 0]
    assert np.hypot(hot["easting"] - (X0 + 4_000), hot["northing"] - (Y0 + 6_000)).max() < 1_500
    assert set(result["significant"].unique()) <= {-1, 0, 1}


def test_rates_per_child_placed_remove_the_childrens_home_effect():
    # Episodes are exactly proportional to children placed: counts are hot, rates are flat.
    rng = np.random.default_rng(5)
    homes = pd.DataFrame({"easting": X0 + rng.uniform(0, 8_000, 400), "northing": Y0 + rng.uniform(0, 8_000, 400)})
    homes = pd.concat(
        [
            homes,
            pd.DataFrame(
                {"easting": X0 + 3_000 + rng.normal(0, 150, 200), "northing": Y0 + 3_000 + rng.normal(0, 150, 200)}
            ),
        ],
        ignore_index=True,
    )
    extent = (X0, Y0, X0 + 8_000, Y0 + 8_000)
    placed = grid_counts(homes, cell_size_m=500, shape="square", extent=extent)
    episodes = placed.assign(count=placed["count"] * 3)
    counts = gi_star(episodes, permutations=0)
    rates = gi_star(episodes, base=placed["count"], permutations=0)
    assert (counts["gi_bin"] == 3).any()
    assert (rates["gi_bin"] != 0).sum() == 0
    assert rates.loc[placed["count"] == 0, "z"].isna().all()


def test_confidence_bins_follow_arcgis_levels():
    z = np.array([3.0, 2.2, 1.7, 0.5, -2.2, -3.0])
    p = np.array([0.005, 0.03, 0.08, 0.6, 0.03, 0.001])
    np.testing.assert_array_equal(confidence_bins(z, p, fdr=False), [3, 2, 1, 0, -2, -3])
    # Benjamini-Hochberg per level: at 99 % the second smallest p (0.005) needs p <= 0.01 * 2 / 6,
    # so it falls to 95 %; at 90 % the 0.08 (rank 5) passes as 0.08 <= 0.1 * 5 / 6.
    np.testing.assert_array_equal(confidence_bins(z, p, fdr=True), [2, 2, 1, 0, -2, -3])


def test_fdr_cut_offs_from_one_sort_equal_esda():
    from analysis.gistar import _thresholds

    rng = np.random.default_rng(3)
    for p in (
        rng.uniform(0, 1, 5000),
        np.r_[rng.uniform(0, 1e-4, 50), rng.uniform(0, 1, 2000)],
        np.full(10, 0.5),
        rng.uniform(0, 1e-6, 20),
    ):
        cuts = _thresholds(p, [0.01, 0.05, 0.10], True)
        for alpha, cut in cuts.items():
            assert cut == pytest.approx(float(esda.fdr(p, alpha)), rel=1e-12, abs=0)


def test_core_extent_ignores_a_far_off_point():
    points = pd.concat(
        [_uniform(500, 10_000, 4), pd.DataFrame({"easting": [383_000.0], "northing": [398_000.0]})], ignore_index=True
    )  # one child found in Manchester
    xmin, ymin, xmax, ymax = core_extent(points, margin_m=5000)
    assert X0 - 5000 <= xmin < X0 - 4000 and xmax <= X0 + 10_000 + 5000
    assert Y0 - 5000 <= ymin and ymax <= Y0 + 10_000 + 5000
    assert core_extent(points.iloc[:2]) is None


@pytest.mark.parametrize("shape", ["square", "hex"])
@pytest.mark.parametrize("fdr", [0.05, None])
def test_significant_cells_are_the_significant_rows_of_the_whole_grid(shape, fdr):
    from analysis.gistar import significant_cells

    points = _with_cluster(3)
    extent = (X0 - 2_000, Y0 - 2_000, X0 + 12_000, Y0 + 12_000)  # a margin of empty cells, as core_extent gives
    whole = gi_star(
        grid_counts(points, cell_size_m=250, shape=shape, extent=extent, polygons=False), permutations=0, fdr=fdr
    )
    expected = cell_polygons(whole[whole["gi_bin"] != 0].reset_index(drop=True))
    found = significant_cells(points, cell_size_m=250, shape=shape, extent=extent, fdr=fdr)
    assert len(found) > 5 and (found["gi_bin"] == 3).any()  # the planted cluster
    pd.testing.assert_frame_equal(pd.DataFrame(found), pd.DataFrame(expected))
    assert found.crs == expected.crs and found.attrs == expected.attrs

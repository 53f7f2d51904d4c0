"""The analyst's hotspot map: escaped text, aggregated episodes only, offline by default, small HTML."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from analysis.gistar import gi_star, grid_counts
from analysis.hotspot_names import hotspot_label
from analysis.hotspots import find_hotspots
from maps.common import map_html
from maps.hotspot_map import MAX_EPISODE_CELLS, hotspot_map, hotspot_table, share_colour

HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"
MAIDSTONE = (576153.0, 155833.0)  # EPSG:27700 metres


def _episodes(n_spread: int = 600, seed: int = 0) -> pd.DataFrame:
    """Episodes: a tight cluster of 120 at Maidstone (CSE on 3 in 4) plus ``n_spread`` spread over 40 km."""
    rng = np.random.default_rng(seed)
    cx, cy = MAIDSTONE
    x = np.concatenate([cx + rng.normal(0, 60, 120), cx + rng.uniform(-20_000, 20_000, n_spread)])
    y = np.concatenate([cy + rng.normal(0, 60, 120), cy + rng.uniform(-20_000, 20_000, n_spread)])
    n = len(x)
    cse = np.concatenate([np.arange(120) % 4 != 0, np.zeros(n_spread, dtype=bool)])
    frame = pd.DataFrame(
        {
            "CHILD": [f"C{i % 90}" for i in range(n)],
            "MIS_START": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
            "FOUND_EASTING": x,
            "FOUND_NORTHING": y,
            "CSE": pd.array(cse, dtype="boolean"),
            "GANG": pd.array(np.zeros(n, dtype=bool), dtype="boolean"),
        }
    )
    return frame


@pytest.fixture(scope="module")
def spots():
    found = find_hotspots(_episodes(), location="found", min_cluster_size=10)
    assert len(found) >= 1
    return found


def test_hotspot_outlines_coloured_by_share_with_escaped_tooltips(spots):
    hostile = spots.copy()
    hostile["trend"] = HOSTILE
    homes = pd.DataFrame(
        {"NAME": [HOSTILE], "HOME_SECTOR": ["ME14 1"], "OUR_CHILDREN": [3], "MAP_LAT": [51.27], "MAP_LON": [0.52]}
    )
    placements = pd.DataFrame({"district": [HOSTILE], "children": [2], "lat": [51.3], "lon": [0.5]})
    html = map_html(hotspot_map(hostile, colour_flag="CSE", homes=homes, placements=placements))
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html or "\\u0026lt;script\\u0026gt;alert" in html
    # The biggest hotspot is the Maidstone cluster, 3 in 4 of its episodes CSE: the 60-80 % colour.
    top = spots.iloc[0]
    assert 0.6 <= top["cse_share"] <= 0.8
    assert share_colour(top["cse_share"]) in html
    # Named as everywhere else: "1. Maidstone, ME14 1 (Kent)" (the planted cluster is in ME14 1 or ME15 6).
    assert top["hotspot_id"] == 1 and top["name"].startswith("Maidstone, ME1") and top["name"].endswith("(Kent)")
    assert hotspot_label(top) == f"1. {top['name']}" and hotspot_label(top) in html
    # Context counts of 1-5 are always shown as "c".
    assert "our children: c" in html and ": c children placed" in html


def test_episodes_are_drawn_per_cell_and_capped(spots):
    eps = _episodes(n_spread=20_000, seed=1)
    cells = grid_counts(eps, x="FOUND_EASTING", y="FOUND_NORTHING", cell_size_m=100, shape="square")
    busy = int((cells["count"] > 0).sum())
    cap = 500
    assert busy > cap  # so the cap has to bite
    html = map_html(hotspot_map(spots, episode_cells=cells, max_episode_cells=cap))
    episode_points = html.count("episodes here:")  # one tooltip per drawn cell
    assert episode_points == cap
    assert len(re.findall(r'"type": ?"Point"', html)) == cap + len(spots)  # plus one marker per hotspot
    # With the default cap a realistic load stays well under 3 MB.
    assert len(map_html(hotspot_map(spots, episode_cells=cells)).encode()) < 3_000_000
    assert MAX_EPISODE_CELLS <= 5000


def test_gi_layer_draws_only_significant_cells(spots):
    eps = _episodes()
    grid = grid_counts(eps, x="FOUND_EASTING", y="FOUND_NORTHING", cell_size_m=500)
    gi = gi_star(grid, permutations=0)
    significant = int((gi["gi_bin"] != 0).sum())
    assert 0 < significant < len(gi)
    html = map_html(hotspot_map(spots, gi_cells=gi))
    assert (
        html.count("Hot spot, 99% confidence")
        + html.count("Hot spot, 95% confidence")
        + html.count("Hot spot, 90% confidence")
        + html.count("Cold spot,")
        == significant
    )
    assert "#d62f27" in html  # ArcGIS 99 % hot colour: the Maidstone cluster is that strong


def test_no_external_urls_without_tiles(spots):
    eps = _episodes()
    cells = grid_counts(eps, x="FOUND_EASTING", y="FOUND_NORTHING", cell_size_m=500, shape="square")
    offline = map_html(hotspot_map(spots, episode_cells=cells, tiles=False))
    pattern = re.compile(r"""(?:src|href)\s*=\s*["']?//|url\(\s*["']?https?://|https?://[a-z0-9.-]+/""")
    external = pattern.findall(offline)
    assert not external, external[:5]
    online = map_html(hotspot_map(spots, tiles=True))
    assert any("tile.openstreetmap.org" in url for url in pattern.findall(online))  # the check can fail


def test_panel_map_and_table_hide_small_counts(spots):
    small = spots.copy()
    small.loc[small.index[0], "children"] = 4
    html = map_html(hotspot_map(small, suppress_small=True))
    assert "children: c" in html
    table = hotspot_table(small, suppress_small=True)
    assert table.loc[0, "Children"] == "c"
    exact = hotspot_table(small)
    assert exact.loc[0, "Children"] == 4
    assert exact["Episodes"].is_monotonic_decreasing
    assert json.dumps(list(exact.columns))  # plain column names, ready for a CSV


def test_gi_layer_keeps_only_the_strongest_cells_when_there_are_too_many():
    import geopandas as gpd
    from shapely.geometry import box

    from maps.hotspot_map import gi_layer_cells

    z = [4.0, -3.5, 0.1, 2.0, -2.6]
    grid = gpd.GeoDataFrame(
        {"gi_bin": [3, -3, 0, 2, -2], "z": z}, geometry=[box(i, 0, i + 1, 1) for i in range(5)], crs=27700
    )
    assert list(gi_layer_cells(grid)["z"]) == [4.0, -3.5, 2.0, -2.6]  # not significant: dropped
    assert list(gi_layer_cells(grid, max_cells=2)["z"]) == [4.0, -3.5]


def test_capped_context_layers_say_so_and_keep_the_homes_with_most_of_our_children():
    from maps.common import map_html
    from maps.hotspot_map import MAX_CONTEXT_POINTS

    n = MAX_CONTEXT_POINTS + 200
    rng = np.random.default_rng(0)
    homes = pd.DataFrame(
        {
            "NAME": [f"Home {i}" for i in range(n)],
            "HOME_SECTOR": "ME14 1",
            "MAP_LAT": 51.2 + rng.uniform(0, 0.2, n),
            "MAP_LON": 0.5 + rng.uniform(0, 0.2, n),
            "OUR_CHILDREN": [0] * (n - 1) + [9],
        }
    )
    text = map_html(hotspot_map(None, homes=homes))
    assert f"{MAX_CONTEXT_POINTS:,} of {n:,} shown, with most of our children" in text
    assert f"Home {n - 1}\\u003cbr\\u003e" in text or f"Home {n - 1}<br>" in text  # the only home with our children
    assert f"Home {n - 2}<br>" not in text and f"Home {n - 2}\\u003cbr" not in text  # beyond the cap
    small = map_html(hotspot_map(None, homes=homes.iloc[:10]))
    assert "shown, with most" not in small


def test_without_hotspots_the_episode_cells_are_the_picture_shown_small_and_at_full_zoom(spots):
    eps = _episodes(n_spread=5_000, seed=2)
    cells = grid_counts(eps, x="FOUND_EASTING", y="FOUND_NORTHING", cell_size_m=500, shape="square")

    def radii(m) -> list[float]:
        found = re.findall(r'"radius": ?([0-9.]+)', map_html(m))
        return [float(r) for r in found]

    alone = hotspot_map(None, episode_cells=cells, show_episode_cells=True)
    with_spots = hotspot_map(spots, episode_cells=cells)
    # No outlines to keep in view: the zoom that shows every drawn cell, not one level out.
    from geo.projection import transform_points
    from maps.common import base_map, fit_to

    drawn = cells[cells["count"] > 0].sort_values("count", ascending=False, kind="stable").iloc[:MAX_EPISODE_CELLS]
    lon, lat = transform_points(drawn["easting"], drawn["northing"])
    expected = base_map()
    fit_to(expected, lat, lon)
    assert alone.options["zoom"] == expected.options["zoom"]
    assert max(radii(alone)) <= 6 < max(radii(with_spots))  # the busiest Maidstone cell
    layer = re.compile(r"feature_group_\w+\.addTo\(map_\w+\)")
    shown = lambda m: len(set(layer.findall(map_html(m))))  # noqa: E731 - layers switched on when the map opens
    assert shown(alone) == shown(hotspot_map(None, episode_cells=cells)) + 1


def test_geometry_mappings_match_shapely_geo_interface():
    """maps.hotspot_map takes polygons apart in one call; the JSON is what __geo_interface__ gives."""
    import json

    import numpy as np
    import shapely

    from maps.hotspot_map import _geometry_dicts

    holed = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2)]])
    geoms = np.array(
        [
            shapely.Point(0.5, 51.25).buffer(0.01, 2),
            None,
            shapely.Polygon(),
            holed,
            shapely.MultiPolygon([holed, shapely.box(5, 5, 6, 6)]),
            shapely.Point(1.123456, 52.5),
            shapely.box(-0.12345, 51.5, 0.5, 51.6),
        ],
        dtype=object,
    )
    got = _geometry_dicts(geoms)
    assert got[1] is None and got[2] is None
    for geom, mapping in zip(geoms, got):
        if geom is not None and not geom.is_empty:
            assert json.dumps(mapping) == json.dumps(geom.__geo_interface__)
    assert _geometry_dicts(np.array([], dtype=object)) == []


def test_with_nothing_located_the_map_opens_on_the_authority():
    """903-only data has no found locations: the map opens on the authority, not on the middle of England."""
    from geo.boundaries import authority_boundaries

    bounds = authority_boundaries()
    kent = bounds[bounds["code"] == "E10000016"]
    m = hotspot_map(None, authority=kent)
    assert 51.0 < m.location[0] < 51.5 and 0.3 < m.location[1] < 1.2 and m.options["zoom"] >= 8

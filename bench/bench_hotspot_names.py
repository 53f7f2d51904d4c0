"""Naming hotspots (analysis.hotspot_names): what it adds to finding England's hotspots.

A year of England's missing incidents makes about 1,500 hotspots (docs/hotspots.md). Each is named from the
postcode sectors of its episodes (87,000 located episodes) and the nearest town or village. Baseline: the plain
GeoPandas way, two ``sjoin_nearest`` (centres to GeoNames places, centres to sector centres) with the sector
counts done the same way. Target: under half a second, in a warm process (the gazetteer and the postcode index
are loaded once per process, like the index itself); the first call in a fresh process is reported too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.common import best_wall_and_cpu, child_seconds, result, size

TARGET_S = 0.5


def _hotspots(n_spots: int, n_episodes: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n_spots`` centres at English unit postcodes, and ``n_episodes`` episodes found at postcodes near them."""
    from geo.postcodes import get_postcode_index

    index = get_postcode_index()
    units = index.english_units()
    rng = np.random.default_rng(seed)
    centre_rows = rng.choice(len(units), n_spots, replace=False)
    centres = units.iloc[centre_rows].reset_index(drop=True)
    hid = rng.integers(0, n_spots, n_episodes)
    # An episode at the centre's postcode or a postcode a little way along the (sorted) list: a nearby one.
    rows = np.clip(centre_rows[hid] + rng.integers(-3, 4, n_episodes), 0, len(units) - 1)
    episodes = pd.DataFrame({"hid": hid + 1, "postcode": index.postcodes_for(units["code"].to_numpy()[rows])})
    return centres.assign(hotspot_id=np.arange(1, n_spots + 1)), episodes


def _ours(centres: pd.DataFrame, episodes: pd.DataFrame) -> np.ndarray:
    from analysis.hotspot_names import hotspot_sectors, name_hotspots

    sectors = hotspot_sectors(episodes["postcode"], episodes["hid"]).reindex(centres["hotspot_id"])
    return name_hotspots(centres["easting"], centres["northing"], sectors=sectors.to_numpy())


def _geopandas_way(centres: pd.DataFrame, episodes: pd.DataFrame, places, sectors) -> pd.Series:
    import geopandas as gpd

    from geo.postcodes import sector_of

    points = gpd.GeoDataFrame(
        centres[["hotspot_id"]], geometry=gpd.points_from_xy(centres["easting"], centres["northing"]), crs=27700
    )
    town = gpd.sjoin_nearest(points, places, distance_col="d").drop_duplicates("hotspot_id")
    near = gpd.sjoin_nearest(points, sectors, distance_col="d2").drop_duplicates("hotspot_id")
    counted = episodes.assign(sector=sector_of(episodes["postcode"])).groupby(["hid", "sector"]).size()
    top = counted.sort_values(ascending=False).reset_index().drop_duplicates("hid").set_index("hid")["sector"]
    sector = top.reindex(town["hotspot_id"]).fillna(pd.Series(near["sector"].to_numpy(), index=near["hotspot_id"]))
    return town["name"].to_numpy() + ", " + sector.to_numpy() + " (" + near["la_name"].to_numpy() + ")"


def run() -> list[dict]:
    import geopandas as gpd

    from analysis.hotspot_names import name_hotspots
    from geo.places import get_places
    from geo.postcodes import get_postcode_index

    n_spots, n_episodes = size(1_500, 300), size(87_000, 10_000)
    centres, episodes = _hotspots(n_spots, n_episodes)
    name_hotspots([530000.0], [180000.0])  # load the gazetteer and the sector table once, as a process does
    ours_s, ours_cpu = best_wall_and_cpu(lambda: _ours(centres, episodes), 5)

    table = get_places().table
    places = gpd.GeoDataFrame(
        table[["name"]], geometry=gpd.points_from_xy(table["easting"], table["northing"]), crs=27700
    )
    sec = get_postcode_index().sectors_with_positions()
    sectors = gpd.GeoDataFrame(
        sec[["sector", "la_name"]], geometry=gpd.points_from_xy(sec["easting"], sec["northing"]), crs=27700
    )
    theirs_s, theirs_cpu = best_wall_and_cpu(lambda: _geopandas_way(centres, episodes, places, sectors), 5)
    rows = [
        result(
            f"name {n_spots:,} hotspots ({n_episodes:,} episodes)",
            ours_s,
            "s",
            baseline="GeoPandas sjoin_nearest x2 + groupby",
            baseline_value=theirs_s,
            target=TARGET_S,
            note=f"warm process; CPU {ours_cpu:.3f} s vs {theirs_cpu:.3f} s",
        )
    ]

    first = child_seconds(
        "name_hotspots([530000.0], [180000.0])",
        setup="import numpy, pandas, scipy.spatial, pyproj\n"
        "from analysis.hotspot_names import name_hotspots\n"
        "from geo.postcodes import get_postcode_index\nget_postcode_index()",
        n=3,
    )
    rows.append(
        result(
            "first hotspot name in a fresh process",
            first,
            "s",
            target=1.0,
            note="loads the kept gazetteer (.npz) and the postcode sectors; the index itself is "
            "loaded before, as the app does at start",
        )
    )
    return rows

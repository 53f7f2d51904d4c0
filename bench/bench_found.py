"""Where missing children are found, at whole-England scale: found-distance columns, journeys, links, map.

A year of England's missing incidents (87,000) on real English unit postcodes: 60 % planted in
places (a postcode and its 60 nearest, 20-80 episodes each) and 40 % anywhere; each child goes
missing from one of two home postcodes. Found locations: 70 % a postcode, 20 % latitude and
longitude only, 10 % not recorded. Each step is timed beside a plain baseline in the same run
(the least work that gives the same numbers without our notes, names and positions), and the
journeys map's HTML is measured against the 3 MB limit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.common import best_of, result, size

SEED = 20240419
NEAREST = 60
PAYLOAD_LIMIT_BYTES = 3_000_000


def synthetic_log(n: int, *, seed: int = SEED) -> pd.DataFrame:
    """``n`` missing episodes with FROM_POST, FOUND_POST or FOUND_LAT/FOUND_LON, CHILD, CSE, LA_CODE,
    and FOUND_EASTING/FOUND_NORTHING for clustering (EPSG:27700)."""
    from scipy.spatial import cKDTree

    from geo.postcodes import get_postcode_index
    from geo.projection import transform_points

    rng = np.random.default_rng(seed)
    index = get_postcode_index()
    units = index.english_units()
    xy = units[["easting", "northing"]].to_numpy()
    n_planted = int(n * 0.6)
    sizes: list[int] = []
    while sum(sizes) < n_planted:
        sizes.append(int(rng.integers(20, 81)))
    sizes[-1] -= sum(sizes) - n_planted
    centres = rng.choice(len(xy), size=len(sizes), replace=False)
    _, near = cKDTree(xy).query(xy[centres], k=NEAREST)
    rows = np.concatenate(
        [near[k, rng.integers(0, NEAREST, m)] for k, m in enumerate(sizes)] + [rng.integers(0, len(xy), n - n_planted)]
    )
    children = n // 4
    child = rng.integers(0, children, n)
    homes = rng.integers(0, len(xy), (children, 2))
    from_rows = homes[child, rng.integers(0, 2, n)]
    postcodes = index.postcodes_for(units["code"].to_numpy()[np.concatenate([rows, from_rows])])
    found_post = postcodes[:n].astype(object)
    kind = rng.random(n)
    lon, lat = transform_points(xy[rows, 0], xy[rows, 1])
    frame = pd.DataFrame(
        {
            "CHILD": [f"C{i}" for i in child],
            "LA_CODE": units["la_code"].to_numpy(dtype=object)[from_rows],
            "FROM_POST": postcodes[n:],
            "FOUND_POST": np.where(kind < 0.7, found_post, ""),
            "FOUND_LAT": np.where((kind >= 0.7) & (kind < 0.9), np.round(lat, 5).astype(str), ""),
            "FOUND_LON": np.where((kind >= 0.7) & (kind < 0.9), np.round(lon, 5).astype(str), ""),
            "FOUND_EASTING": np.where(kind < 0.9, xy[rows, 0], np.nan),
            "FOUND_NORTHING": np.where(kind < 0.9, xy[rows, 1], np.nan),
            "CSE": pd.array(rng.random(n) < 0.2, dtype="boolean"),
            "MIS_START": pd.Timestamp("2025-04-01") + pd.to_timedelta(rng.integers(0, 365 * 24, n), unit="h"),
        }
    )
    return frame


def run() -> list[dict]:
    from analysis.found import add_found_location
    from analysis.hotspot_links import hotspot_links
    from analysis.hotspots import find_hotspots, label_hotspots
    from analysis.journeys import corridors, journeys
    from geo.distances import straight_line_miles
    from geo.postcodes import get_postcode_index
    from maps.journeys_map import journeys_map_bytes

    rows = []
    n = size(87_000, 5_000)
    index = get_postcode_index()
    log = synthetic_log(n)
    add_found_location(log.head(100), index=index)  # first use builds the nearest-sector tree and loads polygons

    def plain_distances():
        start, end = index.lookup(log["FROM_POST"]), index.lookup(log["FOUND_POST"])
        return straight_line_miles(start["easting"], start["northing"], end["easting"], end["northing"]), end["la_code"]

    ours = best_of(lambda: add_found_location(log, index=index), 2)
    plain = best_of(plain_distances, 2)
    enriched = add_found_location(log, index=index)
    rows.append(
        result(
            f"add_found_location (FOUND_DISTANCE, FOUND_LA, FOUND_LOCATION, FOUND_NOTE), {n:,} incidents",
            ours,
            "s",
            baseline="two postcode look-ups + DfE distance (no lat/lon, notes or IN/OUT)",
            baseline_value=plain,
            note=f"{int(np.isfinite(enriched['FOUND_DISTANCE']).sum()):,} measured; "
            f"{int((enriched['FOUND_NOTE'] == 'found position from latitude/longitude').sum()):,} placed by lat/lon",
        )
    )

    labels = label_hotspots(log, min_cluster_size=8)
    spots = find_hotspots(log, labels=labels)

    def plain_journeys():
        return (
            enriched.assign(_to=np.where(labels.to_numpy() >= 0, labels.astype(str), enriched["FOUND_DISTRICT"]))
            .groupby(["FROM_SECTOR", "_to"])
            .size()
        )

    seconds = best_of(lambda: journeys(enriched, labels=labels, hotspots=spots, flag="CSE", index=index), 2)
    found_journeys = journeys(enriched, labels=labels, hotspots=spots, flag="CSE", index=index)
    rows.append(
        result(
            f"journeys (sector to hotspot or district, flag share, positions), {n:,} incidents",
            seconds,
            "s",
            baseline="groupby(from sector, destination).size()",
            baseline_value=best_of(plain_journeys, 2),
            note=f"{len(found_journeys):,} journeys, {int((found_journeys['children'] >= 6).sum()):,} of 6+ children; "
            f"{len(spots):,} hotspots",
        )
    )
    seconds = best_of(lambda: corridors(enriched), 2)

    def plain_corridors():
        return enriched[enriched["FOUND_LOCATION"] == "OUT"].groupby(["LA_CODE", "FOUND_LA"]).size()

    rows.append(
        result(
            f"corridors between authorities, {n:,} incidents",
            seconds,
            "s",
            baseline="groupby(responsible, found authority).size()",
            baseline_value=best_of(plain_corridors, 2),
        )
    )

    def plain_links():
        pairs = pd.DataFrame({"CHILD": log["CHILD"], "hid": labels.to_numpy()})
        pairs = pairs[pairs["hid"] >= 0].drop_duplicates()
        both = pairs.merge(pairs, on="CHILD")
        return both[both["hid_x"] < both["hid_y"]].groupby(["hid_x", "hid_y"]).size()

    seconds = best_of(lambda: hotspot_links(log, labels), 2)
    links = hotspot_links(log, labels)
    rows.append(
        result(
            f"hotspot_links (children shared by two hotspots), {n:,} incidents",
            seconds,
            "s",
            baseline="drop_duplicates + self-merge + groupby.size",
            baseline_value=best_of(plain_links, 2),
            note=f"{len(links):,} links, {int((links['children'] >= 6).sum()):,} of 6+ children",
        )
    )

    for panel in (False, True):
        payload = journeys_map_bytes(
            found_journeys,
            hotspots=spots,
            links=links,
            corridors=corridors(enriched),
            suppress_small=panel,
            flag_label="child sexual exploitation",
        )
        rows.append(
            result(
                f"journeys map HTML, {n:,} incidents ({'panel: 6+ children' if panel else 'analyst'})",
                payload / 1e6,
                "MB",
                target=PAYLOAD_LIMIT_BYTES / 1e6,
                note="journeys (1,500 at most), hotspot links (300 at most) and corridors; offline base map",
            )
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)

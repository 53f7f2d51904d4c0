"""Hotspots: planted clusters of missing episodes on real English postcodes are found, profiled and linked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.hotspots import HOTSPOT_ID, NOISE, find_hotspots, hotspot_profile, label_hotspots
from analysis.missing import missing_episodes
from data.schemas import RISK_FLAGS

ROOT = Path(__file__).resolve().parents[1]
GROUND_TRUTH = ROOT / "data" / "demo_data" / "ground_truth.csv"
DEMO_LOG = ROOT / "data" / "demo_data" / "missing_log.csv"

# Three places in Kent (planted) and the flag the children found there carry.
PLANTED = [("CSE", 45), ("GANG", 35), ("COUNTY_LINES", 25)]


def planted_log(units: pd.DataFrame, *, seed: int = 0, background: int = 400) -> tuple[pd.DataFrame, np.ndarray]:
    """A missing-team log with FOUND_POST on real postcodes: planted clusters + county-wide background."""
    rng = np.random.default_rng(seed)
    xy = units[["easting", "northing"]].to_numpy()
    # Centres in towns (many postcodes within 250 m), far apart from each other.
    dense = np.array([((np.abs(xy - p) < 250).all(axis=1)).sum() for p in xy[::97]])
    candidates = xy[::97][dense >= 25]
    centres = [candidates[0]]
    for c in candidates[1:]:
        if min(np.hypot(*(c - d)) for d in centres) > 8000:
            centres.append(c)
        if len(centres) == len(PLANTED):
            break
    rows = []
    start = pd.Timestamp("2024-01-01")
    for k, ((flag, n), centre) in enumerate(zip(PLANTED, centres)):
        near = units[np.hypot(units["easting"] - centre[0], units["northing"] - centre[1]) < 250]
        for i in range(n):
            rows.append(
                {
                    "CHILD": f"P{k}-{i % 12}",
                    "MISSING": "M",
                    "FOUND_POST": near["postcode"].iloc[rng.integers(len(near))],
                    "MIS_START": start + pd.Timedelta(hours=int(rng.integers(0, 24 * 360))),
                    **{f: (f == flag) or (f != flag and rng.random() < 0.05) for f in RISK_FLAGS},
                }
            )
    for i in range(background):
        rows.append(
            {
                "CHILD": f"B{i % 80}",
                "MISSING": "A",
                "FOUND_POST": units["postcode"].iloc[rng.integers(len(units))],
                "MIS_START": start + pd.Timedelta(hours=int(rng.integers(0, 24 * 360))),
                **{f: bool(rng.random() < 0.05) for f in RISK_FLAGS},
            }
        )
    # One child of the first place is also found at the second: a peer link between hotspots.
    for i in range(3):
        rows.append(
            {
                "CHILD": "P0-0",
                "MISSING": "M",
                "MIS_START": start + pd.Timedelta(days=300 + i),
                "FOUND_POST": units[
                    np.hypot(units["easting"] - centres[1][0], units["northing"] - centres[1][1]) < 100
                ]["postcode"].iloc[0],
                **{f: f == "GANG" for f in RISK_FLAGS},
            }
        )
    log = pd.DataFrame(rows)
    log["MIS_END"] = log["MIS_START"] + pd.to_timedelta(rng.integers(2, 100, len(log)), unit="h")
    for f in RISK_FLAGS:
        log[f] = log[f].astype("boolean")
    return log, np.array(centres)


@pytest.fixture(scope="module")
def planted(postcode_index):
    units = postcode_index.units_in("E10000016")
    log, centres = planted_log(units)
    return missing_episodes(missing_log=log, index=postcode_index), centres


@pytest.mark.parametrize("method", ["hdbscan", "dbscan"])
def test_planted_clusters_found_with_right_flag(planted, method):
    episodes, centres = planted
    hotspots = find_hotspots(episodes, method=method)
    assert hotspots.crs.to_epsg() == 27700
    assert list(hotspots["hotspot_id"]) == list(range(1, len(hotspots) + 1))
    assert hotspots["episodes"].is_monotonic_decreasing
    for (flag, n), centre in zip(PLANTED, centres):
        dist = np.hypot(hotspots["easting"] - centre[0], hotspots["northing"] - centre[1])
        best = hotspots.loc[dist.idxmin()]
        assert dist.min() < 400, (flag, dist.min())
        assert best["dominant_flag"] == flag
        assert best[f"{flag.lower()}_share"] > 0.5  # town background found at the same place dilutes it
        assert best["episodes"] >= 0.8 * n
        assert best.geometry.contains(__import__("shapely").Point(centre))
    # Background spread over the whole county makes few hotspots, and never bigger than planted ones.
    assert len(hotspots) <= len(PLANTED) + 6
    assert (hotspots["lat"].between(50.9, 51.6) & hotspots["lon"].between(0.0, 1.5)).all()


def test_labels_noise_and_peer_links(planted):
    episodes, centres = planted
    labels = label_hotspots(episodes)
    assert labels.index.equals(episodes.index)
    assert (labels == NOISE).sum() > 200  # most background episodes are in no hotspot
    hotspots = find_hotspots(episodes, labels=labels)
    sizes = labels[labels >= 0].value_counts()
    assert sizes.loc[1] == hotspots.loc[0, "episodes"]
    # P0-0 was found at the first and the second place.
    first = hotspots.loc[np.hypot(hotspots["easting"] - centres[0][0], hotspots["northing"] - centres[0][1]).idxmin()]
    second = hotspots.loc[np.hypot(hotspots["easting"] - centres[1][0], hotspots["northing"] - centres[1][1]).idxmin()]
    assert first["children_at_other_hotspots"] >= 1
    assert str(int(second["hotspot_id"])) in first["linked_hotspots"].split(", ")
    assert hotspots.attrs["peer_children"] >= 1


def test_profile_lists_each_childs_other_hotspots_in_order(planted):
    episodes, centres = planted
    labels = label_hotspots(episodes)
    hotspots = find_hotspots(episodes, labels=labels)
    labelled = episodes.assign(**{HOTSPOT_ID: labels.to_numpy()})
    first = int(
        hotspots.loc[
            np.hypot(hotspots["easting"] - centres[0][0], hotspots["northing"] - centres[0][1]).idxmin(), "hotspot_id"
        ]
    )
    children = hotspot_profile(hotspots, labelled, first)["children"]
    for child, listed in zip(children["CHILD"], children["other_hotspots"]):
        elsewhere = labelled.loc[
            (labelled["CHILD"] == child) & (labelled[HOTSPOT_ID] >= 0) & (labelled[HOTSPOT_ID] != first), HOTSPOT_ID
        ]
        assert listed == ", ".join(str(h) for h in sorted(set(elsewhere))), child
    assert (children["other_hotspots"] != "").any() and (children["other_hotspots"] == "").any()


def test_stable_ids_and_no_location():
    empty = pd.DataFrame(
        {
            "CHILD": ["a"],
            "MIS_START": [pd.Timestamp("2024-01-01")],
            "FOUND_EASTING": [np.nan],
            "FOUND_NORTHING": [np.nan],
        }
    )
    assert (label_hotspots(empty) == NOISE).all()
    assert find_hotspots(empty).empty
    with pytest.raises(ValueError):
        label_hotspots(empty, location="home")


def test_profile_tables(planted):
    episodes, _ = planted
    hotspots = find_hotspots(episodes)
    profile = hotspot_profile(hotspots, episodes, 1)
    assert {"summary", "flags", "by_month", "by_weekday", "by_time_of_day", "children", "episodes"} <= set(profile)
    assert len(profile["episodes"]) == hotspots.loc[0, "episodes"]
    assert profile["children"]["episodes"].sum() == hotspots.loc[0, "episodes"]
    assert profile["by_month"]["episodes"].sum() == hotspots.loc[0, "episodes"]
    flags = profile["flags"].set_index("flag")
    assert (
        flags.loc[hotspots.loc[0, "dominant_flag"], "share"]
        == hotspots.loc[0, f"{hotspots.loc[0, 'dominant_flag'].lower()}_share"]
    )
    with pytest.raises(KeyError):
        hotspot_profile(hotspots, episodes, 999)


@pytest.mark.skipif(not (GROUND_TRUTH.exists() and DEMO_LOG.exists()), reason="demo data not generated yet")
def test_demo_ground_truth_hotspots_found(postcode_index):
    from data.readers import read_inputs

    truth = pd.read_csv(GROUND_TRUTH)
    dataset = read_inputs([DEMO_LOG])
    episodes = missing_episodes(dataset, index=postcode_index)
    hotspots = find_hotspots(episodes)
    assert len(truth) > 0
    matched = []
    for _, spot in truth.iterrows():
        dist = np.hypot(hotspots["easting"] - spot["easting"], hotspots["northing"] - spot["northing"])
        assert dist.min() < 400, spot["place"]
        best = hotspots.loc[dist.idxmin()]
        assert best["dominant_flag"] == str(spot["dominant_flag"]).upper(), spot["place"]
        # The planted place is found whole, not cut into its postcodes.
        assert abs(best["episodes"] - spot["episodes"]) <= 0.25 * spot["episodes"], spot["place"]
        matched.append(int(best["hotspot_id"]))
        # Named by the nearest town, the sector the planted place is in and its authority.
        town = {"Bluewater": "Greenhithe", "Lewisham": "Ladywell"}.get(
            spot["place"].split(" ")[0], spot["place"].split(" ")[0]
        )
        sector = spot["place"].split("(")[1].split(")")[0]
        authority = "Lewisham" if town == "Ladywell" else "Kent"
        assert best["name"] == f"{town}, {sector} ({authority})", best["name"]
    # Background makes small hotspots only: the planted places are the largest ones.
    assert sorted(matched) == list(range(1, len(truth) + 1))

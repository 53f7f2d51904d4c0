"""Hotspot names from offline data: nearest town or village (GeoNames), postcode sector(s), authority."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.hotspot_names import NEAR_M, hotspot_label, hotspot_sectors, name_hotspots
from geo.places import Places, build_places, get_places

MARGATE_SEAFRONT = (635586.0, 170798.0)  # EPSG:27700, the demo's planted Margate hotspot (CT9 1)
DARTMOOR = (262000.0, 78000.0)  # open moor, 5 km from Princetown


def test_gazetteer_is_great_britain_in_british_grid(tmp_path):
    kept = build_places(tmp_path / "places.npz")
    places = Places.load(kept)
    table = places.table
    assert 5000 < len(table) < 7000  # England, Wales and Scotland's places of 500+ (no Northern Ireland)
    assert {"London", "Margate", "Cardiff", "Glasgow"} <= set(table["name"])
    assert "Belfast" not in set(table["name"])
    assert table["easting"].between(0, 700_000).all() and table["northing"].between(0, 1_300_000).all()
    # The same as the process's own copy, loaded from the cache folder.
    assert len(get_places().table) == len(table)
    assert list(places.largest(min_population=500_000)["name"][:2]) == ["London", "Birmingham"]


def test_nearest_place_and_distance():
    found = get_places().nearest([MARGATE_SEAFRONT[0], DARTMOOR[0], np.nan], [MARGATE_SEAFRONT[1], DARTMOOR[1], 0.0])
    assert found.loc[0, "name"] == "Margate" and found.loc[0, "distance_m"] < 1000
    assert found.loc[1, "distance_m"] > NEAR_M
    assert pd.isna(found.loc[2, "name"]) and np.isnan(found.loc[2, "distance_m"])


def test_sectors_most_episodes_first_each_at_least_a_quarter():
    postcodes = pd.Series(
        ["CT9 1AA"] * 6
        + ["ct91ab"] * 2
        + ["CT9 2AB"] * 3
        + ["CT9 3AA"]
        + ["", None, "junk"]
        + ["ME14 1AA"] * 4
        + ["TN23 1AA"]
    )
    ids = pd.Series([1] * 15 + [2] * 4 + [-1])
    got = hotspot_sectors(postcodes, ids)
    # Hotspot 1: CT9 1 has 8 of 12 postcoded episodes, CT9 2 has 3 (a quarter), CT9 3 one (left out).
    assert got.to_dict() == {1: "CT9 1, CT9 2", 2: "ME14 1"}  # the noise episode (-1) names nothing
    assert hotspot_sectors(pd.Series(["", None]), pd.Series([1, 1])).empty


def test_names_say_town_sector_and_authority():
    names = name_hotspots(
        [MARGATE_SEAFRONT[0], DARTMOOR[0], np.nan],
        [MARGATE_SEAFRONT[1], DARTMOOR[1], 1.0],
        sectors=["CT9 1, CT9 2", None, None],
    )
    assert names[0] == "Margate, CT9 1, CT9 2 (Kent)"
    # No postcodes: the nearest sector's centre; far from any place: "near".
    assert names[1] == "near Princetown, PL20 6 (Devon)"
    assert names[2] == ""
    assert len(name_hotspots([], [])) == 0


@pytest.mark.parametrize(
    ("spot", "label"),
    [
        ((3, "Margate, CT9 1 (Kent)"), "3. Margate, CT9 1 (Kent)"),
        ((3, ""), "Hotspot 3"),
        ((np.int64(12), None), "Hotspot 12"),
        ((pd.Series({"hotspot_id": 1, "name": "Maidstone, ME14 1 (Kent)"}), None), "1. Maidstone, ME14 1 (Kent)"),
    ],
)
def test_one_label_for_every_output(spot, label):
    assert hotspot_label(*spot) == label

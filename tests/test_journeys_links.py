"""Journeys from where children went missing to where found, corridors, and links between hotspots."""

import geopandas as gpd
import pandas as pd
import shapely

from analysis import hotspot_links as hl
from analysis.found import add_found_location
from analysis.journeys import TO_DISTRICT, TO_HOTSPOT, corridors, journeys


def _episodes(rows, index):
    base = {"CHILD": "A", "LA_CODE": "E10000016", "FROM_POST": "ME14 1NG", "FOUND_POST": "", "CSE": pd.NA}
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["CSE"] = frame["CSE"].astype("boolean")
    return add_found_location(frame, index=index)


# ---------------------------------------------------------------- links
def test_links_weighted_by_children_seen_at_both():
    eps = pd.DataFrame({"CHILD": ["A", "A", "A", "B", "B", "C", "C", "D"]})
    labels = [0, 0, 1, 0, 1, 1, 2, 2]
    links = hl.hotspot_links(eps, labels)
    assert links.values.tolist() == [[0, 1, 2, 3, 2], [1, 2, 1, 1, 1]]
    assert hl.links_of(links, 1).values.tolist() == [[0, 2], [2, 1]]
    assert hl.linked_children(eps, 0, 1, labels).values.tolist() == [["A", 2, 1], ["B", 1, 1]]
    assert hl.strongest_links(links, n=1)["children"].tolist() == [2]


def test_noise_is_no_hotspot_and_no_links_gives_empty_table():
    eps = pd.DataFrame({"CHILD": ["A", "A", "B"]})
    links = hl.hotspot_links(eps, [-1, 0, 0])
    assert links.empty and list(links.columns) == hl.LINK_COLUMNS


def test_panel_links_only_when_six_or_more_children():
    kids = [f"K{i}" for i in range(7)]
    eps = pd.DataFrame({"CHILD": kids * 2 + ["Z", "Z"]})
    labels = [0] * 7 + [1] * 7 + [1, 2]  # 7 children link 0-1; one child links 1-2
    shown = hl.disclosed_links(hl.hotspot_links(eps, labels))
    assert shown[["hotspot_a", "hotspot_b", "children"]].values.tolist() == [[0, 1, 7]]
    assert shown["episodes_a"].tolist() == ["7"]
    assert "CHILD" not in shown


# ---------------------------------------------------------------- journeys
def test_journeys_to_hotspot_or_district_with_flag_share(postcode_index):
    eps = _episodes(
        [
            {"CHILD": "A", "FOUND_POST": "CT1 1AA", "CSE": True},
            {"CHILD": "B", "FOUND_POST": "CT1 1AB", "CSE": False},
            {"CHILD": "B", "FOUND_POST": "CT1 1AB"},  # flag not recorded: not in the share's denominator
            {"CHILD": "C", "FOUND_POST": "ME4 4AA", "CSE": True},  # not in a hotspot: to Medway's district
            {"CHILD": "D", "FROM_POST": "", "FOUND_POST": "ME4 4AA"},  # no missing-from place: left out
        ],
        postcode_index,
    )
    spots = gpd.GeoDataFrame(
        {"hotspot_id": [0], "easting": [615900.0], "northing": [158400.0]},
        geometry=[shapely.Point(615900, 158400).buffer(300)],
        crs=27700,
    )
    out = journeys(eps, labels=[0, 0, 0, -1, -1], hotspots=spots, flag="CSE", index=postcode_index)
    assert out[
        ["from_sector", "to_kind", "to_id", "to_name", "episodes", "children", "flag_episodes", "flag_recorded"]
    ].values.tolist() == [
        ["ME14 1", TO_HOTSPOT, "0", "Hotspot 0", 3, 2, 1, 2],
        ["ME14 1", TO_DISTRICT, "E06000035", "Medway (E06000035)", 1, 1, 1, 1],
    ]
    assert out.loc[0, "flag_share"] == 0.5
    assert out.loc[0, ["to_easting", "to_northing"]].tolist() == [615900.0, 158400.0]
    assert out.loc[0, "median_miles"] == 25.1  # 25.0 to CT1 1AA, 25.1 (twice) to CT1 1AB
    assert 575_000 < out.loc[0, "from_easting"] < 577_000  # the ME14 1 sector's centroid, Maidstone
    assert out.attrs["left_out"] == 1


def test_corridors_between_authorities(postcode_index):
    eps = _episodes(
        [
            {"CHILD": "A", "FOUND_POST": "ME4 4AA"},
            {"CHILD": "A", "FOUND_POST": "ME4 4AA"},
            {"CHILD": "B", "FOUND_POST": "CF10 1AA"},
            {"CHILD": "C", "FOUND_POST": "CT1 1AA"},  # found at home: no corridor
            {"CHILD": "D", "LA_CODE": "E06000035", "FOUND_POST": "CT1 1AA"},
        ],
        postcode_index,
    )
    out = corridors(eps)
    assert out[["from_name", "to_code", "to_name", "episodes", "children"]].values.tolist() == [
        ["Kent", "E06000035", "Medway", 2, 1],
        ["Medway", "E10000016", "Kent", 1, 1],
        ["Kent", "WAL", "Wales", 1, 1],
    ]
    assert out.loc[0, "median_miles"] == 7.4

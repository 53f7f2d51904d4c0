"""Real ONS postcode look-ups: every resolution, every nation, and every way a postcode goes wrong."""

import numpy as np
import pandas as pd
import pytest

from geo import postcodes as pcm


def _one(index, value):
    return index.lookup([value]).iloc[0]


@pytest.mark.parametrize(
    "postcode, la_code, la_name, lad",
    [
        ("ME14 1NG", "E10000016", "Kent", "E07000110"),  # county with districts (Maidstone)
        ("TA1 1AA", "E06000066", "Somerset", "E06000066"),  # 2023 unitary
        ("CR0 1AA", "E09000008", "Croydon", "E09000008"),  # London borough
        ("CA1 1AA", "E06000063", "Cumberland", "E06000063"),
        ("LA9 4DL", "E06000064", "Westmorland and Furness", "E06000064"),
        ("HG1 1AA", "E06000065", "North Yorkshire", "E06000065"),
        ("S70 2AA", "E08000038", "Barnsley", "E08000038"),  # recoded in 2024/25
        ("S1 1AA", "E08000039", "Sheffield", "E08000039"),
    ],
)
def test_english_units_resolve_to_their_authority(postcode_index, postcode, la_code, la_name, lad):
    row = _one(postcode_index, postcode)
    assert row["resolution"] == "unit" and pd.isna(row["failure"])
    assert (row["la_code"], row["la_name"], row["lad_code"], row["country"]) == (la_code, la_name, lad, "England")
    assert 0 < row["easting"] < 700_000 and 0 < row["northing"] < 1_300_000
    assert 49 < row["lat"] < 56 and -6 < row["lon"] < 2


def test_croydon_grid_reference_matches_the_directory(postcode_index):
    row = _one(postcode_index, "CR0 1AA")
    assert (row["easting"], row["northing"]) == (532318.0, 164891.0)


@pytest.mark.parametrize("written", ["CR0 1AA", "cr0 1aa", "CR01AA", "  CR0   1AA ", "C R0 1AA"])
def test_spacing_and_case_do_not_matter(postcode_index, written):
    row = _one(postcode_index, written)
    assert row["postcode"] == "CR0 1AA" and row["resolution"] == "unit"


@pytest.mark.parametrize("written, display", [("B1  1AA", "B1 1AA"), ("ME141NG", "ME14 1NG"), ("SW1A1AA", "SW1A 1AA")])
def test_seven_character_forms(postcode_index, written, display):
    row = _one(postcode_index, written)
    assert row["postcode"] == display and row["resolution"] == "unit"


def test_sector_and_district_resolve_to_centroids(postcode_index):
    found = postcode_index.lookup(["CR0 1", "CR0", "CR0 1AA"])
    assert found["resolution"].tolist() == ["sector", "district", "unit"]
    assert found["postcode"].tolist() == ["CR0 1", "CR0", "CR0 1AA"]
    assert (found["la_code"] == "E09000008").all()
    # The sector centroid is near, but not on, one of its units.
    gap = np.hypot(
        found.loc[0, "easting"] - found.loc[2, "easting"], found.loc[0, "northing"] - found.loc[2, "northing"]
    )
    assert 0 < gap < 3000


def test_other_nations(postcode_index):
    found = postcode_index.lookup(["CF10 1AA", "EH1 1AA", "BT1 1AA"]).set_index("postcode")
    assert found.loc["CF10 1AA", "la_code"] == "WAL" and found.loc["CF10 1AA", "country"] == "Wales"
    assert found.loc["EH1 1AA", "la_code"] == "SCO" and np.isfinite(found.loc["EH1 1AA", "easting"])
    ni = found.loc["BT1 1AA"]
    assert ni["la_code"] == "NIR" and ni["failure"] == pcm.FAILURE_NORTHERN_IRELAND
    # Irish grid figures never leak into British grid columns; WGS84 is kept for drawing.
    assert np.isnan(ni["easting"]) and np.isnan(ni["northing"]) and 54 < ni["lat"] < 55


@pytest.mark.parametrize(
    "postcode, country", [("JE2 3AB", "Channel Islands"), ("GY1 1AA", "Channel Islands"), ("IM1 1AA", "Isle of Man")]
)
def test_crown_dependencies_have_no_coordinates(postcode_index, postcode, country):
    row = _one(postcode_index, postcode)
    assert row["failure"] == pcm.FAILURE_NO_COORDINATES and row["country"] == country
    assert np.isnan(row["easting"])


@pytest.mark.parametrize(
    "value, failure",
    [
        ("", pcm.FAILURE_BLANK),
        ("   ", pcm.FAILURE_BLANK),
        (None, pcm.FAILURE_BLANK),
        (np.nan, pcm.FAILURE_BLANK),
        ("junk", pcm.FAILURE_NOT_A_POSTCODE),
        ("CR0 1AAA", pcm.FAILURE_NOT_A_POSTCODE),
        ("12345", pcm.FAILURE_NOT_A_POSTCODE),
        ("ZZ9 9ZZ", pcm.FAILURE_NOT_FOUND),
        ("ÇR0 1AA", pcm.FAILURE_NOT_A_POSTCODE),
    ],
)
def test_failures_say_why(postcode_index, value, failure):
    row = postcode_index.lookup(pd.Series([value], dtype=object)).iloc[0]
    assert row["failure"] == failure
    assert pd.isna(row["resolution"]) and np.isnan(row["easting"]) and pd.isna(row["la_code"])


def test_output_aligned_with_input_index_and_repeats(postcode_index):
    series = pd.Series(["CR0 1AA", "junk", "CR0 1AA", None], index=[10, 20, 30, 40])
    found = postcode_index.lookup(series)
    assert found.index.tolist() == [10, 20, 30, 40]
    assert list(found.columns) == [
        "postcode",
        "resolution",
        "failure",
        "easting",
        "northing",
        "lat",
        "lon",
        "lad_code",
        "la_code",
        "la_name",
        "country",
    ]
    assert found["postcode"].tolist()[0] == found["postcode"].tolist()[2] == "CR0 1AA"
    assert found["failure"].tolist()[1] == pcm.FAILURE_NOT_A_POSTCODE


def test_fast_path_agrees_with_reference_rules(postcode_index):
    """The byte-level path for unit postcodes gives exactly what the reference rules give."""
    rng = np.random.default_rng(7)
    codes = np.asarray(postcode_index._tables["unit"].code)
    sample = pcm._display_unit(pd.Series(pcm._decode(codes[rng.choice(len(codes), 3000, replace=False)]), dtype=object))
    odd = [
        "cr0 1aa",
        "CR01AA",
        " B1  1AA ",
        "CR0\t1AA",
        "CR0 1",
        "CR01",
        "B11",
        "CR0",
        "ZZ9 9ZZ",
        "BT1 1AA",
        "JE2 3AB",
        "",
        "junk",
    ]
    values = pd.Series(list(sample) + odd, dtype=object)
    fast = postcode_index.lookup(values)
    reference = postcode_index._lookup_unique(values)
    pd.testing.assert_frame_equal(fast.reset_index(drop=True), reference, check_dtype=False)


def test_sector_of_never_finer_than_a_sector():
    out = pcm.sector_of(pd.Series(["CR0 1AA", "cr01aa", "CR0 1", "CR0", "junk", None], dtype=object))
    assert out.tolist() == ["CR0 1", "CR0 1", "CR0 1", "", "", ""]


def test_empty_lookup(postcode_index):
    found = postcode_index.lookup([])
    assert len(found) == 0 and "la_code" in found.columns

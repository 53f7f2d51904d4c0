"""The MASE pack's sections on where children are found, on the committed Kent demo."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from analysis.disclosure import SMALL_NUMBER_MAX, child_data_columns, is_safe
from reports.briefing import build_briefing

PERIOD = (date(2025, 4, 1), date(2026, 3, 31))
NOTE = "Arcade on the front: older males seen <b>here</b>"


@pytest.fixture(scope="module")
def demo(postcode_index):
    from data.readers import read_folder
    from ui import dataset_choice

    return read_folder(dataset_choice.DEMO_DIR, la=dataset_choice.DEMO_LA)


@pytest.fixture(scope="module")
def marked_place():
    """A place of concern at Margate's planted hotspot (data/demo_data/ground_truth.csv)."""
    truth = pd.read_csv("data/demo_data/ground_truth.csv")
    margate = truth.iloc[0]
    return pd.DataFrame(
        {
            "easting": [float(margate.easting)],
            "northing": [float(margate.northing)],
            "note": [NOTE],
            "label": ["CT9 1AA"],
        }
    )


@pytest.fixture(scope="module")
def pack(demo, marked_place, postcode_index):
    return build_briefing(demo, la="Kent", period=PERIOD, audience="mase", index=postcode_index, places=marked_place)


def _table(pack, title) -> pd.DataFrame:
    return next(b for b in pack.tables() if b.title == title).frame


def test_figures_match_the_analysis_of_the_same_episodes(pack, demo, postcode_index):
    from analysis.found import found_figures
    from analysis.missing import missing_episodes

    eps = missing_episodes(demo, la="E10000016", index=postcode_index)
    when = pd.to_datetime(eps["MIS_START"])
    eps = eps[(when >= pd.Timestamp(PERIOD[0])) & (when < pd.Timestamp(PERIOD[1]) + pd.Timedelta(days=1))]
    expected = found_figures(eps).iloc[0]
    row = _table(pack, "How far, and in which authority, children were found").iloc[0]
    assert row["Which episodes"] == "all episodes"
    assert row["Episodes"] == str(expected["episodes"])
    assert row["% over 20 miles (of distance known)"] == f"{expected['pct_over_20_miles']:.1f}"
    assert row["% in another authority (of authority known)"] == f"{expected['pct_in_another_authority']:.1f}"
    assert row["Median miles (of distance known)"] == f"{expected['median_miles']:.1f}"
    where = _table(pack, "Authorities where our children were found")
    assert where.iloc[0]["Found in"] == "Kent" and where.iloc[-1]["Found in"] == "All places known"


def test_every_table_is_disclosure_controlled(pack):
    for title in (
        "How far, and in which authority, children were found",
        "Authorities where our children were found",
        "Main journeys: from where children went missing to where they were found",
        "Links between hotspots",
    ):
        block = next(b for b in pack.tables() if b.title == title)
        assert is_safe(block.frame, block.count_columns), title
        assert not child_data_columns(block.frame.columns), title
    links = _table(pack, "Links between hotspots")
    assert (links["Children seen at both"].astype(int) > SMALL_NUMBER_MAX).all()
    journeys = _table(pack, "Main journeys: from where children went missing to where they were found")
    assert (journeys["Children"].astype(int) > SMALL_NUMBER_MAX).all()
    # Sectors at most: no unit postcode in a journey.
    assert not journeys["Missing from (sector)"].str.match(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$").any()


def test_links_use_the_packs_hotspot_numbers(pack):
    profiles = _table(pack, "Hotspot profiles")
    links = _table(pack, "Links between hotspots")
    shown = set(profiles["Hotspot"])
    assert set(links["Hotspot"]) <= shown and set(links["Linked hotspot"]) <= shown


def test_place_of_concern_is_a_flag_and_its_note_never_leaves(pack):
    profiles = _table(pack, "Hotspot profiles")
    assert (profiles["Place of concern"] == "yes").sum() == 1
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", pack.html)
    assert "older males" not in text and "Arcade" not in text

"""Placement distance and location on real postcodes, snapshots, headline figures, breakdowns, costs."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import placements as pl
from data import schemas
from geo import authorities


def _episodes(rows):
    base = {
        "CHILD": "",
        "DECOM": "01/01/2024",
        "DEC": "",
        "LS": "C2",
        "PLACE": "U4",
        "PLACE_PROVIDER": "PR1",
        "HOME_POST": "ME14 1NG",
        "PL_POST": "ME14 1NG",
        "URN": "",
    }
    frame = pd.DataFrame([{**base, **r} for r in rows])
    if not (frame["CHILD"] != "").all():
        frame["CHILD"] = [f"C{i}" for i in range(len(frame))]
    return frame


@pytest.fixture(scope="module")
def kent(postcode_index):
    rows = [
        {"PL_POST": "TA1 1AA"},  # 0 Somerset, far
        {"HOME_POST": "ME141NG", "PL_POST": "CT1 1AA", "PLACE": "K2", "PLACE_PROVIDER": "PR4"},  # 1 Kent, 25 miles
        {"PL_POST": "ME4 4AA"},  # 2 Medway: out, adjoining
        {"PL_POST": "CF10 1AA"},  # 3 Wales
        {"PL_POST": "EH1 1AA"},  # 4 Scotland
        {"PL_POST": "BT1 1AA"},  # 5 Northern Ireland
        {"PL_POST": "JE2 3AB"},  # 6 Jersey
        {"HOME_POST": "", "PL_POST": "TN1 1AA"},  # 7 home blank
        {"HOME_POST": "", "PL_POST": "TN1 1AA", "UASC": "1"},  # 8 UASC
        {"HOME_POST": "zz", "PL_POST": "ZZ9 9ZZ"},  # 9 junk + not found
        {"LS": "V3", "HOME_POST": "", "PL_POST": ""},  # 10 short break
        {"HOME_POST": "CR0 1AA", "PL_POST": "CR0 1"},  # 11 sector centroid
        {"HOME_POST": "ME14 1NG", "PL_POST": "CR0"},  # 12 district centroid
        {"PL_POST": "ME14 1NG", "PLACE": "P1", "PLACE_PROVIDER": "PR0"},  # 13 same postcode
        {"PLACE": "K1", "PLACE_PROVIDER": "PR2", "PL_POST": "HG1 1AA"},  # 14 North Yorkshire secure
        {"PL_POST": "", "PLACE": "Q9", "PLACE_PROVIDER": ""},  # 15 unknown place code, blank postcode
    ]
    episodes = _episodes(rows)
    return episodes, pl.add_placement_location(episodes, "Kent", index=postcode_index)


def test_every_row_kept_in_order_with_all_columns(kent):
    episodes, out = kent
    assert len(out) == len(episodes)
    assert out["CHILD"].tolist() == episodes["CHILD"].tolist()
    assert list(out.columns) == list(episodes.columns) + pl.LOCATION_COLUMNS
    assert "PL_DISTANCE" not in episodes.columns  # the input is not changed


def test_distances_by_hand(kent):
    _, out = kent
    # ME14 1NG (575801, 155746) -> TA1 1AA (322271, 125483): 255,329.8 m / 1609.3 = 158.66
    assert out.loc[0, "PL_DISTANCE"] == 158.7
    # ME14 1NG -> CT1 1AA (615886, 158470): 40,177.4 m = 24.97 miles
    assert out.loc[1, "PL_DISTANCE"] == 25.0
    assert out.loc[13, "PL_DISTANCE"] == 0.0
    assert out.loc[0, "DISTANCE_BAND"] == "over 100" and out.loc[1, "DISTANCE_BAND"] == "20-50"
    assert out.loc[13, "DISTANCE_BAND"] == "0-5"


def test_location_columns(kent):
    _, out = kent
    row = out.set_index(out.index)
    assert row.loc[0, ["PL_LA", "PL_LA_NAME", "PL_LOCATION", "PL_ADJOINING", "AT_A_DISTANCE"]].tolist() == [
        "E06000066",
        "Somerset",
        "OUT",
        "N",
        "Y",
    ]
    assert row.loc[1, ["PL_LA", "PL_LOCATION", "PL_ADJOINING", "AT_A_DISTANCE"]].tolist() == [
        "E10000016",
        "IN",
        "",
        "N",
    ]
    assert row.loc[2, ["PL_LA_NAME", "PL_LOCATION", "PL_ADJOINING", "AT_A_DISTANCE"]].tolist() == [
        "Medway",
        "OUT",
        "Y",
        "N",
    ]
    assert row.loc[14, ["PL_LA", "PL_LA_NAME", "PL_LOCATION"]].tolist() == ["E06000065", "North Yorkshire", "OUT"]
    assert row.loc[1, "PL_DISTRICT"] == "E07000106"  # Canterbury
    assert row.loc[1, "PL_EASTING"] == 615886 and 51 < row.loc[1, "PL_LAT"] < 52


def test_other_nations_are_out_and_at_a_distance(kent):
    _, out = kent
    for i, code, name in [
        (3, "WAL", "Wales"),
        (4, "SCO", "Scotland"),
        (5, "NIR", "Northern Ireland"),
        (6, "", "Channel Islands"),
    ]:
        assert out.loc[i, ["PL_LA", "PL_LA_NAME", "PL_LOCATION", "PL_ADJOINING", "AT_A_DISTANCE"]].tolist() == [
            code,
            name,
            "OUT",
            "N",
            "Y",
        ], i
    assert np.isfinite(out.loc[3, "PL_DISTANCE"]) and np.isfinite(out.loc[4, "PL_DISTANCE"])
    assert np.isnan(out.loc[5, "PL_DISTANCE"]) and "Northern Ireland" in out.loc[5, "DISTANCE_NOTE"]
    assert np.isnan(out.loc[6, "PL_DISTANCE"]) and "Channel Islands" in out.loc[6, "DISTANCE_NOTE"]


def test_notes_explain_every_unmeasured_distance(kent):
    _, out = kent
    assert out.loc[7, "DISTANCE_NOTE"] == "home postcode blank"
    assert out.loc[8, "DISTANCE_NOTE"] == pl.NOTE_UASC
    assert out.loc[9, "DISTANCE_NOTE"] == (
        "home postcode is not a postcode; placement postcode not found in the ONS Postcode Directory"
    )
    assert out.loc[10, "DISTANCE_NOTE"] == pl.NOTE_SHORT_BREAK and out.loc[10, "PL_LA"] == ""
    assert out.loc[11, "DISTANCE_NOTE"] == "placement measured from its postcode sector centroid"
    assert out.loc[12, "DISTANCE_NOTE"] == "placement measured from its postcode district centroid"
    assert np.isfinite(out.loc[11, "PL_DISTANCE"]) and np.isfinite(out.loc[12, "PL_DISTANCE"])
    unmeasured = out["PL_DISTANCE"].isna()
    assert (out.loc[unmeasured, "DISTANCE_NOTE"] != "").all()
    assert (out.loc[unmeasured, "DISTANCE_BAND"] == "unknown").all()
    assert out.loc[0, "DISTANCE_NOTE"] == ""


def test_unknown_placement_location_is_blank(kent):
    _, out = kent
    for i in (9, 15):
        assert out.loc[i, ["PL_LA", "PL_LOCATION", "PL_ADJOINING", "AT_A_DISTANCE"]].tolist() == ["", "", "", ""]


def test_home_kept_no_finer_than_sector_and_groups(kent):
    _, out = kent
    assert out.loc[0, "HOME_SECTOR"] == "ME14 1" and out.loc[11, "HOME_SECTOR"] == "CR0 1"
    assert out.loc[7, "HOME_SECTOR"] == ""
    assert out.loc[1, "PLACEMENT_GROUP"] == schemas.GROUP_RESIDENTIAL and out.loc[1, "PROVIDER_GROUP"] == "Private"
    assert out.loc[15, "PLACEMENT_GROUP"] == pl.NOT_RECORDED and out.loc[15, "PROVIDER_GROUP"] == pl.NOT_RECORDED


def test_same_results_for_gss_dfe_code_and_name(postcode_index, kent):
    episodes, out = kent
    for la in ("E10000016", "886", authorities.resolve_authority("kent")):
        again = pl.add_placement_location(episodes, la, index=postcode_index)
        pd.testing.assert_frame_equal(again, out)


def test_unknown_authority_raises(postcode_index, kent):
    episodes, _ = kent
    with pytest.raises(authorities.UnknownAuthorityError):
        pl.add_placement_location(episodes, "Narnia", index=postcode_index)


def test_pooled_file_uses_each_rows_authority(postcode_index):
    episodes = _episodes(
        [
            {"HOME_POST": "CR0 1AA", "PL_POST": "CR0 2AA", "LA": "Croydon"},
            {"HOME_POST": "CR0 1AA", "PL_POST": "CR0 2AA", "LA": "Kent"},
            {"HOME_POST": "CR0 1AA", "PL_POST": "CR0 2AA", "LA": "Atlantis"},
        ]
    )
    out = pl.add_placement_location(episodes, index=postcode_index)
    assert out["PL_LOCATION"].tolist() == ["IN", "OUT", ""]
    assert out.loc[2, "DISTANCE_NOTE"].endswith(pl.NOTE_NO_RESPONSIBLE)
    with pytest.raises(ValueError, match="LA_CODE"):
        pl.add_placement_location(episodes.drop(columns="LA"), index=postcode_index)


def test_distance_bands_edges():
    bands = pl.distance_bands([0, 4.9, 5, 20, 99.9, 100, 350, np.nan])
    assert bands.tolist() == ["0-5", "0-5", "5-10", "20-50", "50-100", "over 100", "over 100", "unknown"]


# ---------------------------------------------------------------- snapshots and figures
def _history(postcode_index):
    rows = [
        {"CHILD": "A", "DECOM": "01/04/2023", "DEC": "01/01/2024", "PL_POST": "ME14 1NG"},
        {"CHILD": "A", "DECOM": "01/01/2024", "DEC": "", "PL_POST": "TA1 1AA"},  # later episode wins
        {"CHILD": "B", "DECOM": "2023-06-01", "DEC": "2024-02-15", "PL_POST": "CT1 1AA", "PLACE": "K2"},
        {"CHILD": "C", "DECOM": "01/05/2023", "DEC": "", "PL_POST": "", "LS": "V3", "HOME_POST": ""},  # short break
        {"CHILD": "D", "DECOM": "01/02/2024", "DEC": "", "PL_POST": "", "PLACE": "K1"},  # distance unknown
        {"CHILD": "E", "DECOM": "01/07/2023", "DEC": "", "PL_POST": "ME4 4AA", "PLACE": "U1"},
    ]
    return pl.add_placement_location(_episodes(rows), "Kent", index=postcode_index)


def test_placements_on_a_date(postcode_index):
    history = _history(postcode_index)
    snap = pl.placements_on(history, "2024-01-31")
    assert snap["CHILD"].tolist() == ["A", "B", "E"]
    assert snap.loc[snap["CHILD"] == "A", "PL_POST"].item() == "TA1 1AA"
    # The day an episode ends it no longer counts; the day it starts it does.
    assert "B" not in pl.placements_on(history, "2024-02-15")["CHILD"].tolist()
    assert "D" in pl.placements_on(history, "2024-02-01")["CHILD"].tolist()
    assert pl.placements_on(history, "2023-01-01").empty


def test_headline_figures_keep_unknowns_in_the_denominator(postcode_index):
    snap = pl.placements_on(_history(postcode_index), "2024-03-31")  # A (Somerset), D (unknown), E (Medway)
    head = pl.headline_figures(snap).set_index("measure")
    assert list(head.reset_index().columns) == ["measure", "count", "denominator", "percent", "value", "definition"]
    assert head.loc["children looked after", "count"] == 3
    assert (head["denominator"] == 3).all()
    assert head.loc["placed over 20 miles from home", "count"] == 1
    assert head.loc["placed over 20 miles from home", "percent"] == 33.3
    assert head.loc["placed outside the authority", "count"] == 2  # D's location is unknown
    assert head.loc["placed at a distance", "count"] == 1  # Medway adjoins Kent
    assert head.loc["distance unknown", "count"] == 1
    assert head.loc["placement location unknown", "count"] == 1
    assert head.loc["median miles from home", "count"] == 2
    assert head.loc["median miles from home", "value"] == pytest.approx(np.median(snap["PL_DISTANCE"].dropna()))
    assert "of all 3 children" in head.loc["placed over 20 miles from home", "definition"]


def test_headline_figures_of_nobody():
    empty = pd.DataFrame(columns=["PL_DISTANCE", "PL_LOCATION", "AT_A_DISTANCE"])
    head = pl.headline_figures(empty)
    assert (head["count"] == 0).all() and head["percent"].isna().all()


def test_summaries_by_group_provider_and_receiving_authority(postcode_index):
    snap = pl.placements_on(_history(postcode_index), "2024-01-31")
    by_group = pl.summarise_placements(snap)
    assert by_group.iloc[-1]["PLACEMENT_GROUP"] == "All" and by_group.iloc[-1]["children"] == 3
    assert by_group.iloc[:-1]["children"].sum() == 3
    residential = by_group.set_index("PLACEMENT_GROUP").loc[schemas.GROUP_RESIDENTIAL]
    assert (
        residential["children"] == 1
        and residential["over_20_miles"] == 1
        and residential["percent_over_20_miles"] == 100.0
    )
    by_la = pl.summarise_placements(snap, by="PL_LA_NAME").set_index("PL_LA_NAME")
    assert set(by_la.index) == {"Somerset", "Kent", "Medway", "All"}
    assert by_la.loc["Kent", "percent_outside"] == 0.0 and by_la.loc["Somerset", "percent_outside"] == 100.0
    by_provider = pl.summarise_placements(snap, by="PROVIDER_GROUP")
    assert by_provider.iloc[0]["PROVIDER_GROUP"] == "Own provision"


def test_monthly_trend(postcode_index):
    trend = pl.monthly_trend(_history(postcode_index), "2023-12-01", "2024-03-31")
    assert trend["date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-12-31", "2024-01-31", "2024-02-29", "2024-03-31"]
    assert trend["children"].tolist() == [3, 3, 3, 3]  # D starts in February as B leaves
    assert trend.loc[3, "percent_distance_unknown"] == 33.3
    with pytest.raises(ValueError, match="add_placement_location"):
        pl.monthly_trend(_episodes([{}]), "2024-01-01", "2024-02-01")


def test_monthly_trend_is_the_headline_figures_of_each_month_end(postcode_index):
    from data.readers import read_folder

    demo = read_folder(Path(__file__).resolve().parents[1] / "data" / "demo_data", la="Kent")
    episodes = pl.add_placement_location(demo.episodes, demo.la_code, index=postcode_index)
    trend = pl.monthly_trend(episodes, "2024-04-01", "2026-03-31")
    assert len(trend) == 24 and trend["children"].min() > 1000
    for row in trend.itertuples(index=False):
        head = pl.headline_figures(pl.placements_on(episodes, row.date)).set_index("measure")
        assert row.children == head.loc["children looked after", "count"]
        assert row.percent_over_20_miles == head.loc["placed over 20 miles from home", "percent"]
        assert row.percent_outside == head.loc["placed outside the authority", "percent"]
        assert row.percent_outside_over_20_miles == head.loc["outside the authority and over 20 miles", "percent"]
        assert row.percent_at_a_distance == head.loc["placed at a distance", "percent"]
        assert row.median_miles == pytest.approx(head.loc["median miles from home", "value"])
        assert row.percent_distance_unknown == head.loc["distance unknown", "percent"]
    # A filter counts the children whose episode that day is of the group, as the snapshot filter does.
    foster = (episodes["PLACEMENT_GROUP"] == schemas.GROUP_FOSTER_OTHER).to_numpy()
    filtered = pl.monthly_trend(episodes, "2025-04-01", "2026-03-31", keep=foster)
    for row in filtered.itertuples(index=False):
        snap = pl.placements_on(episodes, row.date)
        head = pl.headline_figures(snap[snap["PLACEMENT_GROUP"] == schemas.GROUP_FOSTER_OTHER]).set_index("measure")
        assert 0 < row.children == head.loc["children looked after", "count"]
        assert row.percent_outside == head.loc["placed outside the authority", "percent"]


def test_costs_show_secure_care_separately(postcode_index):
    snap = pl.placements_on(_history(postcode_index), "2024-03-31")  # A foster, D secure (K1), E relative foster
    costs = pl.placement_costs(snap).set_index("PLACEMENT_GROUP")
    assert costs.loc[pl.GROUP_SECURE, "children"] == 1
    assert costs.loc[schemas.GROUP_RESIDENTIAL, "children"] == 0
    secure_weekly = pl.ILLUSTRATIVE_WEEKLY_COSTS.set_index("PLACEMENT_GROUP").loc[pl.GROUP_SECURE, "WEEKLY_COST"]
    assert costs.loc[pl.GROUP_SECURE, "weekly_cost"] == secure_weekly
    assert costs.loc[pl.GROUP_SECURE, "percent_of_children"] == 33.3
    assert costs.loc[pl.GROUP_SECURE, "percent_of_cost"] > 80
    assert costs.loc["All", "children"] == 3
    assert costs.loc["All", "annual_cost"] == pytest.approx(costs.loc["All", "weekly_cost"] * 365.25 / 7, abs=1)
    own = pd.DataFrame({"PLACEMENT_GROUP": [schemas.GROUP_FOSTER_OTHER], "WEEKLY_COST": ["700"]})
    mine = pl.placement_costs(snap, own).set_index("PLACEMENT_GROUP")
    assert mine.loc[schemas.GROUP_FOSTER_OTHER, "weekly_cost"] == 700
    assert np.isnan(mine.loc[pl.GROUP_SECURE, "WEEKLY_COST"])  # no price given: shown, not dropped
    with pytest.raises(ValueError, match="WEEKLY_COST"):
        pl.placement_costs(snap, pd.DataFrame({"PLACEMENT_GROUP": []}))


def test_filtered_frames_and_empty_input(postcode_index):
    episodes = _episodes([{"CHILD": "x", "PL_POST": ""}, {"CHILD": "y", "HOME_POST": "", "PL_POST": "CT1 1AA"}])
    episodes.index = [7, 3]  # a filtered frame: labels out of order
    out = pl.add_placement_location(episodes, "Kent", index=postcode_index)
    assert out.index.tolist() == [7, 3]
    assert out["DISTANCE_NOTE"].tolist() == ["placement postcode blank", "home postcode blank"]
    assert out["PL_LA"].tolist() == ["", "E10000016"]
    assert pl.placements_on(out, "2024-06-01")["CHILD"].tolist() == ["x", "y"]  # file order kept
    empty = pl.add_placement_location(episodes.iloc[:0], "Kent", index=postcode_index)
    assert len(empty) == 0 and list(empty.columns)[-len(pl.LOCATION_COLUMNS) :] == pl.LOCATION_COLUMNS
    assert pl.headline_figures(pl.placements_on(empty, "2024-06-01"))["count"].sum() == 0

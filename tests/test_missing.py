"""Missing episodes: joining the 903 and the log, durations, repeats, return home interviews."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.missing import (
    DURATION_BANDS,
    RHI_WITHIN_HOURS,
    SOURCE_903,
    SOURCE_BOTH,
    SOURCE_LOG,
    missing_by,
    missing_episodes,
    return_interviews,
    summarise_missing,
)

T = pd.Timestamp


@pytest.fixture(scope="module")
def kent_postcodes(postcode_index):
    units = postcode_index.units_in("E10000016")
    return units.sort_values("postcode").reset_index(drop=True)


def _log(rows):
    frame = pd.DataFrame(rows)
    for col in ("MIS_START", "MIS_END", "RHI_OFFERED", "RHI_DONE"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col])
    return frame


def test_join_keeps_903_only_and_log_only_rows_and_log_wins(postcode_index):
    m903 = pd.DataFrame(
        {
            "CHILD": ["1", "1", "2"],
            "DOB": pd.to_datetime(["2010-05-01"] * 2 + ["2008-01-01"]),
            "MISSING": ["M", "A", "M"],
            "MIS_START": pd.to_datetime(["2024-03-01", "2024-04-10", "2024-06-01"]),
            "MIS_END": pd.to_datetime(["2024-03-02", "2024-04-11", "2024-06-03"]),
        }
    )
    log = _log(
        [
            {"CHILD": "1", "MISSING": "M", "MIS_START": "2024-03-01 21:30", "MIS_END": "2024-03-02 09:15", "CSE": True},
            {
                "CHILD": "3",
                "MISSING": "A",
                "MIS_START": "2024-07-05 23:00",
                "MIS_END": "2024-07-06 01:00",
                "CSE": False,
            },
        ]
    )
    eps = missing_episodes(missing=m903, missing_log=log, index=postcode_index)
    assert len(eps) == 4
    by_key = eps.set_index(["CHILD", eps["MIS_START"].dt.strftime("%Y-%m-%d")])
    assert by_key.loc[("1", "2024-03-01"), "SOURCE"] == SOURCE_BOTH
    assert by_key.loc[("1", "2024-04-10"), "SOURCE"] == SOURCE_903
    assert by_key.loc[("2", "2024-06-01"), "SOURCE"] == SOURCE_903
    assert by_key.loc[("3", "2024-07-05"), "SOURCE"] == SOURCE_LOG
    both = by_key.loc[("1", "2024-03-01")]
    # The log's times win over the 903's dates.
    assert both["MIS_END"] == T("2024-03-02 09:15")
    assert both["DURATION_HOURS"] == pytest.approx(11.75)
    assert both["START_HOUR"] == 21
    assert bool(both["CSE"]) is True
    # The 903 has dates only: no hour of day is invented for 903-only rows.
    assert pd.isna(by_key.loc[("1", "2024-04-10"), "START_HOUR"])
    assert by_key.loc[("1", "2024-04-10"), "START_WEEKDAY"] == "Wednesday"
    # Age from the Missing table's DOB.
    assert both["AGE"] == 13 and bool(both["UNDER_16"])
    assert by_key.loc[("2", "2024-06-01"), "AGE"] == 16
    assert not bool(by_key.loc[("2", "2024-06-01"), "UNDER_16"])


def test_duration_bands_and_ongoing():
    starts = pd.to_datetime(["2024-01-01 10:00"] * 6)
    ends = pd.to_datetime(
        ["2024-01-01 15:00", "2024-01-02 10:00", "2024-01-03 09:00", "2024-01-05 10:00", "2024-01-12 10:00", None]
    )
    log = pd.DataFrame({"CHILD": list("abcdef"), "MISSING": "M", "MIS_START": starts, "MIS_END": ends})
    eps = missing_episodes(missing_log=log).set_index("CHILD")
    assert list(eps.loc[list("abcdef"), "DURATION_BAND"]) == [
        "under 24 hours",
        "1-2 days",
        "1-2 days",
        "2-7 days",
        "over a week",
        "ongoing",
    ]
    assert eps.loc["b", "DURATION_HOURS"] == 24  # a band includes its lower edge
    summary = summarise_missing(eps.reset_index(), children_looked_after=60).set_index("measure")
    assert summary.loc["duration: 1-2 days", "value"] == 2
    assert summary.loc["duration: ongoing", "value"] == 1
    assert summary.loc["% of children looked after with an episode", "value"] == 10.0
    assert list(DURATION_BANDS) == [m.removeprefix("duration: ") for m in summary.index if m.startswith("duration")]


def test_repeat_children_and_kinds():
    rows = []
    for child, n, code in (("x", 3, "M"), ("y", 2, "M"), ("z", 4, "A")):
        for i in range(n):
            rows.append(
                {
                    "CHILD": child,
                    "MISSING": code,
                    "MIS_START": T("2024-02-01") + pd.Timedelta(days=10 * i),
                    "MIS_END": T("2024-02-02") + pd.Timedelta(days=10 * i),
                }
            )
    eps = missing_episodes(missing_log=pd.DataFrame(rows))
    combined = summarise_missing(eps, children_looked_after=None).set_index("measure")
    assert combined.loc["episodes", "value"] == 9
    assert combined.loc["children with an episode", "value"] == 3
    assert combined.loc["children with 3+ episodes", "value"] == 2
    assert combined.loc["missing episodes", "value"] == 5
    assert combined.loc["away episodes", "value"] == 4
    assert np.isnan(combined.loc["% of children looked after with an episode", "value"])
    missing_only = summarise_missing(eps, kind="missing").set_index("measure")
    assert missing_only.loc["episodes", "value"] == 5
    assert missing_only.loc["children with 3+ episodes", "value"] == 1
    with pytest.raises(ValueError):
        summarise_missing(eps, kind="both")


def test_return_interviews_within_72_hours_split_by_area():
    end = T("2024-05-01 12:00")
    limit = pd.Timedelta(hours=RHI_WITHIN_HOURS)
    log = pd.DataFrame(
        {
            "CHILD": ["a", "b", "c", "d", "e"],
            "MISSING": "M",
            "MIS_START": [end - pd.Timedelta(hours=5)] * 5,
            "MIS_END": [end, end, end, end, pd.NaT],
            "RHI_OFFERED": [
                end + limit - pd.Timedelta(hours=1),
                end + limit + pd.Timedelta(hours=1),
                pd.NaT,
                end + pd.Timedelta(hours=2),
                pd.NaT,
            ],
            "RHI_DONE": [end + pd.Timedelta(hours=50), pd.NaT, pd.NaT, end + pd.Timedelta(hours=100), pd.NaT],
            "RHI_ACCEPTED": pd.array([True, False, pd.NA, True, pd.NA], dtype="boolean"),
            "PL_LOCATION": ["IN", "IN", "OUT", "OUT", "IN"],
        }
    )
    eps = missing_episodes(missing_log=log)
    rhi = return_interviews(eps).set_index("group")
    assert rhi.loc["all", "returned"] == 4  # the ongoing episode has not returned
    assert rhi.loc["all", "offered"] == 3
    assert rhi.loc["all", "offered_within"] == 2
    assert rhi.loc["all", "offered_within_pct"] == 50.0
    assert rhi.loc["all", "completed"] == 2
    assert rhi.loc["all", "completed_within"] == 1
    assert rhi.loc["all", "accepted"] == 2 and rhi.loc["all", "accepted_recorded"] == 3
    assert rhi.loc["placed in the authority", "returned"] == 2
    assert rhi.loc["placed in the authority", "offered_within"] == 1
    assert rhi.loc["placed out of the authority", "offered_within"] == 1
    assert rhi.loc["placed out of the authority", "accepted_pct"] == 100.0


def test_placement_at_start_and_locations(postcode_index, kent_postcodes):
    home_a, home_b, from_pc, found_pc = kent_postcodes["postcode"].iloc[[10, 5000, 20000, 30000]]
    episodes = pd.DataFrame(
        {
            "CHILD": ["7", "7"],
            "DECOM": pd.to_datetime(["2023-01-01", "2024-03-01"]),
            "DEC": pd.to_datetime(["2024-03-01", None]),
            "PLACE": ["U4", "K2"],
            "PL_POST": [home_a, home_b],
            "PL_LOCATION": ["IN", "OUT"],
            "PL_DISTANCE": [3.2, 999.9],
            "PL_LA": ["E10000016", "E06000035"],
            "URN": ["XXXXXXX", "SC123456"],
        }
    )
    header = pd.DataFrame({"CHILD": ["7"], "DOB": pd.to_datetime(["2009-03-02"])})
    found = kent_postcodes.iloc[30000]
    log = pd.DataFrame(
        {
            "CHILD": ["7", "7", "7"],
            "MISSING": ["M", "M", "A"],
            "MIS_START": pd.to_datetime(["2024-02-10 20:00", "2024-03-01 22:00", "2024-04-01 18:00"]),
            "MIS_END": pd.to_datetime(["2024-02-11 08:00", "2024-03-02 02:00", "2024-04-01 23:00"]),
            "FROM_POST": [None, from_pc, ""],
            "FOUND_POST": [found_pc, None, None],
            "FOUND_LAT": [np.nan, np.nan, found["lat"]],
            "FOUND_LON": [np.nan, np.nan, found["lon"]],
        }
    )
    eps = missing_episodes(missing_log=log, episodes=episodes, header=header, index=postcode_index)
    assert list(eps["PLACE"]) == ["U4", "K2", "K2"]  # the episode starting on the day is the open one
    assert list(eps["PLACEMENT_GROUP"]) == [
        "Other foster care",
        "Children's homes and secure",
        "Children's homes and secure",
    ]
    assert eps["PL_DISTANCE"].iloc[0] == 3.2 and np.isnan(eps["PL_DISTANCE"].iloc[1])  # 999.9 is "unknown"
    assert list(eps["AGE"]) == [14, 14, 15]
    # A blank FROM_POST means the child went missing from the placement.
    assert list(eps["FROM_POST"]) == [home_a, from_pc, home_b]
    assert list(eps["FROM_SOURCE"]) == ["placement", "log", "placement"]
    expected = postcode_index.lookup(pd.Series([home_a, from_pc, home_b], dtype=object))
    np.testing.assert_allclose(eps["FROM_EASTING"], expected["easting"])
    # Found by postcode, and by coordinates (converted to the British grid within a metre).
    assert eps["FOUND_EASTING"].iloc[0] == pytest.approx(found["easting"])
    assert eps["FOUND_NORTHING"].iloc[2] == pytest.approx(found["northing"], abs=1.5)
    assert eps["FOUND_EASTING"].iloc[2] == pytest.approx(found["easting"], abs=1.5)
    assert np.isnan(eps["FOUND_EASTING"].iloc[1])


def test_missing_by_breakdowns():
    log = pd.DataFrame(
        {
            "CHILD": ["a", "a", "b", "c"],
            "MISSING": "M",
            "MIS_START": pd.to_datetime(
                ["2024-01-01 23:30", "2024-01-02 03:00", "2024-01-06 14:00", "2024-01-07 19:00"]
            ),
            "MIS_END": pd.to_datetime(["2024-01-02 01:00"] * 4),
            "PL_LOCATION": ["IN", "IN", "OUT", None],
            "PLACE": ["K2", "K2", "U4", None],
        }
    )
    eps = missing_episodes(missing_log=log)
    tod = missing_by(eps, by="time of day").set_index("time of day")
    assert tod.loc["night (22:00-05:59)", "episodes"] == 2
    assert tod.loc["night (22:00-05:59)", "children"] == 1
    assert tod.loc["morning (06:00-11:59)", "episodes"] == 0
    dow = missing_by(eps, by="day of week").set_index("START_WEEKDAY")
    assert dow.loc["Monday", "episodes"] == 1 and dow.loc["Sunday", "episodes"] == 1
    area = missing_by(eps, by="area").set_index("area")
    assert area.loc["placed in the authority", "episodes"] == 2
    assert area.loc["not known", "episodes"] == 1
    assert area.loc["placed in the authority", "share"] == pytest.approx(2 / 3)


def test_placement_type_breakdown_in_publication_order():
    from data.schemas import GROUP_FOSTER_OTHER, GROUP_RESIDENTIAL, PLACEMENT_GROUPS

    log = pd.DataFrame(
        {
            "CHILD": ["a", "b", "c"],
            "MISSING": "M",
            "MIS_START": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
            "MIS_END": pd.to_datetime(["2024-01-04"] * 3),
        }
    )
    eps = missing_episodes(missing_log=log).assign(
        PLACEMENT_GROUP=[GROUP_RESIDENTIAL, GROUP_RESIDENTIAL, GROUP_FOSTER_OTHER]
    )
    table = missing_by(eps, by="placement type")
    assert list(table["PLACEMENT_GROUP"]) == PLACEMENT_GROUPS
    assert table.set_index("PLACEMENT_GROUP").loc[GROUP_RESIDENTIAL, "share"] == pytest.approx(2 / 3)


def test_pooled_files_match_children_within_their_council():
    m903 = pd.DataFrame(
        {
            "LA": ["886", "887"],
            "CHILD": ["1", "1"],
            "MISSING": ["M", "M"],
            "MIS_START": pd.to_datetime(["2024-03-01", "2024-03-01"]),
            "MIS_END": pd.to_datetime(["2024-03-02", "2024-03-05"]),
        }
    )
    log = pd.DataFrame(
        {
            "LA": ["887"],
            "CHILD": ["1"],
            "MISSING": ["M"],
            "MIS_START": pd.to_datetime(["2024-03-01 22:00"]),
            "MIS_END": pd.to_datetime(["2024-03-05 10:00"]),
        }
    )
    episodes = pd.DataFrame(
        {
            "LA": ["886", "887"],
            "CHILD": ["1", "1"],
            "DECOM": pd.to_datetime(["2023-01-01"] * 2),
            "DEC": pd.NaT,
            "PLACE": ["U4", "K2"],
        }
    )
    eps = missing_episodes(missing=m903, missing_log=log, episodes=episodes).set_index("LA")
    assert eps.loc["887", "SOURCE"] == SOURCE_BOTH and eps.loc["886", "SOURCE"] == SOURCE_903
    assert eps.loc["887", "PLACE"] == "K2" and eps.loc["886", "PLACE"] == "U4"


def test_pooled_children_with_the_same_id_are_different_children():
    # Ids are unique only within an authority: "1" in Kent and "1" in Medway are two children.
    m903 = pd.DataFrame(
        {
            "LA": ["Kent", "Medway", "Kent"],
            "LA_CODE": ["E10000016", "E06000035", "E10000016"],
            "CHILD": ["1", "1", "1"],
            "MISSING": ["M", "M", "M"],
            "MIS_START": pd.to_datetime(["2024-03-01", "2024-03-01", "2024-04-01"]),
            "MIS_END": pd.to_datetime(["2024-03-02", "2024-03-05", "2024-04-02"]),
        }
    )
    eps = missing_episodes(missing=m903)
    assert sorted(eps["CHILD"]) == ["E06000035/1", "E10000016/1", "E10000016/1"]
    summary = summarise_missing(eps).set_index("measure")["value"]
    assert summary["children with an episode"] == 2 and summary["episodes"] == 3
    # One authority alone keeps its ids as they are.
    assert set(missing_episodes(missing=m903[m903["LA"] == "Kent"])["CHILD"]) == {"1"}


def test_one_kind_rule_and_one_set_of_repeat_bands():
    """The Missing page, the packs and the regional figures all ask analysis.missing which episodes are which."""
    from analysis.missing import REPEAT_BANDS, children_by_episode_count, of_kind

    eps = pd.DataFrame({"CHILD": ["a", "a", "a", "b", "c", "c"], "MISSING": ["M", "A", "M", "A", None, "M"]})
    assert of_kind(eps, "missing").tolist() == [True, False, True, False, False, True]
    assert of_kind(eps, "away").tolist() == [False, True, False, True, False, False]
    assert of_kind(eps, "combined").all()
    with pytest.raises(ValueError, match="kind must be one of"):
        of_kind(eps, "absent")
    bands = children_by_episode_count(eps)
    assert bands["band"].tolist() == [label for _, _, label in REPEAT_BANDS]
    assert bands.set_index("band").loc["3-4 episodes"].tolist() == [1, 3]
    assert bands["children"].sum() == 3 and bands["episodes"].sum() == len(eps)
    assert children_by_episode_count(eps.iloc[:0])["children"].sum() == 0

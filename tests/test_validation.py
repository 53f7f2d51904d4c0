"""Validator-style checks: each rule shown by a tiny input that triggers it and one that does not."""

from __future__ import annotations

import pandas as pd
import pytest

from data.quality import WARNING
from data.readers import InputFile, read_folder, read_inputs
from data.validation import check_dataset, postcode_match_summary

HEADER = "CHILD,SEX,DOB,ETHNIC\n1,1,01/01/2010,WBRI\n2,2,01/01/2011,WBRI\n"
# Child 1: two contiguous episodes 01/04/2020-01/06/2020-01/09/2020 (one period of care), then a new open period from 01/01/2021.
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,HOME_POST,PL_POST\n"
    "1,01/04/2020,S,C2,N1,U4,PR1,01/06/2020,X1,ME14 1XQ,CT1 1AA\n"
    "1,01/06/2020,P,C2,N1,K2,PR4,01/09/2020,E13,ME14 1XQ,CT1 1AA\n"
    "1,01/01/2021,S,C2,N1,U6,PR1,,,ME14 1XQ,CR0 1AA\n"
    "2,01/04/2020,S,C2,N1,U4,PR1,,,ME14 1XQ,CT1 1AA\n"
)


def _dataset(
    missing: str | None = None, *, episodes: str = EPISODES, header: str = HEADER, log: str | None = None, index=None
):
    files = [InputFile("header.csv", header.encode()), InputFile("episodes.csv", episodes.encode())]
    if missing is not None:
        files.append(InputFile("missing.csv", ("CHILD,DOB,MISSING,MIS_START,MIS_END\n" + missing).encode()))
    if log is not None:
        files.append(InputFile("log.csv", ("CHILD,MIS_START,MIS_END,FOUND_POST\n" + log).encode()))
    ds = read_inputs(files)
    assert ds.quality.file_errors() == []
    before = {t: len(getattr(ds, t)) for t in ("episodes", "missing", "missing_log")}
    check_dataset(ds, index=index, postcodes=index is not None)
    # Checks warn; they never drop rows.
    assert {t: len(getattr(ds, t)) for t in before} == before
    return ds


def _hits(ds, rule: str) -> list[tuple[str, int]]:
    issues = ds.quality.to_frame()
    hit = issues[issues["rule"] == rule]
    assert (hit["severity"] == WARNING).all()
    return list(zip(hit["file"], hit["row"].astype(int)))


def test_567_end_before_start():
    ds = _dataset("1,01/01/2010,M,10/05/2020,09/05/2020\n1,01/01/2010,M,12/05/2020,12/05/2020\n")
    assert _hits(ds, "567") == [("missing.csv", 2)]
    assert len(ds.missing) == 2  # kept, warned


def test_574_overlapping_or_after_an_open_episode():
    overlap = "1,01/01/2010,M,10/05/2020,20/05/2020\n1,01/01/2010,A,15/05/2020,16/05/2020\n"
    # The validator sorts by end date: the episode ending 16/05 comes first, so 20/05's start (10/05) is the overlap.
    assert _hits(_dataset(overlap), "574") == [("missing.csv", 2)]
    after_open = "1,01/01/2010,M,10/05/2020,\n1,01/01/2010,M,11/05/2020,12/05/2020\n"
    assert _hits(_dataset(after_open), "574") == [("missing.csv", 3)]  # follows an episode with no end
    fine = "1,01/01/2010,M,10/05/2020,12/05/2020\n1,01/01/2010,M,12/05/2020,13/05/2020\n2,01/01/2011,M,10/05/2020,20/05/2020\n"
    assert _hits(_dataset(fine), "574") == []


def test_581_and_578_outside_episodes_and_periods_of_care():
    rows = (
        "1,01/01/2010,M,10/10/2020,11/10/2020\n"  # gap between periods: 581 and 578
        "1,01/01/2010,M,10/05/2020,11/05/2020\n"  # inside: nothing
        "1,01/01/2010,M,01/06/2020,02/06/2020\n"  # on the changeover day: inside
        "1,01/01/2010,M,05/02/2021,\n"  # in the open period: nothing
    )
    ds = _dataset(rows)
    assert _hits(ds, "581") == [("missing.csv", 2)]
    assert _hits(ds, "578") == [("missing.csv", 2)]


def test_577_missing_episode_outlasting_its_period_of_care():
    rows = "1,01/01/2010,M,30/08/2020,05/09/2020\n1,01/01/2010,M,20/08/2020,\n1,01/01/2010,M,10/08/2020,12/08/2020\n"
    assert _hits(_dataset(rows), "577") == [("missing.csv", 2), ("missing.csv", 3)]


def test_1012_and_int04_children_unknown_to_episodes_or_header():
    rows = "9,01/01/2012,M,10/05/2020,11/05/2020\n1,01/01/2010,M,10/05/2020,11/05/2020\n"
    ds = _dataset(rows)
    assert _hits(ds, "1012") == [("missing.csv", 2)]
    assert _hits(ds, "INT04") == [("missing.csv", 2)]
    assert _hits(ds, "581") == []  # no episodes to compare with: 1012 says it


def test_unknown_codes():
    bad = EPISODES.replace("U4,PR1,01/06/2020,X1", "ZZ,PR9,01/06/2020,Q1").replace(
        "2,01/04/2020,S,C2", "2,01/04/2020,W,C9"
    )
    ds = _dataset("1,01/01/2010,X,10/05/2020,11/05/2020\n", episodes=bad)
    assert _hits(ds, "146") == [("episodes.csv", 2)]
    assert _hits(ds, "provider") == [("episodes.csv", 2)]
    assert _hits(ds, "149") == [("episodes.csv", 2)]
    assert _hits(ds, "143") == [("episodes.csv", 5)]
    assert _hits(ds, "144") == [("episodes.csv", 5)]
    assert _hits(ds, "1006") == [("missing.csv", 2)]
    clean = _dataset("1,01/01/2010,M,10/05/2020,11/05/2020\n")
    assert [r for r in ("146", "provider", "149", "143", "144", "145", "1006") if _hits(clean, r)] == []


def test_392d_home_postcode_equals_placement_postcode():
    eps = (
        "CHILD,DECOM,PLACE,HOME_POST,PL_POST\n"
        "1,01/04/2020,U4,ME14 1XQ,me141xq\n"  # same postcode, foster care: warn
        "2,01/04/2020,P1,ME14 1XQ,ME14 1XQ\n"  # with parents: allowed
        "3,01/04/2020,U4,ME14 1XQ,CT1 1AA\n"
    )
    assert _hits(_dataset(episodes=eps), "392d") == [("episodes.csv", 2)]


def test_missing_log_gets_the_missing_rules_but_not_the_period_rules():
    log = "1,10/10/2020 22:00,10/10/2020 21:00,ME14 1XQ\n1,10/05/2020 10:00,11/05/2020,ME14 1XQ\n"
    ds = _dataset(log=log)
    assert _hits(ds, "567") == [("log.csv", 2)]
    assert _hits(ds, "581") == [("log.csv", 2)]
    assert _hits(ds, "578") == []


def test_392c_postcode_not_in_ons_directory(postcode_index):
    eps = "CHILD,DECOM,PLACE,HOME_POST,PL_POST\n1,01/04/2020,U4,ME14 1XQ,ZZ99 9ZZ\n2,01/04/2020,U4,not a postcode,CT1 1AA\n3,01/04/2020,U4,,CR0 1AA\n"
    ds = _dataset(episodes=eps, index=postcode_index)
    issues = ds.quality.to_frame()
    hit = issues[issues["rule"] == "392c"]
    assert list(zip(hit["row"].astype(int), hit["column"], hit["value"])) == [
        (3, "HOME_POST", "not a postcode"),
        (2, "PL_POST", "ZZ99 9ZZ"),
    ]
    assert "not a postcode" in hit["reason"].iloc[0] and "not found" in hit["reason"].iloc[1]


def test_postcode_match_summary(postcode_index):
    eps = "CHILD,DECOM,PLACE,HOME_POST,PL_POST\n1,01/04/2020,U4,ME14 1XQ,ZZ99 9ZZ\n2,01/04/2020,U4,ME14 1,ZZ99 9ZZ\n3,01/04/2020,U4,,me14\n"
    ds = _dataset(episodes=eps)
    summary, unmatched = postcode_match_summary(ds, index=postcode_index)
    home = summary.set_index("column").loc["HOME_POST"]
    assert (home["values"], home["matched"], home["unit"], home["sector"]) == (2, 2, 1, 1)
    placed = summary.set_index("column").loc["PL_POST"]
    assert (placed["values"], placed["matched"], placed["district"]) == (3, 1, 1)
    assert placed["match_rate"] == pytest.approx(1 / 3)
    assert unmatched.to_dict("records") == [
        {
            "table": "episodes",
            "column": "PL_POST",
            "value": "ZZ99 9ZZ",
            "count": 2,
            "reason": "postcode not found in the ONS Postcode Directory",
        }
    ]


def test_fixture_counts_match_the_reference(fixtures_dir):
    """The validator's own fake data: 43 missing rows, 7 for children with no episodes, 4 outside every episode."""
    src = fixtures_dir / "csc-validator-be-903"
    ds = read_inputs([src / "episodes.csv", src / "header.csv", src / "missing.csv"])
    check_dataset(ds, postcodes=False)
    assert len(_hits(ds, "1012")) == 7
    assert len(_hits(ds, "581")) == 4


def test_pooled_children_are_told_apart_by_authority(fixtures_dir):
    ds = read_folder(fixtures_dir / "cs-demand-model-regional")
    check_dataset(ds, postcodes=False)
    # No Missing table here, so the missing rules stay silent; code checks run without error.
    assert _hits(ds, "1012") == []
    assert isinstance(ds.quality.to_frame(), pd.DataFrame)


def test_tables_built_in_code_without_sources_or_optional_columns():
    from data.dataset import Dataset

    ds = Dataset(
        episodes=pd.DataFrame({"CHILD": ["1"], "DECOM": pd.to_datetime(["2020-04-01"]), "PLACE": ["ZZ"]}),
        missing=pd.DataFrame({"CHILD": ["1", "1"], "MIS_START": pd.to_datetime(["2020-05-01", "2020-03-01"])}),
    )
    check_dataset(ds, postcodes=False)
    issues = ds.quality.to_frame()
    assert issues.loc[issues["rule"] == "146", "row"].tolist() == [2]
    assert issues.loc[issues["rule"] == "581", "row"].tolist() == [3]
    assert issues.loc[issues["rule"] == "574", "row"].tolist() == [2]  # 01/05 follows the still-open episode of 01/03


@pytest.mark.parametrize(
    ("name", "decom", "flagged"),
    [
        ("2024_episodes.csv", "01/06/2023", [4]),  # P2 and Z1 valid in 2023/24, K3 not yet
        ("2026_episodes.csv", "01/06/2023", [2, 3]),  # gone from 2025/26, whatever the dates
        ("episodes.csv", "01/06/2025", [2, 3]),  # no year in the name: the latest DECOM's year, 2025/26
        ("episodes.csv", "01/06/2023", [4]),
    ],
)
def test_146_uses_the_code_list_of_the_returns_collection_year(name, decom, flagged):
    episodes = (
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,HOME_POST,PL_POST\n"
        f"1,{decom},S,C2,N1,P2,PR1,,,,\n2,{decom},S,C2,N1,Z1,,,,,\n3,{decom},S,C2,N1,K3,PR4,,,,\n"
    )
    ds = read_inputs([InputFile("header.csv", HEADER.encode()), InputFile(name, episodes.encode())])
    check_dataset(ds, postcodes=False)
    issues = ds.quality.to_frame()
    assert issues.loc[issues["rule"] == "146", "row"].tolist() == flagged

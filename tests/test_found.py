"""Where missing children are found, on real postcodes with answers worked out by hand, and the CLI."""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import found
from analysis.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
# ONS grid references (EPSG:27700 metres) of the postcodes below, from the ONS Postcode Directory.
ME14_1NG = (575801, 155746)  # Maidstone, Kent
CT1_1AA = (615886, 158470)  # Canterbury, Kent
ME4_4AA = (575850, 167644)  # Chatham, Medway (adjoins Kent)
CF10_1AA = (318284, 176230)  # Cardiff, Wales


def dfe_miles(a, b):
    """The DfE / 903 validator formula, written out: round(sqrt(dE^2 + dN^2) / 1000 / 1.6093, 1)."""
    return round(math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) / 1000 / 1.6093, 1)


def _log(rows):
    base = {
        "CHILD": "C1",
        "MIS_START": "01/05/2025 22:00",
        "FROM_POST": "ME14 1NG",
        "FOUND_POST": "",
        "FOUND_LAT": "",
        "FOUND_LON": "",
        "CSE": "N",
        "GANG": "N",
    }
    return pd.DataFrame([{**base, **r} for r in rows])


@pytest.fixture(scope="module")
def kent(postcode_index):
    log = _log(
        [
            {"FOUND_POST": "CT1 1AA"},  # 0 Kent: IN, 25 miles
            {"FOUND_POST": "ME4 4AA"},  # 1 Medway, the neighbouring authority: OUT
            {"FOUND_POST": "CF10 1AA"},  # 2 Wales: OUT
            {"FOUND_POST": "ZZ9 9ZZ"},  # 3 unknown postcode
            {"FOUND_LAT": "51.383603", "FOUND_LON": "0.535025"},  # 4 lat/lon only, in Chatham (Medway)
            {"FOUND_LAT": "53.0466", "FOUND_LON": "-2.9926"},  # 5 lat/lon only, in Wrexham (Wales)
            {},  # 6 nothing recorded
            {"FROM_POST": "", "PL_POST": "CT1 1AA", "FOUND_POST": "ME14 1NG"},  # 7 from the placement postcode
            {"FROM_POST": "not one", "FOUND_POST": "CT1 1AA"},  # 8 bad missing-from postcode
            {"FOUND_POST": "BT1 1AA"},  # 9 Northern Ireland
            {"FOUND_POST": "CT1 1"},  # 10 a sector: measured from its centroid
            {
                "FOUND_POST": "ZZ9 9ZZ",
                "FOUND_LAT": "51.383603",
                "FOUND_LON": "0.535025",
            },  # 11 bad postcode, good lat/lon
            {"FOUND_LAT": "48.85", "FOUND_LON": "2.35"},  # 12 Paris: not in Great Britain
        ]
    )
    return log, found.add_found_location(log, "Kent", index=postcode_index)


def test_every_row_kept_in_order_and_input_untouched(kent):
    log, out = kent
    assert len(out) == len(log)
    assert list(out.columns) == list(log.columns) + found.FOUND_COLUMNS
    pd.testing.assert_frame_equal(out[list(log.columns)], log)
    assert "FOUND_DISTANCE" not in log


def test_distances_against_the_dfe_formula(kent):
    _, out = kent
    assert out.loc[0, "FOUND_DISTANCE"] == dfe_miles(ME14_1NG, CT1_1AA) == 25.0
    assert out.loc[1, "FOUND_DISTANCE"] == dfe_miles(ME14_1NG, ME4_4AA) == 7.4
    assert out.loc[2, "FOUND_DISTANCE"] == dfe_miles(ME14_1NG, CF10_1AA) == 160.5
    # From the placement postcode (CT1 1AA) when the log has no missing-from postcode.
    assert out.loc[7, "FOUND_DISTANCE"] == dfe_miles(CT1_1AA, ME14_1NG) == 25.0
    # 51.383603 N 0.535025 E is (576500, 168000) on the British grid, to within a metre.
    assert out.loc[4, "FOUND_DISTANCE"] == dfe_miles(ME14_1NG, (576500, 168000)) == 7.6


def test_found_in_a_neighbouring_authority_and_in_wales(kent):
    _, out = kent
    cols = ["FOUND_LA", "FOUND_LA_NAME", "FOUND_LOCATION", "FOUND_NOTE"]
    assert out.loc[0, cols].tolist() == ["E10000016", "Kent", "IN", ""]
    assert out.loc[1, cols].tolist() == ["E06000035", "Medway", "OUT", ""]
    assert out.loc[2, cols].tolist() == ["WAL", "Wales", "OUT", ""]
    assert out.loc[9, ["FOUND_LA", "FOUND_LOCATION"]].tolist() == ["NIR", "OUT"]
    assert np.isnan(out.loc[9, "FOUND_DISTANCE"]) and "Northern Ireland" in out.loc[9, "FOUND_NOTE"]
    assert out.loc[0, "FOUND_DISTRICT"] == "E07000106"  # Canterbury
    assert out.loc[0, "FROM_SECTOR"] == "ME14 1"


def test_unknown_postcode_and_nothing_recorded_say_why(kent):
    _, out = kent
    for row, note in [(3, "found postcode not found in the ONS Postcode Directory"), (6, found.NOTE_NOT_RECORDED)]:
        assert np.isnan(out.loc[row, "FOUND_DISTANCE"])
        assert out.loc[row, ["FOUND_LA", "FOUND_LOCATION", "FOUND_NOTE"]].tolist() == ["", "", note]
    # A bad missing-from postcode: no distance, but where found is still known.
    assert np.isnan(out.loc[8, "FOUND_DISTANCE"])
    assert out.loc[8, ["FOUND_LA", "FOUND_LOCATION", "FOUND_NOTE"]].tolist() == [
        "E10000016",
        "IN",
        "missing-from postcode is not a postcode",
    ]
    assert out.loc[10, "FOUND_NOTE"] == "found measured from its postcode sector centroid"


def test_found_location_given_only_as_latitude_and_longitude(kent):
    _, out = kent
    assert out.loc[4, ["FOUND_LA", "FOUND_LA_NAME", "FOUND_LOCATION", "FOUND_NOTE"]].tolist() == [
        "E06000035",
        "Medway",
        "OUT",
        found.NOTE_LAT_LON,
    ]
    assert out.loc[5, ["FOUND_LA", "FOUND_LA_NAME", "FOUND_LOCATION"]].tolist() == ["WAL", "Wales", "OUT"]
    assert out.loc[11, "FOUND_DISTANCE"] == 7.6  # the coordinates stand in for a postcode not found
    assert out.loc[11, "FOUND_NOTE"] == (
        "found postcode not found in the ONS Postcode Directory; " + found.NOTE_LAT_LON
    )
    assert np.isnan(out.loc[12, "FOUND_DISTANCE"]) and out.loc[12, "FOUND_LA"] == ""
    assert out.loc[12, "FOUND_NOTE"] == found.NOTE_BAD_LAT_LON


def test_pooled_rows_use_their_own_authority(postcode_index):
    log = _log(
        [
            {"LA_CODE": "E10000016", "FOUND_POST": "ME4 4AA"},
            {"LA_CODE": "E06000035", "FOUND_POST": "ME4 4AA"},
            {"LA_CODE": "Nowhere", "FOUND_POST": "ME4 4AA"},
        ]
    )
    out = found.add_found_location(log, index=postcode_index)
    assert out["FOUND_LOCATION"].tolist() == ["OUT", "IN", ""]
    assert out.loc[2, "FOUND_NOTE"] == found.NOTE_NO_RESPONSIBLE


def test_figures_overall_and_per_flag(postcode_index):
    log = _log(
        [
            {"CHILD": "A", "FOUND_POST": "CT1 1AA", "CSE": "Y"},  # 25.0 miles, IN
            {"CHILD": "A", "FOUND_POST": "ME4 4AA", "CSE": "Y"},  # 7.4, OUT
            {"CHILD": "B", "FOUND_POST": "CF10 1AA", "GANG": "Y"},  # 160.5, OUT
            {"CHILD": "C", "FOUND_POST": "ME14 1NG"},  # 0.0, IN
            {"CHILD": "D", "FOUND_POST": ""},  # not recorded: in the episodes, not in the denominators
        ]
    )
    log["CSE"] = log["CSE"].eq("Y").astype("boolean")
    log["GANG"] = log["GANG"].eq("Y").astype("boolean")
    out = found.found_figures(found.add_found_location(log, "Kent", index=postcode_index), flags=["CSE", "GANG"])
    first = out.iloc[0]
    assert first["group"] == "all episodes"
    assert first[["episodes", "measured", "found_over_20_miles", "located", "found_in_another_authority"]].tolist() == [
        5,
        4,
        2,
        4,
        2,
    ]
    assert first["pct_over_20_miles"] == 50.0 and first["pct_in_another_authority"] == 50.0
    assert first["median_miles"] == pytest.approx((7.4 + 25.0) / 2)
    cse = out.iloc[1]
    assert cse["group"] == "child sexual exploitation"
    assert cse[["episodes", "found_over_20_miles", "found_in_another_authority", "median_miles"]].tolist() == [
        2,
        1,
        1,
        pytest.approx(16.2),
    ]
    assert set(out.attrs["definitions"]) >= {"pct_over_20_miles", "pct_in_another_authority", "median_miles"}


def test_authorities_where_found_and_children_of_others_found_here(postcode_index):
    log = _log(
        [
            {"CHILD": "A", "LA_CODE": "E10000016", "FOUND_POST": "ME4 4AA"},
            {"CHILD": "A", "LA_CODE": "E10000016", "FOUND_POST": "ME4 4AA"},
            {"CHILD": "B", "LA_CODE": "E10000016", "FOUND_POST": "CT1 1AA"},
            {"CHILD": "C", "LA_CODE": "E06000035", "FOUND_POST": "CT1 1AA"},
            {"CHILD": "D", "LA_CODE": "E06000035", "FOUND_POST": ""},
        ]
    )
    out = found.add_found_location(log, index=postcode_index)
    where = found.found_in_authorities(out)
    assert where[["authority", "episodes", "children"]].values.tolist() == [
        ["Kent", 2, 2],
        ["Medway", 2, 1],
        ["not known", 1, 1],
    ]
    assert where["share"].iloc[0] == 0.5 and np.isnan(where["share"].iloc[-1])
    others = found.found_from_elsewhere(out, "Kent")
    assert others[["LA_CODE", "authority", "episodes", "children"]].values.tolist() == [["E06000035", "Medway", 1, 1]]


def test_joined_missing_table_carries_the_columns(postcode_index):
    from analysis.missing import missing_episodes

    log = _log([{"FOUND_POST": "ME4 4AA"}]).drop(columns=["CSE", "GANG"])  # readers parse flags to booleans
    log["MISSING"] = "M"
    eps = missing_episodes(missing_log=log, la="Kent", index=postcode_index)
    assert eps.loc[0, ["FOUND_DISTANCE", "FOUND_LA", "FOUND_LOCATION"]].tolist() == [7.4, "E06000035", "OUT"]


# ---------------------------------------------------------------- the command line
def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_cli_writes_every_log_row_in_order(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(
        "CHILD,MISSING,MIS_START,MIS_END,FROM_POST,FOUND_POST,FOUND_LAT,FOUND_LON,NOTES\n"
        "2,M,01/05/2025 22:00,02/05/2025,,ME4 4AA,,,\n"  # from the placement open that day
        '=HYPERLINK("x"),M,01/05/2025,02/05/2025,ME14 1NG,CF10 1AA,,,\n'
        '3,M,not a date,,ME14 1NG,,51.383603,0.535025,"x, y"\n'
        "2,A,01/01/2020,,,CT1 1AA,,,\n",  # before any placement: no missing-from postcode
        encoding="utf-8",
    )
    episodes = tmp_path / "episodes.csv"
    episodes.write_text(
        "CHILD,DECOM,DEC,PL_POST\n2,01/04/2025,,CT1 1AA\n2,01/01/2024,31/03/2025,TA1 1AA\n", encoding="utf-8"
    )
    out = tmp_path / "out.csv"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "missing",
            "--missing",
            str(log),
            "--episodes",
            str(episodes),
            "--la",
            "886",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    given, written = _read(log), _read(out)
    assert list(written.columns) == list(given.columns) + found.FOUND_COLUMNS
    assert written.loc[[0, 2, 3], list(given.columns)].equals(given.loc[[0, 2, 3]])
    assert written.loc[1, "CHILD"].startswith("'=")  # formula-safe
    assert written["FOUND_DISTANCE"].tolist() == [str(dfe_miles(CT1_1AA, ME4_4AA)), "160.5", "7.6", ""]
    assert written["FOUND_LOCATION"].tolist() == ["OUT", "OUT", "OUT", "IN"]
    assert written.loc[3, "FOUND_NOTE"] == "missing-from postcode blank"


def test_cli_reads_a_workbook_log_as_its_csv_and_refuses_a_workbook_bomb(tmp_path, capsys):
    """A workbook goes through the app's bounded reader: the same rows as the CSV, and its limits hold."""
    from data.read_files import MAX_CELL_CHARS
    from tests.xlsx_bomb import shared_string_workbook

    given = pd.DataFrame(
        {"CHILD": ["1", "2"], "MIS_START": ["01/05/2025", "02/05/2025"], "FOUND_POST": ["ME4 4AA", "CT1 1AA"]}
    )
    given.to_csv(tmp_path / "log.csv", index=False)
    given.to_excel(tmp_path / "log.xlsx", index=False)
    for name in ("log.csv", "log.xlsx"):
        argv = ["missing", "--missing", str(tmp_path / name), "--la", "Kent", "--out", str(tmp_path / f"{name}.out")]
        assert main(argv) == 0
    assert _read(tmp_path / "log.xlsx.out").equals(_read(tmp_path / "log.csv.out"))
    # 100,000 cells sharing one 32,767-character string: 3 billion characters if each were read.
    (tmp_path / "bomb.xlsx").write_bytes(shared_string_workbook(MAX_CELL_CHARS, 100_000))
    capsys.readouterr()
    argv = ["missing", "--missing", str(tmp_path / "bomb.xlsx"), "--la", "Kent", "--out", str(tmp_path / "bomb.out")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "(MAX_WORKBOOK_TEXT)" in err and err.count("\n") == 1
    assert not (tmp_path / "bomb.out").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--la", "Nowhere"], "Unknown children's services authority"),
        (["--missing", "{tmp}/absent.csv"], "no such file"),
        (["--missing", "{tmp}/no_found.csv"], "missing column(s) FOUND_POST"),
        (["--missing", "{tmp}/no_start.csv"], "missing column(s) MIS_START"),
        (["--missing", "{tmp}/binary.xlsx"], "cannot read"),
    ],
)
def test_cli_error_contract(tmp_path, capsys, args, message):
    (tmp_path / "log.csv").write_text("CHILD,MIS_START,FOUND_POST\n1,01/05/2025,ME4 4AA\n", encoding="utf-8")
    (tmp_path / "no_found.csv").write_text("CHILD,MIS_START,FROM_POST\n1,01/05/2025,ME4 4AA\n", encoding="utf-8")
    (tmp_path / "no_start.csv").write_text("CHILD,FOUND_POST\n1,ME4 4AA\n", encoding="utf-8")
    (tmp_path / "binary.xlsx").write_bytes(b"\x00\x01 not a workbook")
    argv = {"--missing": str(tmp_path / "log.csv"), "--la": "Kent", "--out": str(tmp_path / "out.csv")}
    for key, value in zip(args[::2], args[1::2]):
        argv[key] = value.format(tmp=tmp_path)
    assert main(["missing", *[x for kv in argv.items() for x in kv]]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "out.csv").exists()


def test_panel_figures_hide_small_counts_and_what_is_built_on_them():
    figures = pd.DataFrame(
        [
            {
                "group": "all episodes",
                "episodes": 40,
                "measured": 30,
                "found_over_20_miles": 3,
                "pct_over_20_miles": 10.0,
                "located": 38,
                "found_in_another_authority": 12,
                "pct_in_another_authority": 31.6,
                "median_miles": 4.2,
            },
            {
                "group": "county lines",
                "episodes": 5,
                "measured": 4,
                "found_over_20_miles": 0,
                "pct_over_20_miles": 0.0,
                "located": 5,
                "found_in_another_authority": 2,
                "pct_in_another_authority": 40.0,
                "median_miles": 30.2,
            },
        ]
    )
    shown = found.disclosed_found_figures(figures)
    assert shown.iloc[0].tolist() == ["all episodes", "40", "30", "c", "c", "38", "12", "31.6", "4.2"]
    # Four distances: their median would be a child's journey; every count of 1-5 is "c", zero stays.
    assert shown.iloc[1].tolist() == ["county lines", "c", "c", "0", "c", "c", "c", "c", "c"]

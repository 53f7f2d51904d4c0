"""The synthetic demo: deterministic, labelled synthetic everywhere, on real postcodes, calibrated.

Run with ``-s`` to see the calibration table (measured beside the national targets).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from data import schemas
from data.demo import write_demo
from data.demo.calibration import measure_demo

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo_data"
KENT = "E10000016"
YEARS = ["2024", "2025", "2026"]
TABLE_COLUMNS = {
    "header": schemas.HEADER_COLUMNS,
    "episodes": schemas.EPISODES_COLUMNS,
    "missing": schemas.MISSING_COLUMNS,
    "uasc": schemas.UASC_COLUMNS,
}


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DEMO / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return _read("missing_log.csv")


# ---------------------------------------------------------------- generation and CLI
def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path):
    a = write_demo("Rutland", tmp_path / "a", seed=7, years=2)
    b = write_demo("E06000017", tmp_path / "b", seed=7, years=2)
    c = write_demo("857", tmp_path / "c", seed=8, years=2)
    names = sorted(p.name for p in a)
    assert names == sorted(p.name for p in b) == sorted(p.name for p in c)
    assert {"2025_episodes.csv", "2026_missing.csv", "missing_log.csv", "ground_truth.csv"} <= set(names)
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "2026_episodes.csv").read_bytes() != (tmp_path / "c" / "2026_episodes.csv").read_bytes()
    episodes = pd.read_csv(tmp_path / "a" / "2026_episodes.csv", dtype=str, keep_default_na=False)
    assert len(episodes) > 20 and episodes["CHILD"].str.startswith("SYN").all()


@pytest.mark.parametrize(
    "args", [["--la", "Narnia"], ["--la", "Kent", "--end", "2026-03-30"], ["--la", "Kent", "--end", "soon"]]
)
def test_cli_rejects_bad_input_with_exit_2_and_one_line(tmp_path, args):
    run = subprocess.run(
        [sys.executable, "-m", "data.demo", *args, "--seed", "1", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
    assert not any(tmp_path.iterdir())


# ---------------------------------------------------------------- the committed default demo
def test_committed_demo_is_complete_and_says_synthetic_everywhere(log):
    for year in YEARS:
        for table in TABLE_COLUMNS:
            assert (DEMO / f"{year}_{table}.csv").exists()
    readme = (DEMO / "SYNTHETIC_DATA_README.txt").read_text()
    assert readme.startswith("SYNTHETIC DATA") and "Kent" in readme
    for year in YEARS:
        for table in TABLE_COLUMNS:
            frame = _read(f"{year}_{table}.csv")
            assert frame["CHILD"].str.startswith("SYN").all(), (year, table)
    assert log["CHILD"].str.startswith("SYN").all()
    assert log["NOTES"].str.startswith("Synthetic record").all()
    homes = _read("childrens_homes.csv")
    assert homes["NAME"].str.endswith("(fictional)").all()
    assert homes["PROVIDER"].str.contains(r"\((?:fictional|synthetic)\)$").all()
    assert _read("placement_costs.csv")["SOURCE"].str.contains("synthetic").all()
    assert _read("ground_truth.csv")["place"].str.contains("synthetic").all()
    size = sum(p.stat().st_size for p in DEMO.iterdir())
    assert size < 5_000_000


def test_903_files_have_the_return_columns_and_dd_mm_yyyy_dates(log):
    for year in YEARS:
        for table, columns in TABLE_COLUMNS.items():
            frame = _read(f"{year}_{table}.csv")
            assert list(frame.columns) == columns, (year, table)
            for col in schemas.DATE_COLUMNS[table]:
                filled = frame[col][frame[col] != ""]
                parsed = pd.to_datetime(filled, format="%d/%m/%Y", errors="coerce")
                assert parsed.notna().all(), (year, table, col)
        sex = _read(f"{year}_header.csv")["SEX"]
        assert set(sex) == ({"1", "2"} if year == "2024" else {"M", "F"})
    assert list(log.columns) == schemas.MISSING_LOG_COLUMNS
    for col in ("MIS_START", "MIS_END"):
        filled = log[col][log[col] != ""]
        assert pd.to_datetime(filled, format="%d/%m/%Y %H:%M", errors="coerce").notna().all()
    for col in schemas.RISK_FLAGS:
        assert set(log[col]) <= {"Y", "N", ""}
    assert set(log["RHI_ACCEPTED"]) <= {"Y", "N", ""}
    assert set(_read("childrens_homes.csv")["SECTOR"]) <= set(schemas.HOME_SECTORS)
    assert list(_read("childrens_homes.csv").columns) == schemas.HOMES_COLUMNS


def test_episode_chains_follow_the_903_rules():
    for year in YEARS:
        ep = _read(f"{year}_episodes.csv")
        assert set(ep["PLACE"]) <= set(schemas.PLACE_CODES)
        assert set(ep["LS"]) <= set(schemas.LEGAL_STATUS_CODES)
        assert set(ep["RNE"]) <= set(schemas.RNE_CODES)
        assert set(ep["REC"]) - {""} <= set(schemas.REC_CODES)
        assert set(ep["PLACE_PROVIDER"]) - {""} <= set(schemas.PROVIDER_CODES)
        short = ep["LS"].isin(schemas.SHORT_BREAK_LS)
        assert short.any() and (ep.loc[short, ["HOME_POST", "PL_POST", "URN"]] == "").all().all()
        same = (ep["HOME_POST"] == ep["PL_POST"]) & (ep["HOME_POST"] != "")
        assert (ep.loc[same, "PLACE"] == "P1").all()
        # Open episodes (blank DEC) have no REC; X1 means the next episode starts that day.
        assert (ep.loc[ep["DEC"] == "", "REC"] == "").all()
        d = ep.assign(
            DECOM=pd.to_datetime(ep["DECOM"], format="%d/%m/%Y"),
            DEC=pd.to_datetime(ep["DEC"].replace("", None), format="%d/%m/%Y"),
        )
        d = d[~short].sort_values(["CHILD", "DECOM"])
        nxt = d.groupby("CHILD")["DECOM"].shift(-1)
        x1 = d["REC"] == "X1"
        assert (d.loc[x1, "DEC"] == nxt[x1]).all()
        assert (d.groupby("CHILD")["DEC"].apply(lambda s: s.isna().sum()) <= 1).all()
        assert {"S", "P", "L"} <= set(d["RNE"])
        # UASC children have no home postcode.
        uasc = set(_read(f"{year}_uasc.csv")["CHILD"])
        assert len(uasc) > 0 and (ep.loc[ep["CHILD"].isin(uasc), "HOME_POST"] == "").all()
    open_2026 = _read("2026_episodes.csv").query("DEC == ''")
    assert len(open_2026) > 1000  # children still looked after at 31 March


def test_every_postcode_in_the_demo_is_a_real_ons_unit_postcode(postcode_index, log):
    values = [log["FROM_POST"], log["FOUND_POST"], _read("childrens_homes.csv")["POSTCODE"]]
    for year in YEARS:
        ep = _read(f"{year}_episodes.csv")
        values += [ep["HOME_POST"], ep["PL_POST"]]
    codes = pd.concat(values, ignore_index=True)
    codes = pd.Series(codes[codes != ""].unique())
    found = postcode_index.lookup(codes)
    assert len(codes) > 5000
    assert (found["resolution"] == "unit").all(), codes[found["resolution"] != "unit"].head().tolist()
    assert (found["country"] == "England").all()
    kent = postcode_index.lookup(_read("2026_episodes.csv")["HOME_POST"].replace("", None).dropna())
    assert (kent["la_code"] == KENT).all()


def test_missing_table_and_log_agree_for_most_episodes(log):
    m = pd.concat([_read(f"{y}_missing.csv") for y in YEARS], ignore_index=True)
    key_903 = set(zip(m["CHILD"], m["MISSING"], m["MIS_START"]))
    key_log = set(zip(log["CHILD"], log["MISSING"], log["MIS_START"].str[:10]))
    both = key_903 & key_log
    assert len(both) / len(key_903) > 0.9 and len(both) / len(key_log) > 0.9
    assert key_903 - key_log and key_log - key_903  # a few only in one, as in real life
    header = pd.concat([_read(f"{y}_header.csv") for y in YEARS]).drop_duplicates("CHILD").set_index("CHILD")["DOB"]
    assert (m["DOB"].to_numpy() == header.loc[m["CHILD"]].to_numpy()).all()


def test_calibration_against_national_figures():
    table = measure_demo(DEMO, la_code=KENT)
    print()
    print(
        f"Synthetic demo (Kent, seed 1): {table.attrs['cla_at_31_march']} children looked after at 31 March 2026; "
        f"{table.attrs['repeat_share']:.0f}% of children who went missing did so more than once"
    )
    print(table.to_string(index=False))
    assert table["ok"].all(), table[~table["ok"]].to_string()


def _found_xy(log: pd.DataFrame, postcode_index) -> np.ndarray:
    xy = postcode_index.lookup(log["FOUND_POST"])[["easting", "northing"]].to_numpy(float, copy=True)
    has_ll = log["FOUND_LAT"] != ""
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    e, n = to_bng.transform(
        log.loc[has_ll, "FOUND_LON"].astype(float).to_numpy(), log.loc[has_ll, "FOUND_LAT"].astype(float).to_numpy()
    )
    xy[has_ll.to_numpy()] = np.c_[e, n]
    return xy


def test_planted_hotspots_are_real_places_with_enough_episodes_and_their_flag(log, postcode_index):
    truth = _read("ground_truth.csv")
    assert list(truth.columns) == [
        "place",
        "kind",
        "easting",
        "northing",
        "lat",
        "lon",
        "radius_m",
        "episodes",
        "dominant_flag",
    ]
    assert set(truth["dominant_flag"]) <= set(schemas.RISK_FLAGS) | {""}
    assert {"town_centre", "transport_hub", "seafront", "retail_park", "city_county_lines"} == set(truth["kind"])
    xy = _found_xy(log, postcode_index)
    year = pd.to_datetime(log["MIS_START"], format="%d/%m/%Y %H:%M").dt.to_period("Q-MAR").dt.qyear
    centres = truth[["easting", "northing"]].astype(float).to_numpy()
    # The centre is a real postcode sector's centroid: in Kent, or (county lines) a nearby city.
    sectors = truth["place"].str.extract(r"\(([A-Z0-9]+ [0-9])\)")[0]
    found = postcode_index.lookup(sectors)
    assert (np.hypot(*(found[["easting", "northing"]].to_numpy(float) - centres).T) < 1).all()
    local = truth["kind"] != "city_county_lines"
    assert (found.loc[local, "la_code"] == KENT).all()
    kent_xy = postcode_index.units_in(KENT)[["easting", "northing"]].to_numpy()
    for i, row in truth.iterrows():
        d = np.hypot(*(xy - centres[i]).T)
        near = d <= 400
        assert year[near].value_counts().min() >= 60 and year[near].nunique() == 3, row["place"]
        flags = (log.loc[d <= int(row["radius_m"]), schemas.RISK_FLAGS] == "Y").sum()
        assert flags.idxmax() == row["dominant_flag"], (row["place"], flags.to_dict())
        if not local[i]:
            gap_km = np.hypot(*(kent_xy - centres[i]).T).min() / 1000
            assert found.at[i, "la_code"] != KENT and gap_km < 60
    # Background: a good share of episodes are found away from every planted place.
    d_any = np.hypot(xy[:, None, 0] - centres[None, :, 0], xy[:, None, 1] - centres[None, :, 1]).min(axis=1)
    located = np.isfinite(d_any)
    assert 0.3 < (d_any[located] > 1000).mean() < 0.5


def test_missing_episodes_start_inside_an_episode_and_do_not_overlap():
    for year in YEARS:
        ep = _read(f"{year}_episodes.csv")
        m = _read(f"{year}_missing.csv").reset_index()
        ep = ep.assign(
            A=pd.to_datetime(ep["DECOM"], format="%d/%m/%Y"),
            B=pd.to_datetime(ep["DEC"].replace("", None), format="%d/%m/%Y"),
        )
        m["S"] = pd.to_datetime(m["MIS_START"], format="%d/%m/%Y")
        m["E"] = pd.to_datetime(m["MIS_END"].replace("", None), format="%d/%m/%Y")
        j = m.merge(ep[["CHILD", "A", "B"]], on="CHILD")
        inside = j[(j["A"] <= j["S"]) & (j["B"].isna() | (j["S"] <= j["B"]))]["index"].nunique()
        assert inside == len(m), year  # validator rule 581
        assert (m["E"].isna() | (m["E"] >= m["S"])).all()  # rule 567
        m = m.sort_values(["CHILD", "S"])
        prev_end = m.groupby("CHILD")["E"].shift()
        assert not (m["S"] < prev_end).any()  # rule 574


def test_reading_the_demo_folder_marks_it_synthetic(fixtures_dir):
    from data.readers import read_folder

    assert read_folder(DEMO).synthetic is True
    assert read_folder(fixtures_dir / "cs-demand-model").synthetic is False

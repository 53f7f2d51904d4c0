"""``python -m analysis hotspots``: one CSV row per hotspot; exit 2 with one line on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_hotspots import PLANTED, planted_log

from analysis.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def log_csv(tmp_path_factory, postcode_index):
    units = postcode_index.units_in("E10000016")
    log, centres = planted_log(units, seed=2, background=300)
    log = log.assign(
        MIS_START=log["MIS_START"].dt.strftime("%d/%m/%Y %H:%M"), MIS_END=log["MIS_END"].dt.strftime("%d/%m/%Y %H:%M")
    )
    for flag in ("CSE", "GANG"):
        log[flag] = log[flag].map({True: "Y", False: "N"})
    # Text that a spreadsheet would run as a formula must come out neutralised.
    log["NOTES"] = '=HYPERLINK("http://example.invalid")'
    path = tmp_path_factory.mktemp("cli") / "missing_log.csv"
    log.to_csv(path, index=False)
    return path, centres


def test_writes_one_row_per_hotspot(log_csv, tmp_path, capsys):
    path, centres = log_csv
    out = tmp_path / "hotspots.csv"
    assert main(["hotspots", "--missing", str(path), "--la", "Kent", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out, encoding="utf-8-sig")
    for col in ("hotspot_id", "lat", "lon", "episodes", "children", "cse_share", "gang_share"):
        assert col in table.columns
    assert table["episodes"].is_monotonic_decreasing
    assert list(table["hotspot_id"]) == list(range(1, len(table) + 1))
    # Each hotspot named as in the app and the pack; positions to 5 decimals (about a metre), not 16.
    assert table["name"].str.endswith("(Kent)").all()
    for col in ("lat", "lon"):
        assert table[col].map(lambda v: len(repr(v).split(".")[1])).max() <= 5
    assert table[["easting", "northing", "radius_m"]].map(float.is_integer).all().all()
    assert table["cse_share"].dropna().between(0, 1).all() and table["gang_share"].dropna().between(0, 1).all()
    assert "NOTES" not in table.columns  # free text never leaves the analyst's own view
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(centres[:, 0], centres[:, 1])
    for (flag, _), la, lo in zip(PLANTED, lat, lon):
        near = table[np.hypot((table["lat"] - la) * 111_000, (table["lon"] - lo) * 70_000) < 400]
        assert len(near) == 1, flag
        assert near.iloc[0]["dominant_flag"] == flag
    assert "hotspots from" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (None, [], "no such file"),
        ("A,B\n1,2\n", [], ""),
        ("CHILD,MIS_START\n1,01/01/2024\n", [], "FOUND_POST"),
        ("CHILD,MIS_START,FOUND_POST\n1,01/01/2024,ME14 1XX\n", ["--la", "Atlantis"], "Atlantis"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, content, extra, message):
    path = tmp_path / "log.csv"
    if content is not None:
        path.write_text(content)
    out = tmp_path / "out.csv"
    assert main(["hotspots", "--missing", str(path), "--out", str(out), *extra]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]
    assert not out.exists()


def test_exit_status_2_through_python_m(tmp_path):
    out = tmp_path / "out.csv"
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "hotspots", "--missing", str(tmp_path / "absent.csv"), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: cannot read {tmp_path / 'absent.csv'}: no such file"]


def test_a_log_in_which_no_hotspot_is_found_writes_the_header_and_says_0(log_csv, tmp_path, capsys):
    """Too few episodes for any cluster: before, a traceback ('lat') and exit 1."""
    path, _centres = log_csv
    few = tmp_path / "few.csv"
    pd.read_csv(path).head(5).to_csv(few, index=False)
    out = tmp_path / "none.csv"
    assert main(["hotspots", "--missing", str(few), "--la", "Kent", "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert table.empty and {"hotspot_id", "lat", "lon", "episodes", "children"} <= set(table.columns)
    assert capsys.readouterr().err.startswith("0 hotspots from")

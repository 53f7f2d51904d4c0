"""``python -m analysis placements`` on the published fixtures, and its error contract (exit 2, one line)."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

from analysis.__main__ import main
from analysis.placements import LOCATION_COLUMNS

ROOT = Path(__file__).resolve().parents[1]


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_validator_fixture_through_a_real_process(fixtures_dir, tmp_path):
    source = fixtures_dir / "csc-validator-be-903" / "episodes.csv"
    out = tmp_path / "out.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "placements", "--episodes", str(source), "--la", "Kent", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    given, written = _read(source), _read(out)
    assert len(written) == len(given) == 5050
    assert list(written.columns) == list(given.columns) + LOCATION_COLUMNS
    pd.testing.assert_frame_equal(written[list(given.columns)], given)  # every row, in order, untouched
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    # Its postcodes are mostly random strings: those rows are kept and say why.
    unmeasured = written["PL_DISTANCE"] == ""
    assert unmeasured.sum() > 4000
    assert (written.loc[unmeasured, "DISTANCE_NOTE"] != "").all()


def test_liia_sector_fixture_pooled_by_la_column(fixtures_dir, tmp_path, capsys):
    source = fixtures_dir / "liia-tools" / "SSDA903_episodes_for_testing_fixes_INPUT.csv"
    out = tmp_path / "out.csv"
    assert main(["placements", "--episodes", str(source), "--out", str(out)]) == 0
    given, written = _read(source), _read(out)
    assert written["CHILD"].tolist() == given["CHILD"].tolist()
    unknown = (written["DISTANCE_BAND"] == "unknown").sum()
    assert unknown == len(written) - (written["PL_DISTANCE"] != "").sum()
    # One line on success: what was written and how many distances were measured.
    assert capsys.readouterr().err == (
        f"{len(written):,} episodes written to {out}; distance measured for "
        f"{len(written) - unknown:,}"
        + (f", not for {unknown:,} (the reason is in DISTANCE_NOTE)" if unknown else "")
        + "\n"
    )


def test_real_postcodes_and_formula_safe_output(tmp_path, capsys):
    source = tmp_path / "episodes.csv"
    source.write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        '=HYPERLINK("x"),01/01/2024,S,C2,N1,U4,PR1,,,,ME14 1NG,TA1 1AA,\n'
        "2,01/01/2024,S,C2,N1,K2,PR4,,,,ME14 1NG,CT1 1AA,SC123456\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    assert main(["placements", "--episodes", str(source), "--la", "886", "--out", str(out)]) == 0
    written = _read(out)
    assert written["PL_DISTANCE"].tolist() == ["158.7", "25.0"]
    assert written["PL_LOCATION"].tolist() == ["OUT", "IN"]
    assert written.loc[0, "CHILD"].startswith("'=")  # cannot run as a formula in a spreadsheet


def _error(args, capsys) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    return err


def test_missing_file(tmp_path, capsys):
    err = _error(
        ["placements", "--episodes", str(tmp_path / "nope.csv"), "--la", "Kent", "--out", str(tmp_path / "o.csv")],
        capsys,
    )
    assert "no such file" in err
    assert not (tmp_path / "o.csv").exists()


def test_unreadable_file(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00\x01garbage\x00\xff")
    err = _error(["placements", "--episodes", str(bad), "--la", "Kent", "--out", str(tmp_path / "o.csv")], capsys)
    assert "cannot read" in err


def test_missing_columns(tmp_path, capsys):
    src = tmp_path / "e.csv"
    src.write_text("CHILD,DECOM,LS,PLACE\n1,01/01/2024,C2,U4\n")
    err = _error(["placements", "--episodes", str(src), "--la", "Kent", "--out", str(tmp_path / "o.csv")], capsys)
    assert "HOME_POST" in err and "PL_POST" in err


def test_unknown_authority_suggests(tmp_path, capsys, fixtures_dir):
    src = fixtures_dir / "csc-validator-be-903" / "episodes.csv"
    err = _error(["placements", "--episodes", str(src), "--la", "Kentt", "--out", str(tmp_path / "o.csv")], capsys)
    assert "Kent" in err


def test_no_authority_and_no_la_column(tmp_path, capsys, fixtures_dir):
    src = fixtures_dir / "csc-validator-be-903" / "episodes.csv"
    err = _error(["placements", "--episodes", str(src), "--out", str(tmp_path / "o.csv")], capsys)
    assert "--la" in err


def test_exit_2_from_a_real_process(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "placements",
            "--episodes",
            str(tmp_path / "x.csv"),
            "--la",
            "Kent",
            "--out",
            str(tmp_path / "o.csv"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_output_folder_missing(tmp_path, capsys, fixtures_dir):
    src = fixtures_dir / "liia-tools" / "SSDA903_2020_episodes.csv"
    err = _error(
        ["placements", "--episodes", str(src), "--la", "Kent", "--out", str(tmp_path / "no" / "o.csv")], capsys
    )
    assert "cannot write" in err

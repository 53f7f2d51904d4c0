"""``python -m data check``: one line per table per file, the quality report, exit 0 or 2 with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from data.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


def test_each_table_of_each_file_gets_its_line_and_the_report_is_written(fixtures_dir, tmp_path, capsys):
    folder = fixtures_dir / "csc-validator-be-903"
    bad = tmp_path / "log.csv"
    bad.write_text(
        "CHILD,MIS_START,FOUND_POST,NOTES\n1,01/05/2023,ME1 1AA,ok\n3,31/03/2023 99:00,ME1 1AA,=cmd()\n"
        '2,02/05/2023,ME1 1AA,"opened\n4,03/05/2023,ME1 1AA,ok\n'
    )
    report = tmp_path / "report.csv"
    files = [folder / "episodes.csv", folder / "fake_903.xml", bad]
    assert main(["check", *map(str, files), "--la", "Kent", "--report", str(report)]) == 0
    lines = capsys.readouterr().out.splitlines()
    episodes = len(pd.read_csv(folder / "episodes.csv", dtype=str))
    assert lines[0] == f"{folder / 'episodes.csv'}: 903 Episodes: {episodes:,} read, {episodes:,} used, 0 set aside"
    assert [line.split(": ")[1] for line in lines[1:4]] == ["903 Header", "903 Episodes", "903 Missing"]
    assert lines[4] == f"{bad}: missing-team log: 4 read, 1 used, 3 set aside"
    issues = pd.read_csv(report, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    aside = issues[(issues["file"] == "log.csv") & (issues["severity"] == "set aside")]
    assert sorted(aside["row"].astype(int)) == [3, 4, 5]
    assert aside["reason"].str.contains("never closed|00:00-23:59:59").all()
    assert not issues["value"].str.startswith("=").any()  # formula-safe


def test_an_unreadable_file_is_exit_2_with_one_line(fixtures_dir, tmp_path):
    bad = tmp_path / "scan.csv"
    bad.write_bytes(b"%PDF-1.4 not a table")
    good = fixtures_dir / "csc-validator-be-903" / "episodes.csv"  # some rows with a warning
    report = tmp_path / "report.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "data", "check", str(good), str(bad), "--report", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"error: cannot read {bad}: this is a PDF document, not a data table (CSV, XLSX or 903 XML)"
    ]
    assert proc.stdout.splitlines()[0].startswith(f"{good}: 903 Episodes: ")
    # The report is still written; a file's own issue has no row, and every row is a whole number ("3",
    # never "3.0", though a file-level issue leaves the column with a blank).
    issues = pd.read_csv(report, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert issues.loc[issues["file"] == "scan.csv", "row"].tolist() == [""]
    rows = issues.loc[issues["file"] == "episodes.csv", "row"]
    assert len(rows) and rows.str.fullmatch(r"[1-9][0-9]*").all(), rows.head().tolist()


def test_a_missing_file_and_an_unknown_authority_are_exit_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "none.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "none.csv"), "--la", "Narnia"]) == 2
    assert "Narnia" in capsys.readouterr().err

"""``python -m data.england``: pooled multi-council files that the readers take as they are."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from data.england import ENGLAND_FILES, select_authorities
from data.readers import read_folder

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def england3(tmp_path_factory):
    out = tmp_path_factory.mktemp("england3")
    run = subprocess.run(
        [sys.executable, "-m", "data.england", "--authorities", "3", "--jobs", "1", "--quiet", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "3 authorities" in run.stdout
    return out


def test_three_authorities_are_darlington_and_its_neighbours():
    assert select_authorities(3) == ["E06000002", "E06000004", "E06000005"]
    assert len(select_authorities("all")) == 153
    assert select_authorities("Kent, 886,E06000005") == ["E06000005", "E10000016"]


def test_cli_writes_pooled_files_with_la_year_and_iso_dates(england3):
    for name in ENGLAND_FILES + ["SYNTHETIC_DATA_README.txt"]:
        assert (england3 / name).stat().st_size > 0, name
    episodes = pd.read_csv(england3 / "episodes.csv", dtype=str, keep_default_na=False)
    assert list(episodes.columns[-2:]) == ["LA", "YEAR"]
    assert set(episodes["LA"]) == {"Darlington", "Middlesbrough", "Stockton-on-Tees"}
    assert set(episodes["YEAR"]) == {"2026"}
    assert episodes["DECOM"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert episodes["CHILD"].str.startswith("SYN").all()
    log = pd.read_csv(england3 / "missing_log.csv", dtype=str, keep_default_na=False)
    assert log["MIS_START"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}").all()
    assert set(log["LA"]) == set(episodes["LA"])


def test_readers_take_the_pooled_files_with_an_authority_per_row(england3):
    dataset = read_folder(england3)
    assert set(dataset.episodes["LA_CODE"]) == {"E06000002", "E06000004", "E06000005"}
    assert set(dataset.missing_log["LA_CODE"]) == set(dataset.episodes["LA_CODE"])
    assert len(dataset.homes) > 0 and len(dataset.header) > 0
    assert not dataset.quality.file_errors()
    summary = dataset.quality.summary().set_index("file")
    assert summary.loc["episodes.csv", "rows_set_aside"] == 0
    assert dataset.la_code is None  # several authorities: no single responsible one


@pytest.mark.parametrize("args", [["--authorities", "Narnia"], ["--years", "9"]])
def test_cli_rejects_bad_arguments_with_exit_2_and_one_line(tmp_path, args):
    run = subprocess.run(
        [sys.executable, "-m", "data.england", *args, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("error:")

"""The DfE 903 validator (csc-validator-be-903, pinned in the Makefile) is the oracle for the demo.

Every rule runs on its own copy of each demo year (last year's files loaded as the validator's
"previous year"), for the committed Kent demo and for a freshly generated demo of another
authority. A flagged row fails the test unless ``oracle.known_faults`` explains it. The validator
lives in its own virtualenv (pandas < 2): ``make validator`` (a step of ``make test``) creates it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from oracle.known_faults import ACCEPTED_CRASHES, ACCEPTED_ROWS, AUTHORITIES_MISSING_IN_2021_LOOKUP

ROOT = Path(__file__).resolve().parents[1]
VALIDATOR_PYTHON = ROOT / ".venv-validator" / "bin" / "python"
RUNNER = ROOT / "oracle" / "run_rules.py"
DEMO = ROOT / "data" / "demo_data"
KENT = "E10000016"
OTHER = ("Leeds", "E08000035", 7)  # name, GSS code, seed: a metropolitan authority beside North Yorkshire
YEARS = (2024, 2025, 2026)


def run_validator(folder: Path, year: int, la: str, *rules: str) -> dict:
    if not VALIDATOR_PYTHON.exists():
        pytest.fail(f"the DfE validator's virtualenv is missing: run `make validator` ({VALIDATOR_PYTHON})")
    args = [str(VALIDATOR_PYTHON), str(RUNNER), str(folder), "--year", str(year), "--la", la]
    for rule in rules:
        args += ["--rule", rule]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _read(folder: Path, year: int, table: str) -> pd.DataFrame:
    path = folder / f"{year}_{table}.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame()


def _explained(condition: str, folder: Path, year: int, table: str, rows: list[int], index) -> pd.Series:
    """True for each flagged row that ``condition`` (a name in oracle.known_faults) explains."""
    frame = _read(folder, year, table.lower()).iloc[rows]
    if condition == "pl_post_in_authority_missing_in_2021_lookup":
        found = index.lookup(frame["PL_POST"])
        return found["la_code"].isin(list(AUTHORITIES_MISSING_IN_2021_LOOKUP)).to_numpy()
    if condition == "place_is_K3":
        return (frame["PLACE"] == "K3").to_numpy()
    if condition == "short_break":
        return frame["LS"].isin(["V3", "V4"]).to_numpy()
    if condition == "sex_recoded_1_2_to_M_F":
        last = _read(folder, year - 1, "header").set_index("CHILD")["SEX"]
        before = last.reindex(frame["CHILD"]).to_numpy()
        return ((frame["SEX"].to_numpy() == "M") & (before == "1")) | (
            (frame["SEX"].to_numpy() == "F") & (before == "2")
        )
    raise AssertionError(f"unknown condition {condition}")


def unexplained_rows(result: dict, folder: Path, year: int, index) -> dict[str, dict[str, int]]:
    """{rule: {table: rows no known fault explains}} of a validator run."""
    bad: dict[str, dict[str, int]] = {}
    for rule, tables in result["errors"].items():
        accepted = ACCEPTED_ROWS.get(rule)
        for table, rows in tables.items():
            if accepted and (accepted[0] is None or result["ruleset"] in accepted[0]):
                ok = _explained(accepted[1], folder, year, table, rows, index)
                rows = [r for r, fine in zip(rows, ok) if not fine]
            if rows:
                bad.setdefault(rule, {})[table] = len(rows)
    return bad


@pytest.fixture(scope="module")
def other_demo(tmp_path_factory) -> Path:
    from data.demo import write_demo

    folder = tmp_path_factory.mktemp("other_demo")
    write_demo(OTHER[0], folder, seed=OTHER[2])
    return folder


def _check(folder: Path, year: int, la: str, index) -> None:
    result = run_validator(folder, year, la)
    assert len(result["rules"]) > 250, result["ruleset"]  # the whole ruleset ran
    assert set(result["crashed"]) <= set(ACCEPTED_CRASHES), result["crashed"]
    bad = unexplained_rows(result, folder, year, index)
    assert not bad, f"{folder.name} {year} ({result['ruleset']}): the validator rejects rows {bad}"


@pytest.mark.parametrize("year", YEARS)
def test_the_validator_accepts_every_year_of_the_committed_demo(year, postcode_index):
    _check(DEMO, year, KENT, postcode_index)


@pytest.mark.parametrize("year", YEARS)
def test_the_validator_accepts_a_fresh_demo_of_another_authority(year, other_demo, postcode_index):
    _check(other_demo, year, OTHER[1], postcode_index)


def test_the_oracle_sees_a_planted_defect(tmp_path, postcode_index):
    """A URN "XXXXXXX" on a children's home placement (rule 242) and a V2 placement with parents (378)."""
    for name in ("2026_header.csv", "2026_episodes.csv", "2026_missing.csv", "2026_uasc.csv"):
        shutil.copy(DEMO / name, tmp_path / name)
    episodes = _read(tmp_path, 2026, "episodes")
    home = episodes.index[episodes["PLACE"] == "K2"][0]
    parents = episodes.index[episodes["PLACE"] == "P1"][0]
    episodes.loc[home, "URN"] = "XXXXXXX"
    episodes.loc[parents, "LS"] = "V2"
    episodes.to_csv(tmp_path / "2026_episodes.csv", index=False, lineterminator="\n")
    result = run_validator(tmp_path, 2026, KENT, "242", "378")
    assert result["errors"] == {"242": {"Episodes": [int(home)]}, "378": {"Episodes": [int(parents)]}}
    assert unexplained_rows(result, tmp_path, 2026, postcode_index) == {"242": {"Episodes": 1}, "378": {"Episodes": 1}}

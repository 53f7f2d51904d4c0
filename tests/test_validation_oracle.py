"""Our validator-style checks against the DfE validator's own verdicts on its fake data, row for row.

The shared fixture (csc-validator-be-903's tests/fake_data) is copied as the return for each year
and read the way a council's files are; each rule we claim must flag exactly the rows the
validator flags (rule by rule, on its own copy of the data; tests/test_dfe_validator.py).
"""

from __future__ import annotations

import shutil

import pytest

from data.readers import read_inputs
from data.validation import check_dataset
from tests.test_dfe_validator import run_validator

# Rules data/validation.py claims with the validator's meaning.
CLAIMED = ["143", "144", "145", "146", "149", "1006", "567", "574", "577", "578", "581", "1012", "INT04"]
TABLES = {"Episodes": "episodes", "Missing": "missing", "Header": "header"}


def _ours(folder, year: int) -> dict[str, set[tuple[str, int]]]:
    ds = read_inputs([folder / f"{year}_{t}.csv" for t in ("header", "episodes", "missing", "uasc")])
    check_dataset(ds, postcodes=False)
    issues = ds.quality.to_frame()
    issues = issues[issues["rule"].isin(CLAIMED)]
    return {
        rule: {(g_table, int(row) - 2) for g_table, row in zip(g["table"], g["row"])}
        for rule, g in issues.groupby("rule")
    }


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_claimed_rules_flag_the_validators_rows_on_its_fake_data(year, fixtures_dir, tmp_path):
    src = fixtures_dir / "csc-validator-be-903"
    for table in ("header", "episodes", "missing", "uasc"):
        shutil.copy(src / f"{table}.csv", tmp_path / f"{year}_{table}.csv")
    theirs_run = run_validator(tmp_path, year, "E09000027", *CLAIMED)
    theirs = {
        rule: {(TABLES[t], r) for t, rows in found.items() for r in rows}
        for rule, found in theirs_run["errors"].items()
    }
    ours = _ours(tmp_path, year)
    # 146 in 2024/25: the validator's "k3" typo rejects K3, which is valid that year.
    if theirs_run["ruleset"] == "lac2024_25" and "146" in theirs:
        import pandas as pd

        place = pd.read_csv(tmp_path / f"{year}_episodes.csv", dtype=str)["PLACE"]
        theirs["146"] = {(t, r) for t, r in theirs["146"] if place.iloc[r] != "K3"}
    for rule in CLAIMED:
        assert ours.get(rule, set()) == theirs.get(rule, set()), (
            rule,
            sorted(ours.get(rule, set()) - theirs.get(rule, set()))[:5],
            sorted(theirs.get(rule, set()) - ours.get(rule, set()))[:5],
        )

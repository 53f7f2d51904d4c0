"""PL_DISTANCE / PL_LA / PL_LOCATION: our derivation against the DfE validator's on the same pairs.

The validator (csc-validator-be-903, pinned in the Makefile) runs in its own virtualenv
(``make validator``) through ``oracle/derive.py``; its time is the best of 3 calls after a warm-up,
like ours. Agreement is measured against the 2025 truth: the ONS directory's grid references and
2025 authorities (our postcode index), PL_DISTANCE by the DfE formula (miles, 1 decimal place).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import best_of, result, size

ROOT = Path(__file__).resolve().parents[1]
VALIDATOR_PYTHON = ROOT / ".venv-validator" / "bin" / "python"
LA = "E10000016"  # Kent: the responsible authority for PL_LOCATION
SEED = 20260331


def _pairs(index, n: int) -> pd.DataFrame:
    """``n`` home and placement postcodes: real English unit postcodes, placements half within ~30 km."""
    from geo.postcodes import PostcodeIndex

    units = index.english_units()
    rng = np.random.default_rng(SEED)
    home = rng.integers(0, len(units), n)
    xy = units[["easting", "northing"]].to_numpy(float)
    near = rng.random(n) < 0.5
    from scipy.spatial import cKDTree

    target = xy[home] + rng.normal(0, 15_000, (n, 2))
    placed = np.where(near, cKDTree(xy).query(target)[1], rng.integers(0, len(units), n))
    codes = units["code"].to_numpy()
    return pd.DataFrame(
        {"HOME_POST": PostcodeIndex.postcodes_for(codes[home]), "PL_POST": PostcodeIndex.postcodes_for(codes[placed])}
    )


def _truth(index, pairs: pd.DataFrame) -> pd.DataFrame:
    home, pl = index.lookup(pairs["HOME_POST"]), index.lookup(pairs["PL_POST"])
    miles = np.round(
        np.hypot(
            home["easting"].to_numpy(float) - pl["easting"].to_numpy(float),
            home["northing"].to_numpy(float) - pl["northing"].to_numpy(float),
        )
        / 1000
        / 1.6093,
        1,
    )
    la = pl["la_code"].to_numpy(dtype=object)
    return pd.DataFrame({"PL_DISTANCE": miles, "PL_LA": la, "PL_LOCATION": np.where(la == LA, "IN", "OUT")})


def _agreement(got: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    dist = np.isclose(
        pd.to_numeric(got["PL_DISTANCE"], errors="coerce").to_numpy(float), truth["PL_DISTANCE"], atol=0.05
    )
    return {
        "PL_DISTANCE": 100 * dist.mean(),
        "PL_LA": 100 * (got["PL_LA"].astype(object).to_numpy() == truth["PL_LA"].to_numpy()).mean(),
        "PL_LOCATION": 100 * (got["PL_LOCATION"].astype(object).to_numpy() == truth["PL_LOCATION"].to_numpy()).mean(),
    }


def run() -> list[dict]:
    from analysis.placements import add_placement_location
    from geo.postcodes import get_postcode_index

    if not VALIDATOR_PYTHON.exists():
        raise RuntimeError(f"the DfE validator's virtualenv is missing: run `make validator` ({VALIDATOR_PYTHON})")
    index = get_postcode_index()
    n = size(250_000, 20_000)
    pairs = _pairs(index, n)
    truth = _truth(index, pairs)
    ours_s = best_of(lambda: add_placement_location(pairs, LA, index=index), 3)
    ours = add_placement_location(pairs, LA, index=index)
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "pairs.csv", Path(tmp) / "derived.csv"
        pairs.to_csv(src, index=False)
        done = subprocess.run(
            [
                str(VALIDATOR_PYTHON),
                str(ROOT / "oracle" / "derive.py"),
                str(src),
                str(out),
                "--la",
                LA,
                "--repeat",
                "3",
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        theirs_s = json.loads(done.stdout)["seconds"]
        theirs = pd.read_csv(out, dtype={"PL_LA": object, "PL_LOCATION": object})
    a_ours, a_theirs = _agreement(ours, truth), _agreement(theirs, truth)
    rows = [
        result(
            f"PL_DISTANCE, PL_LA, PL_LOCATION for {n:,} pairs",
            round(ours_s, 3),
            "s",
            baseline="DfE validator 0.1.17 (own venv)",
            baseline_value=round(theirs_s, 3),
            note="best of 3 after a warm-up each; ours also adds names, grid, lat/lon and notes",
        )
    ]
    for col in ("PL_DISTANCE", "PL_LA", "PL_LOCATION"):
        rows.append(
            result(
                f"{col}: disagreement with the 2025 truth, {n:,} pairs",
                round(100 - a_ours[col], 2),
                "%",
                baseline="DfE validator 0.1.17",
                baseline_value=round(100 - a_theirs[col], 2),
                note=f"agreement: ours {a_ours[col]:.2f}%, validator {a_theirs[col]:.2f}%",
            )
        )
    return rows

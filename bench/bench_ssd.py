"""Extracting the 903 tables from an England-size SSD against reading the same rows from CSV.

The synthetic England set (``data.england``; reused from ``$CARE_MAP_ENGLAND_DIR`` or ``england_demo/``
like ``bench_england``) is written into an SSD schema in a SQLite file (``data.ssd.cli_demo``; not
timed). Timed, in the same run: ``data.ssd.read_ssd`` (read-only connection, SELECTs, mapping, home address
and legal status by date, risk flags, then the 903 readers) against ``data.readers.read_inputs`` of the
extract's own four CSV files, i.e. the same rows as a council's export would give them.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

from bench.bench_england import _folder
from bench.common import is_quick, result, time_once

TARGET_RATIO_NOTE = "SSD read / CSV read of the same rows"


def run() -> list[dict]:
    from data.readers import read_folder, read_inputs
    from data.ssd import extract_tables, read_ssd, table_files
    from data.ssd.cli_demo import build_ssd

    rows: list[dict] = []
    folder = _folder(rows)
    work = Path(tempfile.mkdtemp(prefix="care_map_ssd_bench_"))
    try:
        england = read_folder(folder)
        url = f"sqlite:///{work / 'ssd.db'}"
        seconds, counts = time_once(functools.partial(build_ssd, url, england))
        children = counts["ssd_person"]
        rows.append(
            result(
                "build the SSD from the synthetic set (SQLite)",
                seconds,
                "s",
                note=f"{children:,} people, {counts['ssd_cla_episodes']:,} care episodes, "
                f"{counts['ssd_missing']:,} missing episodes; set-up, not a target",
            )
        )
        del england  # free it before the timed reads
        tables, _, _ = extract_tables(url)
        files = table_files(tables)
        ssd_s, dataset = time_once(lambda: read_ssd(url, la=None))
        csv_s, from_csv = time_once(lambda: read_inputs(files))
        assert len(dataset.episodes) == len(from_csv.episodes)
        rows.append(
            result(
                f"read_ssd: {children:,} people, {len(dataset.episodes):,} episodes (SQLite)",
                ssd_s,
                "s",
                baseline="read_inputs of the extract's CSV files",
                baseline_value=csv_s,
                note=f"{TARGET_RATIO_NOTE}; one run each{' (quick sizes)' if is_quick() else ''}",
            )
        )
        extract_s, _ = time_once(lambda: extract_tables(url))
        rows.append(
            result(
                "extract_tables alone (SELECT and map, no readers)",
                extract_s,
                "s",
                baseline="read_inputs of the extract's CSV files",
                baseline_value=csv_s,
                note="the SSD-specific part of read_ssd",
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows

"""``python -m analysis hotspots``: hotspots of missing episodes in a missing-team log, one CSV row per hotspot.

Rows are sorted by episodes (largest hotspot first) and carry at least
``hotspot_id`` (1 for the largest), ``name`` ("Margate, CT9 1 (Kent)"), ``lat``, ``lon``, ``episodes``, ``children`` and the share of
episodes with each risk flag (``cse_share``, ``gang_share``, ... 0-1). Bad rows
are set aside and counted on stderr; only an unreadable file, a missing column
or an unknown authority stops the command (exit status 2, one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data.cli_errors import CommandError, authority_argument

OUTPUT_COLUMNS = [
    "hotspot_id",
    "name",
    "lat",
    "lon",
    "easting",
    "northing",
    "radius_m",
    "episodes",
    "children",
    "cse_share",
    "cce_share",
    "gang_share",
    "county_lines_share",
    "trafficked_share",
    "substance_share",
    "dominant_flag",
    "first_date",
    "last_date",
    "trend",
    "trend_per_month",
    "night_share",
    "top_weekday",
    "median_distance_miles",
    "out_of_area_share",
    "top_placement_areas",
    "top_responsible_authorities",
    "children_at_other_hotspots",
    "linked_hotspots",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--missing",
        required=True,
        type=Path,
        help="the missing team's log (CSV or XLSX) with CHILD, MIS_START and FOUND_POST or FOUND_LAT/FOUND_LON",
    )
    parser.add_argument(
        "--episodes",
        type=Path,
        default=None,
        help="903 episodes, for the placement each child went missing from (optional)",
    )
    parser.add_argument(
        "--la", default=None, help="responsible children's services authority: GSS code, DfE code or name"
    )
    parser.add_argument("--out", required=True, type=Path, help="CSV to write (UTF-8 with BOM, spreadsheet-safe)")
    parser.add_argument(
        "--location",
        choices=["found", "from"],
        default="found",
        help="cluster where children were found (default) or where they went missing from",
    )
    parser.add_argument(
        "--min-cluster-size", type=int, default=8, help="fewest episodes that make a hotspot (default 8)"
    )
    parser.add_argument("--method", choices=["hdbscan", "dbscan"], default="hdbscan")
    parser.add_argument("--eps-m", type=float, default=250, help="DBSCAN radius in metres (default 250)")


def _read(paths: list[Path], la):
    from data.readers import read_inputs

    for path in paths:
        if not path.is_file():
            raise CommandError(f"cannot read {path}: no such file")
    dataset = read_inputs(paths, la=la)
    errors = dataset.quality.file_errors()
    if errors:
        first = errors[0]
        raise CommandError(f"cannot read {first.file}: {first.reason}")
    return dataset


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from analysis.hotspots import find_hotspots
    from analysis.missing import missing_episodes
    from reports.export import to_safe_csv

    la = authority_argument(args.la) if args.la is not None else None
    if args.min_cluster_size < 2:
        raise CommandError("--min-cluster-size must be at least 2")
    paths = [args.missing] + ([args.episodes] if args.episodes else [])
    dataset = _read(paths, la.code if la else None)
    if dataset.missing_log.empty and dataset.missing.empty:
        raise CommandError(f"{args.missing} is not a missing-team log: it needs columns CHILD and MIS_START")
    if args.episodes and dataset.episodes.empty:
        raise CommandError(f"{args.episodes} has no 903 episodes (needs CHILD, DECOM, PLACE, PL_POST ...)")
    episodes = missing_episodes(dataset, la=la.code if la else None)
    prefix = args.location.upper()
    if episodes.empty or episodes[f"{prefix}_EASTING"].isna().all():
        need = (
            "FOUND_POST (or FOUND_LAT and FOUND_LON)"
            if args.location == "found"
            else "FROM_POST (or --episodes with PL_POST)"
        )
        raise CommandError(f"{args.missing} has no episode with a usable location: it needs {need}")
    hotspots = find_hotspots(
        episodes, location=args.location, min_cluster_size=args.min_cluster_size, method=args.method, eps_m=args.eps_m
    )
    table = hotspots.drop(columns="geometry")
    if table.empty:  # no hotspot found: the file still has its header, and the run says "0 hotspots"
        table = pd.DataFrame(columns=OUTPUT_COLUMNS)
    table = table[[c for c in OUTPUT_COLUMNS if c in table.columns]]
    for col in ("lat", "lon"):
        table[col] = table[col].astype(float).round(5)
    for col in ("easting", "northing", "radius_m"):  # metres: a grid reference to the metre, not 16 decimals
        table[col] = table[col].astype(float).round(0)
    for col in [c for c in table if c.endswith("_share")] + ["trend_per_month", "trend_p", "median_distance_miles"]:
        if col in table:
            table[col] = table[col].astype(float).round(3 if col.endswith("_share") else 2)
    for col in ("first_date", "last_date"):
        if col in table and len(table):
            table[col] = table[col].dt.strftime("%Y-%m-%d")
    try:
        args.out.write_bytes(to_safe_csv(table))
    except OSError as exc:
        raise CommandError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    set_aside = len(dataset.quality)
    located = int(episodes[[f"{args.location.upper()}_EASTING"]].notna().sum().iloc[0]) if len(episodes) else 0
    print(
        f"{len(table)} hotspots from {located} of {len(episodes)} episodes with a location"
        + (f"; {set_aside} data-quality notes" if set_aside else ""),
        file=sys.stderr,
    )
    return 0

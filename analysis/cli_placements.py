"""``python -m analysis placements``: add placement distance and location columns to a 903 episodes CSV.

Every input row is written, in order, with the columns of
:func:`analysis.placements.add_placement_location` added. Rows with bad or
missing postcodes are kept and say why in ``DISTANCE_NOTE``; only an
unreadable file, a missing column or an unknown authority stops the command
(exit status 2, one line on stderr). On success it says on stderr how many episodes it wrote
and for how many the distance was measured.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from data.cli_errors import CommandError, authority_argument
from data.text_csv import read_text_csv

REQUIRED_COLUMNS = ["CHILD", "LS", "PLACE", "HOME_POST", "PL_POST"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--episodes", required=True, type=Path, help="903 episodes CSV (one council or pooled)")
    parser.add_argument(
        "--la",
        default=None,
        help="responsible children's services authority: GSS code, DfE code or name "
        "(omit for pooled files with an LA_CODE or LA column)",
    )
    parser.add_argument("--out", required=True, type=Path, help="CSV to write (UTF-8 with BOM, spreadsheet-safe)")


def _read(path: Path) -> pd.DataFrame:
    try:
        return read_text_csv(path)
    except FileNotFoundError:
        raise CommandError(f"cannot read {path}: no such file") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CommandError(f"cannot read {path} as a CSV file: {reason}") from None


def run(args: argparse.Namespace) -> int:
    from analysis.placements import add_placement_location
    from reports.export import to_safe_csv

    la = authority_argument(args.la) if args.la is not None else None
    episodes = _read(args.episodes)
    episodes.columns = [str(c).strip().upper() for c in episodes.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in episodes.columns]
    if missing:
        raise CommandError(f"{args.episodes} is missing column(s) {', '.join(missing)}")
    if la is None and not {"LA_CODE", "LA"} & set(episodes.columns):
        raise CommandError("give --la (the responsible authority), or a file with an LA_CODE or LA column")
    enriched = add_placement_location(episodes, la)
    try:
        args.out.write_bytes(to_safe_csv(enriched))
    except OSError as exc:
        raise CommandError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    measured = int(pd.to_numeric(enriched["PL_DISTANCE"], errors="coerce").notna().sum())
    # One line on success, as `analysis hotspots` does, so a scheduled job's log shows what happened.
    print(
        f"{len(enriched):,} episodes written to {args.out}; distance measured for {measured:,}"
        + (
            f", not for {len(enriched) - measured:,} (the reason is in DISTANCE_NOTE)"
            if measured < len(enriched)
            else ""
        ),
        file=sys.stderr,
    )
    return 0

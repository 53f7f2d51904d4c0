"""``python -m analysis missing``: add where-found columns to a missing team's log.

Every log row is written, in order, untouched, with the columns of
:func:`analysis.found.add_found_location` added (FOUND_DISTANCE in miles,
FOUND_LA, FOUND_LOCATION, FOUND_NOTE ...). Where FROM_POST is blank, the
placement postcode at the start of the episode is taken from ``--episodes``
(the 903 episode open that day). Rows with bad postcodes, positions or dates are
kept and say why in FOUND_NOTE; only an unreadable file, a missing column or an
unknown authority stops the command (exit status 2, one line on stderr).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from analysis.cli_errors import CommandError, authority_argument
from analysis.cli_placements import _read as _read_csv
from data.raw_table import FileRejected
from data.read_files import read_raw_tables

LOG_COLUMNS = ["CHILD", "MIS_START"]
EPISODE_COLUMNS = ["CHILD", "DECOM", "PL_POST"]
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--missing",
        required=True,
        type=Path,
        help="the missing team's log (CSV or XLSX) with CHILD, MIS_START, FROM_POST and FOUND_POST "
        "or FOUND_LAT/FOUND_LON",
    )
    parser.add_argument(
        "--episodes",
        type=Path,
        default=None,
        help="903 episodes CSV, for the placement postcode where FROM_POST is blank (optional)",
    )
    parser.add_argument(
        "--la",
        default=None,
        help="responsible children's services authority: GSS code, DfE code or name "
        "(omit for pooled logs with an LA_CODE or LA column)",
    )
    parser.add_argument("--out", required=True, type=Path, help="CSV to write (UTF-8 with BOM, spreadsheet-safe)")


def _read(path: Path) -> pd.DataFrame:
    """The log as text; a workbook through the app's reader, so its size, text and cell limits hold here too."""
    if path.suffix.lower() not in _EXCEL_SUFFIXES:
        return _read_csv(path)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"cannot read {path}: no such file") from None
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        first = read_raw_tables(path.name, content)[0]  # the first sheet with a table, as Excel opens on
    except FileRejected as exc:
        raise CommandError(f"cannot read {path} as an Excel workbook: {exc}") from None
    return first.frame


def _upper_columns(frame: pd.DataFrame, path: Path, required: list[str]) -> pd.DataFrame:
    frame.columns = [str(c).strip().upper() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise CommandError(f"{path} is missing column(s) {', '.join(missing)}")
    return frame


def _placement_postcodes(log: pd.DataFrame, episodes: pd.DataFrame) -> pd.Series:
    """PL_POST of the 903 episode open on the day each log episode started ('' when none), in log order."""
    from analysis.missing import _placement_at_start, _prepare

    keys = [c for c in ("LA", "CHILD") if c in log.columns and c in episodes.columns]
    work = _prepare(log[[*keys, "MIS_START"]])
    eps = episodes[[c for c in (*keys, "DECOM", "DEC", "PL_POST") if c in episodes.columns]]
    placed = _placement_at_start(work, eps)["PL_POST"]
    return placed.astype(object).where(placed.notna(), "").astype(str).reset_index(drop=True)


def run(args: argparse.Namespace) -> int:
    from analysis.found import add_found_location
    from reports.export import to_safe_csv

    la = authority_argument(args.la) if args.la is not None else None
    log = _upper_columns(_read(args.missing), args.missing, LOG_COLUMNS)
    if "FOUND_POST" not in log.columns and not {"FOUND_LAT", "FOUND_LON"} <= set(log.columns):
        raise CommandError(f"{args.missing} is missing column(s) FOUND_POST (or FOUND_LAT and FOUND_LON)")
    if la is None and not {"LA_CODE", "LA"} & set(log.columns):
        raise CommandError("give --la (the responsible authority), or a log with an LA_CODE or LA column")
    work = log.copy()
    if args.episodes is not None:
        episodes = _upper_columns(_read_csv(args.episodes), args.episodes, EPISODE_COLUMNS)
        work["PL_POST"] = _placement_postcodes(work, episodes).to_numpy()
    enriched = add_found_location(work, la)
    # The log as given, untouched (a PL_POST of its own included), then the new columns.
    enriched = pd.concat([log, enriched[[c for c in enriched.columns if c not in work.columns]]], axis=1)
    try:
        args.out.write_bytes(to_safe_csv(enriched))
    except OSError as exc:
        raise CommandError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    return 0

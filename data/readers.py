"""Read a council's files as they are into one :class:`~data.dataset.Dataset`.

Accepted: the 903 return's Header, Episodes, Missing and UASC tables as CSV,
XLSX (each sheet a table) or the XML return; pooled multi-council files with
extra ``LA`` and ``YEAR`` columns; the missing team's own log; a children's
homes register; placement costs. Tables are recognised by their columns, not
by file name. See docs/inputs.md for every column.

Nothing here raises for bad input. Each problem is recorded in
``dataset.quality`` with file, row, column and reason, and every row read is
either in a table or set aside, file by file.

Several years at once: when the same episode (CHILD, DECOM), missing episode
(CHILD, MISSING, MIS_START), child (Header / UASC: CHILD) or log entry (CHILD,
MIS_START) appears in more than one file or row, the row from the later year
is used (the ``YEAR`` column, else a year in the file name, else the order the
files were given, then the row order) and the others are set aside, naming
the row that was kept. In pooled files the authority is part of the key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from data import schemas as S
from data.dataset import Dataset
from data.quality import REPEATED_RECORD, QualityReport
from data.read_files import MAX_FILE_BYTES, FileRejected, RawTable, read_raw_tables, too_big_message
from data.read_tables import TABLE_NAMES, clean_table, not_recognised_message, recognise_table
from geo.authorities import UnknownAuthorityError, resolve_authority

__all__ = ["InputFile", "read_inputs", "read_folder", "folder_files", "READ_EXTENSIONS", "DUPLICATE_KEYS"]

READ_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xml")
# Files in a folder that are documentation, the synthetic demo's answer key or an extract's own
# data-quality report (python -m data extract), not inputs.
_SKIP_STEMS = ("readme", "source", "licence", "license", "synthetic_data_readme", "ground_truth", "quality_report")

DUPLICATE_KEYS = {
    "episodes": (["CHILD", "DECOM"], "same episode"),
    "missing": (["CHILD", "MISSING", "MIS_START"], "same missing episode"),
    "header": (["CHILD"], "same child"),
    "uasc": (["CHILD"], "same child"),
    "missing_log": (["CHILD", "MIS_START"], "same missing episode"),
    "homes": (["URN"], "same home (URN)"),
    "costs": (["PLACEMENT_GROUP"], "same placement group"),
}


@dataclass(frozen=True)
class InputFile:
    """An uploaded file: its name (for messages) and its bytes."""

    name: str
    content: bytes


SYNTHETIC_MARKER = "SYNTHETIC_DATA_README.txt"


def read_folder(path, *, la=None) -> Dataset:
    """Read every data file (CSV, TSV, TXT, XLSX, XML) in a folder, not its subfolders.

    Hidden files, README / SOURCE / LICENCE files and the synthetic demo's
    ``ground_truth.csv`` (its answer key) are skipped.
    """
    folder = Path(path)
    if not folder.is_dir():
        dataset = Dataset()
        dataset.quality.file_error(
            folder.name or str(folder), "folder not found" if not folder.exists() else "this is a file, not a folder"
        )
        return dataset
    dataset = read_inputs(folder_files(folder), la=la)
    # The demo generator leaves this marker beside its files; every view must then say "synthetic".
    dataset.synthetic = (folder / SYNTHETIC_MARKER).exists()
    return dataset


def folder_files(path) -> list[Path]:
    """The data files :func:`read_folder` reads in a folder, by name (the inputs a snapshot lists)."""
    return sorted(
        p
        for p in Path(path).iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and p.suffix.lower() in READ_EXTENSIONS
        and not p.stem.lower().startswith(_SKIP_STEMS)
    )


def read_inputs(files, *, la=None) -> Dataset:
    """Read files (``InputFile`` objects or paths) into a Dataset.

    Parameters
    ----------
    files : iterable of InputFile, str or Path, or upload objects with ``name``
        and ``getvalue()`` (a single one is accepted too).
    la : the responsible children's services authority (name, DfE or GSS code),
        stored as ``dataset.la_code`` (GSS). When None and a pooled file names
        exactly one authority, that one is used.
    """
    if isinstance(files, (InputFile, str, os.PathLike)):
        files = [files]
    quality = QualityReport()
    pieces: dict[str, list[pd.DataFrame]] = {k: [] for k in TABLE_NAMES}
    used_labels: set[str] = set()
    for order, item in enumerate(files):
        name, content = _load(item, quality, used_labels)
        if content is None:
            continue
        try:
            raw_tables = read_raw_tables(name, content)
        except FileRejected as exc:
            quality.file_error(name, str(exc))
            continue
        except Exception as exc:  # a reader bug must not become a traceback for the user
            quality.file_error(name, f"could not be read ({type(exc).__name__}: {str(exc)[:120]})")
            continue
        for raw in raw_tables:
            _read_table(raw, order, quality, pieces)

    dataset = Dataset(quality=quality)
    for kind, frames in pieces.items():
        if not frames:
            continue
        table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        table = _drop_duplicates(table, kind, quality)
        table = table[~table["_SET_ASIDE"]].drop(columns=["_SET_ASIDE", "_ORDER", "_YEAR"])
        setattr(dataset, kind, table.reset_index(drop=True))
    dataset.la_code = _responsible_la(la, dataset, quality)
    return dataset


# --------------------------------------------------------------------------- helpers
def _unique_label(name: str, used: set[str]) -> str:
    label, n = name, 1
    while label in used:
        n += 1
        label = f"{name} ({n})"
    used.add(label)
    return label


def _load(item, quality: QualityReport, used: set[str]) -> tuple[str, bytes | None]:
    if isinstance(item, InputFile):
        return _unique_label(item.name, used), item.content
    if hasattr(item, "getvalue") and hasattr(item, "name"):  # an upload widget's file object
        name = _unique_label(str(item.name), used)
        size = getattr(item, "size", None)
        if size is not None and size > MAX_FILE_BYTES:
            quality.file_error(name, too_big_message(size))
            return name, None
        return name, item.getvalue()
    path = Path(item)
    name = _unique_label(path.name, used)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:  # checked before a single byte is read
            quality.file_error(name, too_big_message(size))
            return name, None
        return name, path.read_bytes()
    except IsADirectoryError:
        quality.file_error(name, "this is a folder, not a file")
    except OSError as exc:
        quality.file_error(name, f"could not be opened ({exc.strerror or type(exc).__name__})")
    return name, None


def _read_table(raw: RawTable, order: int, quality: QualityReport, pieces: dict) -> None:
    kind = raw.kind or recognise_table(raw.frame.columns)
    if kind is None:
        quality.file_error(raw.label, not_recognised_message(list(raw.frame.columns)))
        return
    if kind.startswith("other903:"):
        quality.file_error(
            raw.label, f"a 903 {kind.split(':', 1)[1]} table: not used by this app", table=kind.split(":", 1)[1]
        )
        return
    quality.add_file(raw.label, kind, len(raw.frame))
    try:
        table = clean_table(raw, kind, quality)
    except Exception as exc:  # keep the accounting whole even if a conversion fails unexpectedly
        for row in raw.rows:
            quality.set_aside(raw.label, kind, int(row), None, None, f"row not read ({type(exc).__name__})")
        return
    if "LA" in table.columns:
        _resolve_pooled_la(table, raw.label, kind, quality)
    table["_ORDER"] = order
    if "YEAR" in table.columns:
        table["_YEAR"] = table["YEAR"].astype("Float64").fillna(raw.year if raw.year else np.nan).astype("float64")
    else:
        table["_YEAR"] = float(raw.year) if raw.year else np.nan
    pieces[kind].append(table)


def _resolve_pooled_la(table: pd.DataFrame, label: str, kind: str, quality: QualityReport) -> None:
    codes: dict[str, str | None] = {}
    for name in table["LA"].dropna().unique():
        try:
            codes[name] = resolve_authority(name).code
        except UnknownAuthorityError as exc:
            codes[name] = None
            rows = table.loc[table["LA"] == name, S.SOURCE_ROW]
            for row in rows:
                quality.warn(label, kind, int(row), "LA", name, str(exc))
    table["LA_CODE"] = table["LA"].map(codes).astype(object)


def _drop_duplicates(table: pd.DataFrame, kind: str, quality: QualityReport) -> pd.DataFrame:
    key, what = DUPLICATE_KEYS[kind]
    if "LA" in table.columns:
        table["_LA_KEY"] = table.get("LA_CODE", pd.Series(index=table.index, dtype=object)).fillna(
            table["LA"].astype(object).str.upper()
        )
        key = ["_LA_KEY", *key]
    live = table[~table["_SET_ASIDE"]]
    live = live[live[key].notna().all(axis=1)] if kind in ("homes", "costs") else live
    if live.empty:
        return table.drop(columns=["_LA_KEY"], errors="ignore")
    ordered = live.assign(_Y=live["_YEAR"].fillna(-1.0)).sort_values(["_Y", "_ORDER", S.SOURCE_ROW], kind="stable")
    earlier = ordered.duplicated(key, keep="last")
    if earlier.any():
        kept = ordered[~earlier][key + [S.SOURCE_FILE, S.SOURCE_ROW]]
        dups = ordered[earlier][key + [S.SOURCE_FILE, S.SOURCE_ROW]].reset_index()
        matched = dups.merge(kept, on=key, how="left", suffixes=("", "_KEPT"))
        for rec in matched.itertuples(index=False):
            rec = rec._asdict()
            # The kept row goes in `value` so that the reason is the same for every row of a file
            # and the report can group thousands of year-on-year repeats into one line.
            quality.set_aside(
                rec[S.SOURCE_FILE],
                kind,
                int(rec[S.SOURCE_ROW]),
                None,
                f"row {int(rec[S.SOURCE_ROW + '_KEPT'])} is used",
                f"{what} also in {rec[S.SOURCE_FILE + '_KEPT']}",
                rule=REPEATED_RECORD,
            )
        table.loc[matched["index"].to_numpy(), "_SET_ASIDE"] = True
    return table.drop(columns=["_LA_KEY"], errors="ignore")


def _responsible_la(la, dataset: Dataset, quality: QualityReport) -> str | None:
    if la is not None:
        try:
            return resolve_authority(la).code
        except UnknownAuthorityError as exc:
            quality.warn("(settings)", "settings", None, "la", la, str(exc))
            return None
    codes = set()
    for table in (dataset.episodes, dataset.header):
        if "LA_CODE" in table.columns:
            codes |= set(table["LA_CODE"].dropna().unique())
    return codes.pop() if len(codes) == 1 else None

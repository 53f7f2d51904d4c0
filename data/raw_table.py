"""What every reader hands on: a raw table of text from one file or sheet, or one reason the file is refused.

Kept apart from :mod:`data.read_files` so that the CSV/XLSX reader, the XML reader
(:mod:`data.read_xml`) and table recognition (:mod:`data.read_tables`) all depend on it and
not on each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "RawTable",
    "FileRejected",
    "normalise_column",
    "file_year",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "too_wide_message",
    "too_long_message",
]

MAX_COLUMNS = 1000  # named columns in a table; a 903 table has under 30, a council's log well under 100
# Rows (CSV: non-blank lines; workbooks: non-empty rows; XML: CHILD, EPISODE or AMISSING records) in one
# file. A year of England's Episodes is about 220,000 rows, its missing incidents about 87,000. It bounds
# the costliest files per byte, millions of bad rows each listed in the quality report, to under 1 GB;
# a file of good rows takes about 12 times its size (docs/limits.md).
MAX_ROWS = 1_000_000


class FileRejected(Exception):
    """The whole file cannot be read; the message is shown to the user as it is."""


@dataclass
class RawTable:
    """One table of text as read from a file or sheet.

    ``frame`` has normalised column names (upper case, stripped, inner spaces
    as underscores) and text cells ("" for blank); ``rows`` holds the line
    number a spreadsheet shows for each data row (header = 1), or for XML the
    record's position among its elements. ``notes`` are file-level warnings.
    """

    label: str
    frame: pd.DataFrame
    rows: np.ndarray
    year: int | None = None
    notes: list[str] = field(default_factory=list)
    kind: str | None = None  # set by readers that know the table already (XML)
    # Problems a reader found in single rows before any column was read, as (row, severity, reason) with
    # severity data.quality.SET_ASIDE or WARNING: e.g. a quoted CSV value running across lines.
    row_issues: list[tuple[int, str, str]] = field(default_factory=list)


def normalise_column(name) -> str:
    text = "" if name is None else str(name)
    text = text.replace("\ufeff", "").strip().upper()
    return re.sub(r"[\s\-]+", "_", text)


def file_year(name: str) -> int | None:
    """A collection year written in a file name ("2018-episodes.csv" -> 2018), else None."""
    found = re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", name)
    return int(found[-1]) if found else None


def too_long_message(rows: int, *, what: str = "rows") -> str:
    """The one message for a file with more rows than :data:`MAX_ROWS`."""
    return (
        f"the file has over {MAX_ROWS:,} {what} ({rows:,} or more), over the limit (MAX_ROWS); a year of "
        "England's 903 episodes is about 220,000: split it by year"
    )


def too_wide_message(
    columns: int,
    *,
    where: str = "the first row has",
    advice: str = "check the delimiter or save only the table's own columns",
) -> str:
    """The one message for a table wider than :data:`MAX_COLUMNS`."""
    return (
        f"{where} {columns:,} columns, over the {MAX_COLUMNS:,} column limit (MAX_COLUMNS); "
        f"a 903 table has under 30: {advice}"
    )

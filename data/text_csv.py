"""A CSV file as a table of text, every cell a string ('' for an empty one), for the command lines.

The frame is exactly ``pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")``.
A plain file (one header line of distinct, unquoted names and rows as wide as it) is read by Arrow's
multi-threaded CSV reader, about six times faster than pandas' on 250,000 episodes
(bench/bench_exports.py). Anything else Arrow refuses or might read differently (a quoted or
repeated column name, short or long rows, blank lines, bytes that are not UTF-8) is read by pandas
itself, so the fast path never changes a frame or an error, only how quickly the frame is made;
tests/test_text_csv.py compares the two on generated files.

The app does not use this: its reader (:mod:`data.read_files`) accounts for every physical line.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

__all__ = ["read_text_csv"]

_BOM = b"\xef\xbb\xbf"


def read_text_csv(path: str | Path) -> pd.DataFrame:
    """The CSV at ``path`` (UTF-8, with or without a byte-order mark) with every column as text.

    Raises what ``pd.read_csv`` raises for the same file (``FileNotFoundError``, ``UnicodeDecodeError``,
    ``pandas.errors.ParserError``, ``pandas.errors.EmptyDataError``, ``OSError``).
    """
    content = Path(path).read_bytes()
    frame = _by_arrow(content)
    if frame is not None:
        return frame
    return pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _by_arrow(content: bytes) -> pd.DataFrame | None:
    """The frame, or None when pandas must read the file (its answer might differ from Arrow's)."""
    body = content[len(_BOM) :] if content.startswith(_BOM) else content
    end = body.find(b"\n")
    first = body[: end if end >= 0 else len(body)]
    header = first[:-1] if first.endswith(b"\r") else first  # no other CR: checked next
    if end < 0 or b'"' in header or not body.endswith(b"\n") or body.count(b"\r") != body.count(b"\r\n"):
        # no row below the header, a quoted name, no line end at the end of the file (which the check
        # for an unclosed quote below relies on), or a carriage return alone (the readers split lines
        # differently around one): pandas decides
        return None
    try:
        names = header.decode("utf-8").split(",")
    except UnicodeDecodeError:
        return None
    if len(names) < 2 or any(not name.strip() for name in names) or len(set(names)) < len(names):
        # pandas skips a line of spaces as blank (in a one-column file, a row), names a blank column
        # "Unnamed: 0" and a repeated one "A.1"
        return None
    try:
        table = pa_csv.read_csv(
            io.BytesIO(body),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.large_string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
                auto_dict_encode=False,
            ),
        )
    except (pa.ArrowException, OSError):  # ragged rows, blank lines, bad UTF-8: pandas says what is wrong
        return None
    if table.column_names != names:
        return None
    if table.num_rows and str(table.column(-1)[-1].as_py()).endswith(("\n", "\r")):
        # Arrow reads a quote never closed to the end of the file; pandas refuses it. A file that ends
        # with a line end leaves that line end in the last cell exactly then (or when a quoted value
        # really ends with one): pandas decides both.
        return None
    return table.to_pandas()

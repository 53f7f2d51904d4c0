"""CSV and spreadsheet exports that are safe to open in Excel.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return
before one of them) can run as a formula when a spreadsheet opens the file
(CSV injection). Such text cells get a leading apostrophe, the OWASP advice;
real numbers are left alone so that totals still add up. CSV is written as
UTF-8 with a byte-order mark so that Excel shows names with accents correctly,
and our own readers strip the mark again.
"""

from __future__ import annotations

import codecs
import io
import re

import numpy as np
import pandas as pd
import pyarrow as pa

from reports.csv_text import LINE_END, csv_bytes, holds_any

__all__ = ["neutralise_formulas", "to_safe_csv", "to_safe_xlsx", "FORMULA_PREFIXES", "FORMULA_PATTERN"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


# The characters Python's str.lstrip() skips (str.isspace()), as themselves: none is special inside a
# character class, so the same pattern works in Arrow's RE2 and in re.
_BLANK = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
# A cell is a formula risk when it starts with a tab, CR or LF, or when its first non-blank character is
# = + - @ (spreadsheets skip leading blanks before a formula sign).
FORMULA_PATTERN = f"^(?:[\t\r\n]|[{_BLANK}]*[=+\\-@])"
_FORMULA_CHARACTERS = "\t\r\n=+-@"
_FORMULA = re.compile(FORMULA_PATTERN)


def _neutralise(value):
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def _formula_mask(values: pd.Series) -> np.ndarray:
    """True for the text cells of ``values`` that could start a formula (one vectorised pass)."""
    if isinstance(values.dtype, pd.StringDtype):
        # Every match holds one of these ASCII characters: a column with none of them skips the pattern.
        if values.dtype.storage == "pyarrow" and not holds_any(pa.array(values.array), _FORMULA_CHARACTERS):
            return np.zeros(len(values), dtype=bool)
        text = values
    elif pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        text = values.astype("str")
    else:  # mixed cells: test each distinct text once, leave numbers, dates and the like alone
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        risky = np.fromiter((isinstance(u, str) and _FORMULA.match(u) is not None for u in uniques), bool, len(uniques))
        return np.append(risky, False)[codes]  # code -1 (a missing value) takes the appended False
    return text.str.contains(FORMULA_PATTERN, regex=True).fillna(False).to_numpy(dtype=bool)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` in which no text cell (or column name) can start a formula.

    Vectorised: each text column is tested with one regular expression (Arrow's for string columns),
    and only the cells that match are changed.
    """
    out = frame.copy()
    for position, _col in enumerate(out.columns):
        values = out.iloc[:, position]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        mask = _formula_mask(values)
        if mask.any():
            fixed = values.astype(object)
            fixed[mask] = "'" + fixed[mask].astype(str)
            out.isetitem(position, fixed)
    out.columns = [_neutralise(str(c)) for c in out.columns]
    return out


def to_safe_csv(frame: pd.DataFrame, *, index: bool = False) -> bytes:
    """UTF-8 CSV with a byte-order mark, formula-injection safe.

    The bytes of pandas' ``to_csv`` with CRLF line ends (as Excel writes; they also make any cell holding
    a lone CR quoted), made column by column in Arrow (:func:`reports.csv_text.csv_bytes`).
    """
    safe = neutralise_formulas(frame)
    if index:
        return safe.to_csv(index=True, lineterminator=LINE_END).encode("utf-8-sig")
    return codecs.BOM_UTF8 + csv_bytes(safe)


def to_safe_xlsx(frames: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook, one sheet per frame (sheet names cut to Excel's 31 characters).

    Text cells are written as text, never as formulas.
    """
    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in frames.items():
            neutralise_formulas(frame).to_excel(writer, sheet_name=_sheet_name(name, used), index=False)
    return buffer.getvalue()


def _sheet_name(name, used: set[str]) -> str:
    """A sheet name Excel accepts: no / \\ ? * [ ] :, at most 31 characters, unique in the workbook."""
    base = re.sub(r"[\\/?*\[\]:]", "_", str(name)).strip("'")[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate

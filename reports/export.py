"""CSV and spreadsheet exports that are safe to open in Excel.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return
before one of them) can run as a formula when a spreadsheet opens the file
(CSV injection). Such text cells get a leading apostrophe, the OWASP advice;
real numbers are left alone so that totals still add up. CSV is written as
UTF-8 with a byte-order mark so that Excel shows names with accents correctly,
and our own readers strip the mark again.
"""
from __future__ import annotations

import io
import re

import pandas as pd

__all__ = ["neutralise_formulas", "to_safe_csv", "to_safe_xlsx", "FORMULA_PREFIXES"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def _neutralise(value):
    # Spreadsheets skip leading blanks before a formula sign, so look past them too.
    if isinstance(value, str) and (value[:1] in FORMULA_PREFIXES or value.lstrip()[:1] in FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` in which no text cell (or column name) can start a formula."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].astype(object).map(_neutralise)
    out.columns = [_neutralise(str(c)) for c in out.columns]
    return out


def to_safe_csv(frame: pd.DataFrame, *, index: bool = False) -> bytes:
    """UTF-8 CSV with a byte-order mark, formula-injection safe."""
    # CRLF line ends (as Excel writes) also make the csv module quote any cell holding a lone CR.
    return neutralise_formulas(frame).to_csv(index=index, lineterminator="\r\n").encode("utf-8-sig")


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

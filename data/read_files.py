"""Turn the bytes of one input file into raw tables of text, or one clear reason why not.

A raw table is what a spreadsheet would show: a header row and data rows of
text, every cell stripped, nothing converted yet. CSV (any common encoding
and delimiter), XLSX (one raw table per sheet) and the 903 XML return are
understood; anything else (PDF, images, zip archives, old .xls, random bytes)
is named in one sentence. Sizes are checked before anything is parsed.
"""
from __future__ import annotations

import csv
import io
import itertools
import zipfile

import numpy as np
import pandas as pd

from data.raw_table import FileRejected, RawTable, file_year, normalise_column
from data.read_tables import recognise_table
from data.read_xml import read_xml_tables

__all__ = [
    "RawTable",
    "FileRejected",
    "MAX_FILE_BYTES",
    "MAX_UNZIPPED_BYTES",
    "MAX_COMPRESSION_RATIO",
    "read_raw_tables",
    "normalise_column",
    "file_year",
]

MAX_FILE_BYTES = 200 * 1024 * 1024  # a year's 903 for the largest council is a few MB
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024  # total size of an XLSX's parts once unzipped
MAX_COMPRESSION_RATIO = 100  # real sheets compress 5-30:1; zip bombs thousands to one
HEADER_SEARCH_ROWS = 10  # title lines tolerated above the column names
_RATIO_CHECK_FROM_BYTES = 20 * 1024 * 1024  # small parts may compress very well and are harmless
_WIDE_GRID_COLUMNS = 256  # a 903 table has under 30 columns; wider grids are cleaned in one vectorised pass
_STRIP = np.frompyfunc(lambda v: str(v).strip(), 1, 1)

# Magic numbers of files people rename by mistake, with what to call them.
_MAGIC = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old-style Office file (.xls or .doc): save it as .xlsx or CSV"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"{\\rtf", "an RTF document"),
]


def read_raw_tables(name: str, content: bytes) -> list[RawTable]:
    """Raw tables of one file. Raises :class:`FileRejected` with a one-sentence reason."""
    if len(content) > MAX_FILE_BYTES:
        raise FileRejected(too_big_message(len(content)))
    if len(content.strip()) == 0:
        raise FileRejected("the file is empty")
    head = content[:16]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise FileRejected(f"this is {what}, not a data table (CSV, XLSX or 903 XML)")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _read_xlsx(name, content)
    text = _decode(content)
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return read_xml_tables(name, text)
    return [_read_csv(name, text)]


def too_big_message(size: int) -> str:
    return (
        f"the file is {size / 1024 / 1024:,.0f} MB, over the {MAX_FILE_BYTES / 1024 / 1024:,.0f} MB limit "
        "(MAX_FILE_BYTES): split it by year or table"
    )


# --------------------------------------------------------------------------- text and CSV
def _decode(content: bytes) -> str:
    if content.startswith(b"\xff\xfe") or content.startswith(b"\xfe\xff"):
        text = content.decode("utf-16", errors="replace")
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Excel on Windows saves "CSV" as cp1252; latin-1 decodes every byte left over.
            try:
                text = content.decode("cp1252")
            except UnicodeDecodeError:
                text = content.decode("latin-1")
    sample = text[:20000]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if "\x00" in sample or control > max(2, len(sample) // 100):
        raise FileRejected("this is not a text file (it holds binary data): expected CSV, XLSX or 903 XML")
    return text


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] > counts[","] else ","


def _read_csv(name: str, text: str) -> RawTable:
    # The first non-blank lines, without copying a large text (a file of byte-order marks only is empty).
    lines = list(itertools.islice(
        (ln for ln in (raw.replace("\ufeff", "") for raw in io.StringIO(text)) if ln.strip()), HEADER_SEARCH_ROWS))
    if not lines:
        raise FileRejected("the file is empty")
    # Counted over the first lines, not the first one only: a title line above the header has no delimiters.
    delimiter = _delimiter("\n".join(lines))
    try:
        # The C parser is fast; it refuses rows longer than the first one, which the csv module then reads.
        grid = pd.read_csv(
            io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
            skip_blank_lines=False, engine="c", quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.EmptyDataError, pd.errors.ParserError, ValueError):
        # EmptyDataError here means a blank first line (the text is not blank: checked above).
        try:
            records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            raise FileRejected(f"the CSV could not be split into cells ({exc})") from None
        width = max((len(r) for r in records), default=0)
        grid = pd.DataFrame([r + [""] * (width - len(r)) for r in records], dtype=object)
    return _table_from_grid(name, grid, first_row=1, year=file_year(name))


def _table_from_records(label: str, records: list[list], *, first_row: int, year: int | None) -> RawTable:
    width = max((len(r) for r in records), default=0)
    grid = pd.DataFrame([["" if c is None else c for c in r] + [""] * (width - len(r)) for r in records], dtype=object)
    return _table_from_grid(label, grid, first_row=first_row, year=year)


def _table_from_grid(label: str, grid: pd.DataFrame, *, first_row: int, year: int | None) -> RawTable:
    """Header = first recognised (else first) non-blank row; data = the non-blank rows after it.

    ``grid`` holds every record with positional columns; ``first_row`` is the
    spreadsheet row number of its first record.
    """
    grid = grid.copy()
    grid.columns = range(grid.shape[1])
    if grid.shape[1] > _WIDE_GRID_COLUMNS:
        # Setting thousands of columns one by one is quadratic in pandas: a 17 KB row of 16,384
        # commas (an Excel export quirk) took 15 s, 100,000 commas minutes. Clean such grids in one go.
        values = grid.to_numpy(dtype=object, copy=True)
        values[pd.isna(values)] = ""
        grid = pd.DataFrame(_STRIP(values), dtype=object)
    else:
        for col in grid.columns:
            grid[col] = grid[col].astype(object).where(grid[col].notna(), "").astype(str).str.strip()
    positions = np.flatnonzero((grid != "").any(axis=1).to_numpy()) if grid.shape[1] else np.array([], dtype=int)
    if len(positions) == 0:
        raise FileRejected("the file is empty")
    candidates = [(first_row + int(p), grid.iloc[int(p)].tolist()) for p in positions[:HEADER_SEARCH_ROWS]]
    start = _header_position(candidates)
    header_row, header = candidates[start]
    data_pos = positions[start + 1:]
    names = [normalise_column(h) for h in header]
    while names and names[-1] == "":
        names.pop()  # trailing empty header cells from spreadsheets
    notes = []
    if start:
        notes.append(f"row(s) {', '.join(str(r) for r, _ in candidates[:start])} above the column names (row {header_row}) are titles: skipped")
    seen: dict[str, int] = {}
    columns = []
    for i, n in enumerate(names):
        n = n or f"COLUMN_{i + 1}"
        if n in seen:
            seen[n] += 1
            new = f"{n}_{seen[n]}"
            notes.append(f"column {n} appears more than once: the first is used, the copy is kept as {new}")
            n = new
        else:
            seen[n] = 1
        columns.append(n)
    width = len(columns)
    data = grid.iloc[data_pos]
    numbers = (first_row + data_pos).astype(np.int64)
    if grid.shape[1] > width and len(data):
        overflow = numbers[(data.iloc[:, width:] != "").any(axis=1).to_numpy()]
        if len(overflow):
            shown = ", ".join(str(r) for r in overflow[:10])
            notes.append(
                f"{len(overflow)} row(s) have more values than the header has columns; the extra values are ignored "
                f"(rows {shown}{'...' if len(overflow) > 10 else ''})"
            )
    frame = data.iloc[:, :width].reset_index(drop=True)
    frame.columns = columns
    return RawTable(label, frame, numbers, year=year, notes=notes)


def _header_position(numbered: list) -> int:
    """Index of the header among the first non-blank records.

    Reports exported from case-management systems often start with a title
    line or two; the header is the first record whose names we recognise,
    else the first record.
    """
    for i, (_, rec) in enumerate(numbered[:HEADER_SEARCH_ROWS]):
        if recognise_table({normalise_column(c) for c in rec}):
            return i
    return 0


# --------------------------------------------------------------------------- XLSX
def _check_zip(content: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise FileRejected("this looks like a zip or XLSX file but it is damaged") from None
    infos = archive.infolist()
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise FileRejected(
            f"the workbook unzips to {total / 1024 / 1024:,.0f} MB, over the "
            f"{MAX_UNZIPPED_BYTES / 1024 / 1024:,.0f} MB limit (MAX_UNZIPPED_BYTES); it may be a zip bomb"
        )
    for info in infos:
        if info.file_size > _RATIO_CHECK_FROM_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise FileRejected(
                f"a part of this file ({info.filename}) expands {info.file_size // max(info.compress_size, 1):,} times "
                f"(limit MAX_COMPRESSION_RATIO = {MAX_COMPRESSION_RATIO}): refused as a possible zip bomb"
            )
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise FileRejected("this is a Word document, not a data table (CSV, XLSX or 903 XML)")
        raise FileRejected("this is a zip archive, not an Excel workbook: unzip it and load the files inside")
    return archive


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # CHILD ids and URNs typed as numbers
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def _read_xlsx(name: str, content: bytes) -> list[RawTable]:
    _check_zip(content)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise FileRejected(f"the workbook could not be opened ({type(exc).__name__})") from None
    tables = []
    try:
        for sheet in book.worksheets:
            records = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            label = f"{name} [{sheet.title}]" if len(book.worksheets) > 1 else name
            try:
                table = _table_from_records(label, records, first_row=1, year=file_year(name) or file_year(sheet.title))
            except FileRejected:
                continue  # empty sheets are normal in workbooks
            tables.append(table)
    finally:
        book.close()
    if not tables:
        raise FileRejected("every sheet of the workbook is empty")
    return tables

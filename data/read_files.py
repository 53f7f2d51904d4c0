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
import re
import zipfile

import numpy as np
import pandas as pd

from data.quality import SET_ASIDE, WARNING
from data.raw_table import (
    MAX_COLUMNS,
    MAX_ROWS,
    FileRejected,
    RawTable,
    file_year,
    normalise_column,
    too_long_message,
    too_wide_message,
)
from data.read_tables import recognise_table
from data.read_xml import read_xml_tables

__all__ = [
    "RawTable",
    "FileRejected",
    "MAX_FILE_BYTES",
    "MAX_UNZIPPED_BYTES",
    "MAX_COMPRESSION_RATIO",
    "MAX_COLUMNS",
    "MAX_CELL_CHARS",
    "MAX_WORKBOOK_TEXT",
    "MAX_WORKBOOK_CELLS",
    "read_raw_tables",
    "normalise_column",
    "file_year",
]

MAX_FILE_BYTES = 200 * 1024 * 1024  # a year's 903 for the largest council is a few MB
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024  # total size of an XLSX's parts once unzipped
MAX_COMPRESSION_RATIO = 100  # real sheets compress 5-30:1; zip bombs thousands to one
EMPTY_MESSAGE = "the file is empty"
HEADER_SEARCH_ROWS = 10  # title lines tolerated above the column names
# Limits while a workbook is read (the zip checks above cannot see a shared string used many times).
# A whole-England year of 903 episodes is about 5.5 million cells and 35 million characters.
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_WORKBOOK_TEXT = 60_000_000  # characters of text in all sheets together
MAX_WORKBOOK_CELLS = 8_000_000  # rows x columns in all sheets together (empty cells count)
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
    # The first non-blank lines with their line numbers, without copying a large text (a file of
    # byte-order marks only is empty). Any line end counts ("\n", "\r\n" or a lone "\r", as old Mac
    # exports have): else such a file is one line, and its cells all one row's.
    numbered = list(
        itertools.islice(
            (
                (number, line)
                for number, line in enumerate((raw.replace("\ufeff", "") for raw in io.StringIO(text, newline="")), 1)
                if line.strip()
            ),
            HEADER_SEARCH_ROWS,
        )
    )
    if not numbered:
        raise FileRejected("the file is empty")
    lines = [line for _, line in numbered]
    # Counted over the first lines, not the first one only: a title line above the header has no delimiters.
    delimiter = _delimiter("\n".join(lines))
    for number, line in numbered:  # the column names may be on any of them, below title lines
        _check_header_width(line, delimiter, number)
    # Blank lines (spaces and delimiters only) are never rows: drop them before parsing, keeping every
    # other line's number. A 10 MB file of line ends once took 2.8 GB as ten million empty rows.
    kept, line_numbers = _without_blank_lines(text, delimiter)
    if len(line_numbers) > MAX_ROWS + HEADER_SEARCH_ROWS:  # before parsing: parsing is what takes the memory
        raise FileRejected(too_long_message(len(line_numbers), what="lines"))
    try:
        # The C parser is fast; it refuses rows longer than the first one, which the csv module then reads.
        grid = pd.read_csv(
            io.StringIO(kept),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.EmptyDataError, pd.errors.ParserError, ValueError):
        # EmptyDataError here means a blank first line (the text is not blank: checked above).
        grid = None
    if grid is None or len(grid) != len(line_numbers):
        # Fewer records than lines: a quoted value runs across lines (or a quote is never closed; a
        # blank line inside quotes is the value's own, so this reads the text as it came).
        # Read record by record, knowing each one's first and last line, so nothing is lost unseen.
        return _read_csv_by_lines(name, text, delimiter)
    return _table_from_grid(name, grid, first_row=1, year=file_year(name), line_numbers=line_numbers)


_LINE_END = r"(?:\r\n|\n|\r(?!\n))"  # as the csv module ends a line: "\r\n", "\n" or a lone "\r"


def _without_blank_lines(text: str, delimiter: str) -> tuple[str, np.ndarray]:
    """``text`` without its blank lines (nothing but spaces, tabs and delimiters), and each kept line's number.

    One regular expression finds each run of blank lines (with the line end before it); the text between
    runs is kept as it is. Time and memory grow with the kept text and the number of runs, not with the
    number of blank lines.
    """
    # Blank lines one after another are one run of spaces, tabs, delimiters and line ends that ends with a
    # line end: one character class, which the regular expression engine repeats without a stack (a
    # repeated group kept one entry per line: 4.5 GB for twenty million blank lines).
    blanks = rf"[ \t\r\n{re.escape(delimiter)}]*{_LINE_END}"
    pieces: list[str] = []
    numbers: list[np.ndarray] = []
    line = 1  # number of the line starting at ``position``
    lead = re.match(blanks, text)
    position = lead.end() if lead else 0
    if lead:
        line += _line_ends(text, 0, position)
    for run in re.compile(rf"({_LINE_END}){blanks}").finditer(text, position):
        end_of_kept = run.end(1)  # the line end before the run belongs to the kept line
        if end_of_kept > position:
            count = _line_ends(text, position, end_of_kept)
            pieces.append(text[position:end_of_kept])
            numbers.append(np.arange(line, line + count, dtype=np.int64))
            line += count
        line += _line_ends(text, end_of_kept, run.end())
        position = run.end()
    if position == 0:
        return text, np.arange(1, _physical_lines(text) + 1, dtype=np.int64) if text else np.array([], np.int64)
    if position < len(text):
        count = _physical_lines(text[position:])
        pieces.append(text[position:])
        numbers.append(np.arange(line, line + count, dtype=np.int64))
    return "".join(pieces), np.concatenate(numbers) if numbers else np.array([], dtype=np.int64)


def _line_ends(text: str, start: int, end: int) -> int:
    return text.count("\n", start, end) + text.count("\r", start, end) - text.count("\r\n", start, end)


def _check_header_width(line: str, delimiter: str, number: int) -> None:
    """Refuse a line with more named cells than MAX_COLUMNS (trailing empty cells do not count)."""
    if line.count(delimiter) < MAX_COLUMNS:
        return
    # Excel may pad a row with thousands of empty cells: only the named ones count.
    named = line.rstrip("\r\n").rstrip(delimiter + " \t").count(delimiter) + 1
    if named > MAX_COLUMNS:
        raise FileRejected(too_wide_message(named, where="the first row has" if number == 1 else f"row {number} has"))


def _physical_lines(text: str) -> int:
    """Lines as the csv module counts them ("\n", "\r\n" or a lone "\r" ends one)."""
    ends = text.count("\n") + text.count("\r") - text.count("\r\n")
    return ends + (0 if text.endswith(("\n", "\r")) else 1)


def _read_csv_by_lines(name: str, text: str, delimiter: str) -> RawTable:
    """A CSV read one record at a time, every record numbered by its first physical line.

    A record that runs across lines (a quoted value with line breaks) is kept, with a warning
    naming its first and last line, when it is well formed: as many values as the file's usual
    row and no line inside it that looks like a row of its own. Otherwise (a quote opened by
    mistake, or never closed) each of its lines is set aside as a row, with a reason naming the
    quote and the lines it swallowed: the rows are in the quality report, never lost unseen.
    """
    # The csv module refuses a value over 131,072 characters, and an unclosed quote makes one of the
    # rest of the file: allow up to the file size limit (a process-wide setting, only ever raised).
    if csv.field_size_limit() < MAX_FILE_BYTES:
        csv.field_size_limit(MAX_FILE_BYTES)
    # The reader takes exactly one record's lines at a time: keep only those (a record over several
    # lines needs them), never a list of every line of the file.
    current: list[str] = []

    def remembered(source):
        for line in source:
            current.append(line)
            yield line

    reader = csv.reader(remembered(io.StringIO(text, newline="")), delimiter=delimiter)
    records: list[list[str]] = []
    spans: list[tuple[int, int]] = []
    chunks: dict[int, list[str]] = {}
    before = 0
    while True:
        current.clear()
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # only for NUL bytes and the like, which _decode has refused already
            raise FileRejected(f"the CSV could not be split into cells near line {before + 1} ({exc})") from None
        first, before = before + 1, reader.line_num
        if first == before and not any(cell.strip() for cell in record):
            continue  # a blank line is never a row (as _table_from_grid has it): not kept, not counted
        if first < before:
            chunks[len(records)] = list(current)
        records.append(record)
        spans.append((first, before))
    widths = pd.Series([len(r) for r, (a, b) in zip(records, spans) if a == b and r], dtype="int64")
    usual = int(widths.mode().iloc[0]) if len(widths) else max((len(r) for r in records), default=0)
    out_records, numbers, issues = [], [], []
    for position, (record, (first, last)) in enumerate(zip(records, spans)):
        if first == last:
            out_records.append(record)
            numbers.append(first)
            continue
        chunk = chunks[position]
        closed = sum(line.count('"') for line in chunk) % 2 == 0
        looks_like_rows = usual > 1 and any(line.count(delimiter) >= usual - 1 for line in chunk[1:])
        if closed and len(record) == usual and not looks_like_rows:
            out_records.append(record)
            numbers.append(first)
            issues.append(
                (
                    first,
                    WARNING,
                    f"a quoted value runs over lines {first}-{last} (line breaks inside quotes): read as one row",
                )
            )
            continue
        what = (
            f"a quote opened in line {first} is never closed"
            if not closed
            else f"a quote opened in line {first} closes only in line {last}"
        )
        for offset, line in enumerate(chunk):
            out_records.append(line.rstrip("\r\n").split(delimiter))
            numbers.append(first + offset)
            issues.append(
                (
                    first + offset,
                    SET_ASIDE,
                    f"{what}: lines {first}-{last} read as one value, so each is set aside (check the quotes)",
                )
            )
    # The column names are on one of the grid's first non-blank rows (_table_from_grid): no table is
    # wider than the widest of those (or MAX_COLUMNS). Else one long row pads every other row to its
    # width (100,000 lines set aside after a stray quote, by a row of 50,000 cells: five billion cells).
    top = itertools.islice((r for r in out_records if any(c.strip() for c in r)), HEADER_SEARCH_ROWS)
    limit = min(max((len(r) for r in top), default=0), MAX_COLUMNS)
    out_records = [_bounded(r, limit) for r in out_records]
    width = max((len(r) for r in out_records), default=0)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in out_records], dtype=object)
    table = _table_from_grid(name, grid, first_row=1, year=file_year(name), line_numbers=np.asarray(numbers, np.int64))
    table.row_issues = issues
    return table


def _bounded(record: list[str], limit: int) -> list[str]:
    """A record cut to ``limit`` cells and one more, which is not empty if any cell cut off was not.

    The cells past the table's width can only be extra values, noted as such: one stands for them all.
    """
    if len(record) <= limit + 1:
        return record
    return record[:limit] + [next((cell for cell in record[limit:] if cell.strip()), "")]


def _table_from_records(label: str, records: list[list], *, first_row: int, year: int | None) -> RawTable:
    width = max((len(r) for r in records), default=0)
    grid = pd.DataFrame([["" if c is None else c for c in r] + [""] * (width - len(r)) for r in records], dtype=object)
    return _table_from_grid(label, grid, first_row=first_row, year=year)


def _table_from_grid(
    label: str, grid: pd.DataFrame, *, first_row: int, year: int | None, line_numbers: np.ndarray | None = None
) -> RawTable:
    """Header = first recognised (else first) non-blank row; data = the non-blank rows after it.

    ``grid`` holds every record with positional columns; ``first_row`` is the
    spreadsheet row number of its first record, or ``line_numbers`` gives each
    record's own (a CSV record with line breaks inside quotes takes several lines).
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
        raise FileRejected(EMPTY_MESSAGE)
    if line_numbers is None:
        line_numbers = first_row + np.arange(len(grid), dtype=np.int64)
    candidates = [(int(line_numbers[p]), grid.iloc[int(p)].tolist()) for p in positions[:HEADER_SEARCH_ROWS]]
    start = _header_position(candidates)
    header_row, header = candidates[start]
    data_pos = positions[start + 1 :]
    names = [normalise_column(h) for h in header]
    while names and names[-1] == "":
        names.pop()  # trailing empty header cells from spreadsheets
    notes = []
    if start:
        notes.append(
            f"row(s) {', '.join(str(r) for r, _ in candidates[:start])} above the column names (row {header_row}) are titles: skipped"
        )
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
    if width > MAX_COLUMNS:
        raise FileRejected(too_wide_message(width, where=f"the column names (row {header_row}) have"))
    data = grid.iloc[data_pos]
    numbers = line_numbers[data_pos].astype(np.int64)
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
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError):  # e.g. "zip file version 6.4"
        raise FileRejected("this looks like a zip or XLSX file but it is damaged") from None
    infos = archive.infolist()
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise FileRejected(
            f"the workbook unzips to {total / 1024 / 1024:,.0f} MB, over the "
            f"{MAX_UNZIPPED_BYTES / 1024 / 1024:,.0f} MB limit (MAX_UNZIPPED_BYTES); it may be a zip bomb"
        )
    for info in infos:
        if info.file_size > _RATIO_CHECK_FROM_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
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


class _WorkbookBudget:
    """Counts a workbook's text and cells while it is read, and stops it at the first limit passed.

    A workbook of a few kilobytes can reference one long shared string from thousands of cells:
    the zip sizes look harmless, but every cell would become its own copy of the text.
    """

    def __init__(self) -> None:
        self.text = 0
        self.cells = 0
        self.rows = 0  # rows with any text, in all sheets: empty rows are never table rows

    def row(self, sheet: str, number: int, cells: list[str]) -> None:
        self.cells += len(cells)
        self.rows += any(cells)
        if self.rows > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise FileRejected(too_long_message(self.rows) + f" (by sheet {sheet[:40]!r} row {number})")
        longest = max(map(len, cells), default=0)
        self.text += sum(map(len, cells))
        if longest > MAX_CELL_CHARS:
            raise FileRejected(
                f"sheet {sheet[:40]!r} row {number} has a cell of {longest:,} characters, over Excel's own limit "
                f"of {MAX_CELL_CHARS:,} (MAX_CELL_CHARS): the workbook is damaged or hostile"
            )
        if self.text > MAX_WORKBOOK_TEXT:
            raise FileRejected(
                f"the workbook holds over {MAX_WORKBOOK_TEXT:,} characters of text by sheet {sheet[:40]!r} row "
                f"{number} (MAX_WORKBOOK_TEXT): save the tables as CSV, or split them by year"
            )
        if self.cells > MAX_WORKBOOK_CELLS:
            raise FileRejected(
                f"the workbook has over {MAX_WORKBOOK_CELLS:,} cells (rows x columns) by sheet {sheet[:40]!r} row "
                f"{number} (MAX_WORKBOOK_CELLS): save the tables as CSV, or split them by year"
            )


def _read_xlsx(name: str, content: bytes) -> list[RawTable]:
    _check_zip(content)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise FileRejected(f"the workbook could not be opened ({type(exc).__name__})") from None
    tables = []
    budget = _WorkbookBudget()
    try:
        for sheet in book.worksheets:
            records = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_cell_text(v) for v in row]
                budget.row(sheet.title, number, cells)
                records.append(cells)
            label = f"{name} [{sheet.title}]" if len(book.worksheets) > 1 else name
            try:
                table = _table_from_records(label, records, first_row=1, year=file_year(name) or file_year(sheet.title))
            except FileRejected as exc:
                if str(exc) != EMPTY_MESSAGE:
                    raise
                continue  # empty sheets are normal in workbooks
            tables.append(table)
    finally:
        book.close()
    if not tables:
        raise FileRejected("every sheet of the workbook is empty")
    return tables

"""Property-based fuzzing of the readers with real 903 files damaged in the ways councils' files are.

Every case starts from a real fixture (the head of a published fake 903 file, CSV or XML, or a
missing-team log / homes register in our template's columns) and applies one to five
mutations: re-encoding (cp1252, latin-1, UTF-16 with and without BOM, UTF-8 with BOM), mixed line
endings, swapped / duplicated / missing / renamed columns, blank rows, a 100 KB cell, dates
rewritten in many forms, title lines, another delimiter, stray quotes, random bytes written over
or inserted, truncation, and for XML broken, duplicated and renamed elements. Whole random byte
strings and damaged XLSX workbooks are fuzzed too.

Properties, for every generated file and set of files:

* ``read_inputs`` never raises, and never hits its own catch-all ("could not be read (<error>)"
  or "row not read"), which would mean a reader bug rather than a bad file;
* every file gets a row in ``QualityReport.summary()`` (read, or one clear reason why not);
* for every file, rows read == rows used + rows set aside, and rows used is exactly the number
  of table rows that point back to that file.

``tests/test_readers.py`` already fuzzes small hand-built tables of text; this goes wider.
The number of generated cases per property is printed at the end of the module ("hypothesis
cases run", shown without xdist); the profile is fixed (derandomized), and CARE_MAP_FUZZ_EXAMPLES=N
sets every property's example count to N for a longer local hunt.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from data.quality import FILE_ERROR
from data.readers import InputFile, read_inputs
from tests.conftest import FIXTURES  # one definition: honours CARE_MAP_FIXTURES
from tests.fuzz_support import case_counter, examples

TEMPLATES = Path(__file__).resolve().parents[1] / "data" / "templates"
TABLES = ["header", "episodes", "missing", "uasc", "missing_log", "homes", "costs"]
HEAD_ROWS = 12  # rows kept from each fixture: enough to hit every code path, small enough to be fast
BIG_CELL = 100 * 1024

CASES, _print_case_counts = case_counter()


# ------------------------------------------------------------------ base files (real fixtures, cut short)
def _csv_head(path: Path, rows: int = HEAD_ROWS) -> str:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return "\n".join(lines[: rows + 1]) + "\n"


def _xml_head(path: Path, children: int = 4) -> str:
    text = path.read_text(encoding="utf-8")
    end = 0
    for _ in range(children):
        end = text.index("</CHILD>", end) + len("</CHILD>")
    return text[:end] + "</EXPSSDA903>\n"


def _bases() -> list[tuple[str, str]]:
    if not FIXTURES.exists():
        return []
    bases = [
        ("2018-episodes.csv", _csv_head(FIXTURES / "cs-demand-model" / "2018-episodes.csv")),
        ("2017-header.csv", _csv_head(FIXTURES / "cs-demand-model" / "2017-header.csv")),
        ("2017-missing.csv", _csv_head(FIXTURES / "cs-demand-model" / "2017-missing.csv")),
        ("uasc.csv", _csv_head(FIXTURES / "csc-validator-be-903" / "uasc.csv")),
        ("episodes.csv", _csv_head(FIXTURES / "csc-validator-be-903" / "episodes.csv")),
        ("pooled_episodes.csv", _csv_head(FIXTURES / "cs-demand-model-regional" / "episodes.csv")),
        ("fixes_INPUT.csv", _csv_head(FIXTURES / "liia-tools" / "SSDA903_episodes_for_testing_fixes_INPUT.csv")),
        ("fake_903.xml", _xml_head(FIXTURES / "csc-validator-be-903" / "fake_903.xml")),
    ]
    # The missing team's log and a homes register, in our templates' columns, on real postcodes.
    log = (TEMPLATES / "missing_log_template.csv").read_text(encoding="utf-8-sig").strip() + "\n"
    log += (
        "C1,M,01/04/2023 14:14,01/04/2023 21:57,CR2 5DW,CR5 3SF,,,05/04/2023,10/04/2023,Y,N,N,N,N,N,N,found by police\n"
    )
    log += 'C2,A,2023-04-02,,ME1 3TN,,51.38689,1.38387,,,N,Y,,N,N,N,N,"collected, by carer"\n'
    log += "C3,M,31/13/2023,01/01/2024,BT7 1NN,BT1 1AA,54.58,-5.93,,,maybe,Y,Y,N,N,N,N,\n"
    homes = (TEMPLATES / "homes_register_template.csv").read_text(encoding="utf-8-sig").strip() + "\n"
    homes += "Oak House,SC123456,ME14 1XQ,PRIVATE,Children's home,4,Good,Acme Care\n"
    homes += "Elm,SC654321,CR0 1AA,LA,Children's home,,Outstanding,\n"
    costs = (TEMPLATES / "costs_template.csv").read_text(encoding="utf-8-sig").strip() + "\n"
    costs += 'Other foster care,"£1,234.50"\nChildren\'s homes and secure,6000\n'
    return bases + [("missing_log.csv", log), ("homes.csv", homes), ("costs.csv", costs)]


BASES = _bases()
pytestmark = pytest.mark.skipif(not BASES, reason=f"shared fixtures not found at {FIXTURES}")
CSV_BASES = [b for b in BASES if b[0].endswith(".csv")]
XML_BASES = [b for b in BASES if b[0].endswith(".xml")]


# ------------------------------------------------------------------ mutations of CSV text
def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _join(rows: list[list[str]], sep: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _column(draw, rows) -> int | None:
    width = len(rows[0]) if rows and rows[0] else 0
    return draw(st.integers(0, width - 1)) if width else None


def swap_columns(draw, rows):
    """Two whole columns change places (data follows its header) or only their names swap."""
    a, b = _column(draw, rows), _column(draw, rows)
    if a is None:
        return rows
    names_only = draw(st.booleans())
    for r in rows[:1] if names_only else rows:
        if max(a, b) < len(r):
            r[a], r[b] = r[b], r[a]
    return rows


def duplicate_column(draw, rows):
    a = _column(draw, rows)
    return rows if a is None else [r + [r[a]] if a < len(r) else r for r in rows]


def drop_column(draw, rows):
    a = _column(draw, rows)
    return rows if a is None else [r[:a] + r[a + 1 :] for r in rows]


def rename_column(draw, rows):
    a = _column(draw, rows)
    if a is not None:
        rows[0][a] = draw(st.sampled_from(["", " child id ", "Dec om", "CHILD", "LA", "YEAR", "ÇHILD", "=SUM(A1)"]))
    return rows


def blank_rows(draw, rows):
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(rows)))
        rows.insert(at, draw(st.sampled_from([[], [""], [""] * 5, [" ", "\t"]])))
    return rows


def huge_cell(draw, rows):
    if len(rows) > 1:
        r = draw(st.integers(1, len(rows) - 1))
        if rows[r]:
            c = draw(st.integers(0, len(rows[r]) - 1))
            rows[r][c] = draw(st.sampled_from(["x", "A,", '"', "\n", "é"])) * BIG_CELL
    return rows


_DATE_FORMS = [
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%y",
    "%Y%m%d",
    "%d %b %Y",
    "%d-%b-%y",
    "%m/%d/%Y",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%A %d %B %Y",
]
_DATE_JUNK = [
    "31/02/2020",
    "00/00/0000",
    "29/02/2019",
    "01/01/1066",
    "01/01/9999",
    "45000",
    "44197.5",
    "TBC",
    "2020-13-01",
    "1/1/1",
    "01//2020",
    "２０２０-０１-０１",
]


def reformat_dates(draw, rows):
    """Rewrite every date in the file in another form (some that we accept, many that we must refuse)."""
    form = draw(st.sampled_from(_DATE_FORMS + ["junk"]))
    for r in rows[1:]:
        for i, cell in enumerate(r):
            if re.fullmatch(r"\d{1,4}[/-]\d{1,2}[/-]\d{1,4}( \d\d:\d\d)?", cell or ""):
                if form == "junk":
                    r[i] = draw(st.sampled_from(_DATE_JUNK))
                else:
                    with warnings.catch_warnings():  # pandas guessing the format is fine here
                        warnings.simplefilter("ignore")
                        ts = pd.to_datetime(cell, dayfirst="/" in cell, errors="coerce")
                    r[i] = "" if pd.isna(ts) else ts.strftime(form)
    return rows


def odd_cells(draw, rows):
    """Unicode people paste in: right-to-left marks, zero-width spaces, emoji, formulas, quotes."""
    junk = st.sampled_from(
        [
            "\u202e",
            "\u200b",
            "\u200f",
            "\ufeff",
            "😀",
            "=1+1",
            "'",
            '"',
            "\\",
            "NULL",
            "nan",
            "#N/A",
            "-",
            "  ",
            "£",
            "€",
            "\x0b",
            "\x1a",
        ]
    )
    for _ in range(draw(st.integers(1, 6))):
        if len(rows) > 1:
            r = draw(st.integers(0, len(rows) - 1))
            if rows[r]:
                c = draw(st.integers(0, len(rows[r]) - 1))
                rows[r][c] = rows[r][c] + draw(junk) if draw(st.booleans()) else draw(junk) + rows[r][c]
    return rows


def ragged_rows(draw, rows):
    """Rows longer or shorter than the header."""
    for _ in range(draw(st.integers(1, 3))):
        if len(rows) > 1:
            r = draw(st.integers(1, len(rows) - 1))
            rows[r] = rows[r][: draw(st.integers(0, len(rows[r])))] if draw(st.booleans()) else rows[r] + ["extra"] * 3
    return rows


def title_lines(draw, rows):
    return [["Children looked after - export"], ["Run on 01/04/2024", "by", "system"]][: draw(st.integers(1, 2))] + rows


ROW_MUTATIONS = [
    swap_columns,
    duplicate_column,
    drop_column,
    rename_column,
    blank_rows,
    huge_cell,
    reformat_dates,
    odd_cells,
    ragged_rows,
    title_lines,
]


def line_endings(draw, text: str) -> str:
    lines = text.split("\n")
    return "".join(line + draw(st.sampled_from(["\n", "\r\n", "\r"])) for line in lines)


def stray_quotes(draw, text: str) -> str:
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + '"' + text[at:]
    return text


# ------------------------------------------------------------------ mutations of bytes
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-16-be", "ascii"]


def encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


def random_bytes(draw, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(data)))
        chunk = draw(st.binary(min_size=1, max_size=16))
        data = data[:at] + chunk + data[at + (len(chunk) if draw(st.booleans()) else 0) :]
    return data


def truncate(draw, data: bytes) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def delete_span(draw, data: bytes) -> bytes:
    at = draw(st.integers(0, len(data)))
    return data[:at] + data[at + draw(st.integers(1, 200)) :]


BYTE_MUTATIONS = [random_bytes, truncate, delete_span]


@st.composite
def damaged_csv(draw) -> InputFile:
    name, text = draw(st.sampled_from(CSV_BASES))
    rows = _rows(text)
    for mutate in draw(st.lists(st.sampled_from(ROW_MUTATIONS), min_size=1, max_size=4)):
        rows = mutate(draw, rows)
    text = _join(rows, draw(st.sampled_from([",", ",", ";", "\t", "|"])))
    if draw(st.booleans()):
        text = line_endings(draw, text)
    if draw(st.integers(0, 4)) == 0:
        text = stray_quotes(draw, text)
    content = encode(text, draw(st.sampled_from(ENCODINGS)))
    if draw(st.integers(0, 3)) == 0:
        content = draw(st.sampled_from(BYTE_MUTATIONS))(draw, content)
    name = draw(st.sampled_from([name, name.upper(), "data.txt", "export.tsv", "<b>x</b>.csv", "2019 - 2020.csv"]))
    return InputFile(name, content)


# ------------------------------------------------------------------ mutations of 903 XML text
def xml_drop_close(draw, text):
    closes = [m.start() for m in re.finditer(r"</[A-Z_]+>", text)]
    if closes:
        at = draw(st.sampled_from(closes))
        text = text[:at] + text[text.index(">", at) + 1 :]
    return text


def xml_duplicate_element(draw, text):
    tag = draw(st.sampled_from(["CHILD", "EPISODE", "AMISSING", "HEADER", "DECOM", "CHILDID", "PL"]))
    found = re.search(rf"<{tag}>.*?</{tag}>", text, flags=re.S)
    if found:
        text = text[: found.end()] + found.group(0) + text[found.end() :]
    return text


def xml_rename_tag(draw, text):
    old = draw(st.sampled_from(["CHILDID", "DECOM", "EPISODE", "HEADER", "MIS_START", "PL"]))
    new = draw(st.sampled_from(["childid", "DECOM2", "EPISODES", "X", "CHILD", "PLACE"]))
    return text.replace(f"<{old}>", f"<{new}>").replace(f"</{old}>", f"</{new}>")


def xml_inject(draw, text):
    snippet = draw(
        st.sampled_from(
            [
                "<!-- a comment -->",
                "<![CDATA[<script>x</script>]]>",
                "&amp;",
                "&lt;",
                "&bogus;",
                "<X/>",
                "<?pi x?>",
                "<!DOCTYPE x [<!ENTITY a 'b'>]>",
                "&#0;",
                "&#x1F600;",
                "\u202e",
                "<CHILD>",
                "</CHILD>",
                "<DECOM>01/01/2020</DECOM>",
            ]
        )
    )
    at = draw(st.integers(0, len(text)))
    return text[:at] + snippet + text[at:]


def xml_empty_values(draw, text):
    tag = draw(st.sampled_from(["CHILDID", "DECOM", "DOB", "PL_POST", "HOME_POST", "MIS_START"]))
    return re.sub(
        rf"<{tag}>[^<]*</{tag}>", draw(st.sampled_from([f"<{tag}/>", f"<{tag}></{tag}>", f"<{tag}> </{tag}>"])), text
    )


def xml_root(draw, text):
    return text.replace("EXPSSDA903", draw(st.sampled_from(["expssda903", "ROOT", "EXPSSDA903 xmlns='urn:x'"])), 1)


XML_MUTATIONS = [xml_drop_close, xml_duplicate_element, xml_rename_tag, xml_inject, xml_empty_values, xml_root]


@st.composite
def damaged_xml(draw) -> InputFile:
    name, text = draw(st.sampled_from(XML_BASES))
    for mutate in draw(st.lists(st.sampled_from(XML_MUTATIONS), min_size=1, max_size=4)):
        text = mutate(draw, text)
    if draw(st.booleans()):
        text = line_endings(draw, text)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "ascii"]))
    content = encode(text, encoding)
    if draw(st.integers(0, 3)) == 0:
        content = draw(st.sampled_from(BYTE_MUTATIONS))(draw, content)
    return InputFile(name, content)


def _xlsx_bytes(text: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Episodes"
    for row in _rows(text):
        sheet.append(row)
    book.create_sheet("Empty")
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@st.composite
def damaged_xlsx(draw) -> InputFile:
    content = XLSX_BASE
    for mutate in draw(st.lists(st.sampled_from(BYTE_MUTATIONS), min_size=0, max_size=2)):
        content = mutate(draw, content)
    return InputFile("episodes.xlsx", content)


XLSX_BASE = _xlsx_bytes(CSV_BASES[4][1]) if CSV_BASES else b""

MAGIC_PREFIXES = [
    b"",
    b"PK\x03\x04",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"<",
    b"<?xml version='1.0'?>",
    b"CHILD,DECOM\n",
    b"%PDF",
    b"\xd0\xcf\x11\xe0",
]


# ------------------------------------------------------------------ the properties
def _rows_by_file(ds) -> pd.Series:
    frames = [getattr(ds, t)[["SOURCE_FILE"]] for t in TABLES if not getattr(ds, t).empty]
    return pd.concat(frames)["SOURCE_FILE"].value_counts() if frames else pd.Series(dtype=int)


def check_read(files: list[InputFile]):
    """read_inputs never raises; every file is accounted for; read = used + set aside, file by file."""
    ds = read_inputs(files)
    summary = ds.quality.summary()
    # Every input file is named in the summary, under its own label or as "<label> [<sheet>]" / "<label> [<table>]".
    labels = list(summary["file"])
    assert len(files) == 0 or all(any(label == f.name or label.startswith(f.name) for label in labels) for f in files)
    for error in ds.quality.file_errors():
        assert error.severity == FILE_ERROR and error.reason
        assert "could not be read (" not in error.reason, error.reason  # the readers' catch-all: a bug, not bad input
        assert "Traceback" not in error.reason
    assert not any("row not read (" in i.reason for i in ds.quality.issues)
    used = _rows_by_file(ds)
    for rec in summary.itertuples():
        assert rec.rows_read == rec.rows_used + rec.rows_set_aside, rec.file
        assert rec.rows_used == int(used.get(rec.file, 0)), rec.file
        assert len(ds.quality.set_aside_rows(rec.file)) == rec.rows_set_aside
    assert set(used.index) <= set(summary["file"])
    for table in TABLES:
        frame = getattr(ds, table)
        if not frame.empty:
            assert frame["SOURCE_ROW"].notna().all()
            assert not frame.duplicated(["SOURCE_FILE", "SOURCE_ROW"]).any()
    return ds


def test_base_files_read_cleanly():
    """The unmutated bases are good files: every one is read, none is refused."""
    ds = check_read([InputFile(n, t.encode("utf-8")) for n, t in BASES] + [InputFile("episodes.xlsx", XLSX_BASE)])
    assert ds.quality.file_errors() == []
    assert set(ds.quality.summary()["table"]) == set(TABLES)


@examples(110)
@given(file=damaged_csv())
def test_damaged_csv_is_read_or_refused_and_every_row_is_accounted_for(file):
    CASES["damaged CSV (fixture + 1-4 mutations)"] += 1
    check_read([file])


@examples(60)
@given(file=damaged_xml())
def test_damaged_xml_is_read_or_refused_and_every_record_is_accounted_for(file):
    CASES["damaged 903 XML"] += 1
    check_read([file])


@examples(25)
@given(file=damaged_xlsx())
def test_damaged_xlsx_is_read_or_refused(file):
    CASES["damaged XLSX"] += 1
    check_read([file])


@examples(60)
@given(prefix=st.sampled_from(MAGIC_PREFIXES), body=st.binary(max_size=3000))
def test_random_bytes_are_read_or_refused(prefix, body):
    CASES["random bytes (with magic prefixes)"] += 1
    ds = check_read([InputFile("upload.csv", prefix + body)])
    assert ds.quality.summary()["file"].str.startswith("upload.csv").any()


@examples(30)
@given(files=st.lists(st.one_of(damaged_csv(), damaged_xml()), min_size=2, max_size=4))
def test_several_damaged_files_at_once_are_accounted_for_each(files):
    CASES["2-4 damaged files together (duplicates across files)"] += 1
    # The same bytes twice under the same name: kept apart as "name (2)", the later copy wins.
    check_read(files + [files[0]])


def test_a_100kb_cell_is_kept_whole_or_reported():
    """A 100 KB cell neither stops the file nor lands in the quality report at full length."""
    name, text = CSV_BASES[4]
    rows = _rows(text)
    rows[1][rows[0].index("PL_POST")] = "x" * BIG_CELL
    rows[2][rows[0].index("CHILD")] = "é" * BIG_CELL
    ds = check_read([InputFile(name, _join(rows).encode("cp1252"))])
    assert ds.quality.file_errors() == []
    assert all(len(i.value or "") <= 200 for i in ds.quality.issues)


@pytest.mark.timeout(30)
def test_a_row_of_100000_commas_is_read_in_seconds_not_minutes():
    """Excel pads exports with empty columns (up to 16,384); a hostile file can have far more.

    Found by the fuzzing above: cleaning a wide grid column by column was quadratic (16,384
    columns took 15 s, 100,000 minutes), so one small upload could hold a server thread.
    """
    name, text = CSV_BASES[4]
    lines = text.splitlines()
    wide = "\n".join([lines[0], lines[1] + "," * 100_000, *lines[2:]]) + "\n"
    ds = check_read([InputFile(name, wide.encode())])
    assert len(ds.episodes) == len(lines) - 1  # every row read, the empty padding ignored
    assert ds.quality.file_errors() == []


@pytest.mark.parametrize("prefix", [b"\n\n", b"\r\n,,,\r\n", b"\xef\xbb\xbf\n", b" \t\n"])
def test_blank_lines_before_the_header_do_not_empty_the_file(prefix):
    """Found by the fuzzing above: pandas gives up on a blank first line ("No columns to parse")."""
    name, text = CSV_BASES[4]
    ds = check_read([InputFile(name, prefix + text.encode())])
    assert ds.quality.file_errors() == []
    assert len(ds.episodes) == len(text.splitlines()) - 1
    assert ds.episodes["SOURCE_ROW"].min() == 2 + prefix.replace(b"\xef\xbb\xbf", b"").count(b"\n")


@pytest.mark.parametrize("content", [b"\xff\xfe\xff\xfe", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xfe\xff\xfe\xff"])
def test_a_file_of_byte_order_marks_is_empty(content):
    """Found by the fuzzing above: it was an internal IndexError ("could not be read (IndexError ...)")."""
    ds = check_read([InputFile("upload.csv", content)])
    assert [e.reason for e in ds.quality.file_errors()] == ["the file is empty"]


def whole_column_swap(draw, rows):
    a, b = _column(draw, rows), _column(draw, rows)
    if a is not None:
        for r in rows:
            if max(a, b) < len(r):
                r[a], r[b] = r[b], r[a]
    return rows


BENIGN_MUTATIONS = [whole_column_swap, blank_rows, title_lines]


def _rows_read(files) -> int:
    return int(read_inputs(files).quality.summary()["rows_read"].sum())


BASE_ROWS = {name: _rows_read([InputFile(name, text.encode())]) for name, text in CSV_BASES}


@examples(40)
@given(data=st.data())
def test_harmless_differences_never_lose_a_row(data):
    """Column order, blank lines, title lines, delimiter, line endings and encoding change nothing read."""
    CASES["harmless differences: same rows read"] += 1
    draw = data.draw
    name, text = draw(st.sampled_from(CSV_BASES))
    rows = _rows(text)
    for mutate in draw(st.lists(st.sampled_from(BENIGN_MUTATIONS), min_size=1, max_size=3)):
        rows = mutate(draw, rows)
    text = _join(rows, draw(st.sampled_from([",", ";", "\t", "|"])))
    if draw(st.booleans()):
        text = line_endings(draw, text)
    file = InputFile(name, encode(text, draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))))
    ds = check_read([file])
    assert ds.quality.file_errors() == []
    assert int(ds.quality.summary()["rows_read"].sum()) == BASE_ROWS[name]


@pytest.mark.parametrize(
    "encoding, declared", [("utf-16", "utf-16"), ("utf-8", "Aus-ascii"), ("cp1252", "windows-1252")]
)
def test_903_xml_in_any_encoding_or_with_a_wrong_declaration_is_read(encoding, declared):
    """Found by the fuzzing above: a UTF-16 903 XML (as Windows tools save it) was refused, and an
    unknown declared encoding was an internal LookupError."""
    name, text = XML_BASES[0]
    base = len(read_inputs([InputFile(name, text.encode("utf-8"))]).episodes)
    text = re.sub(r"encoding='[^']*'", f"encoding='{declared}'", text, count=1)
    ds = check_read([InputFile(name, text.encode(encoding))])
    assert ds.quality.file_errors() == []
    assert len(ds.episodes) == base > 0


# ------------------------------------------------------------------ quotes that run across lines (issue 15)
def _covered_lines(ds, name: str) -> set[int]:
    """Physical lines of file ``name`` that the dataset used, set aside, or named in a quote warning."""
    covered = set(ds.quality.set_aside_rows(name))
    for table in TABLES:
        frame = getattr(ds, table)
        if not frame.empty:
            covered |= set(frame.loc[frame["SOURCE_FILE"] == name, "SOURCE_ROW"].astype(int))
    for issue in ds.quality.issues:
        found = re.search(r"runs over lines (\d+)-(\d+)", issue.reason)
        if found and issue.file == name:
            covered |= set(range(int(found[1]), int(found[2]) + 1))
    return covered


@examples(150)
@given(data=st.data())
def test_a_quote_running_across_lines_never_loses_a_line(data):
    """A free-text value opens a quote that closes lines later, or never: every line is still accounted for.

    Each physical data line is used, set aside (with the quote's first and last line in the reason),
    or inside a well-formed quoted value that the report names by its first and last line.
    """
    CASES["quote across lines: no line lost"] += 1
    draw = data.draw
    name, text = draw(st.sampled_from(CSV_BASES))
    rows = _rows(text)
    assume_rows = [i for i in range(1, len(rows)) if rows[i]]
    if len(assume_rows) < 2:
        return
    opened = draw(st.sampled_from(assume_rows))
    column = draw(st.integers(0, len(rows[opened]) - 1))
    closes = draw(st.one_of(st.none(), st.integers(opened + 1, len(rows))))
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    lines = [sep.join(r) for r in rows]  # plain cells (the bases hold no separators inside values)
    cells = lines[opened].split(sep)
    cells[column] = '"' + cells[column]
    lines[opened] = sep.join(cells)
    if closes is not None and closes < len(lines):
        cells = lines[closes].split(sep) if lines[closes] else [""]
        at = draw(st.integers(0, len(cells) - 1))
        cells[at] = cells[at] + '"'
        lines[closes] = sep.join(cells)
    body = "\n".join(lines) + "\n"
    ds = check_read([InputFile(name, encode(body, draw(st.sampled_from(["utf-8", "cp1252", "utf-16"]))))])
    if ds.quality.file_errors():
        return  # refused whole with a reason (e.g. the header itself lost its columns)
    data_lines = {i + 1 for i in range(1, len(lines)) if lines[i].strip(sep + " ")}
    lost = data_lines - _covered_lines(ds, name)
    assert not lost, (sorted(lost), body)
    aside = [i for i in ds.quality.issues if "quote opened in line" in i.reason]
    if aside:
        assert all(i.row is not None for i in aside)

"""Reading councils' files as they are: fixtures, formats, several years, bad files, accounting."""

from __future__ import annotations

import csv
import io
import os
import zipfile

import pandas as pd
import pytest

from data.quality import FILE_ERROR, SET_ASIDE, WARNING
from data.read_files import MAX_FILE_BYTES
from data.readers import InputFile, read_folder, read_inputs

TABLES = ["header", "episodes", "missing", "uasc", "missing_log", "homes", "costs"]
FIXTURE_FOLDERS = ["cs-demand-model", "cs-demand-model-regional", "csc-validator-be-903", "liia-tools"]


def _rows_by_file(ds) -> pd.Series:
    frames = [getattr(ds, t)[["SOURCE_FILE"]] for t in TABLES if not getattr(ds, t).empty]
    if not frames:
        return pd.Series(dtype=int)
    return pd.concat(frames)["SOURCE_FILE"].value_counts()


def assert_accounting(ds) -> None:
    """For every file: rows read == rows in the tables from that file + rows set aside."""
    used = _rows_by_file(ds)
    summary = ds.quality.summary()
    for rec in summary.itertuples():
        aside = ds.quality.set_aside_rows(rec.file)
        assert rec.rows_read == int(used.get(rec.file, 0)) + len(aside), rec.file
        assert rec.rows_used == int(used.get(rec.file, 0)), rec.file
    # No table row comes from a file the report does not know.
    assert set(used.index) <= set(summary["file"])


def _csv_data_rows(path) -> int:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return sum(1 for rec in list(csv.reader(fh))[1:] if any(c.strip() for c in rec))


def _errors(ds) -> list[str]:
    return [i.reason for i in ds.quality.file_errors()]


def _csv(text: str, name: str = "file.csv", encoding: str = "utf-8") -> InputFile:
    return InputFile(name, text.encode(encoding))


# --------------------------------------------------------------------------- fixtures as they are
@pytest.mark.parametrize("folder", FIXTURE_FOLDERS)
def test_every_fixture_folder_loads_with_accounting(fixtures_dir, folder):
    ds = read_folder(fixtures_dir / folder)
    assert _errors(ds) == []
    assert_accounting(ds)
    summary = ds.quality.summary().set_index("file")
    # Rows read are the file's real data rows (counted independently with the csv module).
    for path in (fixtures_dir / folder).glob("*.csv"):
        assert summary.loc[path.name, "rows_read"] == _csv_data_rows(path)
    assert not ds.episodes.empty
    assert str(ds.episodes["DECOM"].dtype).startswith("datetime64")
    assert {"SOURCE_FILE", "SOURCE_ROW"} <= set(ds.episodes.columns)
    from_csv = ds.episodes[ds.episodes["SOURCE_FILE"].str.endswith(".csv")]
    assert from_csv["SOURCE_ROW"].min() >= 2  # the header is row 1


def test_two_years_count_each_episode_once(fixtures_dir):
    folder = fixtures_dir / "cs-demand-model"
    ds = read_folder(folder)
    assert not ds.episodes.duplicated(["CHILD", "DECOM"]).any()
    assert not ds.header.duplicated(["CHILD"]).any()
    # 296227 from 13/09/2017 is row 4 of 2017-episodes.csv and row 2 of 2018-episodes.csv.
    row = ds.episodes[(ds.episodes["CHILD"] == "296227") & (ds.episodes["DECOM"] == pd.Timestamp("2017-09-13"))]
    assert len(row) == 1
    assert row["SOURCE_FILE"].iloc[0] == "2018-episodes.csv" and row["SOURCE_ROW"].iloc[0] == 2
    assert row["DEC"].iloc[0] == pd.Timestamp("2018-10-02")  # the later year's closing date
    issues = ds.quality.to_frame()
    hit = issues[(issues["file"] == "2017-episodes.csv") & (issues["row"] == 4)]
    assert hit["severity"].tolist() == [SET_ASIDE]
    assert hit["reason"].iloc[0] == "same episode also in 2018-episodes.csv"
    assert hit["value"].iloc[0] == "row 2 is used"
    # Order given does not matter: the year in the file name decides.
    files = sorted(folder.glob("*.csv"), reverse=True)
    again = read_inputs(files)
    assert len(again.episodes) == len(ds.episodes)
    assert set(again.episodes["SOURCE_FILE"]) == set(ds.episodes["SOURCE_FILE"])


def test_pooled_file_resolves_la_and_keeps_latest_year(fixtures_dir):
    ds = read_folder(fixtures_dir / "cs-demand-model-regional")
    assert set(ds.episodes["LA_CODE"].dropna()) == {
        "E09000017",
        "E09000028",
        "E09000006",
    }  # Hillingdon, Southwark, Bromley
    assert ds.episodes["LA_CODE"].notna().all()
    assert str(ds.episodes["YEAR"].dtype) == "Int64"
    assert not ds.episodes.duplicated(["LA_CODE", "CHILD", "DECOM"]).any()
    assert not ds.header.duplicated(["LA_CODE", "CHILD"]).any()
    assert ds.la_code is None  # three councils: no single responsible authority
    raw = pd.read_csv(fixtures_dir / "cs-demand-model-regional" / "header.csv", dtype=str)
    latest = raw.assign(YEAR=raw["YEAR"].astype(int)).groupby(["LA", "CHILD"])["YEAR"].max()
    got = ds.header.set_index(["LA", "CHILD"])["YEAR"].astype(int)
    assert (got.sort_index() == latest.sort_index()).all()
    assert_accounting(ds)


def test_pooled_unknown_la_is_a_warning_and_single_la_sets_dataset_la():
    text = "CHILD,DECOM,PLACE,LA,YEAR\n1,2020-01-02,U4,Kent,2020\n2,2020-01-03,U4,Atlantis,2020\n"
    ds = read_inputs([_csv(text, "pooled.csv")])
    assert len(ds.episodes) == 2
    issues = ds.quality.to_frame()
    warn = issues[(issues["column"] == "LA") & (issues["severity"] == WARNING)]
    assert warn["row"].tolist() == [3] and "Atlantis" in warn["reason"].iloc[0]
    assert ds.episodes["LA_CODE"].tolist()[0] == "E10000016"
    assert read_inputs([_csv(text.replace("Atlantis", "Kent"))]).la_code == "E10000016"
    assert read_inputs([_csv(text)], la="Medway").la_code == "E06000035"


def test_xlsx_from_a_fixture_loads_the_same(fixtures_dir, tmp_path):
    src = fixtures_dir / "cs-demand-model"
    from_csv = read_inputs([src / "2018-episodes.csv", src / "2018-header.csv"])
    book = tmp_path / "return.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.read_csv(src / "2018-episodes.csv", dtype=str).to_excel(writer, sheet_name="Episodes", index=False)
        pd.read_csv(src / "2018-header.csv", dtype=str).to_excel(writer, sheet_name="Header", index=False)
        pd.DataFrame().to_excel(writer, sheet_name="Notes", index=False)  # empty sheets are skipped quietly
    from_xlsx = read_inputs([book])
    assert _errors(from_xlsx) == []
    assert_accounting(from_xlsx)
    for table in ("episodes", "header"):
        a, b = getattr(from_xlsx, table), getattr(from_csv, table)
        pd.testing.assert_frame_equal(a.drop(columns="SOURCE_FILE"), b.drop(columns="SOURCE_FILE"))
    assert set(from_xlsx.episodes["SOURCE_FILE"]) == {"return.xlsx [Episodes]"}


def test_xlsx_with_real_dates_and_numbers(tmp_path):
    frame = pd.DataFrame(
        {"CHILD": [101, 102], "DECOM": pd.to_datetime(["2021-04-01", "2021-05-02"]), "PLACE": ["u4", " K2 "]}
    )
    book = tmp_path / "episodes.xlsx"
    frame.to_excel(book, index=False)
    ds = read_inputs([book])
    assert ds.episodes["CHILD"].tolist() == ["101", "102"]
    assert ds.episodes["DECOM"].tolist() == [pd.Timestamp("2021-04-01"), pd.Timestamp("2021-05-02")]
    assert ds.episodes["PLACE"].tolist() == ["U4", "K2"]


def test_xml_gives_the_same_tables_as_csv(fixtures_dir):
    src = fixtures_dir / "csc-validator-be-903"
    xml = read_inputs([src / "fake_903.xml"])
    csv_ = read_inputs([src / "episodes.csv", src / "header.csv", src / "missing.csv"])
    assert _errors(xml) == []
    assert_accounting(xml)
    assert (len(xml.header), len(xml.episodes), len(xml.missing)) == (253, 459, 6)
    for table in ("header", "episodes", "missing"):
        a, b = getattr(xml, table), getattr(csv_, table)
        std = [c for c in b.columns if c != "SOURCE_FILE"]
        assert std == [c for c in a.columns if c in std]
        for col in std:
            assert a[col].dtype == b[col].dtype, (table, col)
    first = xml.episodes.iloc[0]
    assert (first["CHILD"], first["PLACE"], first["DECOM"]) == ("907440", "R5", pd.Timestamp("2017-01-06"))
    assert xml.header["SOURCE_ROW"].tolist() == list(range(1, 254))  # CHILD element order
    assert xml.missing["DOB"].notna().all()


# --------------------------------------------------------------------------- CSV dialects and headers
def test_encodings_line_endings_and_delimiters():
    rows = "CHILD;MIS_START;FOUND_POST;NOTES\r\nA1;01/02/2024 21:30;CR0 1AA;seen near café £5\r\n"
    for encoding in ("cp1252", "utf-8-sig", "utf-8", "latin-1"):
        ds = read_inputs([_csv(rows, f"log-{encoding}.csv", encoding=encoding if encoding != "latin-1" else "cp1252")])
        assert _errors(ds) == [], encoding
        log = ds.missing_log
        assert log["NOTES"].iloc[0] == "seen near café £5"
        assert log["MIS_START"].iloc[0] == pd.Timestamp("2024-02-01 21:30")
    tabbed = read_inputs([_csv(rows.replace(";", "\t"), "log.tsv")])
    assert tabbed.missing_log["FOUND_POST"].iloc[0] == "CR0 1AA"
    # Excel's "Unicode text": UTF-16 with a byte-order mark, tab separated.
    utf16 = read_inputs([InputFile("log.txt", rows.replace(";", "\t").encode("utf-16"))])
    assert utf16.missing_log["NOTES"].iloc[0] == "seen near café £5"


def test_headers_case_spaces_duplicates_extras_and_absent_columns():
    text = " child ,Decom,PLACE,place,Worker Name\n1,01/04/2020,u4,K2,Ann\n"
    ds = read_inputs([_csv(text, "eps.csv")])
    ep = ds.episodes
    assert ep["PLACE"].tolist() == ["U4"]  # the first of the duplicates
    assert ep["PLACE_2"].tolist() == ["K2"] and ep["WORKER_NAME"].tolist() == ["Ann"]  # extras kept
    assert "PL_POST" in ep.columns and ep["PL_POST"].isna().all()  # absent optional column: blank
    reasons = " | ".join(ds.quality.to_frame()["reason"])
    assert "PLACE appears more than once" in reasons and "absent" in reasons


def test_header_only_file_is_fine_and_ragged_rows_are_noted():
    ds = read_inputs([_csv("CHILD,DECOM,PLACE\n", "eps.csv")])
    assert _errors(ds) == [] and len(ds.episodes) == 0
    assert ds.quality.summary()["rows_read"].tolist() == [0]
    ragged = read_inputs([_csv("CHILD,DECOM\n1,01/04/2020,extra\n2\n", "eps.csv")])
    assert len(ragged.episodes) == 1  # row 3 has no DECOM: set aside
    assert "more values than the header" in " ".join(ragged.quality.to_frame()["reason"])
    assert_accounting(ragged)


def test_title_rows_above_the_header_are_skipped():
    text = "Missing episodes report,,\nRun 01/04/2024,,\nCHILD,MIS_START,FOUND_POST\nA1,01/02/2024,CR0 1AA\n"
    ds = read_inputs([_csv(text, "report.csv")])
    assert ds.missing_log["SOURCE_ROW"].tolist() == [4]
    assert ds.quality.summary()["rows_read"].tolist() == [1]
    assert "above the column names" in " ".join(ds.quality.to_frame()["reason"])


# --------------------------------------------------------------------------- dates
def test_unparseable_dates_named_with_file_row_column():
    text = "CHILD,DECOM,DEC,PLACE\n1,31/02/2020,,U4\n2,01/04/2020,tomorrow,U4\n3,2020-04-01T10:15:00,,U4\n4,1/4/20,,U4\n5,1/4/2020,,U4\n"
    ds = read_inputs([_csv(text, "eps.csv")])
    issues = ds.quality.to_frame().set_index("row")
    assert (
        issues.loc[2, "severity"] == SET_ASIDE
        and issues.loc[2, "column"] == "DECOM"
        and issues.loc[2, "value"] == "31/02/2020"
    )
    assert issues.loc[2, "file"] == "eps.csv"
    assert (
        issues.loc[3, "severity"] == WARNING
        and issues.loc[3, "column"] == "DEC"
        and issues.loc[3, "value"] == "tomorrow"
    )
    assert issues.loc[5, "severity"] == SET_ASIDE and issues.loc[5, "value"] == "1/4/20"  # two-digit year refused
    assert ds.episodes["CHILD"].tolist() == ["2", "3", "5"]
    assert ds.episodes["DECOM"].tolist() == [
        pd.Timestamp("2020-04-01"),
        pd.Timestamp("2020-04-01 10:15"),
        pd.Timestamp("2020-04-01"),
    ]
    assert_accounting(ds)


# --------------------------------------------------------------------------- our own inputs
def test_missing_log_types_and_recognition():
    text = (
        "CHILD,MISSING,MIS_START,MIS_END,FROM_POST,FOUND_POST,FOUND_LAT,FOUND_LON,RHI_OFFERED,RHI_DONE,RHI_ACCEPTED,"
        "CSE,CCE,GANG,COUNTY_LINES,TRAFFICKED,SUBSTANCE,NOTES,WORKER\n"
        "a1,m,01/02/2024 21:30,02/02/2024 08:00,,ME14 1XQ,51.27,0.52,03/02/2024,05/02/2024,y,Yes,no,1,0,TRUE,,note,Bo\n"
        "a2,A,2024-03-01,,,,,,,,N,maybe,,,,,,,\n"
    )
    ds = read_inputs([_csv(text, "log.csv")])
    log = ds.missing_log
    assert ds.missing.empty and len(log) == 2
    assert log["CHILD"].tolist() == ["A1", "A2"] and log["MISSING"].tolist() == ["M", "A"]
    assert log["MIS_END"].iloc[0] == pd.Timestamp("2024-02-02 08:00") and pd.isna(log["MIS_END"].iloc[1])
    assert str(log["CSE"].dtype) == "boolean"
    assert log.loc[0, ["CSE", "CCE", "GANG", "COUNTY_LINES", "TRAFFICKED"]].tolist() == [True, False, True, False, True]
    assert pd.isna(log.loc[0, "SUBSTANCE"]) and pd.isna(log.loc[1, "CSE"])  # "maybe" -> NA with a warning
    assert log["RHI_ACCEPTED"].tolist() == [True, False]
    assert log["FOUND_LAT"].dtype == "float64" and log["FOUND_LAT"].iloc[0] == pytest.approx(51.27)
    assert pd.isna(log["FROM_POST"].iloc[0]) and log["WORKER"].iloc[0] == "Bo"
    warn = ds.quality.to_frame()
    assert warn[(warn["column"] == "CSE")]["value"].tolist() == ["maybe"]
    # The 903 Missing table is not mistaken for the log.
    m = read_inputs([_csv("CHILD,DOB,MISSING,MIS_START,MIS_END\n1,01/01/2010,M,01/02/2024,\n")])
    assert len(m.missing) == 1 and m.missing_log.empty


def test_homes_register_and_costs():
    homes = "NAME,URN,POSTCODE,SECTOR,TYPE,PLACES,OFSTED_RATING,PROVIDER\nOak,SC123456,me14 1xq,private,Children's home,4,good,Acme\nElm,,CR0 1AA,Council,,2.5,Great,\n"
    costs = 'placement_group,weekly_cost\nOther foster care,"£1,234.50"\nChildren\'s homes and secure,6000\nWith parents,free\n'
    ds = read_inputs([_csv(homes, "homes.csv"), _csv(costs, "costs.csv")])
    assert ds.homes["SECTOR"].tolist() == ["PRIVATE", "LA"]
    assert ds.homes["PLACES"].tolist()[0] == 4 and pd.isna(ds.homes["PLACES"].iloc[1])
    assert ds.homes["OFSTED_RATING"].tolist() == ["Good", "Great"]
    assert ds.costs["WEEKLY_COST"].tolist() == [1234.5, 6000.0]
    issues = ds.quality.to_frame()
    assert issues[(issues["file"] == "costs.csv") & (issues["severity"] == SET_ASIDE)]["row"].tolist() == [4]
    assert_accounting(ds)


def test_templates_load_empty_without_errors():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "data" / "templates"
    ds = read_folder(folder)
    assert _errors(ds) == []
    assert set(ds.quality.summary()["table"]) == {"missing_log", "homes", "costs"}
    assert ds.quality.summary()["rows_read"].sum() == 0


# --------------------------------------------------------------------------- wrong files
def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _zip_bomb(size: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/workbook.xml", b"<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                fh.write(chunk)
    return buf.getvalue()


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("episodes.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        ("episodes.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "PNG image"),
        ("episodes.csv", b"", "empty"),
        ("episodes.csv", b"  \r\n\r\n", "empty"),
        ("episodes.csv", b"Name,Colour\nx,blue\n", "not recognised: expected the columns of"),
        ("episodes.csv", bytes(range(256)) * 40, "binary"),
        ("episodes.xlsx", _zip_bytes({"a.txt": b"hello"}), "zip archive, not an Excel workbook"),
        ("episodes.xlsx", b"PK\x03\x04 broken", "damaged"),
        ("return.xml", b"<?xml version='1.0'?><ROOT><CHILD/></ROOT>", "not a 903 return"),
        ("return.xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><EXPSSDA903/>", "entities"),
        ("return.xml", b"<EXPSSDA903><CHILD>", "not well formed"),
        ("reviews.csv", b"CHILD,DOB,REVIEW,REVIEW_CODE\n1,01/01/2010,01/01/2020,PN1\n", "Reviews table: not used"),
    ],
)
def test_wrong_files_give_one_clear_file_error(name, content, expected):
    ds = read_inputs([InputFile(name, content)])
    errors = ds.quality.file_errors()
    assert len(errors) == 1
    assert expected in errors[0].reason and errors[0].file == name and errors[0].severity == FILE_ERROR
    assert "Traceback" not in errors[0].reason
    assert ds.quality.summary()["rows_read"].sum() == 0


def test_random_bytes_are_a_file_error():
    import random

    rng = random.Random(7)
    ds = read_inputs([InputFile("x.csv", bytes(rng.getrandbits(8) for _ in range(50_000)))])
    assert len(ds.quality.file_errors()) == 1


def test_zip_bomb_is_refused_before_opening():
    bomb = _zip_bomb(100 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    ds = read_inputs([InputFile("episodes.xlsx", bomb)])
    (error,) = ds.quality.file_errors()
    assert "zip bomb" in error.reason and "MAX_COMPRESSION_RATIO" in error.reason


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "episodes.csv"
    with open(path, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk or memory used
    assert os.path.getsize(path) > MAX_FILE_BYTES
    ds = read_inputs([path, tmp_path / "absent.csv"])
    errors = {e.file: e.reason for e in ds.quality.file_errors()}
    assert "MAX_FILE_BYTES" in errors["episodes.csv"] and "limit" in errors["episodes.csv"]
    assert "could not be opened" in errors["absent.csv"]


def test_missing_folder_is_a_file_error(tmp_path):
    ds = read_folder(tmp_path / "nowhere")
    assert [e.reason for e in ds.quality.file_errors()] == ["folder not found"]
    (tmp_path / "README.txt").write_text("notes")
    (tmp_path / "ground_truth.csv").write_text("a,b\n1,2\n")
    assert len(read_folder(tmp_path).quality) == 0  # documentation and answer keys are not inputs


def test_one_bad_file_does_not_stop_the_others(fixtures_dir):
    ds = read_inputs([InputFile("bad.csv", b"%PDF-1.4"), fixtures_dir / "liia-tools" / "SSDA903_2020_episodes.csv"])
    assert len(ds.episodes) == 5 and len(ds.quality.file_errors()) == 1
    assert_accounting(ds)


def test_same_name_twice_is_kept_apart(fixtures_dir):
    path = fixtures_dir / "liia-tools" / "SSDA903_2020_episodes.csv"
    ds = read_inputs([path, InputFile(path.name, path.read_bytes())])
    assert set(ds.quality.summary()["file"]) == {path.name, f"{path.name} (2)"}
    assert len(ds.episodes) == 5  # the second copy replaces the first
    assert_accounting(ds)


# --------------------------------------------------------------------------- any text at all
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_COLUMNS = [
    "CHILD",
    "DECOM",
    "DEC",
    "PLACE",
    "MIS_START",
    "MIS_END",
    "MISSING",
    "DOB",
    "SEX",
    "DUC",
    "CSE",
    "FOUND_POST",
    "FOUND_LAT",
    "POSTCODE",
    "URN",
    "PLACES",
    "PLACEMENT_GROUP",
    "WEEKLY_COST",
    "LA",
    "YEAR",
]
_CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "1",
            "01/02/2020",
            "2020-02-30",
            "1/2/20",
            "Kent",
            "Atlantis",
            "£1,2",
            "Y",
            "maybe",
            "2019",
            "ME14 1XQ",
            "9999-01-01",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.lists(st.sampled_from(_COLUMNS), min_size=1, max_size=7),
    rows=st.lists(st.lists(_CELLS, min_size=0, max_size=8), max_size=6),
    sep=st.sampled_from([",", ";", "\t"]),
)
def test_any_table_is_read_without_raising_and_every_row_is_accounted_for(header, rows, sep):
    def cell(c):
        return '"' + c.replace('"', '""') + '"'

    text = "\n".join(sep.join(cell(c) for c in r) for r in [header, *rows])
    ds = read_inputs([InputFile("a.csv", text.encode("utf-8")), InputFile("b.csv", text.encode("utf-8"))])
    assert_accounting(ds)
    for error in ds.quality.file_errors():
        assert "could not be read (" not in error.reason  # never an internal failure
    assert not any("row not read" in i.reason for i in ds.quality.issues)

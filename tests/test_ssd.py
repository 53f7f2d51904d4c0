"""The SSD extract against real databases: SQLite files and the PostgreSQL server CI starts.

The demo SSD is built from the committed synthetic Kent demo; the round trip demo -> SSD tables -> extract ->
readers must give the demo's own headline figures.
"""

from __future__ import annotations

import shutil
import sqlite3

import pandas as pd
import pytest
import sqlalchemy as sa

from analysis import placements as pl
from analysis.missing import missing_episodes
from data import schemas as S
from data.__main__ import main as data_main
from data.readers import read_folder
from data.ssd import (
    OUTPUT_FILES,
    QUALITY_FILE,
    SSDError,
    extract_tables,
    read_ssd,
    resolve_url,
)
from data.ssd.cli_demo import DEMO_FOLDER, build_ssd
from data.ssd.cli_demo import main as build_demo_main
from data.ssd.connection import read_only_connection, safe_url

SNAPSHOT = "2026-03-31"


@pytest.fixture(scope="module")
def demo():
    return read_folder(DEMO_FOLDER)


@pytest.fixture(scope="module")
def demo_ssd(tmp_path_factory, demo):
    path = tmp_path_factory.mktemp("ssd") / "ssd_demo.db"
    counts = build_ssd(f"sqlite:///{path}", demo)
    return path, counts


@pytest.fixture
def ssd_copy(demo_ssd, tmp_path):
    """A private copy of the demo SSD that a test may change."""
    path = tmp_path / "ssd.db"
    shutil.copy(demo_ssd[0], path)
    return path


def _headlines(dataset, index) -> pd.DataFrame:
    enriched = pl.add_placement_location(dataset.episodes, "Kent", index=index)
    figures = pl.headline_figures(pl.placements_on(enriched, SNAPSHOT))
    return figures[["measure", "count", "denominator", "value"]].reset_index(drop=True)


def _missing_counts(dataset) -> dict:
    eps = missing_episodes(dataset)
    return {
        "episodes": len(eps),
        "children": eps["CHILD"].nunique(),
        "by_kind": eps["MISSING"].value_counts(dropna=False).sort_index().to_dict(),
        "rhi_accepted": eps["RHI_ACCEPTED"].astype("boolean").value_counts(dropna=False).sort_index().to_dict(),
        "ended": int(eps["MIS_END"].notna().sum()),
    }


# ------------------------------------------------------------------ round trip
def test_extract_command_writes_files_the_readers_load_with_the_demo_headline_figures(
    demo_ssd, demo, tmp_path, postcode_index, capsys
):
    out = tmp_path / "extract"
    assert data_main(["extract", "--ssd", f"sqlite:///{demo_ssd[0]}", "--la", "Kent", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES.values(), QUALITY_FILE])
    for kind, name in OUTPUT_FILES.items():
        columns = pd.read_csv(out / name, nrows=0, encoding="utf-8-sig").columns.tolist()
        assert (
            columns
            == {
                "header": S.HEADER_COLUMNS,
                "episodes": S.EPISODES_COLUMNS,
                "missing": S.MISSING_COLUMNS,
                "missing_log": S.MISSING_LOG_COLUMNS,
            }[kind]
        )
    loaded = read_folder(out, la="Kent")
    assert loaded.quality.file_errors() == []
    assert len(loaded.episodes) == len(demo.episodes)
    assert len(loaded.header) == len(demo.header)
    pd.testing.assert_frame_equal(_headlines(loaded, postcode_index), _headlines(demo, postcode_index))
    assert _missing_counts(loaded) == _missing_counts(demo)
    assert "rows not used" in capsys.readouterr().out


def test_postgres_round_trip_in_a_named_schema_gives_the_demo_figures(postgres_url, demo, postcode_index, capsys):
    # The script councils run to try the tool, against the real server.
    assert build_demo_main(["--url", postgres_url, "--schema", "ssd_development"]) == 0
    assert "rows to ssd_cla_episodes" in capsys.readouterr().out
    got = read_ssd(postgres_url, la="Kent", schema="ssd_development", child_id="pers_legacy_id")
    pd.testing.assert_frame_equal(_headlines(got, postcode_index), _headlines(demo, postcode_index))
    assert _missing_counts(got) == _missing_counts(demo)
    # With the legacy id as CHILD, the episodes are the demo's own, row for row.
    cols = ["CHILD", "DECOM", "DEC", "LS", "PLACE", "HOME_POST", "PL_POST", "URN"]
    key = ["CHILD", "DECOM"]
    a = got.episodes[cols].sort_values(key).reset_index(drop=True)
    b = demo.episodes[cols].sort_values(key).reset_index(drop=True)
    b["HOME_POST"] = b["HOME_POST"].str.upper()
    # Eclipse-style SSDs store postcodes without the space: the same postcode either way.
    pd.testing.assert_series_equal(a["HOME_POST"].str.replace(" ", ""), b["HOME_POST"].str.replace(" ", ""))
    pd.testing.assert_frame_equal(a.drop(columns="HOME_POST"), b.drop(columns="HOME_POST"), check_dtype=False)


def test_risk_flags_come_from_assessment_factors_in_every_stored_shape(demo_ssd, demo):
    got = read_ssd(f"sqlite:///{demo_ssd[0]}", la="Kent", child_id="pers_legacy_id")
    with sqlite3.connect(demo_ssd[0]) as db:
        shapes = [r[0] for r in db.execute("SELECT cinf_assessment_factors_json FROM ssd_assessment_factors")]
    assert (
        any(s.startswith("{") for s in shapes)
        and any("null" in s for s in shapes)
        and any(s.startswith('["') for s in shapes)
    )
    demo_eps = missing_episodes(demo)
    for flag in ("CSE", "CCE", "GANG", "TRAFFICKED", "SUBSTANCE"):
        expected = set(demo_eps.loc[demo_eps[flag].astype("boolean").fillna(False).astype(bool), "CHILD"])
        if flag == "CCE":  # county lines is recorded as criminal exploitation (24A)
            expected |= set(
                demo_eps.loc[demo_eps["COUNTY_LINES"].astype("boolean").fillna(False).astype(bool), "CHILD"]
            )
        flagged = set(got.missing_log.loc[got.missing_log[flag].astype("boolean").fillna(False).astype(bool), "CHILD"])
        assert flagged == expected, flag
    assert got.missing_log["COUNTY_LINES"].isna().all()  # no CIN factor for it


# ------------------------------------------------------------------ every row used or listed
def test_every_ssd_row_is_used_or_listed(demo_ssd):
    tables, issues, rows_read = extract_tables(f"sqlite:///{demo_ssd[0]}")
    assert rows_read == demo_ssd[1]
    aside = issues[issues["severity"] == "set aside"].groupby("table").size()
    assert len(tables["episodes"]) + aside.get("ssd_cla_episodes", 0) == rows_read["ssd_cla_episodes"]
    assert len(tables["header"]) + aside.get("ssd_person", 0) == rows_read["ssd_person"]
    assert len(tables["missing"]) + aside.get("ssd_missing", 0) == rows_read["ssd_missing"]
    assert aside.get("ssd_person", 0) == 40  # children in need never looked after: listed, not used
    assert aside["ssd_address"] == (issues["value"] == "PLACEMENT").sum()  # Mosaic placement addresses
    used_addresses = (tables["episodes"]["HOME_POST"] != "").sum()
    assert used_addresses + aside["ssd_address"] == rows_read["ssd_address"]
    blank_home = issues[issues["column"] == "HOME_POST"]
    assert len(blank_home) == (tables["episodes"]["HOME_POST"] == "").sum()
    assert blank_home["reason"].str.contains("no home address").all()


def test_stored_values_of_each_case_management_system_are_all_accepted(demo_ssd):
    with sqlite3.connect(demo_ssd[0]) as db:
        kinds = {r[0] for r in db.execute("SELECT DISTINCT miss_missing_episode_type FROM ssd_missing")}
        answers = {r[0] for r in db.execute("SELECT DISTINCT miss_missing_rhi_accepted FROM ssd_missing")}
        types = {r[0] for r in db.execute("SELECT DISTINCT addr_address_type FROM ssd_address")}
    assert {"M", "Missing", "A", "Absent", "Away"} <= kinds
    assert {"Y", "Yes", "N", "No", "NA"} <= answers
    assert {"MAIN", "Home", "Primary Address", "PLACEMENT"} <= types
    tables, issues, _ = extract_tables(f"sqlite:///{demo_ssd[0]}")
    assert set(tables["missing"]["MISSING"]) <= {"M", "A"}
    assert set(tables["missing_log"]["RHI_ACCEPTED"]) <= {"Y", "N", ""}
    assert not issues["reason"].str.contains("not a known").any()


def test_unknown_values_and_a_missing_column_are_named_in_the_report(ssd_copy):
    with sqlite3.connect(ssd_copy) as db:
        db.execute(
            "UPDATE ssd_missing SET miss_missing_episode_type = 'Runaway', miss_missing_rhi_accepted = 'Maybe' "
            "WHERE miss_table_id = '700000'"
        )
        db.execute(
            "UPDATE ssd_cla_episodes SET clae_cla_episode_start_date = NULL WHERE clae_cla_episode_id = '500001'"
        )
        db.execute(
            "UPDATE ssd_assessment_factors SET cinf_assessment_factors_json = 'not json' "
            "WHERE rowid = (SELECT min(rowid) FROM ssd_assessment_factors)"
        )
        db.execute("ALTER TABLE ssd_cla_placement DROP COLUMN clap_cla_placement_urn")
    got = read_ssd(f"sqlite:///{ssd_copy}", la="Kent")
    report = got.quality.to_frame()

    def one(file, column, reason_part):
        rows = report[
            (report["file"] == file)
            & (report["column"] == column)
            & report["reason"].str.contains(reason_part, regex=False)
        ]
        assert len(rows) == 1, (file, column, reason_part, rows)
        return rows.iloc[0]

    row = one("ssd_missing", "miss_missing_episode_type", "not a known missing type")
    assert row["value"] == "miss_table_id=700000: Runaway" and row["severity"] == "warning"
    assert one("ssd_missing", "miss_missing_rhi_accepted", "not a known answer")["value"].endswith("Maybe")
    assert one("ssd_cla_episodes", "clae_cla_episode_start_date", "no start date")["severity"] == "set aside"
    assert pd.isna(one("ssd_cla_placement", "clap_cla_placement_urn", "not in this SSD version")["row"])
    assert one("ssd_assessment_factors", "cinf_assessment_factors_json", "not a JSON")["severity"] == "set aside"
    assert got.episodes["URN"].isna().all()
    summary = got.quality.summary().set_index("file")
    assert summary.loc["ssd_cla_episodes", "rows_set_aside"] == 1


def test_a_missing_required_column_or_table_is_one_clear_message(ssd_copy, tmp_path, capsys):
    with sqlite3.connect(ssd_copy) as db:
        db.execute("ALTER TABLE ssd_cla_episodes DROP COLUMN clae_cla_episode_start_date")
    code = data_main(["extract", "--ssd", f"sqlite:///{ssd_copy}", "--la", "Kent", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "ssd_cla_episodes" in err and "clae_cla_episode_start_date" in err and "Traceback" not in err
    with sqlite3.connect(ssd_copy) as db:
        db.execute("DROP TABLE ssd_person")
    with pytest.raises(SSDError, match="no table ssd_person"):
        extract_tables(f"sqlite:///{ssd_copy}")


def test_settings_choose_the_child_id_and_the_home_address_types(demo_ssd, demo):
    url = f"sqlite:///{demo_ssd[0]}"
    legacy, _, _ = extract_tables(url, child_id="pers_legacy_id")
    assert set(legacy["header"]["CHILD"]) == set(demo.header["CHILD"])
    only_main, issues, _ = extract_tables(url, home_address_types=["main"])  # any case
    default, _, _ = extract_tables(url)
    filled = (only_main["episodes"]["HOME_POST"] != "").sum()
    assert 0 < filled < (default["episodes"]["HOME_POST"] != "").sum()
    assert issues["reason"].str.contains(r"no home address \(main\)").any()
    with pytest.raises(ValueError, match="child_id"):
        extract_tables(url, child_id="upn")


# ------------------------------------------------------------------ safe with a live database
def test_postgres_connection_only_reads_and_bounds_each_query(postgres_url):
    with read_only_connection(postgres_url) as conn, pytest.raises(SSDError, match="not a read"):
        conn.exec_driver_sql("CREATE TABLE intruder (i int)")
    # Past our own guard, the server itself refuses: the transaction is READ ONLY.
    with read_only_connection(postgres_url) as conn:
        cursor = conn.connection.driver_connection.cursor()
        with pytest.raises(Exception, match="read-only transaction"):
            cursor.execute("CREATE TABLE intruder (i int)")
    with (
        pytest.raises(SSDError, match="statement timeout"),
        read_only_connection(postgres_url, timeout_seconds=0.3) as conn,
    ):
        conn.exec_driver_sql("SELECT pg_sleep(5)")
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("intruder")
    engine.dispose()


def test_sqlite_is_opened_read_only_and_a_long_query_is_stopped(ssd_copy):
    url = f"sqlite:///{ssd_copy}"
    with read_only_connection(url) as conn:
        raw = conn.connection.driver_connection
        with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|query_only"):
            raw.execute("DELETE FROM ssd_person")
    with pytest.raises(SSDError, match="interrupted"), read_only_connection(url, timeout_seconds=0.2) as conn:
        conn.exec_driver_sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n")
    with sqlite3.connect(ssd_copy) as db:
        assert db.execute("SELECT count(*) FROM ssd_person").fetchone()[0] > 0


def test_a_password_never_appears_in_a_message_or_the_dataset_label(monkeypatch, capsys, tmp_path, postgres_url):
    secret = "Pa55-word-xyz"
    url = f"postgresql+psycopg://reader:{secret}@127.0.0.1:1/ssd"
    with pytest.raises(SSDError) as caught:
        extract_tables(url)
    assert secret not in str(caught.value) and "could not read the SSD at" in str(caught.value)
    assert data_main(["extract", "--ssd", url, "--la", "Kent", "--out", str(tmp_path / "o")]) == 2
    captured = capsys.readouterr()
    assert secret not in captured.err + captured.out and captured.err.count("\n") == 1
    # The password may come from the environment instead of the command line, and is kept out of labels.
    monkeypatch.setenv("CARE_MAP_SSD_PASSWORD", secret)
    full = resolve_url("postgresql+psycopg://reader@127.0.0.1:1/ssd")
    assert secret in full and secret not in safe_url(full)
    trusted = sa.engine.make_url(postgres_url).set(password=secret).render_as_string(hide_password=False)
    build_ssd(postgres_url)
    got = read_ssd(trusted, la="Kent")
    assert secret not in got.label and "***" in got.label
    assert secret not in got.quality.to_frame().to_csv()


def test_settings_come_from_the_option_then_the_environment_then_secrets(monkeypatch):
    import argparse

    from data.ssd.settings import add_setting_arguments, settings_from

    parser = argparse.ArgumentParser()
    add_setting_arguments(parser)
    secrets = {
        "ssd": {
            "child_id": "pers_legacy_id",
            "home_address_types": ["MAIN"],
            "schema": "ssd_development",
            "timeout_seconds": 60,
        }
    }
    assert settings_from(parser.parse_args([]), secrets=secrets) == {
        "child_id": "pers_legacy_id",
        "home_address_types": ["MAIN"],
        "schema": "ssd_development",
        "timeout_seconds": 60.0,
    }
    monkeypatch.setenv("CARE_MAP_SSD_HOME_TYPES", "Home, Primary Address")
    monkeypatch.setenv("CARE_MAP_SSD_TIMEOUT", "30")
    got = settings_from(parser.parse_args(["--timeout", "5", "--child-id", "pers_person_id"]), secrets=secrets)
    assert got["home_address_types"] == ("Home", "Primary Address")
    assert got["timeout_seconds"] == 5.0 and got["child_id"] == "pers_person_id"
    monkeypatch.setenv("CARE_MAP_SSD_TIMEOUT", "soon")
    with pytest.raises(SSDError, match="number of seconds"):
        settings_from(parser.parse_args([]), secrets={})
    monkeypatch.delenv("CARE_MAP_SSD_TIMEOUT")
    monkeypatch.delenv("CARE_MAP_SSD_URL", raising=False)
    with pytest.raises(SSDError, match="no SSD connection"):
        resolve_url(None, secrets={})
    monkeypatch.setenv("CARE_MAP_SSD_URL", "sqlite:///x.db")
    assert resolve_url(None, secrets={"ssd": {"url": "sqlite:///y.db"}}) == "sqlite:///x.db"

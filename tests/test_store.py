"""The store of published snapshots, against embedded SQLite and a real PostgreSQL server."""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from data.dataset import Dataset
from data.readers import read_folder
from data.validation import check_dataset
from store import (
    PublishError,
    StoreVersionError,
    get_engine,
    latest_snapshot,
    list_snapshots,
    migrate,
    open_snapshot,
    publish_dataset,
    purge_snapshots,
    read_figures,
)
from store.engine import dispose_engines, sqlite_path
from store.schema import MIGRATIONS, schema_version, snapshot_tables, snapshots, store_version
from store.snapshots import DATASET_TABLES, _to_parquet

ROOT = Path(__file__).resolve().parents[1]
KENT, SURREY = "E10000016", "E10000030"


@pytest.fixture(scope="module")
def kent():
    dataset = read_folder(ROOT / "data" / "demo_data", la=KENT)
    check_dataset(dataset)
    return dataset


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
    yield url
    dispose_engines()


def test_publish_then_open_gives_back_the_dataset(store_url, kent):
    engine = get_engine(store_url)
    inputs = [{"name": "2026_episodes.csv", "sha256": "ab" * 32, "bytes": 10}]
    first = publish_dataset(kent, published_by="ana", inputs=inputs, snapshot_date=date(2025, 9, 30), engine=engine)
    second = publish_dataset(kent, published_by="bob", engine=engine)
    assert [s.id for s in list_snapshots(engine=engine)] == [second.id, first.id]  # newest first
    assert latest_snapshot(engine=engine).id == second.id
    assert first.inputs == tuple(inputs) and first.published_by == "ana" and first.la_code == KENT
    assert (first.period_start, first.snapshot_date) == (date(2025, 4, 1), date(2025, 9, 30))
    assert first.published_at <= second.published_at <= datetime.now(timezone.utc)

    opened = open_snapshot(first.id, engine=engine)
    for name in DATASET_TABLES:
        original = getattr(kent, name)
        if original is not None and not original.empty:
            pd.testing.assert_frame_equal(getattr(opened, name), original.reset_index(drop=True))
    pd.testing.assert_frame_equal(opened.quality.summary(), kent.quality.summary())
    pd.testing.assert_frame_equal(opened.quality.to_frame(), kent.quality.to_frame())
    assert opened.la_code == KENT and opened.synthetic == kent.synthetic
    assert "30 September 2025" in opened.label


def test_a_dataset_that_cannot_be_published_leaves_the_previous_current(store_url, kent):
    engine = get_engine(store_url)
    first = publish_dataset(kent, published_by="ana", engine=engine)
    with pytest.raises(PublishError, match="no usable 903 episodes"):
        publish_dataset(Dataset(la_code=KENT), published_by="ana", engine=engine)
    with pytest.raises(PublishError, match=f"for authority {KENT}, not {SURREY}"):
        publish_dataset(kent, published_by="ana", la=SURREY, engine=engine)
    with pytest.raises(PublishError, match=f"holds returns of authority {KENT}"):
        publish_dataset(dataclasses.replace(kent, la_code=SURREY), published_by="ana", engine=engine)
    with pytest.raises(PublishError, match="authority is not known"):
        publish_dataset(dataclasses.replace(kent, la_code=None), published_by="ana", engine=engine)
    assert [s.id for s in list_snapshots(engine=engine)] == [first.id]


def test_a_store_of_an_earlier_version_is_upgraded_not_wiped(store_url, kent):
    engine = get_engine(store_url)
    assert migrate(engine, up_to=1) == 1
    with engine.begin() as conn:  # a snapshot written by the version-1 code
        old_id = conn.execute(
            snapshots.insert().values(
                la_code=KENT,
                period_start=date(2024, 4, 1),
                period_end=date(2025, 3, 31),
                snapshot_date=date(2025, 3, 31),
                label="",
                synthetic=True,
                source="files",
                published_by="old",
                published_at=datetime(2025, 4, 2, tzinfo=timezone.utc),
                inputs="[]",
            )
        ).inserted_primary_key[0]
        conn.execute(
            snapshot_tables.insert().values(
                snapshot_id=old_id, name="episodes", rows=len(kent.episodes), parquet=_to_parquet(kent.episodes)
            )
        )
    assert [s.id for s in list_snapshots(engine=engine)] == [old_id]  # reading upgrades the schema
    with engine.connect() as conn:
        assert store_version(conn) == len(MIGRATIONS)
    assert len(open_snapshot(old_id, engine=engine).episodes) == len(kent.episodes)
    assert read_figures(engine=engine).empty  # version 2's table exists, empty for the old snapshot
    publish_dataset(kent, published_by="new", engine=engine)
    assert len(list_snapshots(engine=engine)) == 2

    with engine.begin() as conn:  # a newer Care map wrote this store: refused, not touched
        conn.execute(
            schema_version.insert().values(version=99, description="future", applied_at=datetime.now(timezone.utc))
        )
    with pytest.raises(StoreVersionError, match="newer than this Care map"):
        migrate(engine)


def test_purge_by_date_and_by_id(store_url, kent):
    engine = get_engine(store_url)
    old = publish_dataset(kent, published_by="a", snapshot_date=date(2025, 3, 31), engine=engine)
    mid = publish_dataset(kent, published_by="a", snapshot_date=date(2025, 9, 30), engine=engine)
    new = publish_dataset(kent, published_by="a", snapshot_date=date(2026, 3, 31), engine=engine)
    assert purge_snapshots(before=date(2025, 9, 30), engine=engine) == [old.id]
    assert purge_snapshots(snapshot_ids=[mid.id], engine=engine) == [mid.id]
    assert [s.id for s in list_snapshots(engine=engine)] == [new.id]
    with engine.connect() as conn:
        left = set(conn.execute(sa.select(snapshot_tables.c.snapshot_id)).scalars())
    assert left == {new.id}
    with pytest.raises(KeyError):
        open_snapshot(old.id, engine=engine)


def _without_child(dataset: Dataset, child: str) -> Dataset:
    tables = {name: getattr(dataset, name) for name in DATASET_TABLES}
    kept = {name: (t[t["CHILD"] != child] if t is not None and "CHILD" in t else t) for name, t in tables.items()}
    quality = type(dataset.quality).from_frames(
        dataset.quality.to_frame().query("value != @child"), dataset.quality.file_counts()
    )
    return dataclasses.replace(dataset, quality=quality, **kept)


def test_a_purged_child_is_nowhere_in_the_sqlite_file(tmp_path, kent):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine = get_engine(url)
    child = str(kent.episodes["CHILD"].iloc[0])
    old = publish_dataset(kent, published_by="a", engine=engine)
    publish_dataset(_without_child(kent, child), published_by="a", engine=engine)
    file = sqlite_path(url)
    assert child.encode() in file.read_bytes()  # uncompressed Parquet: the id is there in clear
    purge_snapshots(snapshot_ids=[old.id], engine=engine)
    dispose_engines()
    assert child.encode() not in file.read_bytes()
    assert not any(p.name != file.name for p in file.parent.glob("store.sqlite*"))  # no journal left beside it


def test_the_sqlite_store_is_private_to_the_account(tmp_path, kent):
    url = f"sqlite:///{tmp_path / 'state' / 'store.sqlite'}"
    publish_dataset(kent, published_by="a", engine=get_engine(url))
    mode = stat.S_IMODE(os.stat(sqlite_path(url)).st_mode)
    assert mode == 0o600


def _publisher(url, *extra):
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store_publisher", url, *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_analysts_publishing_at_once_both_land_in_order(store_url, tmp_path):
    go = tmp_path / "go"
    procs = [_publisher(store_url, "--wait-for", str(go), "--by", name) for name in ("ana", "bob")]
    time.sleep(3)  # both have read the files and wait
    go.write_text("go")
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    found = list_snapshots(engine=get_engine(store_url))
    assert sorted(s.published_by for s in found) == ["ana", "bob"]
    newest, older = found
    assert newest.id > older.id and newest.published_at >= older.published_at
    for info in found:
        assert len(open_snapshot(info.id, engine=get_engine(store_url)).episodes) > 0


def test_a_publish_killed_part_way_leaves_the_previous_snapshot_current(store_url, tmp_path, kent):
    engine = get_engine(store_url)
    before = publish_dataset(kent, published_by="ana", engine=engine)
    marker = tmp_path / "inside"
    proc = _publisher(store_url, "--stop-after-episodes", str(marker))
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the publisher never reached its transaction"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    dispose_engines()
    engine = get_engine(store_url)
    assert [s.id for s in list_snapshots(engine=engine)] == [before.id]
    with engine.connect() as conn:
        assert set(conn.execute(sa.select(snapshot_tables.c.snapshot_id)).scalars()) == {before.id}
    path = sqlite_path(store_url)
    if path is not None:
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert len(open_snapshot(before.id, engine=engine).episodes) == len(kent.episodes)
    after = publish_dataset(kent, published_by="bob", engine=engine)  # the store takes the next publish
    assert latest_snapshot(engine=engine).id == after.id


def test_where_the_store_is(tmp_path, monkeypatch):
    from store.engine import STORE_FILE, database_url

    secrets = tmp_path / "secrets.toml"
    monkeypatch.setenv("CARE_MAP_SECRETS_FILE", str(secrets))
    monkeypatch.delenv("CARE_MAP_DATABASE_URL")
    monkeypatch.setenv("CARE_MAP_STATE_DIR", str(tmp_path / "state"))
    assert database_url() == f"sqlite:///{tmp_path / 'state' / STORE_FILE}"  # no set-up: SQLite in the state folder
    secrets.write_text('[store]\ndatabase_url = "postgresql+psycopg://care_map@dbhost/care_map"\n')
    assert database_url() == "postgresql+psycopg://care_map@dbhost/care_map"
    monkeypatch.setenv("CARE_MAP_DATABASE_URL", "sqlite:////srv/care-map/store.sqlite")
    assert database_url() == "sqlite:////srv/care-map/store.sqlite"  # the environment wins
    assert database_url("sqlite:///x.sqlite") == "sqlite:///x.sqlite"


def test_the_store_sits_beside_data_and_imports_no_layer_above_it():
    code = (
        "import sys, store, store.snapshots, store.schema, store.engine\n"
        "above = [m for m in sys.modules if m.split('.')[0] in ('streamlit', 'analysis', 'maps', 'reports', 'ui')]\n"
        "print(above)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"

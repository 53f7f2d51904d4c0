"""``python -m data publish|snapshots|purge``: exit codes, one-line errors, the audit trail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from access.audit import read_audit
from store.engine import dispose_engines

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo_data"


def _run(*argv, stdin=None):
    proc = subprocess.run(
        [sys.executable, "-m", "data", *argv], cwd=ROOT, capture_output=True, text=True, input=stdin, timeout=300
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def url(tmp_path):
    yield f"sqlite:///{tmp_path / 'store.sqlite'}"
    dispose_engines()


def test_publish_list_purge(url, tmp_path):
    code, out, err = _run(
        "publish", "--files", str(DEMO), "--la", "Kent", "--date", "2025-09-30", "--database-url", url
    )
    assert code == 0, err
    assert "rows used" in out and "published snapshot 1: E10000016 at 2025-09-30" in out
    assert _run("publish", "--files", str(DEMO), "--la", "886", "--database-url", url)[0] == 0

    code, out, _ = _run("snapshots", "--database-url", url)
    lines = out.strip().splitlines()
    assert code == 0 and [line.split("\t")[0] for line in lines] == ["2", "1"]
    assert "2025-09-30" in lines[1] and "15 files" in lines[1]

    code, out, err = _run("purge", "--snapshot", "1", "--database-url", url, stdin="")
    assert code == 2 and err.strip() == "error: purge would delete snapshot(s) 1: add --yes to confirm"
    code, out, _ = _run("purge", "--before", "2026-01-01", "--yes", "--database-url", url)
    assert code == 0 and "purged snapshot(s) 1" in out
    assert [line.split("\t")[0] for line in _run("snapshots", "--database-url", url)[1].splitlines()] == ["2"]
    code, _, err = _run("purge", "--snapshot", "7", "--yes", "--database-url", url)
    assert code == 2 and "no snapshot 7" in err

    events = [(r["event"], r["details"].get("snapshot"), r["details"].get("snapshots")) for r in read_audit()]
    assert events == [("publish", 1, None), ("publish", 2, None), ("purge", None, [1])]
    assert all(r["user"].startswith("local:") for r in read_audit())


def test_publish_refusals_are_one_line_and_keep_the_current_snapshot(url, tmp_path):
    # Kent's files under Surrey's name, into an empty store: the children's home postcodes say otherwise.
    code, _, err = _run("publish", "--files", str(DEMO), "--la", "Surrey", "--database-url", url)
    assert code == 2 and err.count("\n") == 1
    assert err.strip() == (
        "error: not published: these files do not look like Surrey's: 0% of the children's "
        "home postcodes are in it, 100% in Kent"
    )
    assert _run("publish", "--files", str(DEMO), "--la", "Kent", "--database-url", url)[0] == 0

    only_homes = tmp_path / "homes"
    only_homes.mkdir()
    shutil.copy(DEMO / "childrens_homes.csv", only_homes)
    code, _, err = _run("publish", "--files", str(only_homes), "--la", "Kent", "--database-url", url)
    assert code == 2 and "no usable 903 episodes" in err and err.count("\n") == 1
    code, _, err = _run("publish", "--files", str(tmp_path / "nowhere"), "--la", "Kent", "--database-url", url)
    assert code == 2 and "is not a folder" in err
    assert [line.split("\t")[0] for line in _run("snapshots", "--database-url", url)[1].splitlines()] == ["1"]
    assert [r["event"] for r in read_audit()] == ["publish"]


def test_snapshots_of_an_empty_store(url):
    code, out, _ = _run("snapshots", "--database-url", url)
    assert code == 0 and out.strip() == "nothing published yet"


def test_publish_straight_from_the_ssd(url, tmp_path):
    """``publish --ssd URL``: the council's SSD (here the demo SSD in SQLite) read and published in one step."""
    from data.readers import read_folder
    from data.ssd.cli_demo import build_ssd
    from store import get_engine, latest_snapshot, open_snapshot

    ssd = f"sqlite:///{tmp_path / 'ssd.db'}"
    build_ssd(ssd, read_folder(DEMO))
    code, out, err = _run(
        "publish", "--ssd", ssd, "--la", "Kent", "--child-id", "pers_legacy_id", "--database-url", url
    )
    assert code == 0, err
    assert "published snapshot 1: E10000016" in out and "ssd.db" not in out
    info = latest_snapshot(engine=get_engine(url))
    assert info.source == "ssd"
    assert sorted(i["name"] for i in info.inputs) == [
        "ssd_903_episodes.csv",
        "ssd_903_header.csv",
        "ssd_903_missing.csv",
        "ssd_missing_log.csv",
    ]
    assert len(open_snapshot(info.id, engine=get_engine(url)).episodes) == len(read_folder(DEMO).episodes)
    code, _, err = _run(
        "publish", "--ssd", "postgresql+psycopg://reader:hunter2@127.0.0.1:1/ssd", "--la", "Kent", "--database-url", url
    )
    assert code == 2 and "hunter2" not in err and err.count("\n") == 1

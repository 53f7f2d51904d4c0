"""Who sees what once data is published (AppTest): panel members the latest snapshot, analysts a choice."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from access.audit import read_audit
from access.roles import ANALYST, PANEL
from access.users import add_user
from analysis.history import headline_history
from data.readers import InputFile, folder_files, read_folder
from data.validation import check_dataset
from store import list_snapshots, publish_dataset
from store.engine import dispose_engines, get_engine
from ui import dataset_choice
from ui.components import SYNTHETIC_BANNER

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
DEMO = ROOT / "data" / "demo_data"
TIMEOUT = 180
PASSWORDS = {"ana.lyst": ("analyst password 1", ANALYST), "panel.member": ("panel password 22", PANEL)}


@pytest.fixture(scope="module")
def kent():
    dataset = read_folder(DEMO, la="E10000016")
    check_dataset(dataset)
    return dataset


@pytest.fixture
def accounts(tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    for name, (password, role) in PASSWORDS.items():
        add_user(name, password, role=role, path=path)
    monkeypatch.setenv("CARE_MAP_USERS_FILE", str(path))
    yield tmp_path
    dispose_engines()


def _signed_in(name: str, page: str = "app_pages/placements.py", **session) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(PASSWORDS[name][0])
    at.button[0].click()
    at.run()
    for key, value in session.items():
        at.session_state[key] = value
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    return "\n".join(
        str(e.value)
        for kind in ("error", "warning", "info", "success", "markdown", "caption", "title")
        for e in getattr(at, kind)
    )


def test_panel_sees_the_demo_until_something_is_published_then_the_latest(accounts, kent):
    at = _signed_in("panel.member")
    assert any(SYNTHETIC_BANNER in e.value for e in at.error)  # nothing published: the labelled demo

    publish_dataset(
        dataclasses.replace(kent, synthetic=False), published_by="ana.lyst", snapshot_date=date(2025, 9, 30)
    )
    latest = publish_dataset(dataclasses.replace(kent, synthetic=False), published_by="ana.lyst")
    at = _signed_in("panel.member")
    assert f"(snapshot {latest.id})" in _texts(at)
    assert not any(SYNTHETIC_BANNER in e.value for e in at.error)

    data_page = _signed_in("panel.member", "app_pages/data.py")
    assert "Now showing: **published data**, snapshot 2" in _texts(data_page)
    assert not data_page.get("file_uploader") and not data_page.selectbox  # no upload, no switch for the panel


def test_an_analyst_publishes_an_upload_and_the_panel_sees_it(accounts):
    files = [InputFile(p.name, p.read_bytes()) for p in folder_files(DEMO)]
    at = _signed_in(
        "ana.lyst",
        "app_pages/data.py",
        **{
            dataset_choice.KEY_INPUT_FILES: files,
            dataset_choice.KEY_LA: "E10000016",
            dataset_choice.KEY_SOURCE: dataset_choice.SOURCE_UPLOAD,
        },
    )
    assert "your uploaded files, not published" in _texts(at)
    at.button(key="FormSubmitter:publish_form-Publish for the panel").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [info] = list_snapshots()
    assert info.published_by == "ana.lyst" and len(info.inputs) == len(files)
    assert {i["name"] for i in info.inputs} == {f.name for f in files}
    assert "Published snapshot 1" in _texts(at)
    assert [(r["event"], r["details"].get("snapshot")) for r in read_audit() if r["event"] == "publish"] == [
        ("publish", 1)
    ]

    panel = _signed_in("panel.member")
    assert "(snapshot 1)" in _texts(panel)


def test_an_analyst_switches_to_an_earlier_snapshot_and_it_is_audited(accounts, kent):
    first = publish_dataset(kent, published_by="ana.lyst", snapshot_date=date(2025, 9, 30))
    publish_dataset(kent, published_by="ana.lyst")
    at = _signed_in("ana.lyst", "app_pages/data.py")
    assert "snapshot 2" in _texts(at)
    at.selectbox(key="which_snapshot").select(first.id)
    at.run()
    assert not at.exception
    assert f"Now showing: **published data**, snapshot {first.id}: data to 30 September 2025" in _texts(at)
    assert [r["details"]["snapshot"] for r in read_audit() if r["event"] == "snapshot"] == [first.id]


def test_a_publish_of_another_authority_is_refused_and_the_panel_keeps_the_current(accounts, kent):
    publish_dataset(kent, published_by="ana.lyst")
    files = [InputFile(p.name, p.read_bytes()) for p in folder_files(DEMO)]
    at = _signed_in(
        "ana.lyst",
        "app_pages/data.py",
        **{
            dataset_choice.KEY_INPUT_FILES: files,
            dataset_choice.KEY_LA: "E10000030",
            dataset_choice.KEY_SOURCE: dataset_choice.SOURCE_UPLOAD,
        },
    )
    at.button(key="FormSubmitter:publish_form-Publish for the panel").click()
    at.run()
    assert not at.exception
    assert any("Not published: these files do not look like Surrey's" in e.value for e in at.error)
    assert len(list_snapshots()) == 1


def test_purge_on_the_data_page(accounts, kent):
    first = publish_dataset(kent, published_by="ana.lyst", snapshot_date=date(2025, 9, 30))
    second = publish_dataset(kent, published_by="ana.lyst")
    at = _signed_in("ana.lyst", "app_pages/data.py")
    at.multiselect(key="purge_ids").select(first.id)
    at.checkbox(key="purge_sure").check()
    at.run()
    at.button(key="purge_go").click()
    at.run()
    assert not at.exception
    assert [s.id for s in list_snapshots()] == [second.id]
    assert f"Deleted snapshot(s) {first.id}." in _texts(at)
    assert [r["details"]["snapshots"] for r in read_audit() if r["event"] == "purge"] == [[first.id]]


def test_pages_show_the_change_since_the_previous_snapshot_and_a_trend(accounts, kent, postcode_index):
    for on in (date(2025, 9, 30), date(2026, 3, 31)):
        publish_dataset(
            kent, published_by="ana.lyst", snapshot_date=on, figures=headline_history(kent, on=on, index=postcode_index)
        )
    at = _signed_in("panel.member")
    lines = [m.value for m in at.markdown if "over 20 miles:" in str(m.value)]
    assert lines and "from " in lines[0] and "% at 30 September 2025" in lines[0]
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")  # the trend chart is drawn

    missing = _signed_in("ana.lyst", "app_pages/missing.py")
    assert any("missing and away episodes in the year:" in str(m.value) for m in missing.markdown)


def test_a_store_that_cannot_be_reached_is_said_not_a_traceback(accounts, monkeypatch):
    monkeypatch.setenv("CARE_MAP_DATABASE_URL", f"postgresql+psycopg://nobody@/care_map?host={accounts / 'no-server'}")
    at = _signed_in("panel.member")
    assert any("store of published data could not be read" in w.value for w in at.warning)
    assert any(SYNTHETIC_BANNER in e.value for e in at.error)  # the page still works, on the labelled demo


def test_a_pack_whose_history_cannot_be_read_says_so(accounts, kent, postcode_index):
    """The store's figures table is gone (a damaged store): the pack still builds and says history is missing."""
    for on in (date(2025, 9, 30), date(2026, 3, 31)):
        publish_dataset(
            kent, published_by="ana.lyst", snapshot_date=on, figures=headline_history(kent, on=on, index=postcode_index)
        )
    with get_engine().begin() as conn:
        conn.execute(sa.text("DROP TABLE snapshot_figures"))
    at = _signed_in("panel.member", "app_pages/briefing.py")
    pack = at.get("iframe")[0].proto.srcdoc
    assert "Since the previous published snapshot" in pack
    assert "figures could not be read from the store" in pack
    # The page says why too, and not that no such data was loaded (it was; the store failed).
    shown = " ".join(c.value for c in at.caption)
    assert "Since the previous published snapshot: the published snapshots' figures could not be read" in shown, shown

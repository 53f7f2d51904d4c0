"""The Data page's "Read from the SSD" with AppTest: the connection comes from secrets, never from the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.ssd.cli_demo import DEMO_FOLDER, build_ssd

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/data.py"
SECRET = "Pa55-word-xyz"


@pytest.fixture(scope="module")
def ssd_file(tmp_path_factory):
    from data.readers import read_folder

    path = tmp_path_factory.mktemp("ssd") / "ssd.db"
    build_ssd(f"sqlite:///{path}", read_folder(DEMO_FOLDER))
    return path


def _page(monkeypatch, tmp_path, secrets: str | None) -> AppTest:
    if secrets is not None:
        file = tmp_path / "secrets.toml"
        file.write_text(secrets)
        monkeypatch.setenv("CARE_MAP_SECRETS_FILE", str(file))
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at) -> str:
    return "\n".join(
        str(e.value)
        for kind in ("error", "warning", "info", "success", "markdown", "caption")
        for e in getattr(at, kind)
    )


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_without_a_configured_ssd_the_page_only_points_to_it_and_has_no_connection_box(monkeypatch, tmp_path):
    at = _page(monkeypatch, tmp_path, None)
    assert "docs/ssd.md" in _texts(at)
    assert not any(b.label == "Read from the SSD" for b in at.button)
    assert not any("ssd" in (t.label or "").lower() or "url" in (t.label or "").lower() for t in at.text_input)


def test_reading_the_configured_ssd_loads_its_903_tables_and_lists_its_rows_not_used(monkeypatch, tmp_path, ssd_file):
    at = _page(
        monkeypatch, tmp_path, f'[ssd]\nurl = "sqlite:///{ssd_file}"\nla = "Kent"\nchild_id = "pers_legacy_id"\n'
    )
    _button(at, "Read from the SSD").click().run()
    assert not at.exception, [e.value for e in at.exception]
    dataset = at.session_state["dataset"]
    from data.readers import read_folder

    assert len(dataset.episodes) == len(read_folder(DEMO_FOLDER).episodes) and dataset.la_code == "E10000016"
    assert dataset.episodes["CHILD"].str.startswith("SYN").all()
    text = _texts(at)
    assert "SSD rows not used or doubtful" in text and str(ssd_file) not in text
    tables = [f.value for f in at.dataframe]
    assert any("reason" in t.columns and t["reason"].str.contains("not a home address type").any() for t in tables)


def test_a_connection_error_is_shown_without_the_password(monkeypatch, tmp_path):
    at = _page(
        monkeypatch, tmp_path, f'[ssd]\nurl = "postgresql+psycopg://reader@127.0.0.1:1/ssd"\npassword = "{SECRET}"\n'
    )
    _button(at, "Read from the SSD").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any("The SSD could not be read" in e for e in errors)
    assert SECRET not in _texts(at) and SECRET not in repr(at.session_state)

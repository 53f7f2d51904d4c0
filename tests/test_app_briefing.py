"""The Briefing page end to end with AppTest on the committed synthetic demo: both audiences, preview, downloads, audit."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from access.audit import read_audit
from reports.pack import CLASSIFICATION, SUPPRESSION_NOTE
from ui.components import ATTRIBUTION, SYNTHETIC_BANNER

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGE = "app_pages/briefing.py"
TIMEOUT = 180
CHILD_ID = re.compile(r"SYN\d{3,}")  # the demo's child ids: SYN000001 ...


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """The single local analyst (no users file, no sign-in settings); audit log in a temporary folder."""
    folder = tmp_path_factory.mktemp("briefing")
    mp = pytest.MonkeyPatch()
    mp.setenv("CARE_MAP_USERS_FILE", str(folder / "no-users.json"))
    mp.setenv("CARE_MAP_SECRETS_FILE", str(folder / "no-secrets.toml"))
    mp.setenv("CARE_MAP_AUDIT_LOG", str(folder / "audit.log"))
    mp.setenv("CARE_MAP_SECRET_FILE", str(folder / "secret.key"))
    yield folder
    mp.undo()


@pytest.fixture(scope="module")
def mase(logs) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _preview(at: AppTest) -> str:
    frames = at.get("iframe")
    assert len(frames) == 1
    return frames[0].proto.srcdoc


def _demo_latest() -> pd.Timestamp:
    folder = ROOT / "data" / "demo_data"
    dates = []
    for file in folder.glob("*episodes*.csv"):
        frame = pd.read_csv(file, dtype=str)
        for column in ("DECOM", "DEC"):
            dates.append(pd.to_datetime(frame[column], format="%d/%m/%Y", errors="coerce").max())
    return max(d for d in dates if pd.notna(d))


def _check_pack(text: str) -> None:
    assert CLASSIFICATION in text
    assert SUPPRESSION_NOTE.split(";")[0] in text  # "Small numbers (1-5) are suppressed and shown as c"
    assert not CHILD_ID.search(text), CHILD_ID.search(text).group(0)
    assert "<script" not in text.lower()


def test_mase_pack_renders_with_banner_classification_and_no_child_ids(mase):
    at = mase
    assert at.title[0].value == "Briefing packs"
    assert any(SYNTHETIC_BANNER in e.value for e in at.error)
    assert any(ATTRIBUTION in c.value for c in at.caption)
    page_text = "\n".join(c.value for c in at.caption)
    assert CLASSIFICATION in page_text and "shown as" in page_text and "suppressed" in page_text
    preview = _preview(at)
    _check_pack(preview)
    assert "MASE" in preview and "SYNTHETIC" in preview
    labels = {d.label for d in at.download_button}
    assert {"Download HTML", "Download PDF"} <= labels


def test_default_period_is_the_last_full_april_to_march_year(mase):
    start, end = mase.session_state["briefing_period"]
    assert (start.month, start.day, end.month, end.day) == (4, 1, 3, 31)
    assert end.year == start.year + 1
    latest = _demo_latest().date()
    assert end <= latest < end + timedelta(days=366)
    assert f"{start:%d %B %Y} to {end:%d %B %Y}" in "\n".join(c.value for c in mase.caption)


def test_panel_audience_builds_the_panel_pack(logs):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["briefing_audience"] = "panel"
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    preview = _preview(at)
    _check_pack(preview)
    assert "Corporate parenting panel" in preview and "Placement distance" in preview
    assert {d.label for d in at.download_button} >= {"Download HTML", "Download PDF"}


def test_download_is_audited_with_audience_and_period(mase, logs):
    at = mase
    before = len(read_audit(logs / "audit.log"))
    at.download_button(key="briefing_html").click().run()
    assert not at.exception
    log = read_audit(logs / "audit.log")[before:]
    assert len(log) == 1
    entry = log[0]
    start, end = at.session_state["briefing_period"]
    assert entry["event"] == "briefing" and entry["role"] == "analyst" and entry["user"].startswith("local:")
    assert entry["details"]["what"] == f"mase_briefing_{start:%Y%m%d}_{end:%Y%m%d}.html"
    assert entry["details"]["audience"] == "mase" and entry["details"]["format"] == "html"
    assert entry["details"]["period"] == f"{start.isoformat()} to {end.isoformat()}"


def test_period_ending_before_it_starts_is_refused(mase):
    at = mase
    start, _ = at.session_state["briefing_period"]
    to_input = [d for d in at.date_input if d.label == "To"][0]
    to_input.set_value(start - timedelta(days=10)).run()
    assert not at.exception
    assert any("ends before it starts" in e.value for e in at.error)
    assert not at.get("iframe")
    assert date(2000, 1, 1) < start


def test_pooled_files_choose_the_authority_on_the_page(logs, tmp_path):
    """Three authorities' pooled files, loaded without choosing one: the page offers them, and the pack is
    about the one chosen (its children only), not refused."""
    from data.england import write_england
    from data.pooled import one_authority
    from data.readers import InputFile, read_folder
    from geo.authorities import resolve_authority
    from ui import dataset_choice

    codes = write_england(tmp_path, authorities=3, jobs=1, seed=7)["authorities"]
    files = [InputFile(p.name, p.read_bytes()) for p in sorted(tmp_path.glob("*.csv"))]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[dataset_choice.KEY_INPUT_FILES] = files
    at.session_state[dataset_choice.KEY_LA] = None
    at.session_state[dataset_choice.KEY_SOURCE] = dataset_choice.SOURCE_UPLOAD
    at.session_state["briefing_audience"] = "panel"
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any("Choose the responsible authority" in w.value for w in at.warning)
    box = at.selectbox(key="briefing_authority")
    assert sorted(box.options) == sorted(resolve_authority(c).name for c in codes)
    second = sorted(codes)[1]
    box.set_value(second).run()
    assert not at.exception, [e.value for e in at.exception]
    name = resolve_authority(second).name
    preview = _preview(at)
    assert name in preview
    # Its children only: the pack is built from the authority's own rows of the pooled files.
    pooled = read_folder(tmp_path)
    own = one_authority(pooled, second)
    assert own.la_code == second and set(own.episodes["LA_CODE"]) == {second}
    assert 0 < len(own.episodes) < len(pooled.episodes) and len(own.header) < len(pooled.header)
    others = [resolve_authority(c).name for c in codes if c != second]
    assert not any(f"{o} (" in preview for o in others)  # the front page names the chosen authority only

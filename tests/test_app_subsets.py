"""Every page on each subset of tables a council may load: no exception, and a clear note for what is absent.

Subsets: 903 without a Missing table (the published validator's CSV fixture), pooled multi-council
903 files without Missing (cs-demand-model-regional), the missing team's log only, and one year's
903 with Missing and UASC (the demo's files).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
DEMO = ROOT / "data" / "demo_data"
PAGES = ["placements", "homes", "regional", "missing", "briefing", "data"]
SUBSETS = {
    "903 without Missing": (("csc-validator-be-903/header.csv", "csc-validator-be-903/episodes.csv"), None),
    "pooled 903": (("cs-demand-model-regional/header.csv", "cs-demand-model-regional/episodes.csv"), None),
    "missing log only": (("demo:missing_log.csv",), "E10000016"),
    "903 only": (
        ("demo:2025_header.csv", "demo:2025_episodes.csv", "demo:2025_missing.csv", "demo:2025_uasc.csv"),
        "E10000016",
    ),
}
# The note a page shows when what it needs is not in the data (page, subset) -> words in it.
NOTES = {
    ("missing", "903 without Missing"): "No missing episodes are loaded",
    ("missing", "pooled 903"): "No missing episodes are loaded",
    ("regional", "pooled 903"): "No missing episodes are loaded",
    ("placements", "missing log only"): "No placement episodes are loaded",
    ("placements", "903 without Missing"): "Choose the responsible authority",
    ("briefing", "903 without Missing"): "Choose the responsible authority",
    ("homes", "missing log only"): "No children's homes found",
}


from tests.apptest_support import _secret_key  # noqa: E402,F401 - a throwaway installation key per module


def _files(subset: str, fixtures_dir: Path):
    from data.readers import InputFile

    names, la = SUBSETS[subset]
    paths = [DEMO / n[5:] if n.startswith("demo:") else fixtures_dir / n for n in names]
    return [InputFile(p.name, p.read_bytes()) for p in paths], la


@pytest.mark.parametrize("subset", list(SUBSETS))
@pytest.mark.parametrize("page", PAGES)
def test_page_works_on_subset(page, subset, fixtures_dir):
    from ui import dataset_choice

    files, la = _files(subset, fixtures_dir)
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state[dataset_choice.KEY_INPUT_FILES] = files
    at.session_state[dataset_choice.KEY_LA] = la
    at.session_state[dataset_choice.KEY_SOURCE] = dataset_choice.SOURCE_UPLOAD
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert not any("could not be drawn" in e or "could not be read" in e for e in errors), errors
    note = NOTES.get((page, subset))
    if note:
        shown = " ".join(str(e.value) for kind in ("info", "warning") for e in getattr(at, kind))
        assert note in shown, shown

"""What a panel notices: no code-style headings ("rows_set_aside") and no "None" in any table, on the demo and
on a 903-only upload (the demo's 903 files without the missing team's log)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ui.components import counted, for_people

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["placements", "homes", "data", "missing"]


from tests.apptest_support import _secret_key  # noqa: E402,F401 - a throwaway installation key per module


def _upload_903_only() -> dict:
    from data.readers import InputFile
    from ui import dataset_choice

    files = [InputFile(p.name, p.read_bytes()) for p in sorted((ROOT / "data" / "demo_data").glob("202*_*.csv"))]
    return {
        dataset_choice.KEY_INPUT_FILES: files,
        dataset_choice.KEY_LA: "E10000016",
        dataset_choice.KEY_SOURCE: "upload",
    }


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value) in ("None", "nan", "<NA>")


@pytest.mark.parametrize("data", ["demo", "903 only"])
@pytest.mark.parametrize("page", PAGES)
def test_tables_are_in_words_without_none(page, data):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for key, value in (_upload_903_only() if data == "903 only" else {}).items():
        at.session_state[key] = value
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe, "the page shows at least one table"
    for frame in at.dataframe:
        table = frame.value
        assert not [c for c in table.columns if re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", str(c))], list(table.columns)
        for col in table.columns:
            if table[col].dtype == object or pd.api.types.is_string_dtype(table[col]):
                assert not table[col].map(_blank).any(), (col, list(table.columns))


def test_for_people_keeps_numbers_and_words():
    frame = pd.DataFrame({"rows_set_aside": [1, 2], "% matched": [50.0, None], "reason": ["bad date", None]})
    shown = for_people(frame)
    assert list(shown.columns) == ["Rows set aside", "% matched", "reason"]
    assert shown["Rows set aside"].tolist() == [1, 2] and pd.isna(shown["% matched"].iloc[1])
    assert shown["reason"].tolist() == ["bad date", ""]


def test_a_count_agrees_with_its_noun():
    """ "1 child", never "1 children"; a hidden count ("c", 1 to 5) reads as many, as it may be."""
    import numpy as np

    assert counted(1, "child", "children") == "1 child"
    assert counted(np.int64(1), "home", "homes") == "1 home"
    assert counted("1", "episode", "episodes") == "1 episode"
    assert counted(0, "child", "children") == "0 children"
    assert counted(1204, "child", "children") == "1,204 children"
    assert counted("c", "child", "children") == "c children"
    assert counted(1, "row is", "rows are") == "1 row is"

"""What the AppTest suites share: one fresh run of a page, and the text and tiles it shows.

AppTest (Streamlit 1.67) runs only the page script once ``st.navigation`` has chosen it, so each
scenario starts a new AppTest on its page; every page draws the shared sidebar, banner and footer
itself (``ui.page``), so nothing of the frame is skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TEXT_ELEMENTS = ("error", "warning", "info", "success", "markdown", "caption", "title")


def run_page(page: str, *, timeout: float = 180, check: bool = True, **state) -> AppTest:
    """Run ``page`` once through ``app.py`` with ``state`` in session state.

    With ``check`` (the default) an exception on the page fails the test with its message.
    """
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(page)
    at.run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at


def page_text(at: AppTest, kinds: tuple[str, ...] = TEXT_ELEMENTS) -> str:
    """Every message, markdown, caption and title on the page, one per line."""
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def tiles(at: AppTest) -> dict[str, str]:
    """The headline tiles (st.metric): label -> value."""
    return {m.label: m.value for m in at.metric}


@pytest.fixture(scope="module", autouse=True)
def _secret_key(tmp_path_factory):
    """Pseudonyms need the installation key: a throwaway one per test module (import it to use it)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("CARE_MAP_SECRET_FILE", str(tmp_path_factory.mktemp("key") / "secret.key"))
    yield
    mp.undo()

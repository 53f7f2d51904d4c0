"""An error in a page, seen in Debian's Chromium: one sentence, no traceback, no outside links.

A test server is started with tests/fault/sitecustomize.py on its path, which makes every page
fail while drawing (CARE_MAP_TEST_FAULT). With the page guard (ui/guard.py) the user reads one
sentence; with the guard switched off, Streamlit's own error box is limited by
.streamlit/config.toml (client.showErrorDetails = "none", client.showErrorLinks = false).
"""

from __future__ import annotations

import os
import tomllib

import pytest

from tests.app_server import CHROMIUM, ROOT, start_app, stop_app

pytestmark = pytest.mark.browser
PAGE_TIMEOUT = 120_000
OUTSIDE = ("google", "chatgpt", "openai", "stackoverflow", "bing.com", "perplexity")


def test_client_settings_hide_error_details_and_links():
    client = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["client"]
    assert client["showErrorDetails"] == "none"
    assert client["showErrorLinks"] is False


def _serve(fault: str, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium")
    env = {
        "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "fault"), str(ROOT)]),
        "CARE_MAP_TEST_FAULT": fault,
        "CARE_MAP_PAGE_ERRORS": "",  # as in production: the guard does not re-raise
        "CARE_MAP_USERS_FILE": str(tmp_path / "no-users.json"),
        "CARE_MAP_SECRETS_FILE": str(tmp_path / "no-secrets.toml"),
        "CARE_MAP_AUDIT_LOG": str(tmp_path / "audit.log"),
        "CARE_MAP_SECRET_FILE": str(tmp_path / "secret.key"),
    }
    return start_app(env=env)


def _page_text_and_links(chromium, url: str, wait_for: str) -> tuple[str, list[str]]:
    page = chromium.new_page(viewport={"width": 1440, "height": 1200})
    try:
        page.goto(url, timeout=PAGE_TIMEOUT)
        page.get_by_text(wait_for, exact=False).first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
        page.wait_for_timeout(1500)
        text = page.inner_text("body")
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        return text, links
    finally:
        page.close()


@pytest.mark.parametrize(
    "fault,expected",
    [
        ("page", "could not be drawn because of an unexpected problem"),
        ("unguarded", "error"),
    ],
)
def test_a_failing_page_shows_no_traceback_and_no_outside_link(chromium, tmp_path, fault, expected):
    proc, url = _serve(fault, tmp_path)
    try:
        text, links = _page_text_and_links(chromium, url, expected)
    finally:
        stop_app(proc)
    assert "Traceback" not in text and 'File "' not in text
    assert "injected fault" not in text and "C123456" not in text  # the exception's text stays in the log
    if fault == "page":
        assert "(RuntimeError)" in text and "other pages" in text
    outside = [link for link in links if any(name in link.lower() for name in OUTSIDE)]
    assert not outside, outside
    assert all(link.startswith(url) or link.startswith("about:") for link in links), links


def test_the_guard_turns_an_error_into_one_sentence_and_logs_it(monkeypatch, caplog):
    """In production (no CARE_MAP_PAGE_ERRORS) the page shows one sentence; the traceback goes to the log."""
    from streamlit.testing.v1 import AppTest

    def page():
        from ui import guard

        def broken():
            raise KeyError("C123456")

        guard.run_guarded(broken)

    monkeypatch.delenv("CARE_MAP_PAGE_ERRORS", raising=False)
    at = AppTest.from_function(page, default_timeout=30).run()
    assert not at.exception
    (error,) = at.error
    assert "(KeyError)" in error.value and "C123456" not in error.value
    assert any("C123456" in r.exc_text for r in caplog.records if r.exc_text)

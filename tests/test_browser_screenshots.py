"""Every page in a real browser, on the synthetic demo and on a 903-only upload (the demo's 903 files without
the missing team's log, loaded through the Data page as a council would). No page shows an exception.

With UPDATE_SCREENSHOTS=1 the screenshots are written to docs/screenshots/ (``<page>.png`` for the demo,
``<page>-903-only.png`` for the upload), which the README shows; otherwise to a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_browser import PAGE_TIMEOUT, _settle, _shots_dir

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
# (file name, menu entry)
PAGES = [
    ("placements", "Placements"),
    ("missing", "Missing & hotspots"),
    ("homes", "Children's homes"),
    ("region", "Region"),
    ("briefing", "Briefing"),
    ("data", "Data"),
]


def _visit(page, label: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=label).first.click()
    page.wait_for_timeout(500)
    _settle(page)
    page.wait_for_timeout(1500)  # maps finish drawing in their frames


def _shoot(page, folder: Path, name: str) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, name
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def test_every_page_on_the_demo_and_on_a_903_only_upload(app_url, chromium, tmp_path_factory):
    folder = _shots_dir(tmp_path_factory)
    page = chromium.new_page(viewport={"width": 1440, "height": 1500})
    try:
        page.goto(app_url, timeout=PAGE_TIMEOUT)
        _settle(page)
        for name, label in PAGES:
            _visit(page, label)
            _shoot(page, folder, name)
        # Load the demo's 903 files (no missing team's log) as an upload, for Kent.
        _visit(page, "Data")
        files = sorted(str(p) for p in (ROOT / "data" / "demo_data").glob("202*_*.csv"))
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(files)
        page.wait_for_timeout(2000)
        page.locator('[data-testid="stForm"] [data-testid="stSelectbox"]').click()
        page.keyboard.type("Kent")
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Load these files").click()
        # Reading the files takes a while: the demo's banner goes when they are the session's data.
        page.wait_for_function("() => !document.body.innerText.includes('SYNTHETIC DEMO DATA')", timeout=PAGE_TIMEOUT)
        _settle(page)
        for name, label in PAGES:
            _visit(page, label)
            assert page.get_by_text("SYNTHETIC DEMO DATA", exact=False).count() == 0, name
            _shoot(page, folder, f"{name}-903-only")
    finally:
        page.close()

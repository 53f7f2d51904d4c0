"""The app in a real browser: Debian's Chromium driven by Playwright against a local server
(fixtures ``app_url`` and ``chromium`` in conftest.py).

Screenshots go to docs/screenshots/ when UPDATE_SCREENSHOTS=1, otherwise to a
temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.app_server import wait_for_map, wait_until_drawn

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
PAGES = [("placements", ""), ("homes", "homes"), ("briefing", "briefing"), ("data", "data")]
PAGE_TIMEOUT = 120_000  # ms for a page (first load reads the demo and draws the map)


def _shots_dir(tmp_path_factory) -> Path:
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        folder = ROOT / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


def _map_frame(page):
    """The frame holding a Leaflet map with drawn vector layers, waiting for it to appear."""
    return wait_for_map(page, timeout_ms=PAGE_TIMEOUT)


def _settle(page) -> None:
    wait_until_drawn(page, timeout_ms=PAGE_TIMEOUT)


@pytest.mark.parametrize("name,path", PAGES)
def test_page_renders_with_banner_and_map(app_url, chromium, tmp_path_factory, name, path):
    page = chromium.new_page(viewport={"width": 1440, "height": 1900})
    try:
        page.goto(f"{app_url}/{path}", timeout=PAGE_TIMEOUT)
        _settle(page)
        banner = page.get_by_text("SYNTHETIC DEMO DATA", exact=False).first
        banner.wait_for(state="visible", timeout=PAGE_TIMEOUT)
        assert banner.is_visible()
        assert page.locator('[data-testid="stException"]').count() == 0
        if name in ("placements", "homes"):
            frame = _map_frame(page)
            assert frame is not None, "the Leaflet map did not render"
            assert frame.locator(".leaflet-control-layers").count() == 1
            page.wait_for_timeout(1000)
        page.screenshot(path=str(_shots_dir(tmp_path_factory) / f"{name}.png"))
    finally:
        page.close()


@pytest.mark.parametrize("key", ["Enter", "Tab"])
def test_a_snapshot_date_typed_and_confirmed_with_enter_or_tab_is_applied(app_url, chromium, key):
    """As a panel member types it: the date, then Enter or Tab, and the figures are for that date."""
    page = chromium.new_page(viewport={"width": 1440, "height": 1200})
    try:
        page.goto(app_url, timeout=PAGE_TIMEOUT)
        _settle(page)
        main = page.locator('[data-testid="stMain"]')
        main.get_by_text("children looked after on 31 March 2026").first.wait_for(timeout=PAGE_TIMEOUT)
        box = page.get_by_label("Snapshot date", exact=True)
        box.fill("30/09/2025")
        box.press(key)
        main.get_by_text("children looked after on 30 September 2025").first.wait_for(timeout=PAGE_TIMEOUT)
        assert box.input_value() == "30/09/2025"
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()

"""The Missing page's "Where children are found" section in a real browser (Debian's Chromium via Playwright):
the journeys map is drawn, and a place of concern whose note is a script is marked, listed and drawn as text."""

from __future__ import annotations

import pytest

from tests.app_server import wait_for_map
from tests.test_browser import PAGE_TIMEOUT, _map_frame, _settle

pytestmark = pytest.mark.browser

PAYLOAD = '<img src=x onerror="window.__xss = 1">'
COUNT_LAYERS = "() => { let n = 0; window.map_div.eachLayer(() => { n += 1; }); return n; }"  # drawn on a canvas


def _journeys_frame(page, exclude=()):
    """The frame of the journeys map (its layer list names the journeys), waiting for it."""
    for _ in range(3):
        frame = wait_for_map(page, timeout_ms=PAGE_TIMEOUT, exclude=exclude)
        if frame is None:
            return None
        if "Journeys: where missing from" in frame.locator(".leaflet-control-layers").inner_text():
            return frame
        exclude = (*exclude, frame)
    return None


def _marked_frame(page):
    """The journeys map once it lists one place of concern (the component may redraw in its own frame)."""
    for _ in range(PAGE_TIMEOUT // 500):
        for frame in page.frames:
            try:
                if "Places of concern (1)" in frame.locator(".leaflet-control-layers").inner_text(timeout=500):
                    return frame
            except Exception:  # noqa: BLE001 - frames come and go while the map is redrawn
                continue
        page.wait_for_timeout(500)
    return None


def test_journeys_map_and_a_hostile_place_of_concern(app_url, chromium):
    page = chromium.new_page(viewport={"width": 1440, "height": 2400})
    try:
        page.goto(f"{app_url}/missing", timeout=PAGE_TIMEOUT)
        _settle(page)
        hotspot_map = _map_frame(page)
        assert hotspot_map is not None
        page.get_by_text("How far, in which authority, journeys", exact=False).first.click()
        _settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        frame = _journeys_frame(page, exclude=(hotspot_map,))
        assert frame is not None, "the journeys map did not render"
        layers = frame.locator(".leaflet-control-layers").inner_text()
        assert "Links between hotspots" in layers and "Places of concern (0)" in layers
        lines = frame.evaluate(COUNT_LAYERS)
        assert lines > 100, lines  # the demo's journeys and links, one Leaflet layer each

        page.get_by_text("a postcode", exact=True).first.click()
        page.get_by_label("Postcode (full postcode or sector)").fill("CT9 1AA")
        page.get_by_label("Note (analysts only)").fill(PAYLOAD)
        page.get_by_role("button", name="Mark as a place of concern").click()
        _settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        frame = _marked_frame(page)
        assert frame is not None, "the journeys map was not drawn again with the mark"
        assert frame.evaluate(COUNT_LAYERS) > lines  # the mark's circle
        page.wait_for_timeout(1000)
        for each in page.frames:
            try:
                assert not each.evaluate("() => typeof window.__xss !== 'undefined'"), each.url[:80]
            except Exception as exc:  # noqa: BLE001 - a frame can go away while we look
                if isinstance(exc, AssertionError):
                    raise
    finally:
        page.close()

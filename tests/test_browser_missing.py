"""The "Missing & hotspots" page in a real browser (Debian's Chromium via Playwright).

The screenshot goes to docs/screenshots/missing.png when UPDATE_SCREENSHOTS=1, otherwise
to a temporary folder. Uses the ``app_url`` and ``chromium`` fixtures of conftest.py.
"""

from __future__ import annotations

import pytest

from tests.test_browser import PAGE_TIMEOUT, _map_frame, _settle, _shots_dir

pytestmark = pytest.mark.browser


def test_missing_page_renders_map_and_profile(app_url, chromium, tmp_path_factory):
    page = chromium.new_page(viewport={"width": 1440, "height": 2000})
    try:
        page.goto(f"{app_url}/missing", timeout=PAGE_TIMEOUT)
        _settle(page)
        assert page.get_by_text("SYNTHETIC DEMO DATA", exact=False).first.is_visible()
        assert page.locator('[data-testid="stException"]').count() == 0
        frame = _map_frame(page)
        assert frame is not None, "the Leaflet map did not render"
        assert frame.locator(".leaflet-control-layers").count() == 1
        # Hotspot outlines, Gi* cells and episode circles are drawn on the map's canvas; the layer list names them.
        assert frame.locator(".leaflet-overlay-pane canvas").count() >= 1
        # The layer list is collapsed (it covered a third of the map) and opens on hover.
        assert not frame.locator(".leaflet-control-layers-list").is_visible()
        frame.locator(".leaflet-control-layers").hover()
        layers = frame.locator(".leaflet-control-layers").inner_text()
        assert "Hotspots" in layers and "Gi* hot and cold spots" in layers
        # The hidden layers' circles are built when a layer is first ticked (maps.common.GeoJson lazy).
        count_layers = "() => { let n = 0; window.map_div.eachLayer(() => { n += 1; }); return n; }"
        before = frame.evaluate(count_layers)
        frame.locator(".leaflet-control-layers").hover()
        frame.locator(".leaflet-control-layers-overlays label").filter(has_text="Children's homes").locator(
            "input"
        ).check()
        after = frame.evaluate(count_layers)
        assert after > before + 10, (before, after)  # each home is a circle on the map now
        assert page.get_by_text("All hotspots", exact=True).first.is_visible()
        page.wait_for_timeout(1000)
        page.screenshot(path=str(_shots_dir(tmp_path_factory) / "missing.png"))
    finally:
        page.close()

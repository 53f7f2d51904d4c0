"""Maps that say where in a real browser: town names by zoom offline, and a council's own tile server.

The tile server is a plain HTTP server on loopback, set through CARE_MAP_TILE_URL and
CARE_MAP_TILE_ATTRIBUTION exactly as a council would set theirs (maps/tiles.py, docs/basemap.md).
"""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from maps.common import base_map, map_html
from maps.tiles import TILE_ATTRIBUTION_ENV, TILE_URL_ENV

pytestmark = pytest.mark.browser

MARGATE = (51.3813, 1.3862)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 220, 200)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture()
def loopback():
    """An HTTP server on 127.0.0.1 serving ``pages`` by path and a tile for any /tiles/... path; ``asked``
    lists every path requested."""
    tile, pages, asked = _png(), {}, []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            asked.append(self.path)
            body, kind = (
                (tile, "image/png")
                if self.path.startswith("/tiles/")
                else (pages.get(self.path, b""), "text/html; charset=utf-8")
            )
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages, asked
    finally:
        server.shutdown()
        server.server_close()


def _open(chromium, url: str):
    page = chromium.new_page(viewport={"width": 1000, "height": 700})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url, timeout=60_000)
    page.wait_for_selector(".leaflet-container", timeout=60_000)
    page.wait_for_timeout(800)
    return page, requests


def test_council_tile_server_is_used_with_its_attribution(loopback, chromium, monkeypatch):
    base, pages, asked = loopback
    monkeypatch.setenv(TILE_URL_ENV, base + "/tiles/{z}/{x}/{y}.png")
    monkeypatch.setenv(TILE_ATTRIBUTION_ENV, "Tiles <b>from</b> Test Council © 2026")
    pages["/map.html"] = map_html(base_map(tiles=True, location=MARGATE, zoom_start=12)).encode()
    page, requests = _open(chromium, base + "/map.html")
    try:
        page.wait_for_function("() => document.querySelectorAll('.leaflet-tile-loaded').length > 0", timeout=30_000)
        tiles = [p for p in asked if p.startswith("/tiles/12/")]
        assert len(tiles) >= 4, asked
        assert all(url.startswith(base) or url.startswith("data:") for url in requests), requests
        credit = page.locator(".leaflet-control-attribution").inner_text()
        assert "Tiles <b>from</b> Test Council © 2026" in credit  # the setting is text, shown as typed
        assert page.locator(".care-map-place").count() == 0  # a basemap has its own names
    finally:
        page.close()


def test_offline_map_names_places_by_zoom(loopback, chromium):
    base, pages, _asked = loopback
    pages["/england.html"] = map_html(base_map(location=(52.8, -1.5), zoom_start=6)).encode()
    pages["/margate.html"] = map_html(base_map(location=MARGATE, zoom_start=12)).encode()
    page, requests = _open(chromium, base + "/england.html")
    try:
        names = page.locator(".care-map-place").all_inner_texts()
        assert {"London", "Birmingham", "Manchester"} <= set(names) and "Margate" not in names
        assert len(names) <= 120
        assert all(url.startswith(base) or url.startswith("data:") for url in requests)  # nothing else fetched
        page.evaluate(
            "() => { const m = Object.values(window).find(v => v && v._leaflet_id && v.setView); "
            f"m.setView([{MARGATE[0]}, {MARGATE[1]}], 12, {{animate: false}}); }}"
        )
        page.wait_for_timeout(300)
        closer = set(page.locator(".care-map-place").all_inner_texts())
        assert {"Margate", "Broadstairs"} <= closer and "London" not in closer
    finally:
        page.close()


def test_place_names_do_not_overlap(loopback, chromium):
    """Over London at county zoom dozens of places qualify: the names written never overlap each other."""
    base, pages, _asked = loopback
    pages["/london.html"] = map_html(base_map(location=(51.5, -0.12), zoom_start=10)).encode()
    page, _requests = _open(chromium, base + "/london.html")
    try:
        boxes = page.evaluate(
            "() => [...document.querySelectorAll('.care-map-place')].map(e => {"
            " const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
        )
        assert len(boxes) >= 10
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                overlap = min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1
                assert not overlap, (a, b)
    finally:
        page.close()

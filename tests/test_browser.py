"""The app in a real browser: Debian's Chromium driven by Playwright against a local server.

Screenshots go to docs/screenshots/ when UPDATE_SCREENSHOTS=1, otherwise to a
temporary folder.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
PAGES = [("placements", ""), ("homes", "homes"), ("data", "data")]
START_TIMEOUT = 90  # seconds for the server to answer
PAGE_TIMEOUT = 120_000  # ms for a page (first load reads the demo and draws the map)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    port = _free_port()
    log = open(os.devnull, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "localhost", "--server.port",
         str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start on {url} (exit code {proc.poll()})")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _shots_dir(tmp_path_factory) -> Path:
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        folder = ROOT / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


def _map_frame(page):
    """The frame holding a Leaflet map with drawn vector layers, waiting for it to appear."""
    deadline = time.monotonic() + PAGE_TIMEOUT / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                drawn = ".leaflet-overlay-pane canvas, .leaflet-overlay-pane path.leaflet-interactive"
                if frame.locator(".leaflet-container").count() > 0 and frame.locator(drawn).count() > 0:
                    return frame
            except Exception:  # noqa: BLE001 - frames come and go while the page loads
                continue
        page.wait_for_timeout(500)
    return None


def _settle(page) -> None:
    """Wait until the script has finished: the footer is drawn and no "Stop" (running) button shows."""
    page.get_by_text("Contains OS data", exact=False).first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
    page.wait_for_function(
        "() => ![...document.querySelectorAll('button')].some(b => b.innerText.trim() === 'Stop')",
        timeout=PAGE_TIMEOUT,
    )
    page.wait_for_timeout(1500)


@pytest.mark.parametrize("name,path", PAGES)
def test_page_renders_with_banner_and_map(server, browser, tmp_path_factory, name, path):
    page = browser.new_page(viewport={"width": 1440, "height": 1900})
    try:
        page.goto(f"{server}/{path}", timeout=PAGE_TIMEOUT)
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

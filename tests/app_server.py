"""The app served on a free localhost port, and Debian's Chromium to look at it.

Shared by the browser tests (through the ``app_url`` and ``chromium`` fixtures in
conftest.py) and by the load benchmark (bench/bench_load.py). Only loopback addresses
are ever used.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium tries to reach Google's services at start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
START_TIMEOUT = 120  # seconds for the server to answer its health check


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(*, port: int | None = None, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run app.py`` on 127.0.0.1 and wait until it answers; return (process, url)."""
    port = port or free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return proc, url
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_app(proc)
            raise RuntimeError(f"streamlit did not start on {url} (exit code {proc.poll()})")
        time.sleep(0.5)


def stop_app(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def launch_chromium(playwright):
    """Headless Debian Chromium through a Playwright sync or async API object."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def wait_until_drawn(page, *, timeout_ms: int = 120_000, settle_ms: int = 1500) -> None:
    """Wait until a page's script has finished: the attribution footer is drawn and no "Stop" button shows."""
    page.get_by_text("Contains OS data", exact=False).first.wait_for(state="visible", timeout=timeout_ms)
    page.wait_for_function(
        "() => ![...document.querySelectorAll('button')].some(b => b.innerText.trim() === 'Stop')",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(settle_ms)


# Drawn vector layers: folium draws on a canvas (prefer_canvas) or as interactive SVG paths.
MAP_DRAWN = ".leaflet-overlay-pane canvas, .leaflet-overlay-pane path.leaflet-interactive"
SCRIPT_STATE = "data-test-script-state"  # on [data-testid="stApp"]: "running" while the script runs, else "notRunning"


def wait_for_map(page, *, timeout_ms: int = 120_000, exclude=()):
    """The frame holding a Leaflet map with drawn vector layers, waiting up to ``timeout_ms`` (ms); None on timeout.

    Frames in ``exclude`` are skipped: streamlit-folium mounts a new iframe whenever the map changes (its
    component key is a hash of the map's script), so passing the frames present before a rerun waits for
    the new map rather than finding the old one.
    """
    skip = set(exclude)
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        for frame in page.frames:
            if frame in skip:
                continue
            try:
                if frame.locator(".leaflet-container").count() > 0 and frame.locator(MAP_DRAWN).count() > 0:
                    return frame
            except Exception:  # noqa: BLE001 - frames come and go while the page loads
                continue
        if time.monotonic() >= deadline:
            return None
        page.wait_for_timeout(min(100, max(1, int((deadline - time.monotonic()) * 1000))))


_WATCH_SCRIPT_STATE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return false;
    if (window.__rerunWatch) window.__rerunWatch.observer.disconnect();
    const watch = {seen: [], observer: null};
    // Record every state the attribute takes, so a rerun that starts and ends between two polls still counts.
    watch.observer = new MutationObserver(() => watch.seen.push(app.getAttribute('%(attr)s')));
    watch.observer.observe(app, {attributes: true, attributeFilter: ['%(attr)s']});
    window.__rerunWatch = watch;
    return true;
}""" % {"attr": SCRIPT_STATE}
_RERUN_DONE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const watch = window.__rerunWatch;
    return !!(app && watch && watch.seen.includes('running') && app.getAttribute('%(attr)s') === 'notRunning');
}""" % {"attr": SCRIPT_STATE}


def rerun_and_wait(page, action, *, timeout_ms: int = 120_000) -> None:
    """Run ``action()`` (a widget change) and wait until the script rerun it caused has finished.

    A MutationObserver on the app root is installed first and records each value of its script-state
    attribute, so "running" is seen even when the rerun is over before the next poll. Waits at most
    ``timeout_ms`` (ms) for "running" to have been seen and the state to be "notRunning" again; raises
    RuntimeError if that does not happen (e.g. the action did not change the widget's value).
    """
    if not page.evaluate(_WATCH_SCRIPT_STATE):
        raise RuntimeError('rerun_and_wait: no [data-testid="stApp"] on the page')
    action()
    try:
        page.wait_for_function(_RERUN_DONE, timeout=timeout_ms)
    except Exception as exc:  # noqa: BLE001 - Playwright's TimeoutError; say what was seen instead
        seen = page.evaluate("() => window.__rerunWatch ? window.__rerunWatch.seen : null")
        state = page.evaluate(
            f"() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('{SCRIPT_STATE}')"
        )
        raise RuntimeError(
            f"rerun_and_wait: the script did not run and finish within {timeout_ms / 1000:.0f} s "
            f"(states seen: {seen}, now: {state})"
        ) from exc
    finally:
        try:
            page.evaluate("() => window.__rerunWatch && window.__rerunWatch.observer.disconnect()")
        except Exception:  # noqa: BLE001 - the page may be gone; do not hide the error above
            pass

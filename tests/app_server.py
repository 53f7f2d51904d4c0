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
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-dev-shm-usage"]
START_TIMEOUT = 120  # seconds for the server to answer its health check


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(*, port: int | None = None, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run app.py`` on 127.0.0.1 and wait until it answers; return (process, url)."""
    port = port or free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1", "--server.port",
         str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})},
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

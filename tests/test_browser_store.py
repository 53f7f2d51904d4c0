"""Two app processes (replicas behind one proxy) serving from one PostgreSQL store, seen in Chromium."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from data.readers import read_folder
from store import get_engine, publish_dataset
from store.engine import dispose_engines
from tests.app_server import start_app, stop_app, wait_until_drawn

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_MS = 180_000


def _shown_snapshot(browser, url: str) -> str:
    page = browser.new_page()  # a new context each time: a new session, as a new visitor gets
    try:
        page.goto(f"{url}/data", timeout=TIMEOUT_MS)
        wait_until_drawn(page, timeout_ms=TIMEOUT_MS)
        return page.get_by_text("Now showing:", exact=False).first.inner_text()
    finally:
        page.close()


def test_two_app_processes_serve_the_same_published_data(postgres_url, chromium):
    kent = dataclasses.replace(read_folder(ROOT / "data" / "demo_data", la="E10000016"), synthetic=False)
    publish_dataset(kent, published_by="ana", snapshot_date=date(2025, 9, 30), engine=get_engine(postgres_url))
    dispose_engines()
    env = {"CARE_MAP_DATABASE_URL": postgres_url}
    servers = [start_app(env=env) for _ in range(2)]
    try:
        first = [_shown_snapshot(chromium, url) for _, url in servers]
        assert all("snapshot 1: data to 30 September 2025" in text for text in first), first
        # A third process publishes (the command line): both replicas show it on the next page load.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "data",
                "publish",
                "--files",
                str(ROOT / "data" / "demo_data"),
                "--la",
                "Kent",
                "--database-url",
                postgres_url,
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=300,
        )
        second = [_shown_snapshot(chromium, url) for _, url in servers]
        assert all("snapshot 2: data to 31 March 2026" in text for text in second), second
    finally:
        for proc, _ in servers:
            stop_app(proc)

"""Shared test set-up: real postcode index, the published fixtures, and no network."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(os.environ.get("CARE_MAP_FIXTURES") or ROOT.parent / "shared" / "fixtures")  # a worktree sets it

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX paths
        return True
    host = str(address[0])
    return host in ("localhost", "::1", "0.0.0.0") or host.startswith("127.")


def _guarded_connect(self, address):
    if not _is_local(address):
        raise OSError(f"test tried to reach the network ({address!r}): the app must work offline")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_local(address):
        raise OSError(f"test tried to reach the network ({address!r}): the app must work offline")
    return _real_connect_ex(self, address)


def pytest_configure(config):
    # A page error is still an exception for AppTest (ui/guard.py shows the user a sentence and re-raises).
    os.environ.setdefault("CARE_MAP_PAGE_ERRORS", "raise")
    # The whole suite runs with outbound network blocked: only loopback is allowed.
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex


@pytest.fixture(scope="session")
def postcode_index():
    """The real ONS postcode index (built once into the user cache on first use)."""
    from geo.postcodes import get_postcode_index

    return get_postcode_index()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.exists():
        pytest.fail(f"shared fixtures not found at {FIXTURES}")
    return FIXTURES


@pytest.fixture(autouse=True)
def _private_local_state(tmp_path, monkeypatch):
    """Keep a developer's real local/ (users, secrets, key, audit log) out of every test, and vice versa.

    A test or module fixture that points one of these somewhere itself keeps its own setting.
    """
    defaults = {
        "CARE_MAP_USERS_FILE": tmp_path / "no-users.json",
        "CARE_MAP_SECRETS_FILE": tmp_path / "no-secrets.toml",
        "CARE_MAP_AUDIT_LOG": tmp_path / "audit.log",
        "CARE_MAP_SECRET_FILE": tmp_path / "secret.key",
        "CARE_MAP_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "CARE_MAP_STATE_DIR": tmp_path / "state",
    }
    for name, path in defaults.items():
        if name not in os.environ:
            monkeypatch.setenv(name, str(path))


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """The app on a free loopback port, with its own empty local state; stopped after the session."""
    from tests.app_server import CHROMIUM, start_app, stop_app

    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    state = tmp_path_factory.mktemp("app-state")
    env = {
        "CARE_MAP_USERS_FILE": str(state / "no-users.json"),
        "CARE_MAP_SECRETS_FILE": str(state / "no-secrets.toml"),
        "CARE_MAP_AUDIT_LOG": str(state / "audit.log"),
        "CARE_MAP_SECRET_FILE": str(state / "secret.key"),
        "CARE_MAP_DATABASE_URL": f"sqlite:///{state / 'store.sqlite'}",
        "CARE_MAP_STATE_DIR": str(state / "state"),
    }
    proc, url = start_app(env=env)
    try:
        yield url
    finally:
        stop_app(proc)


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium (Playwright), shared by the browser tests."""
    from playwright.sync_api import sync_playwright

    from tests.app_server import launch_chromium

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """URL of a real PostgreSQL server: the one .ci/run started, else a throwaway cluster of our own."""
    from tests.postgres_server import ENV_URL, postgres_bin, start_cluster, stop_cluster

    if os.environ.get(ENV_URL):
        yield os.environ[ENV_URL]
        return
    if postgres_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: .ci/run installs Debian's postgresql")
        pytest.skip("PostgreSQL server not installed (apt-get install postgresql); .ci/run installs it")
    import shutil
    import tempfile

    # Not under pytest's tmp folder: that is private to root, and the server runs as the postgres user.
    base = Path(tempfile.mkdtemp(prefix="care-map-pg-"))
    url, data = start_cluster(base)
    yield url
    stop_cluster(data)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty PostgreSQL database for one test."""
    from tests.postgres_server import fresh_database

    return fresh_database(postgres_server)

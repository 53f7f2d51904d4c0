"""The app works offline and never phones home.

* the suite's guard (tests/conftest.py) is active: connecting to a public address raises, loopback works;
* reading files, building both maps, both briefing packs (HTML and PDF) and the exports attempt no
  outbound connection and no DNS look-up of another host - seen by a Python audit hook, which also
  catches attempts that a library might swallow after the guard refused them;
* the maps' HTML with tiles off, and the briefing pack, reference no http(s) URL at all (Leaflet is
  embedded from maps/vendor/, images are data: URLs);
* .streamlit/config.toml turns usage statistics off and keeps the upload limit in step with the readers.
"""

from __future__ import annotations

import re
import socket
import sys
import threading
import tomllib
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = [("93.184.215.14", 80), ("8.8.8.8", 53), ("2001:4860:4860::8888", 443)]
# URLs that are never fetched: XML namespaces, and the hostile test files' payload (shown as escaped text).
NAMESPACES = ("http://www.w3.org/", "http://attacker.invalid/")
URL = re.compile(r"https?://[^\s\"'<>)\\]+", re.IGNORECASE)


# ------------------------------------------------------------------ every socket connect and DNS look-up, recorded
_ATTEMPTS: list[tuple[str, object]] = []
_RECORDING = threading.Event()


def _is_local_host(host) -> bool:
    host = str(host)
    return host in ("localhost", "::1", "0.0.0.0", "", "None") or host.startswith("127.")


def _audit(event: str, args) -> None:
    if not _RECORDING.is_set():
        return
    if event == "socket.connect":
        address = args[1]
        if not isinstance(address, (str, bytes)) and not _is_local_host(address[0]):
            _ATTEMPTS.append((event, address))
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
        if args and not _is_local_host(args[0]):
            _ATTEMPTS.append((event, args[0]))
    elif event == "urllib.Request":
        _ATTEMPTS.append((event, args[0]))


if not getattr(sys, "_care_map_network_audit", False):  # audit hooks cannot be removed: add one per process
    sys.addaudithook(_audit)
    sys._care_map_network_audit = True


@contextmanager
def outbound_attempts():
    """Collect outbound connection attempts and DNS look-ups of other hosts made inside the block."""
    _ATTEMPTS.clear()
    _RECORDING.set()
    found: list = []
    try:
        yield found
    finally:
        _RECORDING.clear()
        found.extend(_ATTEMPTS)
        _ATTEMPTS.clear()


def external_urls(text: str) -> list[str]:
    return sorted({u for u in URL.findall(text) if not u.startswith(NAMESPACES)})


# ------------------------------------------------------------------ the guard itself
@pytest.mark.parametrize("address", PUBLIC)
def test_guard_refuses_a_public_address(address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        with pytest.raises(OSError, match="must work offline"):
            s.connect(address)
    with socket.socket(family, socket.SOCK_STREAM) as s:
        with pytest.raises(OSError, match="must work offline"):
            s.connect_ex(address)
    with pytest.raises(OSError):
        socket.create_connection(address, timeout=1)


def test_guard_refuses_http_and_the_audit_hook_sees_it():
    import urllib.request

    with outbound_attempts() as seen:
        with pytest.raises(OSError):
            urllib.request.urlopen("http://93.184.215.14/", timeout=1)
    # The guard refuses the connect before it happens; the hook still saw the attempt.
    assert ("urllib.Request", "http://93.184.215.14/") in seen
    assert any(event == "socket.getaddrinfo" for event, _ in seen)


def test_loopback_is_allowed():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with outbound_attempts() as seen, socket.create_connection(server.getsockname(), timeout=2):
            conn, _ = server.accept()
            conn.close()
    assert seen == []


# ------------------------------------------------------------------ the app's work makes no outbound call
def test_readers_make_no_outbound_call(fixtures_dir):
    from data.readers import read_folder, read_inputs

    with outbound_attempts() as seen:
        for folder in ("cs-demand-model", "csc-validator-be-903", "liia-tools", "cs-demand-model-regional"):
            ds = read_folder(fixtures_dir / folder)
            assert ds.quality.file_errors() == []
        ds = read_inputs(sorted((ROOT / "tests" / "hostile").glob("*.csv")))
        assert not ds.episodes.empty
    assert seen == []


@pytest.fixture(scope="module")
def dataset(postcode_index):
    from data.readers import read_folder
    from data.validation import check_dataset

    ds = read_folder(ROOT / "tests" / "hostile")
    check_dataset(ds)
    return ds


def _maps(ds, index) -> dict[str, str]:
    import pandas as pd

    from analysis.homes import home_usage, homes_from_register
    from analysis.placements import add_placement_location, placements_on
    from geo.boundaries import adjacent_authorities, authority_boundaries, buffer_boundary
    from maps.common import map_html
    from maps.homes_map import homes_map, locate_homes_by_sector
    from maps.placements_map import aggregate_flows, placements_map

    snap = placements_on(add_placement_location(ds.episodes, ds.la_code, index=index), pd.Timestamp("2025-12-31"))
    gdf = authority_boundaries()
    geography = {
        "authority": gdf[gdf["code"] == ds.la_code],
        "neighbours": gdf[gdf["code"].isin(list(adjacent_authorities(ds.la_code)))],
        "distance_line": buffer_boundary(ds.la_code, miles=20),
    }
    flows, _ = aggregate_flows(snap, index=index)
    points = locate_homes_by_sector(
        home_usage(homes_from_register(ds.homes, la=ds.la_code, index=index), snap), index=index
    )
    return {
        "placements map": map_html(placements_map(flows, **geography)),
        "homes map": map_html(homes_map(points, **geography)),
    }


def test_maps_make_no_outbound_call_and_reference_no_url(dataset, postcode_index):
    with outbound_attempts() as seen:
        maps = _maps(dataset, postcode_index)
    assert seen == []
    for name, html_text in maps.items():
        assert "leaflet-container" in html_text or "L.map(" in html_text, name
        assert external_urls(html_text) == [], name
        # Nothing is loaded from anywhere but the page itself (scripts and styles are data: URLs).
        for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", html_text):
            assert not re.search(r"""(?:src|href)\s*=\s*["']?(?!data:)[a-z]+:""", tag, re.I), (name, tag[:120])
            assert not re.search(r"""(?:src|href)\s*=\s*["']?//""", tag), (name, tag[:120])


def test_tiles_are_the_only_network_reference_when_switched_on():
    from maps.common import TILE_URL, base_map, map_html

    assert external_urls(map_html(base_map(tiles=False))) == []
    assert external_urls(map_html(base_map(tiles=True))) == [TILE_URL]


@pytest.mark.parametrize("audience", ["panel", "mase"])
def test_briefing_packs_make_no_outbound_call_and_reference_no_url(dataset, postcode_index, audience):
    from reports.briefing import build_briefing

    with outbound_attempts() as seen:
        pack = build_briefing(
            dataset, la="Kent", period=(date(2025, 4, 1), date(2025, 12, 31)), audience=audience, index=postcode_index
        )
        html_text = pack.html
        pdf = pack.to_pdf()
    assert seen == []
    assert external_urls(html_text) == []
    assert "default-src 'none'" in html_text  # the page itself forbids fetching anything
    assert pdf.startswith(b"%PDF") and not re.search(rb"/URI\s*\(", pdf)  # no link out of the PDF


def test_exports_make_no_outbound_call(dataset):
    from reports.export import to_safe_csv, to_safe_xlsx

    with outbound_attempts() as seen:
        to_safe_csv(dataset.episodes)
        to_safe_xlsx({"episodes": dataset.episodes, "homes": dataset.homes})
    assert seen == []


# ------------------------------------------------------------------ configuration
def test_streamlit_config_never_phones_home_and_limits_uploads():
    from data.read_files import MAX_FILE_BYTES

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["address"] in ("localhost", "127.0.0.1")  # not reachable from the network by default
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES  # Streamlit and readers agree
    assert config["server"].get("enableXsrfProtection", True) is True
    assert config["server"].get("enableCORS", True) is True


@pytest.mark.parametrize("address", ["", "0.0.0.0"])  # "" = every interface, Streamlit's default
def test_app_refuses_a_network_address_without_sign_in(address, tmp_path, monkeypatch):
    """Started on a network address with no sign-in configured, the app shows why and serves nothing else.

    No socket is opened: AppTest runs the script with Streamlit's option set, as `streamlit run
    --server.address ...` would.
    """
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CARE_MAP_SECRETS_FILE", str(tmp_path / "absent-secrets.toml"))
    before = config.get_option("server.address")
    config.set_option("server.address", address)
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
    finally:
        config.set_option("server.address", before)
    shown = " ".join(str(e.value) for e in at.error) + " ".join(str(e.value) for e in at.exception)
    assert "sign-in is not configured" in shown
    assert not at.dataframe and not at.metric  # no data was shown

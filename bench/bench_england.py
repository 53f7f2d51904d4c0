"""Whole-England scale: load and enrich a year of England's 903, regional figures, map payloads, pages.

Data: the synthetic pooled England set of ``python -m data.england`` (153 authorities, one
collection year: about 217,000 episodes, 111,000 children, 79,000 missing incidents). It is read
from ``$CARE_MAP_ENGLAND_DIR`` or ``england_demo/`` and generated there first when absent (a
one-off of several minutes, reported as its own row). ``--quick`` generates 10 authorities into a
temporary folder instead.

Baselines, measured in the same run:

* load + enrich: ``pandas.read_csv`` of the pooled episodes and two left ``merge``s on the package's
  own postcode table (``PostcodeIndex.english_units`` with its postcodes as text) + the DfE
  distance formula: the plain-pandas way of doing what the validator does, without our checks.
* regional figures: :func:`analysis.placements.headline_figures` called once per authority.
* map payloads: one folium ``CircleMarker`` per point (a placement or a missing incident), the
  naive way to map them. A 10,000-point map is rendered and its size extrapolated linearly to the
  real number of points (labelled "extrapolated" in the note).

Hotspot clustering over five years (500,000 incidents) is measured by ``bench_hotspots.py``; not
repeated here.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from bench.common import ROOT, child_memory, is_quick, result, time_once

ENGLAND_ENV = "CARE_MAP_ENGLAND_DIR"
DEFAULT_DIR = ROOT / "england_demo"
QUICK_AUTHORITIES = 10
SNAPSHOT = "2026-03-31"
MARKER_SAMPLE = 10_000
ONE_AUTHORITY = "E10000016"  # Kent: the largest county placing children in and out
PAGES = [
    "app_pages/data.py",
    "app_pages/placements.py",
    "app_pages/homes.py",
    "app_pages/regional.py",
    "app_pages/missing.py",
    "app_pages/briefing.py",
]
INTERACTIVE_S = 2.0  # the bar: a page responds to a filter change within 2 s after its first load
# A filter change the sidebar offers on every page: placement type group (alternated so each run changes it).
FILTER_CHOICES: tuple[list[str], ...] = ([], ["Other foster care"])
PAGE_TIMEOUT_S = 900


def _folder(rows: list) -> Path:
    if is_quick():
        folder = Path(tempfile.mkdtemp(prefix="care_map_england_quick_"))
    else:
        folder = Path(os.environ.get(ENGLAND_ENV) or DEFAULT_DIR)
        if (folder / "episodes.csv").exists():
            return folder
    from data.england import write_england

    spec = QUICK_AUTHORITIES if is_quick() else "all"
    seconds, summary = time_once(lambda: write_england(folder, authorities=spec, jobs=2))
    rows.append(
        result(
            f"generate the synthetic dataset ({len(summary['authorities'])} authorities)",
            seconds,
            "s",
            note=f"python -m data.england, 2 worker processes: {summary['rows']['episodes.csv']:,} episodes, "
            f"{summary['rows']['header.csv']:,} children, {summary['rows']['missing_log.csv']:,} missing-log rows, "
            f"{summary['bytes'] / 2**20:.1f} MB of CSV",
        )
    )
    return folder


# ---------------------------------------------------------------- load and enrich
def _directory() -> pd.DataFrame:
    """The package's own postcode table as a plain DataFrame: postcode text, grid reference, authority."""
    from geo.postcodes import _decode, get_postcode_index

    units = get_postcode_index().english_units()
    return pd.DataFrame(
        {
            "pcd_abbr": pd.Series(_decode(units["code"].to_numpy()), dtype=object),
            "easting": units["easting"].to_numpy(),
            "northing": units["northing"].to_numpy(),
            "la_code": units["la_code"].to_numpy(),
        }
    )


def _pandas_enrich(folder: Path, directory: pd.DataFrame) -> pd.DataFrame:
    """Baseline: read the pooled episodes with pandas and derive distance / placing authority by merges."""
    from geo.authorities import authorities

    episodes = pd.read_csv(folder / "episodes.csv", dtype=str, keep_default_na=False)
    codes = authorities().set_index("name")["code"]
    episodes["LA_CODE"] = episodes["LA"].map(codes)
    for side, col in (("home", "HOME_POST"), ("pl", "PL_POST")):
        key = pd.DataFrame({"pcd_abbr": episodes[col].str.upper().str.replace(" ", "", regex=False)})
        joined = key.merge(directory, on="pcd_abbr", how="left")
        episodes[f"{side}_e"] = joined["easting"].to_numpy()
        episodes[f"{side}_n"] = joined["northing"].to_numpy()
        episodes[f"{side}_la"] = joined["la_code"].to_numpy()
    metres = np.hypot(episodes["home_e"] - episodes["pl_e"], episodes["home_n"] - episodes["pl_n"])
    episodes["PL_DISTANCE"] = (metres / 1000 / 1.6093).round(1)
    episodes["PL_LA"] = episodes["pl_la"]
    episodes["PL_LOCATION"] = np.where(episodes["PL_LA"] == episodes["LA_CODE"], "IN", "OUT")
    return episodes


_PIPELINE = """
from data.readers import read_folder
from data.validation import check_dataset
from analysis.placements import add_placement_location
from geo.postcodes import get_postcode_index
index = get_postcode_index()
"""


def _load_rows(folder: Path) -> tuple[list, object, pd.DataFrame]:
    from analysis.placements import add_placement_location
    from data.readers import read_folder
    from data.validation import check_dataset
    from geo.postcodes import get_postcode_index

    index = get_postcode_index()
    rows = []
    read_s, dataset = time_once(lambda: read_folder(folder))
    check_s, _ = time_once(lambda: check_dataset(dataset, index=index))
    enrich_s, located = time_once(lambda: add_placement_location(dataset.episodes, index=index))
    directory = _directory()
    base_s, _ = time_once(lambda: _pandas_enrich(folder, directory))
    n = len(dataset.episodes)
    authorities = dataset.episodes["LA_CODE"].nunique()
    rows.append(
        result(
            f"load + validate + geocode + enrich, {n:,} episodes of {authorities} authorities",
            read_s + check_s + enrich_s,
            "s",
            baseline="pandas read_csv + 2 merges on the package's postcode table",
            baseline_value=base_s,
            target=None if is_quick() else 120.0,
            note=f"read all pooled files {read_s:.1f} s (episodes, header, missing, log, homes; dedup, quality report), "
            f"check_dataset {check_s:.1f} s, add_placement_location {enrich_s:.1f} s; "
            "the baseline reads episodes only and checks nothing",
        )
    )
    rows.append(
        result(
            f"add_placement_location alone, {n:,} episodes",
            enrich_s,
            "s",
            baseline="pandas merges (incl. read_csv)",
            baseline_value=base_s,
            note="18 columns incl. adjacency (at a distance) and notes vs 3",
        )
    )
    code = (
        f"dataset = read_folder({str(folder)!r}); check_dataset(dataset, index=index); "
        "located = add_placement_location(dataset.episodes, index=index)"
    )
    ours = child_memory(code, setup=_PIPELINE)
    theirs = child_memory(
        f"from bench.bench_england import _directory, _pandas_enrich; from pathlib import Path\n"
        f"out = _pandas_enrich(Path({str(folder)!r}), _directory())",
        setup="import pandas, numpy",
    )
    rows.append(
        result(
            "memory of load + validate + enrich (process peak)",
            ours["peak_mb"],
            "MB",
            baseline="pandas read_csv + merges, process peak",
            baseline_value=theirs["peak_mb"],
            target=None if is_quick() else 4096.0,
            note=f"fresh process; kept resident {ours['delta_mb']:.0f} MB (baseline {theirs['delta_mb']:.0f} MB); "
            "includes the memory-mapped postcode index",
        )
    )
    return rows, dataset, located


# ---------------------------------------------------------------- regional figures
def _regional_rows(dataset, located) -> tuple[list, pd.DataFrame, pd.DataFrame]:
    from analysis import regional as R
    from analysis.homes import homes_from_register
    from analysis.placements import headline_figures, placements_on

    rows = []
    snap_s, snap = time_once(lambda: placements_on(located, SNAPSHOT))

    def per_authority_loop():
        return {code: headline_figures(part) for code, part in snap.groupby("LA_CODE")}

    by_la_s, by_la = time_once(lambda: R.figures_by_authority(snap))
    loop_s, _ = time_once(per_authority_loop)
    rows.append(
        result(
            f"figures_by_authority, {len(snap):,} children of {len(by_la) - 1} authorities",
            by_la_s,
            "s",
            baseline="headline_figures once per authority",
            baseline_value=loop_s,
            note=f"one grouped pass + an all-authorities row; placements_on for the snapshot took {snap_s:.1f} s",
        )
    )

    def the_rest():
        R.figures_by_region(snap)
        flows = R.placement_flows(snap)
        R.net_flows(flows)
        return flows

    rest_s, flows = time_once(the_rest)
    rows.append(
        result(
            "figures_by_region + placement_flows + net_flows",
            rest_s,
            "s",
            target=None if is_quick() else 5.0,
            note=f"{len(flows):,} authority pairs, adjacency looked up per pair",
        )
    )
    geo_s, homes = time_once(lambda: homes_from_register(dataset.homes))
    supply_s, _ = time_once(lambda: R.homes_supply(homes, snap))
    rows.append(
        result(
            f"homes_supply, {len(homes):,} homes",
            supply_s,
            "s",
            note=f"register geocoded once beforehand in {geo_s:.1f} s",
        )
    )
    return rows, snap, flows


# ---------------------------------------------------------------- map payloads
def _markers_bytes(lat: np.ndarray, lon: np.ndarray) -> tuple[float, int]:
    """HTML bytes of a folium map with one CircleMarker per point (sampled, extrapolated), and the sample size."""
    import folium

    from maps.common import base_map, map_html

    ok = np.isfinite(lat) & np.isfinite(lon)
    lat, lon = lat[ok], lon[ok]
    n = len(lat)
    rng = np.random.default_rng(1)
    take = rng.choice(n, size=min(n, MARKER_SAMPLE), replace=False) if n else np.array([], dtype=int)
    m = base_map()
    for i in take:
        folium.CircleMarker([float(lat[i]), float(lon[i])], radius=3, weight=1).add_to(m)
    empty = len(map_html(base_map()).encode("utf-8"))
    size = len(map_html(m).encode("utf-8"))
    per_point = (size - empty) / max(len(take), 1)
    return empty + per_point * n, len(take)


def _map_rows(dataset, snap: pd.DataFrame, flows: pd.DataFrame) -> list:
    from geo.boundaries import adjacent_authorities, authority_boundaries
    from maps.common import map_html
    from maps.flow_map import flow_map
    from maps.placements_map import aggregate_flows, placements_map

    rows = []
    mb = 2**20
    build_s, m = time_once(lambda: flow_map(flows))
    html_s, html = time_once(lambda: map_html(m))
    size = len(html.encode("utf-8"))
    base, sample = _markers_bytes(snap["PL_LAT"].to_numpy(float), snap["PL_LON"].to_numpy(float))
    drawn = m.flow_summary  # type: ignore[attr-defined]  # set by maps.flow_map.flow_map
    rows.append(
        result(
            f"flow map payload, {snap['LA_CODE'].nunique()} authorities",
            size / mb,
            "MB",
            baseline=f"one CircleMarker per placement ({len(snap):,})",
            baseline_value=base / mb,
            target=None if is_quick() else 3.0,
            note=f"{drawn['drawn_pairs']:,} pairs drawn ({drawn['drawn_children']:,} children), "
            f"{drawn['small_pairs']:,} pairs of 1-5 not drawn; built in {build_s + html_s:.1f} s; "
            f"baseline extrapolated from a {sample:,}-marker map",
        )
    )

    shapes = authority_boundaries()
    code = ONE_AUTHORITY if ONE_AUTHORITY in set(snap["LA_CODE"]) else snap["LA_CODE"].value_counts().index[0]
    part = snap[snap["LA_CODE"] == code]
    agg, summary = aggregate_flows(part)
    neighbours = shapes[shapes["code"].isin(adjacent_authorities(code))]
    pm = placements_map(agg, authority=shapes[shapes["code"] == code], neighbours=neighbours)
    size = len(map_html(pm).encode("utf-8"))
    base, sample = _markers_bytes(part["PL_LAT"].to_numpy(float), part["PL_LON"].to_numpy(float))
    rows.append(
        result(
            f"placements map payload, one authority ({shapes.set_index('code').loc[code, 'name']}, {len(part):,} children)",
            size / mb,
            "MB",
            baseline="one CircleMarker per placement",
            baseline_value=base / mb,
            target=None if is_quick() else 3.0,
            note=f"{summary.flows:,} sector-to-district flows; baseline from a {sample:,}-marker map"
            + (" (exact, not extrapolated)" if sample == len(part) else " (extrapolated)"),
        )
    )
    rows.extend(_hotspot_rows(dataset))
    return rows


def _hotspot_rows(dataset) -> list:
    """Hotspot outlines of a year of England's missing incidents as one map layer."""
    import folium

    from analysis.disclosure import safe_map_layer
    from analysis.hotspots import find_hotspots
    from analysis.missing import missing_episodes
    from maps.common import base_map, boundaries_geojson, map_html

    prep_s, episodes = time_once(lambda: missing_episodes(dataset))
    find_s, spots = time_once(lambda: find_hotspots(episodes))
    spots = spots.assign(code=spots["hotspot_id"].astype(str), name="hotspot " + spots["hotspot_id"].astype(str))
    layer = safe_map_layer(spots[["code", "name", "episodes", "geometry"]], "episodes")
    m = base_map(zoom_start=6)
    folium.GeoJson(
        boundaries_geojson(layer, extra_fields=("episodes",)),
        tooltip=folium.GeoJsonTooltip(fields=["name", "episodes"]),
    ).add_to(m)
    size = len(map_html(m).encode("utf-8"))
    lat = pd.to_numeric(episodes.get("FOUND_LAT"), errors="coerce").to_numpy(float)
    lon = pd.to_numeric(episodes.get("FOUND_LON"), errors="coerce").to_numpy(float)
    base, sample = _markers_bytes(lat, lon)
    n_points = int((np.isfinite(lat) & np.isfinite(lon)).sum())
    rows = [
        result(
            f"hotspot map payload, {len(episodes):,} missing episodes",
            size / 2**20,
            "MB",
            baseline=f"one CircleMarker per located incident ({n_points:,})",
            baseline_value=base / 2**20,
            target=None if is_quick() else 3.0,
            note=f"{len(layer):,} hotspot outlines (safe_map_layer: 1-5 dropped); missing_episodes {prep_s:.1f} s, "
            f"find_hotspots {find_s:.1f} s; baseline from a {sample:,}-marker map, extrapolated",
        )
    ]
    return rows + [_missing_page_map_row(episodes, spots, base)]


def _missing_page_map_row(episodes: pd.DataFrame, spots, markers_bytes: float) -> dict:
    """The Missing page's map for all of England as the browser gets it: outlines, Gi* cells, episode cells."""
    from analysis.gistar import cell_polygons, core_extent, gi_star, grid_counts
    from maps.hotspot_map import hotspot_map
    from ui.map_view import render_map

    extent = core_extent(episodes, x="FOUND_EASTING", y="FOUND_NORTHING")  # as app_pages/missing.py
    grid: dict[str, Any] = dict(x="FOUND_EASTING", y="FOUND_NORTHING", extent=extent, polygons=False)
    gi = gi_star(grid_counts(episodes, cell_size_m=500, shape="hex", **grid), permutations=0)
    cells = grid_counts(episodes, cell_size_m=500, shape="square", **grid)
    seconds, rendered = time_once(
        lambda: render_map(
            hotspot_map(
                spots,
                gi_cells=cell_polygons(gi[gi["gi_bin"] != 0]),
                episode_cells=cells[cells["count"] > 0],
                suppress_small=True,
            )
        )
    )
    size = sum(len(str(value).encode("utf-8")) for value in rendered.values())
    return result(
        "Missing page map payload, all England (outlines + Gi* cells + episode cells)",
        size / 2**20,
        "MB",
        baseline="one CircleMarker per located incident",
        baseline_value=markers_bytes / 2**20,
        target=None if is_quick() else 3.0,
        note=f"what ui.map_view sends to streamlit-folium; built and rendered in {seconds:.1f} s; at most 1,500 Gi* "
        "and 1,500 episode cells; the page's hidden homes and placements layers add at most 1,500 points each",
    )


# ---------------------------------------------------------------- pages
def _page_rows(folder: Path) -> list:
    """Each page rendered by Streamlit's AppTest with the England files loaded as the Data page loads them."""
    from streamlit.testing.v1 import AppTest

    from data.readers import READ_EXTENSIONS, InputFile
    from ui.sidebar import KEY_PERIOD

    files = [
        InputFile(p.name, p.read_bytes())
        for p in sorted(folder.iterdir())
        if p.suffix in READ_EXTENSIONS and p.stem not in ("ground_truth", "SYNTHETIC_DATA_README")
    ]

    def rerun():
        # Under AppTest a rerun reads the trend range slider back as one date and ui/sidebar.py then
        # fails ("'datetime.date' object is not iterable"); a browser does not. Reset it to its default.
        if KEY_PERIOD in at.session_state:
            del at.session_state[KEY_PERIOD]
        at.run()

    def timed_run() -> tuple[float, float, str]:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        rerun()
        title = at.title[0].value if len(at.title) else "(no title)"
        problems = [str(e.message)[:80] for e in at.exception]
        return time.perf_counter() - wall0, time.process_time() - cpu0, f"{title}; errors: {problems or 'none'}"

    rows = []
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=PAGE_TIMEOUT_S)
    at.session_state["data_source"] = "upload"
    at.session_state["input_files"] = files
    at.session_state["responsible_la"] = None
    wall, cpu, shown = timed_run()
    rows.append(
        result(
            "app first run with England uploaded (default page, cold caches)",
            wall,
            "s",
            note=f"CPU {cpu:.0f} s (the script's thread is in this process); reads, validates and "
            f"enriches the uploads, then draws the page: {shown}",
        )
    )
    from ui.sidebar import KEY_GROUPS

    for script in PAGES:
        at.switch_page(script)
        first_wall, first_cpu, shown = timed_run()
        again = [timed_run() for _ in range(2)]
        wall, cpu, _ = min(again)
        payloads = [
            len(e.proto.json_args.encode("utf-8")) for e in at.main if getattr(e, "type", "") == "component_instance"
        ]
        if payloads:
            rows.append(
                result(
                    f"page {script} with England loaded: map sent to the browser",
                    max(payloads) / 2**20,
                    "MB",
                    target=None if is_quick() else 3.0,
                    note="the streamlit-folium component's arguments (script, header, html) as "
                    "AppTest receives them, every layer included (hidden ones too)",
                )
            )
        rows.append(
            result(
                f"page {script} with England loaded (rerun, warm caches)",
                wall,
                "s",
                baseline="first visit to the page",
                baseline_value=first_wall,
                target=None if is_quick() else INTERACTIVE_S,
                note=f"AppTest; CPU {cpu:.1f} s (first visit {first_wall:.1f} s wall, {first_cpu:.1f} s CPU); {shown}",
            )
        )
        changes = []
        for choice in FILTER_CHOICES[::-1] + FILTER_CHOICES:  # two fresh filter values, then both again
            at.session_state[KEY_GROUPS] = list(choice)
            changes.append(timed_run())
        fresh, repeat = max(changes[:2]), max(changes[2:])
        rows.append(
            result(
                f"page {script} with England loaded: placement group filter changed",
                fresh[0],
                "s",
                baseline="the same filter value again (cached)",
                baseline_value=repeat[0],
                target=None if is_quick() else INTERACTIVE_S,
                note=f"AppTest; slowest of two values new to this page (caches shared with the pages visited before may already hold parts of it); CPU {fresh[1]:.1f} s; {fresh[2]}",
            )
        )
        if script == "app_pages/missing.py":
            rows += _all_hotspots_rows(at, timed_run)
    return rows


# Session-state keys and labels of app_pages/missing.py (not imported: importing a page runs it).
KEY_CLUSTER_LARGE, KEY_KIND = "missing_cluster_large", "missing_kind"
KIND_COMBINED, KIND_MISSING = "Combined (M and A)", "Missing (M)"


def _all_hotspots_rows(at, timed_run) -> list:
    """The Missing page's toggle that finds hotspots in all located episodes (above its CLUSTER_AT_ONCE):
    the wait when the analyst asks for hotspots over all of England, then for a change with it on."""
    at.session_state[KEY_CLUSTER_LARGE] = True
    asked = timed_run()
    at.session_state[KEY_KIND] = KIND_MISSING
    changed = timed_run()
    at.session_state[KEY_CLUSTER_LARGE] = False
    at.session_state[KEY_KIND] = KIND_COMBINED
    timed_run()
    name = "page app_pages/missing.py with England loaded"
    return [
        result(
            f"{name}: hotspots asked for in all located episodes",
            asked[0],
            "s",
            note=f"AppTest; the toggle above CLUSTER_AT_ONCE: HDBSCAN, profiles and the map for every "
            f"located episode; an explicit request, not a filter change; CPU {asked[1]:.1f} s; {asked[2]}",
        ),
        result(
            f"{name}: missing/away changed with hotspots in all episodes on",
            changed[0],
            "s",
            note=f"AppTest; CPU {changed[1]:.1f} s; {changed[2]}",
        ),
    ]


# ---------------------------------------------------------------- pages in Chromium
CHROMIUM_PAGES = ("", "homes", "regional", "missing", "briefing", "data")
MAP_PAGES = ("", "homes", "regional", "missing")  # pages drawing a Leaflet map (streamlit-folium)
# A filter the map does not depend on keeps the map's iframe: give a new map this long (ms) to appear.
MAP_REPLACED_GRACE_MS = 1000
WIDGET_TIMEOUT_MS = 15_000  # the page is drawn already: a missing widget is missing, not slow
CHANGE_TIMEOUT_S = 120  # a filter change with warm caches takes seconds; minutes means it is stuck
WIDGET_TESTIDS = {"multiselect": "stMultiSelect", "selectbox": "stSelectbox", "radio": "stRadio"}


class BrowserChange(NamedTuple):
    """A widget a user changes: its kind, label, the fresh values picked in turn, and where it is."""

    name: str
    kind: str
    label: str
    values: tuple
    sidebar: bool = False


def _browser_changes(path: str) -> list[BrowserChange]:
    """The filter changes timed on a page, each with two fresh values where the widget offers them."""
    from data.schemas import GROUP_FOSTER_OTHER, GROUP_RESIDENTIAL, RISK_FLAG_LABELS

    changes = [
        BrowserChange(
            "placement group filter",
            "multiselect",
            "Placement type group",
            (GROUP_FOSTER_OTHER, GROUP_RESIDENTIAL),
            sidebar=True,
        )
    ]
    if path == "missing":
        changes += [
            BrowserChange(
                "risk flag filter",
                "multiselect",
                "Risk flags (any of the selected)",
                (RISK_FLAG_LABELS["CSE"], RISK_FLAG_LABELS["CCE"]),
            ),
            BrowserChange("episode kind", "radio", "Episodes", (KIND_MISSING,)),
            # Detail for one authority or one region (analysis.areas), after the flags and kind above.
            BrowserChange("area", "selectbox", "Area", ("Kent", "South East (region)")),
        ]
    if path == "regional":
        changes.append(BrowserChange("focus authority", "selectbox", "Focus on one authority", ("Kent",)))
    return changes


def _page_errors(page) -> str:
    """The text of any exception boxes Streamlit shows on the page, or 'none'."""
    boxes = page.locator('[data-testid="stException"]')
    texts = [" ".join(boxes.nth(i).inner_text().split())[:160] for i in range(boxes.count())]
    return "; ".join(texts) or "none"


# The footer is drawn, or the script stopped on an exception (it then never draws the footer). textContent,
# not innerText: it needs no layout, so polling it does not slow the page being timed.
_DRAWN_OR_FAILED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const stopped = app && app.getAttribute('data-test-script-state') === 'notRunning';
    return document.body.textContent.includes('Contains OS data')
        || !!(stopped && document.querySelector('[data-testid="stException"]'));
}"""


def _page_state(page) -> str:
    """What the page shows, for an error message: script and connection state, errors, the start of its text."""
    try:
        states = page.evaluate(
            "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
            " return a ? [a.getAttribute('data-test-script-state'),"
            " a.getAttribute('data-test-connection-state')] : [null, null]; }"
        )
        main = page.locator('[data-testid="stMain"]')
        text = " ".join(main.inner_text().split())[:160] if main.count() else "(no main area)"
        return f"script {states[0]}, connection {states[1]}, errors: {_page_errors(page)}; text: {text}"
    except Exception as exc:  # noqa: BLE001 - a diagnosis must not raise
        return f"(page state unavailable: {type(exc).__name__})"


def _visit(page, url: str, path: str) -> float:
    """Seconds from navigating to a page until its script has finished and (map pages) its map is drawn."""
    from tests.app_server import wait_for_map, wait_until_drawn

    start = time.perf_counter()
    page.goto(f"{url}/{path}", timeout=PAGE_TIMEOUT_S * 1000)
    try:
        # Stop at once on an exception rather than wait PAGE_TIMEOUT_S for a footer that never comes.
        page.wait_for_function(_DRAWN_OR_FAILED, timeout=PAGE_TIMEOUT_S * 1000, polling=250)
        if _page_errors(page) != "none" and not page.get_by_text("Contains OS data", exact=False).count():
            raise RuntimeError("the script stopped on an exception")
        wait_until_drawn(page, timeout_ms=PAGE_TIMEOUT_S * 1000, settle_ms=0)
        if path in MAP_PAGES and wait_for_map(page, timeout_ms=PAGE_TIMEOUT_S * 1000) is None:
            raise RuntimeError(f"the map was not drawn within {PAGE_TIMEOUT_S} s")
    except Exception as exc:  # noqa: BLE001 - Playwright's TimeoutError too: say what the page showed
        raise RuntimeError(f"/{path}: {str(exc).splitlines()[0][:120]}; {_page_state(page)}") from exc
    return time.perf_counter() - start


def _widget(page, change: BrowserChange):
    """The widget's element, found by its kind and its exact label (in the sidebar for sidebar filters)."""
    scope = page.locator('[data-testid="stSidebar"]') if change.sidebar else page.locator('[data-testid="stMain"]')
    label = page.locator('[data-testid="stWidgetLabel"]').get_by_text(change.label, exact=True)
    return scope.locator(f'[data-testid="{WIDGET_TESTIDS[change.kind]}"]').filter(has=label).first


def _open(page, widget, change: BrowserChange, value: str):
    """Get the widget ready so that the timed action is the one click that changes it; returns that click."""
    if change.kind == "radio":
        return widget.get_by_text(value, exact=True).click
    widget.locator("input").click()
    if change.kind == "selectbox":
        # A long list (every authority) is virtualised: type to bring the option into view.
        page.keyboard.type(value)
    option = page.get_by_role("option", name=value, exact=True)
    option.wait_for(state="visible", timeout=WIDGET_TIMEOUT_MS)
    return option.click


def _wait_quiet(page) -> None:
    """Wait (untimed) until no script runs, so a timed change does not inherit a rerun still under way."""
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'",
        timeout=PAGE_TIMEOUT_S * 1000,
    )


def _time_change(page, click, has_map: bool) -> tuple[float, str]:
    """Seconds from a widget click until the rerun finished and (map pages) the new map is drawn; and what the map did.

    streamlit-folium mounts a new iframe when the map changes, so the frames present before the click
    are excluded when waiting for the map. If the old map's frame is still attached when the script has
    finished, the map may not depend on this filter: a new map then gets MAP_REPLACED_GRACE_MS only.
    """
    from tests.app_server import rerun_and_wait, wait_for_map

    before = list(page.frames)
    old_map = wait_for_map(page, timeout_ms=0) if has_map else None
    start = time.perf_counter()  # includes installing rerun_and_wait's observer: one round trip, a few ms
    rerun_and_wait(page, click, timeout_ms=CHANGE_TIMEOUT_S * 1000)
    script_s = time.perf_counter() - start
    if not has_map:
        return script_s, "no map"
    replaced = old_map is not None and old_map.is_detached()
    new_map = wait_for_map(
        page, exclude=before, timeout_ms=CHANGE_TIMEOUT_S * 1000 if replaced else MAP_REPLACED_GRACE_MS
    )
    if new_map is not None:
        return time.perf_counter() - start, f"map redrawn, script {script_s:.2f} s"
    if replaced:
        raise RuntimeError(f"the map's frame was removed but no new map was drawn within {PAGE_TIMEOUT_S} s")
    return script_s, "map kept (same frame)"


def _change_row(page, path: str, change: BrowserChange) -> dict:
    """One row: the slowest fresh value of one widget on the open page (NaN with a note if it cannot be timed)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    name = f"page /{path or 'placements'} in Chromium with England loaded: {change.name} changed"
    widget = _widget(page, change)
    try:
        widget.wait_for(state="visible", timeout=WIDGET_TIMEOUT_MS)
    except PlaywrightTimeout:
        return result(
            name, float("nan"), "s", note=f"not measured: no {change.kind} labelled {change.label!r} on the page"
        )
    timings, seconds_each = [], []
    try:
        for value in change.values:
            _wait_quiet(page)
            click = _open(page, widget, change, value)
            seconds, what = _time_change(page, click, path in MAP_PAGES)
            page.keyboard.press("Escape")  # close a multiselect's dropdown, which stays open after a pick
            timings.append(f"{value!r} {seconds:.2f} s ({what})")
            seconds_each.append(seconds)
    except Exception as exc:  # noqa: BLE001 - one widget must not stop the other rows
        return result(
            name,
            float("nan"),
            "s",
            note=f"not measured: {type(exc).__name__}: {str(exc)[:200]}; "
            f"timed before the failure: {'; '.join(timings) or 'none'}",
        )
    where = "sidebar" if change.sidebar else "page"
    return result(
        name,
        max(seconds_each),
        "s",
        target=None if is_quick() else INTERACTIVE_S,
        note=f"{where} {change.kind} {change.label!r}, slowest of {len(timings)} fresh value(s), each "
        f"timed from the click on it until the script finished and the new map (if any) was drawn: "
        f"{'; '.join(timings)}; errors on the page: {_page_errors(page)}",
    )


def _chromium_page_rows(page, url: str, path: str) -> list:
    """A page's visit row (second visit, first as baseline) and its filter-change rows, on the page left open."""
    first, second = _visit(page, url, path), _visit(page, url, path)  # the first visit fills the caches
    rows = [
        result(
            f"page /{path or 'placements'} in Chromium with England loaded (second visit)",
            second,
            "s",
            baseline="first visit",
            baseline_value=first,
            target=None if is_quick() else INTERACTIVE_S,
            note="a new browser session each visit: page load, websocket, script run"
            + (", map drawn" if path in MAP_PAGES else "")
            + f"; caches are the server's; errors on the page: {_page_errors(page)}",
        )
    ]
    return rows + [_change_row(page, path, change) for change in _browser_changes(path)]


def _chromium_rows(folder: Path) -> list:
    """Each page drawn in Debian's Chromium with England loaded as the app's data (CARE_MAP_DEMO_DIR),
    then its filters changed in the browser."""
    from playwright.sync_api import sync_playwright

    from tests.app_server import CHROMIUM, launch_chromium, start_app, stop_app

    if not CHROMIUM.exists():
        return [
            result(
                "pages in Chromium with England loaded",
                float("nan"),
                "s",
                note="not measured: /usr/bin/chromium is not installed",
            )
        ]
    rows = []
    proc, url = start_app(env={"CARE_MAP_DEMO_DIR": str(folder), "CARE_MAP_DEMO_LA": ""})
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            for path in CHROMIUM_PAGES:
                try:
                    rows += _chromium_page_rows(page, url, path)
                except Exception as exc:  # noqa: BLE001 - one page must not hide the others
                    server = "" if proc.poll() is None else f"; the app server had exited (code {proc.returncode})"
                    rows.append(
                        result(
                            f"page /{path or 'placements'} in Chromium with England loaded",
                            float("nan"),
                            "s",
                            note=f"not measured: {type(exc).__name__}: {str(exc)[:400]}{server}",
                        )
                    )
            browser.close()
    finally:
        stop_app(proc)
    return rows


def run() -> list[dict]:
    rows: list[dict] = []
    folder = _folder(rows)
    load, dataset, located = _load_rows(folder)
    rows += load
    regional, snap, flows = _regional_rows(dataset, located)
    rows += regional
    rows += _map_rows(dataset, snap, flows)
    try:
        rows += _page_rows(folder)
    except Exception as exc:  # noqa: BLE001 - the page timing must not hide the numbers above
        rows.append(
            result(
                "pages with England loaded (AppTest)",
                float("nan"),
                "s",
                note=f"not measured: {type(exc).__name__}: {str(exc)[:160]}",
            )
        )
    try:
        rows += _chromium_rows(folder)
    except Exception as exc:  # noqa: BLE001
        rows.append(
            result(
                "pages in Chromium with England loaded",
                float("nan"),
                "s",
                note=f"not measured: {type(exc).__name__}: {str(exc)[:160]}",
            )
        )
    return rows


if __name__ == "__main__":
    import sys

    if "--quick" in sys.argv:
        from bench.common import QUICK_ENV

        os.environ[QUICK_ENV] = "1"
    start = time.perf_counter()
    for row in run():
        print(row)
    print(f"{time.perf_counter() - start:.0f} s")

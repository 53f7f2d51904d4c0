"""Hostile input: script, HTML, formula, very long and right-to-left text in every free-text field.

The files in tests/hostile/ are the synthetic demo (real Kent postcodes, invented children) with
child ids, home names, providers, URNs, notes, authority names, postcodes and dates replaced by
payloads (see tests/hostile/make_hostile.py); the file names given to the readers are payloads
too. Every script payload sets ``window.__xss`` if it ever runs.

Without a browser: the readers keep the payloads as data (and account for every row), the folium
maps and briefing packs show them only escaped, exports cannot start a formula and read back.
In a real browser (marked ``browser``): the files go through the Data page's uploader, every page
is visited, and ``window.__xss`` stays undefined in the page and in every iframe (the maps).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from data.readers import InputFile, read_inputs

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = Path(__file__).resolve().parent / "hostile"
_spec = importlib.util.spec_from_file_location("make_hostile", HOSTILE / "make_hostile.py")
payloads = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(payloads)

SCRIPT, IMG, SVG, FORMULA = payloads.SCRIPT, payloads.IMG, payloads.SVG, payloads.FORMULA
# What must never reach a page unescaped (after undoing JavaScript string escapes), case-insensitive.
LIVE = ["<script>window.__xss", "<img src=x onerror", "<svg onload"]
MARKER = "window.__xss=1"  # the payload's text: shown (escaped) it is harmless and proves the text got through

# File names are payloads too (they appear in the quality report and the briefing's sources).
FILE_NAMES = {
    "hostile_episodes.csv": f"{SCRIPT}episodes.csv",
    "hostile_header.csv": f"{IMG}header.csv",
    "hostile_missing.csv": "missing.csv",
    "hostile_missing_log.csv": f"{SVG}missing log.csv",
    "hostile_homes.csv": f"{FORMULA}homes.csv",
    "hostile_costs.csv": "\u202ecosts\u200b.csv",
}
SNAPSHOT = pd.Timestamp("2025-12-31")


def hostile_files() -> list[InputFile]:
    return [InputFile(FILE_NAMES[name], (HOSTILE / name).read_bytes()) for name in sorted(FILE_NAMES)]


_JS_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")


def js_unescape(text: str) -> str:
    """Undo the escapes JSON / JavaScript strings use, so that a payload hidden as \\u003cscript is seen."""
    text = _JS_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return text.replace('\\"', '"').replace("\\/", "/").replace("\\'", "'")


def assert_only_escaped(html_text: str, *, what: str, expect_marker: bool = True) -> None:
    """No payload can run in ``html_text``; with expect_marker, the payload text is there (escaped)."""
    for raw in (html_text, js_unescape(html_text)):
        low = raw.lower()
        for live in LIVE:
            assert live.lower() not in low, f"{what}: unescaped payload {live!r}"
    if expect_marker:
        assert MARKER.lower() in js_unescape(html_text).lower(), f"{what}: the payload text never reached the output"


@pytest.fixture(scope="module")
def hostile_dataset(postcode_index):
    from data.validation import check_dataset

    dataset = read_inputs(hostile_files())
    check_dataset(dataset)
    return dataset


# ------------------------------------------------------------------ (a) without a browser
def test_readers_keep_payloads_as_data_and_account_for_every_row(hostile_dataset):
    ds = hostile_dataset
    summary = ds.quality.summary()
    assert set(summary["file"]) == set(FILE_NAMES.values())
    assert ds.quality.file_errors() == []
    assert (summary["rows_read"] == summary["rows_used"] + summary["rows_set_aside"]).all()
    assert ds.la_code == "E10000016"  # pooled "Kent" rows; the hostile authority names are warnings
    # Payloads are kept verbatim: escaping is the renderer's job, not the reader's.
    assert ds.episodes["CHILD"].str.startswith(SCRIPT.upper()).any()  # ids are codes: upper-cased
    assert ds.homes["NAME"].str.startswith(SCRIPT).any() and ds.homes["NAME"].str.startswith(SVG).any()
    assert ds.missing_log["NOTES"].str.contains(SVG, regex=False).any()
    issues = ds.quality.to_frame()
    assert issues["reason"].str.contains(SCRIPT, regex=False).any()  # an unknown authority named in the reason


def _snapshot(dataset, index):
    from analysis.placements import add_placement_location, placements_on

    located = add_placement_location(dataset.episodes, dataset.la_code, index=index)
    return placements_on(located, SNAPSHOT)


def _geography(la_code: str) -> dict:
    from geo.boundaries import adjacent_authorities, authority_boundaries, buffer_boundary
    from maps.common import boundaries_geojson, outline_geojson

    gdf = authority_boundaries()
    named = gdf.copy()
    named["name"] = named["name"] + " " + SCRIPT  # boundary names are escaped too
    return {
        "authority": named[named["code"] == la_code],
        "neighbours": boundaries_geojson(named[named["code"].isin(list(adjacent_authorities(la_code)))]),
        "distance_line": outline_geojson(buffer_boundary(la_code, miles=20)),
    }


def test_placements_map_shows_payloads_only_escaped(hostile_dataset, postcode_index):
    from maps.common import map_html
    from maps.placements_map import aggregate_flows, placements_map

    snap = _snapshot(hostile_dataset, postcode_index)
    assert len(snap)
    flows, _ = aggregate_flows(snap, layer_by="PROVIDER_GROUP", index=postcode_index)
    assert len(flows)
    # The pipeline never puts free text on this map; give the builder hostile labels directly as well.
    flows = flows.copy()
    flows.loc[flows.index[: len(payloads.PAYLOADS)], "layer"] = payloads.PAYLOADS[
        : min(len(flows), len(payloads.PAYLOADS))
    ]
    flows.loc[flows.index[:1], "HOME_SECTOR"] = IMG
    flows.loc[flows.index[1:2], "PLACEMENT_DISTRICT"] = SVG
    html_text = map_html(placements_map(flows, layer_title=SCRIPT, **_geography("E10000016")))
    assert_only_escaped(html_text, what="placements map")


def test_homes_map_shows_home_names_only_escaped(hostile_dataset, postcode_index):
    from analysis.homes import home_usage, homes_from_register
    from maps.common import map_html
    from maps.homes_map import homes_map, locate_homes_by_sector

    homes = homes_from_register(hostile_dataset.homes, la=hostile_dataset.la_code, index=postcode_index)
    usage = home_usage(homes, _snapshot(hostile_dataset, postcode_index))
    points = locate_homes_by_sector(usage, index=postcode_index)
    assert points["NAME"].str.lower().str.contains(MARKER, regex=False).any()
    points.loc[points.index[:3], ["TYPE", "SECTOR", "LA_NAME"]] = [SCRIPT, IMG, SVG]
    html_text = map_html(homes_map(points, **_geography("E10000016")))
    assert_only_escaped(html_text, what="homes map")


# Jinja syntax: folium renders layers through Jinja twice, so this once stopped a map ("{%") or was evaluated.
TEMPLATE = "{% if %}{{ 'x' * 3 ~ 'JINJA' }}{# unclosed"


def test_maps_show_template_syntax_as_text(hostile_dataset, postcode_index):
    from analysis.homes import home_usage, homes_from_register
    from maps.common import map_html
    from maps.homes_map import homes_map, locate_homes_by_sector
    from maps.placements_map import aggregate_flows, placements_map
    from ui.map_view import render_map

    snap = _snapshot(hostile_dataset, postcode_index)
    flows, _ = aggregate_flows(snap, layer_by="PROVIDER_GROUP", index=postcode_index)
    flows = flows.copy()
    flows.loc[flows.index[:2], "layer"] = TEMPLATE
    flows.loc[flows.index[:1], "HOME_SECTOR"] = TEMPLATE
    homes = homes_from_register(hostile_dataset.homes, la=hostile_dataset.la_code, index=postcode_index)
    points = locate_homes_by_sector(home_usage(homes, snap), index=postcode_index)
    points.loc[points.index[:3], ["NAME", "TYPE", "LA_NAME"]] = TEMPLATE
    builders = {
        "placements map": lambda: placements_map(flows, layer_title=TEMPLATE, **_geography("E10000016")),
        "homes map": lambda: homes_map(points, **_geography("E10000016")),
    }
    for what, build in builders.items():
        for text in (map_html(build()), *render_map(build()).values()):
            text = js_unescape(str(text))
            assert "xxxJINJA" not in text, f"{what}: the template in the data was evaluated"
        assert "&#123;% if %&#125;" in js_unescape(render_map(build())["script"]), f"{what}: the text never got through"


@pytest.mark.parametrize("audience", ["panel", "mase"])
def test_briefing_pack_shows_payloads_only_escaped(hostile_dataset, postcode_index, audience):
    import dataclasses

    from reports.briefing import build_briefing

    # The dataset's label is printed on the front page: make it a payload too.
    labelled = dataclasses.replace(hostile_dataset, label=f"Uploaded {SCRIPT}")
    pack = build_briefing(
        labelled, la="Kent", period=(date(2025, 4, 1), date(2025, 12, 31)), audience=audience, index=postcode_index
    )
    html_text = pack.html
    assert_only_escaped(html_text, what=f"{audience} briefing")  # file names are listed as sources
    assert "Content-Security-Policy" in html_text
    # No child id, note or home name text reaches a panel pack at all.
    for needle in ("Note: ", "SYN0"):
        assert needle not in html_text
    pdf = pack.to_pdf()  # reportlab parses markup: payloads must not break or inject into it
    assert pdf.startswith(b"%PDF")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower() not in ("nan", "inf", "-inf", "infinity", "-infinity")


def _cells(csv_bytes: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))


@pytest.mark.parametrize("table", ["episodes", "homes", "missing_log", "quality"])
def test_csv_exports_cannot_start_a_formula_and_read_back(hostile_dataset, table):
    from reports.export import FORMULA_PREFIXES, to_safe_csv

    frame = hostile_dataset.quality.to_frame() if table == "quality" else getattr(hostile_dataset, table)
    frame = frame.drop(columns=["SOURCE_FILE", "SOURCE_ROW"], errors="ignore")
    frame = frame.assign(
        EXTRA=[FORMULA, " =1+1", "@SUM(A1)", "+1", "-2+3", "\t=1"] * (len(frame) // 6) + [""] * (len(frame) % 6)
    )
    exported = to_safe_csv(frame)
    rows = _cells(exported)
    assert len(rows) == len(frame) + 1
    for row in rows:
        for cell in row:
            if _is_number(cell):
                continue  # real numbers (a negative longitude) are left alone so that sums still work
            first = cell.lstrip()[:1]
            assert not ((cell and cell[0] in FORMULA_PREFIXES) or (first and first in "=+-@")), cell[:40]
    if table == "quality":
        return
    # Our own readers read the export back: same rows, the payloads intact behind the apostrophe.
    back = read_inputs([InputFile(f"exported {table}.csv", exported)])
    assert back.quality.file_errors() == []
    again = getattr(back, table)
    assert len(again) + len(back.quality.set_aside_rows(f"exported {table}.csv")) == len(frame)
    if table == "episodes":
        assert set(again["CHILD"].str.lstrip("'")) == set(frame["CHILD"].astype(str).str.lstrip("'"))
    if table == "homes":
        assert set(again["NAME"].str.lstrip("'")) <= set(frame["NAME"].astype(str))


def test_xlsx_export_holds_text_never_formulas(hostile_dataset):
    import openpyxl

    from reports.export import to_safe_xlsx

    frames = {
        "<b>homes<i>" + chr(0x202E): hostile_dataset.homes,  # Excel refuses / \\ ? * [ ] : in sheet names
        "log": hostile_dataset.missing_log.head(30),
    }
    book = openpyxl.load_workbook(io.BytesIO(to_safe_xlsx(frames)))
    seen = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@"))
                    seen += MARKER in cell.value
    assert seen
    back = read_inputs([InputFile("homes.xlsx", to_safe_xlsx({"homes": hostile_dataset.homes}))])
    assert len(back.homes) + len(back.quality.set_aside_rows("homes.xlsx")) == len(hostile_dataset.homes)


def test_pooled_file_with_hostile_authority_names_is_read(postcode_index):
    text = "CHILD,DECOM,PLACE,HOME_POST,PL_POST,LA\n" + "".join(
        f'"{p.replace(chr(34), chr(34) * 2)}",01/04/2024,U1,ME14 1XQ,TN23 1WZ,"{p.replace(chr(34), chr(34) * 2)}"\n'
        for p in payloads.PAYLOADS
    )
    ds = read_inputs([InputFile("pooled.csv", text.encode())])
    assert len(ds.episodes) == len(payloads.PAYLOADS)
    assert ds.la_code is None  # no authority can be made out of a payload
    warned = ds.quality.to_frame()
    assert (warned["column"] == "LA").sum() == len(payloads.PAYLOADS)


# ------------------------------------------------------------------ (b) in a real browser
PAGE_TIMEOUT = 120_000  # ms
MAP_PAGES = ("Placements", "Children's homes")  # menu entries that must draw a map


def _settle(page) -> None:
    page.wait_for_selector('[data-testid="stMain"]', timeout=PAGE_TIMEOUT)
    page.wait_for_timeout(800)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=PAGE_TIMEOUT)
    page.wait_for_timeout(1500)


def _xss_fired(page) -> list[str]:
    """Frames (by URL) in which a payload ran."""
    fired = []
    for frame in page.frames:
        try:
            if frame.evaluate("() => typeof window.__xss !== 'undefined'"):
                fired.append(frame.url[:80])
        except Exception:  # noqa: BLE001 - a frame can go away while we look
            continue
    return fired


def _wait_for_map(page) -> bool:
    deadline = time.monotonic() + PAGE_TIMEOUT / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.locator(".leaflet-container").count() and frame.locator(".leaflet-overlay-pane *").count():
                    return True
            except Exception:  # noqa: BLE001
                continue
        page.wait_for_timeout(500)
    return False


@pytest.mark.browser
def test_hostile_upload_runs_no_script_in_any_page_or_map(app_url, chromium):
    app_server = app_url
    uploads = [{"name": f.name.replace("/", "_"), "mimeType": "text/csv", "buffer": f.content} for f in hostile_files()]
    # A fresh browser context: its own cookies and session, so the upload stays in this test.
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        dialogs, outside = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        # Every request the page or its map frames make must stay on this machine (tiles are off).
        page.context.on(
            "request",
            lambda r: None if r.url.startswith((app_server, "data:", "blob:", "about:")) else outside.append(r.url),
        )
        page.goto(f"{app_server}/data", timeout=PAGE_TIMEOUT)
        _settle(page)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(uploads)
        page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=\"stFileChip\"]').length >= n",
            arg=min(len(uploads), 3),
            timeout=PAGE_TIMEOUT,
        )  # the uploader lists (the first few of) the files
        page.get_by_role("button", name="Load these files").click()
        page.get_by_text("your uploaded files", exact=False).first.wait_for(timeout=PAGE_TIMEOUT)
        _settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert _xss_fired(page) == []
        # The payload text is shown literally (as text, not markup) somewhere on the page.
        body = page.evaluate("() => document.body.innerText")
        assert MARKER.lower() in body.lower() or page.get_by_text(MARKER, exact=False).count() > 0
        menu = page.locator('[data-testid="stSidebarNav"] a')
        titles = [menu.nth(i).inner_text().strip() for i in range(menu.count())]
        assert set(MAP_PAGES) <= {t.split("\n")[-1].strip() for t in titles}, titles
        for title in titles:
            path = title.split("\n")[-1].strip()  # the link text after its icon's name
            # Through the menu: the session (and the uploaded files) lives as long as the browser tab.
            menu.filter(has_text=path).first.click()
            _settle(page)
            if path in MAP_PAGES:
                assert _wait_for_map(page), f"no map drawn on /{path}"
                page.wait_for_timeout(1000)
                # Hover over the drawn shapes so that tooltips (where names go) are rendered.
                for frame in page.frames:
                    try:
                        shapes = frame.locator(".leaflet-interactive")
                        for i in range(min(shapes.count(), 15)):
                            shapes.nth(i).hover(timeout=2000, force=True)
                    except Exception:  # noqa: BLE001 - canvas maps have no per-shape elements
                        continue
            assert page.locator('[data-testid="stException"]').count() == 0, path
            assert _xss_fired(page) == [], f"a payload ran on /{path}"
        assert dialogs == []
        assert outside == [], f"requests left the machine: {outside[:5]}"
    finally:
        context.close()


# ------------------------------------------------------------------ size limits (docs/limits.md)
def _zip_declaring(size: int) -> bytes:
    """A tiny valid XLSX-shaped zip whose central directory claims a sheet of ``size`` bytes."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/workbook.xml", b"<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<worksheet/>")
    data = bytearray(buf.getvalue())
    at = data.rfind(b"PK\x01\x02")  # the last central directory entry: the sheet
    data[at + 24 : at + 28] = min(size, 0xFFFFFFFE).to_bytes(4, "little")  # its uncompressed size
    return bytes(data)


def test_limits_messages_say_what_happened_and_what_to_do(tmp_path):
    from data.read_files import MAX_FILE_BYTES, MAX_UNZIPPED_BYTES

    class Upload:  # what Streamlit's uploader hands over: name, size, getvalue()
        name = f"{SCRIPT}big.csv"
        size = MAX_FILE_BYTES + 1

        def getvalue(self):
            raise AssertionError("a file over the limit must not be read")

    big = tmp_path / "episodes.csv"
    with open(big, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 5 * 1024 * 1024)  # sparse
    ds = read_inputs([Upload(), big, InputFile("bomb.xlsx", _zip_declaring(MAX_UNZIPPED_BYTES + 1))])
    errors = {e.file: e.reason for e in ds.quality.file_errors()}
    assert errors[Upload.name] == (
        f"the file is {(MAX_FILE_BYTES + 1) / 2**20:,.0f} MB, over the 200 MB limit (MAX_FILE_BYTES): split it by year or table"
    )
    assert errors["episodes.csv"].startswith("the file is 205 MB, over the 200 MB limit")
    assert errors["bomb.xlsx"].startswith("the workbook unzips to")
    assert "over the 1,024 MB limit (MAX_UNZIPPED_BYTES); it may be a zip bomb" in errors["bomb.xlsx"]
    assert (ds.quality.summary()["rows_read"] == 0).all()


def test_data_page_reports_a_zip_bomb_and_shows_payloads_as_text():
    """End to end through the app's Data page (AppTest): the refusal is a row of the quality report."""
    from streamlit.testing.v1 import AppTest

    from data.read_files import MAX_UNZIPPED_BYTES
    from ui import dataset_choice

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state[dataset_choice.KEY_SOURCE] = dataset_choice.SOURCE_UPLOAD
    at.session_state[dataset_choice.KEY_INPUT_FILES] = hostile_files() + [
        InputFile("bomb.xlsx", _zip_declaring(MAX_UNZIPPED_BYTES + 1))
    ]
    at.session_state[dataset_choice.KEY_LA] = "E10000016"
    at.switch_page("app_pages/data.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    tables = [d.value for d in at.dataframe]
    text = "\n".join(t.astype(str).to_csv() for t in tables)
    assert "it may be a zip bomb" in text and "bomb.xlsx" in text
    assert SCRIPT in text  # file names and values are shown as text in tables, never as markup
    markup = " ".join(
        str(m.value)
        for kind in ("markdown", "caption", "info", "success", "warning", "error")
        for m in getattr(at, kind)
    )
    assert "<script" not in markup.lower() and "<img" not in markup.lower()

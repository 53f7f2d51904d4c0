"""The Streamlit app end to end with AppTest: pages render, tiles match the analysis, filters bite."""

from __future__ import annotations

import functools
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.disclosure import child_data_columns
from tests.apptest_support import page_text as _texts
from tests.apptest_support import run_page
from tests.apptest_support import tiles as _tiles
from ui.components import ATTRIBUTION, SYNTHETIC_BANNER

TIMEOUT = 120
PAGES = ["app_pages/placements.py", "app_pages/homes.py", "app_pages/data.py"]


def _run(page: str = "app_pages/placements.py", **state) -> AppTest:
    return run_page(page, timeout=TIMEOUT, check=False, **state)


@functools.lru_cache(maxsize=1)
def _demo_located() -> pd.DataFrame:
    """The demo's episodes located by the analysis layer directly, not through the app."""
    from analysis.placements import add_placement_location
    from data.readers import read_folder
    from geo.postcodes import get_postcode_index
    from ui import dataset_choice

    dataset = read_folder(dataset_choice.DEMO_DIR, la=dataset_choice.DEMO_LA)
    return add_placement_location(dataset.episodes, dataset.la_code, index=get_postcode_index())


def _expected_tiles(snapshot_date, groups=()):
    """Headline figures computed straight from the analysis layer, for the demo."""
    from analysis.placements import headline_figures, placements_on

    snap = placements_on(_demo_located(), pd.Timestamp(snapshot_date))
    if groups:
        snap = snap[snap["PLACEMENT_GROUP"].isin(groups)]
    return headline_figures(snap).set_index("measure")


def _check_tiles_match(tiles: dict[str, str], figures: pd.DataFrame) -> None:
    from ui.panel import HEADLINE_TILES

    n = int(figures.loc["children looked after", "count"])
    assert tiles["Children looked after"] == (f"{n:,}" if n > 5 or n == 0 else "c")
    for measure in [
        "placed over 20 miles from home",
        "placed outside the authority",
        "outside the authority and over 20 miles",
        "placed at a distance",
        "distance unknown",
    ]:
        row = figures.loc[measure]
        shown = tiles[HEADLINE_TILES[measure]]
        if 1 <= row["count"] <= 5:
            assert shown == "c"
        else:
            assert shown == f"{row['percent']:.1f}%", measure
    median = figures.loc["median miles from home", "value"]
    assert tiles["Median distance"] == f"{median:.1f} miles"


@pytest.fixture(scope="module")
def demo_placements() -> AppTest:
    at = _run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_opens_on_placements_with_demo_banner_and_footer(demo_placements):
    at = demo_placements
    assert at.title[0].value == "Where our children are placed"
    assert any(SYNTHETIC_BANNER in e.value for e in at.error)
    assert any(ATTRIBUTION in c.value for c in at.caption)
    assert len(at.metric) >= 6


def test_tiles_equal_headline_figures(demo_placements):
    at = demo_placements
    snapshot = at.session_state["snapshot_date"]
    _check_tiles_match(_tiles(at), _expected_tiles(snapshot))


PLACEMENT_TABS = ["By placement type", "By provider", "By receiving authority", "Monthly trend", "Costs"]


def _tab_tables(tab: str) -> tuple[AppTest, list[pd.DataFrame]]:
    """The Placements page with one breakdown tab open (the others are not computed), and its tables."""
    at = _run(placements_tab=tab)
    assert not at.exception, [e.value for e in at.exception]
    return at, [f.value for f in at.dataframe]


def test_only_the_open_breakdown_tab_is_computed_and_each_opens():
    first, _ = _tab_tables(PLACEMENT_TABS[0])
    keys = {b.key for b in first.get("download_button")}
    assert "csv-placements_by_type.csv" in keys and "csv-placements_monthly_trend.csv" not in keys, keys
    trend, _ = _tab_tables("Monthly trend")
    keys = {b.key for b in trend.get("download_button")}
    assert "csv-placements_monthly_trend.csv" in keys and "csv-placements_by_type.csv" not in keys, keys
    _, tables = _tab_tables("By receiving authority")
    assert any("Children" in t.columns and len(t) > 1 for t in tables)


def test_panel_tables_show_no_child_data():
    frames = [frame for tab in PLACEMENT_TABS for frame in _tab_tables(tab)[1]]
    for frame in frames:
        assert not child_data_columns(frame.columns)
    counts = pd.concat(frames, ignore_index=True).astype(str)
    for small in ("1", "2", "3", "4", "5"):
        for col in ("Children", "Outside the authority", "Over 20 miles", "Distance unknown"):
            if col in counts:
                assert not (counts[col] == small).any(), (col, small)


def test_group_filter_and_snapshot_date_change_the_numbers(demo_placements):
    before = _tiles(demo_placements)
    snapshot = demo_placements.session_state["snapshot_date"]

    grouped = _run(filter_groups=["Other foster care"])
    assert not grouped.exception
    assert grouped.sidebar.multiselect(key="_widget_filter_groups").value == ["Other foster care"]
    after = _tiles(grouped)
    assert after["Children looked after"] != before["Children looked after"]
    _check_tiles_match(after, _expected_tiles(snapshot, groups=("Other foster care",)))

    earlier = (pd.Timestamp(snapshot) - pd.DateOffset(years=1)).date()
    moved_at = _run(snapshot_date=earlier)
    assert not moved_at.exception
    moved = _tiles(moved_at)
    assert moved != before
    _check_tiles_match(moved, _expected_tiles(earlier))

    # Through the box itself, as a user would: the new date sticks and the tiles follow.
    box = next(t for t in moved_at.sidebar.text_input if t.label == "Snapshot date")
    assert box.value == f"{earlier:%d/%m/%Y}"
    box.input(f"{snapshot:%d/%m/%Y}").run()
    assert moved_at.session_state["snapshot_date"] == snapshot
    assert _tiles(moved_at) == before
    # A date that is not one, or outside the data, is refused in words and changes nothing.
    for typed, words in [
        ("31/02/2025", "not a date in the calendar"),
        ("next Tuesday", "DD/MM/YYYY"),
        ("01/01/1990", "outside the loaded data"),
    ]:
        next(t for t in moved_at.sidebar.text_input if t.label == "Snapshot date").input(typed).run()
        assert not moved_at.exception
        assert any(words in e.value for e in moved_at.sidebar.error), typed
        assert moved_at.session_state["snapshot_date"] == snapshot
        assert (
            next(t for t in moved_at.sidebar.text_input if t.label == "Snapshot date").value == f"{snapshot:%d/%m/%Y}"
        )


@pytest.mark.parametrize("page", ["app_pages/homes.py", "app_pages/data.py"])
def test_other_pages_render_on_demo(page):
    at = _run(page)
    assert not at.exception, [e.value for e in at.exception]
    assert any(SYNTHETIC_BANNER in e.value for e in at.error)
    if page == "app_pages/homes.py":
        assert at.title[0].value == "Children's homes"
        assert "Homes shown" in _tiles(at)
        for frame in at.dataframe:
            assert not child_data_columns(frame.value.columns)
        # The heading says how the homes are ordered, and the order is what it says.
        table = next(f.value for f in at.dataframe if "Our children" in f.value.columns)
        heading = [h.value for h in at.subheader if h.value.startswith("Homes")][0]
        shown = [int(v) for v in table["Our children"] if str(v).isdigit() and int(v) > 5]
        rest = [n for n, v in zip(table["Home"], table["Our children"]) if not (str(v).isdigit() and int(v) > 5)]
        assert heading == ("Homes used most" if shown else "Homes, A to Z")
        assert shown == sorted(shown, reverse=True) and list(table["Our children"][: len(shown)].astype(int)) == shown
        assert rest == sorted(rest)
        caption = next(c.value for c in at.caption if "would give it away" in c.value)
        if shown:  # "The one home ..." or "The 4 homes ...", as many as are ranked
            assert caption.startswith("The one home whose" if len(shown) == 1 else f"The {len(shown)} homes whose")
    else:
        assert any(b.label.startswith("Download the data-quality report") for b in at.get("download_button"))
        assert any("% matched" in f.value.columns for f in at.dataframe)  # postcode match summary


@pytest.fixture(scope="module")
def uploaded(fixtures_dir):
    from data.readers import InputFile

    folder = fixtures_dir / "csc-validator-be-903"
    return [InputFile(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]


@pytest.mark.parametrize("page", PAGES)
def test_uploaded_fixture_renders_without_synthetic_banner(uploaded, page):
    from ui import dataset_choice

    at = _run(
        page,
        **{
            dataset_choice.KEY_INPUT_FILES: uploaded,
            dataset_choice.KEY_LA: "E10000016",
            dataset_choice.KEY_SOURCE: "upload",
        },
    )
    assert not at.exception, [e.value for e in at.exception]
    assert SYNTHETIC_BANNER not in _texts(at)
    if page == "app_pages/placements.py":
        tiles = _tiles(at)
        assert tiles["Children looked after"] not in ("-", "c")
        assert "Distance unknown" in tiles  # the fixture's random postcodes are counted, not hidden
    if page == "app_pages/data.py":
        assert "your uploaded files" in _texts(at)


@pytest.mark.parametrize("problems", [1, 2])
def test_data_page_counts_issues_in_words(problems):
    """One file refused is "1 issue", two "2 issues"."""
    from data.readers import InputFile
    from ui import dataset_choice

    files = [InputFile(f"scan{i}.csv", b"%PDF-1.4 not a table") for i in range(problems)]
    good = InputFile("uasc.csv", b"CHILD,SEX,DOB,DUC\n1,1,01/01/2010,01/01/2028\n")
    at = _run(
        "app_pages/data.py",
        **{
            dataset_choice.KEY_INPUT_FILES: [good, *files],
            dataset_choice.KEY_LA: "E10000016",
            dataset_choice.KEY_SOURCE: "upload",
        },
    )
    assert not at.exception, [e.value for e in at.exception]
    assert f"**{problems} issue{'' if problems == 1 else 's'}** by reason" in [m.value for m in at.markdown]


def test_upload_without_authority_asks_for_it(uploaded):
    from ui import dataset_choice

    at = _run(
        **{dataset_choice.KEY_INPUT_FILES: uploaded, dataset_choice.KEY_LA: None, dataset_choice.KEY_SOURCE: "upload"}
    )
    assert not at.exception
    assert "responsible authority" in _texts(at)


def test_placements_warn_when_most_locations_are_unknown(uploaded):
    """The fixture's random postcodes leave 98% of placement locations unknown: "Outside the authority 1.8%"
    must not stand alone. Counts over 999 are written 1,191 in the tiles and beneath them alike."""
    from ui import dataset_choice

    at = _run(
        **{
            dataset_choice.KEY_INPUT_FILES: uploaded,
            dataset_choice.KEY_LA: "E10000016",
            dataset_choice.KEY_SOURCE: "upload",
        }
    )
    assert not at.exception, [e.value for e in at.exception]
    warnings = " ".join(w.value for w in at.warning)
    assert "placement location is not known for" in warnings.lower()
    assert "Outside the authority and At a distance count only the rest" in warnings
    assert "These figures understate" in warnings
    assert re.search(r"of \d{1,3}(,\d{3})+ children", _texts(at))
    assert not re.search(r"of \d{4,} children", _texts(at))


def test_no_unknown_warning_on_the_demo(demo_placements):
    assert not any("not known for" in w.value for w in demo_placements.warning)


@pytest.mark.parametrize(
    ("drawn", "no_home", "no_district", "text"),
    [
        (
            1,
            1183,
            7,
            "Lines for c (5 or fewer) of the 1,191 children; the others have no home postcode sector or no "
            "placement postcode district.",
        ),
        (
            1186,
            3,
            2,
            "Lines for all but 5 or fewer of the 1,191 children; the others have no home postcode sector or "
            "no placement postcode district.",
        ),
        (
            1000,
            188,
            3,
            "Lines for 1,000 of the 1,191 children; the others have no home postcode sector or no placement "
            "postcode district.",
        ),
        (1000, 191, 0, "Lines for 1,000 of the 1,191 children; 191 without a home postcode sector."),
    ],
)
def test_flow_note_never_leaves_a_small_count_recoverable(drawn, no_home, no_district, text):
    from maps.placements_map import FlowSummary
    from ui.panel import flow_note

    summary = FlowSummary(
        children=drawn + no_home + no_district, drawn=drawn, no_home_sector=no_home, no_placement_district=no_district
    )
    assert flow_note(summary) == text

"""The missing team's "Missing & hotspots" page end to end with AppTest, on the committed Kent demo."""

from __future__ import annotations

import functools
import io
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from streamlit.testing.v1 import AppTest

from analysis.disclosure import child_data_columns
from data.schemas import RISK_FLAG_LABELS
from reports.export import FORMULA_PREFIXES
from tests.apptest_support import run_page
from tests.apptest_support import tiles as _tiles
from ui.components import ATTRIBUTION, SYNTHETIC_BANNER

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGE = "app_pages/missing.py"
TIMEOUT = 180
WITHIN_M = 400
TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)


from tests.apptest_support import _secret_key  # noqa: E402,F401 - a throwaway installation key per module


def _run(**state) -> AppTest:
    return run_page(PAGE, timeout=TIMEOUT, **state)


def _hotspot_table(at: AppTest) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if {"Hotspot", "Centre latitude", "Dominant risk"} <= set(d.value.columns)]
    assert len(tables) == 1
    return tables[0]


def _positions(table: pd.DataFrame) -> np.ndarray:
    x, y = TO_BNG.transform(
        table["Centre longitude"].to_numpy(dtype=float), table["Centre latitude"].to_numpy(dtype=float)
    )
    return np.column_stack([x, y])


@functools.lru_cache(maxsize=1)
def _demo_episodes() -> pd.DataFrame:
    """The demo's missing episodes built by the analysis layer directly, not through the app."""
    from analysis.missing import missing_episodes
    from data.readers import read_folder
    from ui import dataset_choice

    dataset = read_folder(dataset_choice.DEMO_DIR, la=dataset_choice.DEMO_LA)
    return missing_episodes(dataset)


@pytest.fixture(scope="module")
def demo() -> AppTest:
    return _run()


def test_page_renders_on_demo_with_banner_tiles_map_and_footer(demo):
    at = demo
    assert at.title[0].value == "Missing episodes and exploitation hotspots"
    assert any(SYNTHETIC_BANNER in e.value for e in at.error)
    assert any(ATTRIBUTION in c.value for c in at.caption)
    tiles = _tiles(at)
    episodes = _demo_episodes()
    assert tiles["Episodes"] == f"{len(episodes):,}"
    assert tiles["Children"] == f"{episodes['CHILD'].nunique():,}"
    assert at.selectbox(key="missing_hotspot").value == 1  # the biggest hotspot's profile is open
    assert any(b.label == "Download hotspots (CSV)" for b in at.get("download_button"))


def test_planted_kent_hotspots_are_found_with_their_dominant_flag(demo):
    truth = pd.read_csv(ROOT / "data" / "demo_data" / "ground_truth.csv")
    table = _hotspot_table(demo)
    found = _positions(table)
    for place in truth.itertuples(index=False):
        dist = np.hypot(found[:, 0] - place.easting, found[:, 1] - place.northing)
        nearest = int(np.argmin(dist))
        assert dist[nearest] <= WITHIN_M, (place.place, float(dist[nearest]))
        assert table.loc[nearest, "Dominant risk"] == RISK_FLAG_LABELS[place.dominant_flag], place.place


def test_hotspot_csv_export_is_formula_safe(demo):
    data = demo.session_state["_missing_hotspots_csv"]
    assert data.startswith("\ufeff".encode("utf-8"))
    table = _hotspot_table(demo)
    exported = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(exported) == len(table) and list(exported.columns) == list(table.columns)
    for col in exported.columns:
        for value in exported[col]:
            if value[:1] in FORMULA_PREFIXES or value.lstrip()[:1] in FORMULA_PREFIXES:
                float(value)  # only real numbers (a negative trend) may start with "-"
    # No child data in the export: ids, postcodes and notes stay in the analyst's own view.
    assert not child_data_columns(exported.columns)


KEY_MORE, KEY_DETAIL = "missing_more", "missing_detail"  # the profile's expanders (app_pages/missing.py)


def test_profile_expanders_draw_their_tables_only_when_open_and_stay_open(demo):
    def pseudonym_tables(at):
        return [d.value for d in at.dataframe if "Child (pseudonym)" in d.value.columns]

    def day_tables(at):
        return [d.value for d in at.dataframe if "day of week" in d.value.columns]

    assert not pseudonym_tables(demo) and not day_tables(demo)  # closed: nothing computed or sent
    at = _run(**{KEY_MORE: True, KEY_DETAIL: True})
    children, episodes = pseudonym_tables(at)
    assert len(day_tables(at)) == 1
    # The analyst sees each child's 903 id beside the pseudonym, so the team can act on the list.
    ids = set(_demo_episodes()["CHILD"].astype(str))
    for table in (children, episodes):
        assert list(table.columns[:2]) == ["Child (903 id)", "Child (pseudonym)"]
        assert (
            set(table["Child (903 id)"]) <= ids
            and table["Child (903 id)"].nunique() == table["Child (pseudonym)"].nunique()
        )
    first = at.selectbox(key="missing_hotspot").value
    # Named as in the selector, the table and the export: "1. Maidstone, ME14 1 (Kent)".
    named = _hotspot_table(at).set_index("Hotspot")["Place"]
    assert first == 1 and named.loc[1] == "Maidstone, ME14 1 (Kent)"
    assert at.selectbox(key="missing_hotspot").options[0].startswith("1. Maidstone, ME14 1 (Kent): ")
    assert any(c.value == f"1. {named.loc[1]}: its children, then its episodes." for c in at.caption)
    assert children["episodes"].sum() == len(episodes) == int(_hotspot_table(at).loc[0, "Episodes"])
    # Another hotspot: the expanders stay open and show it.
    second = at.selectbox(key="missing_hotspot").options[1]
    at.selectbox(key="missing_hotspot").set_value(int(second.split(".")[0])).run()
    assert not at.exception, [e.value for e in at.exception]
    chosen = at.selectbox(key="missing_hotspot").value
    assert chosen != first and at.session_state[KEY_MORE] and at.session_state[KEY_DETAIL]
    assert any(c.value == f"{chosen}. {named.loc[chosen]}: its children, then its episodes." for c in at.caption)
    assert len(pseudonym_tables(at)) == 2 and len(day_tables(at)) == 1


def test_risk_flag_filter_and_time_range_change_the_numbers(demo):
    before = _tiles(demo)
    episodes = _demo_episodes()
    at = _run()
    at.multiselect(key="missing_flags").set_value(["GANG"]).run()
    assert not at.exception, [e.value for e in at.exception]
    gang = _tiles(at)
    expected = int(episodes["GANG"].fillna(False).astype(bool).sum())
    assert gang["Episodes"] == f"{expected:,}" != before["Episodes"]
    # Bluewater (the planted gang place) now leads the hotspot table.
    assert _hotspot_table(at).loc[0, "Dominant risk"] == RISK_FLAG_LABELS["GANG"]

    at.multiselect(key="missing_flags").set_value([]).run()
    first, last = at.slider(key="missing_period").value
    mid = first + timedelta(days=(last - first).days // 2)
    at.slider(key="missing_period").set_value((first, mid)).run()
    assert not at.exception, [e.value for e in at.exception]
    half = _tiles(at)
    when = pd.to_datetime(episodes["MIS_START"])
    expected = int(((when >= pd.Timestamp(first)) & (when < pd.Timestamp(mid) + pd.Timedelta(days=1))).sum())
    assert half["Episodes"] == f"{expected:,}" != before["Episodes"]


def test_above_the_limit_hotspots_wait_to_be_asked_for_then_match(demo, monkeypatch):
    """Over CARE_MAP_CLUSTER_AT_ONCE located episodes the page maps the Gi* grid and episode counts
    and finds hotspots only once the analyst asks; then they are the ones found below the limit."""
    monkeypatch.setenv("CARE_MAP_CLUSTER_AT_ONCE", "100")
    at = _run()
    assert any("more than the 100 for which hotspots are found at once" in i.value for i in at.info)
    assert not [d for d in at.dataframe if "Centre latitude" in d.value.columns and len(d.value)]  # no hotspots
    assert not [s for s in at.selectbox if s.key == "missing_hotspot"]  # no profile to choose
    headline = {k: v for k, v in _tiles(demo).items() if "hotspot" not in k}
    assert _tiles(at) == headline  # the figures do not wait
    assert any(getattr(e, "type", "") == "component_instance" for e in at.main)  # the map is drawn

    at.toggle(key="missing_cluster_large").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    pd.testing.assert_frame_equal(_hotspot_table(at), _hotspot_table(demo))


def test_missing_from_location_changes_the_hotspots(demo):
    found = _hotspot_table(demo)
    at = _run(missing_location="Where the child went missing from")
    came_from = _hotspot_table(at)
    assert len(came_from) and len(came_from) != len(found)
    # Children go missing from their placements, not from the planted town-centre places: most of
    # the planted places are no hotspot of where children went missing from.
    truth = pd.read_csv(ROOT / "data" / "demo_data" / "ground_truth.csv")

    def matched(table):
        pos = _positions(table)
        return sum(
            np.hypot(pos[:, 0] - p.easting, pos[:, 1] - p.northing).min() <= WITHIN_M
            for p in truth.itertuples(index=False)
        )

    assert matched(found) == len(truth)
    assert matched(came_from) < len(truth)


def test_panel_role_cannot_open_the_page(tmp_path, monkeypatch):
    """A panel member signed in with a local account never reaches the analyst's page."""
    from access.roles import PANEL
    from access.users import add_user
    from ui import auth, identity

    users = tmp_path / "users.json"
    add_user("panel.member", "a long panel passphrase", role=PANEL, path=users)
    monkeypatch.setenv("CARE_MAP_USERS_FILE", str(users))
    monkeypatch.setenv("CARE_MAP_AUDIT_LOG", str(tmp_path / "audit.log"))
    monkeypatch.setenv("CARE_MAP_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[auth.KEY_MODE] = auth.MODE_ACCOUNTS
    at.session_state[identity.KEY_USER] = "panel.member"
    at.session_state[identity.KEY_ROLE] = PANEL
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    titles = [t.value for t in at.title]
    assert titles and "Missing episodes and exploitation hotspots" not in titles
    assert all("Analyst only" not in str(e.label) for e in at.expander)
    for frame in at.dataframe:
        assert "Child (pseudonym)" not in frame.value.columns and "Child (903 id)" not in frame.value.columns
        assert not child_data_columns(frame.value.columns), list(frame.value.columns)


def test_hostile_upload_is_escaped_pseudonymised_and_formula_safe():
    """tests/hostile: script tags in ids and notes, formulas in notes. Nothing runs, nothing leaks."""
    from data.readers import InputFile
    from ui import dataset_choice

    files = [InputFile(p.name, p.read_bytes()) for p in sorted((ROOT / "tests" / "hostile").glob("hostile_*.csv"))]
    at = _run(
        **{
            dataset_choice.KEY_INPUT_FILES: files,
            dataset_choice.KEY_LA: "E10000016",
            dataset_choice.KEY_SOURCE: "upload",
            KEY_DETAIL: True,
        }
    )
    assert SYNTHETIC_BANNER not in " ".join(e.value for e in at.error)
    frames = [d.value for d in at.dataframe]
    detail = [f for f in frames if "NOTES" in f.columns]
    assert detail, "the analyst's episode table (with notes) is shown"
    notes = detail[0]["NOTES"].astype(str)
    assert not notes.str.contains("<script", regex=False).any()
    assert notes.str.contains("&lt;script&gt;", regex=False).any()
    for frame in frames:
        assert "CHILD" not in frame.columns
        if "Child (pseudonym)" in frame.columns:
            assert frame["Child (pseudonym)"].astype(str).str.fullmatch(r"P-[A-Z2-7]{10}").all()
            assert not frame["Child (903 id)"].astype(str).str.contains("<", regex=False).any()  # escaped ids
    exported = pd.read_csv(
        io.BytesIO(at.session_state["_missing_hotspots_csv"]), encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    assert len(exported) == len(_hotspot_table(at)) > 0
    for value in exported.to_numpy().ravel():
        if value[:1] in FORMULA_PREFIXES or value.lstrip()[:1] in FORMULA_PREFIXES:
            float(value)


def test_hotspot_selector_label_follows_the_risk_flag_filter(demo):
    """The browser shows the selectbox label it was last sent: after a filter the page must send the chosen
    hotspot's new label (its filtered episodes), not leave "952 episodes" beside a profile of 605."""
    at = _run()
    before = at.selectbox(key="missing_hotspot").options[0]
    at.multiselect(key="missing_flags").set_value(["CSE"]).run()
    assert not at.exception, [e.value for e in at.exception]
    box = at.selectbox(key="missing_hotspot")
    episodes = int(_tiles(at)["Episodes at this hotspot"].replace(",", ""))
    assert box.value == 1 and box.options[0] != before
    assert box.proto.set_value and box.proto.raw_value == box.options[0]
    assert box.proto.raw_value.endswith(f": {episodes:,} episodes")


def test_903_only_upload_says_why_there_are_no_hotspots_and_that_interviews_are_not_recorded():
    """The demo's 903 files without the missing team's log: no found locations and no interviews. The page
    says so, rather than "lower the fewest episodes" and "RHI offered within 72 h: 0.0%"."""
    from data.readers import InputFile
    from ui import dataset_choice

    files = [InputFile(p.name, p.read_bytes()) for p in sorted((ROOT / "data" / "demo_data").glob("202*_*.csv"))]
    at = _run(
        **{
            dataset_choice.KEY_INPUT_FILES: files,
            dataset_choice.KEY_LA: "E10000016",
            dataset_choice.KEY_SOURCE: "upload",
            "missing_tab": "Return home interviews",
        }
    )
    infos = " ".join(i.value for i in at.info)
    assert "lower the fewest" not in infos
    assert "None of these episodes has a place where the child was found" in infos
    assert _tiles(at)["RHI offered within 72 h"] == "not recorded"
    assert "0.0%" not in " ".join(_tiles(at).values())
    assert "No return home interview is recorded" in infos
    # Where they went missing from (the 903's placement postcodes) does find hotspots.
    at.radio(key="missing_location").set_value("Where the child went missing from").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.selectbox(key="missing_hotspot").options) > 0

"""The proof: every choice a panel member has, on every panel page and in both packs, attacked together.

Packs: the MASE and panel packs for the whole year, each quarter and a week with no hotspot, on the
synthetic set of tests/test_briefing.py (groups of 1-7 children by design). Pages: Placements (every
breakdown tab), Children's homes and Region (every authority in focus), run as the panel role in
AppTest. A new panel output joins with one line in ``_page_views`` or ``PACK_PERIODS``.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from disclosure_attack import Relation, Shown, app_tables, attack, pack_tables
from streamlit.testing.v1 import AppTest

from access.roles import PANEL
from access.users import add_user
from reports.briefing import build_briefing

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT = 180
PACK_PERIODS = {
    "year": (date(2025, 4, 1), date(2026, 3, 31)),
    "Q1": (date(2025, 4, 1), date(2025, 6, 30)),
    "Q2": (date(2025, 7, 1), date(2025, 9, 30)),
    "Q3": (date(2025, 10, 1), date(2025, 12, 31)),
    "Q4": (date(2026, 1, 1), date(2026, 3, 31)),
    "a week": (date(2026, 3, 1), date(2026, 3, 7)),
}
PLACEMENT_TABS = ["By placement type", "By provider", "By receiving authority", "Monthly trend", "Costs"]


@pytest.fixture(scope="module")
def packs(postcode_index):
    from test_briefing import _make_dataset

    dataset = _make_dataset(postcode_index)
    return {
        (audience, name): build_briefing(dataset, la="Kent", period=period, audience=audience, index=postcode_index)
        for audience in ("mase", "panel")
        for name, period in PACK_PERIODS.items()
    }


@pytest.mark.slow
def test_no_suppressed_figure_in_any_pack_can_be_worked_out(packs):
    findings = []
    for (audience, name), pack in packs.items():
        # One pack at a time: packs of different periods hold different figures under the same titles
        # (differencing over time is in docs/disclosure.md).
        findings += attack(pack_tables(pack, f"{audience} pack, {name}"))
    assert findings == []


@pytest.mark.slow
def test_no_suppressed_figure_in_the_demo_authority_packs_can_be_worked_out(postcode_index):
    """The committed Kent demo for a month and a fortnight: real-sized tables, many of them sparse.
    (Before this change, February's repeat-missing table showed the episodes of hidden children.)"""
    from data.readers import read_folder

    dataset = read_folder(ROOT / "data" / "demo_data", la="E10000016")
    findings, hidden = [], 0
    for period in [(date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 3, 1), date(2026, 3, 14))]:
        for audience in ("mase", "panel"):
            tables = pack_tables(
                build_briefing(dataset, la="Kent", period=period, audience=audience, index=postcode_index),
                f"demo {audience} pack {period[0]}",
            )
            hidden += sum(int((t.frame == "c").sum().sum()) for t in tables)
            findings += attack(tables)
    assert hidden > 10 and findings == []


def test_a_short_period_still_builds_the_mase_pack_and_says_why_there_are_no_hotspots(packs):
    pack = packs[("mase", "a week")]
    hotspots = next(s for s in pack.sections if s.title.startswith("Hotspots"))
    assert [b.text for b in hotspots.blocks] == [
        "Not available: too few episodes with a found location in the period to look for hotspots."
    ]


@pytest.mark.slow
def test_the_command_line_builds_a_mase_pack_for_a_week_in_which_no_hotspot_is_found(tmp_path):
    """The issue's traceback ("'children'"): enough located episodes, but no cluster of 6+ children."""
    import subprocess
    import sys

    out = tmp_path / "pack.html"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "briefing",
            "--data",
            str(ROOT / "data" / "demo_data"),
            "--la",
            "Kent",
            "--period",
            "2026-03-01:2026-03-07",
            "--audience",
            "mase",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "No hotspot found in the period" in out.read_text(encoding="utf-8")


def test_the_repeat_missing_table_hides_the_episodes_of_hidden_children(packs):
    for (_audience, _name), pack in packs.items():
        for block in pack.tables():
            if block.title.startswith("Children by number of episodes"):
                hidden = block.frame["Children"] == "c"
                assert (block.frame.loc[hidden, "Episodes"] == "c").all(), block.frame


def test_hotspot_shares_of_1_to_5_episodes_are_hidden(packs):
    profiles = next(b for b in packs[("mase", "year")].tables() if b.title == "Hotspot profiles").frame
    assert "% placed out of area" in profiles.columns
    assert not attack([Shown("mase", "profiles", profiles)])


# ---------------------------------------------------------------- the pages, as a panel member
@pytest.fixture(scope="module")
def panel_env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("panel_env")
    users = folder / "users.json"
    add_user("panel.member", "a long panel passphrase", role=PANEL, path=users)
    patch = pytest.MonkeyPatch()
    patch.setenv("CARE_MAP_USERS_FILE", str(users))
    patch.setenv("CARE_MAP_AUDIT_LOG", str(folder / "audit.log"))
    patch.setenv("CARE_MAP_SECRETS_FILE", str(folder / "no-secrets.toml"))
    patch.setenv("CARE_MAP_DATABASE_URL", f"sqlite:///{folder / 'store.sqlite'}")  # empty: the demo, until published
    yield folder
    patch.undo()
    from store.engine import dispose_engines

    dispose_engines()


def _run_as_panel(page: str, **state) -> AppTest:
    from ui import auth, identity

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[auth.KEY_MODE] = auth.MODE_ACCOUNTS
    at.session_state[identity.KEY_USER] = "panel.member"
    at.session_state[identity.KEY_ROLE] = PANEL
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@functools.lru_cache(maxsize=None)
def _pooled_files(folder: str) -> tuple:
    from data.england import write_england
    from data.readers import InputFile

    write_england(Path(folder), authorities=3, jobs=1, seed=7)
    return tuple(InputFile(p.name, p.read_bytes()) for p in sorted(Path(folder).glob("*.csv")))


def _receiving_layer(at: AppTest) -> pd.DataFrame:
    """Receiving authorities and their children as the Placements map's tooltips show them."""
    import json

    maps = [e for e in at.main if getattr(e, "type", "") == "component_instance"]
    script = json.loads(maps[0].proto.json_args)["script"] if maps else ""
    found = re.findall(r'"properties": \{"children": "([^"]*)"[^{}]*?"name": "([^"]*)"[^{}]*\}', script)
    return pd.DataFrame({"Receiving authority": [n for _c, n in found], "Children": [c for c, _n in found]})


def _page_views(panel_env) -> tuple[list[Shown], list[AppTest]]:
    """Every table and tile the panel role can make the pages show, one AppTest run per choice."""

    tables, runs = [], []
    receiving = []
    for tab in PLACEMENT_TABS:
        at = _run_as_panel("app_pages/placements.py", placements_tab=tab)
        tables += app_tables(at, f"Placements, {tab}")
        receiving.append((f"Placements map, {tab}", _receiving_layer(at)))
        runs.append(at)
    # The map's receiving authorities are the "By receiving authority" table's figures: one key for both.
    title = next(t.title for t in tables if t.label_column == "Receiving authority")
    tables += [Shown(view, title, frame) for view, frame in receiving if len(frame)]
    at = _run_as_panel("app_pages/homes.py")
    tables += app_tables(at, "Children's homes") + _captions(at, "Children's homes")
    runs.append(at)
    # A panel member sees what is published: here, pooled files of three authorities.
    from data.readers import read_inputs
    from store import publish_dataset

    publish_dataset(read_inputs(list(_pooled_files(str(panel_env / "pooled")))), published_by="analyst")
    pooled: dict = {}
    at = _run_as_panel("app_pages/regional.py", **pooled)
    runs.append(at)
    tables += app_tables(at, "Region, all")
    focus = at.selectbox(key="regional_focus")
    assert len([o for o in focus.options if o]) == 4  # all, and the published pooled files' three authorities
    for code in [o for o in focus.options if o]:
        at = _run_as_panel("app_pages/regional.py", **pooled)
        at.selectbox(key="regional_focus").set_value(code).run()
        assert not at.exception, [e.value for e in at.exception]
        for table in app_tables(at, f"Region, {code}"):
            # One authority's flows out and in, and its tiles, are figures of that authority.
            if table.label_column in ("Placed in", "Placed by") or table.title.startswith("headline"):
                table.title = f"{table.title} ({code})"
            tables.append(table)
        runs.append(at)
    return tables, runs


@pytest.fixture(scope="module")
def page_views(panel_env):
    return _page_views(panel_env)


def _relations(tables: list[Shown]) -> list[Relation]:
    """Figures that are sums of figures elsewhere: a new output adds its own here."""
    relations = []
    by_type = [t for t in tables if t.label_column == "Placement type group"]
    tiles = [t for t in tables if t.title.startswith("headline tiles (Placements")]
    for table in by_type[:1]:  # the headline count is the breakdown's "All" row
        for tile in tiles[:1]:
            relations.append(
                Relation((tile.title, "Children looked after", "Figure"), ((table.title, "All", "Children"),))
            )
    homes = [t for t in tables if t.label_column == "Home"]
    home_tiles = [t for t in tables if t.title == "headline tiles (Children's homes)"]
    for table, tile in zip(homes[:1], home_tiles[:1]):  # the tile adds up every home, and the unmatched
        labels = _labels(table)
        relations.append(
            Relation(
                (tile.title, "Our children in these homes", "Figure"),
                (
                    *((table.title, label, "Our children") for label in labels),
                    ("captions (Children's homes)", "not on the list", "Figure"),
                ),
            )
        )
    # Region: an authority's children placed outside it are its children placed in other authorities.
    by_authority = [
        t
        for t in tables
        if t.view == "Region, all" and "Outside the authority" in t.frame.columns and t.label_column == "Authority"
    ]
    net = [t for t in tables if t.view == "Region, all" and "Children placed in other authorities" in t.frame.columns]
    for figures, flows in zip(by_authority[:1], net[:1]):
        for label in figures.frame["Authority"]:
            relations.append(
                Relation(
                    (figures.title, label, "Outside the authority"),
                    ((flows.title, label, "Children placed in other authorities"),),
                )
            )
    return relations


def _labels(table: Shown) -> list[str]:
    from disclosure_attack import _unique

    return _unique(table.frame[table.label_column].astype(str).tolist())


def _captions(at: AppTest, view: str) -> list[Shown]:
    """Counts said in words under the homes tiles ("plus 7 in homes not on the list")."""
    found = [
        m.group(1) for c in at.caption for m in [re.search(r"plus (\S+) in homes not on the list", str(c.value))] if m
    ]
    return (
        [Shown(view, f"captions ({view})", pd.DataFrame({"What": ["not on the list"], "Figure": found[:1]}))]
        if found
        else []
    )


@pytest.mark.slow
def test_no_suppressed_figure_on_any_panel_page_can_be_worked_out(page_views):
    tables, _runs = page_views
    assert len(tables) > 10 and any((t.frame == "c").any().any() for t in tables)
    relations = _relations(tables)
    assert len(relations) >= 5 and any(len(r.parts) > 10 for r in relations)  # the homes tile is one of them
    assert any(t.view.startswith("Placements map") for t in tables)
    assert attack(tables, relations) == []


@pytest.mark.slow
def test_a_panel_member_has_no_filter_to_subtract(page_views):
    _tables, runs = page_views
    for at in runs:
        labels = [m.label for m in at.multiselect]
        assert not {"Placement type group", "Provider", "Sector", "Ofsted rating"} & set(labels), labels
        assert not [c for c in at.checkbox if c.label.startswith("Only homes")]


@pytest.mark.slow
def test_no_suppressed_figure_in_the_history_of_published_snapshots_can_be_worked_out(postcode_index, tmp_path):
    """Three published snapshots, the last of a dozen children: the packs' change-since-previous and trend
    tables (reports.history_section) hide its small counts, and nothing on them gives one back."""
    from analysis.history import headline_history
    from data.readers import read_folder
    from reports.history_section import TITLE
    from store import get_engine, open_snapshot, publish_dataset, read_figures
    from store.engine import dispose_engines

    kent = read_folder(ROOT / "data" / "demo_data", la="E10000016")
    on = pd.Timestamp(2026, 3, 31)
    episodes = kent.episodes
    in_care = episodes[(episodes["DECOM"] <= on) & (episodes["DEC"].isna() | (episodes["DEC"] > on))]["CHILD"]
    missing = kent.missing[kent.missing["MIS_START"] > on - pd.DateOffset(years=1)]["CHILD"]
    few = sorted(set(in_care.drop_duplicates().head(8)) | set(missing.drop_duplicates().head(4)))
    small = read_folder(ROOT / "data" / "demo_data", la="E10000016")
    for name in ("header", "episodes", "missing", "missing_log"):
        frame = getattr(small, name)
        if frame is not None and "CHILD" in frame.columns:
            setattr(small, name, frame[frame["CHILD"].isin(few)].reset_index(drop=True))
    engine = get_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        for dataset, on in ((kent, date(2025, 3, 31)), (kent, date(2025, 9, 30)), (small, date(2026, 3, 31))):
            info = publish_dataset(
                dataset,
                published_by="a",
                snapshot_date=on,
                engine=engine,
                figures=headline_history(dataset, on=on, index=postcode_index),
            )
        latest = open_snapshot(info.id, engine=engine)
        stored = read_figures(engine=engine)
    finally:
        dispose_engines()
    findings, hidden = [], 0
    for audience in ("panel", "mase"):
        pack = build_briefing(
            latest,
            la="E10000016",
            period=(date(2025, 4, 1), date(2026, 3, 31)),
            audience=audience,
            index=postcode_index,
            history=stored,
        )
        [section] = [s for s in pack.sections if s.title == TITLE]
        history = [
            Shown(f"{audience} pack", b.title, b.frame.astype(str).reset_index(drop=True))
            for b in section.blocks
            if hasattr(b, "frame")
        ]
        hidden += sum(int((t.frame == "c").sum().sum()) for t in history)
        findings += attack(history)
        # The change lines say no count or direction where the figure is hidden.
        texts = " ".join(b.text for b in section.blocks if hasattr(b, "text"))
        assert not any(f"{n} children" in texts for n in range(1, 6)), texts
    assert hidden > 0 and findings == []

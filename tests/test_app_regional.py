"""The Region page end to end with AppTest: the demo (one authority) and pooled multi-council files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.disclosure import child_data_columns, suppress_crosstab
from tests.apptest_support import page_text, run_page
from ui.components import ATTRIBUTION, SYNTHETIC_BANNER

PAGE = "app_pages/regional.py"
TIMEOUT = 180
ALL = "All authorities loaded"
SMALL = {"1", "2", "3", "4", "5"}
# Columns that hold no count of children (labels, homes, places, miles, ratios, names).
NOT_CHILD_COUNTS = {
    "Authority",
    "Region",
    "Authorities",
    "Own data loaded",
    "Balance",
    "Homes listed here",
    "Registered places",
    "Places per own child in a home",
    "Main other authorities placing here",
    "Median miles",
    "Placed in",
    "Placed by",
    "Shares a border",
}


def _run(**state) -> AppTest:
    return run_page(PAGE, timeout=TIMEOUT, **state)


def _texts(at: AppTest) -> str:
    return page_text(at, ("error", "warning", "info", "caption", "title", "markdown"))


def _table(at: AppTest, first_column: str, marker: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if d.value.columns[0] == first_column and marker in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def _map_script(at: AppTest) -> str:
    """The Leaflet script st_folium sends to the browser (the flow map's HTML body)."""
    maps = [e for e in at.main if getattr(e, "type", "") == "component_instance"]
    assert len(maps) == 1
    return json.loads(maps[0].proto.json_args)["script"]


def _tips(at: AppTest) -> list[str]:
    """Tooltips of the drawn flow lines (two features per pair: the line and its arrowhead)."""
    return [json.loads(t) for t in re.findall(r'"tip": ("(?:[^"\\]|\\.)*")', _map_script(at))]


def _uploads(folder: Path):
    from data.readers import InputFile

    return [InputFile(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]


@pytest.fixture(scope="module")
def pooled(tmp_path_factory, postcode_index):
    """Three neighbouring authorities' synthetic data, pooled, and the figures the analysis layer gives directly."""
    from analysis.placements import add_placement_location, placements_on
    from analysis.regional import figures_by_authority, placement_flows
    from data.england import write_england
    from data.readers import read_folder
    from ui import dataset_choice

    folder = tmp_path_factory.mktemp("pooled3")
    codes = write_england(folder, authorities=3, jobs=1, seed=7)["authorities"]
    files = _uploads(folder)
    at = _run(
        **{
            dataset_choice.KEY_INPUT_FILES: files,
            dataset_choice.KEY_LA: None,
            dataset_choice.KEY_SOURCE: dataset_choice.SOURCE_UPLOAD,
        }
    )
    on = pd.Timestamp(at.session_state["snapshot_date"])
    episodes = add_placement_location(read_folder(folder).episodes, index=postcode_index)
    snap = placements_on(episodes, on)
    return {
        "codes": codes,
        "files": files,
        "at": at,
        "figures": figures_by_authority(snap, total=False),
        "flows": placement_flows(snap),
    }


def test_demo_single_authority_says_what_the_page_needs():
    at = _run()
    text = _texts(at)
    assert at.title[0].value == "Placements across authorities"
    assert "pooled multi-council 903 files" in text and "python -m data.england" in text
    assert "Kent" in text  # names the one authority loaded
    assert SYNTHETIC_BANNER in text and ATTRIBUTION in text
    assert not at.dataframe  # nothing to compare, so no tables


def test_pooled_table_has_one_row_per_authority_plus_totals(pooled):
    at, figures = pooled["at"], pooled["figures"]
    assert SYNTHETIC_BANNER not in _texts(at)
    table = _table(at, "Authority", "Children looked after")
    assert list(table["Authority"]) == [*figures["name"], ALL]
    assert len(figures) == len(pooled["codes"]) == 3
    expected = [f"{n:,}" if n > 5 else "c" for n in figures["children"]]
    assert list(table["Children looked after"].iloc[:-1]) == expected
    assert table["Children looked after"].iloc[-1] == f"{int(figures['children'].sum()):,}"
    region = _table(at, "Region", "Children looked after")
    assert list(region["Region"]) == [*sorted(set(figures["region"])), ALL]
    for frame in at.dataframe:
        assert not child_data_columns(frame.value.columns)
    keys = {b.key for b in at.get("download_button")}
    assert {
        "csv-placements_by_authority.csv",
        "csv-placements_by_region.csv",
        "csv-net_placements_by_authority.csv",
        "csv-childrens_homes_supply.csv",
    } <= keys


def test_no_count_of_1_to_5_children_is_shown(pooled):
    at = pooled["at"]
    hidden = 0
    for frame in at.dataframe:
        table = frame.value.astype(str)
        for column in table.columns:
            if column in NOT_CHILD_COUNTS:
                continue
            assert not table[column].isin(SMALL).any(), (column, table[column].tolist())
            hidden += int((table[column] == "c").sum())
    assert hidden > 0  # three small authorities do have pairs of 1-5: they are there, as "c"
    tips = _tips(at)
    assert tips and not any(re.search(r"children placed: [1-5]\b", t) for t in tips)


def test_flow_map_draws_the_biggest_pairs_between_authorities(pooled):
    script = _map_script(pooled["at"])
    assert "Placements between authorities" in script and "Net flow by authority" in script
    assert "openstreetmap" not in script  # offline by default
    flows = pooled["flows"]
    # Pairs hidden to protect a small one in the same row or column (suppress_crosstab) are not drawn.
    shown = suppress_crosstab(flows, row="from_code", column="to_code", count="children").cells
    drawn = flows[(flows["children"] > 5) & (shown != "c")]
    assert 0 < len(drawn) < int((flows["children"] > 5).sum())
    pairs = {t.split("<br>")[0]: t.split("<br>")[1] for t in _tips(pooled["at"])}
    assert pairs == {f"{r.from_name} &rarr; {r.to_name}": f"children placed: {r.children}" for r in drawn.itertuples()}
    assert f"Drawn: {len(drawn):,} pairs of authorities" in _texts(pooled["at"])


def test_picking_one_authority_focuses_tiles_flows_and_net(pooled):
    from ui import dataset_choice

    at = _run(
        **{
            dataset_choice.KEY_INPUT_FILES: pooled["files"],
            dataset_choice.KEY_LA: None,
            dataset_choice.KEY_SOURCE: dataset_choice.SOURCE_UPLOAD,
        }
    )
    figures, flows = pooled["figures"], pooled["flows"]
    busiest = figures.sort_values("children").iloc[-1]
    at.selectbox(key="regional_focus").set_value(busiest["code"]).run()
    assert not at.exception, [e.value for e in at.exception]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Children looked after"] == f"{int(busiest['children']):,}"
    out = _table(at, "Placed in", "Children")
    mine = flows[flows["from_code"] == busiest["code"]]
    shown = out[out["Placed in"] != "All"]
    assert set(shown["Placed in"]) == set(mine["to_name"])
    texts = suppress_crosstab(flows, row="from_code", column="to_code", count="children").cells
    big = mine[texts.reindex(mine.index) != "c"]
    assert out.loc[out["Placed in"] == "All", "Children"].tolist() == [
        suppress_crosstab(flows, row="from_code", column="to_code", count="children").rows[busiest["code"]]
    ]
    assert dict(zip(big["to_name"], big["children"].map("{:,}".format))) == dict(
        zip(shown.loc[shown["Children"] != "c", "Placed in"], shown.loc[shown["Children"] != "c", "Children"])
    )
    net = _table(at, "Authority", "Net (in - out)")
    assert list(net["Authority"]) == [busiest["name"]]
    mine_or_in = flows[
        ((flows["from_code"] == busiest["code"]) | (flows["to_code"] == busiest["code"]))
        & (flows["children"] > 5)
        & (texts != "c")
    ]
    assert {t.split("<br>")[0] for t in _tips(at)} == {
        f"{r.from_name} &rarr; {r.to_name}" for r in mine_or_in.itertuples()
    }


def test_one_authority_chosen_on_the_data_page_still_measures_each_row_from_its_own(pooled):
    from ui import dataset_choice

    at = _run(
        **{
            dataset_choice.KEY_INPUT_FILES: pooled["files"],
            dataset_choice.KEY_LA: pooled["codes"][0],
            dataset_choice.KEY_SOURCE: dataset_choice.SOURCE_UPLOAD,
        }
    )
    table = _table(at, "Authority", "Children looked after")
    first = pooled["at"]
    assert table.equals(_table(first, "Authority", "Children looked after"))
    assert "measures every child from the authority named on their own row" in _texts(at)


def test_missing_figures_per_authority_and_region_are_disclosure_controlled(pooled):
    at = pooled["at"]
    table = _table(at, "Authority", "Children who went missing")
    names = list(pooled["figures"]["name"])
    assert list(table["Authority"]) == [*names, ALL]
    region = _table(at, "Region", "Children who went missing")
    assert list(region["Region"]) == ["North East", ALL]
    for column in ("Children who went missing", "Missing episodes", "RHI offered within 72 h"):
        assert not table[column].astype(str).isin(SMALL).any()
    # Child ids repeat across the three authorities: the total row is still the sum of the rows.
    shown = table["Missing episodes"].iloc[:-1]
    if not shown.eq("c").any():
        assert int(table["Missing episodes"].iloc[-1].replace(",", "")) == sum(int(v.replace(",", "")) for v in shown)
    keys = {b.key for b in at.get("download_button")}
    assert {"csv-missing_by_authority.csv", "csv-missing_by_region.csv"} <= keys


def test_missing_page_area_choice_narrows_to_one_authority(pooled):
    from analysis.areas import area_label

    at = pooled["at"]
    at.switch_page("app_pages/missing.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    area = at.selectbox(key="missing_area")
    assert area.options[0] == ALL and "North East (region)" in area.options
    everyone = {m.label: m.value for m in at.metric}
    counts = []
    for code in pooled["codes"]:
        area.set_value(code)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        tiles = {m.label: m.value for m in at.metric}
        assert area_label(code) in " ".join(c.value for c in at.caption)
        counts.append(int(tiles["Episodes"].replace(",", "")))
        area = at.selectbox(key="missing_area")
    # Each authority's episodes are its own: together they are all the episodes loaded.
    assert all(n > 0 for n in counts) and sum(counts) == int(everyone["Episodes"].replace(",", ""))


def test_sidebar_says_figures_are_measured_from_each_childs_own_authority(pooled):
    captions = [c.value for c in pooled["at"].sidebar.caption]
    assert "Responsible authority: each child's own (3 authorities loaded)" in captions


def test_data_page_does_not_call_pooled_files_authority_unknown(pooled):
    """Pooled files name each child's authority in their LA column: the Data page says so, rather than "the
    responsible authority is not known" beside distances it did measure."""
    from ui import dataset_choice

    at = _run(
        **{
            dataset_choice.KEY_INPUT_FILES: pooled["files"],
            dataset_choice.KEY_LA: None,
            dataset_choice.KEY_SOURCE: dataset_choice.SOURCE_UPLOAD,
        }
    )
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any("responsible authority is not known" in w.value for w in at.warning)
    assert any(
        "Pooled files: each child's responsible authority is taken from the files' LA column (3 authorities)" in i.value
        for i in at.info
    )

"""The Missing page's "Where children are found" section with AppTest, on the committed Kent demo."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.test_app_missing import _demo_episodes, _run

KEY_OPEN = "missing_found"


@pytest.fixture(scope="module", autouse=True)
def _local_state(tmp_path_factory):
    """Pseudonym key and store (where places of concern are kept) of our own, not the project's local/ folder."""
    folder = tmp_path_factory.mktemp("where-found")
    mp = pytest.MonkeyPatch()
    mp.setenv("CARE_MAP_SECRET_FILE", str(folder / "secret.key"))
    mp.setenv("CARE_MAP_DATABASE_URL", f"sqlite:///{folder / 'store.sqlite'}")
    yield
    mp.undo()


def _table(at, column):
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(tables) == 1, column
    return tables[0]


def test_closed_section_computes_nothing():
    at = _run()
    assert not [d for d in at.dataframe if "Which episodes" in d.value.columns]


def test_figures_links_and_a_place_of_concern_marked_by_the_analyst():
    from analysis.found import found_figures

    at = _run(**{KEY_OPEN: True})
    figures = _table(at, "Which episodes")
    expected = found_figures(_demo_episodes())
    assert figures["Which episodes"].tolist() == expected["group"].tolist()
    assert figures["Episodes"].tolist() == expected["episodes"].tolist()
    assert figures["% over 20 miles (of distance known)"].tolist() == pytest.approx(
        expected["pct_over_20_miles"].tolist()
    )
    where = _table(at, "Found in")
    assert where.iloc[0]["Found in"] == "Kent"
    links = _table(at, "Their episodes at the first")
    assert (links["Children at both"].diff().dropna() <= 0).all()  # strongest first
    assert any("journeys drawn" in c.value for c in at.caption)

    at.radio(key="where_found_mark_what").set_value("a postcode")
    at.text_input(key="where_found_mark_postcode").input("ct9 1aa")
    at.text_input(key="where_found_mark_note").input("<script>alert(1)</script> seen with older males")
    next(b for b in at.button if b.label == "Mark as a place of concern").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    places = _table(at, "Marked by")
    assert places["Place"].tolist() == ["CT9 1AA"]
    # The journeys map is drawn again with the mark, its note escaped (analyst view).
    scripts = [
        json.loads(e.proto.json_args)["script"] for e in at.main if getattr(e, "type", "") == "component_instance"
    ]
    journeys_script = next(s for s in scripts if "Journeys: where missing from" in s)
    assert "Places of concern (1)" in journeys_script and "<script>alert(1)" not in journeys_script
    assert places["Note"].tolist() == ["<script>alert(1)</script> seen with older males"]  # text, shown as text

    # The chosen hotspot (the biggest) marked as well: its profile here says so.
    at.radio(key="where_found_mark_what").set_value("the chosen hotspot")
    next(b for b in at.button if b.label == "Mark as a place of concern").click()
    at.run()
    chosen = at.selectbox(key="missing_hotspot").value
    assert any(c.value.startswith(f"{chosen}. ") and "holds a place of concern" in c.value for c in at.caption)
    assert _table(at, "Marked by")["Place"].tolist() == ["CT9 1AA", f"Hotspot {chosen}"]
    next(b for b in at.button if b.label == "Remove").click()  # the first mark, CT9 1AA
    at.run()

    at.radio(key="where_found_mark_what").set_value("a postcode")
    at.text_input(key="where_found_mark_postcode").input("ZZ9 9ZZ")
    next(b for b in at.button if b.label == "Mark as a place of concern").click()
    at.run()
    assert any("not found" in e.value for e in at.error)
    assert _table(at, "Marked by")["Place"].tolist() == [f"Hotspot {chosen}"]

    at.button(key="where_found_unmark").click()
    at.run()
    assert not at.exception
    assert not [d for d in at.dataframe if "Marked by" in d.value.columns]


def test_regional_mode_shows_children_of_other_authorities_found_here(tmp_path_factory, postcode_index):
    from analysis.found import found_from_elsewhere
    from analysis.missing import missing_episodes
    from data.england import write_england
    from data.readers import InputFile, read_folder
    from geo.authorities import resolve_authority
    from ui import dataset_choice

    folder = tmp_path_factory.mktemp("pooled3-found")
    codes = write_england(folder, authorities=3, jobs=1, seed=7)["authorities"]
    # Twelve episodes of each of the other two authorities' children found at a postcode in the first.
    here = codes[0]
    log_path = folder / "missing_log.csv"
    log = pd.read_csv(log_path, dtype=str, keep_default_na=False)
    inside = postcode_index.units_in(here)["postcode"].iloc[:12].tolist()
    for code in codes[1:]:
        rows = log.index[log["LA"] == resolve_authority(code).name][:12]
        log.loc[rows, "FOUND_POST"] = inside[: len(rows)]
        log.loc[rows, ["FOUND_LAT", "FOUND_LON"]] = ""
    log.to_csv(log_path, index=False)
    files = [InputFile(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]
    everyone = missing_episodes(read_folder(folder), index=postcode_index)
    expected = found_from_elsewhere(everyone, here)
    assert set(expected["LA_CODE"]) == set(codes[1:]) and (expected["episodes"] >= 12).all()
    at = _run(
        **{
            dataset_choice.KEY_INPUT_FILES: files,
            dataset_choice.KEY_LA: None,
            dataset_choice.KEY_SOURCE: dataset_choice.SOURCE_UPLOAD,
            "missing_area": here,
            KEY_OPEN: True,
        }
    )
    assert any(m.value.startswith("**Children of other authorities found in") for m in at.markdown)
    table = _table(at, "Responsible authority")
    assert table["Responsible authority"].tolist() == expected["authority"].tolist()
    assert table["Episodes"].tolist() == expected["episodes"].tolist()

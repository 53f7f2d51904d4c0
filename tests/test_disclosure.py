"""Disclosure control: no count 1-5 is shown, totals cannot give one back, pseudonyms behave."""

from __future__ import annotations

import itertools
import os
import stat

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import MultiPoint, Point, box

from analysis.disclosure import (
    SUPPRESSED,
    check_no_child_data,
    installation_key,
    is_safe,
    pseudonymise,
    safe_map_layer,
    suppress_counts,
    suppress_table,
)


def _table_with_totals(rows: list[list[int]]) -> pd.DataFrame:
    cols = [f"C{i}" for i in range(len(rows[0]))]
    frame = pd.DataFrame(rows, columns=cols, index=[f"R{i}" for i in range(len(rows))])
    frame["TOTAL"] = frame[cols].sum(axis=1)
    frame.loc["Total"] = frame.sum()
    return frame


def _recoverable(original: pd.DataFrame, shown: pd.DataFrame, count_cols, total_col="TOTAL") -> list:
    """Suppressed cells a reader could work out as total minus the shown cells of one line."""
    found = []
    data_rows = [r for r in shown.index if r != "Total"]
    lines = [[(r, c) for c in count_cols] + [(r, total_col)] for r in shown.index]
    lines += [[(r, c) for r in data_rows] + [("Total", c)] for c in [*count_cols, total_col]]
    for line in lines:
        hidden = [cell for cell in line if shown.loc[cell] == SUPPRESSED]
        if len(hidden) == 1:
            found.append(hidden[0])
    return found


def test_suppress_counts_hides_one_to_five_and_keeps_zero():
    shown = suppress_counts(pd.Series([0, 1, 2, 3, 4, 5, 6, 7, None], name="n"))
    assert shown.tolist() == ["0", "c", "c", "c", "c", "c", "6", "7", "x"]
    assert shown.dtype == object


@pytest.mark.parametrize("seed", range(25))
def test_no_small_count_and_no_recoverable_cell_in_random_tables(seed):
    rng = np.random.default_rng(seed)
    rows = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 12, 30], size=(rng.integers(2, 6), rng.integers(2, 5))).tolist()
    table = _table_with_totals(rows)
    counts = [c for c in table.columns if c != "TOTAL"]
    shown = suppress_table(table, counts, total_row="Total", total_columns=["TOTAL"])
    assert is_safe(shown, counts + ["TOTAL"])
    assert is_safe(shown, counts, total_row="Total", total_columns=["TOTAL"])
    assert _recoverable(table, shown, counts) == []
    # Every shown number is the true number: suppression never alters what it leaves visible.
    for r, c in itertools.product(table.index, table.columns):
        if shown.loc[r, c] != SUPPRESSED:
            assert shown.loc[r, c] == str(int(table.loc[r, c]))


def test_secondary_suppression_hides_a_second_cell_in_the_row():
    table = pd.DataFrame({"FOSTER": [3, 40], "HOMES": [20, 9], "OTHER": [11, 8]}, index=["Kent", "Medway"])
    table["TOTAL"] = table.sum(axis=1)
    shown = suppress_table(table, ["FOSTER", "HOMES", "OTHER"], total_columns=["TOTAL"])
    assert shown.loc["Kent", "FOSTER"] == "c"
    # Without a second suppression 34 - 20 - 11 would give the 3 back.
    assert (shown.loc["Kent", ["FOSTER", "HOMES", "OTHER"]] == "c").sum() == 2
    assert shown.loc["Kent", "OTHER"] == "c"  # the smallest other cell is the one hidden
    assert shown.loc["Kent", "TOTAL"] == "34"
    assert shown.loc["Medway"].tolist() == ["40", "9", "8", "57"]


def test_secondary_suppression_in_columns_with_a_total_row():
    table = pd.DataFrame({"EPISODES": [1, 7, 20, 28]}, index=["A", "B", "C", "Total"])
    shown = suppress_table(table, ["EPISODES"], total_row="Total")
    assert shown["EPISODES"].tolist() == ["c", "c", "20", "28"]


def test_percentages_on_suppressed_counts_are_suppressed():
    table = pd.DataFrame({"CSE": [4, 12, 16], "EPISODES": [30, 3, 33]}, index=["Hotspot 1", "Hotspot 2", "Total"])
    table["CSE_PCT"] = 100 * table["CSE"] / table["EPISODES"]
    shown = suppress_table(table, ["CSE"], total_row="Total", percent_columns={"CSE_PCT": "CSE/EPISODES"})
    # Hotspot 1: numerator 4 is small. Hotspot 2: denominator 3 is small (12/3 would give it away).
    assert shown["CSE_PCT"].tolist()[:2] == ["c", "c"]
    assert shown.loc["Total", "CSE_PCT"] == "48.5"
    assert shown.loc["Hotspot 2", "EPISODES"] == "c"
    assert is_safe(shown, ["CSE", "EPISODES"])


def test_is_safe_detects_small_numbers_and_child_columns():
    assert not is_safe(pd.DataFrame({"n": [3]}))
    assert not is_safe(pd.DataFrame({"n": ["4"]}))
    assert is_safe(pd.DataFrame({"band": ["0-5", "5-10"], "n": ["c", "12"]}))
    assert not is_safe(pd.DataFrame({"CHILD": ["A1"], "n": ["12"]}))


def test_check_no_child_data_refuses_postcodes_and_notes():
    with pytest.raises(ValueError):
        check_no_child_data(pd.DataFrame({"NOTES": ["seen at the park"]}))
    with pytest.raises(ValueError, match="postcodes"):
        check_no_child_data(pd.DataFrame({"area": ["ME14 1XX"]}))
    check_no_child_data(pd.DataFrame({"SECTOR": ["ME14 1"], "CHILDREN": [12]}))


def _areas(counts):
    return gpd.GeoDataFrame(
        {"AREA": [f"A{i}" for i in range(len(counts))], "EPISODES": counts},
        geometry=[box(i * 1000, 0, i * 1000 + 900, 900) for i in range(len(counts))],
        crs="EPSG:27700",
    )


def test_safe_map_layer_drops_small_areas_by_default():
    layer = safe_map_layer(_areas([0, 1, 5, 6, 40]), "EPISODES")
    assert layer["AREA"].tolist() == ["A0", "A3", "A4"]
    assert layer["EPISODES"].tolist() == ["0", "6", "40"]
    assert layer.crs.to_epsg() == 27700


def test_safe_map_layer_can_show_small_areas_as_c():
    layer = safe_map_layer(_areas([2, 9]), "EPISODES", small="c")
    assert layer["EPISODES"].tolist() == ["c", "9"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: gpd.GeoDataFrame({"EPISODES": [9]}, geometry=[Point(0, 0)], crs="EPSG:27700"),
        lambda: gpd.GeoDataFrame({"EPISODES": [9]}, geometry=[MultiPoint([(0, 0), (1, 1)])], crs="EPSG:27700"),
        lambda: _areas([9]).assign(CHILD="C1"),
        lambda: _areas([9]).assign(HOME_POST="ME14 1XX"),
        lambda: _areas([9]).assign(NOTES="x"),
        lambda: _areas([9]).assign(LABEL="ME14 1XX"),
    ],
)
def test_safe_map_layer_refuses_points_and_child_data(make):
    with pytest.raises(ValueError):
        safe_map_layer(make(), "EPISODES")


def test_pseudonyms_are_stable_distinct_and_key_dependent():
    key_a, key_b = b"a" * 32, b"b" * 32
    ids = pd.Series(["1001", "1002", "1001", None], index=[10, 11, 12, 13])
    first = pseudonymise(ids, key=key_a)
    again = pseudonymise(ids, key=key_a)
    other = pseudonymise(ids, key=key_b)
    assert first.equals(again)
    assert first.index.tolist() == [10, 11, 12, 13]
    assert first[10] == first[12] != first[11]
    assert first[13] is None
    assert first[10] != other[10]
    assert all(p.startswith("P-") and len(p) == 12 and "1001" not in p for p in first.dropna())
    many = pseudonymise([str(i) for i in range(20000)], key=key_a)
    assert many.nunique() == 20000


def test_pseudonymise_refuses_a_missing_or_weak_key():
    with pytest.raises(ValueError):
        pseudonymise(["1"], key=b"")


def test_installation_key_is_created_once_private_and_reused(tmp_path, monkeypatch):
    path = tmp_path / "local" / "secret.key"
    monkeypatch.setenv("CARE_MAP_SECRET_FILE", str(path))
    key = installation_key()
    assert len(key) == 32 and path.exists()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert installation_key() == key == installation_key(path)
    assert installation_key(tmp_path / "other.key") != key


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n_cols: st.lists(st.lists(st.integers(0, 9), min_size=n_cols, max_size=n_cols), min_size=1, max_size=5)
    )
)
def test_property_no_recoverable_small_cell(rows):
    table = _table_with_totals(rows)
    counts = [c for c in table.columns if c != "TOTAL"]
    shown = suppress_table(table, counts, total_row="Total", total_columns=["TOTAL"])
    assert is_safe(shown, counts + ["TOTAL"])
    assert _recoverable(table, shown, counts) == []

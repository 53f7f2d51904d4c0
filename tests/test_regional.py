"""Multi-authority figures on pooled data: three neighbouring authorities' synthetic demo, pooled."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import regional as R
from analysis.placements import add_placement_location, headline_figures, placements_on
from data.readers import read_folder

SNAPSHOT_DATE = "2026-03-31"


@pytest.fixture(scope="module")
def pooled(tmp_path_factory, postcode_index):
    from data.england import write_england

    folder = tmp_path_factory.mktemp("pooled3")
    summary = write_england(folder, authorities=3, jobs=1, seed=7)
    dataset = read_folder(folder)
    episodes = add_placement_location(dataset.episodes, index=postcode_index)
    return {"codes": summary["authorities"], "dataset": dataset, "snapshot": placements_on(episodes, SNAPSHOT_DATE)}


def test_figures_per_authority_match_headline_figures_of_each_authority_alone(pooled):
    snap = pooled["snapshot"]
    table = R.figures_by_authority(snap)
    assert list(table["code"][:-1]) and set(table["code"][:-1]) == set(pooled["codes"])
    assert table["region"][:-1].eq("North East").all()
    for row in table.itertuples(index=False):
        part = snap if row.code == "" else snap[snap["LA_CODE"] == row.code]
        head = headline_figures(part).set_index("measure")
        assert row.children == len(part) > 0
        assert row.over_20_miles == head.loc["placed over 20 miles from home", "count"]
        assert row.percent_outside == head.loc["placed outside the authority", "percent"]
        assert row.at_a_distance == head.loc["placed at a distance", "count"]
        assert row.distance_unknown == head.loc["distance unknown", "count"]
        assert row.median_miles == pytest.approx(head.loc["median miles from home", "value"])
    assert table.iloc[-1]["name"] == R.ALL_ENGLAND
    assert table.iloc[-1]["children"] == table["children"][:-1].sum()


def test_region_median_is_of_children_not_of_authority_medians(pooled):
    snap = pooled["snapshot"]
    regions = R.figures_by_region(snap).set_index("region")
    north_east = regions.loc["North East"]
    assert north_east["authorities"] == 3
    assert north_east["children"] == len(snap)
    assert north_east["median_miles"] == pytest.approx(np.nanmedian(snap["PL_DISTANCE"].to_numpy(float)))
    assert north_east["outside"] == (snap["PL_LOCATION"] == "OUT").sum()


def test_flows_sum_to_the_children_placed_out_with_a_known_placing_authority(pooled):
    snap = pooled["snapshot"]
    flows = R.placement_flows(snap)
    assert (flows["from_code"] != flows["to_code"]).all() and (flows["children"] > 0).all()
    out = snap[(snap["PL_LOCATION"] == "OUT") & (snap["PL_LA"] != "")]
    assert flows["children"].sum() == len(out) > 50
    per_authority = flows.groupby("from_code")["children"].sum()
    assert per_authority.to_dict() == out.groupby("LA_CODE").size().to_dict()
    # Real adjacency: Darlington borders County Durham; neither borders Wiltshire.
    pair = flows[(flows["from_code"] == "E06000005") & (flows["to_code"] == "E06000047")]
    assert pair["adjoining"].tolist() == ["Y"]
    far = flows[~flows["to_region"].isin(["North East", "Yorkshire and The Humber"])]
    assert far.empty or (far["adjoining"] == "N").all()
    within = R.placement_flows(snap, include_within=True)
    assert within["children"].sum() == len(snap[(snap["PL_LA"] != "")])


def test_net_flows_balance_and_count_each_flow_once_each_way(pooled):
    flows = R.placement_flows(pooled["snapshot"])
    net = R.net_flows(flows)
    assert net["net"].sum() == 0
    assert net["placed_out"].sum() == net["placed_in"].sum() == flows["children"].sum()
    assert set(net.loc[net["loaded"], "code"]) == set(pooled["codes"])
    assert (net.loc[~net["loaded"], "placed_out"] == 0).all()
    # Among the loaded authorities only, every one is both a sender and a receiver: a closed system.
    codes = pooled["codes"]
    closed = R.net_flows(flows[flows["to_code"].isin(codes)], loaded=codes)
    assert set(closed["code"]) == set(codes) and closed["net"].sum() == 0
    for row in closed.itertuples(index=False):
        assert row.placed_in == flows[(flows["to_code"] == row.code) & flows["from_code"].isin(codes)]["children"].sum()
        assert row.balance == ("net importer" if row.net > 0 else "net exporter" if row.net < 0 else "balanced")


def test_homes_supply_counts_homes_places_and_children_in_homes(pooled, postcode_index):
    snap, homes = pooled["snapshot"], pooled["dataset"].homes
    supply = R.homes_supply(homes, snap).set_index("code")
    located = postcode_index.lookup(homes["POSTCODE"].astype(str))["la_code"].fillna("").to_numpy()
    places = pd.to_numeric(homes["PLACES"], errors="coerce").fillna(0).to_numpy()
    in_homes = snap[snap["PLACE"].isin(["K1", "K2"])]
    for code in pooled["codes"]:
        assert supply.loc[code, "homes"] == (located == code).sum()
        assert supply.loc[code, "places"] == places[located == code].sum()
        assert supply.loc[code, "own_children_in_homes"] == (in_homes["LA_CODE"] == code).sum()
        assert (
            supply.loc[code, "own_in_own_area"] == ((in_homes["LA_CODE"] == code) & (in_homes["PL_LA"] == code)).sum()
        )
    assert supply["own_children_in_homes"].sum() == len(in_homes) > 0
    assert supply["children_in_homes_here"].sum() == (in_homes["PL_LA"] != "").sum()
    assert (supply["from_own"] + supply["from_other_authorities"] == supply["children_in_homes_here"]).all()
    sources = R.home_sources(snap)
    assert sources["children"].sum() == supply["children_in_homes_here"].sum()
    # Names only, never a count, in the free-text column.
    assert not supply["main_other_sources"].str.contains(r"\d").any()


def test_london_pooled_fixture_gives_one_row_per_borough(fixtures_dir, postcode_index):
    dataset = read_folder(fixtures_dir / "cs-demand-model-regional")
    episodes = add_placement_location(dataset.episodes, index=postcode_index)
    snap = placements_on(episodes, "2020-03-31")
    table = R.figures_by_authority(snap, total=False)
    boroughs = set(dataset.episodes["LA_CODE"].dropna())
    assert set(table["code"]) == set(snap["LA_CODE"]) and set(table["code"]) <= boroughs
    assert (table["region"] == "London").all()
    assert table["children"].sum() == len(snap) > 0
    # The fixture's postcodes are mostly random strings: most distances are unknown, and the figures say so.
    assert table["distance_unknown"].sum() > 0.5 * len(snap)
    out = snap[(snap["PL_LOCATION"] == "OUT") & (snap["PL_LA"] != "")]
    assert R.placement_flows(snap)["children"].sum() == len(out)


def test_missing_columns_are_a_clear_error(pooled):
    with pytest.raises(ValueError, match="LA_CODE"):
        R.figures_by_authority(pooled["snapshot"].drop(columns=["LA_CODE"]))


def test_missing_figures_per_authority_match_the_missing_page_measures(pooled, postcode_index):
    from analysis.missing import missing_episodes, return_interviews, summarise_missing

    dataset = pooled["dataset"]
    located = add_placement_location(dataset.episodes, index=postcode_index)
    episodes = missing_episodes(dataset, episodes=located, index=postcode_index)
    start, end = pd.Timestamp("2025-04-01"), pd.Timestamp("2026-03-31")
    looked_after = R.children_looked_after_by_authority(located, start, end)
    assert set(looked_after.index) == set(pooled["codes"])
    table = R.missing_figures(episodes, looked_after)
    assert list(table.columns) == ["code", "name", "region", *R.MISSING_COLUMNS]
    assert table.iloc[-1]["name"] == R.ALL_ENGLAND
    for row in table.itertuples(index=False):
        part = episodes if row.code == "" else episodes[episodes["LA_CODE"] == row.code]
        summary = summarise_missing(part, children_looked_after=row.children_looked_after, kind="missing").set_index(
            "measure"
        )["value"]
        assert row.children_missing == summary["children with an episode"]
        assert row.missing_episodes == summary["episodes"]
        assert row.percent_missing == pytest.approx(summary["% of children looked after with an episode"])
        rhi = return_interviews(part).set_index("group").loc["all"]
        assert (row.returned, row.rhi_offered_within) == (rhi["returned"], rhi["offered_within"])
        away = part[part["MISSING"] == "A"]
        assert (row.children_away, row.away_episodes) == (away["CHILD"].nunique(), len(away))
    body, total = table.iloc[:-1], table.iloc[-1]
    # Child ids repeat across the pooled authorities: the total still counts every child once per authority.
    for column in ("children_looked_after", "children_missing", "missing_episodes", "repeat_children"):
        assert total[column] == body[column].sum() > 0, column
    regions = R.missing_figures(episodes, looked_after, by="region")
    assert list(regions["region"]) == ["North East", R.ALL_ENGLAND]
    assert regions.iloc[0]["authorities"] == 3
    assert regions.iloc[0][R.MISSING_COLUMNS].equals(regions.iloc[1][R.MISSING_COLUMNS])


def test_areas_choose_all_a_region_or_one_authority():
    from analysis.areas import AREA_ALL, area_choices, area_label, in_area

    codes = pd.Series(["E10000016", "E06000035", "E09000033", "E10000016", "", None])
    choices = area_choices(codes)
    assert choices == [AREA_ALL, "region:London", "region:South East", "E10000016", "E06000035", "E09000033"]
    assert [area_label(c) for c in choices[:4]] == [
        "All authorities loaded",
        "London (region)",
        "South East (region)",
        "Kent",
    ]
    assert in_area(codes, "region:South East").tolist() == [True, True, False, True, False, False]
    assert in_area(codes, "E09000033").tolist() == [False, False, True, False, False, False]
    assert in_area(codes, AREA_ALL).all()
    assert area_choices(["E10000016", "E10000016"]) == []  # one authority: nothing to choose

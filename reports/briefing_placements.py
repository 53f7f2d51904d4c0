"""Corporate parenting panel sections: placement distances on the period's last day, where children are
placed, placements by type and provider, their costs, and children's homes.

Figures follow :mod:`analysis.placements` and :mod:`analysis.homes` (the DfE's distance method); every
count, and every cost or share that would give a count back, goes through :mod:`analysis.disclosure`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import disclosure
from analysis.disclosure import NOT_AVAILABLE, SUPPRESSED, suppress_table
from analysis.homes import home_usage, homes_from_register, infer_homes
from analysis.placements import (
    GROUP_SECURE,
    headline_figures,
    placement_costs,
    summarise_placements,
)
from data.schemas import GROUP_RESIDENTIAL
from geo.boundaries import authority_boundaries
from reports.briefing_context import BriefingContext
from reports.measures import Measure, count_text, is_small_count
from reports.pack import Block, FigureBlock, Section, TableBlock, TextBlock
from reports.sections import NoData, suppressed_with_total, with_headings
from reports.static_map import area_map_png

__all__ = [
    "placement_headline_section",
    "placement_map_section",
    "placement_tables_section",
    "costs_section",
    "homes_section",
]


def placement_headline_section(ctx: BriefingContext) -> Section:
    if ctx.dataset.episodes.empty:
        raise NoData("no 903 episodes were loaded.")
    head = headline_figures(ctx.snapshot())
    is_median = head["measure"].str.startswith("median").to_numpy()
    counts = head[~is_median].reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "Measure": [m[:1].upper() + m[1:] for m in counts["measure"]],
            "count": counts["count"].astype(int).to_numpy(),
            "denominator": counts["denominator"].astype(int).to_numpy(),
            "percent": counts["percent"].astype(float).to_numpy(),
            "Definition": counts["definition"].astype(str).to_numpy(),
        }
    )
    shown = suppress_table(frame, ["count"], percent_columns={"percent": "count/denominator"})
    if is_median.any():
        row = head[is_median].iloc[0]
        median = Measure("", "median", None, row["count"], row["value"])
        shown = pd.concat(
            [
                shown,
                pd.DataFrame(
                    [
                        {
                            "Measure": "Median miles from home (children whose distance is known)",
                            "count": median.shown(),
                            "denominator": count_text(row["count"]),
                            "percent": "",
                            "Definition": str(row["definition"]),
                        }
                    ],
                    dtype=object,
                ),
            ],
            ignore_index=True,
        )
    day = f"{ctx.period[1]:%d %B %Y}"
    names = {
        "Measure": "Measure",
        "count": "Number (miles for the median)",
        "percent": "% of children looked after",
        "denominator": "Out of",
        "Definition": "Definition",
    }
    return Section(
        "Placement distance: headline figures",
        [
            TableBlock(
                f"Children looked after on {day}",
                with_headings(shown, names),
                "straight-line distance between home and placement postcodes (DfE method); 20 miles is the DfE's "
                "statistical measure, not the legal test",
                f"snapshot on {day}",
                "all children looked after on the day",
                ["Number (miles for the median)", "Out of"],
            )
        ],
    )


def placement_map_section(ctx: BriefingContext) -> Section:
    if ctx.dataset.episodes.empty:
        raise NoData("no 903 episodes were loaded.")
    snap = ctx.snapshot()
    per_la = snap["PL_LA"].astype(object).value_counts()
    areas = authority_boundaries()[["code", "name", "geometry"]].copy()
    areas["children"] = areas["code"].map(per_la).fillna(0).astype(int)
    layer = disclosure.safe_map_layer(areas[areas["children"] > 0], "children", small="c")
    own = areas[areas["code"] == ctx.la_code]
    png = area_map_png(layer, "children", authority=own, legend="children placed")
    day = f"{ctx.period[1]:%d %B %Y}"
    outside_england = int((~snap["PL_LA"].astype(object).isin(list(areas["code"])) & snap["PL_LA"].notna()).sum())
    return Section(
        "Where our children are placed",
        [
            FigureBlock(
                "Children looked after by the authority they are placed in",
                png,
                "placing authority from the placement postcode; hatched grey: 1-5 children (c); our authority outlined "
                f"in red. Placements outside England (not drawn): {count_text(outside_england)}",
                f"snapshot on {day}",
                "children looked after on the day whose placement area is known",
            ),
        ],
    )


def placement_tables_section(ctx: BriefingContext) -> Section:
    if ctx.dataset.episodes.empty:
        raise NoData("no 903 episodes were loaded.")
    snap = ctx.snapshot()
    day = f"{ctx.period[1]:%d %B %Y}"
    blocks: list[Block] = []
    names = {
        "children": "Children",
        "outside": "Outside the authority",
        "percent_outside": "% outside",
        "over_20_miles": "Over 20 miles",
        "percent_over_20_miles": "% over 20 miles",
        "median_miles": "Median miles",
        "distance_unknown": "Distance unknown",
    }
    for by, label in (("PLACEMENT_GROUP", "Placement type"), ("PROVIDER_GROUP", "Provider")):
        table = summarise_placements(snap, by=by)
        counts = ["children", "outside", "over_20_miles", "distance_unknown"]
        frame = table.assign(**{by: table[by].astype(str)}).set_index(by, drop=False)
        frame.index = frame.index.astype(str)
        shown = suppress_table(
            frame,
            counts,
            total_row="All",
            percent_columns={"percent_outside": "outside/children", "percent_over_20_miles": "over_20_miles/children"},
        )
        shown["median_miles"] = [
            SUPPRESSED if (c == SUPPRESSED or is_small_count(n)) else (NOT_AVAILABLE if pd.isna(m) else f"{m:.1f}")
            for c, n, m in zip(shown["children"], table["children"], table["median_miles"])
        ]
        shown = shown.reset_index(drop=True)
        blocks.append(
            TableBlock(
                f"By {label.lower()}",
                with_headings(shown, {by: label, **names}),
                "percentages are of all children in the row, unknown distances included; median of known distances",
                f"snapshot on {day}",
                "children looked after on the day",
                ["Children", "Outside the authority", "Over 20 miles", "Distance unknown"],
            )
        )
    return Section("Placements by type and provider", blocks)


_FOLDED = " (secure homes included)"


def _merge_small_secure(table: pd.DataFrame) -> pd.DataFrame:
    """Fold secure children's homes back into their placement group when they hold 1-5 children.

    The placement-type table counts secure homes within "Children's homes and secure"; a separate
    suppressed secure row here would be that count minus this table's children's homes row.
    """
    names = table["PLACEMENT_GROUP"].astype(str)
    secure, residential = names == GROUP_SECURE, names == GROUP_RESIDENTIAL
    if not secure.any() or not residential.any() or not is_small_count(table.loc[secure, "children"].iloc[0]):
        return table
    out = table.copy()
    i, j = out.index[residential][0], out.index[secure][0]
    for col in ("children", "weekly_cost", "annual_cost", "percent_of_children", "percent_of_cost"):
        if col in out:
            out.loc[i, col] = out.loc[[i, j], col].sum(min_count=1)
    out.loc[i, "PLACEMENT_GROUP"] = f"{GROUP_RESIDENTIAL}{_FOLDED}"
    return out.drop(index=j).reset_index(drop=True)


def costs_section(ctx: BriefingContext) -> Section:
    if ctx.dataset.episodes.empty:
        raise NoData("no 903 episodes were loaded.")
    own_costs = ctx.dataset.costs is not None and len(ctx.dataset.costs) > 0
    table = placement_costs(ctx.snapshot(), ctx.dataset.costs if own_costs else None)
    table = _merge_small_secure(table)
    frame = table.assign(PLACEMENT_GROUP=table["PLACEMENT_GROUP"].astype(str)).set_index("PLACEMENT_GROUP", drop=False)
    frame.index = frame.index.astype(str)
    shown = suppress_table(frame, ["children"], total_row="All")
    hidden_rows = shown["children"] == SUPPRESSED
    # A group that hides secure homes inside it: at known prices its cost would give their number.
    folded = pd.Series(shown["PLACEMENT_GROUP"].astype(str).str.endswith(_FOLDED).to_numpy(), index=shown.index)
    # The cost of a suppressed group divided by the price per child would give its number back, and the
    # total less the shown groups would give the suppressed groups' cost: hide both.
    any_hidden = bool(hidden_rows.any() or folded.any())
    for col in ("weekly_cost", "annual_cost", "percent_of_cost", "percent_of_children"):
        if col not in table:
            continue
        values = table[col].to_numpy(dtype=float)
        fmt = (lambda v: f"{v:.1f}%") if col.startswith("percent") else (lambda v: f"£{v:,.0f}")
        cells = []
        for i, name in enumerate(table["PLACEMENT_GROUP"].astype(str)):
            hide = hidden_rows.iloc[i] or (
                col != "percent_of_children" and (folded.iloc[i] or (name == "All" and any_hidden))
            )
            # A shown cost and its share of the total give the total back.
            hide = hide or (col == "percent_of_cost" and any_hidden)
            if col == "percent_of_children" and hidden_rows.iloc[i]:
                hide = True
            cells.append(SUPPRESSED if hide else (NOT_AVAILABLE if np.isnan(values[i]) else fmt(values[i])))
        shown[col] = pd.Series(cells, index=shown.index, dtype=object)
    shown = shown.reset_index(drop=True)
    names = {
        "PLACEMENT_GROUP": "Placement group",
        "children": "Children",
        "percent_of_children": "% of children",
        "weekly_cost": "Weekly cost",
        "annual_cost": "Annual cost",
        "percent_of_cost": "% of cost",
    }
    blocks: list[Block] = []
    if not own_costs:
        blocks.append(
            TextBlock(
                "ILLUSTRATIVE COSTS: no cost table was loaded, so round illustrative prices per "
                "child per week are used. Replace them with the authority's own costs."
            )
        )
    if any_hidden:
        blocks.append(
            TextBlock(
                "Some costs are not shown (c): at known prices per child, the cost of a group with "
                "a suppressed number (or with secure homes folded in), or the total less the shown "
                "groups, would give that number back."
            )
        )
    blocks.append(
        TableBlock(
            "Cost of current placements",
            with_headings(shown, names),
            "price per child per week times children in the group on the day; annual = weekly x 52.18; price per "
            "child not shown because with a group's cost it would give its number of children",
            f"snapshot on {ctx.period[1]:%d %B %Y}",
            "children looked after on the day; % of cost of the known total",
            ["Children"],
        )
    )
    return Section("Placement costs", blocks)


def homes_section(ctx: BriefingContext) -> Section:
    if ctx.dataset.episodes.empty and ctx.dataset.homes.empty:
        raise NoData("neither a children's homes register nor 903 episodes were loaded.")
    register = ctx.dataset.homes
    inferred = register is None or register.empty
    homes = infer_homes(ctx.enriched()) if inferred else register
    if homes.empty:
        raise NoData("no children's homes in the register or in the episodes.")
    homes = homes_from_register(homes, ctx.la_code, index=ctx.index)
    usage = home_usage(homes, ctx.snapshot())
    unmatched_row = usage["NAME"] == "Not matched to a listed home"
    unmatched = int(pd.to_numeric(usage.loc[unmatched_row, "OUR_CHILDREN"]).sum())
    usage = usage[~unmatched_row]
    sector = usage["SECTOR"].astype(str).str.upper().replace({"": "Not known", "NAN": "Not known"})
    sector = sector.map({"LA": "Local authority", "PRIVATE": "Private", "VOLUNTARY": "Voluntary"}).fillna(sector)
    within = usage["WITHIN_LA"].astype(str)
    frame = pd.DataFrame(
        {
            "sector": sector.to_numpy(),
            "homes": 1,
            "in_area": (within == "Y").astype(int).to_numpy(),
            "children": pd.to_numeric(usage["OUR_CHILDREN"]).fillna(0).astype(int).to_numpy(),
        }
    )
    grouped = frame.groupby("sector", sort=True).sum().reset_index()
    shown = suppressed_with_total(grouped, "sector", ["homes", "in_area", "children"])
    day = f"{ctx.period[1]:%d %B %Y}"
    source = (
        "inferred from 903 episodes in children's homes (PLACE K1/K2); only homes our children used"
        if inferred
        else "the children's homes register"
    )
    blocks: list[Block] = [
        TableBlock(
            "Children's homes by sector",
            with_headings(
                shown,
                {
                    "sector": "Sector",
                    "homes": "Homes",
                    "in_area": "Homes in our area",
                    "children": "Our children there",
                },
            ),
            f"homes from {source}; our children matched by URN, else placement postcode",
            f"snapshot on {day}",
            "homes listed; children looked after on the day in a children's home",
            ["Homes", "Homes in our area", "Our children there"],
        )
    ]
    blocks.append(TextBlock(f"Children in a children's home not matched to a listed home: {count_text(unmatched)}."))
    return Section("Children's homes", blocks)

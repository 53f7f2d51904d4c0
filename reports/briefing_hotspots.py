"""MASE pack sections on where children were found together: the hotspot map and profiles, emerging hot spots.

A hotspot linked to 1-5 children is not shown at all, nor drawn; the profiles' counts and shares go
through :mod:`analysis.disclosure`. The hotspot section leaves the pack's hotspots on the context for
the links between them (:mod:`reports.briefing_found`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import disclosure
from analysis.disclosure import SMALL_NUMBER_MAX, suppress_table
from analysis.emerging import emerging_hotspots
from analysis.hotspot_names import hotspot_label
from analysis.hotspots import label_and_find_hotspots
from analysis.places_of_concern import flag_hotspots
from data.schemas import PACK_RISK_FLAGS
from geo.boundaries import adjacent_authorities, authority_boundaries
from reports.briefing_context import BriefingContext
from reports.pack import Block, FigureBlock, Section, TableBlock, TextBlock
from reports.sections import NoData, not_available, suppressed_with_total, with_headings
from reports.static_map import outline_map_png

__all__ = ["hotspot_sections", "emerging_section"]


def _authority_shapes(la_code: str):
    """The authority's polygon and its neighbours' (EPSG:27700), for the map's frame of reference."""
    bounds = authority_boundaries()
    own = bounds[bounds["code"] == la_code]
    near = bounds[bounds["code"].isin(adjacent_authorities(la_code))]
    return own, near


def hotspot_sections(ctx: BriefingContext) -> list[Section]:
    title = "Hotspots: where children were found"
    if ctx.dataset.missing_log.empty:
        return [not_available(title, "hotspots need the missing team's log (where children were found).")]
    eps = ctx.missing_in(ctx.period)
    located = eps[np.isfinite(pd.to_numeric(eps["FOUND_EASTING"], errors="coerce").to_numpy(dtype=float))]
    if len(located) < 2 * (SMALL_NUMBER_MAX + 1):
        return [not_available(title, "too few episodes with a found location in the period to look for hotspots.")]
    spots, labels = label_and_find_hotspots(located, location="found")
    if len(spots) and "children" in spots:
        # A place linked to five or fewer children could identify them, even without its numbers.
        spots = spots[~disclosure.is_small(spots["children"])].reset_index(drop=True)
        spots = spots[pd.to_numeric(spots["children"]) > 0].reset_index(drop=True)
    if not len(spots) or "children" not in spots:
        return [
            Section(
                title,
                [
                    TextBlock(
                        f"No hotspot found in the period: no cluster of the places children "
                        f"were found is linked to more than {SMALL_NUMBER_MAX} children."
                    )
                ],
            )
        ]
    # The app's numbers (1 for the most episodes), so a chair and the analyst mean the same hotspot.
    spots["Hotspot"] = spots["hotspot_id"].astype(int)
    ctx.hotspots = (located, spots, labels)  # the pack's numbering, for the links section (briefing_found)
    layer = disclosure.safe_map_layer(spots[["Hotspot", "episodes", "children", "geometry"]], "children", small="drop")
    own, near = _authority_shapes(ctx.la_code)
    png = outline_map_png(own, layer, label_column="Hotspot", neighbours=near)
    params = spots.attrs.get("params", {})
    method = (
        f"HDBSCAN clusters of the places children were found (minimum cluster size "
        f"{params.get('min_cluster_size', '?')} episodes), outlined by the hull of the cluster's "
        f"episodes plus {params.get('buffer_m', '?')} m"
    )
    blocks: list[Block] = [
        FigureBlock(
            "Hotspot map",
            png,
            f"{method}. Hotspots linked to {SMALL_NUMBER_MAX} or fewer children are not shown. "
            "Numbers as in the hotspot profiles below and in the app. "
            "Boundary: the authority (dark) and its neighbours (grey).",
            ctx.period_text,
            "episodes starting in the period with a recorded found location",
        )
    ]
    frame = pd.DataFrame(
        {
            "Hotspot": [hotspot_label(h, name) for h, name in zip(spots["hotspot_id"], spots["name"])],
            "episodes": spots["episodes"].astype(int),
            "children": spots["children"].astype(int),
        }
    )
    percents = {}
    for flag in PACK_RISK_FLAGS:
        f = flag.lower()
        if f"{f}_episodes" in spots:
            frame[f"{f}_episodes"] = spots[f"{f}_episodes"].astype(int)
            frame[f"{f}_recorded"] = spots[f"{f}_recorded"].astype(int)
            frame[f"{f}_pct"] = (
                100.0 * frame[f"{f}_episodes"] / frame[f"{f}_recorded"].where(frame[f"{f}_recorded"] > 0)
            )
            percents[f"{f}_pct"] = f"{f}_episodes/{f}_recorded"
    counts = [c for c in frame.columns if c != "Hotspot" and not c.endswith("_pct")]
    # Numerator and base of the out-of-area share: used to hide it, not shown themselves.
    frame["out_episodes"] = spots.get("out_of_area_episodes", pd.Series(0, index=spots.index)).astype(int).to_numpy()
    frame["out_known"] = spots.get("out_of_area_known", pd.Series(0, index=spots.index)).astype(int).to_numpy()
    frame["Out of area %"] = 100.0 * spots["out_of_area_share"].astype(float).to_numpy()
    percents["Out of area %"] = "out_episodes/out_known"
    shown = suppress_table(frame.set_index("Hotspot", drop=False), counts, percent_columns=percents)
    shown = shown.reset_index(drop=True)
    shown["Trend"] = spots["trend"].astype(str).to_numpy()
    if ctx.places is not None:  # the flag only: an analyst's note never leaves the analyst's view
        shown["Place of concern"] = np.where(flag_hotspots(spots, ctx.places).to_numpy(), "yes", "")
    names = {
        "Hotspot": "Hotspot",
        "episodes": "Episodes",
        "children": "Children",
        **{f"{flag.lower()}_pct": f"% {flag} risk" for flag in PACK_RISK_FLAGS},
        "Trend": "Trend",
        "Out of area %": "% placed out of area",
        "Place of concern": "Place of concern",
    }
    blocks.append(
        TableBlock(
            "Hotspot profiles",
            with_headings(shown, names),
            "risk shares: episodes at the hotspot with the flag set / episodes where it was recorded; trend: "
            "Mann-Kendall test on monthly episode counts (5% level), 'not enough data' under four months; "
            "% placed out of area: of episodes whose placement area is known",
            ctx.period_text,
            "episodes in each hotspot",
            ["Episodes", "Children"],
        )
    )
    return [Section(title, blocks)]


def emerging_section(ctx: BriefingContext) -> Section:
    title = "Emerging hot spots"
    if ctx.dataset.missing_log.empty:
        raise NoData("emerging hot spots need the missing team's log (where children were found).")
    eps = ctx.missing_in(ctx.period)
    located = eps[np.isfinite(pd.to_numeric(eps["FOUND_EASTING"], errors="coerce").to_numpy(dtype=float))]
    if len(located) < 2 * (SMALL_NUMBER_MAX + 1):
        raise NoData("too few episodes with a found location in the period.")
    cell_m = 1000
    cells = emerging_hotspots(
        located,
        cell_size_m=cell_m,
        period="M",
        x="FOUND_EASTING",
        y="FOUND_NORTHING",
        start=pd.Timestamp(ctx.period[0]),
        end=pd.Timestamp(ctx.period[1]),
    )
    hot = cells[cells["category"].str.endswith("hot spot")]
    if hot.empty:
        return Section(
            title,
            [
                TextBlock(
                    f"No {cell_m / 1000:g} km cell was a statistically significant hot spot in the period's months."
                )
            ],
        )
    table = hot.groupby("category").agg(cells=("cell_id", "size"), episodes=("episodes", "sum")).reset_index()
    shown = suppressed_with_total(table, "category", ["cells", "episodes"])
    blocks: list[Block] = [
        TableBlock(
            "Emerging hot spot categories",
            with_headings(
                shown, {"category": "Category", "cells": "Grid cells", "episodes": "Episodes in those cells"}
            ),
            f"Getis-Ord Gi* on {cell_m / 1000:g} km hexagonal cells for each month (FDR-corrected, 5%), "
            "then the ArcGIS emerging hot spot categories with a Mann-Kendall trend of each cell's z-scores",
            ctx.period_text,
            "episodes with a found location, in hot spot cells",
            ["Grid cells", "Episodes in those cells"],
        )
    ]
    layer = disclosure.safe_map_layer(hot[["category", "episodes", "geometry"]], "episodes", small="drop")
    if len(layer):
        own, near = _authority_shapes(ctx.la_code)
        blocks.append(
            FigureBlock(
                "Emerging hot spot cells",
                outline_map_png(own, layer, neighbours=near),
                f"{cell_m / 1000:g} km cells in an emerging hot spot category with more than {SMALL_NUMBER_MAX} "
                "episodes; cells with fewer are not drawn",
                ctx.period_text,
                "episodes with a found location",
            )
        )
    return Section(title, blocks)

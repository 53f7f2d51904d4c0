"""MASE pack sections on where missing children are found: distances, authorities, journeys, hotspot links.

Every table goes through :mod:`analysis.disclosure` (counts 1-5 "c", secondary suppression where a
total is shown, percentages and medians on small bases "c"); journeys and links of 1-5 children are
left out altogether. Hotspots carry the pack's own numbering (``Hotspot 1`` is the first row of the
pack's hotspot table), which the hotspot section leaves on the context.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.disclosure import SMALL_NUMBER_MAX, is_small, suppress_table
from analysis.found import (
    FIGURE_HEADINGS,
    disclosed_found_figures,
    found_figures,
    found_from_elsewhere,
    found_in_authorities,
)
from analysis.hotspot_links import disclosed_links, hotspot_links
from analysis.hotspot_names import hotspot_label
from analysis.journeys import journeys
from data.schemas import OVER_DISTANCE_MILES, RISK_FLAG_LABELS
from reports.pack import Block, Section, TableBlock, TextBlock
from reports.sections import NoData, build_section, suppressed_with_total

__all__ = ["found_sections", "JOURNEY_FLAGS", "MAX_JOURNEY_ROWS", "MAX_LINK_ROWS"]

JOURNEY_FLAGS = ["CSE", "CCE", "COUNTY_LINES"]
MAX_JOURNEY_ROWS = 15
MAX_LINK_ROWS = 15


def found_sections(ctx) -> list[Section]:
    """The sections, in pack order; one that cannot be built says why ("not available")."""
    return [
        build_section("Where children are found", _where_found_section, ctx),
        build_section("Journeys and links between hotspots", _journeys_section, ctx),
    ]


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(str).astype(object)


def _episodes(ctx) -> pd.DataFrame:
    if ctx.dataset.missing_log.empty:
        raise NoData("where children were found needs the missing team's log.")
    eps = ctx.missing_in(ctx.period)
    if eps.empty or "FOUND_DISTANCE" not in eps:
        raise NoData("no missing episodes in the period.")
    return eps


def _where_found_section(ctx) -> Section:
    eps = _episodes(ctx)
    figures = found_figures(eps)
    shown = disclosed_found_figures(figures).rename(columns=FIGURE_HEADINGS)
    words = figures.attrs["definitions"]
    counts = [
        FIGURE_HEADINGS[c]
        for c in ("episodes", "measured", "found_over_20_miles", "located", "found_in_another_authority")
    ]
    blocks: list[Block] = [
        TableBlock(
            "How far, and in which authority, children were found",
            _text(shown),
            f"over {OVER_DISTANCE_MILES} miles: {words['pct_over_20_miles']}; in another authority: "
            f"{words['pct_in_another_authority']}; median: {words['median_miles']}. Rows: all episodes, then those "
            "with each risk flag recorded (an episode can have several)",
            ctx.period_text,
            "episodes starting in the period; each % names its own base",
            counts,
        )
    ]

    where = found_in_authorities(eps)
    where = where[where["authority"] != "not known"][["authority", "episodes"]]
    # A total row, so that one suppressed authority cannot be worked back from the episodes above.
    table = suppressed_with_total(where, "authority", ["episodes"], total_label="All places known")
    blocks.append(
        TableBlock(
            "Authorities where our children were found",
            _text(table.rename(columns={"authority": "Found in", "episodes": "Episodes"})),
            "the children's services authority (or nation) of the found postcode or position",
            ctx.period_text,
            "episodes with a known place found",
            ["Episodes"],
        )
    )

    if "LA_CODE" in ctx.missing() and ctx.missing()["LA_CODE"].nunique() > 1:
        others = found_from_elsewhere(ctx.missing_in(ctx.period), ctx.la_code)[["authority", "episodes"]]
        if len(others):
            table = suppressed_with_total(others, "authority", ["episodes"], total_label="All other authorities")
            blocks.append(
                TableBlock(
                    "Children of other authorities found here",
                    _text(table.rename(columns={"authority": "Responsible authority", "episodes": "Episodes"})),
                    "episodes of children looked after by another authority found in this one",
                    ctx.period_text,
                    "episodes of the authorities loaded",
                    ["Episodes"],
                )
            )
    return Section("Where children are found", blocks)


def _pack_numbering(ctx):
    """(located episodes, each one's pack hotspot number or -1, hotspots with pack numbers as ids) or None."""
    if ctx.hotspots is None:
        return None
    located, spots, labels = ctx.hotspots
    number = dict(zip(spots["hotspot_id"].astype(int), spots["Hotspot"].astype(int)))
    pack_labels = np.asarray([number.get(int(h), -1) for h in np.asarray(labels)], dtype=np.int64)
    pack_spots = spots.assign(hotspot_id=spots["Hotspot"].astype(int))
    return located, pack_labels, pack_spots


def _journeys_table(eps, labels, spots, index) -> pd.DataFrame | None:
    base = None
    for flag in JOURNEY_FLAGS:
        got = journeys(eps, labels=labels, hotspots=spots, flag=flag, index=index)
        got = got[~is_small(got["children"]) & (got["children"] > 0)]
        key = ["from_sector", "to_id"]
        part = got[key + ["flag_episodes", "flag_recorded"]].rename(
            columns={"flag_episodes": f"{flag}_n", "flag_recorded": f"{flag}_of"}
        )
        base = got[key + ["to_name", "children", "episodes", "median_miles"]] if base is None else base
        base = base.merge(part, on=key, how="left")
    if base is None or base.empty:
        return None
    base = base.head(MAX_JOURNEY_ROWS).reset_index(drop=True)
    for flag in JOURNEY_FLAGS:
        base[f"{flag}_pct"] = 100.0 * base[f"{flag}_n"] / base[f"{flag}_of"].where(base[f"{flag}_of"] > 0)
    counts = ["children", "episodes"] + [f"{f}_{s}" for f in JOURNEY_FLAGS for s in ("n", "of")]
    shown = suppress_table(base, counts, percent_columns={f"{f}_pct": f"{f}_n/{f}_of" for f in JOURNEY_FLAGS})
    shown["median_miles"] = ["-" if pd.isna(v) else f"{v:.1f}" for v in base["median_miles"]]
    names = {
        "from_sector": "Missing from (sector)",
        "to_name": "Found at",
        "children": "Children",
        "episodes": "Episodes",
        "median_miles": "Median miles",
        **{f"{f}_pct": f"% {RISK_FLAG_LABELS[f]}" for f in JOURNEY_FLAGS},
    }
    return shown[list(names)].rename(columns=names)


def _journeys_section(ctx) -> Section:
    eps = _episodes(ctx)
    numbered = _pack_numbering(ctx)
    blocks: list[Block] = []
    if numbered is None:
        table = _journeys_table(eps, None, None, ctx.index)
    else:
        located, labels, spots = numbered
        # Every episode: those in a shown hotspot end there, the rest at the district where found.
        all_labels = pd.Series(-1, index=eps.index, dtype=np.int64)
        all_labels.loc[located.index] = labels
        table = _journeys_table(eps, all_labels.to_numpy(), spots, ctx.index)
    if table is None:
        blocks.append(TextBlock(f"No journey of more than {SMALL_NUMBER_MAX} children in the period."))
    else:
        blocks.append(
            TableBlock(
                "Main journeys: from where children went missing to where they were found",
                _text(table),
                "from the postcode sector a child went missing from (the log's postcode, else the placement's) to the "
                "pack's hotspot where found, or else the local authority district; the share of each flag is of "
                f"episodes where it was recorded. Journeys of {SMALL_NUMBER_MAX} or fewer children are not shown",
                ctx.period_text,
                "episodes with both places known",
                ["Children", "Episodes"],
            )
        )
    if numbered is not None:
        located, labels, _spots = numbered
        links = disclosed_links(hotspot_links(located, labels))
        if links.empty:
            blocks.append(TextBlock(f"No two hotspots share more than {SMALL_NUMBER_MAX} children in the period."))
        else:
            # Hotspots by their label (as in the profiles), not a bare number a reader could take for a count.
            label = {
                int(h): hotspot_label(h, n)
                for h, n in zip(_spots["hotspot_id"], _spots.get("name", [None] * len(_spots)))
            }
            links = links.assign(
                hotspot_a=links["hotspot_a"].astype(int).map(label), hotspot_b=links["hotspot_b"].astype(int).map(label)
            )
            table = links.head(MAX_LINK_ROWS)[["hotspot_a", "hotspot_b", "children"]].rename(
                columns={"hotspot_a": "Hotspot", "hotspot_b": "Linked hotspot", "children": "Children seen at both"}
            )
            blocks.append(
                TableBlock(
                    "Links between hotspots",
                    _text(table),
                    "two hotspots are linked when the same children were found at both in the period; the link's "
                    f"weight is the number of such children. Links of {SMALL_NUMBER_MAX} or fewer children are not shown",
                    ctx.period_text,
                    "children found at the pack's hotspots",
                    ["Children seen at both"],
                )
            )
    return Section("Journeys and links between hotspots", blocks)

"""Panel-view helpers: figures through disclosure control, map geography, trend and cost sections.

Everything a corporate parenting panel sees passes through
``analysis.disclosure``: counts of 1-5 children become "c", and so does any
figure computed from them (a percentage, a median, a cost).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.disclosure import SMALL_NUMBER_MAX, SUPPRESSED, is_small, suppress_counts, suppress_parts, suppress_table
from data.schemas import OVER_DISTANCE_MILES
from ui import cached, components, map_view, reference

# Headline measures (analysis.placements.headline_figures) -> the short label on their tile.
HEADLINE_TILES = {
    "children looked after": "Children looked after",
    f"placed over {OVER_DISTANCE_MILES} miles from home": f"Over {OVER_DISTANCE_MILES} miles from home",
    "placed outside the authority": "Outside the authority",
    f"outside the authority and over {OVER_DISTANCE_MILES} miles": f"Outside and over {OVER_DISTANCE_MILES} miles",
    "placed at a distance": "At a distance",
    "median miles from home": "Median distance",
    "distance unknown": "Distance unknown",
    "placement location unknown": "Location unknown",
}
MEDIAN_MEASURE = "median miles from home"
COUNT_MEASURE = "children looked after"

BREAKDOWN_LABELS = {
    "PLACEMENT_GROUP": "Placement type group",
    "PROVIDER_GROUP": "Provider",
    "PL_LA_NAME": "Receiving authority",
    "children": "Children",
    "outside": "Outside the authority",
    "percent_outside": "% outside the authority",
    "over_20_miles": f"Over {OVER_DISTANCE_MILES} miles",
    "percent_over_20_miles": f"% over {OVER_DISTANCE_MILES} miles",
    "median_miles": "Median miles",
    "distance_unknown": "Distance unknown",
}


def shown(count: int) -> str:
    """One count as a panel may see it: "c" for 1-5, else with thousands separated ("2,259"), as on the tiles."""
    value = str(suppress_counts(pd.Series([count])).iloc[0])
    return value if value == SUPPRESSED else f"{int(value):,}"


def _small(value) -> bool:
    return bool(is_small([value])[0])


def safe_headline(figures: pd.DataFrame) -> pd.DataFrame:
    """Headline figures as tiles: ``measure``, ``shown``, ``detail``, ``definition``.

    The tile shows the count for "children looked after", miles for the median,
    else the percent (1 dp); a count of 1-5 (or a base of 1-5) shows "c".
    """
    rows = []
    if figures is None or figures.empty:
        return pd.DataFrame(columns=["measure", "shown", "detail", "definition"])
    by_measure = figures.set_index("measure")
    for measure, label in HEADLINE_TILES.items():
        if measure not in by_measure.index:
            continue
        row = by_measure.loc[measure]
        count, base = int(row["count"]), int(row["denominator"])
        hidden = _small(base) or (_small(count) and measure != MEDIAN_MEASURE)
        if measure == COUNT_MEASURE:
            value = SUPPRESSED if _small(count) else f"{count:,}"
            detail = "on the snapshot date"
        elif measure == MEDIAN_MEASURE:
            hidden = hidden or _small(count)
            value = SUPPRESSED if hidden else ("-" if pd.isna(row["value"]) else f"{float(row['value']):.1f} miles")
            detail = f"distance known for {shown(count)} of {components.counted(shown(base), 'child', 'children')}"
        else:
            value = SUPPRESSED if hidden else ("-" if pd.isna(row["percent"]) else f"{float(row['percent']):.1f}%")
            detail = f"{shown(count)} of {components.counted(shown(base), 'child', 'children')}"
        rows.append({"measure": label, "shown": value, "detail": detail, "definition": str(row["definition"])})
    return pd.DataFrame(rows)


# From this share of children with an unknown placement location or distance, the tiles that count the known
# ones ("Outside the authority 1.8%") understate so much that the page says so above them.
UNKNOWN_WARNING_SHARE = 0.2
_UNKNOWN_MEASURES = {
    "placement location unknown": ("placement location", "Outside the authority and At a distance"),
    "distance unknown": ("distance from home", f"Over {OVER_DISTANCE_MILES} miles and the median distance"),
}


def unknown_warning(figures: pd.DataFrame) -> str:
    """A warning when the placement location or distance is unknown for many children (at least
    :data:`UNKNOWN_WARNING_SHARE` of them), naming the tiles it affects; "" otherwise. Counts through
    disclosure control, as on the tiles."""
    if figures is None or figures.empty:
        return ""
    by_measure = figures.set_index("measure")
    parts = []
    for measure, (what, tiles) in _UNKNOWN_MEASURES.items():
        if measure not in by_measure.index:
            continue
        count, base = int(by_measure.loc[measure, "count"]), int(by_measure.loc[measure, "denominator"])
        if base and count / base >= UNKNOWN_WARNING_SHARE:
            parts.append(
                f"the {what} is not known for {shown(count)} of {components.counted(shown(base), 'child', 'children')}, so {tiles} count only the rest"
            )
    if not parts:
        return ""
    text = "; ".join(parts)
    return (
        f"{text[0].upper()}{text[1:]}. These figures understate: check the placement and home postcodes "
        "(PL_POST, HOME_POST) on the Data page."
    )


def unknown_distances(snapshot: pd.DataFrame) -> pd.DataFrame:
    """Children whose distance could not be measured, by reason (``DISTANCE_NOTE``)."""
    if snapshot.empty or "PL_DISTANCE" not in snapshot:
        return pd.DataFrame(columns=["reason", "children"])
    unknown = snapshot[pd.to_numeric(snapshot["PL_DISTANCE"], errors="coerce").isna()]
    if unknown.empty:
        return pd.DataFrame(columns=["reason", "children"])
    notes = unknown.get("DISTANCE_NOTE", pd.Series("", index=unknown.index)).astype(object)
    reasons = notes.where(notes.notna() & (notes.astype(str) != ""), "no reason recorded").astype(str)
    table = reasons.value_counts().rename_axis("reason").reset_index(name="children")
    return table


def safe_unknown_distances(unknown: pd.DataFrame) -> pd.DataFrame:
    """:func:`unknown_distances` for a panel: reasons and an "All" row, suppressed together (the total is
    shown with them, so one hidden reason is never the total less the others)."""
    if unknown is None or unknown.empty:
        return pd.DataFrame(columns=["reason", "children"])
    table = pd.concat(
        [unknown, pd.DataFrame([{"reason": "All", "children": int(unknown["children"].sum())}])], ignore_index=True
    )
    table.index = [f"row{i}" for i in range(len(unknown))] + ["All"]
    safe = suppress_table(table, ["children"], total_row="All")
    return order_safely(safe.reset_index(drop=True), "children", "reason")


def order_safely(safe: pd.DataFrame, count_column: str, label_column: str) -> pd.DataFrame:
    """Rows by shown count (largest first), hidden ("c") rows after them by label, "All" last.

    Ranking rows by a hidden count would give the hidden numbers away.
    """
    shown_count = pd.to_numeric(
        safe[count_column].astype(object).where(safe[count_column] != SUPPRESSED), errors="coerce"
    )
    key = pd.DataFrame(
        {
            "all": (safe[label_column] == "All").astype(int),
            "hidden": shown_count.isna().astype(int),
            "count": -shown_count.fillna(0),
            "label": safe[label_column].astype(str),
        },
        index=safe.index,
    )
    order = key.sort_values(["all", "hidden", "count", "label"], kind="stable").index
    return safe.loc[order].reset_index(drop=True)


def breakdown_table(summary: pd.DataFrame) -> pd.DataFrame:
    """A :func:`analysis.placements.summarise_placements` table with small numbers suppressed.

    The "All" row is the column total, so secondary suppression keeps a hidden
    cell from being worked back out; a median of 1-5 children is hidden too.
    """
    if summary is None or summary.empty:
        return pd.DataFrame()
    by = summary.columns[0]
    table = summary.set_index(by, drop=False)
    table.index = [f"row{i}" if v != "All" else "All" for i, v in enumerate(table[by])]
    total_row = "All" if "All" in table.index else None
    safe = suppress_table(
        table,
        ["children", "outside", "over_20_miles", "distance_unknown"],
        total_row=total_row,
        percent_columns={"percent_outside": "outside/children", "percent_over_20_miles": "over_20_miles/children"},
    )
    median = pd.to_numeric(table["median_miles"], errors="coerce")
    safe["median_miles"] = [
        SUPPRESSED if shown_children == SUPPRESSED or _small(n) else ("x" if pd.isna(m) else f"{m:.1f}")
        for shown_children, n, m in zip(safe["children"], table["children"], median)
    ]
    safe = order_safely(safe.reset_index(drop=True), "children", by)
    return safe.rename(columns=BREAKDOWN_LABELS)


# ------------------------------------------------------------------ map
@st.cache_resource(show_spinner=False, max_entries=8)
def authority_geography(la_code: str | None) -> dict:
    """Our authority, its neighbours and the 20-mile line as WGS84 GeoJSON text (built once per authority).

    Empty when the boundaries are not available: the maps then draw without outlines.
    """
    if not la_code:
        return {}
    from geo.boundaries import adjacent_authorities, buffer_boundary
    from maps.common import boundaries_geojson, outline_geojson

    gdf = reference.boundaries()
    out: dict[str, str | None] = {
        "authority": boundaries_geojson(gdf[gdf["code"] == la_code]),
        "neighbours": boundaries_geojson(gdf[gdf["code"].isin(list(adjacent_authorities(la_code)))]),
    }
    try:
        out["distance_line"] = outline_geojson(buffer_boundary(la_code, miles=OVER_DISTANCE_MILES))
    except Exception:  # noqa: BLE001 - an unknown code gives no line; the rest still draws
        out["distance_line"] = None
    return out


def _geography_or_warn(la_code: str | None) -> dict:
    try:
        return authority_geography(la_code)
    except Exception as exc:  # noqa: BLE001 - a map without outlines is still useful
        st.warning(f"Authority boundaries are not available ({type(exc).__name__}); the map has no outlines.")
        return {}


def receiving_texts(snapshot: pd.DataFrame, table: pd.DataFrame) -> pd.Series:
    """Children per receiving authority code as the "By receiving authority" table (``table``, from
    :func:`breakdown_table`) shows them, secondary suppression included, so the map never shows a
    number that the table hides. Codes whose name is not in the table are left out."""
    if table is None or table.empty or "PL_LA" not in snapshot:
        return pd.Series(dtype=object)
    texts = dict(zip(table[BREAKDOWN_LABELS["PL_LA_NAME"]], table[BREAKDOWN_LABELS["children"]]))
    names = snapshot.drop_duplicates("PL_LA").set_index("PL_LA")["PL_LA_NAME"]
    return names.map(texts).dropna().astype(object)


@st.cache_data(show_spinner=False, max_entries=64)
def receiving_geojson(fingerprint: str, on, groups: tuple, providers: tuple, la_code: str | None) -> str | None:
    """Authorities our children are placed in (not our own), with counts through disclosure control."""
    from analysis.disclosure import safe_map_layer
    from maps.common import boundaries_geojson

    snap = cached.snapshot(fingerprint, on, groups, providers)
    if "PL_LA" not in snap or snap.empty:
        return None
    gdf = reference.boundaries()
    counts = snap["PL_LA"].value_counts()
    receiving = gdf[gdf["code"].isin(counts.index) & (gdf["code"] != la_code)].copy()
    if receiving.empty:
        return None
    receiving["children"] = receiving["code"].map(counts).astype(int)
    table = breakdown_table(cached.breakdown(fingerprint, on, "PL_LA_NAME", groups, providers))
    shown_text = receiving_texts(snap, table).reindex(receiving["code"]).to_numpy()
    receiving["children"] = pd.Series(shown_text, index=receiving.index).fillna(receiving["children"]).astype(object)
    safe = safe_map_layer(receiving, "children", small="c", keep_columns=["code", "name"])
    return boundaries_geojson(safe, extra_fields=("children",))


@st.cache_data(show_spinner="Drawing the map...", max_entries=32)
def placements_map_rendered(
    fingerprint: str, on, groups: tuple, providers: tuple, layer_title: str, tiles: bool, la_code: str | None
) -> dict:
    """The placements map for these choices, rendered once for ui.map_view.show_map."""
    from maps.placements_map import LAYER_COLUMNS, placements_map

    flows, _summary = cached.flows(fingerprint, on, LAYER_COLUMNS[layer_title], groups, providers)
    geography = _geography_or_warn(la_code)
    receiving = None
    if geography:
        receiving = receiving_geojson(fingerprint, on, groups, providers, la_code)
    return map_view.render_map(
        placements_map(flows, tiles=tiles, layer_title=layer_title, receiving=receiving, **geography)
    )


@st.cache_data(show_spinner="Drawing the map...", max_entries=32)
def homes_map_rendered(
    fingerprint: str, on, sectors: tuple, ratings: tuple, only_ours: bool, tiles: bool, la_code: str | None
) -> dict:
    """The children's homes map for these choices, rendered once for ui.map_view.show_map."""
    from maps.homes_map import homes_map

    points = cached.home_points(fingerprint, on)
    points = points.assign(OUR_CHILDREN_SHOWN=safe_home_children(cached.homes_usage(fingerprint, on), points))
    if sectors:
        points = points[points["SECTOR"].astype(object).fillna("").astype(str).str.upper().isin(sectors)]
    if ratings:
        points = points[points["OFSTED_RATING"].isin(ratings)]
    if only_ours:
        points = points[pd.to_numeric(points["OUR_CHILDREN"], errors="coerce").fillna(0) > 0]
    return map_view.render_map(
        homes_map(points, tiles=tiles, distance_miles=OVER_DISTANCE_MILES, **_geography_or_warn(la_code))
    )


NOT_MATCHED = "Not matched to a listed home"  # analysis.homes.home_usage's row for unmatched children


def safe_home_children(usage: pd.DataFrame, points: pd.DataFrame) -> pd.Series:
    """Our children in each home on the map as a panel may see them, indexed like ``points``.

    Suppressed over every listed home (``usage``) at once, with each sector's total, the total
    and the children in no listed home known to the reader (the briefing pack shows them) and
    homes not on the map counted as hidden.
    """
    if usage is None or usage.empty:
        return pd.Series(dtype=object)
    unmatched = usage["NAME"] == NOT_MATCHED
    listed = usage[~unmatched]
    rest = int(pd.to_numeric(usage.loc[unmatched, "OUR_CHILDREN"], errors="coerce").fillna(0).sum())
    counts = pd.to_numeric(listed["OUR_CHILDREN"], errors="coerce").fillna(0).astype(int)
    sector = listed["SECTOR"].astype(object).fillna("").astype(str).str.upper()
    on_map = points["USAGE_ROW"] if "USAGE_ROW" in points else pd.Series(dtype=object)
    shown_all = suppress_parts(counts, groups=sector, rest=rest, unshown=~listed.index.isin(on_map))
    return pd.Series(shown_all.reindex(on_map.to_numpy()).to_numpy(), index=points.index, dtype=object)


def flow_note(summary) -> str:
    """What the map's lines leave out, in words: children drawn of all, and why the others are not.

    The children looked after (on the headline tiles) are those drawn, without a home sector, without a
    placement district or in flows left off. When any of the reasons counts 1-5, the reasons are given
    together without their counts ("the others have ..."), and a drawn count within 5 of all is written
    "all but 5 or fewer", so no count of 1-5 follows from the total on the tiles."""
    drawn, children = summary.drawn, summary.children
    left_off = children - drawn - summary.no_home_sector - summary.no_placement_district
    if any(_small(value) for value in (drawn, summary.no_home_sector, summary.no_placement_district, left_off)):
        if _small(drawn):
            lines = f"{SUPPRESSED} (5 or fewer)"
        elif _small(children - drawn):
            lines = f"all but {SMALL_NUMBER_MAX} or fewer"
        else:
            lines = f"{drawn:,}"
        parts = [
            f"Lines for {lines} of the {components.counted(shown(children), 'child', 'children')}",
            "the others have no home postcode sector or no placement postcode district",
        ]
    else:
        parts = [f"Lines for {shown(drawn)} of the {components.counted(shown(children), 'child', 'children')}"]
        if summary.no_home_sector:
            parts.append(f"{summary.no_home_sector:,} without a home postcode sector")
        if summary.no_placement_district:
            parts.append(f"{summary.no_placement_district:,} without a placement postcode district")
    if summary.flows_dropped:
        parts.append(f"{summary.flows_dropped} smallest flows left off to keep the map fast")
    return "; ".join(parts) + "."


# ------------------------------------------------------------------ trend
TREND_LABELS = {
    "percent_over_20_miles": f"% over {OVER_DISTANCE_MILES} miles",
    "percent_outside": "% outside the authority",
    "percent_outside_over_20_miles": f"% outside and over {OVER_DISTANCE_MILES} miles",
    "percent_at_a_distance": "% at a distance",
    "percent_distance_unknown": "% distance unknown",
}


def safe_trend(monthly: pd.DataFrame) -> pd.DataFrame:
    """Monthly trend with months of 1-5 children hidden ("c")."""
    out = monthly.copy().astype(object)
    small = is_small(monthly["children"])
    out["children"] = suppress_counts(monthly["children"])
    for col in [*TREND_LABELS, "median_miles"]:
        if col in out:
            out[col] = [SUPPRESSED if s else v for s, v in zip(small, monthly[col])]
    out["date"] = pd.to_datetime(monthly["date"]).dt.date
    return out


def trend_charts(monthly: pd.DataFrame) -> None:
    if monthly is None or monthly.empty:
        st.info("No months to show for this period.")
        return
    keep = ~is_small(monthly["children"])
    data = monthly[keep].set_index("date")
    if len(data) < len(monthly):
        st.caption(f"{len(monthly) - len(data)} months with 1-5 children are left out of the charts.")
    st.markdown("**Headline percentages at each month end** (of all children looked after that day)")
    st.line_chart(data[list(TREND_LABELS)].rename(columns=TREND_LABELS), y_label="% of children")
    left, right = st.columns(2)
    with left:
        st.markdown("**Children looked after**")
        st.line_chart(data[["children"]].rename(columns={"children": "Children"}))
    with right:
        st.markdown("**Median miles from home**")
        st.line_chart(data[["median_miles"]].rename(columns={"median_miles": "Median miles"}))


# ------------------------------------------------------------------ costs
COST_SOURCE_ILLUSTRATIVE = "illustrative (replace with your own)"


def cost_table(dataset) -> pd.DataFrame:
    """The cost table to start editing from: the loaded cost file, else the illustrative defaults."""
    from analysis.placements import ILLUSTRATIVE_WEEKLY_COSTS

    costs = getattr(dataset, "costs", None)
    if costs is not None and not costs.empty and {"PLACEMENT_GROUP", "WEEKLY_COST"} <= set(costs.columns):
        table = costs[["PLACEMENT_GROUP", "WEEKLY_COST"]].copy()
        table["SOURCE"] = "your cost file"
    else:
        table = ILLUSTRATIVE_WEEKLY_COSTS.copy()
        table["SOURCE"] = COST_SOURCE_ILLUSTRATIVE
    table["PLACEMENT_GROUP"] = table["PLACEMENT_GROUP"].astype(object)
    table["WEEKLY_COST"] = pd.to_numeric(table["WEEKLY_COST"], errors="coerce").astype(float)
    return table.reset_index(drop=True)


def safe_costs(costs: pd.DataFrame) -> pd.DataFrame:
    """placement_costs output with counts of 1-5 hidden, and every cost or share built on them."""
    table = costs.copy()
    table.index = [f"row{i}" if g != "All" else "All" for i, g in enumerate(table["PLACEMENT_GROUP"])]
    safe = suppress_table(
        table,
        ["children"],
        total_row="All" if "All" in table.index else None,
        percent_columns={"percent_of_children": "children"},
    )
    hidden = safe["children"] == SUPPRESSED
    for col in ("weekly_cost", "annual_cost"):
        safe[col] = [SUPPRESSED if h else ("x" if pd.isna(v) else f"£{v:,.0f}") for h, v in zip(hidden, table[col])]
    safe["percent_of_cost"] = [
        SUPPRESSED if h else ("x" if pd.isna(v) else f"{v:.1f}") for h, v in zip(hidden, table["percent_of_cost"])
    ]
    safe["WEEKLY_COST"] = ["" if pd.isna(v) else f"£{v:,.0f}" for v in table["WEEKLY_COST"]]
    safe = safe.reset_index(drop=True)
    return safe.rename(
        columns={
            "PLACEMENT_GROUP": "Placement group",
            "children": "Children",
            "percent_of_children": "% of children",
            "WEEKLY_COST": "Weekly cost per child",
            "weekly_cost": "Weekly cost",
            "annual_cost": "Annual cost",
            "percent_of_cost": "% of cost",
        }
    )


def costs_section(dataset, snapshot: pd.DataFrame, fingerprint: str) -> None:
    from analysis.placements import placement_costs

    start = cost_table(dataset)
    if (start["SOURCE"] == COST_SOURCE_ILLUSTRATIVE).any():
        st.warning(
            "The weekly costs below are **illustrative** round figures, not your authority's prices. "
            "Edit them here (they stay in this session) or load a cost file on the Data page."
        )
    edited = st.data_editor(
        start,
        key=f"costs_editor_{fingerprint}",
        num_rows="dynamic",
        hide_index=True,
        disabled=["SOURCE"],
        column_config={
            "PLACEMENT_GROUP": st.column_config.TextColumn("Placement group", required=True),
            "WEEKLY_COST": st.column_config.NumberColumn("Weekly cost per child (£)", min_value=0, format="£%.0f"),
            "SOURCE": st.column_config.TextColumn("Source"),
        },
    )
    edited = edited.dropna(subset=["PLACEMENT_GROUP"])
    if snapshot.empty:
        st.info("No children in placement on this date with these filters.")
        return
    costs = placement_costs(snapshot, edited[["PLACEMENT_GROUP", "WEEKLY_COST"]])
    safe = safe_costs(costs)
    components.safe_table(safe)
    components.download_csv(safe, "placement_costs.csv")
    # Chart only what the table shows: a share drawn for a hidden group would give its number away.
    visible = (safe["Children"] != SUPPRESSED).to_numpy()
    shares = costs[(costs["PLACEMENT_GROUP"] != "All").to_numpy() & visible & (costs["children"] > 0).to_numpy()]
    if len(shares):
        chart = shares.set_index("PLACEMENT_GROUP")[["percent_of_children", "percent_of_cost"]].rename(
            columns={"percent_of_children": "% of children", "percent_of_cost": "% of cost"}
        )
        st.markdown("**Share of children and share of cost by placement group**")
        st.bar_chart(chart, horizontal=True, stack=False, y_label="")
        if len(shares) < int((costs["PLACEMENT_GROUP"] != "All").sum()):
            st.caption('Groups with no children, or whose numbers are hidden ("c"), are not charted.')

"""Region: several children's services authorities at once (pooled multi-council 903 files).

Aggregates only, for analysts and the corporate parenting panel alike: figures per
authority, per region and overall, who places children where (flow map, net importers
and exporters) and children's homes supply against where the children in them come from.
Every count of 1-5 children is shown as "c"; anything computed from a hidden count (a
percentage, a median, a net flow, a ratio) is hidden with it.

Heavy work is cached on the dataset fingerprint and the sidebar choices; the flow map
draws a few thousand authority pairs at most, whatever the number of children.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analysis.disclosure import SMALL_NUMBER_MAX, SUPPRESSED, is_small, suppress_crosstab, suppress_table
from data.schemas import OVER_DISTANCE_MILES
from geo.authorities import authority_name
from ui import cached, components, dataset_choice, map_view, page, panel, reference

ALL = "All authorities loaded"  # analysis.regional.ALL_ENGLAND: the label of the total rows
FOCUS_ALL = ""  # picker value for "no one authority"
# A national map with every pair of 6+ is a solid mass; from this many authorities the default floor is higher.
NATIONAL_FROM = 20
NATIONAL_MIN_CHILDREN = 20
FLOOR_CHOICES = [6, 10, 20, 50, 100]  # smallest pair drawn on the flow map; never below 6

FIGURE_COUNTS = [
    "children",
    "over_20_miles",
    "outside",
    "outside_over_20_miles",
    "at_a_distance",
    "distance_unknown",
    "location_unknown",
    "in_childrens_homes",
]
FIGURE_PERCENTS = {
    f"percent_{c}": f"{c}/children"
    for c in ("over_20_miles", "outside", "outside_over_20_miles", "at_a_distance", "distance_unknown")
}
FIGURE_LABELS = {
    "name": "Authority",
    "region": "Region",
    "authorities": "Authorities",
    "children": "Children looked after",
    "over_20_miles": f"Over {OVER_DISTANCE_MILES} miles",
    "percent_over_20_miles": f"% over {OVER_DISTANCE_MILES} miles",
    "outside": "Outside the authority",
    "percent_outside": "% outside the authority",
    "outside_over_20_miles": f"Outside and over {OVER_DISTANCE_MILES} miles",
    "percent_outside_over_20_miles": f"% outside and over {OVER_DISTANCE_MILES} miles",
    "at_a_distance": "At a distance",
    "percent_at_a_distance": "% at a distance",
    "median_miles": "Median miles",
    "distance_unknown": "Distance unknown",
    "percent_distance_unknown": "% distance unknown",
    "location_unknown": "Location unknown",
    "in_childrens_homes": "In children's homes",
}

MISSING_COUNTS = [
    "children_looked_after",
    "children_missing",
    "missing_episodes",
    "children_away",
    "away_episodes",
    "repeat_children",
    "returned",
    "rhi_offered_within",
]
MISSING_PERCENTS = {
    "percent_missing": "children_missing/children_looked_after",
    "percent_rhi_offered_within": "rhi_offered_within/returned",
}
MISSING_LABELS = {
    "name": "Authority",
    "region": "Region",
    "authorities": "Authorities",
    "children_looked_after": "Children looked after in the period",
    "children_missing": "Children who went missing",
    "percent_missing": "% who went missing",
    "missing_episodes": "Missing episodes",
    "episodes_per_missing_child": "Episodes per missing child",
    "children_away": "Children away",
    "away_episodes": "Away episodes",
    "repeat_children": "Children with 3+ episodes",
    "returned": "Episodes ended",
    "rhi_offered_within": "RHI offered within 72 h",
    "percent_rhi_offered_within": "% RHI offered within 72 h",
}


# ------------------------------------------------------------------ cached pieces
def _dataset(fingerprint: str):
    dataset, current = dataset_choice.current_dataset()
    if current != fingerprint:  # cannot happen within one run; guards against a stale key
        raise RuntimeError("dataset changed during a run")
    return dataset


def _located(fingerprint: str) -> pd.DataFrame:
    """Episodes located from each row's own authority (a Data-page choice of one authority set aside)."""
    return _pooled_located(fingerprint) if _dataset(fingerprint).la_code else cached.located_episodes(fingerprint)


@st.cache_data(show_spinner=False, max_entries=8)
def responsible_authorities(fingerprint: str) -> list[str]:
    """GSS codes of the responsible authorities named in the loaded episodes (pooled files' LA_CODE)."""
    episodes = _dataset(fingerprint).episodes
    if episodes is None or "LA_CODE" not in getattr(episodes, "columns", ()):
        return []
    codes = episodes["LA_CODE"].astype(object).dropna().astype(str).str.strip()
    return sorted(set(codes) - {""})


@st.cache_resource(show_spinner="Measuring placement distances for every authority...", max_entries=4)
def _pooled_located(fingerprint: str) -> pd.DataFrame:
    """Episodes located from each row's own authority, when one authority was chosen on the Data page.
    Shared and read-only, as ui.cached.located_episodes."""
    from analysis.placements import add_placement_location

    return add_placement_location(_dataset(fingerprint).episodes, None, index=reference.postcode_index())


def _snapshot(fingerprint: str, on, groups: tuple, providers: tuple) -> pd.DataFrame:
    """Children in placement on ``on``, each measured from their own responsible authority."""
    from analysis.placements import placements_on

    if _dataset(fingerprint).la_code:
        # One authority was chosen for the whole upload; the regional view measures from each row's LA_CODE.
        located = _pooled_located(fingerprint)
        return cached.apply_filters(placements_on(located, pd.Timestamp(on)), groups, providers)
    return cached.snapshot(fingerprint, on, groups, providers)


@st.cache_data(show_spinner="Adding up figures per authority and region...", max_entries=32)
def regional_tables(fingerprint: str, on, groups: tuple = (), providers: tuple = ()) -> dict[str, pd.DataFrame]:
    """Raw (not disclosure-controlled) ``by_authority``, ``by_region``, ``flows`` and ``net`` tables."""
    from analysis.regional import figures_by_authority, figures_by_region, net_flows, placement_flows

    snap = _snapshot(fingerprint, on, groups, providers)
    if snap.empty:
        return {}
    flows = placement_flows(snap)
    return {
        "by_authority": figures_by_authority(snap),
        "by_region": figures_by_region(snap),
        "flows": flows,
        "net": net_flows(flows, loaded=responsible_authorities(fingerprint)),
    }


@st.cache_data(show_spinner="Matching children's homes to authorities...", max_entries=16)
def homes_supply_table(fingerprint: str, on) -> tuple[pd.DataFrame, bool]:
    """(analysis.regional.homes_supply, True when homes come from a loaded register)."""
    from analysis.homes import infer_homes
    from analysis.regional import homes_supply

    dataset = _dataset(fingerprint)
    snap = _snapshot(fingerprint, on, (), ())  # a home's use is not filtered by placement type
    if snap.empty:
        return pd.DataFrame(), False
    register = dataset.homes is not None and not dataset.homes.empty
    if register:
        homes = dataset.homes
    else:
        homes = infer_homes(_located(fingerprint))
    if homes.empty:
        return pd.DataFrame(), register
    return homes_supply(homes, snap), register


@st.cache_data(show_spinner="Counting missing episodes per authority...", max_entries=16)
def missing_tables(fingerprint: str, start, end) -> dict[str, pd.DataFrame]:
    """Raw analysis.regional.missing_figures ``by_authority`` and ``by_region`` for episodes starting
    from ``start`` to ``end`` (dates, both included); empty when no missing episodes are loaded."""
    from analysis.regional import children_looked_after_by_authority, missing_figures

    episodes = cached.missing_episodes(fingerprint)
    located = _located(fingerprint)
    if episodes.empty or "LA_CODE" not in episodes or located.empty:
        return {}
    when = pd.to_datetime(episodes["MIS_START"])
    chosen = episodes[(when >= pd.Timestamp(start)) & (when < pd.Timestamp(end) + pd.Timedelta(days=1))]
    looked_after = children_looked_after_by_authority(located, start, end)
    return {
        "by_authority": missing_figures(chosen, looked_after),
        "by_region": missing_figures(chosen, looked_after, by="region"),
    }


# ------------------------------------------------------------------ disclosure-controlled views
def safe_missing(figures: pd.DataFrame, label: str) -> pd.DataFrame:
    """missing_figures for a panel: counts 1-5 "c" with secondary suppression against the last
    (all authorities) row; rates of hidden counts hidden too."""
    if figures is None or figures.empty:
        return pd.DataFrame()
    table = figures.reset_index(drop=True)
    table.index = [ALL if v == ALL else f"row{i}" for i, v in enumerate(table[label])]
    safe = suppress_table(table, MISSING_COUNTS, total_row=ALL, percent_columns=MISSING_PERCENTS)
    per_child = pd.to_numeric(table["episodes_per_missing_child"], errors="coerce")
    safe["episodes_per_missing_child"] = [
        SUPPRESSED if SUPPRESSED in (a, b) else ("-" if pd.isna(v) else f"{v:.1f}")
        for a, b, v in zip(safe["missing_episodes"], safe["children_missing"], per_child)
    ]
    if "authorities" in safe.columns:
        safe["authorities"] = safe["authorities"].astype(int).astype(str)
    keep = [c for c in MISSING_LABELS if c in safe.columns and c != "code"]
    return safe[keep].reset_index(drop=True).rename(columns=MISSING_LABELS)


def _hide_median(safe: pd.DataFrame, raw: pd.DataFrame) -> list:
    return [
        SUPPRESSED if shown_children == SUPPRESSED or is_small([n])[0] else ("x" if pd.isna(m) else f"{m:.1f}")
        for shown_children, n, m in zip(
            safe["children"], raw["children"], pd.to_numeric(raw["median_miles"], errors="coerce")
        )
    ]


def safe_figures(figures: pd.DataFrame, label: str) -> pd.DataFrame:
    """figures_by_authority / figures_by_region for a panel: counts 1-5 "c", with secondary suppression.

    The last row (all authorities loaded) is each column's total, so a hidden cell cannot be
    worked back out from it; percentages and medians of hidden counts are hidden too.
    """
    if figures is None or figures.empty:
        return pd.DataFrame()
    table = figures.reset_index(drop=True)
    table.index = [ALL if v == ALL else f"row{i}" for i, v in enumerate(table[label])]
    safe = suppress_table(
        table, FIGURE_COUNTS, total_row=ALL if ALL in table.index else None, percent_columns=FIGURE_PERCENTS
    )
    safe["median_miles"] = _hide_median(safe, table)
    keep = [c for c in ("name", "region", "authorities") if c in safe.columns] + [
        c for c in FIGURE_LABELS if c in FIGURE_COUNTS or c in FIGURE_PERCENTS or c == "median_miles"
    ]
    if "authorities" in safe.columns:
        safe["authorities"] = safe["authorities"].astype(int).astype(str)
    return safe[keep].reset_index(drop=True).rename(columns=FIGURE_LABELS)


def flow_texts(flows: pd.DataFrame):
    """The flows between authorities through disclosure control as one table (rows: placing authority,
    columns: receiving authority), so every view of them shows the same figures."""
    return suppress_crosstab(flows, row="from_code", column="to_code", count="children")


def safe_net(net: pd.DataFrame, *, total: bool = True, texts=None) -> pd.DataFrame:
    """net_flows for a panel: counts 1-5 "c"; a net (and its balance) only when both counts are shown.

    ``texts`` (:func:`flow_texts` of the flows ``net`` was made from) gives the counts as every
    other view of the flows shows them; without it they are suppressed as this table alone.
    Rows ordered by the shown net (importers first), hidden ones after by name, so a hidden
    number does not show through its rank; with ``total`` the all-authorities row is last.
    """
    if net is None or net.empty:
        return pd.DataFrame()
    table = net.reset_index(drop=True)
    if total:
        row = pd.DataFrame(
            [
                {
                    "code": "",
                    "name": ALL,
                    "region": "",
                    "loaded": True,
                    "net": 0,
                    "balance": "",
                    "placed_out": int(table["placed_out"].sum()),
                    "placed_in": int(table["placed_in"].sum()),
                }
            ]
        )
        table = pd.concat([table, row], ignore_index=True)
    table.index = [ALL if v == ALL else f"row{i}" for i, v in enumerate(table["name"])]
    if texts is not None:
        safe = table.astype(object).copy()
        is_all = (table["name"] == ALL).to_numpy()
        safe["placed_out"] = np.where(is_all, texts.total, table["code"].map(texts.rows).fillna("0"))
        safe["placed_in"] = np.where(is_all, texts.total, table["code"].map(texts.columns).fillna("0"))
    else:
        safe = suppress_table(table, ["placed_out", "placed_in"], total_row=ALL if total else None)
    hidden = (safe["placed_out"] == SUPPRESSED) | (safe["placed_in"] == SUPPRESSED)
    safe["net"] = [SUPPRESSED if h else f"{int(v):+,d}" for h, v in zip(hidden, table["net"])]
    safe["balance"] = [SUPPRESSED if h else b for h, b in zip(hidden, table["balance"])]
    safe["loaded"] = np.where(table["loaded"].astype(bool), "Y", "N")
    if total:
        safe.loc[ALL, ["net", "balance", "loaded"]] = ["0", "", ""]
    shown_net = pd.to_numeric(table["net"].where(~hidden), errors="coerce")
    key = pd.DataFrame(
        {
            "all": (table["name"] == ALL).astype(int),
            "hidden": hidden.astype(int),
            "net": -shown_net.fillna(0),
            "name": table["name"].astype(str),
        },
        index=table.index,
    )
    safe = safe.loc[key.sort_values(["all", "hidden", "net", "name"], kind="stable").index]
    safe = safe[["name", "region", "loaded", "placed_out", "placed_in", "net", "balance"]].reset_index(drop=True)
    return safe.rename(
        columns={
            "name": "Authority",
            "region": "Region",
            "loaded": "Own data loaded",
            "placed_out": "Children placed in other authorities",
            "placed_in": "Children placed here by others",
            "net": "Net (in - out)",
            "balance": "Balance",
        }
    )


def safe_flows(flows: pd.DataFrame, *, side: str, texts=None) -> pd.DataFrame:
    """One authority's flows out (``side="to"``) or in (``side="from"``): counts 1-5 "c", total row last.

    ``texts`` (:func:`flow_texts` of all the flows) gives the counts and the total as every other
    view shows them; without it they are suppressed as this table alone.
    """
    if flows is None or flows.empty:
        return pd.DataFrame()
    table = pd.DataFrame(
        {
            "authority": flows[f"{side}_name"].astype(str).to_numpy(),
            "region": flows[f"{side}_region"].astype(str).to_numpy(),
            "children": flows["children"].to_numpy(),
            "median_miles": flows["median_miles"].to_numpy(),
            "adjoining": flows["adjoining"].astype(str).to_numpy(),
        }
    )
    total = pd.DataFrame(
        [
            {
                "authority": "All",
                "region": "",
                "children": int(table["children"].sum()),
                "median_miles": np.nan,
                "adjoining": "",
            }
        ]
    )
    table = pd.concat([table, total], ignore_index=True)
    table.index = ["All" if v == "All" else f"row{i}" for i, v in enumerate(table["authority"])]
    if texts is not None:
        focus = flows["from_code" if side == "to" else "to_code"].iloc[0]
        whole = (texts.rows if side == "to" else texts.columns).get(focus, "0")
        safe = table.astype(object).copy()
        safe["children"] = [*texts.cells.reindex(flows.index).tolist(), whole]
    else:
        safe = suppress_table(table, ["children"], total_row="All")
    safe["median_miles"] = _hide_median(safe, table)
    safe.loc["All", "median_miles"] = ""
    safe = panel.order_safely(safe.reset_index(drop=True), "children", "authority")
    label = "Placed in" if side == "to" else "Placed by"
    return safe.rename(
        columns={
            "authority": label,
            "region": "Region",
            "children": "Children",
            "median_miles": "Median miles",
            "adjoining": "Shares a border",
        }
    )


def safe_supply(supply: pd.DataFrame, *, register: bool) -> pd.DataFrame:
    """homes_supply for a panel: child counts 1-5 "c" (and the ratio and source names built on them)."""
    if supply is None or supply.empty:
        return pd.DataFrame()
    table = supply.reset_index(drop=True)
    total = {"code": "", "name": ALL, "region": "", "main_other_sources": "", "places_per_own_child": np.nan}
    for col in (
        "homes",
        "places",
        "own_children_in_homes",
        "children_in_homes_here",
        "from_own",
        "from_other_authorities",
    ):
        total[col] = int(table[col].sum())
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table.index = [ALL if v == ALL else f"row{i}" for i, v in enumerate(table["name"])]
    # children in homes here = from own + from other authorities: a row total, protected as one.
    here = suppress_table(
        table, ["from_own", "from_other_authorities"], total_row=ALL, total_columns=["children_in_homes_here"]
    )
    own = suppress_table(table, ["own_children_in_homes"], total_row=ALL)
    safe = table[["name", "region"]].astype(object).copy()
    if register:
        safe["homes"] = table["homes"].astype(int).map("{:,}".format)
        safe["places"] = table["places"].astype(int).map("{:,}".format)
    safe["own_children_in_homes"] = own["own_children_in_homes"]
    for col in ("children_in_homes_here", "from_own", "from_other_authorities"):
        safe[col] = here[col]
    if register:
        ratio = pd.to_numeric(table["places_per_own_child"], errors="coerce")
        safe["places_per_own_child"] = [
            SUPPRESSED if o == SUPPRESSED else ("x" if pd.isna(r) else f"{r:.2f}")
            for o, r in zip(safe["own_children_in_homes"], ratio)
        ]
        safe.loc[ALL, "places_per_own_child"] = ""
    # The names alone say a pair has children in it: not when the number from other authorities is hidden.
    safe["main_other_sources"] = [
        "" if h == SUPPRESSED else str(s) for h, s in zip(safe["from_other_authorities"], table["main_other_sources"])
    ]
    safe = safe.reset_index(drop=True)
    return safe.rename(
        columns={
            "name": "Authority",
            "region": "Region",
            "homes": "Homes listed here",
            "places": "Registered places",
            "own_children_in_homes": "Own children in homes (anywhere)",
            "children_in_homes_here": "Children in homes here",
            "from_own": "of them its own",
            "from_other_authorities": "of them from other authorities",
            "places_per_own_child": "Places per own child in a home",
            "main_other_sources": "Main other authorities placing here",
        }
    )


def _with_unit(value, unit: str) -> str:
    return str(value) if value in (SUPPRESSED, "x", "") else f"{value}{unit}"


def focus_tiles(row: pd.Series) -> pd.DataFrame:
    """Headline tiles of one authority from its (already disclosure-controlled) row of the authority table."""
    over = f"Over {OVER_DISTANCE_MILES} miles"
    return pd.DataFrame(
        [
            {
                "measure": "Children looked after",
                "shown": row["Children looked after"],
                "detail": "on the snapshot date",
                "definition": "children of this authority in placement on the snapshot date",
            },
            {
                "measure": f"{over} from home",
                "shown": _with_unit(row[f"% over {OVER_DISTANCE_MILES} miles"], "%"),
                "detail": components.counted(row[over], "child", "children"),
                "definition": "placed more than 20 miles from their home postcode",
            },
            {
                "measure": "Outside the authority",
                "shown": _with_unit(row["% outside the authority"], "%"),
                "detail": components.counted(row["Outside the authority"], "child", "children"),
                "definition": "placed outside their own authority",
            },
            {
                "measure": "Median distance",
                "shown": _with_unit(row["Median miles"], " miles"),
                "detail": "of children whose distance is known",
                "definition": "median straight-line miles from home postcode to placement postcode",
            },
        ]
    )


def map_note(summary: dict | None, floor: int) -> str:
    """What the flow map drew and left out (pair counts; children only for drawn pairs, all of 6+)."""
    if not summary:
        return ""
    parts = [
        f"Drawn: {summary.get('drawn_pairs', 0):,} pairs of authorities ({summary.get('drawn_children', 0):,} children)"
    ]
    if summary.get("small_pairs"):
        parts.append(
            f"{summary['small_pairs']:,} pairs of fewer than {max(floor, SMALL_NUMBER_MAX + 1)} children not drawn"
        )
    if summary.get("no_location"):
        parts.append(f"{summary['no_location']:,} pairs outside the boundaries shown")
    if summary.get("over_max"):
        parts.append(f"{summary['over_max']:,} smallest pairs left off to keep the map fast")
    return "; ".join(parts) + "."


# The panel's versions of the tables, cached too: the page draws them on every rerun.
@st.cache_data(show_spinner=False, max_entries=32)
def panel_tables(fingerprint: str, on, groups: tuple = (), providers: tuple = ()) -> dict[str, pd.DataFrame]:
    """safe_figures of ``by_authority`` and ``by_region``, safe_net of ``net`` (all authorities) and
    ``flow_texts``: the flows' figures as every view of them shows them."""
    tables = regional_tables(fingerprint, on, groups, providers)
    if not tables:
        return {}
    texts = flow_texts(tables["flows"])
    return {
        "by_authority": safe_figures(tables["by_authority"], "name"),
        "by_region": safe_figures(tables["by_region"], "region"),
        "net": safe_net(tables["net"], texts=texts),
        "flow_texts": texts,
    }


@st.cache_data(show_spinner=False, max_entries=16)
def panel_missing_tables(fingerprint: str, start, end) -> dict[str, pd.DataFrame]:
    """safe_missing of missing_tables' ``by_authority`` and ``by_region``; empty without missing episodes."""
    missing = missing_tables(fingerprint, start, end)
    if not missing:
        return {}
    return {
        "by_authority": safe_missing(missing["by_authority"], "name"),
        "by_region": safe_missing(missing["by_region"], "region"),
    }


# ------------------------------------------------------------------ the map
@st.cache_data(show_spinner="Drawing the map...", max_entries=32)
def flow_map_rendered(
    flows: pd.DataFrame, codes: tuple, *, tiles: bool, min_children: int, totals: tuple | None = None
) -> tuple | None:
    """(rendered map for ui.map_view.show_map, its flow summary): ``flows`` over the polygons of ``codes``."""
    from maps.flow_map import flow_map

    boundaries = None
    try:
        everything = reference.boundaries()
        boundaries = everything[everything["code"].isin(sorted(codes))]
        if boundaries.empty:
            boundaries = everything
    except Exception as exc:  # noqa: BLE001 - the map cannot be drawn without polygons; say so, keep the tables
        st.warning(f"Authority boundaries are not available ({type(exc).__name__}): no flow map.")
        return None
    m = flow_map(flows, boundaries=boundaries, tiles=tiles, min_children=min_children, totals=totals)
    return map_view.render_map(m), getattr(m, "flow_summary", None)


# ------------------------------------------------------------------ the page
dataset, fingerprint, filters = page.start_page()
st.title("Placements across authorities")
codes = responsible_authorities(fingerprint)

if len(codes) < 2:
    loaded = (
        f"one authority ({authority_name(codes[0] if codes else dataset.la_code)})"
        if (codes or dataset.la_code)
        else "no responsible authority"
    )
    st.info(
        f"This page compares several children's services authorities at once. The data loaded now holds "
        f"{loaded}, so there is nothing to compare.\n\n"
        "It needs **pooled multi-council 903 files**: episodes and header files with an `LA` column naming each "
        "row's responsible authority (as London's boroughs or a regional care co-operative share them). Load "
        "them on the **Data** page and leave the responsible authority blank: each row's own authority is used.\n\n"
        "To try it on synthetic data, generate pooled files for neighbouring authorities, e.g. "
        "`.venv/bin/python -m data.england --out england_demo --authorities 10` (or without `--authorities` "
        "for all 153), then load the files in `england_demo/` on the Data page.",
        icon=":material/info:",
    )
    page.end_page()
    st.stop()

tables = regional_tables(fingerprint, filters.snapshot, filters.groups, filters.providers)
st.caption(
    f"{len(codes)} responsible authorities loaded: children looked after {filters.describe()}, each "
    f"measured from their own authority. {components.SUPPRESSION_NOTE}"
)
if dataset.la_code:
    st.caption(
        f"One responsible authority ({authority_name(dataset.la_code)}) was chosen on the Data page; "
        "this page measures every child from the authority named on their own row instead."
    )
if not tables:
    st.warning("No children in placement on this date with these filters.")
    page.end_page()
    st.stop()

names = tables["by_authority"].set_index("code")["name"].to_dict()
focus = st.selectbox(
    "Focus on one authority",
    [FOCUS_ALL, *[c for c in codes if c in names]],
    key="regional_focus",
    format_func=lambda c: "All authorities loaded" if c == FOCUS_ALL else names.get(c, c),
    help="Shows one authority's headline figures and who it places children with, and zooms the map to it.",
)

# ------------------------------------------------------------------ headline figures
shown = panel_tables(fingerprint, filters.snapshot, filters.groups, filters.providers)
by_authority, by_region = shown["by_authority"], shown["by_region"]
if focus != FOCUS_ALL:
    row = by_authority[by_authority["Authority"] == names[focus]].iloc[0]
    components.headline_tiles(focus_tiles(row))

st.subheader("Headline figures by authority")
st.caption(
    "Percentages are of all the authority's children looked after (unknown distances included); "
    "the last row is all authorities loaded."
)
components.safe_table(by_authority, height=min(38 * (len(by_authority) + 1), 560))
components.download_csv(by_authority, "placements_by_authority.csv")

st.subheader("By region")
components.safe_table(by_region)
components.download_csv(by_region, "placements_by_region.csv")

# ------------------------------------------------------------------ flows
st.subheader("Who places children where")
# Every view of the flows (map, tables out and in, net) shows the same figure for a pair or a total.
flows = tables["flows"].assign(children_shown=shown["flow_texts"].cells)
if focus != FOCUS_ALL:
    flows = flows[(flows["from_code"] == focus) | (flows["to_code"] == focus)]
    map_codes = set(flows["from_code"]) | set(flows["to_code"]) | {focus}
else:
    map_codes = set(flows["from_code"]) | set(flows["to_code"]) | set(codes)
national = len(codes) >= NATIONAL_FROM and focus == FOCUS_ALL
left, right = st.columns(2)
with left:
    min_children = st.select_slider(
        "Smallest pair drawn (children)",
        FLOOR_CHOICES,
        key=f"regional_floor_{focus or 'all'}",
        value=NATIONAL_MIN_CHILDREN if national else SMALL_NUMBER_MAX + 1,
        help="Pairs of 1-5 children are never drawn. A higher floor keeps a national map readable.",
    )
with right:
    tiles = st.checkbox(
        "Show basemap (needs internet)",
        value=False,
        key="regional_tiles",
        help="Off: the map works offline and shows boundaries only.",
    )
drawn = flow_map_rendered(
    flows,
    tuple(sorted(map_codes)),
    tiles=tiles,
    min_children=int(min_children),
    totals=(shown["flow_texts"].rows, shown["flow_texts"].columns),
)
if drawn is not None:
    rendered, flow_summary = drawn
    map_view.show_map(rendered, key="regional_map", height=640)
    st.caption(
        "One curved line per pair of authorities, wider for more children, coloured by the pair's median "
        "distance; it bends clockwise and its arrow points to where the children are placed. Areas are coloured "
        "by net flow (children placed there by others minus children placed elsewhere). "
        + map_note(flow_summary, int(min_children))
    )

if focus != FOCUS_ALL:
    out_tab, in_tab = st.tabs([f"{names[focus]} places in", f"Placing in {names[focus]}"])
    with out_tab:
        table = safe_flows(flows[flows["from_code"] == focus], side="to", texts=shown["flow_texts"])
        components.safe_table(table, height=420)
        components.download_csv(table, "placements_out.csv")
    with in_tab:
        st.caption("Only authorities whose own data is loaded are counted here.")
        table = safe_flows(flows[flows["to_code"] == focus], side="from", texts=shown["flow_texts"])
        components.safe_table(table, height=420)
        components.download_csv(table, "placements_in.csv")

st.subheader("Net importers and exporters")
st.caption(
    "Net = children placed in an authority by other authorities minus children it places in others. "
    "Authorities whose own data is not loaded count only what the loaded ones place there. A net is shown "
    "only when both of its counts are."
)
net_table = (
    shown["net"]
    if focus == FOCUS_ALL
    else safe_net(tables["net"][tables["net"]["code"] == focus], total=False, texts=shown["flow_texts"])
)
components.safe_table(net_table, height=420)
components.download_csv(net_table, "net_placements_by_authority.csv")

# ------------------------------------------------------------------ missing from care
st.subheader("Missing from care by authority")
missing = panel_missing_tables(fingerprint, filters.start, filters.end)
if not missing:
    st.info("No missing episodes are loaded: add the 903 Missing tables or the missing teams' logs on the Data page.")
else:
    st.caption(
        f"Missing (M) and away (A) episodes starting from {filters.start:%d %B %Y} to {filters.end:%d %B %Y} "
        "(the trend period in the sidebar), counted for the authority responsible for the child. % who went "
        "missing is of children looked after at any time in the period; return home interviews are of "
        "episodes that have ended. The Missing & hotspots page maps them, for all authorities, a region "
        "or one authority."
    )
    missing_by_authority = missing["by_authority"]
    components.safe_table(missing_by_authority, height=min(38 * (len(missing_by_authority) + 1), 560))
    components.download_csv(missing_by_authority, "missing_by_authority.csv")
    missing_by_region = missing["by_region"]
    components.safe_table(missing_by_region)
    components.download_csv(missing_by_region, "missing_by_region.csv")

# ------------------------------------------------------------------ children's homes
st.subheader("Children's homes supply and where the children in them come from")
supply, register = homes_supply_table(fingerprint, filters.snapshot)
if supply.empty:
    st.info("No children's homes found: load a homes register or 903 episodes with K1/K2 placements.")
else:
    st.caption(
        (
            "Homes from the loaded children's homes register(s), located by postcode. "
            if register
            else "No homes register loaded: homes are inferred from 903 episodes in children's homes (K1/K2), so "
            "registered places are not known. "
        )
        + f"Children in children's homes on {filters.snapshot:%d %B %Y}, all placement types."
    )
    if focus != FOCUS_ALL:
        supply = supply[supply["code"] == focus]
    supply_table = safe_supply(supply, register=register)
    components.safe_table(supply_table, height=420)
    components.download_csv(supply_table, "childrens_homes_supply.csv")

page.end_page()

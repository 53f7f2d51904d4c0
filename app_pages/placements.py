"""Corporate parenting panel: how far from home our children are placed, and what it costs.

Aggregates only: every count of 1-5 children is shown as "c"; no child id,
postcode finer than a sector or date of birth reaches this page.
"""

from __future__ import annotations

import streamlit as st

from data.schemas import OVER_DISTANCE_MILES
from geo.authorities import authority_name
from maps.placements_map import LAYER_COLUMNS
from ui import cached, components, history_view, map_view, page, panel

dataset, fingerprint, filters = page.start_page()
la_name = authority_name(dataset.la_code)

st.title("Where our children are placed")
st.caption(f"{la_name}: children looked after {filters.describe()}. {components.SUPPRESSION_NOTE}")

located = cached.located_episodes(fingerprint)
if located.empty:
    if not cached.has_authority(dataset):
        st.warning("Choose the responsible authority on the Data page: distances are measured from it.")
    else:
        st.warning("No placement episodes are loaded. Add the 903 episodes file on the Data page.")
    page.end_page()
    st.stop()

# ------------------------------------------------------------------ headline tiles
figures = cached.headline(fingerprint, filters.snapshot, filters.groups, filters.providers)
warning = panel.unknown_warning(figures)
if warning:
    st.warning(warning)
components.headline_tiles(panel.safe_headline(figures))
history_view.show(dataset, "placements")
snap = cached.snapshot(fingerprint, filters.snapshot, filters.groups, filters.providers)
unknown = panel.safe_unknown_distances(panel.unknown_distances(snap))
if not unknown.empty:
    with st.expander(
        f"Distances that could not be measured: {components.counted(unknown['children'].iloc[-1], 'child', 'children')}"
    ):
        st.caption(
            "These children are counted in 'children looked after' but not in the distance measures' denominators."
        )
        components.safe_table(unknown)

# ------------------------------------------------------------------ map
st.subheader("Placement distance map")
st.caption(
    'Authorities are shaded by how many of our children are placed there (1-5 shown as "c", the lightest). '
    "Lines join the centre of the postcode sector each child came from to the centre of the postcode district "
    'of the placement, for the largest flows; the others are under "Other flows" in the layer list (top right). '
    'One line per pair, wider for more children (pairs of 1-5 are all drawn thin and labelled "c"), coloured '
    f"by median distance. The dashed line is {OVER_DISTANCE_MILES} miles from the authority boundary."
)
left, right = st.columns([2, 3])
with left:
    layer_title = st.radio(
        "Layers by",
        list(LAYER_COLUMNS),
        key="placements_layer_by",
        horizontal=True,
        help="Each value becomes a layer you can switch on and off on the map.",
    )
with right:
    tiles = st.checkbox(
        "Show basemap (needs internet)",
        value=False,
        key="placements_tiles",
        help="Off: the map works offline and shows boundaries only.",
    )
flows, summary = cached.flows(
    fingerprint, filters.snapshot, LAYER_COLUMNS[layer_title], filters.groups, filters.providers
)
rendered = panel.placements_map_rendered(
    fingerprint, filters.snapshot, filters.groups, filters.providers, layer_title, tiles, dataset.la_code
)
map_view.show_map(rendered, key="placements_map", height=640)
st.caption(panel.flow_note(summary))

# ------------------------------------------------------------------ breakdowns
st.subheader("Breakdowns")
# Only the open tab is computed (a rerun on opening another): with England loaded the monthly trend
# alone took a second on every change of filter, for a tab most visits never open.
tab_group, tab_provider, tab_receiving, tab_trend, tab_costs = st.tabs(
    ["By placement type", "By provider", "By receiving authority", "Monthly trend", "Costs"],
    key="placements_tab",
    on_change="rerun",
)
with tab_group:
    if tab_group.open:
        table = panel.breakdown_table(
            cached.breakdown(fingerprint, filters.snapshot, "PLACEMENT_GROUP", filters.groups, filters.providers)
        )
        components.safe_table(table)
        components.download_csv(table, "placements_by_type.csv")
with tab_provider:
    if tab_provider.open:
        table = panel.breakdown_table(
            cached.breakdown(fingerprint, filters.snapshot, "PROVIDER_GROUP", filters.groups, filters.providers)
        )
        components.safe_table(table)
        components.download_csv(table, "placements_by_provider.csv")
with tab_receiving:
    if tab_receiving.open:
        table = panel.breakdown_table(
            cached.breakdown(fingerprint, filters.snapshot, "PL_LA_NAME", filters.groups, filters.providers)
        )
        st.caption("The authority each child is placed in (Wales, Scotland and Northern Ireland as nations).")
        components.safe_table(table, height=420)
        components.download_csv(table, "placements_by_receiving_authority.csv")
with tab_trend:
    if tab_trend.open:
        monthly = cached.trend(fingerprint, filters.start, filters.end, filters.groups, filters.providers)
        panel.trend_charts(monthly)
        if not monthly.empty:
            components.download_csv(panel.safe_trend(monthly), "placements_monthly_trend.csv")
with tab_costs:
    if tab_costs.open:
        panel.costs_section(dataset, snap, fingerprint)

page.end_page()

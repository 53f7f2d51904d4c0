"""Corporate parenting panel: the children's homes our children live in.

Homes come from the council's register when one is loaded, otherwise they are
inferred from 903 episodes (PLACE K1/K2). Homes are shown at their postcode
sector; counts of our children of 1-5 are shown as "c"; no child is shown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.disclosure import SMALL_NUMBER_MAX, SUPPRESSED
from data.schemas import HOME_SECTORS, OFSTED_RATINGS, OVER_DISTANCE_MILES
from geo.authorities import authority_name
from maps.homes_map import HOME_POINT_COLUMNS, NO_RATING
from ui import cached, components, map_view, page, panel

dataset, fingerprint, filters = page.start_page()

st.title("Children's homes")
source = (
    "your homes register"
    if dataset.homes is not None and not dataset.homes.empty
    else ("homes inferred from 903 episodes in children's homes (K1/K2): no register loaded")
)
st.caption(
    f"{authority_name(dataset.la_code)}: homes from {source}. Our children counted on "
    f"{filters.snapshot:%d %B %Y}, all placement types. Homes are shown at their postcode sector. "
    f"{components.SUPPRESSION_NOTE}"
)

usage = cached.homes_usage(fingerprint, filters.snapshot)
points = cached.home_points(fingerprint, filters.snapshot)
if usage.empty:
    st.info("No children's homes found: load a homes register or 903 episodes with K1/K2 placements.")
    page.end_page()
    st.stop()

unmatched_rows = usage[usage["NAME"] == "Not matched to a listed home"]
unmatched = int(pd.to_numeric(unmatched_rows["OUR_CHILDREN"], errors="coerce").fillna(0).sum())
listed = usage[usage["NAME"] != "Not matched to a listed home"]

panel_view = page.panel_view()
# Our children per home as a panel may see them, worked out over every listed home before any filter,
# so each home shows the same figure whatever is chosen (docs/disclosure.md).
shown_ours = panel.safe_home_children(usage, points)
sectors, ratings, only_ours = [], [], False
if not panel_view:  # filters are for analysts: two filtered totals could be subtracted
    left, right = st.columns([1, 1])
    with left:
        sectors = st.multiselect("Sector", HOME_SECTORS, key="homes_sector", placeholder="All sectors")
    with right:
        ratings = st.multiselect(
            "Ofsted rating", [*OFSTED_RATINGS, NO_RATING], key="homes_rating", placeholder="All ratings"
        )
    only_ours = st.checkbox("Only homes where our children live", value=False, key="homes_only_ours")

chosen = points
if sectors:
    chosen = chosen[chosen["SECTOR"].astype(object).fillna("").astype(str).str.upper().isin(sectors)]
if ratings:
    chosen = chosen[chosen["OFSTED_RATING"].isin(ratings)]
ours = pd.to_numeric(chosen["OUR_CHILDREN"], errors="coerce").fillna(0).astype(int)
if only_ours:
    chosen, ours = chosen[ours > 0], ours[ours > 0]

# ------------------------------------------------------------------ tiles
filtered = bool(sectors or ratings or only_ours)
# Unfiltered, the count is of every listed home (as in the pack), including homes not on the map.
children_in_homes = (
    int(ours.sum()) if filtered else int(pd.to_numeric(listed["OUR_CHILDREN"], errors="coerce").fillna(0).sum())
)
tiles = pd.DataFrame(
    [
        {
            "measure": "Homes shown",
            "shown": f"{len(chosen):,}",
            "detail": f"of {components.counted(len(listed), 'home', 'homes')} listed",
            "definition": "homes matching the filters that could be placed on the map",
        },
        {
            "measure": "Homes with our children",
            "shown": f"{int((ours > 0).sum()):,}",
            "detail": "on the snapshot date",
            "definition": "homes among those shown where at least one of our children lives",
        },
        {
            "measure": "Our children in these homes",
            "shown": panel.shown(children_in_homes),
            "detail": f"plus {panel.shown(unmatched)} in homes not on the list",
            "definition": "children looked after placed in the homes chosen, or in every listed home when none is "
            "chosen (K1/K2 placements)",
        },
        {
            "measure": "Homes inside our area",
            "shown": f"{int((chosen['WITHIN_LA'] == 'Y').sum()):,}",
            "detail": f"of {len(chosen):,} shown",
            "definition": "homes whose postcode lies in the responsible authority",
        },
    ]
)
components.headline_tiles(tiles)

# ------------------------------------------------------------------ map
tiles_on = st.checkbox(
    "Show basemap (needs internet)",
    value=False,
    key="homes_tiles",
    help="Off: the map works offline and shows boundaries only.",
)
rendered = panel.homes_map_rendered(
    fingerprint, filters.snapshot, tuple(sectors), tuple(ratings), only_ours, tiles_on, dataset.la_code
)
map_view.show_map(rendered, key="homes_map", height=600)
not_located = len(listed) - len(points)
st.caption(
    f"Circle size: registered places; solid circles are homes where our children live. The dashed line is "
    f"{OVER_DISTANCE_MILES} miles from our boundary."
    + (
        f" {components.counted(not_located, 'home', 'homes')} could not be placed (postcode missing or not found)."
        if not_located > 0
        else ""
    )
)

# ------------------------------------------------------------------ table
# Order by the shown count only: ranking homes by a hidden number would give it away.
shown_here = shown_ours.reindex(chosen.index)
rank = pd.to_numeric(shown_here.where(shown_here != SUPPRESSED), errors="coerce").fillna(0)
ranked = int((rank > 0).sum())
st.subheader("Homes used most" if ranked else "Homes, A to Z")
if ranked == 1:
    order = "The one home whose number of our children can be shown comes first; then the others from A to Z"
elif ranked:
    order = (
        f"The {ranked} homes whose number of our children can be shown first, most first; then the others from A to Z"
    )
else:
    order = "No home's number of our children can be shown, so the homes are listed from A to Z"
st.caption(order + f': ordering homes with 1 to {SMALL_NUMBER_MAX} (shown as "c") by their number would give it away.')
table = chosen.assign(OUR_CHILDREN=shown_here, _RANK=rank).sort_values(["_RANK", "NAME"], ascending=[False, True])
table = table[[c for c in HOME_POINT_COLUMNS if c not in ("MAP_LAT", "MAP_LON")]].reset_index(drop=True)
table["MILES_FROM_BOUNDARY"] = [
    "" if pd.isna(v) else f"{float(v):.1f}" for v in pd.to_numeric(table["MILES_FROM_BOUNDARY"], errors="coerce")
]
table = table.rename(
    columns={
        "NAME": "Home",
        "HOME_SECTOR": "Postcode sector",
        "SECTOR": "Sector",
        "TYPE": "Type",
        "PLACES": "Places",
        "OFSTED_RATING": "Ofsted rating",
        "OUR_CHILDREN": "Our children",
        "LA_NAME": "Authority",
        "WITHIN_LA": "Inside our area",
        "MILES_FROM_BOUNDARY": "Miles from our boundary",
    }
)
components.safe_table(table, height=420)
components.download_csv(table, "childrens_homes.csv")
if unmatched:
    st.caption(
        f"{panel.shown(unmatched)} of our children are in children's homes that match no listed home "
        f"(no URN or postcode match)."
    )

page.end_page()

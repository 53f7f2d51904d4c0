"""Missing team: where children go missing and are found, exploitation hotspots, return home interviews.

The analyst's view. Episodes come from the 903 Missing table joined with the
missing team's log (analysis.missing); hotspots are density clusters of where
children were found or went missing from (analysis.hotspots), Gi* hot and cold
cells (analysis.gistar) and emerging hot spots (analysis.emerging). Row-level
detail (pseudonymous ids, notes) is only shown to the analyst role; a panel
role sees aggregates with counts of 1-5 shown as "c".

Role: ``ui.identity.current_role()`` (set by ``ui.auth.require_user``). The menu offers this page to
analysts only; the panel branches below are a second line of defence should it ever be opened
with the panel role.
"""

from __future__ import annotations

import html
import os
from datetime import date
from typing import cast

import numpy as np
import pandas as pd
import streamlit as st

from access.roles import ANALYST, PANEL, sees_row_level
from analysis.areas import AREA_ALL, REGION_PREFIX, area_label
from analysis.disclosure import SUPPRESSED, is_small, suppress_table
from analysis.hotspot_names import hotspot_label
from analysis.missing import (
    REPEAT_EPISODES,
    RHI_NOT_RECORDED,
    RHI_WITHIN_HOURS,
    children_by_episode_count,
)
from data.schemas import RISK_FLAG_LABELS, RISK_FLAGS
from geo.authorities import authority_name
from maps.hotspot_map import hotspot_table
from reports.export import to_safe_csv
from ui import auth, components, history_view, identity, map_view, page
from ui.missing_work import (
    EpisodeChoice,
    HotspotChoice,
    MapChoice,
    area_options,
    children_looked_after,
    chosen_episodes,
    emerging_for,
    episode_cells,
    episode_dates,
    episode_tables,
    episodes_by,
    gi_for,
    hotspot_map_rendered,
    hotspots_for,
    hotspots_job,
    profile_for,
)

LOCATIONS = {"Where found / last located": "found", "Where the child went missing from": "from"}
KINDS = {"Combined (M and A)": "combined", "Missing (M)": "missing", "Away (A)": "away"}
METHODS = {"HDBSCAN (adapts to density)": "hdbscan", "DBSCAN (fixed radius)": "dbscan"}
CELL_SIZES = [250, 500, 750, 1000]
FLAG_NAMES = {flag: RISK_FLAG_LABELS[flag] for flag in RISK_FLAGS}
# Hotspots are found at once for up to this many located episodes: the largest region (14,600) or all of
# England with one risk flag (up to 13,100), clustered and profiled in about a second on 2 cores. All of
# England's 78,000 take 3-5 s on every change, so above the limit the map shows the Gi* grid and episode
# counts and the analyst asks for hotspots with a toggle (docs/scale.md). A faster machine may raise it.
CLUSTER_AT_ONCE = int(os.environ.get("CARE_MAP_CLUSTER_AT_ONCE") or 15_000)
KEY_CLUSTER_LARGE = "missing_cluster_large"


@st.cache_resource(show_spinner=False)
def _pseudonym_key() -> bytes:
    from analysis.disclosure import installation_key

    return installation_key()


# ------------------------------------------------------------------ small helpers
def current_role() -> str:
    """The signed-in role; with none recorded, the least privileged (panel)."""
    role = identity.current_role()
    return role if role in (ANALYST, PANEL) else PANEL


def _shown(n, panel_view: bool) -> str:
    if n is None or pd.isna(n):
        return "-"
    n = int(n)
    return SUPPRESSED if panel_view and is_small([n])[0] else f"{n:,}"


def _counts(frame: pd.DataFrame, columns: list[str], panel_view: bool) -> pd.DataFrame:
    """Counts 1-5 hidden for a panel (with secondary suppression against the total); unchanged for the analyst."""
    if not panel_view or frame.empty:
        return frame
    return suppress_table(frame, [c for c in columns if c in frame])


# The breakdown column of analysis.missing.missing_by, and its share, as the tables head them.
BREAKDOWN_HEADINGS = {
    "PLACEMENT_GROUP": "placement type group",
    "START_WEEKDAY": "day of week",
    "DURATION_BAND": "duration",
    "share": "% of episodes",
}


def _breakdown_table(frame: pd.DataFrame, panel_view: bool, *, share: bool = True) -> None:
    """A missing_by table: its share as % of episodes (0-100) or left out, headings in words, and for a
    panel the counts of 1-5 hidden."""
    frame = frame.assign(share=(100 * frame["share"]).round(1)) if share else frame.drop(columns="share")
    components.safe_table(_counts(frame, ["episodes", "children"], panel_view).rename(columns=BREAKDOWN_HEADINGS))


CHILD_ID_COLUMN = "Child (903 id)"  # analyst view only (sees_row_level); never on a panel page, export or pack


def _escaped(value) -> str:
    """Text from an input file, HTML-escaped for the analyst's tables ("" for blank)."""
    return "" if pd.isna(value) else html.escape(str(value))


def _month_label(d) -> str:
    return f"{pd.Timestamp(d):%b %Y}"


# ------------------------------------------------------------------ page
dataset, fingerprint, filters = page.start_page()
role = current_role()
panel_view = not sees_row_level(role)

st.title("Missing episodes and exploitation hotspots")
areas = area_options(fingerprint)
area = AREA_ALL
if areas:
    area = st.selectbox(
        "Area",
        areas,
        format_func=area_label,
        key="missing_area",
        help="Several authorities are loaded: all of them, one region or one authority. Episodes "
        "count for the authority responsible for the child; hotspots and the map follow.",
    )
st.caption(
    f"{area_label(area) if areas else authority_name(dataset.la_code)}: missing (M) and away (A) "
    "episodes from the 903 and the "
    "missing team's log, where children went missing from and where they were found, mapped against "
    "child sexual and criminal exploitation, gangs, county lines, trafficking and substance misuse. "
    + ("Analyst view: counts are exact." if not panel_view else components.SUPPRESSION_NOTE)
)

dates = episode_dates(fingerprint)
if dates is None:
    st.info("No missing episodes are loaded. Add the 903 Missing table or the missing team's log on the Data page.")
    page.end_page()
    st.stop()

first_day, last_day = dates
if first_day == last_day:
    last_day = (pd.Timestamp(first_day) + pd.Timedelta(days=1)).date()
period = st.session_state.get("missing_period")
if not (isinstance(period, (tuple, list)) and len(period) == 2 and first_day <= period[0] <= period[1] <= last_day):
    st.session_state["missing_period"] = (first_day, last_day)

# ------------------------------------------------------------------ controls
c1, c2, c3 = st.columns([2, 2, 3])
with c1:
    location_label = st.radio(
        "Place each episode",
        list(LOCATIONS),
        key="missing_location",
        help="Where the child was found or last located (the log's found postcode or "
        "coordinates), or where they went missing from (the log's postcode, else the "
        "placement's).",
    )
    kind_label = st.radio(
        "Episodes",
        list(KINDS),
        key="missing_kind",
        horizontal=True,
        help="Missing: whereabouts unknown. Away: whereabouts known but not at the placement.",
    )
with c2:
    flags = st.multiselect(
        "Risk flags (any of the selected)",
        RISK_FLAGS,
        format_func=FLAG_NAMES.__getitem__,
        key="missing_flags",
        placeholder="All episodes",
        help="Keeps episodes with at least one of the chosen risks recorded.",
    )
    colour_flag: str = (
        st.selectbox(
            "Colour hotspots by the share with",
            RISK_FLAGS,
            format_func=FLAG_NAMES.__getitem__,
            key="missing_colour_flag",
        )
        or RISK_FLAGS[0]
    )
with c3:
    # The value is the (start, end) pair put in session state above, so the slider is a range.
    start, end = cast(
        tuple[date, date],
        st.slider(
            "Episodes starting between",
            min_value=first_day,
            max_value=last_day,
            key="missing_period",
            format="DD/MM/YYYY",
        ),
    )
    cell_m = st.select_slider("Gi* cell size (hexagons, metres across)", CELL_SIZES, value=500, key="missing_cell_m")
with st.expander("Clustering settings"):
    e1, e2, e3 = st.columns(3)
    with e1:
        min_cluster_size = int(
            st.number_input(
                "Fewest episodes in a hotspot", min_value=3, max_value=200, value=8, step=1, key="missing_min_cluster"
            )
        )
    with e2:
        method_label = st.radio("Method", list(METHODS), key="missing_method")
    with e3:
        eps_m = float(
            st.slider(
                "Radius (metres)",
                50,
                1000,
                250,
                step=50,
                key="missing_eps_m",
                help="DBSCAN: the neighbourhood radius. HDBSCAN: places closer than this are "
                "not split into separate hotspots.",
            )
        )
    st.caption(
        "HDBSCAN finds places of any density at least this many episodes strong; DBSCAN joins episodes "
        "within the radius. Clusters spread wider than 1 km (median distance from their centre) are "
        "not treated as places."
    )

location = LOCATIONS[location_label]
kind = KINDS[kind_label]
method = METHODS[method_label]
flags_key = tuple(sorted(flags))
choice = EpisodeChoice(fingerprint, start, end, flags_key, kind, area)
finder = HotspotChoice(choice, location, min_cluster_size, method, eps_m)
chosen = chosen_episodes(choice)
located = int(chosen[f"{location.upper()}_EASTING"].notna().sum())
pending = None
if located <= CLUSTER_AT_ONCE or st.session_state.get(KEY_CLUSTER_LARGE):
    # Started now, collected when the map needs it: the worker clusters while this thread does the rest.
    pending = hotspots_job(finder)

# ------------------------------------------------------------------ headline tiles
cla = children_looked_after(fingerprint, start, end, area)

tables = episode_tables(choice, cla)
summary = tables["summary"]
by_measure = summary.set_index("measure")
n_eps, n_children = int(len(chosen)), int(chosen["CHILD"].nunique()) if len(chosen) else 0
rhi = tables["rhi"]
rhi_all = rhi.set_index("group").loc["all"] if len(rhi) and tables["rhi_recorded"] else None
repeat = int(by_measure.loc[f"children with {REPEAT_EPISODES}+ episodes", "value"]) if n_children else 0
tiles = pd.DataFrame(
    [
        {
            "measure": "Episodes",
            "shown": _shown(n_eps, panel_view),
            "detail": kind_label,
            "definition": "episodes starting in the period with these filters",
        },
        {
            "measure": "Children",
            "shown": _shown(n_children, panel_view),
            "detail": f"of {components.counted(_shown(cla, panel_view), 'child', 'children')} looked after in the period",
            "definition": "distinct children with at least one episode",
        },
        {
            "measure": f"Children with {REPEAT_EPISODES}+ episodes",
            "shown": _shown(repeat, panel_view),
            "detail": f"of {components.counted(_shown(n_children, panel_view), 'child', 'children')} with an episode",
            "definition": f"children with {REPEAT_EPISODES} or more episodes in the period",
        },
        {
            "measure": f"RHI offered within {RHI_WITHIN_HOURS} h",
            "shown": (
                "not recorded"
                if len(rhi) and not tables["rhi_recorded"]
                else "-"
                if rhi_all is None or pd.isna(rhi_all["offered_within_pct"])
                else (
                    SUPPRESSED
                    if panel_view and is_small([rhi_all["offered_within"]])[0]
                    else f"{rhi_all['offered_within_pct']:.1f}%"
                )
            ),
            "detail": ("" if len(rhi) == 0 else "the 903 holds no interviews; the missing team's log does")
            if rhi_all is None
            else f"{_shown(rhi_all['offered_within'], panel_view)} of {_shown(rhi_all['returned'], panel_view)} returns",
            "definition": f"return home interview offered within {RHI_WITHIN_HOURS} hours of the child's return, "
            "of episodes that have ended",
        },
    ]
)
components.headline_tiles(tiles)
history_view.show(dataset, "missing")
if chosen.empty:
    st.info("No episodes match these filters. Widen the period or clear the risk-flag filter.")
    page.end_page()
    st.stop()

# ------------------------------------------------------------------ map and hotspot profile
st.subheader("Hotspot map")
clustered = located <= CLUSTER_AT_ONCE
note = st.empty()  # above the toggle: the reason comes before the choice
if not clustered:
    clustered = st.toggle(
        f"Find hotspots in all {_shown(located, panel_view)} located episodes (slower)",
        value=False,
        key=KEY_CLUSTER_LARGE,
        help=f"Hotspots are found at once for up to {CLUSTER_AT_ONCE:,} located episodes. "
        "Above that, clustering takes a few seconds on every change of filter.",
    )
spots = None
if clustered:
    if pending is not None and not pending.done():
        # The map's grid layers (cached for it), computed while the worker finds the hotspots; once the
        # hotspots are found, a rerun leaves them to the cached map and does not unpickle them here.
        gi_for(choice, location, cell_m)
        episode_cells(choice, location)
    spots, _labels = hotspots_for(finder)
    n_spots = 0 if spots is None else len(spots)
    st.caption(
        f"{components.counted(n_spots, 'hotspot', 'hotspots')} from {_shown(located, panel_view)} of "
        f"{components.counted(_shown(n_eps, panel_view), 'episode', 'episodes')} with "
        f"a {'found' if location == 'found' else 'missing-from'} location. Outlines are coloured by the share "
        f"of the hotspot's episodes with {FLAG_NAMES[colour_flag]} recorded (of episodes where that flag was "
        "recorded). Switch layers at the top right; click a hotspot to open its profile."
    )
else:
    note.info(
        f"{_shown(located, panel_view)} episodes have a {'found' if location == 'found' else 'missing-from'} "
        f"location: more than the {CLUSTER_AT_ONCE:,} for which hotspots are found at once. The map shows "
        "the Gi* hot and cold spots and the episodes per 500 m square. For hotspots, choose a region or an "
        "authority as the Area, a risk flag or a shorter period, or turn on finding them in all episodes."
    )

options = [] if spots is None else [int(h) for h in spots["hotspot_id"]]  # already sorted by episodes
KEY_SELECTED = "missing_hotspot"
current = st.session_state.get(KEY_SELECTED)
# Assigned on every run, even unchanged: the browser shows the selectbox label it was last sent, so after a
# filter changes the chosen hotspot's episodes (or the hotspot behind its number) it would still show the old
# label; a value set through session state is sent again with its current label.
st.session_state[KEY_SELECTED] = current if current in options else (options[0] if options else None)

tiles_on = st.checkbox(
    "Show basemap (needs internet)",
    value=False,
    key="missing_tiles",
    help="Off: the map works offline and shows only what is drawn on it.",
)
# The outline drawn: the authority chosen as the area, else the one chosen on the Data page.
outlined = area if area and not area.startswith(REGION_PREFIX) else dataset.la_code
# The map the page's width, the chosen hotspot's profile under it: beside it the map was half the page.
map_col, side_col = st.container(), st.container()
with map_col:
    layers_on = st.toggle(
        "Emerging hot spots layer (slower)",
        value=False,
        key="missing_emerging_layer",
        help="Gi* per quarter and a Mann-Kendall trend per cell (analysis.emerging).",
    )
    emerging = emerging_for(choice, location, cell_m, "Q") if layers_on else None
    rendered = hotspot_map_rendered(
        MapChoice(
            finder,
            cell_m,
            layers_on,
            colour_flag,
            st.session_state.get(KEY_SELECTED),
            tiles_on,
            panel_view,
            filters.snapshot,
            outlined,
            clustered,
        )
    )
    clicked = map_view.show_map(rendered, key="missing_map", height=620, returned_objects=["last_object_clicked"])
    point = (clicked or {}).get("last_object_clicked") if isinstance(clicked, dict) else None
    if point and spots is not None and len(spots) and point != st.session_state.get("_missing_last_click"):
        st.session_state["_missing_last_click"] = point
        import shapely

        from geo.projection import BNG, WGS84, transform_points

        (x,), (y,) = transform_points(point["lng"], point["lat"], source=WGS84, target=BNG)
        here = shapely.Point(x, y)
        inside = spots[spots.geometry.contains(here)]
        pick = inside if len(inside) else spots.assign(_d=np.hypot(spots["easting"] - x, spots["northing"] - y))
        if len(inside) == 0:
            pick = pick[pick["_d"] <= 2000].sort_values("_d")
        if len(pick) and int(pick.iloc[0]["hotspot_id"]) != st.session_state.get(KEY_SELECTED):
            st.session_state[KEY_SELECTED] = int(pick.iloc[0]["hotspot_id"])
            st.rerun()  # redraw with the chosen outline highlighted
    st.caption(
        "Gi* cells: red hot spots and blue cold spots at 99 / 95 / 90 % confidence (false discovery rate "
        "corrected); only significant cells are drawn (at most the 1,500 strongest). Grey circles (off at "
        "first when hotspots are drawn): episodes per 500 m square (the 1,000 busiest). "
        "Homes are drawn at their postcode sector; placements as children per postcode district."
    )

with side_col:
    if not clustered:
        st.caption("Hotspot profiles appear here once hotspots are found.")
        selected = None
    elif not options and located == 0:
        # The cause is the data, not the settings: no clustering setting can find a hotspot here.
        st.info(
            "None of these episodes has a place where the child was found: that comes from the missing "
            "team's log (FOUND_POST, or FOUND_LAT and FOUND_LON), which is not loaded or does not record it. "
            'Choose "Where the child went missing from" under Place each episode to use the placement '
            "postcodes of the 903, or add the log on the Data page."
            if location == "found"
            else "None of these episodes has a place the child went missing from: neither the missing team's log "
            "(FROM_POST) nor the 903 placement (PL_POST) gives a postcode that could be located."
        )
        selected = None
    elif not options:
        st.info("No hotspots with these settings: lower the fewest episodes in a hotspot or widen the period.")
        selected = None
    else:
        assert spots is not None  # the options are its hotspot ids
        # One dict, not a DataFrame look-up per option: England has over a thousand hotspots.
        labels_by_id = {
            h: f"{hotspot_label(h, name)}: {components.counted(_shown(n, panel_view), 'episode', 'episodes')}"
            for h, name, n in zip(spots["hotspot_id"], spots["name"], spots["episodes"])
        }
        selected = st.selectbox(
            "Hotspot profile",
            options,
            format_func=labels_by_id.__getitem__,
            key=KEY_SELECTED,
            help="Sorted by episodes. Clicking a hotspot on the map chooses it here.",
        )
    if selected is not None and spots is not None:  # a selection is one of the hotspots found
        profile = profile_for(finder, int(selected))
        spot = spots.loc[spots["hotspot_id"] == selected].iloc[0]
        a, b = st.columns(2)
        a.metric("Episodes at this hotspot", _shown(spot["episodes"], panel_view))
        b.metric("Children at this hotspot", _shown(spot["children"], panel_view))
        st.caption(
            f"{pd.Timestamp(spot['first_date']):%d %b %Y} to {pd.Timestamp(spot['last_date']):%d %b %Y}; "
            f"trend: {spot['trend']}; children also seen at other hotspots: "
            f"{_shown(spot['children_at_other_hotspots'], panel_view)}"
            + (f" (hotspots {spot['linked_hotspots']})" if spot["linked_hotspots"] and not panel_view else "")
        )
        flags_table = (
            profile["flags"]
            .assign(
                flag=lambda f: f["flag"].map(FLAG_NAMES),
                share=lambda f: (100 * pd.to_numeric(f["share"], errors="coerce")).round(1),
            )
            .rename(
                columns={
                    "flag": "Risk",
                    "episodes": "Episodes with it",
                    "recorded": "Episodes recorded",
                    "share": "% of recorded",
                }
            )
        )
        components.safe_table(_counts(flags_table, ["Episodes with it", "Episodes recorded"], panel_view))
        st.markdown("**Episodes by month**")
        by_month = profile["by_month"]
        if panel_view:
            by_month = by_month[~is_small(by_month["episodes"])]
        st.bar_chart(by_month.set_index("month")[["episodes"]], height=180)

if selected is not None:
    # Opened on demand: each closed expander is computed and drawn on no rerun (st.expander's .open),
    # which with a national hotspot was a tenth of a filter change on the server and more in the browser.
    # Labels that do not name the hotspot: a new label is a new expander, closed again.
    more = st.expander(
        "More about the chosen hotspot: when, and where the children were placed", key="missing_more", on_change="rerun"
    )
    with more:
        if more.open:
            st.caption(f"{hotspot_label(spot)}, the one chosen under Hotspot profile above.")
            p1, p2, p3 = st.columns(3)
            with p1:
                st.markdown("**Time of day** (episodes with a recorded time)")
                if "by_time_of_day" in profile:
                    _breakdown_table(profile["by_time_of_day"], panel_view, share=False)
            with p2:
                st.markdown("**Day of week**")
                if "by_weekday" in profile:
                    _breakdown_table(profile["by_weekday"], panel_view, share=False)
            with p3:
                st.markdown("**Placement the children went missing from**")
                if "placements" in profile:
                    _breakdown_table(profile["placements"], panel_view, share=False)
                if "areas" in profile:
                    _breakdown_table(profile["areas"], panel_view, share=False)
            dist, away = spot["median_distance_miles"], spot["out_of_area_share"]
            dist_text = "-" if pd.isna(dist) else f"{dist:.1f} miles"
            away_text = "-" if pd.isna(away) else f"{100 * away:.0f}%"
            st.caption(
                f"Median placement distance from home: {dist_text}; placed out of area: {away_text}; "
                f"placed in: {spot['top_placement_areas'] or '-'}."
            )
    if not panel_view:
        detail_box = st.expander(
            "Analyst only: children and episodes at the chosen hotspot (903 child ids, notes)",
            key="missing_detail",
            on_change="rerun",
        )
        with detail_box:
            if detail_box.open:
                from analysis.disclosure import pseudonymise

                key = _pseudonym_key()
                kids = profile["children"].copy()
                child = kids.pop("CHILD")
                # The 903 id, so the team can act on the list; the pseudonym is what packs and colleagues see.
                kids.insert(0, CHILD_ID_COLUMN, child.map(_escaped))
                kids.insert(1, "Child (pseudonym)", pseudonymise(child, key=key))
                st.caption(f"{hotspot_label(spot)}: its children, then its episodes.")
                components.safe_table(kids)
                here = profile["episodes"]
                cols = [
                    "MISSING",
                    "MIS_START",
                    "MIS_END",
                    "DURATION_BAND",
                    *RISK_FLAGS,
                    "PLACEMENT_GROUP",
                    "PL_LOCATION",
                    "FOUND_POST",
                    "NOTES",
                ]
                detail = here[[c for c in cols if c in here]].copy()
                detail.insert(0, CHILD_ID_COLUMN, here["CHILD"].map(_escaped))
                detail.insert(1, "Child (pseudonym)", pseudonymise(here["CHILD"], key=key))
                if "NOTES" in detail:
                    detail["NOTES"] = detail["NOTES"].map(_escaped)
                components.safe_table(detail, height=300)
                st.caption(
                    "Never share this table outside the missing team: it names children by their 903 id. "
                    "Share the pseudonym instead (as the briefing packs do): only this installation's key "
                    "links it back to a child."
                )

# ------------------------------------------------------------------ hotspot table
st.subheader("All hotspots")
table = hotspot_table(spots, suppress_small=panel_view) if spots is not None else hotspot_table(None)
st.caption(
    "Click a column heading to sort by it. Shares are % of the episodes where that risk was recorded."
    if clustered
    else "Hotspots have not been found for these choices: see the note above the map."
)
components.safe_table(table, height=360)
export = to_safe_csv(table)
st.session_state["_missing_hotspots_csv"] = export  # what the button below downloads (kept for checking)
st.download_button(
    "Download hotspots (CSV)",
    data=export,
    file_name="missing_hotspots.csv",
    mime="text/csv",
    key="missing_hotspots_csv",
    icon=":material/download:",
    on_click=auth.audited(
        "export",
        "missing_hotspots.csv",
        area=area_label(area),
        location=location,
        episodes=kind,
        risk_flags=list(flags_key) or "all",
        period=f"{start.isoformat()} to {end.isoformat()}",
    ),
)

# ------------------------------------------------------------------ where children are found (ui.where_found)
st.subheader("Where children are found")
found_box = st.expander(
    "How far, in which authority, journeys, links between hotspots and places of concern",
    key="missing_found",
    on_change="rerun",
)
with found_box:
    if found_box.open:
        from analysis.disclosure import pseudonymise
        from ui.where_found import show_where_found

        show_where_found(
            key=(finder, clustered),
            chosen=chosen,
            everyone=chosen_episodes(EpisodeChoice(fingerprint, start, end, flags_key, kind, AREA_ALL))
            if areas
            else None,
            spots=spots,
            labels=_labels if spots is not None else None,
            location=location,
            colour_flag=colour_flag,
            area=area,
            home_la=dataset.la_code,
            selected=selected,
            panel_view=panel_view,
            tiles=tiles_on,
            pseudonyms=lambda ids: pseudonymise(ids, key=_pseudonym_key()),
            user=identity.current_user(),
        )

# ------------------------------------------------------------------ episode analysis
st.subheader("Episodes")
# Only the open tab is computed and drawn (a rerun on opening another), so a change of filter does not
# redo six tables and two charts nobody is looking at.
t_sum, t_dur, t_rep, t_place, t_when, t_rhi, t_emerging = st.tabs(
    [
        "Summary",
        "Duration",
        "Repeat children",
        "Placement",
        "Time of day and week",
        "Return home interviews",
        "Emerging hot spots",
    ],
    key="missing_tab",
    on_change="rerun",
)
with t_sum:
    if t_sum.open:
        table = summary.copy()
        if panel_view:
            table["value"] = [
                (
                    _shown(v, True)
                    if not m.startswith("%") and "per child" not in m
                    else (SUPPRESSED if is_small([d])[0] else ("-" if pd.isna(v) else f"{v:g}"))
                )
                for m, v, d in zip(table["measure"], table["value"], table["denominator"])
            ]
            table["denominator"] = [_shown(d, True) for d in table["denominator"]]
        else:  # a measure that is not a share of anything has no "Out of": blank, not "None"
            table["denominator"] = ["" if pd.isna(d) else f"{int(d):,}" for d in table["denominator"]]
        components.safe_table(
            table.rename(
                columns={"measure": "Measure", "value": "Value", "denominator": "Out of", "definition": "Definition"}
            )
        )
        st.caption(
            f"Children looked after in the period ({cla:,} here) counts every child with a 903 episode open at "
            "any time between the chosen dates. Percentages are 0-100."
        )
with t_dur:
    if t_dur.open:
        dur = episodes_by(choice, "duration")
        _breakdown_table(dur, panel_view)
        st.caption("A band includes its lower edge (exactly 24 hours is 1-2 days). 903-only episodes have dates only.")
with t_rep:
    if t_rep.open:
        rows = children_by_episode_count(chosen).rename(
            columns={"band": "Episodes in the period", "children": "Children", "episodes": "Episodes"}
        )
        components.safe_table(_counts(rows, ["Children", "Episodes"], panel_view))
        st.caption(f"Repeat missing children: {REPEAT_EPISODES} or more episodes in the period.")
with t_place:
    if t_place.open:
        left, right = st.columns(2)
        with left:
            st.markdown("**By placement type group** (at the start of the episode)")
            by_group = episodes_by(choice, "placement type")
            _breakdown_table(by_group, panel_view)
        with right:
            st.markdown("**Placed in or out of the authority**")
            by_area = episodes_by(choice, "area")
            _breakdown_table(by_area, panel_view)
with t_when:
    if t_when.open:
        left, right = st.columns(2)
        with left:
            tod = episodes_by(choice, "time of day")
            st.markdown("**Time of day** (log episodes with a recorded time)")
            _breakdown_table(tod, panel_view, share=False)
            shown_tod = tod[tod["time of day"] != "not known"]
            if not panel_view or not is_small(shown_tod["episodes"]).any():
                st.bar_chart(shown_tod.set_index("time of day")[["episodes"]], height=200)
        with right:
            dow = episodes_by(choice, "day of week")
            st.markdown("**Day of week**")
            _breakdown_table(dow, panel_view, share=False)
            if not panel_view or not is_small(dow["episodes"]).any():
                st.bar_chart(dow.set_index("START_WEEKDAY")[["episodes"]], height=200)
with t_rhi:
    if t_rhi.open:
        if rhi.empty:
            st.caption("No episode has ended in the period.")
        elif not tables["rhi_recorded"]:
            st.info(RHI_NOT_RECORDED)
        else:
            table = rhi.rename(
                columns={
                    "group": "Children",
                    "returned": "Episodes ended",
                    "offered": "RHI offered",
                    "offered_within": f"Offered within {RHI_WITHIN_HOURS} h",
                    "offered_within_pct": f"% offered within {RHI_WITHIN_HOURS} h",
                    "completed": "RHI completed",
                    "completed_within": f"Completed within {RHI_WITHIN_HOURS} h",
                    "completed_pct": "% completed",
                    "accepted": "Accepted",
                    "accepted_recorded": "Acceptance recorded",
                    "accepted_pct": "% accepted (of recorded)",
                }
            )
            if panel_view:
                counts = [
                    "Episodes ended",
                    "RHI offered",
                    f"Offered within {RHI_WITHIN_HOURS} h",
                    "RHI completed",
                    f"Completed within {RHI_WITHIN_HOURS} h",
                    "Accepted",
                    "Acceptance recorded",
                ]
                table = suppress_table(
                    table,
                    counts,
                    percent_columns={
                        f"% offered within {RHI_WITHIN_HOURS} h": f"Offered within {RHI_WITHIN_HOURS} h/Episodes ended",
                        "% completed": "RHI completed/Episodes ended",
                        "% accepted (of recorded)": "Accepted/Acceptance recorded",
                    },
                )
            components.safe_table(table)
            st.caption(
                f"Statutory guidance: a return home interview should be offered within {RHI_WITHIN_HOURS} hours "
                "of the child's return. Counts are of episodes that have ended; % accepted is of episodes where "
                "acceptance was recorded. Children placed out of the authority are usually interviewed by the "
                "host authority, which is why the split matters."
            )
with t_emerging:
    if t_emerging.open:
        if emerging is None:
            st.button(
                "Find emerging hot spots",
                key="missing_emerging_run",
                on_click=lambda: st.session_state.update(missing_emerging_layer=True),
            )
            st.caption("Turn on the emerging hot spots layer above the map (or press the button) to compute them.")
        elif len(emerging) == 0:
            st.caption("No cells with episodes.")
        else:
            cats = emerging["category"].value_counts().rename_axis("Category").reset_index(name="Cells")
            components.safe_table(cats)
            patterned = emerging[emerging["category"] != "no pattern detected"]
            shown_cells = pd.DataFrame(patterned.drop(columns=["geometry", "z_by_slice"]))
            shown_cells = shown_cells[
                [
                    "cell_id",
                    "category",
                    "episodes",
                    "hot_slices",
                    "cold_slices",
                    "slices",
                    "final_z",
                    "trend",
                    "trend_p",
                ]
            ].sort_values(["category", "episodes"], ascending=[True, False])
            components.safe_table(
                _counts(shown_cells.round({"final_z": 2, "trend_p": 3}), ["episodes"], panel_view), height=300
            )
            st.caption(
                f"Quarterly Gi* on {cell_m} m hexagons from {_month_label(start)} to {_month_label(end)}, "
                "with a "
                "Mann-Kendall trend on each cell's z-scores (ArcGIS categories; see docs/hotspots.md)."
            )


page.end_page()

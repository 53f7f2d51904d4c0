"""The Missing page's "where children are found" section: distances, authorities, journeys, hotspot
links and places of concern (analysis.found, analysis.journeys, analysis.hotspot_links,
analysis.places_of_concern, maps.journeys_map).

The page hands in what it has already chosen (episodes, hotspots and each episode's hotspot) with a
``key`` tuple naming those choices; the heavy pieces are cached on the key. A panel role sees counts
1-5 as "c", links and journeys of 1-5 children not at all, and no place-of-concern notes.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import streamlit as st

from analysis.areas import REGION_PREFIX, in_area
from analysis.disclosure import SUPPRESSED, is_small, suppress_table
from analysis.found import (
    FIGURE_HEADINGS,
    disclosed_found_figures,
    found_figures,
    found_from_elsewhere,
    found_in_authorities,
)
from analysis.hotspot_links import disclosed_links, hotspot_links, linked_children, links_of, strongest_links
from analysis.hotspot_names import hotspot_label
from data.schemas import OVER_DISTANCE_MILES, RISK_FLAG_LABELS
from geo.authorities import authority_name
from ui import components, map_view, reference

STRONGEST_LINKS = 20
KEY_PLACES_VERSION = "where_found_places_version"


@st.cache_resource(show_spinner=False)
def places_engine():
    """The store, where places of concern are kept (one engine per process, shared by every session)."""
    from store.schema import open_store

    return open_store()


def _places() -> pd.DataFrame:
    from analysis.places_of_concern import list_places

    return list_places(places_engine())


@st.cache_data(show_spinner=False, max_entries=16)
def _links(key: tuple, _episodes: pd.DataFrame, _labels) -> pd.DataFrame:
    return hotspot_links(_episodes, None if _labels is None else np.asarray(_labels))


@st.cache_data(show_spinner="Drawing journeys...", max_entries=16)
def _journeys_rendered(
    key: tuple,
    colour_flag: str,
    panel_view: bool,
    tiles: bool,
    places_version: int,
    _episodes: pd.DataFrame,
    _everyone: pd.DataFrame | None,
    _spots,
    _labels,
    to_hotspots: bool,
) -> tuple[dict, dict]:
    from analysis.journeys import corridors, journeys
    from maps.journeys_map import journeys_map

    labels = np.asarray(_labels) if (_labels is not None and to_hotspots) else None
    found_journeys = journeys(
        _episodes,
        labels=labels,
        hotspots=_spots if to_hotspots else None,
        flag=colour_flag,
        index=reference.postcode_index(),
    )
    links = _links(key, _episodes, _labels) if _spots is not None and _labels is not None else None
    corridor_rows = corridors(_everyone) if _everyone is not None else None
    m = journeys_map(
        found_journeys,
        hotspots=_spots,
        links=links,
        corridors=corridor_rows,
        places=None if panel_view else _places(),
        boundaries=reference.boundaries(),
        flag_label=RISK_FLAG_LABELS.get(colour_flag, colour_flag),
        suppress_small=panel_view,
        tiles=tiles,
    )
    return map_view.render_map(m), {
        **m.journey_summary,  # type: ignore[attr-defined]
        "left_out": found_journeys.attrs.get("left_out", 0),
    }


def _figures_table(chosen: pd.DataFrame, panel_view: bool) -> None:
    figures = found_figures(chosen)
    shown = disclosed_found_figures(figures) if panel_view else figures
    components.safe_table(shown.rename(columns=FIGURE_HEADINGS))
    words = figures.attrs["definitions"]
    st.caption(
        f"Rows: all episodes, then the episodes with each risk flag recorded. Found over "
        f"{OVER_DISTANCE_MILES} miles: {words['pct_over_20_miles']}. In another authority: "
        f"{words['pct_in_another_authority']}. Median: {words['median_miles']}. Distances are straight lines "
        "between postcode centroids (or the found latitude/longitude), the DfE method; a child missing from "
        "their placement is measured from the log's missing-from postcode, else the placement's."
    )


def _authorities_table(chosen: pd.DataFrame, panel_view: bool) -> None:
    where = found_in_authorities(chosen).drop(columns="FOUND_LA")
    where["share"] = (100 * where["share"]).round(1)
    where = where.rename(
        columns={
            "authority": "Found in",
            "episodes": "Episodes",
            "children": "Children",
            "share": "% of episodes (place known)",
        }
    )
    if panel_view:
        where = suppress_table(
            where, ["Episodes", "Children"], percent_columns={"% of episodes (place known)": "Episodes"}
        )
    components.safe_table(where, height=260)


def _from_elsewhere_table(everyone: pd.DataFrame, area: str, home_la: str | None, panel_view: bool) -> None:
    from analysis.journeys import corridors

    if area and not area.startswith(REGION_PREFIX):
        table = found_from_elsewhere(everyone, area).drop(columns="LA_CODE")
        where = authority_name(area)
    else:
        rows = corridors(everyone)
        target = area if area else None
        if target is None and home_la:
            target = home_la
        if target is None:
            st.caption("Choose a region or an authority as the Area to see children of other authorities found in it.")
            return
        inside = in_area(rows["to_code"], target) & ~in_area(rows["from_code"], target)
        table = (
            rows[inside]
            .groupby("from_name")
            .agg(episodes=("episodes", "sum"), children=("children", "sum"))
            .reset_index()
            .rename(columns={"from_name": "authority"})
            .sort_values("episodes", ascending=False)
        )
        where = "the area"
    st.markdown(f"**Children of other authorities found in {html.escape(str(where))}**")
    table = table.rename(columns={"authority": "Responsible authority", "episodes": "Episodes", "children": "Children"})
    components.safe_table(_suppressed(table, panel_view), height=220)


def _count(n: int, panel_view: bool) -> str:
    return SUPPRESSED if panel_view and is_small([n])[0] else f"{int(n):,}"


def _suppressed(table: pd.DataFrame, panel_view: bool) -> pd.DataFrame:
    if not panel_view or table.empty:
        return table
    return suppress_table(table, [c for c in ("Episodes", "Children") if c in table])


def _links_tables(key: tuple, chosen: pd.DataFrame, spots, labels, selected, panel_view: bool, pseudonyms) -> None:
    links = _links(key, chosen, labels)
    shown = disclosed_links(links) if panel_view else links
    st.markdown("**Strongest links between hotspots** (children seen at both)")
    components.safe_table(
        strongest_links(shown, n=STRONGEST_LINKS).rename(
            columns={
                "hotspot_a": "Hotspot",
                "hotspot_b": "Linked hotspot",
                "children": "Children at both",
                "episodes_a": "Their episodes at the first",
                "episodes_b": "Their episodes at the second",
            }
        ),
        height=260,
    )
    if panel_view:
        st.caption("Links of 1-5 children are not shown.")
    if selected is None:
        return
    mine = links_of(shown if panel_view else links, int(selected))
    st.markdown(f"**Hotspots linked to hotspot {int(selected)}**")
    components.safe_table(mine.rename(columns={"linked_hotspot": "Linked hotspot", "children": "Children at both"}))
    if not panel_view and len(mine):
        other = int(mine.iloc[0]["linked_hotspot"])
        kids = linked_children(chosen, int(selected), other, labels)
        kids.insert(0, "Child (pseudonym)", pseudonyms(kids.pop("CHILD")))
        st.caption(
            f"Analyst only: the children seen at both hotspot {int(selected)} and hotspot {other}, its strongest link."
        )
        components.safe_table(
            kids.rename(columns={"episodes_a": f"Episodes at {int(selected)}", "episodes_b": f"Episodes at {other}"})
        )


def _places_of_concern(spots, selected, user: str | None) -> None:
    from analysis.places_of_concern import NOTE_MAX_CHARS, mark_hotspot, mark_postcode, unmark_place

    st.markdown("**Places of concern** (kept on this machine; the MASE pack carries only the flag)")
    engine = places_engine()
    with st.form("where_found_mark", clear_on_submit=True):
        what = st.radio("Mark", ["the chosen hotspot", "a postcode"], horizontal=True, key="where_found_mark_what")
        postcode = st.text_input("Postcode (full postcode or sector)", key="where_found_mark_postcode", max_chars=10)
        note = st.text_input("Note (analysts only)", key="where_found_mark_note", max_chars=NOTE_MAX_CHARS)
        if st.form_submit_button("Mark as a place of concern"):
            try:
                if what == "a postcode":
                    mark_postcode(engine, postcode, note=note, marked_by=user or "", index=reference.postcode_index())
                elif selected is None or spots is None:
                    raise ValueError("no hotspot is chosen: choose one under Hotspot profile, or mark a postcode")
                else:
                    spot = spots.loc[spots["hotspot_id"] == int(selected)].iloc[0]
                    mark_hotspot(engine, spot, note=note, marked_by=user or "")
            except ValueError as exc:
                st.error(str(exc))
            else:
                # The journeys map above was drawn before the mark: draw it again with it.
                st.session_state[KEY_PLACES_VERSION] = st.session_state.get(KEY_PLACES_VERSION, 0) + 1
                st.rerun()
    places = _places()
    if places.empty:
        st.caption("No places of concern marked yet.")
        return
    if selected is not None and spots is not None:
        from analysis.places_of_concern import NEAR_METRES, flag_hotspots

        if flag_hotspots(spots[spots["hotspot_id"] == int(selected)], places).any():
            chosen = spots[spots["hotspot_id"] == int(selected)].iloc[0]
            st.caption(
                f"{hotspot_label(chosen)} holds a place of concern (inside its outline or within "
                f"{NEAR_METRES:.0f} m of its centre); the MASE pack flags it."
            )
    components.safe_table(
        places[["id", "kind", "label", "note", "marked_by", "marked_at"]].rename(
            columns={
                "id": "Id",
                "kind": "Kind",
                "label": "Place",
                "note": "Note",
                "marked_by": "Marked by",
                "marked_at": "Marked",
            }
        )
    )
    c1, c2 = st.columns([1, 2])
    with c1:
        gone = st.selectbox(
            "Remove the mark",
            places["id"].tolist(),
            key="where_found_unmark_id",
            format_func=lambda i: f"{i}: {places.set_index('id').at[i, 'label']}",
        )
    with c2:
        if st.button("Remove", key="where_found_unmark"):
            unmark_place(engine, int(gone))
            st.session_state[KEY_PLACES_VERSION] = st.session_state.get(KEY_PLACES_VERSION, 0) + 1
            st.rerun()


def show_where_found(
    *,
    key: tuple,
    chosen: pd.DataFrame,
    everyone: pd.DataFrame | None,
    spots,
    labels,
    location: str,
    colour_flag: str,
    area: str,
    home_la: str | None,
    selected,
    panel_view: bool,
    tiles: bool,
    pseudonyms,
    user: str | None = None,
) -> None:
    """The section's content (the page puts it in a lazy expander).

    ``key``: the page's choices (hashable) naming ``chosen``, ``spots`` and ``labels``; ``everyone``: the
    same choices over every authority loaded (regional mode), else None; ``pseudonyms``: a function from
    child ids to pseudonyms (analyst view only).
    """
    if "FOUND_DISTANCE" not in chosen:
        st.caption("Where children are found needs the found columns (analysis.found).")
        return
    _figures_table(chosen, panel_view)
    left, right = st.columns(2)
    with left:
        st.markdown("**Authorities where our children are found**")
        _authorities_table(chosen, panel_view)
    with right:
        if everyone is not None:
            _from_elsewhere_table(everyone, area, home_la, panel_view)
    st.markdown(
        "**Journeys**: from the postcode sector a child went missing from to the hotspot (or district) "
        f"where found, coloured by the share with {RISK_FLAG_LABELS.get(colour_flag, colour_flag)}"
    )
    version = st.session_state.get(KEY_PLACES_VERSION, 0)
    rendered, summary = _journeys_rendered(
        key, colour_flag, panel_view, tiles, version, chosen, everyone, spots, labels, location == "found"
    )
    map_view.show_map(rendered, key="where_found_map", height=520)
    drawn = summary["journeys"]
    st.caption(
        f"{drawn['drawn']:,} of {drawn['journeys']:,} journeys drawn (most children first"
        + (f"; {drawn['small']:,} of 1-5 children not drawn" if panel_view else "")
        + "); "
        + f"{components.counted(_count(summary['left_out'], panel_view), 'episode', 'episodes')} without a missing-from sector or a place "
        "found are in none. "
        + (
            "Hotspots are where children were found: journeys end at them. "
            if location == "found"
            else "Hotspots are where children went missing from: journeys end at districts. "
        )
        + "Arcs join hotspots where the same children went missing; corridors (regional mode, off at first) "
        "join authorities."
    )
    if spots is not None and labels is not None:
        _links_tables(key, chosen, spots, labels, selected, panel_view, pseudonyms)
    if not panel_view:
        _places_of_concern(spots, selected, user)

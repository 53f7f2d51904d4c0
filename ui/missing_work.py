"""The Missing page's cached work: episodes chosen, hotspots, Gi* cells, tables and the map, each computed
once per choice and shared by the sessions that make the same choice.

Every cache is keyed on one frozen choice object, not on a row of positional arguments:
:class:`EpisodeChoice` (which episodes), :class:`HotspotChoice` (how hotspots are found in them) and
:class:`MapChoice` (how the map draws them).
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import date

import numpy as np
import pandas as pd
import streamlit as st

from analysis.areas import area_choices, in_area
from analysis.missing import interviews_recorded, missing_by, of_kind, return_interviews, summarise_missing
from maps.hotspot_map import hotspot_map
from ui import cached, map_view, reference

EPISODE_CELL_M = 500  # episodes drawn as counts per cell of this size


@dataclass(frozen=True)
class EpisodeChoice:
    """Which episodes: of the dataset ``fingerprint``, starting in [``start``, ``end``], of ``kind``
    (combined, missing, away), of the ``area``'s authorities ("" all), with any of ``flags`` (none: all)."""

    fingerprint: str
    start: date
    end: date
    flags: tuple
    kind: str
    area: str


@dataclass(frozen=True)
class HotspotChoice:
    """How hotspots are found in ``episodes``: placed by ``location`` ("found" or "from"), at least
    ``min_cluster_size`` episodes, ``method`` ("hdbscan" or "dbscan"), radius ``eps_m`` metres."""

    episodes: EpisodeChoice
    location: str
    min_cluster_size: int
    method: str
    eps_m: float


@dataclass(frozen=True)
class MapChoice:
    """How the hotspot map draws them: Gi* ``cell_m`` metres, the emerging layer, the colouring flag, the
    chosen hotspot, basemap tiles, small-number suppression, homes and placements ``on`` a date, the
    outlined authority, and whether hotspots are drawn (``clustered``)."""

    hotspots: HotspotChoice
    cell_m: int
    emerging_on: bool
    colour_flag: str
    selected: int | None
    tiles: bool
    suppress_small: bool
    on: date
    la_code: str | None
    clustered: bool = True


@st.cache_data(show_spinner=False, max_entries=8)
def area_options(fingerprint: str) -> list[str]:
    """Areas to choose from (analysis.areas.area_choices): empty unless several authorities are loaded."""
    eps = cached.missing_episodes(fingerprint)
    return area_choices(eps["LA_CODE"].unique()) if "LA_CODE" in eps and len(eps) else []


@st.cache_data(show_spinner=False, max_entries=8)
def episode_dates(fingerprint: str) -> tuple[date, date] | None:
    """The first and last day a missing or away episode started; None without episodes."""
    eps = cached.missing_episodes(fingerprint)
    if eps.empty:
        return None
    when = pd.to_datetime(eps["MIS_START"])
    return when.min().date(), when.max().date()


# A resource, not data: every piece of the page reads these episodes, and st.cache_data would hand
# each one its own unpickled copy of up to 80,000 rows. Shared and read-only: never modify it. Kept in
# memory as they are (tens of MB each with England loaded), so fewer of them; one takes 0.1 s to redo.
@st.cache_resource(show_spinner=False, max_entries=16)
def chosen_episodes(choice: EpisodeChoice) -> pd.DataFrame:
    """Episodes starting in [start, end], of the kind, of children of the area's authorities
    (analysis.areas; "" = all), with any of the selected risk flags (none = all). Shared: do not modify."""
    fingerprint, start, end, flags, kind, area = astuple(choice)
    eps = cached.missing_episodes(fingerprint)
    if eps.empty:
        return eps
    when = pd.to_datetime(eps["MIS_START"])
    keep = (when >= pd.Timestamp(start)) & (when < pd.Timestamp(end) + pd.Timedelta(days=1))
    keep &= of_kind(eps, kind)
    if area and "LA_CODE" in eps:
        keep &= in_area(eps["LA_CODE"], area)
    if flags:
        any_flag = pd.Series(False, index=eps.index)
        for flag in flags:
            any_flag |= eps[flag].fillna(False).astype(bool)
        keep &= any_flag
    return eps[keep.to_numpy()].reset_index(drop=True)


# A resource: the job itself, shared by every session that asks for the same hotspots, so that a page can
# start it early and collect it later (hotspots_for). Done jobs hold only their result.
@st.cache_resource(show_spinner=False, max_entries=16)
def hotspots_job(finder: HotspotChoice):
    """The hotspots for these choices being found in the analysis worker (analysis.workers.submit):
    HDBSCAN holds the GIL, so in the page's thread it would not overlap the Gi* grid and the tables.
    None when there are too few located episodes."""
    from analysis import workers
    from analysis.hotspots import label_and_find_hotspots

    eps = chosen_episodes(finder.episodes)
    if eps.empty or eps[f"{finder.location.upper()}_EASTING"].notna().sum() < max(finder.min_cluster_size, 2):
        return None
    return workers.submit(
        label_and_find_hotspots,
        eps,
        location=finder.location,
        min_cluster_size=finder.min_cluster_size,
        method=finder.method,
        eps_m=finder.eps_m,
    )


@st.cache_data(show_spinner="Finding hotspots...", max_entries=32)
def hotspots_for(finder: HotspotChoice):
    """(hotspots GeoDataFrame, each chosen episode's HOTSPOT_ID) for these choices."""
    job = hotspots_job(finder)
    if job is None:
        eps = chosen_episodes(finder.episodes)
        return None, pd.Series(-1, index=eps.index, dtype=np.int64)
    return job.result()


@st.cache_data(show_spinner=False, max_entries=32)
def episode_tables(choice: EpisodeChoice, cla: int) -> dict:
    """The summary and return home interview tables for these choices (the tiles need them on every rerun)."""
    chosen = chosen_episodes(choice)
    return {
        "summary": summarise_missing(chosen, children_looked_after=cla or None, kind=choice.kind),
        "rhi": return_interviews(chosen) if len(chosen) else pd.DataFrame(),
        "rhi_recorded": interviews_recorded(chosen),
    }


@st.cache_data(show_spinner=False, max_entries=64)
def episodes_by(choice: EpisodeChoice, by: str) -> pd.DataFrame:
    """analysis.missing.missing_by of these choices' episodes (the tab that shows it computes it)."""
    return missing_by(chosen_episodes(choice), by=by, kind="combined")


@st.cache_data(show_spinner=False, max_entries=64)
def profile_for(finder: HotspotChoice, hotspot_id: int) -> dict:
    """analysis.hotspots.hotspot_profile of one hotspot for these choices (cached: it is redrawn on every rerun)."""
    from analysis.hotspots import HOTSPOT_ID, hotspot_profile

    spots, labels = hotspots_for(finder)
    labelled = chosen_episodes(finder.episodes).assign(**{HOTSPOT_ID: labels.to_numpy()})
    return hotspot_profile(spots, labelled, hotspot_id)


def _extent(eps: pd.DataFrame, location: str):
    """The grid's extent (analysis.gistar.core_extent) of the episodes placed by ``location``; None if too few."""
    from analysis.gistar import core_extent

    prefix = location.upper()
    return None if eps.empty else core_extent(eps, x=f"{prefix}_EASTING", y=f"{prefix}_NORTHING")


@st.cache_data(show_spinner="Computing Gi* hot spots...", max_entries=32)
def gi_for(choice: EpisodeChoice, location: str, cell_m: int):
    """The significant Gi* cells (``gi_bin`` not 0, with polygons) of a hexagonal grid of ``cell_m`` metres."""
    from analysis.gistar import significant_cells

    eps = chosen_episodes(choice)
    extent = _extent(eps, location)
    if extent is None:
        return None
    prefix = location.upper()
    return significant_cells(
        eps, x=f"{prefix}_EASTING", y=f"{prefix}_NORTHING", cell_size_m=cell_m, shape="hex", extent=extent
    )


@st.cache_data(show_spinner=False, max_entries=32)
def episode_cells(choice: EpisodeChoice, location: str):
    """Episodes counted per square cell of EPISODE_CELL_M metres (cells with episodes only; centres, no polygons)."""
    from analysis.gistar import grid_counts

    eps = chosen_episodes(choice)
    extent = _extent(eps, location)
    if extent is None:
        return None
    prefix = location.upper()
    grid = grid_counts(
        eps,
        x=f"{prefix}_EASTING",
        y=f"{prefix}_NORTHING",
        cell_size_m=EPISODE_CELL_M,
        shape="square",
        extent=extent,
        polygons=False,
    )
    return grid[grid["count"] > 0].reset_index(drop=True)


@st.cache_data(show_spinner="Looking for emerging hot spots...", max_entries=16)
def emerging_for(choice: EpisodeChoice, location: str, cell_m: int, period: str):
    from analysis.emerging import emerging_hotspots

    eps = chosen_episodes(choice)
    extent = _extent(eps, location)
    if extent is None:
        return None
    prefix = location.upper()
    return emerging_hotspots(
        eps,
        x=f"{prefix}_EASTING",
        y=f"{prefix}_NORTHING",
        cell_size_m=cell_m,
        period=period,
        extent=extent,
        start=pd.Timestamp(choice.start),
        end=pd.Timestamp(choice.end),
    )


@st.cache_data(show_spinner=False, max_entries=16)
def placements_by_district(fingerprint: str, on: date) -> pd.DataFrame:
    """Children in placement on ``on`` per postcode district of the placement (district, children, lat, lon)."""
    snap = cached.snapshot(fingerprint, on)
    if snap.empty or "PL_POSTCODE_DISTRICT" not in snap:
        return pd.DataFrame(columns=["district", "children", "lat", "lon"])
    district = snap["PL_POSTCODE_DISTRICT"].astype(object).fillna("")
    counts = district[district != ""].value_counts().rename_axis("district").reset_index(name="children")
    found = reference.postcode_index().lookup(counts["district"])
    counts["lat"] = pd.to_numeric(found["lat"], errors="coerce").to_numpy(dtype=float)
    counts["lon"] = pd.to_numeric(found["lon"], errors="coerce").to_numpy(dtype=float)
    return counts


@st.cache_data(show_spinner="Drawing the map...", max_entries=32)
def hotspot_map_rendered(view: MapChoice) -> dict:
    """The hotspot map for these choices, rendered once (ui.map_view.render_map); every layer is a cached piece.
    Not ``view.clustered``: no hotspot outlines, and the episode counts per cell are shown from the start."""
    finder, choice, fingerprint = view.hotspots, view.hotspots.episodes, view.hotspots.episodes.fingerprint
    location, cell_m, on = finder.location, view.cell_m, view.on
    spots = None
    if view.clustered:
        spots, _labels = hotspots_for(finder)
    try:
        from ui.panel import authority_geography

        geography = authority_geography(view.la_code)
    except Exception:  # noqa: BLE001 - a map without outlines is still useful
        geography = {}
    m = hotspot_map(
        spots,
        colour_flag=view.colour_flag,
        authority=geography.get("authority"),
        neighbours=geography.get("neighbours"),
        gi_cells=gi_for(choice, location, cell_m),
        episode_cells=episode_cells(choice, location),
        emerging=emerging_for(choice, location, cell_m, "Q") if view.emerging_on else None,
        homes=cached.home_points(fingerprint, on),
        placements=placements_by_district(fingerprint, on),
        selected=view.selected,
        tiles=view.tiles,
        suppress_small=view.suppress_small,
        show_episode_cells=not view.clustered,
    )
    return map_view.render_map(m)


@st.cache_data(show_spinner=False, max_entries=8)
def children_looked_after_per_authority(fingerprint: str, start: date, end: date) -> pd.Series:
    """Children with a 903 episode open at any time in [start, end], per responsible authority (GSS code)."""
    from analysis.regional import children_looked_after_by_authority

    eps = cached.located_episodes(fingerprint)
    if eps.empty:
        return pd.Series(dtype=np.int64)
    # Per authority: in pooled files a child's id is unique only within its authority.
    return children_looked_after_by_authority(eps, start, end)


def children_looked_after(fingerprint: str, start: date, end: date, area: str) -> int:
    """Children looked after in [start, end] of the area's authorities (the % denominator)."""
    per_authority = children_looked_after_per_authority(fingerprint, start, end)
    return int(per_authority[in_area(per_authority.index, area)].sum())

"""The dataset's derived tables, cached on its fingerprint: what pages draw their figures, tables and maps from.

Each is cached on the short *fingerprint* of this session's dataset (ui.dataset_choice), never on the
big frames themselves, so a filter change only recomputes what depends on the filter.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import streamlit as st

from analysis import periods
from analysis.homes import home_usage, homes_from_register, infer_homes
from analysis.missing import missing_episodes as join_missing_episodes
from analysis.placements import (
    add_placement_location,
    headline_figures,
    monthly_trend,
    placements_on,
    summarise_placements,
)
from data.dataset import Dataset
from data.validation import postcode_match_summary
from geo.authorities import authority_name
from maps.homes_map import locate_homes_by_sector
from maps.placements_map import add_flow_ends, aggregate_flows
from ui.dataset_choice import dataset_for
from ui.reference import postcode_index


# The derived tables below are resources, not data: st.cache_data would unpickle a copy of up to
# 217,000 rows for every reader on every rerun (0.1-0.4 s each with England loaded). Each is shared
# between sessions and read-only: never modify one; analysis functions copy before they change anything.
@st.cache_resource(show_spinner="Measuring placement distances...", max_entries=8)
def located_episodes(fingerprint: str) -> pd.DataFrame:
    """All episodes with placement location columns (analysis.placements.add_placement_location). Shared."""
    dataset = dataset_for(fingerprint)
    if dataset.episodes is None or dataset.episodes.empty or not has_authority(dataset):
        return pd.DataFrame()
    return add_placement_location(dataset.episodes, dataset.la_code, index=postcode_index())


@st.cache_resource(show_spinner="Joining missing episodes...", max_entries=8)
def missing_episodes(fingerprint: str) -> pd.DataFrame:
    """All missing and away episodes (analysis.missing.missing_episodes), placement at the start included. Shared."""
    dataset = dataset_for(fingerprint)
    located = located_episodes(fingerprint)
    return join_missing_episodes(
        dataset,
        episodes=located if not located.empty else None,
        la=dataset.la_code if located.empty else None,
        index=postcode_index(),
    )


def has_authority(dataset: Dataset) -> bool:
    """Distances need the responsible authority (or an LA_CODE column in pooled files)."""
    return bool(dataset.la_code) or "LA_CODE" in getattr(dataset.episodes, "columns", [])


def filter_mask(frame: pd.DataFrame, groups: tuple = (), providers: tuple = ()) -> np.ndarray:
    """True for rows in the chosen placement type groups and provider groups (empty choice = all)."""
    keep = np.ones(len(frame), dtype=bool)
    if groups and "PLACEMENT_GROUP" in frame:
        keep &= frame["PLACEMENT_GROUP"].isin(list(groups)).to_numpy(dtype=bool)
    if providers and "PROVIDER_GROUP" in frame:
        keep &= frame["PROVIDER_GROUP"].isin(list(providers)).to_numpy(dtype=bool)
    return keep


def apply_filters(frame: pd.DataFrame, groups: tuple = (), providers: tuple = ()) -> pd.DataFrame:
    """Rows in the chosen placement type groups and provider groups (empty choice = all)."""
    if frame.empty:
        return frame
    return frame[filter_mask(frame, groups, providers)]


# Snapshots too (see located_episodes): every figure, table and map of a page reads them, 0.4 s of copies
# on each filter change with England loaded. Shared and read-only.
@st.cache_resource(show_spinner=False, max_entries=16)
def _everyone_on(fingerprint: str, on: date) -> pd.DataFrame:
    """Children in placement on ``on`` (one row each), before the sidebar's filters: shared by every filter."""
    located = located_episodes(fingerprint)
    return located if located.empty else add_flow_ends(placements_on(located, pd.Timestamp(on)), index=postcode_index())


@st.cache_resource(show_spinner=False, max_entries=32)  # kept as objects, tens of MB each for England
def snapshot(fingerprint: str, on: date, groups: tuple = (), providers: tuple = ()) -> pd.DataFrame:
    """Children in placement on ``on`` (one row each), filtered by the episode each child has that day.
    Shared (see _everyone_on): do not modify."""
    return apply_filters(_everyone_on(fingerprint, on), groups, providers)


@st.cache_data(show_spinner=False, max_entries=64)
def headline(fingerprint: str, on: date, groups: tuple = (), providers: tuple = ()) -> pd.DataFrame:
    return headline_figures(snapshot(fingerprint, on, groups, providers))


@st.cache_data(show_spinner=False, max_entries=64)
def breakdown(fingerprint: str, on: date, by: str, groups: tuple = (), providers: tuple = ()) -> pd.DataFrame:
    return summarise_placements(snapshot(fingerprint, on, groups, providers), by=by)


@st.cache_data(show_spinner="Computing monthly trend...", max_entries=32)
def trend(fingerprint: str, start: date, end: date, groups: tuple = (), providers: tuple = ()) -> pd.DataFrame:
    located = located_episodes(fingerprint)
    keep = filter_mask(located, groups, providers)
    if located.empty or not keep.any():
        return pd.DataFrame()
    return monthly_trend(located, pd.Timestamp(start), pd.Timestamp(end), keep=keep)


@st.cache_data(show_spinner=False, max_entries=64)
def flows(fingerprint: str, on: date, layer_by: str, groups: tuple = (), providers: tuple = ()):
    return aggregate_flows(snapshot(fingerprint, on, groups, providers), layer_by=layer_by, index=postcode_index())


@st.cache_data(show_spinner="Finding children's homes...", max_entries=8)
def homes(fingerprint: str) -> pd.DataFrame:
    """Children's homes from the register when one was loaded, otherwise inferred from episodes (geocoded)."""
    dataset = dataset_for(fingerprint)
    if dataset.homes is not None and not dataset.homes.empty:
        register = dataset.homes
    else:
        located = located_episodes(fingerprint)
        if located.empty:
            return pd.DataFrame()
        register = infer_homes(located)
    if register.empty:
        return pd.DataFrame()
    return homes_from_register(register, la=dataset.la_code, index=postcode_index())


@st.cache_data(show_spinner=False, max_entries=32)
def homes_usage(fingerprint: str, on: date) -> pd.DataFrame:
    """Homes with ``OUR_CHILDREN`` on the date (all placement groups: a home's use is not filtered)."""
    found = homes(fingerprint)
    if found.empty:
        return found
    return home_usage(found, snapshot(fingerprint, on))


@st.cache_data(show_spinner=False, max_entries=32)
def home_points(fingerprint: str, on: date) -> pd.DataFrame:
    """Homes placed at their postcode sector for the panel map (maps.homes_map.locate_homes_by_sector)."""
    return locate_homes_by_sector(homes_usage(fingerprint, on), index=postcode_index())


@st.cache_data(show_spinner="Matching postcodes...", max_entries=8)
def postcode_summary(fingerprint: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-column match summary, unmatched values) from data.validation.postcode_match_summary."""
    return postcode_match_summary(dataset_for(fingerprint), index=postcode_index())


@st.cache_data(show_spinner=False, max_entries=8)
def data_period(fingerprint: str) -> tuple[date, date]:
    """First and last day covered by the episodes (the snapshot date and trend range lie within):
    analysis.periods.data_period."""
    return periods.data_period(dataset_for(fingerprint).episodes)


@st.cache_data(show_spinner=False, max_entries=8)
def last_full_year(fingerprint: str) -> tuple[date, date]:
    """The last complete April-March year in the data (analysis.periods.last_full_year)."""
    return periods.last_full_year(dataset_for(fingerprint))


@st.cache_data(show_spinner=False, max_entries=8)
def responsible_label(fingerprint: str) -> str:
    """Who the figures are measured from: the chosen authority, or each child's own in pooled files."""
    dataset = dataset_for(fingerprint)
    if dataset.la_code:
        return authority_name(dataset.la_code)
    episodes = dataset.episodes
    if episodes is not None and "LA_CODE" in getattr(episodes, "columns", ()):
        loaded = episodes["LA_CODE"].astype(object).dropna().astype(str).str.strip()
        n = loaded[loaded != ""].nunique()
        if n > 1:
            return f"each child's own ({n} authorities loaded)"
        if n == 1:
            return authority_name(loaded[loaded != ""].iloc[0])
    return authority_name(None)

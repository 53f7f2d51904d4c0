"""Session state and cached loaders: the one place pages get the dataset and derived tables from.

The dataset of a session is an analyst's own upload (kept in this session's memory only, never written
to disk unless published), else the published snapshot (ui.published), else the committed synthetic demo.
Derived tables are cached with ``st.cache_data`` keyed on a short
*fingerprint* of the dataset (a hash of the uploaded bytes and the chosen
authority, or "demo"), never on the big frames themselves, so a filter change
only recomputes what depends on the filter.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from data.dataset import Dataset

ROOT = Path(__file__).resolve().parents[1]
# The committed demo; CARE_MAP_DEMO_DIR points the app at another synthetic set (e.g. for a benchmark).
DEMO_DIR = Path(os.environ.get("CARE_MAP_DEMO_DIR") or ROOT / "data" / "demo_data")
# The committed demo is Kent; another synthetic set names its own (blank: pooled files say per row).
DEMO_LA = os.environ.get("CARE_MAP_DEMO_LA", "E10000016") if os.environ.get("CARE_MAP_DEMO_DIR") else "E10000016"

# Session-state keys, named once.
KEY_SOURCE = "data_source"  # "demo", "upload" or "published"
KEY_INPUT_FILES = "input_files"  # list[data.readers.InputFile], uploads in memory
KEY_LA = "responsible_la"  # GSS code chosen on the Data page, or None to infer
KEY_DATASET = "dataset"
KEY_FINGERPRINT = "dataset_fingerprint"
KEY_USER = "user"  # who is signed in (ui.auth sets it on every run)
KEY_ROLE = "role"  # "analyst" or "panel" (access.roles); app_pages/missing.py reads this key too
SOURCE_DEMO = "demo"
UPLOAD_LABEL = "Your uploaded files (not published)"
SOURCE_UPLOAD = "upload"
SOURCE_PUBLISHED = "published"  # an analyst with an upload in memory looks at a published snapshot


# ------------------------------------------------------------------ resources (one per process)
@st.cache_resource(show_spinner="Loading the ONS postcode index...")
def postcode_index():
    """The process-wide ONS postcode index (memory-mapped)."""
    from geo.postcodes import get_postcode_index

    return get_postcode_index()


@st.cache_resource(show_spinner="Loading authority boundaries...")
def boundaries():
    """All children's services authority boundaries (GeoDataFrame, EPSG:27700)."""
    from geo.boundaries import authority_boundaries

    return authority_boundaries()


@st.cache_resource(show_spinner=False)
def boundaries_note() -> str:
    from geo.boundaries import boundaries_source

    return str(boundaries_source())


@st.cache_resource(show_spinner="Loading the synthetic demo data...")
def demo_dataset() -> Dataset:
    """The committed synthetic demo (read once per process; treated as read-only)."""
    from data.readers import read_folder

    dataset = read_folder(DEMO_DIR, la=DEMO_LA or None)
    _check(dataset)
    dataset.synthetic = True
    dataset.label = dataset.label or (
        "Synthetic demo: " + authority_name(dataset.la_code)
        if dataset.la_code
        else "Synthetic demo: several authorities"
    )
    return dataset


def _check(dataset: Dataset) -> None:
    from data.validation import check_dataset

    check_dataset(dataset, index=postcode_index())


# ------------------------------------------------------------------ who is using the app
def current_user() -> str | None:
    """The signed-in user's name (the local account name, the e-mail address, or ``local:<login>``)."""
    return st.session_state.get(KEY_USER)


def current_role() -> str | None:
    """``"analyst"`` or ``"panel"`` for the signed-in user; None before sign-in."""
    from access.roles import ROLES

    role = st.session_state.get(KEY_ROLE)
    return role if role in ROLES else None


def set_user(name: str, role: str) -> None:
    st.session_state[KEY_USER] = name
    st.session_state[KEY_ROLE] = role


def clear_user() -> None:
    st.session_state.pop(KEY_USER, None)
    st.session_state.pop(KEY_ROLE, None)


# ------------------------------------------------------------------ the session's dataset
def fingerprint_files(files, la: str | None) -> str:
    """A short hash of uploaded files' names and bytes and the chosen authority."""
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.name):
        digest.update(f.name.encode("utf-8", "replace") + b"\0")
        digest.update(hashlib.sha256(f.content).digest())
    digest.update(f"la={la or ''}".encode())
    return "upload:" + digest.hexdigest()[:20]


def use_demo() -> None:
    """Discard this session's upload: back to the published data, or the synthetic demo while none is."""
    st.session_state[KEY_SOURCE] = SOURCE_DEMO
    st.session_state.pop(KEY_INPUT_FILES, None)
    st.session_state.pop(KEY_DATASET, None)
    st.session_state.pop(KEY_FINGERPRINT, None)


def use_uploads(files, la: str | None = None) -> None:
    """Make uploaded ``InputFile``s this session's dataset (read on the next call to current_dataset)."""
    st.session_state[KEY_SOURCE] = SOURCE_UPLOAD
    st.session_state[KEY_INPUT_FILES] = list(files)
    st.session_state[KEY_LA] = la
    st.session_state.pop(KEY_DATASET, None)
    st.session_state.pop(KEY_FINGERPRINT, None)


def current_dataset() -> tuple[Dataset, str]:
    """This session's dataset and its fingerprint.

    An analyst's own upload (labelled "not published"), else the published snapshot the session sees
    (ui.published: the latest, or an analyst's earlier choice), else the synthetic demo.
    """
    from access.roles import ANALYST
    from ui import published

    files = st.session_state.get(KEY_INPUT_FILES) if current_role() in (ANALYST, None) else None
    if not files or st.session_state.get(KEY_SOURCE) != SOURCE_UPLOAD:
        info = published.chosen(current_role())
        return published.dataset_of(info) if info is not None else (demo_dataset(), "demo")
    la = st.session_state.get(KEY_LA)
    fingerprint = fingerprint_files(files, la)
    if st.session_state.get(KEY_FINGERPRINT) != fingerprint or KEY_DATASET not in st.session_state:
        from data.readers import read_inputs

        try:
            with st.spinner("Reading the uploaded files..."):
                dataset = read_inputs(files, la=la)
                _check(dataset)
                dataset.label = UPLOAD_LABEL
        except Exception as exc:  # noqa: BLE001 - never a traceback for the user; say what happened
            st.error(
                f"The uploaded files could not be read ({type(exc).__name__}: {str(exc)[:200]}). "
                "Showing the published data (or, while nothing is published, the synthetic demo) instead."
            )
            use_demo()
            return current_dataset()
        st.session_state[KEY_DATASET] = dataset
        st.session_state[KEY_FINGERPRINT] = fingerprint
    return st.session_state[KEY_DATASET], fingerprint


# ------------------------------------------------------------------ derived tables (cached on fingerprint)
def _dataset_for(fingerprint: str) -> Dataset:
    dataset, current = current_dataset()
    if current != fingerprint:  # cannot happen within one run; guards against a stale key
        raise RuntimeError("dataset changed during a run")
    return dataset


# The derived tables below are resources, not data: st.cache_data would unpickle a copy of up to
# 217,000 rows for every reader on every rerun (0.1-0.4 s each with England loaded). Each is shared
# between sessions and read-only: never modify one; analysis functions copy before they change anything.
@st.cache_resource(show_spinner="Measuring placement distances...", max_entries=8)
def located_episodes(fingerprint: str) -> pd.DataFrame:
    """All episodes with placement location columns (analysis.placements.add_placement_location). Shared."""
    from analysis.placements import add_placement_location

    dataset = _dataset_for(fingerprint)
    if dataset.episodes is None or dataset.episodes.empty or not has_authority(dataset):
        return pd.DataFrame()
    return add_placement_location(dataset.episodes, dataset.la_code, index=postcode_index())


@st.cache_resource(show_spinner="Joining missing episodes...", max_entries=8)
def missing_episodes(fingerprint: str) -> pd.DataFrame:
    """All missing and away episodes (analysis.missing.missing_episodes), placement at the start included. Shared."""
    from analysis.missing import missing_episodes as join_missing_episodes

    dataset = _dataset_for(fingerprint)
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
    from analysis.placements import placements_on
    from maps.placements_map import add_flow_ends

    located = located_episodes(fingerprint)
    return located if located.empty else add_flow_ends(placements_on(located, pd.Timestamp(on)), index=postcode_index())


@st.cache_resource(show_spinner=False, max_entries=32)  # kept as objects, tens of MB each for England
def snapshot(fingerprint: str, on: date, groups: tuple = (), providers: tuple = ()) -> pd.DataFrame:
    """Children in placement on ``on`` (one row each), filtered by the episode each child has that day.
    Shared (see _everyone_on): do not modify."""
    return apply_filters(_everyone_on(fingerprint, on), groups, providers)


@st.cache_data(show_spinner=False, max_entries=64)
def headline(fingerprint: str, on: date, groups: tuple = (), providers: tuple = ()) -> pd.DataFrame:
    from analysis.placements import headline_figures

    return headline_figures(snapshot(fingerprint, on, groups, providers))


@st.cache_data(show_spinner=False, max_entries=64)
def breakdown(fingerprint: str, on: date, by: str, groups: tuple = (), providers: tuple = ()) -> pd.DataFrame:
    from analysis.placements import summarise_placements

    return summarise_placements(snapshot(fingerprint, on, groups, providers), by=by)


@st.cache_data(show_spinner="Computing monthly trend...", max_entries=32)
def trend(fingerprint: str, start: date, end: date, groups: tuple = (), providers: tuple = ()) -> pd.DataFrame:
    from analysis.placements import monthly_trend

    located = located_episodes(fingerprint)
    keep = filter_mask(located, groups, providers)
    if located.empty or not keep.any():
        return pd.DataFrame()
    return monthly_trend(located, pd.Timestamp(start), pd.Timestamp(end), keep=keep)


@st.cache_data(show_spinner=False, max_entries=64)
def flows(fingerprint: str, on: date, layer_by: str, groups: tuple = (), providers: tuple = ()):
    from maps.placements_map import aggregate_flows

    return aggregate_flows(snapshot(fingerprint, on, groups, providers), layer_by=layer_by, index=postcode_index())


@st.cache_data(show_spinner="Finding children's homes...", max_entries=8)
def homes(fingerprint: str) -> pd.DataFrame:
    """Children's homes from the register when one was loaded, otherwise inferred from episodes (geocoded)."""
    from analysis.homes import homes_from_register, infer_homes

    dataset = _dataset_for(fingerprint)
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
    from analysis.homes import home_usage

    found = homes(fingerprint)
    if found.empty:
        return found
    return home_usage(found, snapshot(fingerprint, on))


@st.cache_data(show_spinner=False, max_entries=32)
def home_points(fingerprint: str, on: date) -> pd.DataFrame:
    """Homes placed at their postcode sector for the panel map (maps.homes_map.locate_homes_by_sector)."""
    from maps.homes_map import locate_homes_by_sector

    return locate_homes_by_sector(homes_usage(fingerprint, on), index=postcode_index())


@st.cache_data(show_spinner="Matching postcodes...", max_entries=8)
def postcode_summary(fingerprint: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-column match summary, unmatched values) from data.validation.postcode_match_summary."""
    from data.validation import postcode_match_summary

    return postcode_match_summary(_dataset_for(fingerprint), index=postcode_index())


def data_period(fingerprint: str) -> tuple[date, date]:
    """First and last day covered by the episodes (the snapshot date and trend range lie within)."""
    return _period(fingerprint)


@st.cache_data(show_spinner=False, max_entries=8)
def _period(fingerprint: str) -> tuple[date, date]:
    dataset = _dataset_for(fingerprint)
    ep = dataset.episodes
    if ep is None or ep.empty or "DECOM" not in ep:
        today = date.today()
        return today, today
    start = pd.to_datetime(ep["DECOM"], errors="coerce").min()
    ends = [pd.to_datetime(ep["DECOM"], errors="coerce").max()]
    if "DEC" in ep:
        ends.append(pd.to_datetime(ep["DEC"], errors="coerce").max())
    end = max(e for e in ends if pd.notna(e)) if any(pd.notna(e) for e in ends) else start
    # A 903 year ends on 31 March: use the last 31 March on or after the latest date seen.
    march = pd.Timestamp(year=end.year if end.month <= 3 else end.year + 1, month=3, day=31)
    if pd.isna(start):
        start = march - pd.DateOffset(years=1)
    return start.date(), march.date()


@st.cache_data(show_spinner=False, max_entries=8)
def last_full_year(fingerprint: str) -> tuple[date, date]:
    """The last complete April-March year in the data: 1 April to 31 March, ending on or before the latest date.

    The latest date is the latest episode start or end, or missing episode start, in the loaded
    files. Data that never reaches a 31 March gives the year ending on the next one.
    """
    dataset = _dataset_for(fingerprint)
    latest = pd.NaT
    for frame, columns in (
        (dataset.episodes, ("DECOM", "DEC")),
        (dataset.missing, ("MIS_START",)),
        (dataset.missing_log, ("MIS_START",)),
    ):
        for column in columns:
            if frame is not None and column in getattr(frame, "columns", ()):
                seen = pd.to_datetime(frame[column], errors="coerce").max()
                if pd.notna(seen) and (pd.isna(latest) or seen > latest):
                    latest = seen
    if pd.isna(latest):
        latest = pd.Timestamp(date.today())
    end_year = latest.year if (latest.month, latest.day) >= (3, 31) else latest.year - 1
    if date(end_year, 3, 31) < _period(fingerprint)[0]:  # no 31 March in the data: the year that holds it
        end_year += 1
    return date(end_year - 1, 4, 1), date(end_year, 3, 31)


@st.cache_data(show_spinner=False, max_entries=8)
def responsible_label(fingerprint: str) -> str:
    """Who the figures are measured from: the chosen authority, or each child's own in pooled files."""
    dataset = _dataset_for(fingerprint)
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


def authority_name(code: str | None) -> str:
    if not code:
        return "authority not set"
    from geo.authorities import authorities

    table = authorities()
    match = table.loc[table["code"] == code, "name"]
    return str(match.iloc[0]) if len(match) else str(code)

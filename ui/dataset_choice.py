"""Which dataset a session sees: an analyst's own upload, the published snapshot, or the synthetic demo.

An analyst's upload is kept in this session's memory only, never written to disk unless published
(ui.store_controls); else the session sees the published snapshot (ui.published); else the committed
synthetic demo. Each dataset has a short *fingerprint* (a hash of the uploaded bytes and the chosen
authority, the snapshot's id, or "demo"): the key its derived tables are cached on (ui.cached).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import streamlit as st

from access.roles import ANALYST
from data.dataset import Dataset
from data.readers import read_folder, read_inputs
from data.validation import check_dataset
from geo.authorities import authority_name
from ui import published
from ui.identity import current_role
from ui.reference import postcode_index

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
SOURCE_DEMO = "demo"
UPLOAD_LABEL = "Your uploaded files (not published)"
SOURCE_UPLOAD = "upload"
SOURCE_PUBLISHED = "published"  # an analyst with an upload in memory looks at a published snapshot


@st.cache_resource(show_spinner="Loading the synthetic demo data...")
def demo_dataset() -> Dataset:
    """The committed synthetic demo (read once per process; treated as read-only)."""
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
    check_dataset(dataset, index=postcode_index())


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
    files = st.session_state.get(KEY_INPUT_FILES) if current_role() in (ANALYST, None) else None
    if not files or st.session_state.get(KEY_SOURCE) != SOURCE_UPLOAD:
        info = published.chosen(current_role())
        return published.dataset_of(info) if info is not None else (demo_dataset(), "demo")
    la = st.session_state.get(KEY_LA)
    fingerprint = fingerprint_files(files, la)
    if st.session_state.get(KEY_FINGERPRINT) != fingerprint or KEY_DATASET not in st.session_state:
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


def dataset_for(fingerprint: str) -> Dataset:
    """This session's dataset, checked to be the one ``fingerprint`` names (the cached tables' key)."""
    dataset, current = current_dataset()
    if current != fingerprint:  # cannot happen within one run; guards against a stale key
        raise RuntimeError("dataset changed during a run")
    return dataset

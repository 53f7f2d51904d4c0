"""Import the heavy libraries a page needs later in the background, once per server process.

The Missing page first clusters (``hdbscan``, with scikit-learn) and first draws a chart (``altair``)
only when the analyst narrows the episodes or opens a profile: importing them then made that one
change 1.5 s slower with England loaded. A daemon thread imports them while the first page is read.
"""
from __future__ import annotations

import importlib
import threading

import streamlit as st

MODULES = ("hdbscan", "sklearn.cluster", "altair", "scipy.stats")


def _import_all() -> None:
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a page that needs it will say what is wrong
            pass


@st.cache_resource(show_spinner=False)
def start_warmup() -> threading.Thread:
    """Start the imports (once per process); returns the thread, which the caller need not wait for."""
    thread = threading.Thread(target=_import_all, name="care-map-warmup", daemon=True)
    thread.start()
    return thread

"""Import the heavy libraries a page needs later in the background, once per server process.

The Missing page first clusters (``hdbscan``, with scikit-learn) and first draws a chart (``altair``)
only when the analyst narrows the episodes or opens a profile: importing them then made that one
change 1.5 s slower with England loaded. A daemon thread imports them while the first page is read,
then checks one small chart against the Vega-Lite schema, so the first chart does not load it.
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
    try:
        _first_chart()
    except Exception:  # noqa: BLE001 - as above
        pass


def _first_chart() -> dict:
    """A chart specification checked against the Vega-Lite schema, as st.bar_chart does: the first check
    in a process loads the schema and builds its validator (about 0.1 s)."""
    import altair as alt
    import pandas as pd

    return alt.Chart(pd.DataFrame({"month": ["2025-01"], "episodes": [1]})).mark_bar().encode(
        x="month", y="episodes").to_dict()


@st.cache_resource(show_spinner=False)
def start_warmup() -> threading.Thread:
    """Start the imports (once per process); returns the thread, which the caller need not wait for."""
    thread = threading.Thread(target=_import_all, name="care-map-warmup", daemon=True)
    thread.start()
    return thread

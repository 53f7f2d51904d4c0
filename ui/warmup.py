"""Import the heavy libraries a page needs later in the background, once per server process.

The Missing page first clusters (``hdbscan``, with scikit-learn) and first draws a chart (``altair``)
only when the analyst narrows the episodes or opens a profile: importing them then made that one
change 1.5 s slower with England loaded. A daemon thread imports them while the first page is read,
then checks one small chart against the Vega-Lite schema, so the first chart does not load it, and
starts the analysis worker process (analysis.workers) with two made-up hotspots, so that the worker has
imported and set up what clustering needs before the first real request.
"""

from __future__ import annotations

import importlib
import threading

import streamlit as st

# reports.briefing brings matplotlib (the packs' static maps): 0.3 s on the first visit to the Briefing page.
MODULES = ("hdbscan", "sklearn.cluster", "altair", "scipy.stats", "reports.briefing")


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
    try:
        from analysis import workers

        # Two small hotspots, found in the worker: it loads what clustering and profiling first import
        # (scikit-learn's trees, SciPy's statistics, the projection) before an analyst needs it.
        workers.submit(first_hotspots).result()
    except Exception:  # noqa: BLE001 - as above; without a worker, pages cluster in their own thread
        pass


def first_hotspots():
    """Two made-up hotspots of 20 episodes each, 5 km apart in London, found and profiled (no child data)."""
    import numpy as np
    import pandas as pd

    from analysis.hotspots import label_and_find_hotspots

    step = np.arange(40)
    episodes = pd.DataFrame(
        {
            "CHILD": [f"child {i % 7}" for i in step],
            "MIS_START": pd.Timestamp("2025-01-01") + pd.to_timedelta(step * 9, unit="D"),
            "FOUND_EASTING": 530_000 + 5_000 * (step % 2) + 20 * np.sin(step),
            "FOUND_NORTHING": 180_000 + 20 * np.cos(step),
        }
    )
    return label_and_find_hotspots(episodes, location="found", min_cluster_size=8, method="hdbscan", eps_m=250.0)


def _first_chart() -> dict:
    """A chart specification checked against the Vega-Lite schema, as st.bar_chart does: the first check
    in a process loads the schema and builds its validator (about 0.1 s)."""
    import altair as alt
    import pandas as pd

    return (
        alt.Chart(pd.DataFrame({"month": ["2025-01"], "episodes": [1]}))
        .mark_bar()
        .encode(x="month", y="episodes")
        .to_dict()
    )


@st.cache_resource(show_spinner=False)
def start_warmup() -> threading.Thread:
    """Start the imports (once per process); returns the thread, which the caller need not wait for."""
    thread = threading.Thread(target=_import_all, name="care-map-warmup", daemon=True)
    thread.start()
    return thread

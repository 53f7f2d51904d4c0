"""History on a page: the change since the previous published snapshot, and a trend across all of them.

One line in a page (``history_view.show(dataset, topic)``). Shown only while the page shows published
data; figures go through ``analysis.history`` (and so ``analysis.disclosure``) first.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.history import changes, trend_table
from ui import published


@st.cache_data(show_spinner=False, max_entries=8)
def _figures(store_key: tuple) -> pd.DataFrame:
    """Every snapshot's stored headline figures; ``store_key`` (the snapshots' fingerprints) renews it."""
    from store import read_figures

    return read_figures()


def figures(dataset) -> tuple[pd.DataFrame | None, str | None]:
    """For a pack: the stored figures of every snapshot, and why they could not be read (else None).

    ``(None, None)`` when ``dataset`` is not a published snapshot: such a pack has no history to show.
    """
    if getattr(dataset, "snapshot_id", None) is None:
        return None, None
    try:
        return _figures(tuple(published.fingerprint(s) for s in published.published())), None
    except Exception as exc:  # noqa: BLE001 - a pack without history is still a pack, and says why
        return None, _unavailable(exc)


def _unavailable(exc: Exception) -> str:
    return f"the published snapshots' figures could not be read from the store ({type(exc).__name__})."


def show(dataset, topic: str) -> None:
    """Change since the previous snapshot and a trend chart for ``topic`` ("placements" or "missing")."""
    if getattr(dataset, "snapshot_id", None) is None:
        return
    found = published.published()
    try:
        figures = _figures(tuple(published.fingerprint(s) for s in found))
    except Exception as exc:  # noqa: BLE001 - history is extra: say it is missing, keep the page
        st.caption(f"History across published snapshots is not available: {_unavailable(exc)}")
        return
    lines = changes(figures, topic=topic, snapshot_id=dataset.snapshot_id)
    shown, numbers = trend_table(figures, topic=topic, snapshot_id=dataset.snapshot_id)
    st.subheader("Since the previous published snapshot")
    if lines:
        st.markdown("\n".join(f"- {line}" for line in lines))
    else:
        st.caption("This is the first published snapshot: the change is shown from the next one on.")
    if len(shown) >= 2:
        percent = [c for c in numbers.columns if shown[c].astype(str).str.endswith("%").any()]
        chart = numbers[percent] if percent else numbers
        st.caption(
            "Trend across published snapshots"
            + (" (% of children looked after)" if percent else "")
            + ". A gap is a suppressed figure (c: 1-5 children)."
        )
        st.line_chart(chart, x_label="snapshot date", y_label="%" if percent else "count")
        with st.expander("Trend table"):
            st.dataframe(shown.reset_index().astype(str), hide_index=True)

"""The published snapshots in the app: which one a session sees, one shared copy of each, and the switch.

Panel members see the latest published snapshot. Analysts see it too and may switch to an earlier one
(or to their own upload, which ``ui.dataset_choice`` keeps in the session and labels "not published"). While
nothing is published, everyone sees the synthetic demo. Opening a snapshot is ``st.cache_resource``
keyed by its id: every session of the server shares one read-only copy.
"""

from __future__ import annotations

import streamlit as st

from access.audit import write_audit
from access.roles import ANALYST
from data.dataset import Dataset

KEY_CHOSEN = "published_snapshot_choice"  # an analyst's chosen earlier snapshot id (None: the latest)


def _store_problem(exc: Exception) -> None:
    st.warning(
        f"The store of published data could not be read ({type(exc).__name__}: {str(exc)[:160]}). "
        "Ask IT to check it (docs/operations.md).",
        icon=":material/database:",
    )


def published() -> list:
    """Every published snapshot (``store.SnapshotInfo``), newest first; ``[]`` if none or the store fails."""
    from store import list_snapshots

    try:
        return list_snapshots()
    except Exception as exc:  # noqa: BLE001 - a broken store must not break the page: say so, show the rest
        _store_problem(exc)
        return []


def fingerprint(info) -> str:
    """The cache key of a snapshot's derived tables: its id and publication time (unique across stores)."""
    return f"snapshot:{info.id}@{info.published_at:%Y%m%dT%H%M%S%f}"


# Two: the latest, and an earlier one an analyst is looking at (a whole-England snapshot is a few hundred MB).
@st.cache_resource(show_spinner="Opening the published data...", max_entries=2)
def open_published(key: str, snapshot_id: int) -> Dataset:
    """The published dataset (shared by every session; read-only). ``key`` is :func:`fingerprint`."""
    from store import open_snapshot

    return open_snapshot(snapshot_id)


def chosen(role: str | None):
    """The snapshot this session sees: an analyst's choice if still published, else the latest; or None."""
    found = published()
    if not found:
        return None
    choice = st.session_state.get(KEY_CHOSEN) if role == ANALYST else None
    return next((s for s in found if s.id == choice), found[0])


def dataset_of(info) -> tuple[Dataset, str]:
    """(dataset, fingerprint) of a published snapshot."""
    key = fingerprint(info)
    return open_published(key, info.id), key


def choose(snapshot_id: int | None, *, user: str | None, role: str | None) -> None:
    """An analyst switches to snapshot ``snapshot_id`` (None: always the latest); written to the audit log."""
    st.session_state[KEY_CHOSEN] = snapshot_id
    try:
        write_audit("snapshot", user=user, role=role, details={"snapshot": snapshot_id or "latest"})
    except (OSError, ValueError) as exc:
        st.toast(f"The audit log could not be written ({type(exc).__name__}).", icon=":material/warning:")

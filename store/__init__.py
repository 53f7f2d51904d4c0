"""The store of published snapshots, beside data/: one dataset the whole council sees, with its history.

SQLAlchemy Core, so IT chooses the engine (embedded SQLite by default, PostgreSQL by URL); see
docs/operations.md. Nothing here imports streamlit or the analysis layer.
"""

from store.engine import database_url, get_engine
from store.schema import StoreVersionError, migrate, open_store
from store.snapshots import (
    PublishError,
    SnapshotInfo,
    describe_inputs,
    get_snapshot,
    latest_snapshot,
    list_snapshots,
    open_snapshot,
    publish_dataset,
    purge_snapshots,
    read_figures,
    snapshot_date_of,
)

__all__ = [
    "database_url",
    "get_engine",
    "migrate",
    "open_store",
    "StoreVersionError",
    "PublishError",
    "SnapshotInfo",
    "describe_inputs",
    "get_snapshot",
    "latest_snapshot",
    "list_snapshots",
    "open_snapshot",
    "publish_dataset",
    "purge_snapshots",
    "read_figures",
    "snapshot_date_of",
]

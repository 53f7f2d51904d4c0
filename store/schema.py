"""The store's tables and its versioned schema, migrated forward one step at a time.

``MIGRATIONS`` is a list of steps; step *n* (1-based) takes a store at version *n - 1* to version *n*.
To add a table, append one step (a function of a connection, run inside its own transaction) and declare
the table below. A store written by an earlier version is upgraded, never rejected or wiped; a store written
by a newer version than this code is refused with a message (its tables may mean something this code
does not know).

Every step must be safe to run on a store where another process is running the same step at the same time:
the version row is inserted in the step's transaction, so the loser's transaction fails and rolls back, and
the loser then finds the store at the new version.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import sqlalchemy as sa

__all__ = [
    "metadata",
    "schema_version",
    "snapshots",
    "snapshot_tables",
    "snapshot_figures",
    "places_of_concern",
    "PLACE_KINDS",
    "PLACE_LABEL_MAX_CHARS",
    "PLACE_NOTE_MAX_CHARS",
    "MIGRATIONS",
    "migrate",
    "open_store",
    "store_version",
    "StoreVersionError",
]

metadata = sa.MetaData()

schema_version = sa.Table(
    "care_map_schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

# One published dataset: immutable once written (nothing updates it; purge deletes it).
snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("la_code", sa.String(9), nullable=True),  # GSS code; NULL for pooled files of several authorities
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("snapshot_date", sa.Date, nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("synthetic", sa.Boolean, nullable=False, default=False),
    sa.Column("source", sa.String(20), nullable=False),  # "files" (903 files); later "ssd"
    sa.Column("published_by", sa.String(200), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("inputs", sa.Text, nullable=False),  # JSON: [{"name", "sha256", "bytes"}]
)

# The dataset's tables and its quality report, one uncompressed Parquet blob each (see docs/operations.md).
snapshot_tables = sa.Table(
    "snapshot_tables",
    metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("parquet", sa.LargeBinary, nullable=False),
)

# Headline figures as published (aggregates, before disclosure control), for the history across snapshots.
snapshot_figures = sa.Table(
    "snapshot_figures",
    metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic", sa.String(20), primary_key=True),  # "placements" or "missing"
    sa.Column("measure", sa.String(120), primary_key=True),
    sa.Column("count", sa.Float, nullable=True),
    sa.Column("denominator", sa.Float, nullable=True),
    sa.Column("percent", sa.Float, nullable=True),
    sa.Column("value", sa.Float, nullable=True),
)


# Places of concern an analyst marks (analysis.places_of_concern): a position, not a hotspot id, since
# hotspots are renumbered whenever the data or filters change. Kept apart from snapshots: a mark outlives them.
PLACE_KINDS = ("hotspot", "postcode")
PLACE_LABEL_MAX_CHARS = 100
PLACE_NOTE_MAX_CHARS = 200  # "a short note": a reason, not a case record
places_of_concern = sa.Table(
    "places_of_concern",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("label", sa.String(PLACE_LABEL_MAX_CHARS), nullable=False),
    sa.Column("easting", sa.Float, nullable=False),  # EPSG:27700 metres
    sa.Column("northing", sa.Float, nullable=False),
    sa.Column("note", sa.String(PLACE_NOTE_MAX_CHARS), nullable=False, default=""),
    sa.Column("marked_by", sa.String(100), nullable=False, default=""),
    sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in PLACE_KINDS) + ")", name="places_of_concern_kind"),
)


class StoreVersionError(RuntimeError):
    """The store was written by a newer version of Care map than this one."""


def _v1_snapshots(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[snapshots, snapshot_tables])


def _v2_figures(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[snapshot_figures])


def _v3_places_of_concern(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[places_of_concern])


# (description, step). Append only: never edit or reorder a step that has shipped.
MIGRATIONS: list[tuple[str, Callable[[sa.Connection], None]]] = [
    ("published snapshots and their tables", _v1_snapshots),
    ("headline figures per snapshot, for history", _v2_figures),
    ("places of concern marked by analysts", _v3_places_of_concern),
]


def store_version(conn: sa.Connection) -> int:
    """The store's schema version (0 for an empty database)."""
    if not sa.inspect(conn).has_table(schema_version.name):
        return 0
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(schema_version.c.version), 0))).scalar_one())


def migrate(engine: sa.Engine, *, up_to: int | None = None) -> int:
    """Bring the store's schema up to ``up_to`` (default: the latest); returns the version reached.

    Raises :class:`StoreVersionError` when the store is newer than this code.
    """
    from store.engine import writer

    target = len(MIGRATIONS) if up_to is None else int(up_to)
    with engine.connect() as conn:
        version = store_version(conn)
    if version > len(MIGRATIONS):
        raise StoreVersionError(
            f"the store is at schema version {version}, newer than this Care map "
            f"(version {len(MIGRATIONS)}): upgrade Care map before using it"
        )
    while version < target:
        description, step = MIGRATIONS[version]
        try:
            with writer(engine).begin() as conn:
                if store_version(conn) != version:  # another process got there first
                    version = store_version(conn)
                    continue
                metadata.create_all(conn, tables=[schema_version])
                step(conn)
                conn.execute(
                    schema_version.insert().values(
                        version=version + 1, description=description, applied_at=datetime.now(timezone.utc)
                    )
                )
        except sa.exc.DBAPIError:
            with engine.connect() as conn:  # a concurrent migration won the race; re-read, else re-raise
                if store_version(conn) <= version:
                    raise
        with engine.connect() as conn:
            version = store_version(conn)
    return version


def open_store(url: str | None = None) -> sa.Engine:
    """The store's process-wide engine (:func:`store.engine.get_engine`) with its schema brought up to date.

    Raises :class:`StoreVersionError` when the store is newer than this code.
    """
    from store.engine import get_engine

    engine = get_engine(url)
    migrate(engine)
    return engine

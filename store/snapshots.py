"""Publish, list, open and purge snapshots: immutable published datasets in the store.

A snapshot is one transaction: its row in ``snapshots``, one Parquet blob per table of the
:class:`data.dataset.Dataset` (and two for its quality report), and the headline figures for history.
A publish that fails or is killed part-way leaves nothing behind; the previous snapshot stays current.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from data.dataset import Dataset
from data.quality import QualityReport
from data.schemas import collection_year_holding
from store.engine import get_engine, is_sqlite, writer
from store.schema import migrate, snapshot_figures, snapshot_tables, snapshots

__all__ = [
    "PublishError",
    "SnapshotInfo",
    "describe_inputs",
    "snapshot_date_of",
    "publish_dataset",
    "list_snapshots",
    "latest_snapshot",
    "get_snapshot",
    "open_snapshot",
    "read_figures",
    "purge_snapshots",
    "DATASET_TABLES",
]

# Dataset attribute -> table name in the store.
DATASET_TABLES = ("header", "episodes", "missing", "uasc", "missing_log", "homes", "costs")
QUALITY_ISSUES, QUALITY_FILES = "quality_issues", "quality_files"
FIGURE_COLUMNS = ["topic", "measure", "count", "denominator", "percent", "value"]


class PublishError(ValueError):
    """A dataset the store refuses to publish, with a one-line reason for the user."""


@dataclass(frozen=True)
class SnapshotInfo:
    """One snapshot's description (no child data)."""

    id: int
    la_code: str | None
    period_start: date
    period_end: date
    snapshot_date: date
    label: str
    synthetic: bool
    source: str
    published_by: str
    published_at: datetime
    inputs: tuple  # ({"name", "sha256", "bytes"}, ...)


def describe_inputs(files) -> list[dict]:
    """Name, SHA-256 (hex) and size in bytes of each input file (``data.readers.InputFile``s), by name."""
    return [
        {"name": f.name, "sha256": hashlib.sha256(f.content).hexdigest(), "bytes": len(f.content)}
        for f in sorted(files, key=lambda f: f.name)
    ]


def snapshot_date_of(dataset: Dataset) -> date:
    """The date a dataset runs to: its latest episode start or end or missing episode start (never after today)."""
    latest = dataset.latest_date()
    today = date.today()
    return today if pd.isna(latest) else min(latest.date(), today)


# ------------------------------------------------------------------ Parquet blobs
def _to_parquet(frame: pd.DataFrame) -> bytes:
    # Uncompressed: opening a snapshot is then a copy, not a decompression (docs/operations.md has the sizes).
    frame = frame.reset_index(drop=True)
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # A column of mixed Python types (a code read as 1 in one row and "X1" in another) is kept as text.
        frame = frame.copy()
        for column in frame.columns:
            if frame[column].dtype == object:
                try:
                    pa.array(frame[column])
                except (pa.ArrowInvalid, pa.ArrowTypeError):
                    frame[column] = frame[column].map(
                        lambda v: v if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else str(v)
                    )
        table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="none")
    return sink.getvalue()


def _from_parquet(blob: bytes) -> pd.DataFrame:
    return pq.read_table(pa.BufferReader(blob)).to_pandas()


# ------------------------------------------------------------------ publish
def _check_publishable(dataset: Dataset, la: str | None) -> None:
    episodes = dataset.episodes
    if episodes is None or episodes.empty:
        raise PublishError("nothing to publish: no usable 903 episodes were read (see the data-quality report)")
    pooled = "LA_CODE" in episodes.columns
    if not dataset.la_code and not pooled:
        raise PublishError("the responsible authority is not known: give it (--la, or choose it on the Data page)")
    if la and dataset.la_code and dataset.la_code != la:
        raise PublishError(f"these files are for authority {dataset.la_code}, not {la}")
    if la and pooled:
        others = set(episodes["LA_CODE"].dropna().astype(str)) - {la}
        if others:
            raise PublishError(
                f"these files hold episodes of {len(others)} other authorit"
                f"{'y' if len(others) == 1 else 'ies'} besides {la}"
            )


def publish_dataset(
    dataset: Dataset,
    *,
    published_by: str,
    inputs=(),
    la: str | None = None,
    snapshot_date: date | None = None,
    figures: pd.DataFrame | None = None,
    source: str = "files",
    engine: sa.Engine | None = None,
) -> SnapshotInfo:
    """Publish ``dataset`` as a new snapshot, in one transaction; returns its description.

    Parameters
    ----------
    dataset : the dataset to publish, from any source (files, the SSD), after its checks.
    published_by : who publishes (the signed-in user's name).
    inputs : :func:`describe_inputs` of the files read (name, SHA-256, bytes).
    la : the authority the analyst says this is (GSS code); refused if the data say otherwise.
    snapshot_date : the date the data run to; default :func:`snapshot_date_of`.
    figures : headline figures for history (``analysis.history.headline_history``), columns
        ``topic``, ``measure``, ``count``, ``denominator``, ``percent``, ``value``.
    source : ``"files"`` or ``"ssd"``.
    engine : the store; default :func:`store.engine.get_engine`.

    Raises
    ------
    PublishError
        No usable 903 episodes, an unknown authority, or an authority other than ``la`` or than the
        store's current snapshot. Nothing is written then.
    """
    _check_publishable(dataset, la)
    engine = engine or get_engine()
    migrate(engine)
    on = snapshot_date or snapshot_date_of(dataset)
    blobs = []
    for name in DATASET_TABLES:
        frame = getattr(dataset, name)
        if frame is not None and not frame.empty:
            blobs.append((name, len(frame), _to_parquet(frame)))
    issues, files = dataset.quality.to_frame(), dataset.quality.file_counts()
    blobs.append((QUALITY_ISSUES, len(issues), _to_parquet(issues)))
    blobs.append((QUALITY_FILES, len(files), _to_parquet(files)))
    row = {
        "la_code": dataset.la_code,
        "period_start": collection_year_holding(on)[0],
        "period_end": on,
        "snapshot_date": on,
        "label": (dataset.label or "")[:200],
        "synthetic": bool(dataset.synthetic),
        "source": source,
        "published_by": str(published_by)[:200],
        "inputs": json.dumps(list(inputs)),
    }
    with writer(engine).begin() as conn:
        current = conn.execute(sa.select(snapshots.c.la_code).order_by(snapshots.c.id.desc()).limit(1)).first()
        if current is not None and current.la_code != dataset.la_code:
            raise PublishError(
                f"the store holds returns of authority {current.la_code or 'several authorities'}; "
                f"these files are {dataset.la_code or 'of several authorities'}"
            )
        row["published_at"] = datetime.now(timezone.utc)
        inserted = conn.execute(snapshots.insert().values(**row)).inserted_primary_key
        assert inserted is not None
        snapshot_id = inserted[0]
        for name, n, blob in blobs:
            conn.execute(snapshot_tables.insert().values(snapshot_id=snapshot_id, name=name, rows=n, parquet=blob))
        if figures is not None and not figures.empty:
            records = (
                figures[FIGURE_COLUMNS]
                .astype({"count": float, "denominator": float, "percent": float, "value": float})
                .to_dict("records")
            )
            records = [
                {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in r.items()}
                | {"snapshot_id": snapshot_id}
                for r in records
            ]
            conn.execute(snapshot_figures.insert(), records)
    return get_snapshot(snapshot_id, engine=engine)


# ------------------------------------------------------------------ read
def _info(row) -> SnapshotInfo:
    published = row.published_at
    if published.tzinfo is None:  # SQLite keeps no zone; we always write UTC
        published = published.replace(tzinfo=timezone.utc)
    return SnapshotInfo(
        id=int(row.id),
        la_code=row.la_code,
        period_start=row.period_start,
        period_end=row.period_end,
        snapshot_date=row.snapshot_date,
        label=row.label,
        synthetic=bool(row.synthetic),
        source=row.source,
        published_by=row.published_by,
        published_at=published,
        inputs=tuple(json.loads(row.inputs)),
    )


def _ready(engine: sa.Engine | None) -> sa.Engine | None:
    """The engine with its schema current, or None when the store does not exist yet (nothing published)."""
    from store.engine import sqlite_path

    engine = engine or get_engine()
    path = sqlite_path(str(engine.url))
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return None
    migrate(engine)
    return engine


def list_snapshots(*, engine: sa.Engine | None = None) -> list[SnapshotInfo]:
    """Every snapshot, newest first (``[]`` when nothing is published)."""
    engine = _ready(engine)
    if engine is None:
        return []
    with engine.connect() as conn:
        rows = conn.execute(sa.select(snapshots).order_by(snapshots.c.id.desc())).all()
    return [_info(r) for r in rows]


def latest_snapshot(*, engine: sa.Engine | None = None) -> SnapshotInfo | None:
    """The current (latest published) snapshot, or None."""
    engine = _ready(engine)
    if engine is None:
        return None
    with engine.connect() as conn:
        row = conn.execute(sa.select(snapshots).order_by(snapshots.c.id.desc()).limit(1)).first()
    return None if row is None else _info(row)


def get_snapshot(snapshot_id: int, *, engine: sa.Engine | None = None) -> SnapshotInfo:
    """One snapshot's description; KeyError if there is no such snapshot."""
    engine = _ready(engine)
    row = None
    if engine is not None:
        with engine.connect() as conn:
            row = conn.execute(sa.select(snapshots).where(snapshots.c.id == int(snapshot_id))).first()
    if row is None:
        raise KeyError(f"no snapshot {snapshot_id} in the store")
    return _info(row)


def open_snapshot(snapshot_id: int, *, engine: sa.Engine | None = None) -> Dataset:
    """The published dataset of one snapshot, as it was published (tables, quality report, authority)."""
    info = get_snapshot(snapshot_id, engine=engine)
    engine = engine or get_engine()
    with engine.connect() as conn:
        blobs = {
            r.name: r.parquet
            for r in conn.execute(
                sa.select(snapshot_tables.c.name, snapshot_tables.c.parquet).where(
                    snapshot_tables.c.snapshot_id == info.id
                )
            )
        }
    dataset = Dataset(
        la_code=info.la_code,
        synthetic=info.synthetic,
        snapshot_id=info.id,
        label=f"Published {info.snapshot_date:%d %B %Y} (snapshot {info.id})",
    )
    for name in DATASET_TABLES:
        if name in blobs:
            setattr(dataset, name, _from_parquet(blobs[name]))
    if QUALITY_ISSUES in blobs and QUALITY_FILES in blobs:
        dataset.quality = QualityReport.from_frames(
            _from_parquet(blobs[QUALITY_ISSUES]), _from_parquet(blobs[QUALITY_FILES])
        )
    return dataset


def read_figures(*, engine: sa.Engine | None = None) -> pd.DataFrame:
    """Headline figures of every snapshot: ``snapshot_id``, ``snapshot_date`` and the figure columns, oldest first."""
    columns = ["snapshot_id", "snapshot_date", *FIGURE_COLUMNS]
    engine = _ready(engine)
    if engine is None:
        return pd.DataFrame(columns=columns)
    query = (
        sa.select(
            snapshot_figures.c.snapshot_id, snapshots.c.snapshot_date, *[snapshot_figures.c[c] for c in FIGURE_COLUMNS]
        )
        .join(snapshots, snapshots.c.id == snapshot_figures.c.snapshot_id)
        .order_by(snapshots.c.id)
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=columns)


# ------------------------------------------------------------------ purge
def purge_snapshots(*, before: date | None = None, snapshot_ids=None, engine: sa.Engine | None = None) -> list[int]:
    """Delete snapshots published before ``before`` (by snapshot date) and/or those in ``snapshot_ids``.

    Returns the ids deleted. The space is then really freed: SQLite ``VACUUM`` rewrites the file (with
    ``secure_delete`` on, freed pages are zeroed too); PostgreSQL ``VACUUM FULL`` rewrites the tables.
    """
    if before is None and not snapshot_ids:
        raise ValueError("say which snapshots to purge: before a date, or their ids")
    engine = _ready(engine)
    if engine is None:
        return []
    condition: sa.ColumnElement[bool] = sa.false()
    if before is not None:
        condition = condition | (snapshots.c.snapshot_date < before)
    if snapshot_ids:
        condition = condition | snapshots.c.id.in_([int(i) for i in snapshot_ids])
    with writer(engine).begin() as conn:
        ids = [int(i) for i in conn.execute(sa.select(snapshots.c.id).where(condition)).scalars()]
        if ids:
            for table in (snapshot_figures, snapshot_tables):
                conn.execute(table.delete().where(table.c.snapshot_id.in_(ids)))
            conn.execute(snapshots.delete().where(snapshots.c.id.in_(ids)))
    if ids:
        _reclaim(engine)
    return ids


def _reclaim(engine: sa.Engine) -> None:
    if is_sqlite(str(engine.url)):
        raw = engine.raw_connection()  # the driver connection is in autocommit (store.engine), as VACUUM needs
        try:
            driver = raw.driver_connection
            assert driver is not None
            driver.execute("VACUUM")
        finally:
            raw.close()
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in (snapshot_figures, snapshot_tables, snapshots):
                conn.exec_driver_sql(f"VACUUM FULL {table.name}")

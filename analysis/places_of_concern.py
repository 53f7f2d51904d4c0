"""Places of concern: hotspots or postcodes an analyst marks, with a short note.

Peer-group and contextual-safeguarding protocols keep a list of "places of concern". A mark
is kept as a position (British National Grid, EPSG:27700 metres), not as a hotspot id: ids are
renumbered whenever the filters or the data change, a place does not move. A hotspot is flagged
as a place of concern when a mark lies inside its outline or within :data:`NEAR_METRES` of its
centre (:func:`flag_hotspots`).

Storage is one SQLAlchemy table, :data:`places_of_concern`, in whatever database the caller's
``engine`` points at: the installation's store (PostgreSQL or SQLite) once it exists, or until
then a SQLite file in the installation's ``local/`` folder (:func:`local_engine`). The note is
free text from an analyst: it is shown only in the analyst's own view (escaped), never in a
panel or MASE output, which carry only the flag.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import (CheckConstraint, Column, DateTime, Float, Integer, MetaData, String, Table, create_engine,
                        delete, insert, select)

__all__ = [
    "places_of_concern",
    "metadata",
    "create_table",
    "mark_place",
    "mark_hotspot",
    "mark_postcode",
    "unmark_place",
    "list_places",
    "flag_hotspots",
    "local_engine",
    "saved_places",
    "KINDS",
    "NOTE_MAX_CHARS",
    "NEAR_METRES",
]

KIND_HOTSPOT = "hotspot"
KIND_POSTCODE = "postcode"
KINDS = (KIND_HOTSPOT, KIND_POSTCODE)
NOTE_MAX_CHARS = 200  # "a short note": a reason, not a case record
LABEL_MAX_CHARS = 100
NEAR_METRES = 250.0  # a mark this close to a hotspot's centre flags it even outside its outline
DB_ENV = "CARE_MAP_PLACES_DB"
_ROOT = Path(__file__).resolve().parents[1]

metadata = MetaData()
places_of_concern = Table(
    "places_of_concern",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("label", String(LABEL_MAX_CHARS), nullable=False),
    Column("easting", Float, nullable=False),
    Column("northing", Float, nullable=False),
    Column("note", String(NOTE_MAX_CHARS), nullable=False, default=""),
    Column("marked_by", String(100), nullable=False, default=""),
    Column("marked_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(f"kind IN ('{KIND_HOTSPOT}', '{KIND_POSTCODE}')", name="places_of_concern_kind"),
)
COLUMNS = ["id", "kind", "label", "easting", "northing", "note", "marked_by", "marked_at"]


def create_table(engine) -> None:
    """Create the table if it is not there yet (the store's migrations will do this once plugged in)."""
    metadata.create_all(engine, tables=[places_of_concern])


def local_engine(path: str | Path | None = None):
    """A SQLite engine on ``path``, else ``$CARE_MAP_PLACES_DB``, else ``local/places_of_concern.sqlite``,
    with the table created. The stand-in until the installation's store holds the table."""
    target = Path(path or os.environ.get(DB_ENV) or _ROOT / "local" / "places_of_concern.sqlite")
    target.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{target}")
    create_table(engine)
    return engine


def saved_places(path: str | Path | None = None) -> pd.DataFrame | None:
    """The marks in the installation's local database (as :func:`local_engine` finds it), or None when
    no mark was ever made there (no file): for scheduled jobs such as ``python -m analysis briefing``."""
    target = Path(path or os.environ.get(DB_ENV) or _ROOT / "local" / "places_of_concern.sqlite")
    if not target.is_file():
        return None
    engine = local_engine(target)
    try:
        return list_places(engine)
    finally:
        engine.dispose()


def _clean(text, *, limit: int, what: str) -> str:
    value = "" if text is None else str(text).strip()
    if len(value) > limit:
        raise ValueError(f"{what} is {len(value)} characters; at most {limit}")
    return value


def mark_place(engine, *, kind: str, label: str, easting: float, northing: float, note: str = "",
               marked_by: str = "") -> int:
    """Record a place of concern and return its id.

    Parameters
    ----------
    engine : SQLAlchemy engine of the store (or :func:`local_engine`).
    kind : "hotspot" or "postcode".
    label : what the analyst marked ("Hotspot 3", "CT9 1AA"), at most 100 characters.
    easting, northing : position in EPSG:27700 metres.
    note : at most 200 characters; shown only to analysts.
    marked_by : the user name.

    Raises
    ------
    ValueError for an unknown kind, a blank label, a note too long or a position that is not a number.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    label = _clean(label, limit=LABEL_MAX_CHARS, what="label")
    if not label:
        raise ValueError("a place of concern needs a label")
    note = _clean(note, limit=NOTE_MAX_CHARS, what="note")
    x, y = float(easting), float(northing)
    if not (np.isfinite(x) and np.isfinite(y)):
        raise ValueError("a place of concern needs a position on the British grid")
    row = {"kind": kind, "label": label, "easting": x, "northing": y, "note": note,
           "marked_by": _clean(marked_by, limit=100, what="user name"), "marked_at": datetime.now(timezone.utc)}
    with engine.begin() as conn:
        result = conn.execute(insert(places_of_concern).values(**row))
        return int(result.inserted_primary_key[0])


def mark_hotspot(engine, hotspot, *, note: str = "", marked_by: str = "") -> int:
    """Mark a hotspot (a row of :func:`analysis.hotspots.find_hotspots`) at its centre."""
    return mark_place(engine, kind=KIND_HOTSPOT, label=f"Hotspot {int(hotspot['hotspot_id'])}",
                      easting=hotspot["easting"], northing=hotspot["northing"], note=note, marked_by=marked_by)


def mark_postcode(engine, postcode: str, *, note: str = "", marked_by: str = "", index=None) -> int:
    """Mark a unit postcode or sector at its ONS centroid.

    Raises ValueError when the postcode is not one, or has no British grid reference.
    """
    from geo.postcodes import get_postcode_index

    index = index if index is not None else get_postcode_index()
    found = index.lookup([postcode]).iloc[0]
    if not isinstance(found["failure"], str) and found["resolution"] in ("unit", "sector"):
        return mark_place(engine, kind=KIND_POSTCODE, label=str(found["postcode"]), easting=found["easting"],
                          northing=found["northing"], note=note, marked_by=marked_by)
    reason = found["failure"] if isinstance(found["failure"], str) else "give a full postcode or a sector"
    raise ValueError(f"cannot mark {str(postcode).strip()[:20]!r}: {reason}")


def unmark_place(engine, place_id: int) -> bool:
    """Remove a mark; True when there was one with that id."""
    with engine.begin() as conn:
        return conn.execute(delete(places_of_concern).where(places_of_concern.c.id == int(place_id))).rowcount > 0


def list_places(engine) -> pd.DataFrame:
    """Every mark, oldest first: id, kind, label, easting, northing (EPSG:27700), note, marked_by, marked_at."""
    with engine.connect() as conn:
        rows = conn.execute(select(places_of_concern).order_by(places_of_concern.c.id)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=COLUMNS)


def flag_hotspots(hotspots, places: pd.DataFrame, *, near_metres: float = NEAR_METRES) -> pd.Series:
    """True for each hotspot that holds a place of concern (inside its outline or within ``near_metres``
    of its centre). ``hotspots``: GeoDataFrame of :func:`analysis.hotspots.find_hotspots` (EPSG:27700)."""
    import shapely

    out = pd.Series(False, index=hotspots.index, name="place_of_concern")
    if places is None or places.empty or len(hotspots) == 0:
        return out
    points = shapely.points(places["easting"].to_numpy(float), places["northing"].to_numpy(float))
    outlines = np.asarray(hotspots.geometry.values, dtype=object)
    holding, _ = shapely.STRtree(points).query(outlines, predicate="intersects")  # (outline, point) pairs
    flagged = np.zeros(len(hotspots), dtype=bool)
    flagged[np.unique(holding)] = True
    dx = hotspots["easting"].to_numpy(float)[:, None] - places["easting"].to_numpy(float)[None, :]
    dy = hotspots["northing"].to_numpy(float)[:, None] - places["northing"].to_numpy(float)[None, :]
    flagged |= (np.hypot(dx, dy) <= near_metres).any(axis=1)
    return pd.Series(flagged, index=hotspots.index, name="place_of_concern")

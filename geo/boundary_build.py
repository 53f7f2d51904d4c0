"""The approximate authority polygons shipped in ``geo/reference/``: how they are made, and how good they are.

``python -m geo build-boundaries`` (:func:`build_boundaries`) derives one polygon per children's
services authority from the ONS Postcode Directory (:func:`derive_boundaries`) and writes
``authority_boundaries.geojson`` and ``adjacency.csv``; ``python -m geo check-boundaries``
(:func:`measure_accuracy`) measures the boundaries in use against the directory. The app never
runs either: it reads the written files through :mod:`geo.boundaries`. ``docs/boundaries.md``
explains the method and how accurate it is.

Everything is British National Grid (EPSG:27700, metres).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from scipy import ndimage

from geo.boundaries import (
    CRS,
    DERIVED_ADJACENCY_FILE,
    DERIVED_FILE,
    REFERENCE_DIR,
    as_authority_boundaries,
    authority_at,
    authority_boundaries,
    clear_boundaries_cache,
    compute_adjacency,
)
from geo.postcodes import get_postcode_index

__all__ = [
    "derive_boundaries",
    "build_boundaries",
    "measure_accuracy",
    "CELL_METRES",
    "LAND_DILATION_METRES",
    "SEAL_METRES",
    "MIN_FRAGMENT_KM2",
    "SIMPLIFY_METRES",
]

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
    land = ndimage.distance_transform_edt(~occupied) <= grow_cells if grow_cells > 0 else occupied
    return ndimage.binary_fill_holes(land)


def _sealed_areas(land, seal_cells: float):
    """Empty areas enclosed by ``land`` once gaps narrower than about 2 x ``seal_cells`` are sealed.

    These are mostly uplands open to the sea through an empty stretch of coast (Lake District
    fells, Cheviots). The closing itself is not returned, so straits never become land bridges.
    Returns a label image of the areas (0 = none) and their number.
    """
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
    _dist, (iy, ix) = ndimage.distance_transform_edt(grid < 0, return_indices=True)
    filled = grid[iy, ix]
    return np.where(land, filled, -1).astype(np.int16)


def _drop_fragments(grid, land, min_cells):
    """Hand detached specks (stray postcodes, a cell across a border) to their neighbours.

    Each label keeps its largest connected piece and every piece of at least ``min_cells``;
    smaller pieces are cleared and refilled from the surrounding cells.
    """
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
    if index is None:
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
    return as_authority_boundaries(gdf)


def build_boundaries(out_dir: Path | None = None, **options) -> dict:
    """Derive the polygons and write ``authority_boundaries.geojson`` and ``adjacency.csv``.

    ``out_dir`` defaults to ``geo/reference``. Returns measurements: seconds taken, file size in
    bytes, number of authorities and of neighbour pairs.
    """
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
        clear_boundaries_cache()
    return {
        "seconds": round(seconds, 1),
        "bytes": path.stat().st_size,
        "authorities": len(gdf),
        "pairs": len(pairs) // 2,
        "path": str(path),
    }


# --------------------------------------------------------------------------- checking
def measure_accuracy(boundaries=None, index=None) -> tuple[dict, pd.DataFrame]:
    """How well polygons agree with the postcode directory.

    Locates every English unit postcode (``index.english_units()``) in ``boundaries`` (default:
    those in use). Returns a summary dict (``postcodes``, ``share_in_own`` = share inside their own
    authority's polygon, ``share_outside_all``) and a per-authority DataFrame ``code``, ``name``,
    ``postcodes``, ``share_in_own``, ``area_km2``, worst first. Takes about a minute.
    """
    if boundaries is None:
        boundaries = authority_boundaries()
    if index is None:
        index = get_postcode_index()
    units = index.english_units()
    found = authority_at(units["easting"].to_numpy(), units["northing"].to_numpy(), boundaries=boundaries)
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

"""Getis-Ord Gi* hot and cold spots on a regular grid, ArcGIS style.

Incident points are counted into square or hexagonal cells (British National
Grid, EPSG:27700, metres) and the Gi* statistic is computed for every cell with
binary contiguity weights that include the cell itself: queen contiguity for
squares (8 neighbours), edge contiguity for hexagons (6 neighbours; queen and
rook are the same for hexagons). This is the "fixed lattice" choice of ArcGIS's
Optimized Hot Spot Analysis, and a cell's neighbourhood never depends on how
many points there are. Bins follow ArcGIS's ``Gi_Bin``: +3 / +2 / +1 are hot
spots at 99 / 95 / 90 % confidence, -3 / -2 / -1 cold spots, 0 not significant,
with the false-discovery-rate (Benjamini-Hochberg, ``esda.fdr``) correction
applied at each confidence level. See docs/hotspots.md.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse, stats

from geo.projection import BNG

__all__ = [
    "grid_counts",
    "cell_polygons",
    "core_extent",
    "gi_star",
    "significant_cells",
    "lattice_weights",
    "gi_star_z",
    "confidence_bins",
    "point_coordinates",
]

CONFIDENCE_LEVELS = {3: 0.01, 2: 0.05, 1: 0.10}  # Gi_Bin -> two-sided p threshold
_SQRT3 = math.sqrt(3.0)


def point_coordinates(points, *, x: str | None = None, y: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Easting and northing (EPSG:27700, metres) of points given as a GeoDataFrame or a DataFrame.

    A DataFrame needs ``x``/``y`` columns named explicitly, or ``easting``/``northing`` (any case).
    A GeoDataFrame in another CRS is projected to British National Grid. Rows without a
    position are dropped by the caller (NaN is returned for them).
    """
    if isinstance(points, gpd.GeoDataFrame) and x is None:
        geo = points.geometry if points.crs is None or points.crs.to_epsg() == BNG else points.geometry.to_crs(BNG)
        return np.asarray(geo.x, dtype=float), np.asarray(geo.y, dtype=float)
    if x is None:
        cols = {c.lower(): c for c in points.columns}
        x, y = cols.get("easting"), cols.get("northing")
        if x is None or y is None:
            raise KeyError("points need easting and northing columns (EPSG:27700 metres) or x=, y=")
    return (
        pd.to_numeric(points[x], errors="coerce").to_numpy(dtype=float),
        pd.to_numeric(points[y], errors="coerce").to_numpy(dtype=float),
    )


# The grid covers where most points are (1st-99th percentile of positions, plus a margin), so one
# far-off episode (a child found in Manchester) does not stretch a county's grid over half of England.
EXTENT_QUANTILE = 0.01
EXTENT_MARGIN_M = 5000


def core_extent(
    points,
    *,
    x: str | None = None,
    y: str | None = None,
    quantile: float = EXTENT_QUANTILE,
    margin_m: float = EXTENT_MARGIN_M,
) -> tuple[float, float, float, float] | None:
    """(xmin, ymin, xmax, ymax) in EPSG:27700 metres of the ``quantile`` to 1 - ``quantile`` positions
    of ``points`` (as :func:`point_coordinates`), widened by ``margin_m`` metres; None under 3 points."""
    px, py = point_coordinates(points, x=x, y=y)
    ok = np.isfinite(px) & np.isfinite(py)
    if ok.sum() < 3:
        return None
    px, py = pd.Series(px[ok]), pd.Series(py[ok])
    return (
        float(px.quantile(quantile)) - margin_m,
        float(py.quantile(quantile)) - margin_m,
        float(px.quantile(1 - quantile)) + margin_m,
        float(py.quantile(1 - quantile)) + margin_m,
    )


# ---------------------------------------------------------------- the grid
class _Lattice:
    """Cell geometry arithmetic for a square or pointy-top hexagonal lattice anchored at (x0, y0)."""

    def __init__(self, shape: str, size: float, extent: tuple[float, float, float, float]):
        if shape not in ("hex", "square"):
            raise ValueError(f"shape must be 'hex' or 'square', not {shape!r}")
        self.shape, self.size = shape, float(size)
        xmin, ymin, xmax, ymax = extent
        # Anchor on multiples of the cell size so that grids of two runs line up.
        self.dx = self.size
        self.dy = self.size if shape == "square" else self.size * _SQRT3 / 2
        self.x0 = math.floor(xmin / self.dx) * self.dx - (self.dx if shape == "hex" else 0)
        self.y0 = math.floor(ymin / self.dy) * self.dy
        self.ncols = int(math.floor((xmax - self.x0) / self.dx)) + 2
        self.nrows = int(math.floor((ymax - self.y0) / self.dy)) + 2

    @property
    def n(self) -> int:
        return self.nrows * self.ncols

    def centres(self, rows: np.ndarray, cols: np.ndarray):
        if self.shape == "square":
            return self.x0 + (cols + 0.5) * self.dx, self.y0 + (rows + 0.5) * self.dy
        return self.x0 + (cols + 0.5 * (rows % 2)) * self.dx, self.y0 + rows * self.dy

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Linear cell id of each point (-1 outside the lattice)."""
        if self.shape == "square":
            col = np.floor((x - self.x0) / self.dx).astype(np.int64)
            row = np.floor((y - self.y0) / self.dy).astype(np.int64)
        else:
            # Nearest hexagon centre among the candidates of the two nearest rows (exact for a hex lattice).
            r0 = np.floor((y - self.y0) / self.dy).astype(np.int64)
            best = np.full(len(x), np.inf)
            row = np.zeros(len(x), dtype=np.int64)
            col = np.zeros(len(x), dtype=np.int64)
            for r in (r0, r0 + 1):
                c = np.round((x - self.x0) / self.dx - 0.5 * (r % 2)).astype(np.int64)
                cx, cy = self.centres(r, c)
                d = (x - cx) ** 2 + (y - cy) ** 2
                better = d < best
                best = np.where(better, d, best)
                row = np.where(better, r, row)
                col = np.where(better, c, col)
        inside = (row >= 0) & (row < self.nrows) & (col >= 0) & (col < self.ncols)
        return np.where(inside, row * self.ncols + col, -1)

    def polygons(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        cx, cy = self.centres(rows, cols)
        if self.shape == "square":
            h = self.size / 2
            return shapely.box(cx - h, cy - h, cx + h, cy + h)
        radius = self.size / _SQRT3  # centre to corner of a hexagon whose flat-to-flat width is size
        angles = np.deg2rad(np.arange(30, 390, 60))
        ring = np.stack([cx[:, None] + radius * np.cos(angles), cy[:, None] + radius * np.sin(angles)], axis=-1)
        return shapely.polygons(ring)

    def window_sums(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(sum of ``values`` over each cell and its neighbours, number of those cells) for a full lattice.

        The same as the weights of :meth:`neighbour_pairs` plus the cell itself, by shifting the
        grid as a 2-D array: no sparse matrix of a million cells to build.
        """
        v = np.asarray(values, dtype=float).reshape(self.nrows, self.ncols)
        ones = np.ones_like(v)
        total, card = v.copy(), ones.copy()

        def add(dr: int, dc: int, parity: int | None = None):
            r0, r1 = max(0, -dr), self.nrows - max(0, dr)
            step = 1
            if parity is not None:  # only rows of this parity (hexagons: odd rows sit half a cell right)
                r0, step = r0 + (parity - r0) % 2, 2
            c0, c1 = max(0, -dc), self.ncols - max(0, dc)
            if r0 >= r1 or c0 >= c1:
                return
            total[r0:r1:step, c0:c1] += v[r0 + dr : r1 + dr : step, c0 + dc : c1 + dc]
            card[r0:r1:step, c0:c1] += ones[r0 + dr : r1 + dr : step, c0 + dc : c1 + dc]

        if self.shape == "square":
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    if (dr, dc) != (0, 0):
                        add(dr, dc)
        else:
            add(0, -1)
            add(0, 1)
            for dr in (-1, 1):
                add(dr, 0, parity=1)
                add(dr, 1, parity=1)
                add(dr, -1, parity=0)
                add(dr, 0, parity=0)
        return total.ravel(), card.ravel()

    def neighbour_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        rows, cols = np.divmod(np.arange(self.n), self.ncols)
        src, dst = [], []
        if self.shape == "square":
            offsets = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)]
            for dr, dc in offsets:
                r, c = rows + dr, cols + dc
                ok = (r >= 0) & (r < self.nrows) & (c >= 0) & (c < self.ncols)
                src.append(np.flatnonzero(ok))
                dst.append((r * self.ncols + c)[ok])
        else:
            odd = rows % 2 == 1
            # Same row: left and right. Rows above and below: odd rows sit half a cell to the right.
            steps = [(0, np.full(self.n, -1)), (0, np.full(self.n, 1))]
            for dr in (-1, 1):
                steps += [(dr, np.where(odd, 0, -1)), (dr, np.where(odd, 1, 0))]
            for dr, shift in steps:
                r, c = rows + dr, cols + shift
                ok = (r >= 0) & (r < self.nrows) & (c >= 0) & (c < self.ncols)
                src.append(np.flatnonzero(ok))
                dst.append((r * self.ncols + c)[ok])
        return np.concatenate(src), np.concatenate(dst)


def _count_into_lattice(points, *, cell_size_m: float, shape: str, extent, x, y) -> tuple["_Lattice", np.ndarray, dict]:
    """The lattice over ``extent`` (the points' bounds when None), points counted per cell (int64, one per
    cell), and the lattice parameters kept in a grid's ``attrs["lattice"]``."""
    px, py = point_coordinates(points, x=x, y=y)
    ok = np.isfinite(px) & np.isfinite(py)
    px, py = px[ok], py[ok]
    if extent is None:
        if len(px) == 0:
            raise ValueError("no points with a position and no extent: cannot place a grid")
        extent = (px.min(), py.min(), px.max(), py.max())
    lattice = _Lattice(shape, cell_size_m, extent)
    cell = lattice.locate(px, py)
    counts = np.bincount(cell[cell >= 0], minlength=lattice.n).astype(np.int64)
    return lattice, counts, {"shape": shape, "cell_size_m": float(cell_size_m), "extent": tuple(map(float, extent))}


def grid_counts(
    points,
    *,
    cell_size_m: float = 500,
    shape: str = "hex",
    extent: tuple[float, float, float, float] | None = None,
    x: str | None = None,
    y: str | None = None,
    polygons: bool = True,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Count points into a regular lattice of cells covering ``extent``.

    Parameters
    ----------
    points : GeoDataFrame, or DataFrame with easting/northing (EPSG:27700, metres).
    cell_size_m : side of a square, or flat-to-flat width (= distance between neighbouring
        centres) of a hexagon, in metres.
    shape : "hex" or "square".
    extent : (xmin, ymin, xmax, ymax) in EPSG:27700 metres; the points' bounds by default.
        Every cell of the lattice is returned, empty ones too (Gi* needs the zeros).
    polygons : False returns a plain DataFrame without cell polygons. An England-wide grid has
        about a million cells; building their polygons takes seconds, and a map only draws a
        few thousand of them: add those with :func:`cell_polygons`.

    Returns
    -------
    GeoDataFrame (EPSG:27700) with ``cell_id``, ``row``, ``col``, ``easting``, ``northing``
    (cell centre), ``count`` and the cell polygon. ``attrs["lattice"]`` holds the grid
    parameters for :func:`lattice_weights` and :func:`cell_polygons`.
    """
    lattice, counts, params = _count_into_lattice(points, cell_size_m=cell_size_m, shape=shape, extent=extent, x=x, y=y)
    rows, cols = np.divmod(np.arange(lattice.n), lattice.ncols)
    cx, cy = lattice.centres(rows, cols)
    grid = pd.DataFrame(
        {"cell_id": np.arange(lattice.n), "row": rows, "col": cols, "easting": cx, "northing": cy, "count": counts}
    )
    grid.attrs["lattice"] = params
    return cell_polygons(grid) if polygons else grid


def cell_polygons(cells: pd.DataFrame) -> gpd.GeoDataFrame:
    """``cells`` (any rows of a :func:`grid_counts` grid, with ``row``, ``col`` and
    ``attrs["lattice"]``) as a GeoDataFrame of their square or hexagon polygons (EPSG:27700)."""
    lattice = _lattice_of(cells)
    shapes = lattice.polygons(cells["row"].to_numpy(dtype=np.int64), cells["col"].to_numpy(dtype=np.int64))
    out = gpd.GeoDataFrame(cells.drop(columns="geometry", errors="ignore"), geometry=shapes, crs=BNG)
    out.attrs = dict(cells.attrs)
    return out


def _lattice_of(grid: pd.DataFrame) -> _Lattice:
    params = grid.attrs.get("lattice")
    if not params:
        raise ValueError("grid has no lattice parameters: build it with grid_counts()")
    return _Lattice(params["shape"], params["cell_size_m"], params["extent"])


def lattice_weights(grid: gpd.GeoDataFrame) -> sparse.csr_matrix:
    """Binary contiguity weights of a grid from :func:`grid_counts`, as a sparse matrix (no self weights).

    Squares: queen (8 neighbours). Hexagons: shared edges (6 neighbours). Rows and columns
    follow the grid's rows (cells may have been dropped; ``cell_id`` is used to match).
    """
    lattice = _lattice_of(grid)
    src, dst = lattice.neighbour_pairs()
    full = sparse.csr_matrix((np.ones(len(src)), (src, dst)), shape=(lattice.n, lattice.n))
    ids = grid["cell_id"].to_numpy()
    if len(ids) == lattice.n and np.array_equal(ids, np.arange(lattice.n)):
        return full
    return full[ids][:, ids].tocsr()


def gi_star_z(y: np.ndarray, w: sparse.csr_matrix) -> np.ndarray:
    """Gi* z-scores (Getis and Ord 1995, as ArcGIS and ``esda.G_Local(star=True, transform='B')``).

    ``w`` are binary weights without self weights; the cell itself is added with weight 1.
    Returns NaN where the value has no variance (all cells equal).
    """
    y = np.asarray(y, dtype=float)
    ws = w + sparse.identity(len(y), format="csr")
    return _z_from_sums(y, ws @ y, np.asarray(ws.sum(axis=1)).ravel())


def _z_from_sums(y: np.ndarray, lag: np.ndarray, card: np.ndarray) -> np.ndarray:
    """Gi* z from each cell's neighbourhood sum ``lag`` and size ``card`` (both including the cell)."""
    n = len(y)
    total = y.sum()
    mean = total / n
    var = (y**2).sum() / n - mean**2
    with np.errstate(divide="ignore", invalid="ignore"):
        g = lag / total
        expected = card / n
        variance = card * (n - card) / (n - 1) / n**2 * var / mean**2
        z = (g - expected) / np.sqrt(variance)
    z[~np.isfinite(z)] = np.nan
    return z


def _threshold(p: np.ndarray, alpha: float, fdr: bool) -> float:
    """p-value cut-off at level ``alpha``: Benjamini-Hochberg (as ``esda.fdr``) or plain ``alpha``."""
    return _thresholds(p, [alpha], fdr)[alpha]


def _thresholds(p: np.ndarray, alphas, fdr: bool) -> dict:
    """The cut-offs of :func:`_threshold` for several levels from one sort of ``p``.

    ``esda.fdr``'s rule (tests/test_gistar.py checks they agree): over the p-values sorted in
    descending order, the first whose rank * alpha / n exceeds it gives the cut-off; none gives
    the Bonferroni bound alpha / n. England's grid has a million cells: one sort, not one a level.
    """
    if not fdr:
        return {alpha: alpha for alpha in alphas}
    p = np.asarray(p, dtype=float)
    if len(p) == 0:
        return {alpha: -1.0 for alpha in alphas}
    descending = np.sort(p)[::-1]
    rank = np.arange(len(p), 0, -1)
    cuts = {}
    for alpha in alphas:
        p_fdr = rank * alpha / len(p)
        first = np.flatnonzero(descending < p_fdr)
        cuts[alpha] = float(p_fdr[first[0]]) if len(first) else alpha / len(p)
    return cuts


def confidence_bins(z: np.ndarray, p: np.ndarray, *, fdr: bool = True) -> np.ndarray:
    """ArcGIS ``Gi_Bin``: +-3 / +-2 / +-1 at 99 / 95 / 90 % confidence, 0 otherwise.

    ``p`` are two-sided p-values. With ``fdr`` the Benjamini-Hochberg threshold
    (``esda.fdr``) is found separately for each confidence level, as ArcGIS does.
    """
    z = np.asarray(z, dtype=float)
    p = np.asarray(p, dtype=float)
    finite = np.isfinite(p) & np.isfinite(z)
    return _bins(z, p, finite, _thresholds(p[finite], CONFIDENCE_LEVELS.values(), fdr))


def _bins(z: np.ndarray, p: np.ndarray, finite: np.ndarray, cuts: dict) -> np.ndarray:
    """``Gi_Bin`` from the p-value cut-off of each confidence level (``cuts``, from :func:`_thresholds`)."""
    level = np.zeros(len(p), dtype=np.int64)
    for bin_, alpha in sorted(CONFIDENCE_LEVELS.items()):
        level = np.where(finite & (p <= cuts[alpha]), bin_, level)
    return (np.sign(np.nan_to_num(z)) * level).astype(np.int64)


def gi_star(
    grid: gpd.GeoDataFrame | pd.DataFrame,
    *,
    value: str = "count",
    base: str | np.ndarray | pd.Series | None = None,
    permutations: int = 999,
    fdr: float | None = 0.05,
    seed: int | None = 0,
    inference: str = "normal",
) -> gpd.GeoDataFrame:
    """Getis-Ord Gi* for every cell of a grid from :func:`grid_counts`.

    Parameters
    ----------
    value : the column analysed (episodes per cell by default).
    base : optional column (or array aligned with ``grid``) of children placed per cell. The
        analysis then runs on ``value / base`` over the cells with a base above zero only
        (the others get z NaN and bin 0), so that a map does not just show where children's
        homes are.
    permutations : conditional permutations for a pseudo p-value ``p_sim`` (``esda.G_Local``);
        0 skips them.
    inference : which p-value decides the bins: "normal" (the normal approximation of the
        z-score, as ArcGIS's Hot Spot Analysis) or "permutation" (``p_sim``). Normal is the
        default because with 999 permutations the smallest pseudo p is 0.002, and after the
        FDR correction over hundreds of cells no cell could reach 99 % confidence.
    fdr : false discovery rate for the ``significant`` column; ``None`` turns the FDR
        correction off (also for the bins).
    seed : seed of the permutations.

    Returns
    -------
    Copy of ``grid`` (a GeoDataFrame or a DataFrame, as given) with ``gi_value`` (the value analysed), ``z`` (Gi* z-score), ``p_norm``
    (two-sided, normal approximation), ``p_sim`` (two-sided pseudo p from the permutations,
    NaN without), ``p`` (the one used, see ``inference``), ``gi_bin`` (-3..3, FDR-corrected
    at each level) and ``significant`` (-1 cold, 0, +1 hot at the ``fdr`` level).
    """
    out = grid.copy()
    y = pd.to_numeric(out[value], errors="coerce").fillna(0).to_numpy(dtype=float)
    use = np.ones(len(out), dtype=bool)
    if base is not None:
        b = out[base] if isinstance(base, str) else base
        b = pd.to_numeric(pd.Series(np.asarray(b)), errors="coerce").fillna(0).to_numpy(dtype=float)
        use = b > 0
        y = np.where(use, y / np.where(use, b, 1), 0.0)
    idx = np.flatnonzero(use)
    yy = y[idx]
    lattice = _lattice_of(out)
    # A whole lattice without permutations needs no weights matrix: neighbourhood sums by shifting.
    by_shifting = (
        base is None
        and not permutations
        and len(out) == lattice.n
        and np.array_equal(out["cell_id"].to_numpy(), np.arange(lattice.n))
    )
    if not by_shifting:
        w_all = lattice_weights(out)
        w = w_all[idx][:, idx].tocsr() if not use.all() else w_all
    z = np.full(len(out), np.nan)
    p_norm = np.full(len(out), np.nan)
    p_sim = np.full(len(out), np.nan)
    if inference not in ("normal", "permutation"):
        raise ValueError(f"inference must be 'normal' or 'permutation', not {inference!r}")
    if inference == "permutation" and not permutations:
        raise ValueError("inference='permutation' needs permutations > 0")
    if len(idx) > 1 and yy.sum() > 0:
        if by_shifting:
            lag, card = lattice.window_sums(yy)
            zz = _z_from_sums(yy, lag, card)
            alone = card == 1
        else:
            zz = gi_star_z(yy, w)
            alone = np.asarray(w.sum(axis=1)).ravel() == 0
        # Cells without a neighbour in the analysed set have no neighbourhood to test.
        zz[alone] = np.nan
        z[idx] = zz
        p_norm[idx] = 2 * stats.norm.sf(np.abs(zz))
        if permutations:
            import esda
            from libpysal.weights import WSP

            wsp = WSP(w, id_order=list(range(len(idx))))
            with warnings.catch_warnings():
                # esda warns that its default alternative will change; we double the one-sided p ourselves.
                warnings.simplefilter("ignore", DeprecationWarning)
                lg = esda.G_Local(
                    yy,
                    wsp.to_W(silence_warnings=True),
                    transform="B",
                    star=True,
                    permutations=permutations,
                    seed=seed,
                    n_jobs=1,
                    keep_simulations=False,
                )
            # esda's p_sim is one-sided (the more extreme tail); double it for a two-sided test.
            p_sim[idx] = np.where(np.isfinite(zz), np.minimum(1.0, 2 * np.asarray(lg.p_sim, dtype=float)), np.nan)
    p = p_sim if inference == "permutation" else p_norm
    out["gi_value"] = y
    out["z"] = z
    out["p"] = p
    out["p_norm"] = p_norm
    out["p_sim"] = p_sim
    out["gi_bin"] = confidence_bins(z, p, fdr=fdr is not None)
    alpha = fdr if fdr is not None else 0.05
    finite = np.isfinite(p)
    cut = _threshold(p[finite], alpha, fdr is not None)
    out["significant"] = np.where(finite & (p <= cut), np.sign(np.nan_to_num(z)), 0).astype(np.int64)
    out.attrs = dict(grid.attrs)
    return out


def significant_cells(
    points,
    *,
    cell_size_m: float = 500,
    shape: str = "hex",
    extent: tuple[float, float, float, float] | None = None,
    x: str | None = None,
    y: str | None = None,
    fdr: float | None = 0.05,
) -> gpd.GeoDataFrame:
    """The hot and cold cells of a grid: the rows of ``gi_star(grid_counts(points, ...), permutations=0)``
    whose ``gi_bin`` is not 0, with their polygons (:func:`cell_polygons`), the same columns and values,
    without a table row for every cell of the lattice.

    Arguments are those of :func:`grid_counts` and :func:`gi_star` (normal inference, no permutations).
    England's 500 m lattice has 1.7 million cells, of which a few thousand are significant: building,
    copying and filtering the whole table was most of the time of a map's Gi* layer.
    """
    lattice, counts, params = _count_into_lattice(points, cell_size_m=cell_size_m, shape=shape, extent=extent, x=x, y=y)
    values = counts.astype(float)
    z = np.full(lattice.n, np.nan)
    p = np.full(lattice.n, np.nan)
    if lattice.n > 1 and values.sum() > 0:  # as gi_star's whole-lattice path
        lag, card = lattice.window_sums(values)
        z = _z_from_sums(values, lag, card)
        z[card == 1] = np.nan
        p = 2 * stats.norm.sf(np.abs(z))
    alpha = fdr if fdr is not None else 0.05
    finite = np.isfinite(p)
    cuts = _thresholds(p[finite], {*CONFIDENCE_LEVELS.values(), alpha}, fdr is not None)
    bins = _bins(z, p, finite & np.isfinite(z), cuts)
    keep = np.flatnonzero(bins != 0)
    rows, cols = np.divmod(keep, lattice.ncols)
    cx, cy = lattice.centres(rows, cols)
    cells = pd.DataFrame(
        {
            "cell_id": keep,
            "row": rows,
            "col": cols,
            "easting": cx,
            "northing": cy,
            "count": counts[keep],
            "gi_value": values[keep],
            "z": z[keep],
            "p": p[keep],
            "p_norm": p[keep],
            "p_sim": np.nan,
            "gi_bin": bins[keep],
            "significant": np.where(finite[keep] & (p[keep] <= cuts[alpha]), np.sign(np.nan_to_num(z[keep])), 0).astype(
                np.int64
            ),
        }
    )
    cells.attrs["lattice"] = params
    return cell_polygons(cells)

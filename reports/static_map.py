"""Static PNG maps for briefing packs, drawn offline with matplotlib: no tiles, no network.

Only aggregated areas are drawn (authority polygons, hotspot outlines, grid cells), each
already passed through :func:`analysis.disclosure.safe_map_layer`. Coordinates are British
National Grid (EPSG:27700, metres).
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a council server, and never a GUI backend in a report
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.disclosure import SUPPRESSED  # noqa: E402

__all__ = ["area_map_png", "outline_map_png", "spread_labels", "LABEL_SPACING"]

# Labels closer than this share of the map's width are moved apart (a number box at 8 pt on a 7-inch map).
LABEL_SPACING = 0.045

_DPI = 150
_BOUNDARY = "#303030"
_NEIGHBOUR = "#b0b0b0"
_HOTSPOT = "#c0392b"


def _finish(fig, ax, bounds, *, margin: float = 0.05) -> bytes:
    minx, miny, maxx, maxy = bounds
    pad = max(maxx - minx, maxy - miny, 2000) * margin
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_visible(False)
    _scale_bar(ax)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


def _scale_bar(ax) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width = x1 - x0
    # A round length near a fifth of the map width, in kilometres.
    target = width / 5 / 1000
    km = max(v for v in (0.5, 1, 2, 5, 10, 20, 50, 100, 200) if v <= max(target, 0.5))
    left, base = x0 + width * 0.04, y0 + (y1 - y0) * 0.04
    ax.plot([left, left + km * 1000], [base, base], color="black", linewidth=2)
    ax.text(left + km * 1000 / 2, base + (y1 - y0) * 0.015, f"{km:g} km", ha="center", va="bottom", fontsize=7)


def spread_labels(anchors: np.ndarray, spacing: float) -> list[tuple[float, float]]:
    """Where to write each label so that no two are closer than ``spacing`` (map units, metres here): at its
    anchor when there is room, else the nearest free spot on rings around it (a leader line is drawn to it).
    Labels are placed in order, so the first (the largest hotspot) keeps its place."""
    placed: list[tuple[float, float]] = []
    angles = np.radians(np.arange(0, 360, 30))
    for x, y in np.asarray(anchors, dtype=float).reshape(-1, 2):
        candidates = [(x, y)] + [
            (x + ring * spacing * np.cos(a), y + ring * spacing * np.sin(a))
            for ring in (1, 1.5, 2, 2.5, 3, 4)
            for a in angles
        ]
        spot = next(
            (c for c in candidates if all(np.hypot(c[0] - px, c[1] - py) >= spacing for px, py in placed)),
            candidates[-1],
        )
        placed.append((float(spot[0]), float(spot[1])))
    return placed


def _bounds(*frames) -> tuple[float, float, float, float]:
    boxes = [f.total_bounds for f in frames if f is not None and len(f)]
    if not boxes:
        return (0.0, 0.0, 1.0, 1.0)
    arr = np.array(boxes)
    return float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()), float(arr[:, 3].max())


def outline_map_png(authority, outlines, *, label_column: str | None = None, neighbours=None, title: str = "") -> bytes:
    """PNG of the authority's boundary with outlines (hotspots, cells) drawn on top.

    ``authority``, ``neighbours``, ``outlines``: GeoDataFrames in EPSG:27700; ``label_column``
    names the text written at each outline's centre (e.g. the hotspot number).
    """
    fig, ax = plt.subplots(figsize=(7, 7))
    if neighbours is not None and len(neighbours):
        neighbours.boundary.plot(ax=ax, color=_NEIGHBOUR, linewidth=0.6)
    if authority is not None and len(authority):
        authority.boundary.plot(ax=ax, color=_BOUNDARY, linewidth=1.2)
    if outlines is not None and len(outlines):
        outlines.plot(ax=ax, facecolor=_HOTSPOT, edgecolor=_HOTSPOT, alpha=0.35, linewidth=1)
        outlines.boundary.plot(ax=ax, color=_HOTSPOT, linewidth=1)
        if label_column:
            points = outlines.geometry.representative_point()
            minx, miny, maxx, maxy = _bounds(authority, outlines)
            spacing = LABEL_SPACING * max(maxx - minx, maxy - miny, 2000)
            anchors = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
            for (x, y), (lx, ly), label in zip(anchors, spread_labels(anchors, spacing), outlines[label_column]):
                moved = (lx, ly) != (x, y)
                ax.annotate(
                    str(label),
                    (x, y),
                    xytext=(lx, ly),
                    textcoords="data",
                    ha="center",
                    va="center",
                    fontsize=8,
                    fontweight="bold",
                    color="black",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": _HOTSPOT, "lw": 0.6},
                    arrowprops={"arrowstyle": "-", "color": _HOTSPOT, "lw": 0.6} if moved else None,
                )
    if title:
        ax.set_title(title, fontsize=10)
    return _finish(fig, ax, _bounds(authority, outlines))


def area_map_png(areas, count_column: str, *, authority=None, title: str = "", legend: str = "") -> bytes:
    """Choropleth PNG of areas (e.g. authorities where children are placed) by a shown count.

    ``areas`` comes from :func:`analysis.disclosure.safe_map_layer` with ``small="c"``: counts are
    text, ``"c"`` areas are hatched grey (1-5 children, number not shown), zero areas are not filled.
    """
    fig, ax = plt.subplots(figsize=(7, 7))
    counts = pd.to_numeric(areas[count_column].where(areas[count_column] != SUPPRESSED), errors="coerce")
    shown = areas[counts.fillna(0).to_numpy() > 0].assign(_N=counts[counts.fillna(0) > 0].to_numpy())
    hidden = areas[(areas[count_column] == SUPPRESSED).to_numpy()]
    if len(shown):
        shown.plot(
            ax=ax,
            column="_N",
            cmap="Blues",
            edgecolor="#606060",
            linewidth=0.4,
            legend=True,
            legend_kwds={"label": legend or count_column, "shrink": 0.6},
        )
    if len(hidden):
        hidden.plot(ax=ax, facecolor="#e0e0e0", edgecolor="#808080", hatch="///", linewidth=0.4)
    if authority is not None and len(authority):
        authority.boundary.plot(ax=ax, color="#c0392b", linewidth=1.5)
    if title:
        ax.set_title(title, fontsize=10)
    return _finish(fig, ax, _bounds(shown, hidden, authority))

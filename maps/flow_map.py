"""Where authorities place each other's children: bundled flows between authorities, for a region or England.

Aggregated only, so the page stays small and fast for all of England: one curved line per
(from, to) pair of authorities between their centroids (never a child, a postcode or a home),
its width growing with the number of children and its colour the distance band of the pair's
median miles. Lines bend clockwise, so A -> B and B -> A never overlap, and an arrowhead at
three quarters of the way points to where the children are placed. Authority polygons are
coloured by their net flow (children placed in by others minus children placed out).

Disclosure: pairs of 1-5 children are not drawn at all (``min_children`` is never below 6), and
the polygons' tooltips show counts 1-5 as "c" (:mod:`analysis.disclosure`). A net flow is shown
only when both of its counts are shown; otherwise the polygon is drawn in the neutral colour.
"""

from __future__ import annotations

import math
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.disclosure import SMALL_NUMBER_MAX, SUPPRESSED, check_no_child_data, is_small, suppress_counts
from analysis.placements import distance_bands
from analysis.regional import net_flows
from geo.boundaries import authority_boundaries
from geo.projection import BNG, WGS84, transform_points
from maps.common import (
    BAND_COLOURS,
    ENGLAND_CENTRE,
    UNKNOWN_COLOUR,
    GeoJson,
    base_map,
    escape,
    legend,
    map_html,
    to_wgs84,
)

__all__ = [
    "flow_map",
    "flow_map_bytes",
    "flow_lines",
    "authority_centroids",
    "MAX_FLOWS",
    "SIMPLIFY_METRES",
    "NET_COLOURS",
]

MAX_FLOWS = 3000  # England has about 1,500 pairs of 6+ children; beyond this the smallest are left out
# Coarser than the one-authority maps: at England's zoom 500 m is under a pixel, and it halves the HTML.
SIMPLIFY_METRES = 500
COORD_DECIMALS = 4  # degrees; about 10 m, far below what a national map can show
CURVE_SEGMENTS = 8
CURVE_BEND = 0.18  # how far the middle of a line is pushed sideways, as a share of its length
ARROW_AT = 0.72  # where along the line the arrowhead sits
# Net flow classes: (lower bound, label, colour) from strong exporter to strong importer (ColorBrewer PuOr).
NET_COLOURS = [
    (-math.inf, "net exporter, 50+", "#b35806"),
    (-49, "net exporter, 6-49", "#f1a340"),
    (-5, "balanced or small (-5 to 5, or not shown)", "#f7f7f7"),
    (6, "net importer, 6-49", "#998ec3"),
    (50, "net importer, 50+", "#542788"),
]
# Placements outside England have no polygon here: their arrows end at a point in each nation.
NATION_POINTS = {"WAL": (52.35, -3.65), "SCO": (56.2, -4.1), "NIR": (54.6, -6.7)}


MIN_WIDTH, MAX_WIDTH = 1.0, 9.0  # pixels; relative to the biggest pair, so a national map is not a solid mass


def _width(children: int, biggest: int) -> float:
    return round(MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * math.sqrt(children / max(biggest, 1)), 2)


def authority_centroids(boundaries: gpd.GeoDataFrame) -> pd.DataFrame:
    """A point inside each authority (``code``, ``easting``, ``northing`` EPSG:27700 metres) plus the nations.

    ``representative_point`` rather than the centroid: it is always inside the polygon, even for
    crescent-shaped or coastal authorities.
    """
    frame = boundaries.to_crs(BNG) if boundaries.crs is not None and boundaries.crs.to_epsg() != BNG else boundaries
    points = frame.geometry.representative_point()
    table = pd.DataFrame(
        {"code": frame["code"].astype(str).to_numpy(), "easting": points.x.to_numpy(), "northing": points.y.to_numpy()}
    )
    nations = gpd.GeoSeries(
        gpd.points_from_xy([p[1] for p in NATION_POINTS.values()], [p[0] for p in NATION_POINTS.values()]), crs=WGS84
    ).to_crs(BNG)
    extra = pd.DataFrame(
        {"code": list(NATION_POINTS), "easting": nations.x.to_numpy(), "northing": nations.y.to_numpy()}
    )
    return pd.concat([table, extra], ignore_index=True)


def _curve(x0, y0, x1, y1) -> tuple[np.ndarray, np.ndarray, float]:
    """Points of a clockwise quadratic curve from (x0, y0) to (x1, y1) in metres, and its length."""
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy)
    # Control point to the right of the direction of travel (clockwise bend).
    cx = (x0 + x1) / 2 + CURVE_BEND * dy
    cy = (y0 + y1) / 2 - CURVE_BEND * dx
    t = np.linspace(0.0, 1.0, CURVE_SEGMENTS + 1)
    xs = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1
    ys = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1
    return xs, ys, length


def _arrow(x0, y0, x1, y1, length: float, width: float) -> tuple[np.ndarray, np.ndarray]:
    """A filled triangle at ARROW_AT along the curve, pointing along it; sized to the line (metres)."""
    dx, dy = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2 + CURVE_BEND * dy, (y0 + y1) / 2 - CURVE_BEND * dx
    t = ARROW_AT
    px = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1
    py = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1
    tx = 2 * (1 - t) * (cx - x0) + 2 * t * (x1 - cx)
    ty = 2 * (1 - t) * (cy - y0) + 2 * t * (y1 - cy)
    norm = math.hypot(tx, ty) or 1.0
    tx, ty = tx / norm, ty / norm
    size = min(max(0.10 * length, 1500.0 + 300.0 * width), 15000.0)
    tip = (px + tx * size / 2, py + ty * size / 2)
    back = (px - tx * size / 2, py - ty * size / 2)
    half = 0.45 * size
    left = (back[0] - ty * half, back[1] + tx * half)
    right = (back[0] + ty * half, back[1] - tx * half)
    xs = np.array([tip[0], left[0], right[0], tip[0]])
    ys = np.array([tip[1], left[1], right[1], tip[1]])
    return xs, ys


def _lonlat(parts: list[tuple[np.ndarray, np.ndarray]]) -> list[list[list[float]]]:
    """Each part's grid coordinates (x and y arrays, EPSG:27700) as rounded [lon, lat] lists: one transform."""
    if not parts:
        return []
    lon, lat = transform_points(np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts]))
    lon, lat = np.round(lon, COORD_DECIMALS).tolist(), np.round(lat, COORD_DECIMALS).tolist()
    out, start = [], 0
    for x, _ in parts:
        out.append([[a, b] for a, b in zip(lon[start : start + len(x)], lat[start : start + len(x)])])
        start += len(x)
    return out


def flow_lines(
    flows: pd.DataFrame,
    centroids: pd.DataFrame,
    *,
    min_children: int = SMALL_NUMBER_MAX + 1,
    max_flows: int = MAX_FLOWS,
) -> tuple[dict, dict]:
    """GeoJSON (WGS84) of the flows to draw, and counts of what was left out.

    Takes :func:`analysis.regional.placement_flows` rows between different authorities with at
    least ``min_children`` children (never fewer than 6) whose both ends have a centroid; the
    biggest ``max_flows`` of them. Each flow is a curved LineString and a Polygon arrowhead with
    the same escaped ``tip`` and style properties. Returns (feature collection, summary with
    ``pairs``, ``drawn_pairs``, ``drawn_children``, ``small_pairs`` (1-5, not drawn),
    ``no_location`` and ``over_max`` pairs).
    """
    floor = max(int(min_children), SMALL_NUMBER_MAX + 1)
    flows = flows[flows["from_code"] != flows["to_code"]]
    where = centroids.set_index("code")
    located = flows["from_code"].isin(where.index) & flows["to_code"].isin(where.index)
    small = flows["children"] < floor
    # children_shown (analysis.disclosure.suppress_crosstab over all flows), when given: a pair hidden in
    # the tables to protect another is not drawn either.
    hidden = (flows["children_shown"] == SUPPRESSED) & ~small if "children_shown" in flows else small & False
    chosen = flows[located & ~small & ~hidden].sort_values("children", ascending=False, kind="stable")
    summary = {
        "pairs": int(len(flows)),
        "small_pairs": int(small.sum()),
        "hidden_pairs": int(hidden.sum()),
        "no_location": int((~located & ~small & ~hidden).sum()),
        "over_max": int(max(len(chosen) - max_flows, 0)),
    }
    chosen = chosen.iloc[:max_flows]
    summary["drawn_pairs"] = int(len(chosen))
    summary["drawn_children"] = int(chosen["children"].sum()) if len(chosen) else 0
    # A plain dict: a DataFrame .loc per row was most of the map's build time for England.
    position = dict(zip(where.index, zip(where["easting"].astype(float), where["northing"].astype(float))))
    biggest = int(chosen["children"].max()) if len(chosen) else 1
    features: list[dict[str, Any]] = []
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    chosen = chosen[~is_small(chosen["children"])]  # belt and braces: a count of 1-5 must never reach the page
    # Colours for all pairs at once: distance_bands is vectorised, one call per pair was a tenth of the map.
    colours = [BAND_COLOURS.get(band, UNKNOWN_COLOUR) for band in distance_bands(chosen["median_miles"])]
    for row, colour in zip(chosen.itertuples(index=False), colours):
        children = int(row.children)
        x0, y0 = position[row.from_code]
        x1, y1 = position[row.to_code]
        xs, ys, length = _curve(x0, y0, x1, y1)
        width = _width(children, biggest)
        ax, ay = _arrow(x0, y0, x1, y1, length, width)
        miles = "unknown" if pd.isna(row.median_miles) else f"{float(row.median_miles):.1f}"
        tip = (
            f"{escape(row.from_name)} &rarr; {escape(row.to_name)}<br>children placed: {children}"
            f"<br>median distance: {miles} miles"
        )
        props = {"tip": tip, "colour": colour, "weight": width}
        features.append({"type": "Feature", "properties": props, "geometry": {"type": "LineString"}})
        features.append({"type": "Feature", "properties": {**props, "weight": 1}, "geometry": {"type": "Polygon"}})
        parts += [
            (np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)),
            (np.asarray(ax, dtype=float), np.asarray(ay, dtype=float)),
        ]
    # Every line and arrow moved to WGS84 in one transform, not two per pair.
    for feature, coordinates in zip(features, _lonlat(parts)):
        geometry = feature["geometry"]
        geometry["coordinates"] = coordinates if geometry["type"] == "LineString" else [coordinates]
    return {"type": "FeatureCollection", "features": features}, summary


def _net_class(net: float) -> tuple[str, str]:
    for lower, label, colour in reversed(NET_COLOURS):
        if net >= lower:
            return label, colour
    return NET_COLOURS[0][1], NET_COLOURS[0][2]


def _round_coordinates(node):
    if isinstance(node, list):
        if node and isinstance(node[0], float):
            return [round(v, COORD_DECIMALS) for v in node]
        return [_round_coordinates(child) for child in node]
    return node


_OUTLINES: dict[str, tuple[list, np.ndarray]] = {}


def _outlines(boundaries: gpd.GeoDataFrame) -> tuple[list, np.ndarray]:
    """Each authority's outline simplified to SIMPLIFY_METRES, in WGS84 and rounded, as GeoJSON geometries in
    the order of ``boundaries``, and their bounds (west, south, east, north; degrees). Kept per set of
    boundaries: only the colours change with the filters, and simplifying and reprojecting England's
    outlines took most of a second on every filter change of the Region page."""
    import hashlib
    import json

    geoms = boundaries.geometry.to_numpy()
    key = hashlib.sha1(b"".join(shapely.to_wkb(geoms, include_srid=False)) + str(boundaries.crs).encode()).hexdigest()
    if key not in _OUTLINES:
        wgs = to_wgs84(gpd.GeoDataFrame(geometry=geoms, crs=boundaries.crs), simplify_metres=SIMPLIFY_METRES)
        shapes = [feature["geometry"] for feature in json.loads(wgs.to_json(drop_id=True))["features"]]
        for shape in shapes:
            if shape is not None:
                shape["coordinates"] = _round_coordinates(shape["coordinates"])
        if len(_OUTLINES) >= 8:  # a few sets of boundaries at most (all, a region, an official file)
            _OUTLINES.clear()
        bounds = gpd.GeoSeries(geoms, crs=boundaries.crs or BNG).to_crs(WGS84).total_bounds  # unsimplified
        _OUTLINES[key] = (shapes, bounds)
    return _OUTLINES[key]


def _polygons(boundaries: gpd.GeoDataFrame, net: pd.DataFrame, totals: tuple | None = None) -> dict:
    """Authority polygons with net-flow colour and disclosure-controlled tooltip fields, as WGS84 GeoJSON.

    ``totals``: (placed out, placed in) texts per code from
    :func:`analysis.disclosure.suppress_crosstab` of all the flows, shown instead of ``net``'s.
    """
    import json

    frame = boundaries[["code", "name", "geometry"]].merge(net.drop(columns=["name"]), on="code", how="left")
    frame["loaded"] = frame["loaded"].astype("boolean").fillna(False).astype(bool)
    if totals is not None:
        out_text = frame["code"].map(totals[0]).fillna("0").astype(str)
        in_text = frame["code"].map(totals[1]).fillna("0").astype(str)
    else:
        out_text = suppress_counts(frame["placed_out"].fillna(0)).astype(str)
        in_text = suppress_counts(frame["placed_in"].fillna(0)).astype(str)
    shown = (out_text != SUPPRESSED) & (in_text != SUPPRESSED)
    value = (pd.to_numeric(in_text, errors="coerce") - pd.to_numeric(out_text, errors="coerce")).where(shown)
    # A net of 1-5 either way is "balanced": the colour must not tell a small difference apart from none.
    classes = [
        _net_class(v)
        if pd.notna(v) and not is_small([abs(v)])[0] and v != 0
        else (NET_COLOURS[2][1], NET_COLOURS[2][2])
        for v in value
    ]
    layer = pd.DataFrame(
        {
            "name": frame["name"].map(escape),
            "placed_out": np.where(frame["loaded"], out_text.to_numpy(), "not loaded"),
            "placed_in": in_text.to_numpy(),
            "net": [("%+d" % int(v)) if pd.notna(v) else SUPPRESSED for v in value],
            "balance": [escape(c[0]) for c in classes],
            "fill": [c[1] for c in classes],
            "opacity": np.where(frame["loaded"], 0.65, 0.3),
        }
    )
    check_no_child_data(layer, what="the flow map")
    # The left merge keeps the boundaries' rows in order, so the outlines line up with the rows.
    if len(frame) != len(boundaries):
        raise ValueError("net flows must have one row per authority code")
    shapes, _bounds = _outlines(boundaries)
    properties = json.loads(layer.to_json(orient="records"))
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": shape} for props, shape in zip(properties, shapes)
        ],
    }


def flow_map(
    flows: pd.DataFrame,
    *,
    boundaries: gpd.GeoDataFrame | None = None,
    tiles: bool = False,
    min_children: int = SMALL_NUMBER_MAX + 1,
    max_flows: int = MAX_FLOWS,
    totals: tuple | None = None,
) -> folium.Map:
    """Folium map of placements between authorities: bundled flow lines over polygons coloured by net flow.

    Parameters
    ----------
    flows : :func:`analysis.regional.placement_flows` (``from_code``, ``from_name``, ``to_code``,
        ``to_name``, ``children``, ``median_miles`` in miles).
    boundaries : authority polygons (``code``, ``name``, ``geometry``, EPSG:27700); default
        :func:`geo.boundaries.authority_boundaries` (all 153).
    tiles : add the OpenStreetMap basemap (needs internet); default off, works offline.
    min_children : smallest pair drawn; never below 6, so counts 1-5 are not drawn. For a national
        overview 20 or more reads better (about 600 pairs instead of 1,300).
    max_flows : the biggest this many pairs are drawn.
    totals : (placed out, placed in) text per authority code, from
        :func:`analysis.disclosure.suppress_crosstab` of all the flows (with ``flows`` carrying its
        ``children_shown``), so the map shows what every other view of the flows shows.

    Polygons are simplified to 500 m and coordinates rounded to 4 decimals, so the page for all
    of England stays well under 3 MB. The map's ``flow_summary`` attribute holds the counts of
    :func:`flow_lines` (pairs drawn and left out).
    """
    if boundaries is None:
        boundaries = authority_boundaries()
    m = base_map(tiles=tiles, location=ENGLAND_CENTRE, zoom_start=6)
    net = net_flows(flows)
    polygons = _polygons(boundaries, net, totals)
    GeoJson(
        polygons,
        name="Net flow by authority",
        style_function=lambda f: {
            "color": "#666666",
            "weight": 0.5,
            "fillColor": f["properties"]["fill"],
            "fillOpacity": f["properties"]["opacity"],
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "placed_out", "placed_in", "net", "balance"],
            aliases=["Authority", "Children placed elsewhere", "Children placed here by others", "Net", "Balance"],
        ),
    ).add_to(m)
    lines, summary = flow_lines(flows, authority_centroids(boundaries), min_children=min_children, max_flows=max_flows)
    floor = max(int(min_children), SMALL_NUMBER_MAX + 1)
    group = folium.FeatureGroup(name=f"Placements between authorities ({floor}+ children)")
    if lines["features"]:  # folium refuses a tooltip field on an empty collection
        GeoJson(
            lines,
            style_function=lambda f: {
                "color": f["properties"]["colour"],
                "weight": f["properties"]["weight"],
                "opacity": 0.6,
                "fillColor": f["properties"]["colour"],
                "fillOpacity": 0.9,
            },
            highlight_function=lambda _f: {"opacity": 1.0},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(group)
    group.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)  # opens on hover: an open list covers the map and its tooltips
    items = {f"line: {band} miles": colour for band, colour in BAND_COLOURS.items()}
    items["line: distance unknown"] = UNKNOWN_COLOUR
    items.update({f"area: {label}": colour for _lower, label, colour in NET_COLOURS})
    legend(m, "Lines bend clockwise; the arrow points to where the children are placed", items)
    # Open on the authorities whose data is loaded: a line to one distant authority would otherwise
    # shrink a region such as London to slivers. The far ends are a zoom out away.
    loaded = set(net.loc[net["loaded"].astype("boolean").fillna(False).astype(bool), "code"]) if len(net) else set()
    framed = boundaries[boundaries["code"].isin(loaded)] if loaded else boundaries
    bounds = (
        gpd.GeoSeries(framed.geometry.to_numpy(), crs=framed.crs or 27700).to_crs(4326).total_bounds
        if len(framed)
        else None
    )
    if bounds is not None and np.isfinite(bounds).all():
        m.fit_bounds([[float(bounds[1]), float(bounds[0])], [float(bounds[3]), float(bounds[2])]])
    m.flow_summary = summary  # type: ignore[attr-defined]  # read by the Region page and the benchmark
    return m


def flow_map_bytes(flows: pd.DataFrame, **options) -> int:
    """Size in bytes of the standalone HTML of :func:`flow_map` (what a browser downloads)."""
    return len(map_html(flow_map(flows, **options)).encode("utf-8"))

"""The analyst's hotspot map: hotspot outlines, Gi* hot and cold cells, emerging hot spots, context layers.

Nothing here draws one marker per episode. Episodes are shown as counts per grid
cell (the cells of :func:`analysis.gistar.grid_counts`), at most
:data:`MAX_EPISODE_CELLS` of them (the busiest), so the map's HTML stays well
under 3 MB whatever the number of episodes. Children's homes are drawn at their
postcode sector (``maps.homes_map.locate_homes_by_sector``) and placements as
counts per postcode district. Every text that came from an input file goes
through :func:`maps.common.escape`; with ``suppress_small=True`` (a panel
audience) every count of 1-5 is shown as "c".

Layers take British National Grid (EPSG:27700) GeoDataFrames or latitude and
longitude (EPSG:4326) columns and are converted to WGS84 at the last step.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.disclosure import SMALL_NUMBER_MAX, SUPPRESSED, is_small
from analysis.hotspot_names import hotspot_label
from data.schemas import RISK_FLAG_LABELS, RISK_FLAGS
from geo.projection import BNG, WGS84, transform_geometries, transform_points
from maps.common import GeoJson, add_boundaries, base_map, boundaries_geojson, escape, fit_geojson, fit_to, legend

__all__ = [
    "hotspot_map",
    "hotspot_table",
    "gi_layer_cells",
    "share_colour",
    "GI_BIN_COLOURS",
    "GI_BIN_LABELS",
    "EMERGING_COLOURS",
    "SHARE_COLOURS",
    "MAX_EPISODE_CELLS",
    "MAX_HOTSPOTS",
    "MAX_GI_CELLS",
]

# ArcGIS Hot Spot Analysis colours: hot 99/95/90 % (reds), cold 99/95/90 % (blues).
GI_BIN_COLOURS = {3: "#d62f27", 2: "#ed7551", 1: "#fab984", -1: "#c0ccbe", -2: "#849eba", -3: "#4575b5"}
GI_BIN_LABELS = {
    3: "Hot spot, 99% confidence",
    2: "Hot spot, 95% confidence",
    1: "Hot spot, 90% confidence",
    -1: "Cold spot, 90% confidence",
    -2: "Cold spot, 95% confidence",
    -3: "Cold spot, 99% confidence",
}
# Emerging hot spot categories (analysis.emerging), ArcGIS-like hues: reds hot, blues cold.
EMERGING_COLOURS = {
    "new hot spot": "#f768a1",
    "consecutive hot spot": "#fc8d59",
    "intensifying hot spot": "#b30000",
    "persistent hot spot": "#e34a33",
    "diminishing hot spot": "#fdbb84",
    "sporadic hot spot": "#fee8c8",
    "oscillating hot spot": "#c994c7",
    "historical hot spot": "#bdbdbd",
    "new cold spot": "#9ecae1",
    "consecutive cold spot": "#6baed6",
    "intensifying cold spot": "#08519c",
    "persistent cold spot": "#3182bd",
    "diminishing cold spot": "#c6dbef",
    "sporadic cold spot": "#deebf7",
    "oscillating cold spot": "#a1d99b",
    "historical cold spot": "#d9d9d9",
}
# Share of a hotspot's episodes with the chosen risk flag: 0-20-40-60-80-100 %, light to dark.
SHARE_EDGES = [0.2, 0.4, 0.6, 0.8]
SHARE_COLOURS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
NO_SHARE_COLOUR = "#999999"
SELECTED_COLOUR = "#1f3a93"
HOME_COLOUR = "#6a3d9a"
PLACEMENT_COLOUR = "#33a02c"
EPISODE_COLOUR = "#444444"
MAX_EPISODE_CELLS = 1000  # busiest cells drawn; with England's 1,500 Gi* cells the map stays under 3 MB
MAX_HOTSPOTS = 500
MAX_CONTEXT_POINTS = 1000
# Significant Gi* cells drawn at most: a county has hundreds; all England can have tens of thousands,
# which made every rerun of the page serialise megabytes of hexagons.
MAX_GI_CELLS = 1500
DECIMALS = 5  # ~1 m of latitude: enough for drawing, keeps the HTML small


def _count(value, suppress_small: bool) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    n = int(value)
    if suppress_small and is_small([n])[0]:
        return SUPPRESSED
    return f"{n:,}"


def _pct(value) -> str:
    return "not recorded" if value is None or pd.isna(value) else f"{100 * float(value):.0f}%"


def share_colour(share) -> str:
    """Fill colour of a hotspot for a risk-flag share (0-1); grey when the flag was never recorded."""
    if share is None or pd.isna(share):
        return NO_SHARE_COLOUR
    return SHARE_COLOURS[int(np.searchsorted(SHARE_EDGES, float(share), side="right"))]


def _features(gdf: gpd.GeoDataFrame, properties: list[dict]) -> dict:
    """A FeatureCollection (WGS84, rounded) of the geometries of ``gdf`` with the given properties."""
    geoms = gdf.geometry.set_crs(BNG, allow_override=gdf.crs is None)
    epsg = geoms.crs.to_epsg()
    if epsg == WGS84:
        wgs = geoms.to_numpy()
    else:
        wgs = transform_geometries((geoms if epsg == BNG else geoms.to_crs(BNG)).to_numpy())
    rounded = shapely.transform(wgs, lambda xy: np.round(xy, DECIMALS))  # all at once, not per vertex
    features = []
    for geometry, props in zip(_geometry_dicts(np.asarray(rounded, dtype=object)), properties):
        if geometry is not None:
            features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def _geometry_dicts(geoms: np.ndarray) -> list[dict | None]:
    """GeoJSON geometry mappings of ``geoms`` (as ``__geo_interface__`` gives them); None where missing or empty.

    Polygons, the cells and outlines drawn here, are taken apart in one call (shapely.to_ragged_array):
    shapely's ``Polygon.__geo_interface__`` parses an empty ring from WKT for every polygon.
    """
    out: list[dict | None] = [None] * len(geoms)
    present = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    if not len(present):
        return out
    is_polygon = shapely.get_type_id(geoms[present]) == shapely.GeometryType.POLYGON
    polygons = present[is_polygon]
    if len(polygons):
        _, coords, (ring_ends, polygon_ends) = shapely.to_ragged_array(geoms[polygons])
        points = coords.tolist()
        rings = [points[a:b] for a, b in zip(ring_ends[:-1], ring_ends[1:])]
        for i, a, b in zip(polygons, polygon_ends[:-1], polygon_ends[1:]):
            out[i] = {"type": "Polygon", "coordinates": rings[a:b]}
    for i in present[~is_polygon]:
        out[i] = geoms[i].__geo_interface__
    return out


def _shown_of(part: pd.DataFrame, everything: pd.DataFrame, which: str) -> str:
    """ "; 1,000 of 7,039 shown, ..." for a layer name when a cap left some out, else ""."""
    return "" if len(part) == len(everything) else f"; {len(part):,} of {len(everything):,} shown, {which}"


def _geojson_layer(
    collection: dict, *, name: str, show: bool = True, weight: float = 1.0, fill_opacity: float = 0.5
) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=name, show=show)
    if collection["features"]:
        GeoJson(
            collection,
            style_function=lambda f: {
                "color": f["properties"].get("line", f["properties"]["colour"]),
                "weight": f["properties"].get("weight", weight),
                "fillColor": f["properties"]["colour"],
                "fillOpacity": fill_opacity,
            },
            highlight_function=lambda _f: {"weight": 3},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(group)
    return group


def _point_layer(
    lats, lons, *, tips: list[str], radii: list[float], colour: str, fill_opacity: float, lazy: bool = False
) -> GeoJson:
    """Circles at points as ONE GeoJSON layer: a folium marker per point compiles a template each,
    which for thousands of context points took seconds on every rerun. ``tips`` are escaped HTML.
    ``lazy``: the layer starts hidden, so the browser builds its circles only when it is shown."""
    features = [
        {
            "type": "Feature",
            "properties": {"tip": tip, "radius": radius},
            "geometry": {"type": "Point", "coordinates": [round(float(lon), DECIMALS), round(float(lat), DECIMALS)]},
        }
        for lat, lon, tip, radius in zip(lats, lons, tips, radii)
    ]
    return GeoJson(
        {"type": "FeatureCollection", "features": features},
        marker=folium.CircleMarker(
            radius=4, color=colour, weight=1, fill=True, fill_color=colour, fill_opacity=fill_opacity
        ),
        style_function=lambda f: {"radius": f["properties"]["radius"]},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        lazy=lazy,
    )


def _hotspot_tip(row, colour_flag: str, suppress_small: bool) -> str:
    lines = [
        f"<b>{escape(hotspot_label(row))}</b>",
        f"episodes: {_count(row.get('episodes'), suppress_small)}",
        f"children: {_count(row.get('children'), suppress_small)}",
    ]
    chosen = f"{colour_flag.lower()}_share"
    if chosen in row:
        lines.append(f"<b>{escape(RISK_FLAG_LABELS.get(colour_flag, colour_flag))}: {_pct(row[chosen])}</b>")
    for flag in RISK_FLAGS:
        if flag != colour_flag and f"{flag.lower()}_share" in row:
            lines.append(f"{escape(RISK_FLAG_LABELS.get(flag, flag))}: {_pct(row[f'{flag.lower()}_share'])}")
    if "first_date" in row and pd.notna(row["first_date"]):
        lines.append(f"{pd.Timestamp(row['first_date']):%d/%m/%Y} to {pd.Timestamp(row['last_date']):%d/%m/%Y}")
    if "trend" in row and isinstance(row["trend"], str):
        lines.append(f"trend: {escape(row['trend'])}")
    return "<br>".join(lines)


def _cell_radius(n: int, suppress_small: bool, alone: bool) -> float:
    """Pixels of an episode cell's circle. ``alone`` (no hotspots drawn, the cells are the picture of
    density): half as wide and at most 6 px, so that all of England does not merge into one grey shape."""
    root = np.sqrt(max(n, SMALL_NUMBER_MAX if suppress_small else 1))
    return round(min(1 + root / 2, 6), 1) if alone else round(min(2 + root, 12), 1)


def gi_layer_cells(gi: gpd.GeoDataFrame, *, max_cells: int | None = None) -> gpd.GeoDataFrame:
    """The significant cells (``gi_bin`` not 0) of an :func:`analysis.gistar.gi_star` grid, at most
    ``max_cells`` (default :data:`MAX_GI_CELLS`) of them, the most significant (largest |z|) first."""
    if gi is None or len(gi) == 0 or "gi_bin" not in gi:
        return gpd.GeoDataFrame({"gi_bin": []}, geometry=gpd.GeoSeries([], crs=BNG), crs=BNG)
    cells = gi[gi["gi_bin"] != 0]
    limit = MAX_GI_CELLS if max_cells is None else max_cells
    if len(cells) > limit:
        strength = cells["z"].abs() if "z" in cells else cells["gi_bin"].abs()
        cells = cells.loc[strength.sort_values(ascending=False, kind="stable").index[:limit]]
    return cells


def hotspot_map(
    hotspots: gpd.GeoDataFrame | None = None,
    *,
    colour_flag: str = "CSE",
    gi_cells: gpd.GeoDataFrame | None = None,
    episode_cells: gpd.GeoDataFrame | None = None,
    emerging: gpd.GeoDataFrame | None = None,
    homes: pd.DataFrame | None = None,
    placements: pd.DataFrame | None = None,
    selected: int | None = None,
    tiles: bool = False,
    suppress_small: bool = False,
    max_episode_cells: int = MAX_EPISODE_CELLS,
    authority=None,
    neighbours=None,
    show_episode_cells: bool = False,
) -> folium.Map:
    """Folium map of missing-episode hotspots with switchable layers and a LayerControl.

    Parameters
    ----------
    hotspots : :func:`analysis.hotspots.find_hotspots` (EPSG:27700 outlines, ``hotspot_id``,
        ``episodes``, ``children``, ``<flag>_share`` 0-1, ``first_date``, ``last_date``, ``trend``,
        ``lat``, ``lon``), coloured by ``<colour_flag>_share``; ``selected`` is outlined in blue.
    gi_cells : :func:`analysis.gistar.gi_star` output; only cells with ``gi_bin`` != 0 are drawn.
    episode_cells : :func:`analysis.gistar.grid_counts` output; cells with ``count`` > 0 are drawn
        as circles at the cell centre (the busiest ``max_episode_cells``), never single episodes.
    emerging : :func:`analysis.emerging.emerging_hotspots` output; cells with a pattern are drawn.
    homes : ``maps.homes_map.locate_homes_by_sector`` rows (``NAME``, ``MAP_LAT``, ``MAP_LON``...).
    placements : children placed per postcode district: ``district``, ``children``, ``lat``, ``lon``.
    suppress_small : show counts of 1-5 as "c" (a panel audience).
    show_episode_cells : the episode cells layer is switched on when the map opens (off by default:
        with hotspots drawn it is clutter; without them it is the detail there is).
    authority, neighbours : boundary GeoDataFrames (EPSG:27700) or their
        ``maps.common.boundaries_geojson`` text, drawn as outlines for orientation offline.
    """
    m = base_map(tiles=tiles)
    if neighbours is not None and len(neighbours):
        add_boundaries(m, neighbours, name="Neighbouring authorities", colour="#4a6fa5", weight=1.0)
    if authority is not None and len(authority):
        add_boundaries(m, authority, name="Our authority", colour="#1f3a93", weight=2.0, fill_opacity=0.03)
    lats, lons = [], []
    cell_lats, cell_lons = [], []

    if gi_cells is not None and len(gi_cells):
        cells = gi_layer_cells(gi_cells)
        props = [
            {
                "colour": GI_BIN_COLOURS[int(b)],
                "line": GI_BIN_COLOURS[int(b)],
                "weight": 0.3,
                "tip": f"{GI_BIN_LABELS[int(b)]}<br>episodes in cell: {_count(c, suppress_small)}"
                + ("" if pd.isna(z) else f"<br>Gi* z = {float(z):.2f}"),
            }
            for b, c, z in zip(
                cells["gi_bin"],
                cells.get("count", pd.Series(np.nan, index=cells.index)),
                cells.get("z", pd.Series(np.nan, index=cells.index)),
            )
        ]
        _geojson_layer(_features(cells, props), name="Gi* hot and cold spots (grid)", fill_opacity=0.55).add_to(m)

    if emerging is not None and len(emerging):
        patterned = emerging[emerging["category"].isin(list(EMERGING_COLOURS))]
        props = [
            {
                "colour": EMERGING_COLOURS[c],
                "line": "#555555",
                "weight": 0.3,
                "tip": f"{escape(c)}<br>episodes in cell: {_count(n, suppress_small)}",
            }
            for c, n in zip(patterned["category"], patterned["episodes"])
        ]
        _geojson_layer(_features(patterned, props), name="Emerging hot spots", show=True, fill_opacity=0.6).add_to(m)

    if episode_cells is not None and len(episode_cells):
        busy = episode_cells[episode_cells["count"] > 0].sort_values("count", ascending=False, kind="stable")
        busy = busy.iloc[:max_episode_cells]
        group = folium.FeatureGroup(name="Episodes (count per grid cell)", show=show_episode_cells)
        if len(busy):
            lon, lat = transform_points(busy["easting"], busy["northing"])
            features = []
            for x, y, count in zip(lon, lat, busy["count"]):
                n = int(count)
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {
                            "type": "Point",
                            "coordinates": [round(float(x), DECIMALS), round(float(y), DECIMALS)],
                        },
                        "properties": {
                            "tip": f"episodes here: {_count(n, suppress_small)}",
                            "radius": _cell_radius(n, suppress_small, show_episode_cells),
                        },
                    }
                )
            GeoJson(
                {"type": "FeatureCollection", "features": features},
                marker=folium.CircleMarker(
                    radius=3, color=EPISODE_COLOUR, weight=0.5, fill=True, fill_color=EPISODE_COLOUR, fill_opacity=0.2
                ),
                style_function=lambda f: {"radius": f["properties"]["radius"]},
                tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
                lazy=not show_episode_cells,
            ).add_to(group)
            cell_lats, cell_lons = list(lat), list(lon)
        group.add_to(m)

    if placements is not None and len(placements):
        located = placements.dropna(subset=["lat", "lon"]).sort_values("children", ascending=False, kind="stable")
        part = located.iloc[:MAX_CONTEXT_POINTS]
        group = folium.FeatureGroup(
            name="Children placed (per postcode district" + _shown_of(part, located, "busiest") + ")", show=False
        )
        _point_layer(
            part["lat"],
            part["lon"],
            tips=[
                f"{escape(d)}: {_count(n, True)} children placed" for d, n in zip(part["district"], part["children"])
            ],
            radii=[round(3 + 1.2 * np.sqrt(max(int(n), SMALL_NUMBER_MAX)), 1) for n in part["children"]],
            colour=PLACEMENT_COLOUR,
            fill_opacity=0.3,
            lazy=True,
        ).add_to(group)
        group.add_to(m)

    if homes is not None and len(homes):
        located = homes.dropna(subset=["MAP_LAT", "MAP_LON"])
        if "OUR_CHILDREN" in located:  # homes with most of our children first, when not all can be drawn
            ours = pd.to_numeric(located["OUR_CHILDREN"], errors="coerce").fillna(0)
            located = located.iloc[np.argsort(-ours.to_numpy(), kind="stable")]
        part = located.iloc[:MAX_CONTEXT_POINTS]
        group = folium.FeatureGroup(
            name="Children's homes (at postcode sector" + _shown_of(part, located, "with most of our children") + ")",
            show=False,
        )
        tips = []
        for row in part.to_dict("records"):
            tip = f"{escape(row.get('NAME'))}<br>{escape(row.get('HOME_SECTOR'))}"
            if "OUR_CHILDREN" in row and pd.notna(row["OUR_CHILDREN"]):
                tip += f"<br>our children: {_count(row['OUR_CHILDREN'], True)}"
            tips.append(tip)
        _point_layer(
            part["MAP_LAT"],
            part["MAP_LON"],
            tips=tips,
            radii=[4] * len(part),
            colour=HOME_COLOUR,
            fill_opacity=0.6,
            lazy=True,
        ).add_to(group)
        group.add_to(m)

    if hotspots is not None and len(hotspots):
        spots = hotspots.iloc[:MAX_HOTSPOTS]
        share = f"{colour_flag.lower()}_share"
        props = []
        for row in spots.drop(columns="geometry").to_dict("records"):
            is_selected = selected is not None and int(row["hotspot_id"]) == int(selected)
            props.append(
                {
                    "colour": share_colour(row.get(share)),
                    "hotspot_id": int(row["hotspot_id"]),
                    "line": SELECTED_COLOUR if is_selected else "#333333",
                    "weight": 4 if is_selected else 1.5,
                    "tip": _hotspot_tip(row, colour_flag, suppress_small),
                }
            )
        group = _geojson_layer(_features(spots, props), name="Hotspots", fill_opacity=0.55)
        # A hotspot is a few hundred metres across: a marker at its centre keeps it visible when zoomed out.
        centres = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {**p, "radius": round(min(5 + np.sqrt(float(n)) / 2, 18), 1)},
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(float(lon), DECIMALS), round(float(lat), DECIMALS)],
                    },
                }
                for p, n, lat, lon in zip(props, spots["episodes"], spots["lat"], spots["lon"])
            ],
        }
        GeoJson(
            centres,
            marker=folium.CircleMarker(radius=6, weight=1.5, fill=True, fill_opacity=0.85),
            style_function=lambda f: {
                "radius": f["properties"]["radius"],
                "fillColor": f["properties"]["colour"],
                "color": f["properties"]["line"],
                "weight": f["properties"]["weight"],
            },
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(group)
        group.add_to(m)
        lats += list(spots["lat"])
        lons += list(spots["lon"])
        label = RISK_FLAG_LABELS.get(colour_flag, colour_flag)
        edges = [0, *SHARE_EDGES, 1]
        items = {f"{100 * a:.0f}-{100 * b:.0f}%": c for a, b, c in zip(edges[:-1], edges[1:], SHARE_COLOURS)}
        items["not recorded"] = NO_SHARE_COLOUR
        legend(m, f"Hotspots: share with {label}", items)

    folium.LayerControl(collapsed=True).add_to(m)  # opens on hover: an open list covers the map and its tooltips
    if lats or cell_lats:
        # The Missing page draws the map the page's width, wider than fit_to assumes: every hotspot is in view.
        fit_to(m, lats or cell_lats, lons or cell_lons)
    elif authority is not None and len(authority):  # nothing located (903 only): open on the authority
        fit_geojson(m, authority if isinstance(authority, str) else boundaries_geojson(authority))
    return m


# ---------------------------------------------------------------- the table beside the map
TABLE_COLUMNS = {
    "hotspot_id": "Hotspot",
    "name": "Place",
    "episodes": "Episodes",
    "children": "Children",
    "dominant_flag": "Dominant risk",
    **{f"{f.lower()}_share": f"% {RISK_FLAG_LABELS[f]}" for f in RISK_FLAGS},
    "first_date": "First",
    "last_date": "Last",
    "trend": "Trend",
    "trend_per_month": "Trend (episodes a month)",
    "night_share": "% at night",
    "top_weekday": "Busiest day",
    "median_distance_miles": "Median miles placed from home",
    "out_of_area_share": "% placed out of area",
    "top_placement_areas": "Placed in",
    "children_at_other_hotspots": "Children also at other hotspots",
    "linked_hotspots": "Linked hotspots",
    "radius_m": "Radius (m)",
    "lat": "Centre latitude",
    "lon": "Centre longitude",
}
_SHARE_COLUMNS = [c for c in TABLE_COLUMNS if c.endswith("_share")]


def hotspot_table(hotspots: gpd.GeoDataFrame, *, suppress_small: bool = False) -> pd.DataFrame:
    """One row per hotspot with users' column names, shares as percentages (0-100, 1 dp), dates as dates.

    Numbers stay numbers (so the table sorts by any measure); with ``suppress_small`` the
    ``Children`` and ``Children also at other hotspots`` counts of 1-5 become "c" (text).
    """
    if hotspots is None or len(hotspots) == 0:
        return pd.DataFrame(columns=list(TABLE_COLUMNS.values()))
    frame = pd.DataFrame(hotspots.drop(columns="geometry", errors="ignore"))
    frame = frame[[c for c in TABLE_COLUMNS if c in frame]].copy()
    for col in _SHARE_COLUMNS:
        if col in frame:
            frame[col] = (100 * pd.to_numeric(frame[col], errors="coerce")).round(1)
    for col in ("first_date", "last_date"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col]).dt.date
    for col, digits in (("trend_per_month", 2), ("median_distance_miles", 1), ("radius_m", 0), ("lat", 5), ("lon", 5)):
        if col in frame:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").round(digits)
    if suppress_small:
        for col in ("children", "children_at_other_hotspots", "episodes"):
            if col in frame:
                frame[col] = [SUPPRESSED if small else int(v) for v, small in zip(frame[col], is_small(frame[col]))]
                frame[col] = frame[col].astype(object)
    for col in ("name", "dominant_flag", "trend", "top_weekday", "top_placement_areas", "linked_hotspots"):
        if col in frame:
            frame[col] = frame[col].astype(object).where(frame[col].notna(), "")
    if "dominant_flag" in frame:
        frame["dominant_flag"] = frame["dominant_flag"].map(lambda f: RISK_FLAG_LABELS.get(f, f) if f else "")
    return frame.rename(columns=TABLE_COLUMNS).reset_index(drop=True)

"""The panel's children's homes map: homes at their postcode sector, coloured by Ofsted rating.

Ofsted does not publish where children's homes are, so the panel map never
places a home more precisely than the centroid of its postcode sector. Homes
sharing a sector are spread on a small ring around the centroid (an artificial
offset, not derived from the address) so each can be hovered. The number of
our children in a home is shown as "c" when it is 1 to 5. Every text from the
register (home names!) is HTML-escaped before it reaches a tooltip.
"""

from __future__ import annotations

import math

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.disclosure import suppress_counts
from data.schemas import OFSTED_RATINGS
from geo.postcodes import sector_of
from maps.common import GeoJson, add_authority_context, base_map, escape, fit_geojson, fit_to, legend, outline_geojson

__all__ = ["locate_homes_by_sector", "homes_map", "RATING_COLOURS", "MAX_HOMES", "HOME_POINT_COLUMNS"]

RATING_COLOURS = dict(zip(OFSTED_RATINGS, ["#1a9641", "#a6d96a", "#fdae61", "#d7191c", "#8073ac"]))
NO_RATING = "Not known"
NO_RATING_COLOUR = "#888888"
MAX_HOMES = 3000
RING_METRES = 250  # spread of homes sharing a sector, around its centroid
HOME_POINT_COLUMNS = [
    "NAME",
    "HOME_SECTOR",
    "SECTOR",
    "TYPE",
    "PLACES",
    "OFSTED_RATING",
    "OUR_CHILDREN",
    "LA_NAME",
    "WITHIN_LA",
    "MILES_FROM_BOUNDARY",
    "MAP_LAT",
    "MAP_LON",
]


def _rating(value) -> str:
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()
    for known in OFSTED_RATINGS:
        if text.lower() == known.lower():
            return known
    return NO_RATING


def locate_homes_by_sector(homes: pd.DataFrame, *, index=None) -> pd.DataFrame:
    """Homes placed at their postcode sector centroid (EPSG:4326), spread on a ring within a sector.

    Takes a geocoded register with usage (``analysis.homes.home_usage`` of
    ``homes_from_register``): ``NAME``, ``POSTCODE`` and any of ``SECTOR``, ``TYPE``,
    ``PLACES``, ``OFSTED_RATING``, ``OUR_CHILDREN``, ``LA_NAME``, ``WITHIN_LA``,
    ``MILES_FROM_BOUNDARY``. Returns :data:`HOME_POINT_COLUMNS` (no full postcode), one
    row per home that could be placed; ``OFSTED_RATING`` normalised ("Not known" when blank).
    """
    if index is None:
        from geo.postcodes import get_postcode_index  # pyarrow with it: ~1.4 s, so on first use

        index = get_postcode_index()
    if homes is None or homes.empty or "POSTCODE" not in homes:
        return pd.DataFrame(columns=HOME_POINT_COLUMNS)
    frame = homes.copy()
    frame["HOME_SECTOR"] = sector_of(frame["POSTCODE"].astype(object).fillna("").astype(str)).to_numpy()
    frame = frame[frame["HOME_SECTOR"] != ""]
    # Inferred homes are named after their postcode ("Home at ME15 6XX"): never show a full postcode.
    names = frame.get("NAME", pd.Series("", index=frame.index)).astype(object).fillna("").astype(str)
    postcode = frame["POSTCODE"].astype(object).fillna("").astype(str).str.strip()
    has_postcode = [
        bool(p) and p.replace(" ", "").upper() in n.replace(" ", "").upper() for n, p in zip(names, postcode)
    ]
    frame["NAME"] = np.where(has_postcode, "Home in sector " + frame["HOME_SECTOR"], names)
    if frame.empty:
        return pd.DataFrame(columns=HOME_POINT_COLUMNS)
    found = index.lookup(frame["HOME_SECTOR"])
    frame["MAP_LAT"] = found["lat"].to_numpy(dtype=float)
    frame["MAP_LON"] = found["lon"].to_numpy(dtype=float)
    frame = frame[np.isfinite(frame["MAP_LAT"]) & np.isfinite(frame["MAP_LON"])].copy()
    # Ring offsets: the k-th of n homes in a sector at angle 2*pi*k/n.
    order = frame.groupby("HOME_SECTOR").cumcount().to_numpy()
    size = frame.groupby("HOME_SECTOR")["HOME_SECTOR"].transform("size").to_numpy()
    angle = 2 * np.pi * order / np.maximum(size, 1)
    radius = np.where(size > 1, RING_METRES, 0.0)
    frame["MAP_LAT"] += radius * np.cos(angle) / 111_320
    frame["MAP_LON"] += radius * np.sin(angle) / (111_320 * np.cos(np.radians(frame["MAP_LAT"].to_numpy())))
    frame["OFSTED_RATING"] = frame.get("OFSTED_RATING", pd.Series(index=frame.index, dtype=object)).map(_rating)
    for col in HOME_POINT_COLUMNS:
        if col not in frame:
            frame[col] = np.nan
    # USAGE_ROW: the home's row label in ``homes``, so figures worked out over every home can follow it.
    return frame[HOME_POINT_COLUMNS].assign(USAGE_ROW=frame.index).reset_index(drop=True)


def _radius(places) -> float:
    try:
        value = float(places)
    except (TypeError, ValueError):
        return 6.0
    if not math.isfinite(value) or value <= 0:
        return 6.0
    return 5.0 + 2.0 * math.sqrt(value)


def _miles(value) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "unknown"
    return "unknown" if not math.isfinite(number) else f"{number:.1f}"


def homes_map(
    points: pd.DataFrame,
    *,
    authority: gpd.GeoDataFrame | None = None,
    neighbours: gpd.GeoDataFrame | None = None,
    distance_line=None,
    distance_miles: float = 20,
    tiles: bool = False,
) -> folium.Map:
    """Folium map of homes (from :func:`locate_homes_by_sector`), one layer per Ofsted rating.

    Circle size grows with the number of places; the tooltip gives name, type,
    sector, places, rating, our children ("c" for 1-5), the authority the home
    is in and its miles from our boundary. At most :data:`MAX_HOMES` homes are drawn
    (those with most of our children first).
    """
    m = base_map(tiles=tiles)
    add_authority_context(
        m, authority=authority, neighbours=neighbours, distance_line=distance_line, distance_miles=distance_miles
    )
    points = points.copy()
    points["_ours"] = pd.to_numeric(points["OUR_CHILDREN"], errors="coerce").fillna(0)
    points = points.sort_values("_ours", ascending=False, kind="stable").head(MAX_HOMES)
    # OUR_CHILDREN_SHOWN, when given, is already through disclosure control over every listed home.
    shown_children = (
        points["OUR_CHILDREN_SHOWN"].astype(object)
        if "OUR_CHILDREN_SHOWN" in points
        else suppress_counts(points["_ours"].astype(int))
    )
    for rating in [*OFSTED_RATINGS, NO_RATING]:
        part = points[points["OFSTED_RATING"] == rating]
        if part.empty:
            continue
        colour = RATING_COLOURS.get(rating, NO_RATING_COLOUR)
        group = folium.FeatureGroup(name=f"Ofsted: {escape(rating)} ({len(part)})")
        features = []
        for idx, row in part.iterrows():
            tip = (
                f"<b>{escape(row['NAME'])}</b><br>"
                f"{escape(row['TYPE'])} &middot; {escape(row['SECTOR'])}<br>"
                f"postcode sector: {escape(row['HOME_SECTOR'])}<br>"
                f"places: {escape(row['PLACES']) or 'unknown'} &middot; Ofsted: {escape(rating)}<br>"
                f"our children here: {escape(shown_children.loc[idx])}<br>"
                f"in: {escape(row['LA_NAME']) or 'unknown'}"
                f"{' (inside our area)' if row['WITHIN_LA'] == 'Y' else ''}<br>"
                f"miles from our boundary: {_miles(row['MILES_FROM_BOUNDARY'])}"
            )
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(float(row["MAP_LON"]), 5), round(float(row["MAP_LAT"]), 5)],
                    },
                    "properties": {
                        "tip": tip,
                        "radius": round(_radius(row["PLACES"]), 1),
                        "fill_opacity": 0.85 if row["_ours"] > 0 else 0.35,
                    },
                }
            )
        GeoJson(
            {"type": "FeatureCollection", "features": features},
            marker=folium.CircleMarker(),
            style_function=lambda f, colour=colour: {
                "radius": f["properties"]["radius"],
                "color": "#333333",
                "weight": 1,
                "fill": True,
                "fillColor": colour,
                "fillOpacity": f["properties"]["fill_opacity"],
            },
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(group)
        group.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)  # opens on hover: an open list covers the map and its tooltips
    legend(m, "Ofsted rating", {**RATING_COLOURS, NO_RATING: NO_RATING_COLOUR})
    if distance_line is not None:
        fit_geojson(m, distance_line if isinstance(distance_line, str) else outline_geojson(distance_line))
    elif len(points):
        fit_to(m, points["MAP_LAT"], points["MAP_LON"])
    return m

"""Journeys map: where missing children went from and to, links between hotspots, places of concern.

Aggregates only, drawn as a few thousand lines at most whatever the number of episodes:

* journeys (:func:`analysis.journeys.journeys`): a line from the postcode sector a child went
  missing from to the hotspot or district where found, its width growing with the children and
  its colour the share of episodes with the chosen risk flag (the hotspot map's colours);
* links between hotspots (:func:`analysis.hotspot_links.hotspot_links`): curved arcs between
  hotspot centres, width by the children seen at both;
* corridors between authorities (regional mode, :func:`analysis.journeys.corridors`): the flow
  lines of :func:`maps.flow_map.flow_lines`, never fewer than 6 children;
* places of concern (analyst view only): circles at the marked positions, with the note.

With ``suppress_small=True`` (panel and MASE) journeys and links of 1-5 children are not drawn
at all (:func:`analysis.disclosure.is_small`), and places of concern are never drawn. Every text
from an input file or an analyst goes through :func:`maps.common.escape`.
"""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd

from analysis.disclosure import SMALL_NUMBER_MAX, is_small
from analysis.hotspot_names import hotspot_label
from geo.projection import transform_points
from maps.common import ENGLAND_CENTRE, GeoJson, base_map, escape, fit_to, legend, map_html
from maps.flow_map import _curve, _width, authority_centroids, flow_lines
from maps.hotspot_map import NO_SHARE_COLOUR, SHARE_COLOURS, share_colour

__all__ = [
    "journeys_map",
    "journeys_map_bytes",
    "journey_features",
    "link_features",
    "MAX_JOURNEYS",
    "MAX_LINKS",
    "MAX_CORRIDORS",
]

MAX_JOURNEYS = 1500  # the journeys with most children; England's year has tens of thousands of 1-child ones
MAX_LINKS = 300
MAX_CORRIDORS = 400  # pairs of authorities; each is a curve and an arrowhead
DECIMALS = 4  # degrees, about 10 m: far below a sector's size
LINK_COLOUR = "#1f3a93"
PLACE_COLOUR = "#6a0dad"
CORRIDOR_MIN_CHILDREN = SMALL_NUMBER_MAX + 1


def _lonlat(xs: np.ndarray, ys: np.ndarray) -> tuple[list, list]:
    lon, lat = transform_points(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float))
    return np.round(lon, DECIMALS).tolist(), np.round(lat, DECIMALS).tolist()


def journey_features(
    journeys: pd.DataFrame, *, flag_label: str = "", suppress_small: bool = False, max_lines: int = MAX_JOURNEYS
) -> tuple[dict, dict]:
    """GeoJSON (WGS84) lines of the journeys to draw, and what was left out.

    ``journeys``: :func:`analysis.journeys.journeys`. Returns (feature collection, summary with
    ``journeys``, ``drawn``, ``small`` (1-5 children, not drawn when ``suppress_small``),
    ``no_position`` and ``over_max``).
    """
    located = np.isfinite(
        journeys[["from_easting", "from_northing", "to_easting", "to_northing"]].to_numpy(dtype=float)
    ).all(axis=1)
    small = is_small(journeys["children"]) if suppress_small else np.zeros(len(journeys), dtype=bool)
    chosen = journeys[located & ~small].sort_values(["children", "episodes"], ascending=False, kind="stable")
    summary = {
        "journeys": int(len(journeys)),
        "small": int(small.sum()),
        "no_position": int((~located).sum()),
        "over_max": int(max(len(chosen) - max_lines, 0)),
    }
    chosen = chosen.iloc[:max_lines]
    summary["drawn"] = int(len(chosen))
    if chosen.empty:
        return {"type": "FeatureCollection", "features": []}, summary
    xs = np.column_stack([chosen["from_easting"], chosen["to_easting"]]).ravel()
    ys = np.column_stack([chosen["from_northing"], chosen["to_northing"]]).ravel()
    lon, lat = _lonlat(xs, ys)
    biggest = int(chosen["children"].max())
    features = []
    for i, row in enumerate(chosen.itertuples(index=False)):
        share = "not recorded" if pd.isna(row.flag_share) else f"{100 * float(row.flag_share):.0f}%"
        miles = "-" if pd.isna(row.median_miles) else f"{float(row.median_miles):.1f}"
        tip = (
            f"{escape(row.from_sector)} &rarr; {escape(row.to_name)}<br>children: {int(row.children):,}; "
            f"episodes: {int(row.episodes):,}<br>median distance: {miles} miles"
            + (f"<br>{escape(flag_label)}: {share}" if flag_label else "")
        )
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "tip": tip,
                    "colour": share_colour(row.flag_share),
                    "weight": _width(int(row.children), biggest),
                },
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[lon[2 * i], lat[2 * i]], [lon[2 * i + 1], lat[2 * i + 1]]],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}, summary


def link_features(
    links: pd.DataFrame, hotspots: pd.DataFrame, *, suppress_small: bool = False, max_links: int = MAX_LINKS
) -> tuple[dict, dict]:
    """GeoJSON (WGS84) arcs between linked hotspots' centres, and what was left out.

    ``links``: :func:`analysis.hotspot_links.hotspot_links`; ``hotspots``: ``hotspot_id``,
    ``easting``, ``northing`` (EPSG:27700). Returns (feature collection, summary with ``links``,
    ``drawn``, ``small`` and ``over_max``).
    """
    small = is_small(links["children"]) if suppress_small else np.zeros(len(links), dtype=bool)
    centre = dict(
        zip(
            hotspots["hotspot_id"].astype(int),
            zip(hotspots["easting"].astype(float), hotspots["northing"].astype(float)),
        )
    )
    names = (
        dict(
            zip(
                hotspots["hotspot_id"].astype(int),
                (hotspot_label(h, n) for h, n in zip(hotspots["hotspot_id"], hotspots["name"])),
            )
        )
        if "name" in hotspots
        else {}
    )
    known = links["hotspot_a"].isin(list(centre)) & links["hotspot_b"].isin(list(centre))
    chosen = links[known.to_numpy() & ~small]
    summary = {"links": int(len(links)), "small": int(small.sum()), "over_max": int(max(len(chosen) - max_links, 0))}
    chosen = chosen.iloc[:max_links]
    summary["drawn"] = int(len(chosen))
    if chosen.empty:
        return {"type": "FeatureCollection", "features": []}, summary
    curves = [_curve(*centre[int(a)], *centre[int(b)])[:2] for a, b in zip(chosen["hotspot_a"], chosen["hotspot_b"])]
    lon, lat = _lonlat(np.concatenate([c[0] for c in curves]), np.concatenate([c[1] for c in curves]))
    biggest = int(chosen["children"].max())
    features, start = [], 0
    for (xs, _), row in zip(curves, chosen.itertuples(index=False)):
        coords = [[a, b] for a, b in zip(lon[start : start + len(xs)], lat[start : start + len(xs)])]
        start += len(xs)
        tip = (
            f"{escape(names.get(int(row.hotspot_a), hotspot_label(row.hotspot_a)))} &harr; "
            f"{escape(names.get(int(row.hotspot_b), hotspot_label(row.hotspot_b)))}<br>"
            f"children seen at both: {int(row.children):,}"
        )
        features.append(
            {
                "type": "Feature",
                "properties": {"tip": tip, "colour": LINK_COLOUR, "weight": _width(int(row.children), biggest)},
                "geometry": {"type": "LineString", "coordinates": coords},
            }
        )
    return {"type": "FeatureCollection", "features": features}, summary


def _line_layer(collection: dict, *, name: str, show: bool = True, opacity: float = 0.7) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=name, show=show)
    if collection["features"]:  # folium refuses a tooltip field on an empty collection
        GeoJson(
            collection,
            style_function=lambda f: {
                "color": f["properties"]["colour"],
                "weight": f["properties"]["weight"],
                "opacity": opacity,
                "fillColor": f["properties"]["colour"],
                "fillOpacity": 0.9,
            },
            highlight_function=lambda _f: {"opacity": 1.0},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(group)
    return group


def _places_layer(places: pd.DataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=f"Places of concern ({len(places)})", show=True)
    if len(places):
        lon, lat = _lonlat(places["easting"].to_numpy(float), places["northing"].to_numpy(float))
        features = [
            {
                "type": "Feature",
                "properties": {
                    "tip": f"<b>Place of concern: {escape(label)}</b>" + (f"<br>{escape(note)}" if note else "")
                },
                "geometry": {"type": "Point", "coordinates": [x, y]},
            }
            for x, y, label, note in zip(lon, lat, places["label"], places["note"].fillna(""))
        ]
        GeoJson(
            {"type": "FeatureCollection", "features": features},
            marker=folium.CircleMarker(
                radius=8, color=PLACE_COLOUR, weight=3, fill=True, fill_color="#ffffff", fill_opacity=0.6
            ),
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(group)
    return group


def journeys_map(
    journeys: pd.DataFrame,
    *,
    hotspots: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
    corridors: pd.DataFrame | None = None,
    places: pd.DataFrame | None = None,
    boundaries=None,
    flag_label: str = "",
    suppress_small: bool = False,
    tiles: bool = False,
    max_lines: int = MAX_JOURNEYS,
    max_links: int = MAX_LINKS,
) -> folium.Map:
    """Folium map of journeys, hotspot links, corridors between authorities and places of concern.

    Parameters
    ----------
    journeys : :func:`analysis.journeys.journeys` (EPSG:27700 positions).
    hotspots : ``hotspot_id``, ``easting``, ``northing`` of the hotspots (for the links).
    links : :func:`analysis.hotspot_links.hotspot_links`.
    corridors : :func:`analysis.journeys.corridors` (regional mode); drawn with 6+ children only.
    places : :func:`analysis.places_of_concern.list_places`; ignored when ``suppress_small``.
    boundaries : authority polygons for the corridors' ends; default :func:`geo.boundaries.authority_boundaries`.
    flag_label : the risk flag the journeys' colours show ("county lines").
    suppress_small : panel and MASE: journeys and links of 1-5 children are not drawn, nor places.
    tiles : add the OpenStreetMap basemap (needs internet); default off, works offline.

    The map's ``journey_summary`` attribute holds what each layer drew and left out.
    """
    m = base_map(tiles=tiles, location=ENGLAND_CENTRE, zoom_start=7)
    lines, summary = journey_features(
        journeys, flag_label=flag_label, suppress_small=suppress_small, max_lines=max_lines
    )
    floor = f" ({SMALL_NUMBER_MAX + 1}+ children)" if suppress_small else ""
    _line_layer(lines, name=f"Journeys: where missing from to where found{floor}").add_to(m)
    summaries = {"journeys": summary}
    if links is not None and hotspots is not None:
        arcs, summaries["links"] = link_features(links, hotspots, suppress_small=suppress_small, max_links=max_links)
        _line_layer(arcs, name=f"Links between hotspots{floor}", opacity=0.5).add_to(m)
    if corridors is not None and len(corridors):
        if boundaries is None:
            from geo.boundaries import authority_boundaries

            boundaries = authority_boundaries()
        flows, summaries["corridors"] = flow_lines(
            corridors, authority_centroids(boundaries), min_children=CORRIDOR_MIN_CHILDREN, max_flows=MAX_CORRIDORS
        )
        _line_layer(
            flows, name=f"Corridors between authorities ({CORRIDOR_MIN_CHILDREN}+ children)", show=False
        ).add_to(m)
    if places is not None and not suppress_small:
        _places_layer(places).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    labels = ["under 20%", "20-40%", "40-60%", "60-80%", "80% or more"]
    items = {f"{flag_label or 'flag'}: {label}": colour for label, colour in zip(labels, SHARE_COLOURS)}
    items[f"{flag_label or 'flag'}: not recorded"] = NO_SHARE_COLOUR
    items["link between hotspots"] = LINK_COLOUR
    legend(m, "Journeys coloured by the share with", items)
    if lines["features"]:
        coords = np.asarray([c for f in lines["features"] for c in f["geometry"]["coordinates"]], dtype=float)
        fit_to(m, coords[:, 1], coords[:, 0])
    m.journey_summary = summaries  # type: ignore[attr-defined]  # read back by the page with the map
    return m


def journeys_map_bytes(journeys: pd.DataFrame, **options) -> int:
    """Size in bytes of the standalone HTML of :func:`journeys_map` (what a browser downloads)."""
    return len(map_html(journeys_map(journeys, **options)).encode("utf-8"))

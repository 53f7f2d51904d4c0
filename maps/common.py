"""What every map shares: a base map that works offline, boundary layers, colours and escaping.

Maps are built in WGS84 (EPSG:4326) at the last step: callers pass British
National Grid (EPSG:27700) geometries or latitude/longitude columns. Without a
basemap (``tiles=False``, the default, so the app works with no network) the
map still shows authority boundaries on a plain background.

Every text that came from an input file must go through :func:`escape` before
it reaches a tooltip or popup: folium renders them as HTML.
"""

from __future__ import annotations

import base64
import types
from functools import lru_cache
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Figure
from folium.template import Template

from data.schemas import DISTANCE_BANDS
from geo.projection import BNG, WGS84
from maps.elements import _VerbatimMacroElement, escape, scripts_left_out
from maps.places_layer import add_place_labels
from maps.tiles import OSM_ATTRIBUTION as TILE_ATTRIBUTION
from maps.tiles import OSM_URL as TILE_URL
from maps.tiles import tile_settings

__all__ = [
    "base_map",
    "use_embedded_assets",
    "add_boundaries",
    "add_outline",
    "add_authority_context",
    "boundaries_geojson",
    "outline_geojson",
    "fit_geojson",
    "escape",
    "GeoJson",
    "scripts_left_out",
    "fit_to",
    "map_html",
    "to_wgs84",
    "BAND_COLOURS",
    "UNKNOWN_COLOUR",
    "OFFLINE_BACKGROUND",
    "TILE_ATTRIBUTION",
    "TILE_URL",
]

# Distance bands from near (cool) to far (hot); colour-blind friendly (viridis-like to red).
BAND_COLOURS = dict(zip(DISTANCE_BANDS, ["#1a9850", "#91cf60", "#d9ef8b", "#fdae61", "#f46d43", "#a50026"]))
UNKNOWN_COLOUR = "#777777"
OFFLINE_BACKGROUND = "#f4f4f0"
# Metres; boundaries are simplified before drawing so a map stays well under a few MB.
SIMPLIFY_METRES = 150
ENGLAND_CENTRE = (52.8, -1.5)


class GeoJson(folium.GeoJson, _VerbatimMacroElement):
    """``folium.GeoJson``, rendered without compiling its data as a template (see
    :class:`_VerbatimMacroElement`); same arguments, same page. Use it for every GeoJSON layer.

    ``lazy=True`` is for a layer in a group that starts hidden: the browser adds its features the
    first time the layer is put on the map (ticked in the layer control), not while the page loads.
    With England loaded the Missing page's hidden layers were 4,500 circles built on every redraw.
    """

    def __init__(self, data, *args, lazy: bool = False, **kwargs):
        super().__init__(data, *args, **kwargs)
        if lazy:
            self._template = _WithoutData(type(self)._template)
            _AddDataOnShow().add_to(self)


_NO_FEATURES = {"type": "FeatureCollection", "features": []}


class _WithoutData:
    """A GeoJson template whose script creates the layer empty (its data is added by _AddDataOnShow).
    Only the script macro changes; the data stays on the element for folium's style maps."""

    def __init__(self, template):
        self._template = template
        real = template.module

        def script(this, *args):
            data, this.data = this.data, _NO_FEATURES
            try:
                return real.script(this, *args)
            finally:
                this.data = data

        self.module = types.SimpleNamespace(
            **{k: v for k, v in real.__dict__.items() if k in ("header", "html")}, script=script
        )

    def render(self, *args, **kwargs):
        return self._template.render(*args, **kwargs)


class _AddDataOnShow(_VerbatimMacroElement):
    """The script adding its parent GeoJson's data once, when the layer is first added to the map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.once("add", function () {
            {{ this._parent.get_name() }}_add({{ this._parent.data|tojson }});
        });
        {% endmacro %}
    """)


def to_wgs84(frame: gpd.GeoDataFrame, *, simplify_metres: float = SIMPLIFY_METRES) -> gpd.GeoDataFrame:
    """Simplify in metres (British grid) then reproject to EPSG:4326 for drawing."""
    if frame.crs is None:
        frame = frame.set_crs(BNG)
    if simplify_metres and frame.crs.to_epsg() == BNG:
        frame = frame.assign(geometry=frame.geometry.simplify(simplify_metres, preserve_topology=True))
    return frame.to_crs(WGS84)


LEAFLET_DIR = Path(__file__).parent / "vendor" / "leaflet-1.9.3"


@lru_cache(maxsize=1)
def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's script and stylesheet as data: URLs (images inlined), from the vendored copy."""
    js = (LEAFLET_DIR / "leaflet.js").read_bytes()
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")
    for image in ("layers.png", "layers-2x.png", "marker-icon.png"):
        data = base64.b64encode((LEAFLET_DIR / "images" / image).read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{image})", f"url(data:image/png;base64,{data})")
    return (
        "data:text/javascript;base64," + base64.b64encode(js).decode("ascii"),
        "data:text/css;base64," + base64.b64encode(css.encode("utf-8")).decode("ascii"),
    )


def use_embedded_assets(m: folium.Map) -> folium.Map:
    """Make ``m`` load Leaflet from inside its own HTML instead of CDNs (works with no internet).

    Only Leaflet is kept: the maps here use no Bootstrap, jQuery or icon fonts.
    """
    js, css = _leaflet_assets()
    m.default_js = [("leaflet", js)]
    m.default_css = [("leaflet_css", css)]
    return m


def base_map(
    *, tiles: bool = False, location=ENGLAND_CENTRE, zoom_start: int = 8, place_labels: bool | None = None
) -> folium.Map:
    """An empty map that needs no network; ``tiles=True`` adds the basemap (``maps.tiles``: OpenStreetMap
    unless the council set its own tile server; needs that server).

    Leaflet itself is embedded (see :func:`use_embedded_assets`). Without tiles the map shows what is
    drawn on it over a plain background, with town and village names by zoom (``maps.places_layer``);
    ``place_labels`` overrides that (default: labels when there is no basemap).
    """
    settings = tile_settings() if tiles else None
    tiles = bool(settings and settings.url)
    m = folium.Map(
        location=list(location),
        zoom_start=zoom_start,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
    )
    use_embedded_assets(m)
    # A compact layer list, so an open layer control does not cover the map.
    css = ".leaflet-control-layers { font: 12px/1.3 sans-serif; max-height: 45%; overflow-y: auto; }"
    if tiles and settings is not None:
        folium.TileLayer(settings.url, attr=settings.attribution, name="Basemap", control=False).add_to(m)
    else:
        css += f" .leaflet-container {{ background: {OFFLINE_BACKGROUND}; }}"
    _figure(m).header.add_child(folium.Element(f"<style>{css}</style>"))
    if place_labels if place_labels is not None else not tiles:
        add_place_labels(m)
    return m


def boundaries_geojson(boundaries: gpd.GeoDataFrame, *, extra_fields: tuple = ()) -> str:
    """Authority outlines (``code``, ``name``, ``geometry``) as WGS84 GeoJSON text, simplified, names escaped.

    Worth caching: converting polygons is most of the cost of drawing a map.
    """
    columns = ["name", *extra_fields, "geometry"]
    frame = to_wgs84(boundaries[columns].copy())
    for col in ["name", *extra_fields]:
        frame[col] = frame[col].map(escape)
    return frame.to_json(drop_id=True)


def _figure(m: folium.Map) -> Figure:
    """The page a map is drawn in (folium always puts a map in a branca Figure)."""
    root = m.get_root()
    assert isinstance(root, Figure)
    return root


def outline_geojson(geometry) -> str | None:
    """The outline of one EPSG:27700 polygon (e.g. the 20-mile line) as WGS84 GeoJSON text."""
    if geometry is None or getattr(geometry, "is_empty", True):
        return None
    return to_wgs84(gpd.GeoDataFrame({"geometry": [geometry.boundary]}, crs=BNG)).to_json(drop_id=True)


def add_boundaries(
    target,
    boundaries,
    *,
    name: str = "Boundaries",
    colour: str = "#555555",
    weight: float = 1.0,
    fill_opacity: float = 0.0,
    fill_colour: str | None = None,
    show: bool = True,
    tooltip_fields: tuple = ("name",),
) -> folium.FeatureGroup:
    """Authority outlines as one layer, names in the tooltip.

    ``boundaries`` is a GeoDataFrame (``code``, ``name``, ``geometry``) or the
    text from :func:`boundaries_geojson` (faster when cached).
    """
    group = folium.FeatureGroup(name=name, show=show)
    if boundaries is None or (not isinstance(boundaries, str) and len(boundaries) == 0):
        group.add_to(target)
        return group
    extra = tuple(f for f in tooltip_fields if f != "name")
    data = boundaries if isinstance(boundaries, str) else boundaries_geojson(boundaries, extra_fields=extra)
    GeoJson(
        data,
        style_function=lambda _f: {
            "color": colour,
            "weight": weight,
            "fillColor": fill_colour or colour,
            "fillOpacity": fill_opacity,
        },
        tooltip=folium.GeoJsonTooltip(fields=list(tooltip_fields), labels=len(tooltip_fields) > 1),
    ).add_to(group)
    group.add_to(target)
    return group


def add_outline(
    target,
    geometry,
    *,
    name: str,
    colour: str = "#333333",
    dash: str | None = "6 6",
    weight: float = 1.5,
    tooltip: str | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """A single outline drawn without fill (e.g. the 20-mile line around the authority).

    ``geometry`` is a shapely polygon in EPSG:27700 or the text from :func:`outline_geojson`.
    """
    group = folium.FeatureGroup(name=name, show=show)
    data = geometry if isinstance(geometry, str) else outline_geojson(geometry)
    if data is not None:
        GeoJson(
            data,
            style_function=lambda _f: {"color": colour, "weight": weight, "dashArray": dash, "fill": False},
            tooltip=escape(tooltip) if tooltip else None,
        ).add_to(group)
    group.add_to(target)
    return group


def add_authority_context(
    m: folium.Map, *, authority=None, neighbours=None, distance_line=None, distance_miles: float = 20
) -> None:
    """The layers the panel maps share: neighbouring authorities, our authority, and the line
    ``distance_miles`` from our boundary (GeoDataFrames / geometry in EPSG:27700; any may be None)."""
    if neighbours is not None and len(neighbours):
        add_boundaries(m, neighbours, name="Neighbouring authorities", colour="#4a6fa5", weight=1.2, fill_opacity=0.05)
    if authority is not None and len(authority):
        add_boundaries(m, authority, name="Our authority", colour="#1f3a93", weight=2.5, fill_opacity=0.08)
    if distance_line is not None:
        add_outline(
            m,
            distance_line,
            name=f"{distance_miles:g} miles from the boundary",
            tooltip=f"{distance_miles:g} miles from the authority boundary",
        )


def centre_on(
    m: folium.Map, south: float, west: float, north: float, east: float, *, width_px: int = 900, height_px: int = 620
) -> None:
    """Start the map centred on a box (degrees) at the largest whole zoom that shows all of it.

    Set as the map's own centre and zoom rather than a later fitBounds: inside a
    Streamlit component the frame can still be 0 px wide when fitBounds runs.
    """
    import math

    lat = (south + north) / 2
    lon_span = max(east - west, 1e-6)
    lat_span = max(north - south, 1e-6)
    z_lon = math.log2(width_px * 360 / (256 * lon_span))
    z_lat = math.log2(height_px * 360 * math.cos(math.radians(lat)) / (256 * lat_span))
    m.location = [lat, (west + east) / 2]
    m.options["zoom"] = max(1, min(18, int(math.floor(min(z_lon, z_lat)))))


def fit_geojson(m: folium.Map, data: str | None) -> None:
    """Centre the map on the extent of GeoJSON text (WGS84); no text (an empty outline) leaves it as it is."""
    if not data:
        return
    import json

    coords = []

    def walk(node):
        if isinstance(node, (list, tuple)) and node and isinstance(node[0], (int, float)):
            coords.append(node[:2])
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)

    for feature in json.loads(data).get("features", []):
        walk((feature.get("geometry") or {}).get("coordinates", []))
    if coords:
        lons, lats = zip(*coords)
        centre_on(m, min(lats), min(lons), max(lats), max(lons))


def fit_to(m: folium.Map, lats, lons) -> None:
    """Centre the map on the given points (ignores NaN)."""
    lat = pd.to_numeric(pd.Series(lats), errors="coerce").dropna()
    lon = pd.to_numeric(pd.Series(lons), errors="coerce").dropna()
    if len(lat) and len(lon):
        centre_on(m, float(lat.min()), float(lon.min()), float(lat.max()), float(lon.max()))


def map_html(m: folium.Map) -> str:
    """The map's standalone HTML (to measure its size or save it)."""
    return m.get_root().render()


def legend(m: folium.Map, title: str, items: dict[str, str], *, bottom: int = 24) -> None:
    """A small fixed legend box ``bottom`` pixels above the map's foot; ``items`` maps label -> colour.
    Labels are escaped."""
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:4px;background:{c};'
        f'margin-right:6px;vertical-align:middle"></span>{escape(label)}</div>'
        for label, c in items.items()
    )
    box = (
        f'<div style="position:absolute;bottom:{int(bottom)}px;right:10px;z-index:9999;background:white;'
        'padding:6px 8px;border:1px solid #999;font:12px sans-serif;">'
        f"<b>{escape(title)}</b>{rows}</div>"
    )
    _figure(m).html.add_child(folium.Element(box))

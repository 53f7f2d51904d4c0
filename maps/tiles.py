"""The optional basemap: which tile server, and whose attribution, as settings a council can change.

Off by default (the maps work offline). When an analyst ticks "Show basemap", tiles come from
OpenStreetMap unless the server is told otherwise by two environment variables, set before it starts:

``CARE_MAP_TILE_URL``
    An ``http://`` or ``https://`` URL with ``{z}``, ``{x}`` and ``{y}``: the council's own tile server,
    or Ordnance Survey's Maps API (free to councils under the Public Sector Geospatial Agreement), e.g.
    ``https://api.os.uk/maps/raster/v1/zxy/Light_3857/{z}/{x}/{y}.png?key=YOUR_KEY``.
``CARE_MAP_TILE_ATTRIBUTION``
    The credit the tile provider requires, as plain text (required with a URL), e.g.
    ``Contains OS data © Crown copyright and database rights 2026``.

docs/basemap.md has the details. A setting that is not valid leaves the basemap off, with the reason
(:attr:`TileSettings.problem`), rather than sending the browser somewhere unexpected.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass

__all__ = ["TileSettings", "tile_settings", "TILE_URL_ENV", "TILE_ATTRIBUTION_ENV", "OSM_URL", "OSM_ATTRIBUTION"]

# The default basemap, when a council has not set its own tile server.
OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"
TILE_URL_ENV = "CARE_MAP_TILE_URL"
TILE_ATTRIBUTION_ENV = "CARE_MAP_TILE_ATTRIBUTION"
_URL = re.compile(r"^https?://[^\s\"'<>]+$")


@dataclass(frozen=True)
class TileSettings:
    """``url`` (Leaflet's ``{z}/{x}/{y}`` template), ``attribution`` (HTML, escaped when it came from a
    setting), ``name`` (who serves the tiles, for labels) and ``problem`` (why the setting was refused; then
    ``url`` is "" and no basemap is drawn)."""

    url: str
    attribution: str
    name: str
    problem: str = ""


def tile_settings(environ=None) -> TileSettings:
    """The basemap's tile server from ``CARE_MAP_TILE_URL`` and ``CARE_MAP_TILE_ATTRIBUTION`` (``environ``
    defaults to the process environment); OpenStreetMap when no URL is set."""
    env = os.environ if environ is None else environ
    url = (env.get(TILE_URL_ENV) or "").strip()
    attribution = (env.get(TILE_ATTRIBUTION_ENV) or "").strip()
    if not url:
        return TileSettings(OSM_URL, OSM_ATTRIBUTION, "OpenStreetMap")
    if not _URL.match(url) or not all(part in url for part in ("{z}", "{x}", "{y}")):
        return TileSettings(
            "",
            "",
            "",
            problem=f"{TILE_URL_ENV} must be an http:// or https:// URL with {{z}}, "
            "{x} and {y}; the basemap is off.",
        )
    if not attribution:
        return TileSettings(
            "",
            "",
            "",
            problem=f"{TILE_ATTRIBUTION_ENV} must say whose tiles {TILE_URL_ENV} serves "
            "(their terms require it); the basemap is off.",
        )
    host = re.sub(r"^https?://([^/:?]+).*$", r"\1", url)
    return TileSettings(url, html.escape(attribution, quote=True), host)

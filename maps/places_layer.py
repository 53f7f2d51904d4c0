"""Town and village names on a map without a basemap, more of them as the map zooms in.

Offline, the maps have no streets or places (no tiles); these labels say where a cluster or a line is.
The names are GeoNames' (``geo.places``, CC BY 4.0); the browser draws only those in view that are
large enough for the zoom (:data:`MIN_POPULATION_BY_ZOOM`), at most :data:`MAX_LABELS` at a time, the
largest first, so a map of England shows its cities and a street-level map its villages.
"""

from __future__ import annotations

from functools import lru_cache

import folium
from folium.template import Template

from maps.elements import _VerbatimMacroElement, escape

__all__ = [
    "add_place_labels",
    "place_label_data",
    "without_place_labels",
    "MIN_POPULATION_BY_ZOOM",
    "MAX_LABELS",
    "SMALLEST_LABELLED",
]

# (Leaflet zoom up to which, fewest people) pairs; above the last zoom every place is labelled.
MIN_POPULATION_BY_ZOOM = ((6, 250_000), (7, 100_000), (8, 40_000), (9, 15_000), (10, 5_000), (11, 2_000))
SMALLEST_LABELLED = 1_000  # people: smaller places are never labelled (a map carries about 3,900 names)
MAX_LABELS = 120  # labels drawn at once: more only overlap
DECIMALS = 4  # degrees: about 10 m, plenty for a label
LABEL_CSS = (
    ".care-map-place { font: 11px/1.1 sans-serif; color: #333; white-space: nowrap; pointer-events: none; "
    "text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; transform: translate(-50%, -50%); } "
    ".care-map-place.care-map-town { font-weight: 600; font-size: 12px; } "
    ".care-map-place.care-map-city { font-weight: 700; font-size: 13px; color: #111; }"
)


@lru_cache(maxsize=1)
def place_label_data() -> tuple:
    """Great Britain's places of :data:`SMALLEST_LABELLED` people or more as ``(lat, lon, population, name)``
    tuples (EPSG:4326 degrees, names HTML-escaped), largest first. Computed once per process."""
    from geo.places import get_places

    table = get_places().table
    big = table[table["population"] >= SMALLEST_LABELLED].sort_values("population", ascending=False, kind="stable")
    return tuple(
        (round(float(lat), DECIMALS), round(float(lon), DECIMALS), int(pop), escape(name))
        for lat, lon, pop, name in zip(big["lat"], big["lon"], big["population"], big["name"])
    )


class _PlaceLabels(_VerbatimMacroElement):
    """Leaflet script: on every move or zoom, label the largest places in view that the zoom calls for."""

    _template = Template("""
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
        {% macro script(this, kwargs) %}
        /* place labels */ (function () {
            var map = {{ this._parent.get_name() }};
            var places = {{ this.places|tojson }};
            var steps = {{ this.steps|tojson }};
            var layer = L.layerGroup().addTo(map);
            function fewest(zoom) {
                for (var i = 0; i < steps.length; i++) { if (zoom <= steps[i][0]) return steps[i][1]; }
                return 0;
            }
            function draw() {
                layer.clearLayers();
                var box = map.getBounds().pad(0.05), least = fewest(map.getZoom()), shown = 0, taken = [];
                for (var i = 0; i < places.length && shown < {{ this.max_labels }}; i++) {
                    var p = places[i];
                    if (p[2] < least) break;
                    if (!box.contains([p[0], p[1]])) continue;
                    var size = p[2] >= 100000 ? " care-map-city" : (p[2] >= 20000 ? " care-map-town" : "");
                    var marker = L.marker([p[0], p[1]], {
                        icon: L.divIcon({className: "care-map-place" + size, html: p[3], iconSize: null}),
                        interactive: false, keyboard: false});
                    layer.addLayer(marker);
                    // Largest first: a name that overlaps one already written (as drawn) is taken off again.
                    var r = marker.getElement().getBoundingClientRect(), clash = false;
                    if (!r.width) { shown++; continue; }  // not laid out yet (a frame still 0 px wide)
                    for (var j = 0; j < taken.length && !clash; j++) {
                        var t = taken[j];
                        clash = r.left < t.right + 2 && t.left < r.right + 2 && r.top < t.bottom + 1 && t.top < r.bottom + 1;
                    }
                    if (clash) { layer.removeLayer(marker); continue; }
                    taken.push(r);
                    shown++;
                }
            }
            map.on("zoomend moveend resize", draw);
            draw();
            setTimeout(draw, 600);  // again once a page's frame has its size
        })(); /* end place labels */
        {% endmacro %}
    """)

    def __init__(self, places, *, steps=MIN_POPULATION_BY_ZOOM, max_labels: int = MAX_LABELS):
        super().__init__()
        self._name = "PlaceLabels"
        self.places = [list(p) for p in places]
        self.steps = [list(s) for s in steps]
        self.max_labels = int(max_labels)
        self.css = LABEL_CSS


def without_place_labels(html: str) -> str:
    """A map's HTML without the place labels' script: for checking that nothing else draws a point."""
    import re

    return re.sub(r"/\* place labels \*/.*?/\* end place labels \*/", "", html, flags=re.S)


def add_place_labels(m: folium.Map, *, max_labels: int = MAX_LABELS) -> folium.Map:
    """Label towns and villages on ``m`` by zoom (see the module docstring). Returns ``m``."""
    _PlaceLabels(place_label_data(), max_labels=max_labels).add_to(m)
    return m

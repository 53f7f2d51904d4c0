"""Folium maps in a page: rendered once per set of choices, then sent to the browser as they are.

``streamlit_folium.st_folium`` renders the folium map two or three times on every rerun, and branca
compiles each rendered layer as a Jinja template. With England loaded that is about a second per
rerun for a map that has not changed (docs/scale.md). Here a page renders its map once with
:func:`render_map`, keeps the result in a ``st.cache_data`` function keyed on the page's choices,
and :func:`show_map` hands it to the same streamlit-folium component ``st_folium`` uses.

streamlit-folium is pinned (requirements.txt): :func:`render_map` repeats the steps of its
``st_folium`` with its own private helpers, and tests/test_map_view.py checks both send the same map.
The version they were checked with is in :mod:`maps.compat`, with every other private internal we use.
"""

from __future__ import annotations

import folium
import streamlit as st
import streamlit_folium as stf

from maps.common import scripts_left_out
from maps.compat import warn_if_untested

warn_if_untested()


def render_map(m: folium.Map, *, bounds: bool = False) -> dict:
    """What the streamlit-folium component needs to draw ``m``: plain text and numbers, safe to cache.

    Keys: ``script`` (the Leaflet JavaScript), ``header``, ``html``, ``id``, ``css_links``,
    ``js_links``, ``bounds`` (``[[south, west], [north, east]]`` in degrees, EPSG:4326; None unless
    ``bounds=True``) and ``zoom``. The map object is used up: render a new map for new choices.

    ``bounds`` only matters to a page that asks for the map's bounds back (``show_map(...,
    returned_objects=["bounds"])``): folium finds them by walking every coordinate in Python, a
    fifth of a map's render time with England loaded, so they are left out by default.
    """
    # st_folium also renders the whole figure first; the component's arguments come out the same
    # without it (tests/test_map_view.py), so a new map costs one pass, not two. That pass is for the
    # header and html: the script comes from _get_map_string, so GeoJSON data is not encoded here.
    with scripts_left_out():
        m.render()
    html = stf._get_html(m)  # before _get_map_string, which renames the map's elements
    header = stf._get_header(m)
    script = stf._get_map_string(m)
    css_links: list[str] = []
    js_links: list[str] = []
    for element in _walk(m):
        css_links.extend(href for _, href in getattr(element, "default_css", []))
        js_links.extend(src for _, src in getattr(element, "default_js", []))
    box = None
    if bounds:
        try:
            box = m.get_bounds()
        except AttributeError:
            box = [[None, None], [None, None]]
    return {
        "script": script,
        "header": header,
        "html": html,
        "id": stf.get_full_id(m),
        "css_links": list(dict.fromkeys(css_links)),
        "js_links": list(dict.fromkeys(js_links)),
        "bounds": box,
        "zoom": m.options.get("zoom"),
    }


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def show_map(rendered: dict, *, key: str, height: int = 600, returned_objects: list[str] | None = None):
    """Draw a map from :func:`render_map` full width; returns what the browser reported (as ``st_folium``).

    ``returned_objects`` lists the interactions sent back, e.g. ``["last_object_clicked"]``; the
    default, none, means moving the map never reruns the page.
    """
    returned_objects = [] if returned_objects is None else list(returned_objects)
    defaults = {"last_object_clicked": None, "last_clicked": None, "zoom": rendered["zoom"]}
    if "bounds" in returned_objects:
        if rendered["bounds"] is None:
            raise ValueError("returning the map's bounds needs a map rendered with render_map(m, bounds=True)")
        south_west, north_east = rendered["bounds"]
        defaults["bounds"] = {
            "_southWest": {"lat": south_west[0], "lng": south_west[1]},
            "_northEast": {"lat": north_east[0], "lng": north_east[1]},
        }
    hash_key = stf.generate_js_hash(rendered["script"], key, False)

    def on_change():
        st.session_state[key] = st.session_state.get(hash_key, {})

    return stf._component_func(
        script=rendered["script"],
        header=rendered["header"],
        html=rendered["html"],
        id=rendered["id"],
        key=hash_key,
        height=height,
        width=None,
        returned_objects=returned_objects,
        default={k: v for k, v in defaults.items() if k in returned_objects},
        zoom=None,
        center=None,
        feature_group=None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=rendered["css_links"],
        js_links=rendered["js_links"],
        on_change=on_change,
        wrap_longitude=False,
    )

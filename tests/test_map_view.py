"""ui.map_view sends the streamlit-folium component what st_folium would, rendering the map only once."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest


def _two_maps(ours: bool = False):
    """The same map drawn by st_folium and by ui.map_view, then counts of renders of each.
    ``ours``: the GeoJSON layer is maps.common.GeoJson (rendered verbatim) rather than folium's."""
    import folium
    import streamlit as st
    from streamlit_folium import st_folium

    from maps.common import GeoJson, base_map, legend
    from ui import map_view

    renders = {"count": 0}

    class Counted(GeoJson if ours else folium.GeoJson):
        def render(self, **kwargs):
            renders["count"] += 1
            super().render(**kwargs)

    def build():
        m = base_map(tiles=False, location=(51.5, 0.5), zoom_start=9)
        Counted(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "A <b>home</b>"},
                        "geometry": {"type": "Point", "coordinates": [0.5, 51.5]},
                    }
                ],
            },
            tooltip=folium.GeoJsonTooltip(fields=["name"]),
        ).add_to(m)
        group = folium.FeatureGroup(name="Homes")
        folium.CircleMarker([51.6, 0.6], radius=4, tooltip="c children").add_to(group)
        group.add_to(m)
        folium.LayerControl().add_to(m)
        legend(m, "Key", {"hot spot": "#d7301f"})
        m.fit_bounds([[51.4, 0.4], [51.7, 0.7]])
        return m

    st_folium(
        build(), key="by_st_folium", height=400, use_container_width=True, returned_objects=["last_object_clicked"]
    )
    st.session_state["st_folium_renders"] = renders["count"]
    renders["count"] = 0
    rendered = map_view.render_map(build())
    map_view.show_map(rendered, key="by_map_view", height=400, returned_objects=["last_object_clicked"])
    map_view.show_map(rendered, key="again", height=400)
    st.session_state["map_view_renders"] = renders["count"]


def _component_args(at) -> list[dict]:
    return [json.loads(e.proto.json_args) for e in at.main if getattr(e, "type", "") == "component_instance"]


@pytest.mark.parametrize("ours", [False, True], ids=["folium GeoJson", "maps.common.GeoJson"])
def test_map_view_sends_what_st_folium_sends(ours):
    at = AppTest.from_function(_two_maps, args=(ours,), default_timeout=60).run()
    assert not at.exception
    by_st_folium, by_map_view, again = _component_args(at)
    for name in (
        "script",
        "header",
        "html",
        "css_links",
        "js_links",
        "height",
        "returned_objects",
        "default",
        "zoom",
        "center",
        "feature_group",
        "layer_control",
        "pixelated",
        "return_on_hover",
    ):
        assert by_map_view[name] == by_st_folium[name], name
    assert "A <b>home</b>" not in by_map_view["script"]  # the tooltip text is escaped as st_folium escapes it
    assert by_map_view["js_links"] and all(not link.startswith("http") for link in by_map_view["js_links"])
    assert "hot spot" in by_map_view["html"] and "fitBounds" in by_map_view["script"]
    # Drawn twice from one rendering, each layer rendered once (st_folium renders it on every draw).
    assert again["script"] == by_map_view["script"]
    assert at.session_state["map_view_renders"] == 1 < at.session_state["st_folium_renders"]
    assert again["default"] == {}  # no interactions returned: moving the map does not rerun the page


def _bounds_map(returned: list[str], with_bounds: bool):
    from maps.common import base_map
    from ui import map_view

    m = base_map(tiles=False, location=(51.5, 0.5), zoom_start=9)
    m.fit_bounds([[51.4, 0.4], [51.7, 0.7]])
    map_view.show_map(map_view.render_map(m, bounds=with_bounds), key="bounded", returned_objects=returned)


def test_bounds_are_worked_out_only_for_a_page_that_asks_for_them():
    from maps.common import base_map
    from ui.map_view import render_map

    assert render_map(base_map())["bounds"] is None
    asked = AppTest.from_function(_bounds_map, args=(["bounds"], True), default_timeout=60).run()
    assert not asked.exception
    (args,) = _component_args(asked)
    assert set(args["default"]["bounds"]) == {"_southWest", "_northEast"}
    # The app hides error details from users (.streamlit/config.toml); this developer error is read in full.
    from streamlit import config as st_config

    shown = st_config.get_option("client.showErrorDetails")
    st_config.set_option("client.showErrorDetails", "full")
    try:
        missing = AppTest.from_function(_bounds_map, args=(["bounds"], False), default_timeout=60).run()
    finally:
        st_config.set_option("client.showErrorDetails", shown)
    assert "render_map(m, bounds=True)" in missing.exception[0].value


def test_a_geojson_layer_leaves_its_data_out_of_a_render_for_header_and_html():
    """render_map renders the figure for its header and html only: the layer's data is encoded once, later."""
    from maps.common import GeoJson, base_map, scripts_left_out

    def rendered_script(leave_out: bool) -> str:
        m = base_map(tiles=False)
        GeoJson(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {"type": "Point", "coordinates": [0.123456, 51.654321]},
                    }
                ],
            },
        ).add_to(m)
        if leave_out:
            with scripts_left_out():
                m.render()
        else:
            m.render()
        return m.get_root().script.render()

    assert "51.654321" in rendered_script(False)
    assert "51.654321" not in rendered_script(True)
    assert "51.654321" in rendered_script(False)  # only within the context


def test_a_lazy_geojson_layer_gets_its_data_when_first_shown_and_encodes_it_once():
    import folium

    from maps.common import GeoJson, base_map
    from ui.map_view import render_map

    def build(lazy: bool):
        m = base_map(tiles=False)
        group = folium.FeatureGroup(name="Homes", show=False)
        GeoJson(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"tip": "a <b>home</b>", "radius": 4},
                        "geometry": {"type": "Point", "coordinates": [0.123456, 51.654321]},
                    }
                ],
            },
            marker=folium.CircleMarker(radius=4),
            style_function=lambda f: {"radius": f["properties"]["radius"]},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
            lazy=lazy,
        ).add_to(group)
        group.add_to(m)
        folium.LayerControl().add_to(m)
        return render_map(m)["script"]

    eager, lazy = build(False), build(True)
    assert eager.count("51.654321") == 1 and "once(" not in eager
    assert lazy.count("51.654321") == 1
    # The layer is created empty, then filled once, on its first "add" (when the group is ticked).
    name = re.search(r"var (geo_json_\w+) = L\.geoJson\(null", lazy).group(1)
    assert f'{name}_add({{"features": [], "type": "FeatureCollection"}});' in lazy
    once = lazy.index(f'{name}.once("add", function () {{\n            {name}_add({{"features": [{{')
    assert lazy.index(f"function {name}_add") < once < lazy.index("51.654321") < lazy.index(f"{name}.addTo(")
    assert "_styler" in lazy and "bindTooltip" in lazy  # styles and tooltips as for an eager layer

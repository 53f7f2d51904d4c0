"""Private internals of other libraries: checked with the installed versions, loudly when one moves."""

from __future__ import annotations

import multiprocessing.spawn
import warnings

import branca.element
import folium
import streamlit_folium

from maps import compat
from maps.common import GeoJson, base_map


def test_installed_versions_are_the_ones_the_internals_were_checked_with():
    assert compat.untested_versions() == {}, (
        "a library whose private internals we use has moved: run tests/test_map_view.py, tests/test_workers.py "
        "and python -m bench, then update maps/compat.py and requirements.txt"
    )


def test_the_private_names_we_use_are_there():
    for name in ("_get_html", "_get_header", "_get_map_string", "_component_func", "generate_js_hash", "get_full_id"):
        assert callable(getattr(streamlit_folium, name)), name
    for name in ("_fixup_main_from_path", "_fixup_main_from_name"):
        assert callable(getattr(multiprocessing.spawn, name)), name
    m = base_map(tiles=False, location=(51.5, 0.5), zoom_start=9)
    layer = GeoJson({"type": "FeatureCollection", "features": []}).add_to(m)
    assert isinstance(layer, branca.element.MacroElement)
    assert {"header", "html", "script"} & set(layer._template.module.__dict__)
    assert isinstance(m._children, dict) and isinstance(folium.Map, type)


def test_an_untested_version_is_named_once(monkeypatch):
    monkeypatch.setitem(compat.TESTED_VERSIONS, "branca", "0.0.1")
    monkeypatch.setattr(compat, "_warned", False)
    assert "branca" in compat.untested_versions()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compat.warn_if_untested()
        compat.warn_if_untested()
    assert len(caught) == 1 and "branca" in str(caught[0].message)

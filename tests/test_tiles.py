"""The basemap's tile server as a setting (maps/tiles.py): OpenStreetMap by default, refused when not valid."""

from __future__ import annotations

import pytest

from maps.common import TILE_URL, base_map, map_html
from maps.tiles import TILE_ATTRIBUTION_ENV, TILE_URL_ENV, tile_settings

OS_URL = "https://api.os.uk/maps/raster/v1/zxy/Light_3857/{z}/{x}/{y}.png?key=abc"


def test_default_is_openstreetmap():
    settings = tile_settings({})
    assert settings.url == TILE_URL and "OpenStreetMap" in settings.attribution and not settings.problem


def test_ordnance_survey_maps_api_with_its_attribution():
    settings = tile_settings({TILE_URL_ENV: OS_URL, TILE_ATTRIBUTION_ENV: "Contains OS data © Crown copyright"})
    assert settings.url == OS_URL and settings.name == "api.os.uk"
    assert settings.attribution == "Contains OS data © Crown copyright"


@pytest.mark.parametrize(
    ("url", "credit", "reason"),
    [
        ("javascript:alert(1)//{z}{x}{y}", "x", "http:// or https://"),
        ("https://tiles.example/{z}/{x}.png", "x", "{z}, {x} and {y}"),
        ('https://tiles.example/{z}/{x}/{y}.png"><script>', "x", "http:// or https://"),
        (OS_URL, "", "whose tiles"),
    ],
)
def test_settings_that_are_not_valid_leave_the_basemap_off(monkeypatch, url, credit, reason):
    settings = tile_settings({TILE_URL_ENV: url, TILE_ATTRIBUTION_ENV: credit})
    assert settings.url == "" and reason in settings.problem
    monkeypatch.setenv(TILE_URL_ENV, url)
    monkeypatch.setenv(TILE_ATTRIBUTION_ENV, credit)
    html = map_html(base_map(tiles=True))
    assert "tileLayer" not in html and "<script>alert" not in html
    assert "care-map-place" in html  # offline, so the town names are drawn instead


def test_attribution_is_text_not_html():
    settings = tile_settings({TILE_URL_ENV: OS_URL, TILE_ATTRIBUTION_ENV: "<img src=x onerror=alert(1)>"})
    assert "<img" not in settings.attribution and "&lt;img" in settings.attribution

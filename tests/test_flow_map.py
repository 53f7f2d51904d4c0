"""The flow map between authorities: aggregated lines only, no small counts, small HTML for all England."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis import regional as R
from analysis.placements import add_placement_location, placements_on
from data.readers import read_folder
from geo.boundaries import adjacency, authority_boundaries
from maps.common import map_html
from maps.flow_map import flow_map
from maps.places_layer import without_place_labels

MAX_ENGLAND_BYTES = 3 * 2**20


@pytest.fixture(scope="module")
def flows(tmp_path_factory, postcode_index):
    from data.england import write_england

    folder = tmp_path_factory.mktemp("pooled3")
    write_england(folder, authorities=3, jobs=1, seed=3)
    episodes = add_placement_location(read_folder(folder).episodes, index=postcode_index)
    return R.placement_flows(placements_on(episodes, "2026-03-31"))


def _drawn_counts(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"children placed: (\d+)", html)]


def test_map_draws_only_pairs_of_six_or_more_and_no_points(flows):
    assert (flows["children"] <= 5).any() and (flows["children"] >= 6).any()  # both kinds are in the data
    m = flow_map(flows, min_children=2)  # asking for less must not draw 1-5
    html = map_html(m)
    drawn = _drawn_counts(html)
    lines, arrows = drawn[::2], drawn[1::2]  # each flow is a line then its arrowhead, same tooltip
    assert lines == arrows
    assert sorted(lines) == sorted(flows.loc[flows["children"] >= 6, "children"].tolist())
    assert m.flow_summary["small_pairs"] == (flows["children"] <= 5).sum()
    # No point is drawn for anyone; the only markers are the town names (maps.places_layer).
    assert "care-map-place" in html
    for marker in ("L.marker(", "L.circleMarker(", "L.circle(", '"Point"', '"MultiPoint"'):
        assert marker not in without_place_labels(html)
    assert 'src="http' not in html and 'href="http' not in html  # works offline: Leaflet is embedded
    # No polygon tooltip shows a count 1-5 either: placed in / out appear as "c".
    for value in re.findall(r'"placed_(?:in|out)": "([^"]*)"', html):
        assert value in ("c", "0", "not loaded") or int(value) >= 6


def test_flow_map_escapes_names(flows):
    bad = flows.copy()
    bad.loc[bad.index[0], "from_name"] = "<script>alert(1)</script>"
    bad.loc[bad.index[0], "children"] = 40
    html = map_html(flow_map(bad))
    assert "<script>alert(1)</script>" not in html
    # html.escape'd, then folium's JSON writes "&" as \u0026.
    assert "\\u0026lt;script\\u0026gt;alert(1)" in html


def test_all_england_map_stays_under_3_mb():
    """Every pair of neighbouring authorities placing 8-60 children with each other, both ways, plus long flows."""
    rng = np.random.default_rng(1)
    pairs = adjacency()
    far = authority_boundaries()["code"].sample(300, replace=True, random_state=1).to_numpy().reshape(-1, 2)
    src = np.concatenate([pairs["code"].to_numpy(), far[:, 0]])
    dst = np.concatenate([pairs["neighbour"].to_numpy(), far[:, 1]])
    flows = pd.DataFrame(
        {
            "from_code": src,
            "to_code": dst,
            "children": rng.integers(8, 60, len(src)),
            "median_miles": rng.uniform(2, 150, len(src)),
        }
    )
    flows = flows[flows["from_code"] != flows["to_code"]].drop_duplicates(["from_code", "to_code"])
    names = authority_boundaries().set_index("code")["name"]
    flows["from_name"], flows["to_name"] = flows["from_code"].map(names), flows["to_code"].map(names)
    m = flow_map(flows)
    size = len(map_html(m).encode("utf-8"))
    assert m.flow_summary["drawn_pairs"] == len(flows) > 900
    assert size < MAX_ENGLAND_BYTES, f"{size / 2**20:.2f} MB"


def test_only_small_pairs_draw_no_line_but_still_a_map(flows):
    small = flows[flows["children"] <= 5]
    m = flow_map(small)
    html = map_html(m)
    assert m.flow_summary["drawn_pairs"] == 0 and m.flow_summary["small_pairs"] == len(small) > 0
    assert _drawn_counts(html) == [] and "Net flow by authority" in html


def test_region_map_opens_on_the_loaded_authorities_and_its_legend_agrees_with_the_caption():
    """Two London boroughs place 40 children with each other and 8 in Cumbria: the map opens on London, not on
    a frame stretched to Cumbria; the arrow points to where children are placed, as the page's caption says."""
    flows = pd.DataFrame(
        {
            "from_code": ["E09000022", "E09000028", "E09000022"],
            "from_name": ["Lambeth", "Southwark", "Lambeth"],
            "to_code": ["E09000028", "E09000022", "E10000006"],
            "to_name": ["Southwark", "Lambeth", "Cumbria"],
            "children": [40, 40, 8],
            "median_miles": [2.0, 2.0, 250.0],
        }
    )
    m = flow_map(flows, boundaries=authority_boundaries(), min_children=6)
    fit = next(c for c in m._children.values() if type(c).__name__ == "FitBounds")
    (south, west), (north, east) = fit.bounds
    assert 51.3 < south < north < 51.6 and -0.3 < west < east < 0.0  # Lambeth and Southwark
    html = map_html(m)
    assert "the arrow points to where the children are placed" in html
    assert "arrow to placing area" not in html
